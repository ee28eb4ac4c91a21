"""The notebook side: the learner's notebook API (``import pytest_torchkata.notebook as tk``;
``tk.check``, ``tk.hint``, ``tk.solution``, ``tk.progress``, ``%kata``) and ``convert``, which
turns notebook cells into plain Python (definitions only) for grading, by parsing alone: no
kernel, and no learner code runs here.

May import: ``i18n``, ``model``, ``status``, and the package's public entry points that a
learner's own terminal would use (the ``plugin`` through pytest, ``cli``, ``reports``); nbformat
and IPython only lazily (the ``notebook`` extra).  The sandbox never imports it.
"""

from pytest_torchkata.notebook.api import check, hint, progress, solution

__all__ = ["check", "hint", "progress", "solution"]
