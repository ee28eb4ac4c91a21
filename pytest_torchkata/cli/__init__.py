"""``torchkata``: get a workspace of kata files, or (for kata authors) regenerate them.

    torchkata init [DIR]     copy the learner files into DIR/katas (default: .)
    torchkata gen [--check]  regenerate katas/ from solutions/ in the current folder
                             (kata authors, in a checkout; --root DIR for another)
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
CHECKOUT = PACKAGE.parent


def stub_folder() -> Path | None:
    """Where the learner files are: inside the wheel, or in a source checkout."""
    for candidate in (PACKAGE / "_stubs", CHECKOUT / "katas"):
        if candidate.is_dir() and any(candidate.glob("*.py")):
            return candidate
    return None


def cmd_init(target: Path, force: bool) -> int:
    source = stub_folder()
    if source is None:
        print("torchkata: the learner files are not in this installation; "
              "reinstall pytest-torchkata", file=sys.stderr)
        return 2
    dest = target / "katas"
    dest.mkdir(parents=True, exist_ok=True)
    copied, kept = [], []
    for stub in sorted(source.glob("*.py")):
        out = dest / stub.name
        if out.exists() and not force:
            kept.append(out.name)
            continue
        shutil.copyfile(stub, out)
        copied.append(out.name)
    print(f"torchkata: {len(copied)} kata file(s) written to {dest}")
    if kept:
        print(f"torchkata: kept your existing {', '.join(kept)} (use --force to overwrite)")
    print("Next: pytest --kata=tensors")
    return 0


def cmd_gen(root: Path, check: bool) -> int:
    from pytest_torchkata.katas import CURRICULUM
    from pytest_torchkata.model import Registry
    from pytest_torchkata.authoring.stubs import StubError, generate

    registry = Registry()
    for name in CURRICULUM:
        registry.register(f"pytest_torchkata.katas.{name}")
    katas = [registry.get(n) for n in registry.names()]
    if not (root / "solutions").is_dir():
        print(f"torchkata gen: there is no solutions/ folder in {root}; run it from the "
              f"checkout's top folder or pass --root", file=sys.stderr)
        return 2
    try:
        stale = generate(root / "solutions", root / "katas", katas, check=check)
    except StubError as exc:
        print(f"torchkata gen: {exc}", file=sys.stderr)
        return 2
    if check and stale:
        print("torchkata gen --check: out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    print(f"torchkata gen: {len(stale)} file(s) {'stale' if check else 'written'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="torchkata", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_init = sub.add_parser("init", help="copy the learner kata files into DIR/katas")
    p_init.add_argument("dir", nargs="?", default=".", type=Path)
    p_init.add_argument("--force", action="store_true", help="overwrite existing kata files")
    p_gen = sub.add_parser("gen", help="regenerate katas/ from solutions/ (kata authors)")
    p_gen.add_argument("--root", type=Path, default=None,
                       help="the checkout holding solutions/ and katas/ (default: the current folder)")
    p_gen.add_argument("--check", action="store_true", help="only report stale files")
    from pytest_torchkata.cli import instructor  # grade, gradescope, classroom (instructors)

    instructor.add_commands(sub)
    if instructor.wanted(argv):
        return instructor.run(parser, argv)
    args = parser.parse_args(argv)
    if args.command == "init":
        return cmd_init(args.dir, args.force)
    return cmd_gen(args.root or Path.cwd(), args.check)


if __name__ == "__main__":
    sys.exit(main())
