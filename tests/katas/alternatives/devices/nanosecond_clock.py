"""devices, with time.perf_counter_ns and timeit.default_timer for the clock,
match statements, torch.column_stack and zeros + 1."""

import timeit


def pick_device():
    return "cuda" if torch.cuda.device_count() > 0 and torch.cuda.is_available() else "cpu"


def to_device(obj, device):
    match obj:
        case torch.Tensor() | nn.Module():
            return obj.to(device)
        case dict():
            return {key: to_device(value, device) for key, value in obj.items()}
        case list() | tuple():
            return type(obj)(map(lambda value: to_device(value, device), obj))
        case _:
            return obj


def add_ones_column(x):
    return torch.column_stack([x, torch.zeros(len(x), dtype=x.dtype, device=x.device) + 1])


def new_weight(shape, device="cpu", dtype=torch.float32):
    return torch.normal(0.0, 1.0, size=shape, device=device, dtype=dtype).requires_grad_(True)


def predict(model, x, device):
    model.to(device).eval()
    with torch.no_grad():
        return model.__call__(x.to(device))


def time_it(fn, device, repeats=10):
    gpu = torch.device(device).type == "cuda"
    if gpu:
        torch.cuda.synchronize()
    started_ns = time.perf_counter_ns()
    wall = timeit.default_timer()
    for _ in range(repeats):
        fn()
    if gpu:
        torch.cuda.synchronize()
    elapsed_ns = time.perf_counter_ns() - started_ns
    assert timeit.default_timer() >= wall
    return elapsed_ns / 1e9 / repeats
