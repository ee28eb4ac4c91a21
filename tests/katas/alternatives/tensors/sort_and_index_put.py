"""Alternative: tutorial numbers (einsum expansion with clamp_min, index_put, sort, sum keepdim then squeeze(1))."""
def from_list(data: list) -> torch.Tensor:
    return torch.tensor(data).to(torch.float32)
def from_numpy(arr: np.ndarray) -> torch.Tensor:
    return torch.as_tensor(arr, dtype=torch.from_numpy(arr).dtype)
def to_channels_last(x: torch.Tensor) -> torch.Tensor:
    return x.permute(0, 2, 3, 1).clone()
def flatten_pixels(x: torch.Tensor) -> torch.Tensor:
    return x.reshape(x.size(0), x.size(1) * x.size(2) * x.size(3))
def pairwise_sq_dists(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    cross = torch.einsum("nd,md->nm", a, b)
    out = (a ** 2).sum(-1)[:, None] - 2 * cross + (b ** 2).sum(-1)[None, :]
    return out.clamp_min(0.0)
def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    counts = mask.sum(dim=1, keepdim=True).clamp(min=1)
    return ((x * mask).sum(dim=1, keepdim=True) / counts).squeeze(1)
def one_hot(labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    out = torch.zeros((labels.numel(), num_classes), dtype=torch.float32)
    out.index_put_((torch.arange(labels.numel()), labels), torch.tensor(1.0))
    return out
def from_one_hot(onehot: torch.Tensor) -> torch.Tensor:
    return onehot.argsort(dim=1, descending=True)[:, 0]
def softmax(x: torch.Tensor, dim: int) -> torch.Tensor:
    return torch.exp(log_softmax(x, dim))
def log_softmax(x: torch.Tensor, dim: int) -> torch.Tensor:
    c = torch.amax(x, dim=dim, keepdim=True)
    return x - (c + torch.log(torch.exp(x - c).sum(dim=dim, keepdim=True)))
def to_numpy(t: torch.Tensor) -> np.ndarray:
    return t.detach().to("cpu").numpy()
def share_memory_with_numpy(arr: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(arr)[...]
