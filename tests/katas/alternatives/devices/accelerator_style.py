"""devices, in the style of current pytorch/examples: torch.accelerator to pick
the device, explicit isinstance branches, F.pad for the bias column,
nn.Parameter, model.train(False), and a warm-up call before timing."""

from time import perf_counter
import torch.nn.functional as F


def pick_device():
    if torch.accelerator.is_available():
        return torch.accelerator.current_accelerator().type
    return "cpu"


def to_device(obj, device):
    if isinstance(obj, torch.Tensor):
        return obj.to(device=device)
    if isinstance(obj, nn.Module):
        obj.to(device)  # modules move in place
        return obj
    if isinstance(obj, dict):
        out = {}
        for key in obj:
            out[key] = to_device(obj[key], device)
        return out
    if isinstance(obj, list):
        return [to_device(item, device) for item in obj]
    if isinstance(obj, tuple):
        return tuple([to_device(item, device) for item in obj])
    return obj


def add_ones_column(x):
    return F.pad(x, (0, 1), value=1.0)  # one more column on the right, filled with 1


def new_weight(shape, device="cpu", dtype=torch.float32):
    return nn.Parameter(torch.randn(*shape, device=device, dtype=dtype))


def predict(model, x, device):
    model.to(device)
    model.train(False)
    with torch.no_grad():
        x = x.to(device)
        out = model(x)
    return out


def time_it(fn, device, repeats=10):
    sync = torch.cuda.synchronize if str(device).startswith("cuda") else (lambda: None)
    fn()  # warm-up: the first call may pay for kernel loading
    sync()
    start = perf_counter()
    for _ in range(repeats):
        fn()
    sync()
    return (perf_counter() - start) / repeats
