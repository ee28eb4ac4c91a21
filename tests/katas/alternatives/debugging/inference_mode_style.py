"""debugging kata with forwards under torch.inference_mode (the mean loss through statistics.fmean,
the hooks' forward), set_detect_anomaly used as a context manager, and the culprits kept in order of
first appearance in a dict."""
import statistics


def first_bad_module(model, x):
    seen = {}
    handles = []
    for name, module in model.named_modules():
        if name:
            def hook(m, args, out, name=name):
                if isinstance(out, torch.Tensor) and not bool(torch.isfinite(out).all()):
                    seen.setdefault(name, True)
            handles.append(module.register_forward_hook(hook))
    try:
        with torch.inference_mode():
            model(x)
    finally:
        while handles:
            handles.pop().remove()
    return next(iter(seen), None)


def find_nan_backward(fn, x):
    import re
    try:
        with torch.autograd.set_detect_anomaly(True):
            fn(x).sum().backward()
    except RuntimeError as error:
        match = re.search(r"Function '([A-Za-z0-9_]+)' returned nan", str(error))
        if not match:
            raise
        return match.group(1)
    return None


def mean_loss(model, batches):
    with torch.inference_mode():
        return statistics.fmean(F.mse_loss(model(x), y).item() for x, y in batches)
