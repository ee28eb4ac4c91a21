"""expect_gradients' learner-world helper against plain torch.autograd.gradcheck.

Run from the repo root:  python benchmarks/bench_gradcheck.py
Same correct custom sigmoid Function, same (3, 4) float64 input, in one process; timeit medians of
repeated runs (both warmed up first: the first autograd.grad with grad_outputs imports sympy).
Three figures:
  gradcheck            torch.autograd.gradcheck(Sigmoid.apply, (x,))
  helper               pytest_torchkata.checks.gradients.check_gradients(module, "Sigmoid.apply", [x])
  helper, guarded      the same through pytest_torchkata.sandbox.runner.answer, as in-process grading runs it
                       (seeding, one thread, the forbidden-API TorchFunctionMode, plain-data copies)
Target: helper <= 1.5x gradcheck.  Prints, never asserts.
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

from pytest_torchkata import learner, wire  # noqa: E402
from pytest_torchkata.checks.gradients import check_gradients  # noqa: E402

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


def main() -> int:
    folder = tempfile.mkdtemp(prefix="bench_gradcheck_")
    path = os.path.join(folder, "grad.py")
    Path(path).write_text(SOURCE, encoding="utf-8")
    module = learner.load(path)
    x = torch.randn(3, 4)
    x64 = x.double().requires_grad_(True)
    request = {"op": "run", "path": path, "target": "pytest_torchkata.checks.gradients:check_gradients",
               "args": ["Sigmoid.apply", [x], {}, 1], "kwargs": {}, "seed": 0, "forbid": [],
               "timeout": None, "debug": False}

    def plain() -> None:
        assert torch.autograd.gradcheck(module.Sigmoid.apply, (x64,))

    def helper() -> None:
        assert check_gradients(module, "Sigmoid.apply", [x])["ok"]

    def guarded() -> None:
        assert wire.roundtrip(learner.answer(wire.roundtrip(request)))["value"]["ok"]

    cases = {"gradcheck": plain, "helper": helper, "helper, guarded": guarded}
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
        line = f"  {label:<18} {med * 1e3:8.3f} ms per call (min {min(values) * 1e3:.3f})"
        if label != "gradcheck":
            ratio = med / base
            line += f"  ratio {ratio:.2f}x"
            if label == "helper":
                line += f" (target <= {TARGET:g}x: {'met' if ratio <= TARGET else 'NOT met'})"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
