"""The header a learner reads before the checks run, in the current language: which katas
from which folder, on which devices, with which seed and torch, and how learner code is
walled off; a warning when the container's memory is too small for an isolated run.

The plugin gathers the facts (``HeaderFacts``); the wording lives here, beside the
summary, and lines are wrapped to the terminal's columns (a CJK character takes two).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pytest_torchkata.i18n import tr
from pytest_torchkata.reports.display import fit

# What a whole isolated run needs (the grader and the worker each import torch), measured by
# benchmarks/bench_sandbox.py cgroup with half a CPU: the CPU-only build gets full marks in 640 MB
# (not in 560), the CUDA build, whose import alone holds about 290 MB in each process, in 896 MB
# and 1024 MB (in 768 MB it thrashes for minutes).
NEEDS_MB = {"cpu": 640, "cuda": 1024}
CPU_TORCH = "pip install torch torchvision --index-url https://download.pytorch.org/whl/cpu"


@dataclass
class HeaderFacts:
    version: str
    katas: list[str]
    kata_dir: str
    devices: list[str]
    seed: int
    digest: str  # what grading logs show of a secret seed
    torch_version: str
    isolate: bool = False
    level: str = "in-process"  # the sandbox level
    level_summary: str = ""  # the level in words (``sandbox.levels.SUMMARY``), uid filled in
    private_python: str = ""  # a Python the ``user`` level cannot read, "" when none
    weak_note: str = ""  # what the ``none`` level does not guard against
    memory_mb: float | None = None  # the container's memory limit, None when unlimited
    cuda_build: bool = False
    cuda_available: bool = False
    notes: list[str] = field(default_factory=list)  # further lines (a checkout's own katas/)


def sandbox_line(facts: HeaderFacts) -> str:
    """How learner code is walled off."""
    if not facts.isolate:
        return tr("in-process", "在评分进程内运行")  # for learners checking themselves (the security model)
    line = tr("isolated worker process, sandbox {level}", "隔离的工作进程，沙箱 {level}", level=facts.level_summary)
    if facts.level == "user" and facts.private_python:
        line += tr("; note: {path} is private, so learner code can import only what was loaded before it ran",
                   "；注意：{path} 是私有的，学习者代码只能导入它运行之前已经加载的模块", path=facts.private_python)
    if facts.level == "none":
        line += tr("; WARNING: {note}", "；警告：{note}", note=facts.weak_note)
    return line


def memory_line(facts: HeaderFacts) -> str | None:
    """A warning when the container's memory is too small for this torch in an isolated run."""
    build = "cuda" if facts.cuda_build else "cpu"
    if not facts.isolate or facts.memory_mb is None or facts.memory_mb >= NEEDS_MB[build]:
        return None
    if build == "cuda" and not facts.cuda_available:
        return tr("torchkata: WARNING: this container allows {mb:.0f} MB, but an isolated run with this "
                  "CUDA build of torch needs about {need} MB, so tasks may be killed for memory; the "
                  "CPU-only build needs about {cpu} MB: {cmd}",
                  "torchkata：警告：这个容器只允许 {mb:.0f} MB，而用这个 CUDA 版 torch 隔离运行约需 {need} MB，"
                  "任务可能因内存不足被杀掉；纯 CPU 版约需 {cpu} MB：{cmd}",
                  mb=facts.memory_mb, need=NEEDS_MB["cuda"], cpu=NEEDS_MB["cpu"], cmd=CPU_TORCH)
    return tr("torchkata: WARNING: this container allows {mb:.0f} MB, but an isolated run needs about {need} MB "
              "(the grader and the worker each load torch), so tasks may be killed for memory",
              "torchkata：警告：这个容器只允许 {mb:.0f} MB，而隔离运行约需 {need} MB（评分进程和工作进程"
              "各自加载 torch），任务可能因内存不足被杀掉",
              mb=facts.memory_mb, need=NEEDS_MB[build])


def header_lines(facts: HeaderFacts, columns: int = 80) -> list[str]:
    """The header, each line fitted to ``columns``."""
    cuda = "" if "cuda" in facts.devices else tr(" (no CUDA device: CUDA cases are skipped)",
                                                 "（没有 CUDA 设备：跳过 CUDA 用例）")
    memory = memory_line(facts)
    lines = [
        tr("torchkata {version}: katas {katas} from {dir}", "torchkata {version}：练习 {katas}，文件在 {dir}",
           version=facts.version, katas=", ".join(facts.katas), dir=facts.kata_dir),
        tr("torchkata: device {devices}{cuda}; seed {seed} (digest {digest}); torch {torch}; {mode}",
           "torchkata：设备 {devices}{cuda}；随机种子 {seed}（摘要 {digest}）；torch {torch}；{mode}",
           devices=", ".join(facts.devices), cuda=cuda, seed=facts.seed, digest=facts.digest,
           torch=facts.torch_version, mode=sandbox_line(facts)),
    ] + ([memory] if memory else []) + facts.notes
    return [part for line in lines for part in fit(line, columns, hang=2)]
