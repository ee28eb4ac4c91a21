"""devices with synchronize imported by name, time.monotonic for the clock, and a predict that
puts the model back in the mode it found it in."""

from torch.cuda import synchronize


def predict(model, x, device):
    was_training = model.training
    model.to(device)
    model.eval()
    try:
        with torch.no_grad():
            return model(x.to(device, non_blocking=True))
    finally:
        model.train(was_training)


def time_it(fn, device, repeats=10):
    cuda = torch.device(device).type == "cuda"
    if cuda:
        synchronize()
    t0 = time.monotonic()
    for _ in range(repeats):
        fn()
    if cuda:
        synchronize()
    return (time.monotonic() - t0) / repeats
