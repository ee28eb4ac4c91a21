"""``torchkata similarity SUBMISSION... [--out DIR]``: which students handed in similar code.

The submissions are found as ``torchkata grade`` finds them (``cli.submissions``: a folder of
student folders or archives, each holding the kata files or a ``katas/`` folder; ``--single``
for one student's).  Per kata, each student's ``NAME.py`` (or the code cells of ``NAME.ipynb``,
as plain Python) is compared with every other student's by copydetect, the kata's given code
taken out first (``reports.similarity``), and ``similarity.csv`` and ``similarity.html`` are
written to ``--out`` (``reports.similarity_page``).  Nothing is uploaded anywhere.

A file that cannot be compared (not text, too large, a notebook that cannot be read) is
listed on the page with why; a submission that cannot be opened is listed the same way.
``torchkata grade --similarity`` writes the same report into its output folder.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from pytest_torchkata.cli.workspace import UsageProblem, add_common_options, choose_language
from pytest_torchkata.i18n import Text, tr

MAX_CHARS = 200_000  # a kata file is a few thousand; one far longer is not a learner's own typing
HELP = Text("find students whose code is similar (similarity.html, similarity.csv)",
            "找出代码相似的学生（similarity.html、similarity.csv）")


def threshold_value(text: str) -> float:
    """``--threshold``: a share from 0 to 1 (``0.6``) or a percentage (``60%``)."""
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        value = -1.0
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(tr("{text!r} is not a share between 0 and 1 (e.g. 0.6) or a "
                                            "percentage (e.g. 60%)",
                                            "{text!r} 不是 0 到 1 之间的比例（如 0.6），也不是百分比（如 60%）",
                                            text=text))
    return value


def add_threshold_option(parser: argparse.ArgumentParser, flag: str) -> None:
    from pytest_torchkata.reports.similarity import DEFAULT_THRESHOLD

    parser.add_argument(flag, type=threshold_value, default=DEFAULT_THRESHOLD, metavar="SHARE",
                        help=tr("list a pair for a kata when either student's share of matching code reaches "
                                "this (0 to 1, or a percentage; default {default:g})",
                                "某个练习里任一名学生的相同代码占比达到这个值时列出这一对（0 到 1，或百分比；默认 {default:g}）",
                                default=DEFAULT_THRESHOLD))


def add_parser(sub: Any) -> None:
    p = sub.add_parser("similarity", help=HELP.get(), description=tr(
        "Compare, per kata, the files of a whole class with each other (locally, with copydetect; the "
        "code every student was given never counts) and write similarity.html and similarity.csv.",
        "按练习把全班的文件两两比较（在本机用 copydetect；发给所有学生的代码从不计入），"
        "写出 similarity.html 和 similarity.csv。"))
    p.add_argument("submissions", nargs="+", type=Path, metavar="SUBMISSION",
                   help=tr("a folder of student folders or archives (as torchkata grade takes them)",
                           "一个装着学生文件夹或压缩包的文件夹（和 torchkata grade 接受的一样）"))
    p.add_argument("--out", type=Path, default=Path("."), metavar="DIR",
                   help=tr("where the two files go (default: the current folder)", "两个文件写到哪里（默认：当前文件夹）"))
    p.add_argument("--kata", default="all", metavar="NAMES",
                   help=tr("katas to compare: NAME[,NAME...] or all", "要比较的练习：NAME[,NAME...] 或 all"))
    add_threshold_option(p, "--threshold")
    p.add_argument("--single", action="store_true",
                   help=tr("every SUBMISSION is one student's", "每个 SUBMISSION 都是一名学生的提交"))
    add_common_options(p, folder=False)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pytest_torchkata.cli.grade import kata_names
    from pytest_torchkata.cli.grade import UsageProblem as GradeUsage

    choose_language(args.lang)
    try:
        names = kata_names(args.kata)
    except GradeUsage as exc:
        raise UsageProblem(str(exc)) from None
    return report(args.submissions, args.out, names, args.threshold, single=args.single, standalone=True)


def report(paths: list[Path], out: Path, names: list[str], threshold: float, *, single: bool = False,
           standalone: bool = False) -> int:
    """Compare the class and write the report into ``out``; says on stderr what it did.
    Returns an exit status: 0 when written; 2 when it could not be (no library, no folder,
    fewer than two students with a file to compare)."""
    from pytest_torchkata.reports import similarity
    from pytest_torchkata.reports.classbook import private_folder
    from pytest_torchkata.reports.similarity_page import write_similarity

    prefix = "torchkata similarity" if standalone else "torchkata grade --similarity"
    try:
        similarity.engine()
        for path in paths:
            if not path.exists():
                raise UsageProblem(tr("{path} does not exist", "{path} 不存在", path=path))
        documents, skipped = read_class(paths, names, single, exclude=out)
    except (similarity.MissingLibrary, UsageProblem) as exc:
        print(f"{prefix}: {exc}", file=sys.stderr)
        return 2
    students = {doc.student for doc in documents}
    if len(students) < 2:
        print(prefix + ": " + tr("only {count} student(s) handed in a file that can be compared; a similarity "
                                 "report needs at least two",
                                 "只有 {count} 名学生交了可以比较的文件；相似度报告至少需要两名",
                                 count=len(students)), file=sys.stderr)
        for s in skipped:
            print(f"  {_line(s)}", file=sys.stderr)
        return 2 if standalone else 0  # the grading itself went well
    katas = sorted({doc.kata for doc in documents}, key=names.index)
    result = similarity.compare(documents, given_code(katas), threshold, skipped)
    try:
        if not out.is_dir():  # a folder made here is the instructor's alone (it quotes students' code)
            private_folder(out)
        csv_path, html_path = write_similarity(out, result)
    except OSError as exc:
        print(prefix + ": " + tr("cannot write into {out}: {why}", "无法写入 {out}：{why}", out=out,
                                 why=exc.strerror or exc), file=sys.stderr)
        return 2
    several = sum(len(p.matches) > 1 for p in result.pairs)
    print(prefix + ": " + tr("{students} students, {pairs} pair(s) over {threshold:.0%} ({several} in several "
                             "katas), {skipped} file(s) not compared; see {html} and {csv}",
                             "{students} 名学生，{pairs} 对超过 {threshold:.0%}（其中 {several} 对在多个练习里），"
                             "{skipped} 个文件没有比较；见 {html} 和 {csv}",
                             students=len(students), pairs=len(result.pairs), threshold=threshold,
                             several=several, skipped=len(skipped), html=html_path, csv=csv_path), file=sys.stderr)
    return 0


def _line(skipped: Any) -> str:
    from pytest_torchkata.reports.encode import one_line

    return one_line(f"{skipped.student}: {skipped.file}: {skipped.why}")


def read_class(paths: list[Path], names: list[str], single: bool, exclude: Path | None = None) -> tuple[list, list]:
    """Every student's kata files as text (``Document``), and what could not be read (``Skipped``)."""
    from pytest_torchkata.cli.submissions import Refused, discover, prepare
    from pytest_torchkata.reports.similarity import Document, Skipped

    try:
        subs = discover(paths, names, single=single, exclude=exclude)
    except Refused as exc:
        raise UsageProblem(str(exc)) from None
    documents, skipped = [], []
    with tempfile.TemporaryDirectory(prefix="torchkata-similarity-") as staging:
        for sub in subs:
            try:
                prepare(sub, Path(staging) / sub.name, names)
            except OSError as exc:  # a file that cannot be read: prepare notes only refusals
                sub.problem = tr("cannot be read: {why}", "无法读取：{why}", why=exc.strerror or exc)
            if sub.problem:
                skipped.append(Skipped(sub.name, sub.source.name, sub.problem))
                continue
            for name in names:
                file = f"{name}.py" if f"{name}.py" in sub.files else f"{name}.ipynb"
                if file not in sub.files:
                    continue
                try:
                    documents.append(Document(sub.name, name, file, file_text(file, sub.files[file],
                                                                              sub.oversize.get(file))))
                except ValueError as exc:
                    skipped.append(Skipped(sub.name, file, str(exc)))
    return documents, skipped


