"""``torchkata gradescope DIR``: a Gradescope autograder (folder and zip), and
``torchkata gradescope-run``, what its ``run_autograder`` calls for each submission.

The zip holds ``setup.sh`` (installs the plugin from the wheel inside the zip, and
finds the bundled MNIST files), ``run_autograder`` (grades ``ROOT/submission``
into ``ROOT/results/results.json``), ``torchkata-autograder.json`` (katas,
budget, visibility, options) and ``wheels/``.  ROOT is
``$TORCHKATA_AUTOGRADER_ROOT``, by default ``/autograder``.  A results.json is
written whatever happens: when grading fails, and even when Python cannot start.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

CONFIG = "torchkata-autograder.json"
CHECKOUT = Path(__file__).resolve().parents[2]  # the source checkout, when installed from one
DEFAULT_BUDGET_S = 600.0

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, in /autograder/source, to build the autograder image.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v python3 >/dev/null || ! python3 -m pip --version >/dev/null 2>&1; then
  apt-get update && apt-get install -y python3 python3-pip
fi
# bubblewrap: learner code then runs at the strongest sandbox level (the log's header says which)
if ! command -v bwrap >/dev/null 2>&1; then
  (apt-get update && apt-get install -y bubblewrap) || echo "setup.sh: could not install bubblewrap; \
submissions will be graded at a weaker sandbox level (see the grading log's header)"
fi
# an image whose Python is "externally managed" (PEP 668, Ubuntu 24.04 and later) refuses a
# plain pip install as root; this image exists only to grade, so install into it all the same
if python3 -c "import sys, sysconfig, os; sys.exit(not os.path.exists(os.path.join(sysconfig.get_path('stdlib'), 'EXTERNALLY-MANAGED')))"; then
  export PIP_BREAK_SYSTEM_PACKAGES=1
fi
{torch}python3 -m pip install {pip_args} wheels/*.whl
# the reference solutions stay out of the grading image (learner code can read what is
# installed at some sandbox levels), and so does the wheel that holds them
python3 -c "import pathlib, shutil, pytest_torchkata; \
shutil.rmtree(pathlib.Path(pytest_torchkata.__file__).parent / '_solutions', ignore_errors=True)"
rm -rf wheels
"""
# Gradescope's machines have no GPU, and a whole isolated run with the CUDA build of torch needs
# about 1 GB where the CPU-only build needs about 640 MB (Gradescope's default is 768 MB).
CPU_TORCH_INDEX = "https://download.pytorch.org/whl/cpu"
TORCH_BUILDS = {
    "cpu": f"# the CPU-only build of torch first: it fits a 768 MB container, the CUDA build does not\n"
           f"python3 -m pip install {{pip_args}} torch torchvision --index-url {CPU_TORCH_INDEX}\n",
    "pypi": "",  # whatever pip resolves for torch>=2.1 (a CUDA build on Linux)
}

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission. It always leaves a results.json.
ROOT="${TORCHKATA_AUTOGRADER_ROOT:-/autograder}"
PYTHON="${TORCHKATA_PYTHON:-python3}"
mkdir -p "$ROOT/results"
"$PYTHON" -m pytest_torchkata.cli gradescope-run --root "$ROOT"
if [ ! -s "$ROOT/results/results.json" ]; then
  cat > "$ROOT/results/results.json" <<'JSON'
{"score": 0, "execution_time": 0, "output": "The autograder could not start, so this submission has no grade yet. Please tell your instructor.", "output_format": "md", "visibility": "visible", "stdout_visibility": "hidden", "tests": []}
JSON
fi
exit 0
"""


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("gradescope", help="write a Gradescope autograder folder and zip",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dir", type=Path, metavar="DIR", help="where DIR/autograder/ and DIR/autograder.zip go")
    p.add_argument("--kata", default="all", metavar="NAMES", help="katas to grade: NAME[,NAME...] or all")
    p.add_argument("--budget", type=float, default=DEFAULT_BUDGET_S, metavar="SECONDS",
                   help=f"time for grading one submission (default {DEFAULT_BUDGET_S:g}; keep it under "
                        f"the assignment's autograder timeout)")
    p.add_argument("--bundle-data", type=Path, default=None, metavar="PATH",
                   help="a folder holding MNIST/raw/ to ship in the zip (else MNIST data tasks are skipped)")
    p.add_argument("--visibility", action="append", default=[], metavar="[KATA[.TASK]=]WHEN",
                   help="when students see results: visible, after_published, after_due_date or hidden; "
                        "for everything, a kata or one task (repeat the option)")
    p.add_argument("--pip-args", default="", metavar="ARGS",
                   help="extra arguments for pip in setup.sh (an index for CPU-only torch, say)")
    p.add_argument("--torch", choices=sorted(TORCH_BUILDS), default="cpu",
                   help="which torch setup.sh installs: cpu (default: the CPU-only build, which fits "
                        "Gradescope's 768 MB) or pypi (what pip resolves, a CUDA build on Linux)")
    p.add_argument("--wheel", type=Path, default=None, metavar="PATH",
                   help="ship this wheel of pytest-torchkata (default: build one from this checkout)")
    p.set_defaults(run=build)
    r = sub.add_parser("gradescope-run", help="(inside the autograder) grade ROOT/submission")
    r.add_argument("--root", type=Path, default=None, help="default: $TORCHKATA_AUTOGRADER_ROOT or /autograder")
    r.set_defaults(run=run)


def parse_visibility(specs: list[str]) -> dict[str, str]:
    from pytest_torchkata.reports.formats import VISIBILITIES

    rules: dict[str, str] = {}
    for spec in specs:
        where, _, when = spec.rpartition("=")
        if when not in VISIBILITIES:
            raise ValueError(f"--visibility {spec!r}: {when!r} is not one of {', '.join(VISIBILITIES)}")
        rules[where] = when
    return rules


def _wheel(dest: Path, given: Path | None) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    if given is not None:
        return Path(shutil.copy(given, dest))
    if not (CHECKOUT / "pyproject.toml").is_file():
        raise ValueError("this installation is not a source checkout; pass --wheel PATH "
                         "(a pytest_torchkata wheel, e.g. the one you installed from)")
    from hatchling.build import build_wheel  # the build backend named in pyproject.toml

    here = Path.cwd()
    os.chdir(CHECKOUT)
    try:
        return dest / build_wheel(str(dest))
    finally:
        os.chdir(here)


def _mnist_raw(path: Path) -> Path:
    for candidate in (path / "MNIST" / "raw", path / "raw", path):
        if candidate.is_dir() and any(candidate.glob("*-ubyte*")):
            return candidate
    raise ValueError(f"--bundle-data {path}: no MNIST/raw/ folder with the MNIST files there")


def build(args: argparse.Namespace, passthrough: list[str]) -> int:
    from pytest_torchkata.cli.grade import UsageProblem, kata_names
    from pytest_torchkata.reports.formats import write_json

    folder = args.dir / "autograder"
    try:
        names = kata_names(args.kata)
        visibility = parse_visibility(args.visibility)
        if folder.exists():
            shutil.rmtree(folder)
        wheel = _wheel(folder / "wheels", args.wheel)
        data = None
        if args.bundle_data is not None:
            shutil.copytree(_mnist_raw(args.bundle_data), folder / "data" / "MNIST" / "raw")
            data = "data"
    except (ValueError, OSError, UsageProblem) as exc:
        print(f"torchkata gradescope: {exc}", file=sys.stderr)
        return 2
    write_json(folder / CONFIG, {"katas": names, "budget": args.budget, "options": passthrough,
                                 "visibility": visibility, "data": data, "stdout_visibility": "hidden"})
    torch = TORCH_BUILDS[args.torch].format(pip_args=args.pip_args)
    for name, text in (("setup.sh", SETUP_SH.format(pip_args=args.pip_args, torch=torch)),
                       ("run_autograder", RUN_AUTOGRADER)):
        (folder / name).write_text(text, encoding="utf-8")
        (folder / name).chmod(0o755)
    archive = args.dir / "autograder.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                info = zipfile.ZipInfo(str(path.relative_to(folder)))
                info.external_attr = (0o755 if os.access(path, os.X_OK) else 0o644) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, path.read_bytes())
    print(f"torchkata gradescope: wrote {archive} ({wheel.name}"
          f"{', MNIST data' if data else ''}); upload it as the assignment's autograder")
    if "mnist" in names and not data:
        print("torchkata gradescope: no --bundle-data: the MNIST data tasks will be skipped there")
    return 0


def _supports(flag: str) -> bool:
    from pytest_torchkata.plugin.options import OPTIONS

    return any(opt.flag == flag for opt in OPTIONS)


def failure_results(text: str, seconds: float) -> dict:
    return {"score": 0.0, "execution_time": int(seconds), "output": text, "output_format": "md",
            "visibility": "visible", "stdout_visibility": "hidden", "tests": []}


def run(args: argparse.Namespace, passthrough: list[str]) -> int:
    """Grade ROOT/submission into ROOT/results/results.json; never fails to write it."""
    from pytest_torchkata.reports.encode import for_terminal
    from pytest_torchkata.reports.formats import gradescope_results, write_json

    root = args.root or Path(os.environ.get("TORCHKATA_AUTOGRADER_ROOT") or "/autograder")
    results = root / "results" / "results.json"
    start = time.monotonic()
    try:
        results_data = _grade(root, passthrough, start, gradescope_results)
    except Exception as exc:  # noqa: BLE001 - the student must still get a results.json
        print(for_terminal(f"torchkata gradescope-run: {type(exc).__name__}: {exc}"))
        results_data = failure_results("The autograder failed while grading this submission, so it has "
                                       "no grade yet. Please tell your instructor.", time.monotonic() - start)
    write_json(results, results_data)
    return 0


def _grade(root: Path, passthrough: list[str], start: float, to_results: Any) -> dict:
    from pytest_torchkata.cli.grade import grade_class
    from pytest_torchkata.i18n import tr
    from pytest_torchkata.reports.encode import for_markdown, for_terminal
    from pytest_torchkata.reports.instructor import in_language

    config_file = root / "source" / CONFIG
    try:  # it may hold the secret seed: the learner's uid (the user sandbox level) reads no more of it
        config_file.chmod(0o600)
    except OSError:
        pass
    config = json.loads(config_file.read_text(encoding="utf-8"))
    options = [*config.get("options", []), *passthrough]
    if config.get("data") and not any(o.startswith("--kata-data=") for o in options):
        options.append(f"--kata-data={root / 'source' / config['data']}")
    budget = float(config.get("budget") or DEFAULT_BUDGET_S)
    limit = budget
    if _supports("--kata-budget") and not any(o.startswith("--kata-budget=") for o in options):
        options.append(f"--kata-budget={budget:g}")
        limit = budget + 60.0  # the plugin stops itself; this only catches a stuck grader
    out = Path(tempfile.mkdtemp(prefix="torchkata-gradescope-"))
    try:
        (row,) = grade_class([root / "submission"], out, config["katas"], options, jobs=1, force=True,
                             limit=limit, progress=False, single=True)
        folder = out / row["student"]
        report = json.loads((folder / "report.json").read_text()) if (folder / "report.json").is_file() else None
        log = folder / "grading.log"  # Gradescope's stdout, plain text
        print(for_terminal(log.read_text(errors="replace")) if log.is_file() else "")
    finally:
        shutil.rmtree(out, ignore_errors=True)
    seconds = time.monotonic() - start
    # what the report cannot tell (a refusal, a run that stopped); the results tell the rest
    with in_language((report or {}).get("language")):
        note = (tr("**Note:** {note}", "**注意**：{note}", note=for_markdown(row["note"])) + "\n\n"
                if row.get("note") else "")
    if report is None:
        return failure_results(note or "This submission could not be graded.", seconds)
    data = to_results(report, visibility=config.get("visibility"), execution_time=seconds,
                      stdout_visibility=config.get("stdout_visibility", "hidden"))
    data["output"] = note + data["output"]
    return data
