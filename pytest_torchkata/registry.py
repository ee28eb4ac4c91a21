"""The kata registry: every kata the installed plugins register through the
``pytest_torchkata_register_katas`` hook, in curriculum order, for the plugin and every
``torchkata`` command alike.

Inside pytest the plugin builds it from pytest's own hook (``from_hook``), so katas a
``conftest.py`` registers count there too.  Outside pytest (``torchkata hint``, ``reset``,
``solution``, ``progress``, ``gen``, ``grade``, the Gradescope and Classroom builders),
``installed()`` builds it from the same ``pytest11`` entry points pytest loads, importing
only the plugins of distributions that depend on pytest-torchkata (a kata pack imports
``Kata`` from it, so it must): importing every pytest plugin installed would be slow, and
one that fails to import would stop every command.  A pack that fails to import is left
out and named in ``problems``.

Curriculum order: the built-in katas first (their hook implementation runs first), then
the katas of packs in the order they registered them.

Where a kata's files are (``files``):

- a built-in kata: its reference is ``solutions/NAME.py`` of the checkout (``_solutions``
  in the wheel), its stubs ``katas/NAME.py`` and ``katas/zh/NAME.py`` (``_stubs`` in the
  wheel; in a checkout they are made from the reference on the spot);
- any other kata (a pack's): in the folder of its checks module ``tasks.py``, the
  reference ``solutions/NAME.py`` and the stubs ``stubs/NAME.py``, ``stubs/zh/NAME.py``
  (written by ``torchkata gen``, with ``stubs/STUBS.sha256``): the built-in layout,
  one kata folder deep.

Imports nothing heavy: a kata module is imported only when a command needs its tasks.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from pytest_torchkata.model import Kata, Registry

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent
BUILTIN_PREFIX = "pytest_torchkata.katas."
HOOK = "pytest_torchkata_register_katas"
DISTRIBUTION = "pytest-torchkata"
ENTRY_POINT_GROUP = "pytest11"
SOLUTIONS = "solutions"  # a pack's references folder (NAME.py), beside its tasks.py
STUBS = "stubs"  # a pack's stubs folder (NAME.py, zh/NAME.py), beside its tasks.py


class UnknownKata(LookupError):
    """No kata of that name is registered; ``names`` holds those that are."""

    def __init__(self, name: str, names: list[str]) -> None:
        super().__init__(name)
        self.name = name
        self.names = names

    def __str__(self) -> str:
        return f"unknown kata {self.name!r}; registered katas: {', '.join(self.names)}"


@dataclass(frozen=True)
class KataFiles:
    """Where a kata's reference solution and learner files (stubs) are.

    ``stubs`` is the folder holding ``NAME.py`` and ``zh/NAME.py`` (as
    ``authoring.stubs.stub_path`` names them); None where the stubs are made from the
    reference on the spot (a built-in kata in a source checkout)."""

    reference: Path
    stubs: Path | None
    builtin: bool


class KataRegistry(Registry):
    """Katas by name in curriculum order, with their files and their successor."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []  # plugins that could not be loaded, one line each
        self.plugins: list[Any] = []  # the pack plugins loaded outside pytest (for grading runs)

    def load_kata(self, name: str) -> Kata:
        """Kata ``name`` (its module imported on first use); ``UnknownKata`` lists the valid names."""
        if name not in self.names():
            raise UnknownKata(name, self.names())
        return self.get(name)

    def next_kata(self, name: str) -> str | None:
        """The kata after ``name``: "" after the last one, None for a name not registered."""
        names = self.names()
        if name not in names:
            return None
        i = names.index(name) + 1
        return names[i] if i < len(names) else ""

    def is_builtin(self, name: str) -> bool:
        return self.module_name(name).startswith(BUILTIN_PREFIX)

    def builtin_names(self) -> list[str]:
        """The built-in katas, in curriculum order (the project's own tests and tables)."""
        return [name for name in self.names() if self.is_builtin(name)]

    def files(self, name: str) -> KataFiles:
        """Where kata ``name``'s reference and stubs are (see the module's docstring)."""
        if self.is_builtin(name):
            shipped = PACKAGE / "_solutions" / f"{name}.py"
            reference = shipped if shipped.is_file() else CHECKOUT / "solutions" / f"{name}.py"
            stubs = PACKAGE / "_stubs"
            return KataFiles(reference, stubs if stubs.is_dir() else None, builtin=True)
        folder = Path(self.load_kata(name).checks_file).resolve().parent
        return KataFiles(folder / SOLUTIONS / f"{name}.py", folder / STUBS, builtin=False)


def from_hook(hook: Any, problems: list[str] | None = None) -> KataRegistry:
    """The registry from a hook relay (pytest's ``config.hook``, or ``plugin_manager().hook``).
    Two katas of one name raise ``ValueError``, or with ``problems`` are noted there (the
    first one registered stays)."""
    registry = KataRegistry()

    def register(kata: Kata | str) -> None:
        try:
            registry.register(kata)
        except ValueError as exc:
            if problems is None:
                raise
            problems.append(str(exc))

    getattr(hook, HOOK)(register=register)
    return registry


