"""devices, written with torch.device objects, functools.singledispatch, x.new_ones,
an in-place normal_() and inference_mode, timing every call on its own."""

import statistics
from functools import singledispatch


def pick_device():
    return torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")


@singledispatch
def to_device(obj, device):
    return obj


@to_device.register(torch.Tensor)
@to_device.register(nn.Module)
def _(obj, device):
    return obj.to(device)


@to_device.register(dict)
def _(obj, device):
    return {k: to_device(v, device) for k, v in obj.items()}


@to_device.register(list)
def _(obj, device):
    return [to_device(v, device) for v in obj]


@to_device.register(tuple)
def _(obj, device):
    return tuple(to_device(v, device) for v in obj)


def add_ones_column(x):
    return torch.cat((x, x.new_ones((x.size(0), 1))), dim=-1)


def new_weight(shape, device="cpu", dtype=torch.float32):
    return torch.empty(shape, device=device, dtype=dtype).normal_().requires_grad_()


@torch.inference_mode()
def predict(model, x, device):
    model = model.to(device).eval()
    return model(x.to(device))


def time_it(fn, device, repeats=10):
    cuda = torch.device(device).type == "cuda"
    times = []
    for _ in range(repeats):
        if cuda:
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        fn()
        if cuda:
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    return statistics.mean(times)
