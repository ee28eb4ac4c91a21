"""Learner-facing text in English and 简体中文.

Every text a learner sees is written in both languages where it is declared:

    Text("Numerically stable softmax", "数值稳定的 softmax")       # titles, hints
    tr("{what} has shape {got}, expected {want}",                  # messages
       "{what} 的形状是 {got}，应为 {want}", what=..., got=..., want=...)

``tr`` fills the template of the current language (``--kata-lang``, else the
locale).  Both templates must name the same placeholders; the translation
test checks every ``Text`` and every ``tr`` call in the package.  A literal
brace is written ``{{`` / ``}}``.  This module imports nothing heavy: the
sandbox may use it too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Mapping

LANGUAGES = ("en", "zh")
_current = ["en"]


def default_language(environ: Mapping[str, str] = os.environ) -> str:
    """``zh`` when the locale asks for Chinese (``LC_ALL``, ``LC_MESSAGES``, ``LANG``), else ``en``."""
    for key in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(key, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def set_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    _current[0] = lang


def language() -> str:
    return _current[0]


@dataclass(frozen=True)
class Text:
    """One text in both languages; ``str()`` gives the current language's."""

    en: str
    zh: str

    def get(self, lang: str | None = None) -> str:
        return self.zh if (lang or _current[0]) == "zh" and self.zh else self.en

    def format(self, **values: Any) -> str:
        return self.get().format(**values)

    def __str__(self) -> str:
        return self.get()


def tr(en: str, zh: str, **values: Any) -> str:
    """The message in the current language, with its placeholders filled."""
    return (zh if _current[0] == "zh" and zh else en).format(**values)
