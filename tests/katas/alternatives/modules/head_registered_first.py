"""modules kata with the output layer registered before the hidden ones, lerp_, positional F.dropout, getbuffer()."""
import numpy as np

class MLP(nn.Module):
    def __init__(self, sizes: list[int]) -> None:
        super().__init__()
        self.out = nn.Linear(sizes[-2], sizes[-1])
        self.hidden = nn.ModuleList([nn.Linear(a, b) for a, b in zip(sizes[:-2], sizes[1:-1])])

    def forward(self, x):
        for layer in self.hidden:
            x = torch.relu(layer(x))
        return self.out(x)


def count_trainable(model):
    return sum(int(np.prod(p.size())) for p in model.parameters() if p.requires_grad)


def freeze_all_but_last(model):
    for layer in model[:-1]:
        for p in layer.parameters():
            p.requires_grad = False


class Residual(nn.Module):
    def forward(self, x):
        out = self.module(x)
        out += x
        return out


class RunningMean(nn.Module):
    def forward(self, x):
        if self.training:
            with torch.no_grad():
                self.mean.lerp_(x.mean(0), self.momentum)
        return x.sub(self.mean)


class DropoutMLP(nn.Module):
    def forward(self, x):
        return self.fc2(F.dropout(F.relu(self.fc1(x)), self.p, self.training))


def state_dict_bytes(model):
    buf = io.BytesIO()
    torch.save(model.state_dict(), buf)
    return buf.getbuffer().tobytes()


def load_state_dict_bytes(model, data):
    model.load_state_dict(torch.load(io.BytesIO(data), map_location="cpu"), strict=True)
    return model


def run_on(model, x, device, dtype):
    model.to(device)
    model.to(dtype)
    return model(x.to(device).to(dtype))
