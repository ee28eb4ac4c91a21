"""devices kata predicting under torch.set_grad_enabled(False) with model.train(False), and timing
inside a small context manager that synchronises on the way in and out."""
import contextlib


def predict(model, x, device):
    model.to(device)
    model.train(False)
    with torch.set_grad_enabled(False):
        inputs = x.to(device)
        return model(inputs)


@contextlib.contextmanager
def _synchronised(device):
    gpu = torch.device(device).type == "cuda"
    if gpu:
        torch.cuda.synchronize()
    yield
    if gpu:
        torch.cuda.synchronize()


def time_it(fn, device, repeats=10):
    with _synchronised(device):
        start = time.perf_counter()
        for _ in range(repeats):
            fn()
    return (time.perf_counter() - start) / repeats