def plugin_manager() -> Any:
    """A pluggy manager that knows only the torchkata hooks: it takes their implementations
    with or without ``pytest.hookimpl`` (as pytest does) and ignores every other hook."""
    import inspect

    import pluggy

    from pytest_torchkata.plugin import hookspecs

    class KataPlugins(pluggy.PluginManager):
        def parse_hookimpl_opts(self, plugin: Any, name: str) -> Any:
            if not name.startswith("pytest_torchkata_"):
                return None
            opts = super().parse_hookimpl_opts(plugin, name)
            return {} if opts is None and inspect.isroutine(getattr(plugin, name)) else opts

    manager = KataPlugins("pytest")  # pytest's project name: ``pytest.hookimpl`` marks count
    manager.add_hookspecs(hookspecs)
    return manager


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _wants_torchkata(dist: importlib.metadata.Distribution) -> bool:
    """Whether a distribution is pytest-torchkata or depends on it (a kata pack)."""
    if _normal(dist.metadata.get("Name") or "") == DISTRIBUTION:
        return True
    for requirement in dist.requires or ():
        found = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
        if found and _normal(found.group(1)) == DISTRIBUTION:
            return True
    return False


def kata_entry_points() -> list[tuple[str, importlib.metadata.EntryPoint]]:
    """The ``pytest11`` entry points of pytest-torchkata and of the distributions that depend
    on it, as (distribution, entry point); a distribution found twice on the path counts once."""
    seen: set[str] = set()
    found = []
    for dist in importlib.metadata.distributions():
        name = _normal(dist.metadata.get("Name") or "")
        points = [ep for ep in dist.entry_points if ep.group == ENTRY_POINT_GROUP]
        if not points or name in seen or not _wants_torchkata(dist):
            continue
        seen.add(name)
        found.extend((dist.metadata["Name"], ep) for ep in points)
    return found


def _load(points: Iterable[tuple[str, importlib.metadata.EntryPoint]]) -> tuple[list[Any], list[str]]:
    """The plugin modules that implement the kata hook, and a line per entry point that failed."""
    from pytest_torchkata.i18n import tr

    plugins, problems = [], []
    for dist, ep in points:
        try:
            plugin = ep.load()
        except Exception as exc:  # noqa: BLE001 - any error in a third-party import is reported
            problems.append(tr(
                "the kata plugin {value} (entry point {name!r} of {dist}) cannot be imported, so its katas "
                "are left out: {error}: {message}",
                "无法导入练习插件 {value}（{dist} 的入口点 {name!r}），它的练习被略过：{error}：{message}",
                value=ep.value, name=ep.name, dist=dist, error=type(exc).__name__, message=exc))
            continue
        if plugin not in plugins:
            plugins.append(plugin)
    return plugins, problems


def build(points: Iterable[tuple[str, importlib.metadata.EntryPoint]] | None = None) -> KataRegistry:
    """A registry from the given entry points (default: ``kata_entry_points()``), the
    built-in katas included even when pytest-torchkata's own entry point is missing (a
    source checkout on ``sys.path`` without an install)."""
    import pytest_torchkata.plugin as builtin

    plugins, problems = _load(kata_entry_points() if points is None else points)
    if builtin not in plugins:
        plugins.insert(0, builtin)
    manager = plugin_manager()
    for plugin in plugins:
        if hasattr(plugin, HOOK) and not manager.is_registered(plugin):
            manager.register(plugin)
    registry = from_hook(manager.hook, problems)
    registry.problems.extend(problems)
    registry.plugins = [p for p in plugins if p is not builtin and hasattr(p, HOOK)]
    return registry


@functools.lru_cache(maxsize=None)
def installed() -> KataRegistry:
    """The katas of this installation (cached; ``installed.cache_clear()`` forgets them)."""
    return build()


def kata_names() -> list[str]:
    """Every installed kata's name, in curriculum order."""
    return installed().names()


def load_kata(name: str) -> Kata:
    return installed().load_kata(name)


def next_kata(name: str) -> str | None:
    return installed().next_kata(name)


def kata_files(name: str) -> KataFiles:
    return installed().files(name)


def report_problems(write: Callable[[str], Any] | None = None) -> None:
    """Say, once, which installed kata plugins could not be loaded (stderr by default)."""
    registry = installed()
    for line in registry.problems:
        (write or (lambda text: print(text, file=sys.stderr)))(f"torchkata: {line}")
    registry.problems.clear()


__all__ = ["KataFiles", "KataRegistry", "UnknownKata", "build", "from_hook", "installed", "kata_entry_points",
           "kata_files", "kata_names", "load_kata", "next_kata", "report_problems"]
