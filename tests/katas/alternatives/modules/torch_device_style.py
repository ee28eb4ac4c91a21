"""modules kata written around torch.device objects and one-call moves: run_on normalises the device
with torch.device(...) and moves module and tensor in one .to(device, dtype) each; the checkpoint
goes through an OrderedDict copy and loads with map_location and strict=True."""
from collections import OrderedDict
import io


def count_trainable(model: nn.Module) -> int:
    return int(sum(map(torch.numel, (p for p in model.parameters() if p.requires_grad))))


def state_dict_bytes(model: nn.Module) -> bytes:
    with io.BytesIO() as handle:
        torch.save(OrderedDict(model.state_dict()), handle)
        return handle.getvalue()


def load_state_dict_bytes(model: nn.Module, data: bytes) -> nn.Module:
    state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    model.load_state_dict(state, strict=True)
    return model


def run_on(model: nn.Module, x: torch.Tensor, device, dtype: torch.dtype) -> torch.Tensor:
    target = torch.device(device)
    model.to(target, dtype)
    return model(x.to(target, dtype))
