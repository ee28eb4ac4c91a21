"""The norms kata's hints, level by level, each in English and 简体中文."""

from pytest_torchkata.kata import Text

HINTS = {
    "l2_norm": [
        Text("the L2 norm is the square root of the sum of squares, taken along one dimension",
             "L2 范数是沿某一个维度的平方和的平方根"),
        Text("`(x ** 2).sum(dim=dim)` gives the sum of squares; `.sqrt()` the root",
             "`(x ** 2).sum(dim=dim)` 得到平方和；`.sqrt()` 再开平方"),
    ],
    "normalize": [
        Text("divide x by its norm along dim; keep that dim (size 1) so the division broadcasts",
             "把 x 沿 dim 除以它的范数；保留这个维度（大小为 1），除法才能广播"),
        Text("`norm = (x ** 2).sum(dim=dim, keepdim=True).sqrt()`, then `x / norm.clamp_min(eps)`: "
             "a row of zeros stays zeros",
             "`norm = (x ** 2).sum(dim=dim, keepdim=True).sqrt()`，然后 `x / norm.clamp_min(eps)`："
             "全零的行仍然是零"),
    ],
}
