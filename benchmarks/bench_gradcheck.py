"""expect_gradients (decided in the grader, the learner side only evaluates) against
plain torch.autograd.gradcheck.

Run from the repo root:  python benchmarks/bench_gradcheck.py
Same correct custom sigmoid Function, same (3, 4) float64 input, in one process; timeit medians of
repeated runs (all warmed up first).  Three figures:
  gradcheck            torch.autograd.gradcheck(Sigmoid.apply, (x,))
  expect_gradients     pytest_torchkata.checks.gradients.expect_gradients with the probes called
                       directly (two observations: forward at the 24 perturbed inputs, backward for
                       the 12 one-hot grad_outputs; Jacobians and comparison in the grader)
  in-process backend   the same, each request through sandbox.inprocess.InProcessBackend as
                       in-process grading runs it (seeding, one thread, the forbidden-API
                       TorchFunctionMode, plain-data copies, the grader's modules put back)
Target: expect_gradients <= 1.5x gradcheck.  Prints, never asserts.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import textwrap
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from pytest_torchkata.checks.gradients import expect_gradients  # noqa: E402
from pytest_torchkata.sandbox import runner  # noqa: E402
from pytest_torchkata.sandbox.inprocess import InProcessBackend  # noqa: E402

SOURCE = textwrap.dedent("""
    import torch


    class Sigmoid(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            s = 1 / (1 + torch.exp(-x))
            ctx.save_for_backward(s)
            return s

        @staticmethod
        def backward(ctx, grad_out):
            (s,) = ctx.saved_tensors
            return grad_out * s * (1 - s)
""")
REPEAT, NUMBER = int(os.environ.get("BENCH_N", "15")), 5
TARGET = 1.5


class Direct:
    """kata.run without a backend: the probe called on the module."""

    def __init__(self, module) -> None:
        self.module = module

    def run(self, helper, *args, **kwargs):
        return helper(self.module, *args, **kwargs)


class Backend:
    """kata.run through the in-process backend, as KataAccess sends it."""

    def __init__(self, path: str) -> None:
        self.path, self.backend = path, InProcessBackend()

    def run(self, helper, *args, **kwargs):
        message = {"op": "run", "path": self.path, "target": f"{helper.__module__}:{helper.__qualname__}",
                   "args": list(args), "kwargs": kwargs, "seed": 0, "forbid": [], "timeout": None,
                   "debug": False}
        return self.backend.request(message, None)["value"]


def main() -> int:
    folder = tempfile.mkdtemp(prefix="bench_gradcheck_")
    path = os.path.join(folder, "grad.py")
    Path(path).write_text(SOURCE, encoding="utf-8")
    module = runner.load(path)
    x = torch.randn(3, 4)
    x64 = x.double().requires_grad_(True)
    direct, backend = Direct(module), Backend(path)

    def plain() -> None:
        assert torch.autograd.gradcheck(module.Sigmoid.apply, (x64,))

    cases = {"gradcheck": plain,
             "expect_gradients": lambda: expect_gradients(direct, "Sigmoid.apply", [x], what="Sigmoid"),
             "in-process backend": lambda: expect_gradients(backend, "Sigmoid.apply", [x], what="Sigmoid")}
    for fn in cases.values():
        fn()  # warm-up
    times: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(REPEAT):  # interleaved, so load changes hit every case alike
        for label, fn in cases.items():
            times[label].append(timeit.timeit(fn, number=NUMBER) / NUMBER)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"bench_gradcheck: sigmoid Function on a (3, 4) input; median of {REPEAT} x {NUMBER} calls; "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads, load average {load:.2f}")
    base = statistics.median(times["gradcheck"])
    for label, values in times.items():
        med = statistics.median(values)
        line = f"  {label:<20} {med * 1e3:8.3f} ms per call (min {min(values) * 1e3:.3f})"
        if label != "gradcheck":
            ratio = med / base
            line += f"  ratio {ratio:.2f}x"
            if label == "expect_gradients":
                line += f" (target <= {TARGET:g}x: {'met' if ratio <= TARGET else 'NOT met'})"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