def file_text(file: str, data: bytes, oversize: int | None = None) -> str:
    """A kata file as the Python text to compare, or ValueError saying why it cannot be."""
    if oversize is not None or len(data) > 4 * MAX_CHARS:
        raise ValueError(tr("too large to compare ({size} bytes)", "太大，无法比较（{size} 字节）",
                            size=oversize or len(data)))
    if b"\0" in data:
        raise ValueError(tr("not a text file", "不是文本文件"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(tr("not a text file (not UTF-8)", "不是文本文件（不是 UTF-8 编码）")) from None
    if file.endswith(".ipynb"):
        text = _notebook_code(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_CHARS:
        raise ValueError(tr("too large to compare ({size} characters)", "太大，无法比较（{size} 个字符）",
                            size=len(text)))
    return text


def _notebook_code(data: bytes) -> str:
    """A notebook's code cells as Python (``notebook.convert``: IPython's own transform)."""
    from pytest_torchkata.notebook.convert import NotebookProblem, read_notebook

    with tempfile.TemporaryDirectory(prefix="torchkata-similarity-") as folder:
        path = Path(folder) / "kata.ipynb"
        path.write_bytes(data)
        try:
            cells = read_notebook(path)
        except NotebookProblem as exc:
            raise ValueError(str(exc)) from None
    return "\n\n".join(code for _label, code in cells)


def given_code(katas: list[str]) -> dict[str, set[int]]:
    """Per kata, the fingerprints of the code every student was given: its stub in each
    language and its generated notebook's code (where nbformat is installed)."""
    from pytest_torchkata.i18n import LANGUAGES
    from pytest_torchkata.reports.similarity import boilerplate_hashes

    given = {}
    for name in katas:
        texts = []
        for lang in LANGUAGES:
            try:
                texts.append(_stub(name, lang))
            except Exception:  # noqa: BLE001 - a kata of a third-party pack may ship no stub here
                continue
            texts.extend(_notebook_cells(name, texts[-1], lang))
        given[name] = boilerplate_hashes(texts) if texts else set()
    return given


def _stub(name: str, lang: str) -> str:
    from pytest_torchkata.cli.workspace import stub_text

    return stub_text(name, lang)


def _notebook_cells(name: str, stub: str, lang: str) -> list[str]:
    """The generated notebook's code as a handed-in notebook gives it (the same conversion)."""
    try:
        import nbformat

        from pytest_torchkata.authoring.notebooks import kata_notebook
        from pytest_torchkata.cli.workspace import load_kata

        text = nbformat.writes(kata_notebook(name, stub, load_kata(name), lang))
        return [_notebook_code(text.encode("utf-8"))]
    except Exception:  # noqa: BLE001 - no nbformat: the stub alone is the given code
        return []
