"""modules kata with functional pieces: functools.reduce, ModuleList appends, masks by hand."""

from functools import reduce


class Scale(nn.Module):
    def __init__(self, features: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.full((features,), 1.0))


class MLP(nn.Module):
    def __init__(self, sizes: list[int]) -> None:
        super().__init__()
        self.layers = nn.ModuleList()
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            self.layers.append(nn.Linear(n_in, n_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        *hidden, last = self.layers
        x = reduce(lambda h, layer: layer(h).clamp(min=0), hidden, x)
        return last(x)


def count_trainable(model: nn.Module) -> int:
    return int(sum(p.nelement() for p in model.parameters() if p.requires_grad))


def freeze_all_but_last(model: nn.Sequential) -> None:
    keep = {id(p) for p in model[-1].parameters()}
    for p in model.parameters():
        p.requires_grad_(id(p) in keep)


class Residual(nn.Module):
    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.body = nn.Sequential(module)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x).add(x)


class RunningMean(nn.Module):
    def __init__(self, features: int, momentum: float = 0.1) -> None:
        super().__init__()
        self.momentum = momentum
        self.register_buffer("mean", torch.zeros(features), persistent=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training:
            batch_mean = x.detach().mean(dim=0)
            self.mean.mul_(1 - self.momentum).add_(batch_mean, alpha=self.momentum)
        return x - self.mean


class DropoutMLP(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.fc1(x))
        if self.training and self.p > 0:
            keep = (torch.rand_like(h) >= self.p).to(h.dtype)
            h = h * keep / (1 - self.p)
        return self.fc2(h)


def state_dict_bytes(model: nn.Module) -> bytes:
    out = io.BytesIO()
    torch.save({k: v for k, v in model.state_dict().items()}, out)
    return bytes(out.getbuffer())


def load_state_dict_bytes(model: nn.Module, data: bytes) -> nn.Module:
    model.load_state_dict(torch.load(io.BytesIO(data)))
    return model


def run_on(model: nn.Module, x: torch.Tensor, device: str, dtype: torch.dtype) -> torch.Tensor:
    model.to(device=torch.device(device), dtype=dtype)
    return model(x.to(device=device, dtype=dtype))
