"""Sandbox levels: how the isolated worker is walled off from the grader (Linux).

``bwrap``: bubblewrap gives the worker no network, its own PID namespace (all it
starts dies with it), an unprivileged user namespace with no capabilities, and a
read-only view of only what it needs (the Python installation, the package, the
kata files, the data folder); its scratch folder is its cwd, HOME and TMPDIR,
and ``/tmp`` is private.  ``user``: where bwrap cannot work and we are root, the
learner processes run as a uid nothing else uses, in their own session, under
rlimits, and every process of that uid is killed at the end.  ``none``: own
session and rlimits only.  ``auto`` takes the strongest that works here.

This module builds commands and process settings; ``worker`` runs them.
"""

from __future__ import annotations

import functools
import glob
import os
import shutil
import site
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pytest_torchkata.i18n import Text
from pytest_torchkata.sandbox.processes import kill_uid, uids_in_use

LEVELS = ("auto", "bwrap", "user", "none")
NPROC = 64            # processes per learner uid (user level)
FSIZE = 256 << 20     # largest file a learner process may write
NOFILE = 256
UID_RANGE = range(61_000, 65_000)

WEAK_NOTE = Text("sandbox level none does not stop a determined student; for grading untrusted code "
                 "install bubblewrap (apt-get install bubblewrap) or run the grader as root "
                 "(--kata-sandbox user)",
                 "沙箱级别 none 挡不住有心的学生；评分不可信的代码时，请安装 bubblewrap"
                 "（apt-get install bubblewrap），或者以 root 运行评分程序（--kata-sandbox user）")
SUMMARY = {
    "bwrap": Text("bwrap (no network, own PID namespace, read-only view of what it needs)",
                  "bwrap（没有网络，独立的 PID 命名空间，只读地看到它需要的文件）"),
    "user": Text("user (unprivileged uid {uid}, rlimits, its processes killed at the end)",
                 "user（无特权的 uid{uid}，资源限制，结束时杀掉它的所有进程）"),
    "none": Text("none (own session and rlimits only)", "none（只有独立的会话和资源限制）"),
}


