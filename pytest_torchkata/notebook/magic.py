"""``%load_ext pytest_torchkata`` and the ``%kata`` line magic.

``%kata tensors`` checks a kata from the cells this kernel has run, as ``tk.check("tensors")``;
``%kata tensors softmax`` checks one task; ``--isolate`` and ``--lang zh`` as in ``tk.check``.
"""

from __future__ import annotations

import shlex
from typing import Any

from pytest_torchkata.i18n import tr


def parse(line: str) -> tuple[str, list[str], dict[str, Any]] | None:
    """The kata, the task words and the options of a ``%kata`` line; None when it has no kata."""
    try:
        words = shlex.split(line)
    except ValueError:
        words = line.split()
    options: dict[str, Any] = {}
    rest: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--isolate":
            options["isolate"] = True
        elif word == "--lang" and i + 1 < len(words):
            options["lang"] = words[i + 1]
            i += 1
        elif word.startswith("--lang="):
            options["lang"] = word.split("=", 1)[1]
        else:
            rest.append(word)
        i += 1
    if not rest:
        return None
    return rest[0], rest[1:], options


def register(shell: Any) -> None:
    """Register ``%kata`` on ``shell``."""
    def kata(line: str) -> Any:
        from pytest_torchkata.notebook import api, view

        parsed = parse(line)
        if parsed is None:
            return view.note(tr("usage: %kata KATA [TASK...] [--isolate] [--lang en|zh]",
                                "用法：%kata 练习名 [任务...] [--isolate] [--lang en|zh]"))
        name, task, options = parsed
        return api.check(name, task or None, shell=shell, **options)

    shell.register_magic_function(kata, magic_kind="line", magic_name="kata")
