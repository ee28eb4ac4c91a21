"""Submissions of a class: finding them, unpacking them safely, and fingerprinting them.

A submission is a folder (holding ``katas/`` or the kata files directly) or a
``.zip`` / ``.tar.gz`` archive; a folder of those is a class, one per student,
named after the folder or archive.  Archives are unpacked by hand, member by
member: no absolute paths, no ``..``, no links of any kind, and caps on the
number of files and on the bytes actually written (a zip's sizes can lie).
Only the kata files (``NAME.py``, or ``NAME.ipynb``: regular files) are copied into the
neutral work folder the grader runs in, at the same place relative to the submission,
so messages show paths as the student knows them; the plugin converts a notebook there
(``plugin.notebooks``: parsing only, no kernel).  A notebook over the notebook size cap is
not read: the work folder gets an empty file of its size, which the plugin refuses by its
size for that kata alone.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import tarfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Callable, Iterator

ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz", ".tar")
MAX_FILES = 5_000
MAX_BYTES = 200 * 2**20  # unpacked, per archive
MAX_KATA_FILE = 5 * 2**20
KATA_SUFFIXES = (".py", ".ipynb")  # a notebook counts where there is no NAME.py (plugin.notebooks)
SEARCH_DEPTH = 4


class Refused(Exception):
    """The submission cannot be graded as given; the message says why, for the gradebook."""


@dataclass
class Submission:
    name: str
    source: Path
    # filled by prepare()
    kata_rel: str = "."
    files: dict[str, bytes] = field(default_factory=dict)
    problem: str = ""
    refused: bool = False
    oversize: dict[str, int] = field(default_factory=dict)  # notebooks refused by size: name -> bytes


def is_archive(path: Path) -> bool:
    return path.is_file() and path.name.lower().endswith(ARCHIVE_SUFFIXES)


def stem(path: Path) -> str:
    name = path.name
    for suffix in ARCHIVE_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def safe_name(text: str) -> str:
    """``text`` as a folder name and a gradebook cell: letters, digits and ``_.@+-`` (any
    script), no run of dots, not starting with a dot or a character a spreadsheet reads
    as a formula; at most 80 characters and 200 bytes; never empty."""
    name = re.sub(r"[^\w.@+-]+", "_", unicodedata.normalize("NFC", text))
    name = re.sub(r"\.{2,}", ".", name).lstrip("._@+-")[:80]
    while len(name.encode("utf-8", "surrogatepass")) > 200:
        name = name[:-1]
    return name.rstrip("._") or "student"


def unique_names(names: list[str], reserved: tuple[str, ...] = ()) -> list[str]:
    """``names`` made unique, letter case aside (some file systems ignore it): a name given
    once keeps it; a name given again becomes NAME-2, NAME-3, ..., the first that no
    submission is named and no ``reserved`` name (the class's own files) is."""
    taken = {n.casefold() for n in [*names, *reserved]}
    used = {n.casefold() for n in reserved}
    counters: dict[str, int] = {}
    unique = []
    for name in names:
        if name.casefold() not in used:
            used.add(name.casefold())
            unique.append(name)
            continue
        count = counters.get(name.casefold(), 1)
        while True:
            count += 1
            candidate = f"{name}-{count}"
            if candidate.casefold() not in taken:
                break
        counters[name.casefold()] = count
        taken.add(candidate.casefold())
        used.add(candidate.casefold())
        unique.append(candidate)
    return unique


def holds_katas(folder: Path, kata_names: list[str]) -> bool:
    """Whether ``folder`` is one submission (its own kata files or a katas/ folder)."""
    return (folder / "katas").is_dir() or any((folder / f"{n}{suffix}").is_file()
                                              for n in kata_names for suffix in KATA_SUFFIXES)


def discover(paths: list[Path], kata_names: list[str], single: bool = False,
             exclude: Path | None = None) -> list[Submission]:
    """The submissions named on the command line; a folder of submissions counts as many
    (unless ``single``: then every path is one submission).  ``exclude`` (the output
    folder) is never a submission."""
    found: list[Submission] = []
    skip = exclude.resolve() if exclude is not None else None
    for path in paths:
        if is_archive(path) or (path.is_dir() and (single or holds_katas(path, kata_names))):
            found.append(Submission(safe_name(stem(path.resolve())), path))
        elif path.is_dir():
            children = sorted(p for p in path.iterdir() if not p.name.startswith(".")
                              and (p.is_dir() or is_archive(p)) and p.resolve() != skip)
            if not children:
                raise Refused(f"{path} holds no submissions: no kata files, no katas/ folder, "
                              f"no student folders or archives")
            found.extend(Submission(safe_name(stem(c)), c) for c in children)
        else:
            raise Refused(f"{path} is neither a folder nor a .zip/.tar.gz archive")
    from pytest_torchkata.cli.manifest import MANIFEST_NAME
    from pytest_torchkata.reports.classbook import CLASS_FILES

    # two "alice" folders in two sections stay apart; no student is named "gradebook.csv"
    for sub, name in zip(found, unique_names([sub.name for sub in found], (*CLASS_FILES, MANIFEST_NAME))):
        sub.name = name
    return found


# -- unpacking ------------------------------------------------------------------

def _members_zip(path: Path) -> Iterator[tuple[str, bool, Callable[[], IO[bytes]]]]:
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise Refused(f"the archive holds a link ({info.filename}); links are not accepted")
            yield info.filename, info.is_dir(), (lambda info=info: zf.open(info))


def _members_tar(path: Path) -> Iterator[tuple[str, bool, Callable[[], IO[bytes]]]]:
    with tarfile.open(path) as tf:
        for member in tf:
            if member.issym() or member.islnk():
                raise Refused(f"the archive holds a link ({member.name}); links are not accepted")
            if not (member.isfile() or member.isdir()):
                continue  # devices, fifos: nothing a kata needs
            yield member.name, member.isdir(), (lambda m=member: tf.extractfile(m))  # type: ignore[misc]


def unpack(archive: Path, dest: Path) -> None:
    """Unpack ``archive`` into ``dest`` safely, or raise Refused saying why."""
    members = _members_zip if archive.name.lower().endswith(".zip") else _members_tar
    written = count = 0
    try:
        for name, is_dir, opener in members(archive):
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if not parts or name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
                raise Refused(f"the archive holds an unsafe path ({name!r}); paths must stay inside it")
            count += 1
            if count > MAX_FILES:
                raise Refused(f"the archive holds more than {MAX_FILES} files")
            target = dest.joinpath(*parts)
            if is_dir:
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with opener() as src, open(target, "wb") as out:
                while chunk := src.read(1 << 16):
                    written += len(chunk)
                    if written > MAX_BYTES:
                        raise Refused(f"the archive unpacks to more than {MAX_BYTES // 2**20} MB")
                    out.write(chunk)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as exc:
        raise Refused(f"the archive could not be opened: {exc}") from None


# -- the kata files ---------------------------------------------------------------

def find_kata_folder(root: Path, kata_names: list[str]) -> Path | None:
    """The folder under ``root`` holding kata files: a ``katas/`` folder first, nearest first."""
    level = [root]
    for _ in range(SEARCH_DEPTH):
        for folder in level:
            if (folder / "katas").is_dir() and not (folder / "katas").is_symlink() \
                    and _any_kata_file(folder / "katas", kata_names):
                return folder / "katas"
        for folder in level:
            if _any_kata_file(folder, kata_names):
                return folder
        level = sorted(c for f in level for c in f.iterdir()
                       if c.is_dir() and not c.is_symlink() and not c.name.startswith(("_", ".")))
    return None


def _any_kata_file(folder: Path, kata_names: list[str]) -> bool:
    return any(_regular(folder / f"{n}{suffix}") for n in kata_names for suffix in KATA_SUFFIXES)


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)  # a link is not a kata file
    except OSError:
        return False