# What learner processes inherit of the grader's environment: what torch, NumPy and the C
# library need to run and to find a GPU; nothing else.
ENV_KEPT = ("PATH", "LANG", "LANGUAGE", "TZ", "TERM", "LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES",
            "CUDA_DEVICE_ORDER", "NVIDIA_VISIBLE_DEVICES", "NVIDIA_DRIVER_CAPABILITIES",
            "PYTORCH_CUDA_ALLOC_CONF", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
ENV_KEPT_PREFIXES = ("LC_",)


class LevelUnavailable(Exception):
    """A forced level cannot work on this machine; the message says why."""


@functools.lru_cache(maxsize=None)
def bwrap_problem() -> str:
    """Why bubblewrap cannot sandbox here ("" when it can); probed once, quickly."""
    exe = shutil.which("bwrap")
    if exe is None:
        return "bubblewrap (bwrap) is not installed"
    try:
        proc = subprocess.run(
            [exe, "--unshare-all", "--unshare-user", "--die-with-parent", "--ro-bind", "/", "/", "true"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bwrap could not run: {exc}"
    if proc.returncode != 0:
        why = proc.stderr.decode(errors="replace").strip().splitlines()
        return f"bwrap cannot create namespaces here ({why[-1] if why else proc.returncode})"
    return ""


def user_problem() -> str:
    if not hasattr(os, "setuid"):
        return "this system has no user ids"
    if os.geteuid() != 0:
        return "the grader is not running as root, so it cannot switch to another user"
    return ""


# Imported by the zygote at the user level: a child running as the learner's uid may not be
# able to read the Python installation, and these are imported lazily by common code.
USER_PRELOAD = ("torch.utils.serialization", "torchvision.datasets", "torchvision.transforms",
                "torch.utils.data", "torch.distributions", "torch.func", "encodings.hex_codec",
                "encodings.base64_codec", "encodings.latin_1", "encodings.ascii", "encodings.utf_16",
                "encodings.punycode", "gzip", "zipfile", "tarfile", "urllib.request", "hashlib", "pickle", "PIL.Image",
                "PIL.ImageFile", "PIL.PngImagePlugin")


def private_python() -> str:
    """A folder of the Python installation that other users cannot enter ("" if none)."""
    for top in {sys.prefix, *site.getsitepackages()}:
        path = Path(top).resolve()
        for folder in [*reversed(path.parents), path]:
            try:
                if not folder.stat().st_mode & 0o001:
                    return str(folder)
            except OSError:
                return str(folder)
    return ""


def problem(level: str) -> str:
    return {"bwrap": bwrap_problem, "user": user_problem, "none": lambda: ""}[level]()


def choose(requested: str) -> str:
    """The level to use: ``requested``, or for ``auto`` the strongest that works here."""
    if requested == "auto":  # user only where its uid can read the Python installation
        return next(level for level in ("bwrap", "user", "none")
                    if not problem(level) and not (level == "user" and private_python()))
    why = problem(requested)
    if why:
        raise LevelUnavailable(f"--kata-sandbox {requested} cannot work here: {why}")
    return requested


def free_uid() -> int:
    """A uid that no account and no running process has."""
    import pwd

    taken = {p.pw_uid for p in pwd.getpwall()} | uids_in_use()
    start = UID_RANGE.start + os.getpid() % 1000 * 3
    for uid in list(range(start, UID_RANGE.stop)) + list(UID_RANGE):
        if uid not in taken:
            return uid
    raise LevelUnavailable("no free user id for the learner processes")


# Every folder a fresh uid can write to on a Debian/Ubuntu system (``find / -perm -0002 -type d``):
# what a learner uid wrote anywhere is below one of these, or in its scratch folder.
WORLD_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm", "/dev/mqueue", "/run/lock", "/var/lock", "/var/crash",
                  "/var/mail", "/var/spool/mail")


def remove_files_of(uid: int, folders: tuple[str, ...] = WORLD_WRITABLE) -> None:
    """Delete what ``uid`` left in the world-writable folders."""
    for top in folders:
        for root, dirs, files in os.walk(top, topdown=False):
            for name in files + dirs:
                path = os.path.join(root, name)
                try:
                    if os.lstat(path).st_uid == uid:
                        (os.rmdir if name in dirs and not os.path.islink(path) else os.unlink)(path)
                except OSError:
                    continue


def empty_folder(folder: str | Path) -> None:
    """Remove everything inside ``folder`` but keep the folder itself (a bind mount points at it)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
        except OSError:
            pass


@dataclass
class Plan:
    """How to start one worker at one level."""

    level: str
    scratch: str
    visible: list[str] = field(default_factory=list)   # read-only inside bwrap
    uid: int | None = None                              # user level: the learner uid
    hidden: list[str] = field(default_factory=list)    # folders learner code must not read

    @classmethod
    def make(cls, level: str, visible: list[str], hidden: list[str] | None = None) -> "Plan":
        scratch = tempfile.mkdtemp(prefix="torchkata-scratch-")
        plan = cls(level, scratch, [p for p in dict.fromkeys(visible) if p and os.path.exists(p)])
        # a folder of references that holds what this run grades (--kata-dir=solutions) stays
        plan.hidden = [h for h in dict.fromkeys(reference_folders() if hidden is None else hidden)
                       if os.path.isdir(h) and not any(_inside(v, h) for v in plan.visible)]
        if level == "user":
            plan.uid = free_uid()
            os.chown(scratch, plan.uid, plan.uid)
        os.chmod(scratch, 0o700)
        return plan

    def describe(self) -> str:
        return SUMMARY[self.level].format(uid=self.uid)

    def argv(self, inner: list[str]) -> list[str]:
        if self.level != "bwrap":
            return inner
        args = ["bwrap", "--die-with-parent", "--new-session",
                "--unshare-user", "--uid", "65534", "--gid", "65534", "--cap-drop", "ALL",
                "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
        for system in ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin"):
            if os.path.islink(system):
                args += ["--symlink", os.readlink(system), system]
            else:
                args += ["--ro-bind-try", system, system]
        for etc in ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "passwd", "group", "nsswitch.conf",
                    "localtime", "alternatives"):
            args += ["--ro-bind-try", f"/etc/{etc}", f"/etc/{etc}"]
        for dev in sorted(glob.glob("/dev/nvidia*")):  # CUDA cases on a machine with a GPU
            args += ["--dev-bind", dev, dev]
        for path in self.visible:
            args += ["--ro-bind", path, path]
        for path in self.hidden:  # the references: an empty, read-only folder in their place
            args += ["--tmpfs", path, "--remount-ro", path]
        args += ["--bind", self.scratch, self.scratch, "--chdir", self.scratch,
                 "--setenv", "HOME", self.scratch, "--setenv", "TMPDIR", "/tmp"]
        return args + ["--", *inner]

    def env(self, base: dict[str, str]) -> dict[str, str]:
        """The learner processes' environment: an allow-list, never the grader's own (a grading
        job's tokens and secrets, the seed, the report's path stay out)."""
        kept = {name: value for name, value in base.items()
                if name in ENV_KEPT or name.startswith(ENV_KEPT_PREFIXES)}
        return dict(kept, PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1", OMP_NUM_THREADS="1",
                    MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", HOME=self.scratch,
                    TMPDIR=self.scratch if self.level != "bwrap" else "/tmp")

    def close(self) -> None:
        if self.uid is not None:
            kill_uid(self.uid)
            remove_files_of(self.uid)
        shutil.rmtree(self.scratch, ignore_errors=True)


def _inside(path: str, folder: str) -> bool:
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def reference_folders(modules: "list[str] | tuple[str, ...]" = ()) -> list[str]:
    """The folders holding the reference solutions, hidden from learner code at the ``bwrap``
    and ``user`` levels: the wheel's ``_solutions``, a source checkout's ``solutions/``, and
    the ``solutions/`` folder beside each of ``modules`` (a kata pack keeps its references
    beside its kata's ``tasks.py`` and ``world.py``), found without importing them."""
    import pytest_torchkata

    package = Path(pytest_torchkata.__file__).resolve().parent
    found = [package / "_solutions"]
    if (package.parent / "pyproject.toml").is_file():  # a source checkout (an editable install)
        found.append(package.parent / "solutions")
    found += [Path(origin).resolve().parent / "solutions" for origin in map(_module_file, modules) if origin]
    return [str(p) for p in dict.fromkeys(found) if p.is_dir()]


def _module_file(name: str) -> str | None:
    """The source file of module ``name``, found without importing it (None: none found)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    return spec.origin if spec is not None and spec.origin and os.path.isfile(spec.origin) else None


def data_views_root() -> Path:
    """The one folder of data a learner process may read: katas write their learner's views
    of data sets here (the MNIST training split, say), and the sandbox binds it read-only
    (what is written after the bind is seen through it)."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    root = Path(tempfile.gettempdir()) / f"torchkata-views-{uid}"
    root.mkdir(mode=0o755, exist_ok=True)
    return root


def python_visible() -> list[str]:
    """What the worker needs to see to run Python, torch and this package."""
    import pytest_torchkata

    paths = [sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))]
    paths += site.getsitepackages() + [site.getusersitepackages()]
    paths.append(str(Path(pytest_torchkata.__file__).resolve().parent))
    return paths


def learner_side(names: list[str]) -> list[str]:
    """What the zygote preloads for these check modules: each kata's learner-side module
    ``world`` beside its ``tasks`` (the checks themselves, pytest and the grader code then
    never enter a learner process), else the module itself; and ``gradprobe``."""
    import importlib.util

    found = []
    for name in names:
        package, _, last = name.rpartition(".")
        world = f"{package}.world" if package and last == "tasks" else ""
        try:
            found.append(world if world and importlib.util.find_spec(world) is not None else name)
        except (ImportError, ValueError):
            found.append(name)
    return found + ["pytest_torchkata.sandbox.gradprobe"]


def module_files(names: list[str]) -> list[str]:
    """The files (or package folders) of modules the worker preloads, found without importing."""
    import importlib.util

    found = []
    for name in names:
        origin = _module_file(name)
        if origin is None:
            continue
        top = importlib.util.find_spec(name.split(".")[0])
        if top is not None and top.submodule_search_locations:
            found += list(top.submodule_search_locations)
        else:
            found.append(origin)
    return found
