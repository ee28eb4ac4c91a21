"""Alternative: einsum, unsqueeze, torch.eye and torch.max(...) unpacking."""

def from_list(data: list) -> torch.Tensor:
    return torch.FloatTensor(data)


def from_numpy(arr: np.ndarray) -> torch.Tensor:
    return torch.tensor(arr)  # a copy, same dtype


def to_channels_last(x: torch.Tensor) -> torch.Tensor:
    return torch.einsum("bchw->bhwc", x)


def flatten_pixels(x: torch.Tensor) -> torch.Tensor:
    batch = x.shape[0]
    return x.contiguous().view(batch, -1)


def pairwise_sq_dists(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    diff = a.unsqueeze(1) - b.unsqueeze(0)  # (N, M, D)
    return torch.einsum("nmd,nmd->nm", diff, diff)


def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    counts = mask.sum(dim=1, keepdim=True)
    sums = (x * mask).sum(dim=1, keepdim=True)
    return torch.where(counts > 0, sums / counts.clamp(min=1), torch.zeros_like(sums)).squeeze(1)


def one_hot(labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    return torch.eye(num_classes, device=labels.device)[labels]


def from_one_hot(onehot: torch.Tensor) -> torch.Tensor:
    values, indices = onehot.max(dim=1)
    return indices


def softmax(x: torch.Tensor, dim: int) -> torch.Tensor:
    biggest, _ = torch.max(x, dim=dim, keepdim=True)
    e = torch.exp(x - biggest)
    return e / torch.sum(e, dim=dim, keepdim=True)


def log_softmax(x: torch.Tensor, dim: int) -> torch.Tensor:
    biggest = torch.max(x, dim, keepdim=True).values
    shifted = x - biggest
    return shifted - torch.log(torch.sum(torch.exp(shifted), dim, keepdim=True))


def to_numpy(t: torch.Tensor) -> np.ndarray:
    if t.requires_grad:
        t = t.detach()
    return t.cpu().numpy()


def share_memory_with_numpy(arr: np.ndarray) -> torch.Tensor:
    t = torch.from_numpy(arr)
    return t
