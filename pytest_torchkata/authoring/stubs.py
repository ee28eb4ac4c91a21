"""Learner stubs from reference solutions, in English and 简体中文.

A solution marks the code a learner writes::

    def softmax(x, dim=-1):
        \"\"\"Softmax along ``dim``.

        [zh]
        沿 ``dim`` 做 softmax。
        \"\"\"
        # Subtract the maximum first.
        # zh: 先减去最大值。
        # BEGIN SOLUTION softmax
        shifted = x - x.amax(dim=dim, keepdim=True)
        ...
        # END SOLUTION

``# BEGIN SOLUTION <task id>`` names a task of the kata.  The stub keeps
everything outside the blocks and replaces each block, at its indentation, by a
TODO line and ``raise NotImplementedError("Task N (title): ...")`` (code, so
English in both languages).

Translations: in a docstring, a line that is only ``[zh]`` separates the
English text (before) from the Chinese (after, up to the closing quotes); a
comment line ``# zh: ...`` directly below English comment lines at the same
indentation translates them.  The English stub (``katas/NAME.py``) drops the
Chinese; the Chinese stub (``katas/zh/NAME.py``) keeps only the Chinese of such
docstrings and puts each ``# zh:`` line, as a plain comment, in place of the
English lines it translates.  Text without a translation stays in both.
"""

from __future__ import annotations

import hashlib
import io
import re
import tokenize
from pathlib import Path

from pytest_torchkata.model import Kata

BEGIN = re.compile(r"^(?P<indent>\s*)# BEGIN SOLUTION (?P<task>[\w-]+)\s*$")
END = re.compile(r"^\s*# END SOLUTION\s*$")
ZH_MARK = "[zh]"
ZH_COMMENT = re.compile(r"^(?P<indent>[ \t]*)# ?zh:\s?(?P<text>.*?)\s*$")
STUB_LANGUAGES = {"en": "", "zh": "zh"}  # language -> subfolder of katas/


class StubError(ValueError):
    pass


def make_stub(source: str, kata: Kata, filename: str = "<solution>", lang: str = "en") -> str:
    out: list[str] = []
    inside: int | None = None
    for lineno, line in enumerate(source.splitlines(keepends=True), start=1):
        begin = BEGIN.match(line)
        if begin:
            if inside is not None:
                raise StubError(f"{filename}:{lineno}: BEGIN SOLUTION inside another block (opened at {inside})")
            try:
                task = kata.get_task(begin["task"])
            except KeyError:
                raise StubError(f"{filename}:{lineno}: BEGIN SOLUTION names task {begin['task']!r}, "
                                f"which kata {kata.name!r} does not declare "
                                f"(tasks: {', '.join(t.id for t in kata.tasks)})") from None
            indent = begin["indent"]
            out.append(f"{indent}# TODO(task {task.number}): write this part\n")
            label = task.label_in("en")  # stubs are code: the same in every language
            out.append(f'{indent}raise NotImplementedError("{label}: not written yet")\n')
            inside = lineno
            continue
        if END.match(line):
            if inside is None:
                raise StubError(f"{filename}:{lineno}: END SOLUTION without BEGIN SOLUTION")
            inside = None
            continue
        if inside is None:
            out.append(line)
    if inside is not None:
        raise StubError(f"{filename}:{inside}: BEGIN SOLUTION is never closed")
    return translate("".join(out), lang, filename)


def translate(source: str, lang: str, filename: str = "<solution>") -> str:
    """The source in one language: ``[zh]`` docstrings and ``# zh:`` comments resolved."""
    if lang not in STUB_LANGUAGES:
        raise StubError(f"no stubs in language {lang!r}; choose one of {', '.join(STUB_LANGUAGES)}")
    return _comments(_docstrings(source, lang, filename), lang)


def _tokens(source: str, filename: str) -> list[tokenize.TokenInfo]:
    try:
        return list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError) as exc:
        raise StubError(f"{filename}: cannot be read as Python: {exc}") from None


def _docstrings(source: str, lang: str, filename: str) -> str:
    lines = source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    edits = []
    for tok in _tokens(source, filename):
        if tok.type == tokenize.STRING and any(l.strip() == ZH_MARK for l in tok.string.splitlines()):
            begin = starts[tok.start[0] - 1] + tok.start[1]
            end = starts[tok.end[0] - 1] + tok.end[1]
            edits.append((begin, end, _split_docstring(tok.string, lang)))
    for begin, end, text in reversed(edits):
        source = source[:begin] + text + source[end:]
    return source


