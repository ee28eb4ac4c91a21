"""modules kata in the PyTorch tutorials' style: named layers, add_module, explicit loops."""

import math


class Scale(nn.Module):
    def __init__(self, features: int) -> None:
        super().__init__()
        self.register_parameter("weight", nn.Parameter(torch.ones(features)))


class MLP(nn.Module):
    def __init__(self, sizes: list[int]) -> None:
        super().__init__()
        self.depth = len(sizes) - 1
        for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
            self.add_module(f"fc{i}", nn.Linear(n_in, n_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for i in range(self.depth):
            x = getattr(self, f"fc{i}")(x)
            if i != self.depth - 1:
                x = torch.relu(x)
        return x


def count_trainable(model: nn.Module) -> int:
    total = 0
    for _, p in model.named_parameters():
        if p.requires_grad:
            total += math.prod(p.shape)
    return total


def freeze_all_but_last(model: nn.Sequential) -> None:
    last = str(len(model) - 1)
    for name, p in model.named_parameters():
        p.requires_grad = name.split(".")[0] == last


class Residual(nn.Module):
    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.add_module("inner", module)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.add(x, self.inner(x))


class RunningMean(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training:
            with torch.no_grad():
                self.mean.copy_(torch.lerp(self.mean, x.mean(dim=0), self.momentum))
        return x - self.mean


class DropoutMLP(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.fc1(x))
        x = F.dropout(x, p=self.p, training=self.training)
        return self.fc2(x)


def state_dict_bytes(model: nn.Module) -> bytes:
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    buffer.seek(0)
    return buffer.read()


def load_state_dict_bytes(model: nn.Module, data: bytes) -> nn.Module:
    buffer = io.BytesIO(data)
    state_dict = torch.load(buffer, weights_only=True)
    model.load_state_dict(state_dict, strict=True)
    return model


def run_on(model: nn.Module, x: torch.Tensor, device: str, dtype: torch.dtype) -> torch.Tensor:
    target = torch.device(device)
    model.to(target).to(dtype)
    inputs = x.to(target).to(dtype)
    return model(inputs)
