"""What a grading run was (``manifest.json`` beside its gradebook), and the digests that say so.

``torchkata grade`` writes the manifest at the end of every run: the tool's version, the
options that decide a grade (``options``, and their digest), the seed's digest (never
the seed), a digest of each kata's checks, the shard and the whole class it was cut from,
the students it holds, timings and the machine it ran on.  ``torchkata merge`` compares
manifests before it puts shards together; the per-student cache (``grade.json``) keys
a grade by the same digests, so a changed check is noticed.

A kata's checks are its checks module and the files beside it (``tasks.py``, ``grader.py``,
``world.py``, ``hints.py``; not a pack's ``reference.py``), with every module of its kata
package they import, followed through their own imports (``katas/common/...`` for the
built-in katas).  Found and read as files: a kata module imported here, before the grading
children fork, would escape pytest's assertion rewriting in them.
"""

from __future__ import annotations

import ast
import datetime
import hashlib
import importlib.util
import json
import os
import platform
import shutil
import socket
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pytest_torchkata.i18n import tr

MANIFEST_NAME = "manifest.json"
FORMAT = 1
SEED_FLAG = "--kata-seed"
# options that do not change a grade (where the data lies on this machine), or that grade sets itself
NOT_COMPARED = ("--kata-data", "--kata-dir", "--kata-report", "--kata-report-format", "--kata-list",
                "--kata-isolate", "--kata", SEED_FLAG)


class ManifestProblem(Exception):
    """A manifest that is missing or cannot be read; the message says which and why."""


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def seed_value(passthrough: list[str], environ: Mapping[str, str] = os.environ) -> int:
    """The seed every grading run will use: ``--kata-seed``, else ``TORCHKATA_SEED``, else 0
    (as the plugin resolves it; the grading runs have no ini file)."""
    from pytest_torchkata.plugin.options import OPTIONS

    env = next(o.env for o in OPTIONS if o.flag == SEED_FLAG) or ""
    raw, where = "0", ""
    for token in passthrough:
        if token.startswith(SEED_FLAG + "="):
            raw, where = token.split("=", 1)[1], SEED_FLAG
    if not where and environ.get(env, "").strip():
        raw, where = environ[env], env
    try:
        value = int(raw.strip())
        if value < 0:
            raise ValueError
    except ValueError:
        raise ManifestProblem(tr("{where}: {raw!r} is not a whole number of 0 or more",
                                 "{where}：{raw!r} 不是大于等于 0 的整数", where=where, raw=raw)) from None
    return value


def grading_options(names: list[str], passthrough: list[str], limit: float,
                    environ: Mapping[str, str] = os.environ) -> list[str]:
    """The options that decide a grade, in a fixed order: the katas, every ``--kata-*`` option
    given or set in the environment (which the grading runs inherit), the limit.  Leaves
    out the seed (its digest is kept apart) and where the data lies."""
    from pytest_torchkata.plugin.options import OPTIONS

    given = {t.split("=", 1)[0]: t for t in passthrough}
    chosen = [f"--kata={','.join(names)}"]
    for opt in OPTIONS:
        if opt.flag in NOT_COMPARED:
            continue
        if opt.flag in given:
            chosen.append(given[opt.flag])
        elif opt.env and environ.get(opt.env, "").strip():
            chosen.append(f"{opt.flag}={environ[opt.env].strip()}" if opt.kind != "bool" else
                          f"{opt.flag}={environ[opt.env].strip().lower()}")
    return [*chosen, f"--limit={limit:g}"]


# -- a kata's checks, as files ------------------------------------------------------

