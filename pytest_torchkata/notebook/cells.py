"""The cells a running kernel has executed, as the learner's code to grade.

IPython keeps every input it ran, already turned into plain Python (magics and ``!`` lines
become calls): ``In[n]`` is the cell that ran as ``[n]``.  Reading them needs no notebook file
on disk (Colab, Kaggle and AI Studio keep none where the kernel can see it), and they are what
the learner's namespace was built from, in the order it was built: the last definition of a
name wins, as in the kernel.  Only ``convert.definitions_only`` decides what is kept.
"""

from __future__ import annotations

from typing import Any

from pytest_torchkata.i18n import tr


def label(count: int) -> str:
    """How a message names the cell that ran as ``[count]``."""
    return tr("cell [{count}]", "单元格 [{count}]", count=count)


def executed_inputs(shell: Any) -> list[str]:
    """``In`` of the shell's user namespace (index = execution count), else its history."""
    found = getattr(shell, "user_ns", {}).get("In")
    if isinstance(found, list) and all(isinstance(x, str) for x in found):
        return found
    history = getattr(getattr(shell, "history_manager", None), "input_hist_parsed", None)
    return list(history) if isinstance(history, list) else []


def raw_inputs(shell: Any, count: int) -> list[str] | None:
    """The cells as typed (index = execution count), when the history has all ``count`` of them."""
    raw = getattr(getattr(shell, "history_manager", None), "input_hist_raw", None)
    if isinstance(raw, list) and len(raw) == count and all(isinstance(x, str) for x in raw):
        return raw
    return None


def kernel_cells(shell: Any) -> list[tuple[str, str]]:
    """(label, plain Python) of every non-empty cell the shell has run, in execution order.

    Cells are turned into Python again from what was typed, by ``convert.transform`` as for a
    notebook file, where the history has it: the kernel's own form of a ``%%time`` cell is one
    call, which would drop the definitions the cell made."""
    from pytest_torchkata.notebook.convert import transform

    parsed = executed_inputs(shell)
    raw = raw_inputs(shell, len(parsed))
    found = []
    for count, text in enumerate(parsed):
        if count and isinstance(text, str) and text.strip():
            found.append((label(count), transform(raw[count]) if raw is not None else text))
    return found


def current_shell() -> Any:
    """The running IPython shell, or None outside one (plain ``python``, or no IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()
