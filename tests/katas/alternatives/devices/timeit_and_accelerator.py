"""devices with torch.utils._pytree.tree_map for the containers, ones(...).to(x) for the
column, timeit.timeit on the CPU and torch.accelerator.synchronize (current pytorch/examples)
around the GPU timing."""

import timeit

from torch.utils import _pytree as pytree


def to_device(obj, device):
    return pytree.tree_map(lambda v: v.to(device) if isinstance(v, (torch.Tensor, nn.Module)) else v, obj)


def add_ones_column(x):
    return torch.cat([x, torch.ones(len(x), 1).to(x)], dim=1)


def time_it(fn, device, repeats=10):
    if "cuda" in str(device):
        torch.accelerator.synchronize()
        start = time.perf_counter()
        for _ in range(repeats):
            fn()
        torch.accelerator.synchronize()
        return (time.perf_counter() - start) / repeats
    return timeit.timeit(fn, number=repeats) / repeats
