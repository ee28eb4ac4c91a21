"""modules kata, solved with nn.Sequential and module-level switches (a learner's own style)."""

class Scale(nn.Module):
    def __init__(self, features: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(features, dtype=torch.float32))


class MLP(nn.Module):
    def __init__(self, sizes: list[int]) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        for i in range(len(sizes) - 1):
            layers.append(nn.Linear(sizes[i], sizes[i + 1]))
            if i < len(sizes) - 2:
                layers.append(nn.ReLU())
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def count_trainable(model: nn.Module) -> int:
    return sum(p.numel() for p in filter(lambda p: p.requires_grad, model.parameters()))


def freeze_all_but_last(model: nn.Sequential) -> None:
    model.requires_grad_(False)
    model[-1].requires_grad_(True)


class Residual(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.module(x)
        return out + x


class RunningMean(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training:
            # rebinding a registered buffer name keeps it a buffer
            self.mean = (1 - self.momentum) * self.mean + self.momentum * x.mean(dim=0).detach()
        return x - self.mean


class DropoutMLP(nn.Module):
    def __init__(self, in_features: int, hidden: int, out_features: int, p: float = 0.5) -> None:
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden)
        self.fc2 = nn.Linear(hidden, out_features)
        self.p = p
        self.dropout = nn.Dropout(p)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.dropout(torch.relu(self.fc1(x))))


def state_dict_bytes(model: nn.Module) -> bytes:
    with io.BytesIO() as f:
        torch.save(model.state_dict(), f)
        return f.getvalue()


def load_state_dict_bytes(model: nn.Module, data: bytes) -> nn.Module:
    model.load_state_dict(torch.load(io.BytesIO(data), map_location="cpu", weights_only=True))
    return model


def run_on(model: nn.Module, x: torch.Tensor, device: str, dtype: torch.dtype) -> torch.Tensor:
    model = model.to(device, dtype)
    x = x.to(device, dtype)
    return model(x)
