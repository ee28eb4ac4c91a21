"""devices kata with torch's pytree utilities for the containers, F.pad for the ones column, and
normal_() on an empty tensor for the weight."""
import torch.nn.functional as F
from torch.utils._pytree import tree_map


def to_device(obj, device):
    return tree_map(lambda leaf: leaf.to(device) if isinstance(leaf, (torch.Tensor, nn.Module)) else leaf, obj)


def add_ones_column(x):
    return F.pad(x, (0, 1), value=1.0)


def new_weight(shape, device="cpu", dtype=torch.float32):
    return torch.empty(shape, device=device, dtype=dtype).normal_().requires_grad_()