def prepare(sub: Submission, staging: Path, kata_names: list[str]) -> None:
    """Read the submission's kata files into ``sub.files`` (unpacking an archive into
    ``staging``); a problem is noted on ``sub``, never raised."""
    try:
        root = sub.source
        if is_archive(sub.source):
            root = staging / "unpacked"
            root.mkdir(parents=True, exist_ok=True)
            unpack(sub.source, root)
        folder = find_kata_folder(root, kata_names)
        if folder is None:
            sub.problem = (f"no kata files found (looked for {', '.join(f'{n}.py' for n in kata_names)} "
                           f"and the same names in .ipynb, also in a katas/ folder)")
            return
        sub.kata_rel = os.path.relpath(folder, root)
        for name in kata_names:
            path = folder / f"{name}.py"
            if _regular(path):
                if path.stat().st_size > MAX_KATA_FILE:
                    raise Refused(f"{name}.py is larger than {MAX_KATA_FILE // 2**20} MB")
                sub.files[f"{name}.py"] = path.read_bytes()
            _take_notebook(sub, folder / f"{name}.ipynb")
    except Refused as exc:
        sub.problem, sub.refused = str(exc), True
    finally:
        shutil.rmtree(staging / "unpacked", ignore_errors=True)


def _take_notebook(sub: Submission, path: Path) -> None:
    """A kata notebook: its bytes, or only its size when it is over the cap (never read)."""
    from pytest_torchkata.notebook.convert import MAX_BYTES as NOTEBOOK_CAP

    if not _regular(path):
        return
    size = path.stat().st_size
    if size > NOTEBOOK_CAP:
        sub.files[path.name], sub.oversize[path.name] = b"", size
    else:
        sub.files[path.name] = path.read_bytes()


def fingerprint(sub: Submission, options: list[str]) -> str:
    """What decides a grade: the kata files, where they sit, the options and the tool's version."""
    from pytest_torchkata import __version__

    digest = hashlib.sha256(f"{__version__}\0{sub.kata_rel}\0{sub.problem}\0".encode())
    digest.update("\0".join(options).encode())
    for name in sorted(sub.files):
        digest.update(f"\0{name}\0{len(sub.files[name])}\0".encode())
        if name in sub.oversize:
            digest.update(f"oversize {sub.oversize[name]}\0".encode())
        digest.update(sub.files[name])
    return digest.hexdigest()


def lay_out(sub: Submission, work: Path) -> Path:
    """Write the kata files into ``work`` where they sat in the submission; the kata folder."""
    folder = (work / sub.kata_rel).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in sub.files.items():
        (folder / name).write_bytes(data)
        if name in sub.oversize:  # sparse: its size alone says why its kata is not graded
            with open(folder / name, "r+b") as fh:
                fh.truncate(sub.oversize[name])
    return folder
