"""``torchkata``: the learner's home, and (for kata authors) stub generation.

    torchkata init [DIR] [--lang zh]   fresh learner files in DIR/katas (default: .)
    torchkata watch KATA               grade now and on every save
    torchkata hint KATA [TASK]         hints, one more level each time (--level N for one)
    torchkata reset KATA [TASK]        put back the fresh file, or one task's code
    torchkata progress                 points per kata, the next task, the share done
    torchkata solution KATA TASK       the reference code, once the task has passed
    torchkata gen [--check]            regenerate katas/ from solutions/ in the current folder
                                       (kata authors, in a checkout; --root DIR for another)
"""

from __future__ import annotations

import argparse
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


def cmd_init(target: Path, force: bool, lang: str = "en") -> int:
    from pytest_torchkata.cli.learner import cmd_init as init

    return init(target, force, lang)


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
    from pytest_torchkata.cli import learner, watch
    from pytest_torchkata.cli.workspace import UsageProblem

    learner.add_commands(sub)  # init, hint, reset, progress, solution
    watch.add_command(sub)
    p_gen = sub.add_parser("gen", help="regenerate katas/ from solutions/ (kata authors)")
    p_gen.add_argument("--root", type=Path, default=None,
                       help="the checkout holding solutions/ and katas/ (default: the current folder)")
    p_gen.add_argument("--check", action="store_true", help="only report stale files")
    from pytest_torchkata.cli import instructor  # grade, gradescope, classroom (instructors)

    instructor.add_commands(sub)
    if instructor.wanted(argv):
        return instructor.run(parser, argv)
    args = parser.parse_args(argv)
    if hasattr(args, "func"):
        try:
            return args.func(args)
        except UsageProblem as problem:
            print(f"torchkata {args.command}: {problem}", file=sys.stderr)
            return 2
    return cmd_gen(args.root or Path.cwd(), args.check)


if __name__ == "__main__":
    sys.exit(main())
