"""devices kata with structural pattern matching: on the object's kind in to_device and on the
device's type in time_it (a device given as a string or a torch.device alike)."""


def to_device(obj, device):
    match obj:
        case torch.Tensor() | nn.Module():
            return obj.to(device)
        case dict():
            return {key: to_device(value, device) for key, value in obj.items()}
        case list() | tuple():
            return type(obj)(to_device(value, device) for value in obj)
        case _:
            return obj


def time_it(fn, device, repeats=10):
    match torch.device(device):
        case torch.device(type="cuda"):
            wait = torch.cuda.synchronize
        case _:
            def wait():
                return None
    wait()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    wait()
    return (time.perf_counter() - start) / repeats
