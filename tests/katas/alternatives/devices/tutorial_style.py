"""devices, as a beginner tutorial writes it: "cuda:0", a recursive helper
with loops, torch.hstack with ones_like, requires_grad_() after the move,
and a loop that accumulates the elapsed time."""

def pick_device():
    device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    return device


def to_device(obj, device):
    if torch.is_tensor(obj) or isinstance(obj, nn.Module):
        return obj.to(device)
    elif isinstance(obj, dict):
        moved = dict()
        for key, value in obj.items():
            moved[key] = to_device(value, device)
        return moved
    elif isinstance(obj, (list, tuple)):
        moved = []
        for value in obj:
            moved.append(to_device(value, device))
        if isinstance(obj, tuple):
            moved = tuple(moved)
        return moved
    else:
        return obj


def add_ones_column(x):
    ones = torch.ones_like(x[:, :1])
    return torch.hstack([x, ones])


def new_weight(shape, device="cpu", dtype=torch.float32):
    w = torch.randn(shape, dtype=dtype).to(device)
    w.requires_grad_()  # after the move, so w is still a leaf
    return w


def predict(model, x, device):
    model = model.to(device)
    model.eval()
    with torch.no_grad():
        output = model(x.to(device))
    return output


def time_it(fn, device, repeats=10):
    use_cuda = torch.device(device).type == "cuda"
    total = 0.0
    if use_cuda:
        torch.cuda.synchronize()
    for i in range(repeats):
        begin = time.perf_counter()
        fn()
        if use_cuda:
            torch.cuda.synchronize()
        total += time.perf_counter() - begin
    return total / repeats