def _split_docstring(literal: str, lang: str) -> str:
    match = re.match(r"(?s)^(?P<prefix>[rRuUbBfF]*)(?P<q>\"\"\"|''')(?P<body>.*)(?P=q)$", literal)
    if match is None:  # not a triple-quoted string: leave it alone
        return literal
    prefix, quote, body = match["prefix"], match["q"], match["body"]
    lines = body.split("\n")
    mark = next(i for i, line in enumerate(lines) if line.strip() == ZH_MARK)
    indent = lines[mark][: len(lines[mark]) - len(lines[mark].lstrip())]
    closing = lines[-1] if len(lines) > 1 and not lines[-1].strip() else None
    if lang == "en":
        english = lines[:mark]
        while len(english) > 1 and not english[-1].strip():
            english.pop()
        return f"{prefix}{quote}" + "\n".join(english) + "\n" + (closing if closing is not None else indent) + quote
    chinese = lines[mark + 1:]
    if closing is not None:
        chinese = chinese[:-1]
    while chinese and not chinese[0].strip():
        chinese.pop(0)
    while chinese and not chinese[-1].strip():
        chinese.pop()
    if not chinese:
        return f"{prefix}{quote}{quote}"
    chinese[0] = chinese[0].lstrip()
    tail = "\n" + closing if closing is not None else ""
    if len(chinese) == 1 and closing is not None and "\n" not in "\n".join(lines[:mark]).strip():
        tail = ""  # a one-line docstring stays on one line
    return f"{prefix}{quote}" + "\n".join(chinese) + tail + quote


def _comments(source: str, lang: str) -> str:
    lines = source.splitlines(keepends=True)
    comment_rows = set()
    for tok in _tokens(source, "<stub>"):
        if tok.type == tokenize.COMMENT and not lines[tok.start[0] - 1][: tok.start[1]].strip():
            comment_rows.add(tok.start[0] - 1)
    out: list[str] = []
    i = 0
    while i < len(lines):
        if i not in comment_rows:
            out.append(lines[i])
            i += 1
            continue
        # a run of English comment lines, then the run of `# zh:` lines translating them
        indent = _indent(lines[i])
        english = []
        while i < len(lines) and i in comment_rows and not ZH_COMMENT.match(lines[i]) and _indent(lines[i]) == indent:
            english.append(lines[i])
            i += 1
        chinese = []
        while i < len(lines) and i in comment_rows and ZH_COMMENT.match(lines[i]) and (
                not english or _indent(lines[i]) == indent):
            chinese.append(lines[i])
            i += 1
        if lang == "en" or not chinese:
            out.extend(english)
        else:
            for line in chinese:
                found = ZH_COMMENT.match(line)
                ending = "\n" if line.endswith("\n") else ""
                out.append(f"{found['indent']}# {found['text']}".rstrip() + ending)
    return "".join(out)


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def solution_tasks(source: str) -> list[str]:
    return [m["task"] for m in (BEGIN.match(line) for line in source.splitlines()) if m]


def solution_blocks(source: str, task_id: str) -> list[str]:
    """The reference code of one task's block(s), as written between the markers."""
    blocks: list[str] = []
    current: list[str] | None = None
    for line in source.splitlines(keepends=True):
        begin = BEGIN.match(line)
        if begin and begin["task"] == task_id:
            current = []
        elif current is not None and END.match(line):
            blocks.append("".join(current))
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def stub_path(katas_dir: Path, name: str, lang: str) -> Path:
    sub = STUB_LANGUAGES[lang]
    return (katas_dir / sub if sub else katas_dir) / f"{name}.py"


# Beside the stubs: the SHA-256 of each generated stub, which the wheel's build hook
# (``hatch_build.py``) compares, so that a build never ships an edited or solved stub.
MANIFEST = "STUBS.sha256"


def manifest_text(stubs: dict[str, str]) -> str:
    """``sha256  relative/path`` per stub (``/`` separated, sorted)."""
    return "".join(f"{hashlib.sha256(text.encode('utf-8')).hexdigest()}  {rel}\n"
                   for rel, text in sorted(stubs.items()))


def generate(solutions: Path, katas_dir: Path, katas: list[Kata], check: bool = False) -> list[str]:
    """Write (or, with ``check``, compare) one stub per kata and language, and the manifest of
    their digests; returns the stale files."""
    stale = []
    written: dict[str, str] = {}
    for kata in katas:
        source_path = solutions / f"{kata.name}.py"
        source = source_path.read_text(encoding="utf-8")
        for lang in STUB_LANGUAGES:
            stub = make_stub(source, kata, str(source_path), lang)
            target = stub_path(katas_dir, kata.name, lang)
            written[target.relative_to(katas_dir).as_posix()] = stub
            current = target.read_text(encoding="utf-8") if target.is_file() else None
            if current != stub:
                stale.append(str(target))
                if not check:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(stub, encoding="utf-8")
    manifest = katas_dir / MANIFEST
    expected = manifest_text(written)
    if (manifest.read_text(encoding="utf-8") if manifest.is_file() else None) != expected:
        stale.append(str(manifest))
        if not check:
            manifest.write_text(expected, encoding="utf-8")
    return stale
