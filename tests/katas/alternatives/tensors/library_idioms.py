"""Alternative: library idioms (as_tensor, movedim, flatten(1), the |a|^2 expansion, torch.where, F.one_hot, logsumexp)."""

def from_list(data: list) -> torch.Tensor:
    return torch.as_tensor(data, dtype=torch.float32)


def from_numpy(arr: np.ndarray) -> torch.Tensor:
    return torch.as_tensor(arr)


def to_channels_last(x: torch.Tensor) -> torch.Tensor:
    return x.movedim(1, -1)


def flatten_pixels(x: torch.Tensor) -> torch.Tensor:
    return x.flatten(1)


def pairwise_sq_dists(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    sq = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
    return sq.clamp(min=0)


def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    picked = torch.where(mask, x, torch.zeros_like(x))
    return picked.sum(1) / mask.sum(1).clamp(min=1)


def one_hot(labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    return F.one_hot(labels, num_classes).float()


def from_one_hot(onehot: torch.Tensor) -> torch.Tensor:
    return torch.max(onehot, dim=1).indices


def softmax(x: torch.Tensor, dim: int) -> torch.Tensor:
    return torch.exp(x - torch.logsumexp(x, dim=dim, keepdim=True))


def log_softmax(x: torch.Tensor, dim: int) -> torch.Tensor:
    return x - x.logsumexp(dim, keepdim=True)


def to_numpy(t: torch.Tensor) -> np.ndarray:
    return t.detach().to("cpu").numpy()


def share_memory_with_numpy(arr: np.ndarray) -> torch.Tensor:
    return torch.as_tensor(arr)