def _module_file(module: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    return Path(spec.origin).resolve() if spec is not None and spec.origin else None


def _imports(path: Path, package: str) -> list[str]:
    """The dotted names ``path`` (in ``package``) imports, a ``from A import b`` as A and A.b."""
    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{parent}.{base}".strip(".")
            found.append(base)
            found.extend(f"{base}.{alias.name}" for alias in node.names)
    return found


def check_files(module: str) -> list[Path]:
    """The files of a kata's checks (module docstring), sorted; [] when the module is not found."""
    path = _module_file(module)
    if path is None:
        return []
    parts = module.split(".")
    own = [path]
    if parts[-1] == "tasks":  # a kata folder: the files beside tasks.py are the kata's too
        own = sorted(p for p in path.parent.glob("*.py") if p.name != "reference.py")
    root_package = ".".join(parts[:-2] if parts[-1] == "tasks" and len(parts) > 2 else parts[:-1]) or parts[0]
    root = _module_file(root_package)
    root_folder = root.parent if root is not None and root.name == "__init__.py" else path.parent
    seen = {p: None for p in own}
    queue = list(own)
    while queue:
        current = queue.pop()
        relative = current.relative_to(root_folder).with_suffix("") if current.is_relative_to(root_folder) else None
        if relative is None:
            continue
        package = ".".join([root_package, *relative.parts])
        if current.name != "__init__.py":
            package = package.rsplit(".", 1)[0]
        for name in _imports(current, package):
            if not name.startswith(root_package + "."):
                continue
            steps = name[len(root_package) + 1:].split(".")
            for depth in range(1, len(steps) + 1):  # the packages on the way run too
                target = root_folder.joinpath(*steps[:depth])
                for candidate in (target.with_suffix(".py"), target / "__init__.py"):
                    if candidate.is_file() and candidate not in seen:
                        seen[candidate] = None
                        queue.append(candidate)
    return sorted(seen)


def checks_digests(names: list[str]) -> dict[str, str]:
    """A digest of each kata's checks (its files' names and bytes); "" for a kata whose
    files are not found."""
    from pytest_torchkata.registry import installed

    registry = installed()
    digests = {}
    for name in names:
        files = check_files(registry.module_name(name))
        if not files:
            digests[name] = ""
            continue
        base = files[0].parent
        h = hashlib.sha256()
        for path in files:
            h.update(f"{os.path.relpath(path, base)}\0".encode())
            h.update(path.read_bytes())
            h.update(b"\0")
        digests[name] = h.hexdigest()[:16]
    return digests


# -- the manifest --------------------------------------------------------------------

def device() -> dict[str, Any]:
    """The machine a run graded on.  The GPUs come from nvidia-smi, never from torch here:
    CUDA started in this process would not survive the grading children's fork."""
    gpus: list[str] = []
    smi = shutil.which("nvidia-smi")
    if smi:
        try:
            listed = subprocess.run([smi, "--query-gpu=name", "--format=csv,noheader"], check=False,
                                    capture_output=True, text=True, timeout=10)
            gpus = [line.strip() for line in listed.stdout.splitlines() if line.strip()]
        except (OSError, subprocess.SubprocessError):
            pass
    return {"host": socket.gethostname(), "platform": platform.platform(), "python": platform.python_version(),
            "cpus": os.cpu_count() or 0, "gpus": gpus}


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def build(*, names: list[str], options: list[str], seed_digest: str, checks: dict[str, str],
          shard: Any, klass: list[str], students: list[str], graded: list[str], started: str,
          seconds: float, per_student: dict[str, float], torch_version: str = "") -> dict[str, Any]:
    from pytest_torchkata import __version__

    return {
        "format": FORMAT, "tool_version": __version__, "torch_version": torch_version,
        "katas": names, "options": options, "options_digest": digest("\0".join(options)),
        "seed_digest": seed_digest, "checks": checks,
        "shard": None if shard is None else {"index": shard.index, "count": shard.count, "source": shard.source},
        "class": klass, "students": students, "graded_now": graded,
        "timings": {"started": started, "finished": now(), "seconds": round(seconds, 1),
                    "per_student": per_student},
        "device": device(),
    }


def write(out: Path, manifest: dict[str, Any]) -> None:
    from pytest_torchkata.reports.formats import write_json

    write_json(out / MANIFEST_NAME, manifest)


def read(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST_NAME
    if not path.is_file():
        raise ManifestProblem(tr("{folder} has no {name}: it is not the output of torchkata grade, or its "
                                 "grading did not finish (run that shard again; it grades only what is missing)",
                                 "{folder} 里没有 {name}：它不是 torchkata grade 的输出，或者它的评分没有完成"
                                 "（请重新运行这个分片；它只给还没评分的提交评分）", folder=folder, name=MANIFEST_NAME))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a manifest of this format")
    except (OSError, ValueError) as exc:
        raise ManifestProblem(tr("{path} cannot be read: {error}", "无法读取 {path}：{error}",
                                 path=path, error=exc)) from None
    return data
