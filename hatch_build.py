"""The wheel's build hook: a wheel never ships a learner file that is not the generated stub.

The wheel ships ``katas/`` as the package's fresh learner files (``_stubs``), which
``torchkata init`` and ``reset`` hand out.  A checkout whose ``katas/`` a learner worked in,
or whose ``solutions/`` changed without ``torchkata gen``, would ship solved or stale files
silently; this hook compares every stub with the digests ``torchkata gen`` wrote beside them
(``katas/STUBS.sha256``) and refuses the build, saying what to run.  Plain Python: the build
environment has no torch, so the stubs are not generated here.  Editable installs are left
alone (they ship nothing).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

MANIFEST = "STUBS.sha256"  # the name pytest_torchkata.authoring.stubs writes


def stale_stubs(katas: Path) -> list[str]:
    """The learner files under ``katas`` that differ from the manifest, or are missing from it."""
    manifest = katas / MANIFEST
    if not manifest.is_file():
        return [f"{manifest} (missing)"]
    listed = {}
    for line in manifest.read_text(encoding="utf-8").splitlines():
        digest, _, rel = line.partition("  ")
        if rel:
            listed[rel] = digest
    present = {p.relative_to(katas).as_posix() for p in katas.rglob("*.py") if "__pycache__" not in p.parts}
    stale = sorted(present - set(listed))
    for rel, digest in sorted(listed.items()):
        path = katas / rel
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            stale.append(rel)
    return stale


class StubsCheckHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        katas = Path(self.root) / "katas"
        if not katas.is_dir():  # built from an sdist without them: nothing to compare
            return
        stale = stale_stubs(katas)
        if stale:
            raise RuntimeError(
                "katas/ does not hold the generated learner files: " + ", ".join(stale) + ". "
                "The wheel would ship these as fresh stubs. In the checkout run `torchkata gen` "
                "(or `git checkout katas/`) and build again; learners work in a folder of their "
                "own (`torchkata init DIR`), never in the checkout's katas/.")
