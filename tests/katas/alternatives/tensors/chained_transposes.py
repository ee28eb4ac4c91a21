"""Alternative: chained transposes, contiguous().view, unsqueeze/pow, torch.where with a scalar,
clamp_min, spelled-out softmax pieces, a copied NumPy array."""

def to_channels_last(x: torch.Tensor) -> torch.Tensor:
    return x.transpose(1, 2).transpose(2, 3)


def flatten_pixels(x: torch.Tensor) -> torch.Tensor:
    return x.contiguous().view(x.size(0), -1)


def pairwise_sq_dists(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return (a.unsqueeze(1) - b.unsqueeze(0)).pow(2).sum(2)


def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    return torch.where(mask, x, 0.0).sum(1) / mask.sum(1).clamp_min(1)


def softmax(x: torch.Tensor, dim: int) -> torch.Tensor:
    e = x.sub(x.amax(dim, True)).exp()
    return e.div(e.sum(dim, True))


def log_softmax(x: torch.Tensor, dim: int) -> torch.Tensor:
    s = x - torch.amax(x, dim=dim, keepdim=True)
    return s - torch.log(torch.sum(torch.exp(s), dim=dim, keepdim=True))


def to_numpy(t: torch.Tensor) -> np.ndarray:
    return t.cpu().detach().numpy().copy()
