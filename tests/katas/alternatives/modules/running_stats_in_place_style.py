"""modules kata with in-place arithmetic on the buffer under torch.no_grad (sub_/mul_ in the
BatchNorm style), a Scale made from torch.ones_like of an empty tensor, a Residual that stores the
module through add_module, and freezing through named_parameters."""


class Scale(nn.Module):
    def __init__(self, features: int) -> None:
        super().__init__()
        self.register_parameter("weight", nn.Parameter(torch.ones_like(torch.empty(features))))


def freeze_all_but_last(model: nn.Sequential) -> None:
    last = str(len(model) - 1) + "."
    for name, p in model.named_parameters():
        p.requires_grad = name.startswith(last)


class Residual(nn.Module):
    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.add_module("module", module)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.module(x)


class RunningMean(nn.Module):
    def __init__(self, features: int, momentum: float = 0.1) -> None:
        super().__init__()
        self.momentum = momentum
        self.register_buffer("mean", torch.zeros(features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training:
            with torch.no_grad():
                self.mean.sub_(self.momentum * (self.mean - x.mean(0)))
        return x - self.mean
