"""modules kata with einsum for the MLP's layers, torch.add for the skip, lerp_ for the running mean
and torch.dropout for the dropout."""


class MLP(nn.Module):
    def __init__(self, sizes: list[int]) -> None:
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(sizes, sizes[1:])])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for i, layer in enumerate(self.layers):
            x = torch.einsum("ni,oi->no", x, layer.weight) + layer.bias
            if i < len(self.layers) - 1:
                x = x.clamp_min(0)
        return x


class Residual(nn.Module):
    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.module = module

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.add(x, self.module(x))


class RunningMean(nn.Module):
    def __init__(self, features: int, momentum: float = 0.1) -> None:
        super().__init__()
        self.momentum = momentum
        self.register_buffer("mean", torch.zeros(features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training:
            self.mean.lerp_(x.detach().mean(dim=0), self.momentum)
        return x - self.mean


class DropoutMLP(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(torch.dropout(torch.relu(self.fc1(x)), self.p, self.training))
