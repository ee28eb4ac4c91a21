"""Learner text is inert wherever it is shown: terminals and logs, Markdown pages and
Gradescope's output, Classroom's console, CSV cells; student names are unique and safe;
wrapping a very long word takes linear time.

The encoder is tested on its own, then each writer with a report holding hostile text,
then three runs from end to end (a pytest session, `torchkata grade` and
`torchkata gradescope-run`) over a learner file whose exception carries the attacks."""

from __future__ import annotations

import base64
import csv
import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import mini_kata
import pytest
from kata_testing import ROOT, mutate, solution_source

from pytest_torchkata.cli.submissions import discover, safe_name, unique_names
from pytest_torchkata.reports.classbook import CLASS_FILES, row_line, write_class
from pytest_torchkata.reports.display import width, wrap
from pytest_torchkata.reports.encode import csv_cell, for_markdown, for_terminal, markdown_code, one_line
from pytest_torchkata.reports.feedback import feedback_lines
from pytest_torchkata.reports.formats import classroom_payload, classroom_text, gradescope_results

ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}

BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# anything a terminal acts on: C0 but newline, DEL, C1, bidi controls, lone surrogates
ACTIVE = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{BIDI}\ud800-\udfff]")

# what a hostile learner puts in an exception: a clipboard write (OSC 52), a hyperlink
# (OSC 8), cursor moves, a line erased and redrawn, backspace, bell, bidi overrides,
# HTML, a Markdown link, image, heading, table row and code span, and spreadsheet formulas
PAYLOAD = ("\x1b]52;c;SGFjaw==\x07\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\\x1b[1A\x1b[2K\x08\x07"
           "\u202eevil\u2066 <script>alert(1)</script> <img src=x onerror=alert(1)> "
           "[click](javascript:alert(1)) ![i](http://evil.example/i.png) ``x` | forged | row | "
           "=HYPERLINK(\"http://evil.example\",\"x\") @SUM(A1)")
HOSTILE_SOURCE = f'''
PAYLOAD = {PAYLOAD!r}
Evil = type("Evil\\r  passed       1. all done  2/2 " + PAYLOAD, (ValueError,), {{}})


def fail():
    raise Evil("=HYPERLINK(1) " + PAYLOAD + "\\r  passed  2/2\\n# Total: 99 / 99 points\\n| 1. x | passed | 2 / 2 |")
'''


def inert_for_terminal(text: str) -> bool:
    return ACTIVE.search(text) is None


def markdown_escaped(source: str) -> None:
    """Every character of ``source`` that Markdown gives a meaning to is escaped: no
    renderer needed."""
    i = 0
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 2
            continue
        assert char not in "`*[]|~#$<>", (char, source[max(i - 20, 0):i + 20])
        assert char != "_" or (source[i - 1:i].isalnum() and source[i + 1:i + 2].isalnum()), source
        i += 1
    assert not re.search(r"^\s*([-+=]|\d+[.)])", source, re.MULTILINE), source


def markdown_renders_as_itself(source: str, shown: str) -> None:
    """``source`` (Markdown) rendered by a CommonMark renderer with raw HTML allowed shows
    the text ``shown``, with no element but paragraphs and line breaks (where markdown-it-py
    is installed)."""
    markdown_it = pytest.importorskip("markdown_it")
    rendered = markdown_it.MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(source)
    assert set(re.findall(r"</?([a-z0-9]+)", rendered)) <= {"p", "br"}, rendered
    assert " ".join(html.unescape(re.sub(r"<[^>]+>", "", rendered)).split()) == " ".join(shown.split())


def markdown_inert(page: str) -> None:
    """No tag, link or image that learner text could have opened is in ``page``, nor a
    control character."""
    assert "<script" not in page and "<img" not in page
    assert not re.search(r"(?<!\\)(?:\\\\)*\]\((javascript|http)", page)  # "](" with no escape before
    assert inert_for_terminal(page.replace("\n", ""))


def spreadsheet_inert(path: Path) -> list[list[str]]:
    text = path.read_text(encoding="utf-8")
    assert inert_for_terminal(text.replace("\r\n", "\n")), path.name
    rows = list(csv.reader(text.splitlines()))
    for row in rows:
        for cell in row:
            if cell[:1] in ("=", "+", "-", "@"):
                float(cell)  # only a number may start so
    return rows


# -- the encoder --------------------------------------------------------------------------

def test_for_terminal_shows_every_control_character_but_newline_as_an_escape():
    every = "".join(map(chr, range(0xA0))) + BIDI + "\ud800\udfff"
    shown = for_terminal(every)
    assert inert_for_terminal(shown)
    assert "\n" in shown and "\t" not in shown
    assert "\\x1b" in shown and "\\x0d" in shown and "\\x07" in shown and "\\x08" in shown and "\\x9b" in shown
    assert "\\u202e" in shown and "\\u2066" in shown and "\\ud800" in shown
    assert for_terminal(shown) == shown  # applied twice, changes nothing more
    assert for_terminal("梯度 x_1 é, ok") == "梯度 x_1 é, ok"


@pytest.mark.parametrize("attack", [
    "\x1b]52;c;SGFjaw==\x07",  # write the clipboard
    "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\",  # a hyperlink
    "\x1b[2J\x1b[H\x1b[1A\x1b[2K",  # clear, move, erase
    "FAILED\r  passed",  # redraw a line
    "FAILED\x08\x08\x08\x08\x08\x08passed\x07",  # backspace over it, ring the bell
    "\u202epassed\u202c \u2067x\u2069",  # reorder what is shown
    "\x9b2J \x9d52;c;x\x9c",  # the same with C1 codes
])
def test_terminal_attacks_are_shown_not_acted_on(attack):
    assert inert_for_terminal(for_terminal(attack))
    assert inert_for_terminal(one_line(attack)) and "\n" not in one_line(attack + "\nnext")


MARKDOWN_ATTACKS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[click](javascript:alert(1))",
    "![i](http://evil/i.png)", "<http://evil>", "[a]\n\n[a]: javascript:alert(1)", "# Total: 19 / 19",
    "**Total: 19 / 19 points**", "x\n===", "x\n---", "| 1. x | passed | 2 / 2 |\n| - | - | - |",
    "```\ncode\n```", "`a` ``b``", "- item\n+ item\n* item\n1. one\n2) two", "> quote", "    indented",
    "&lt;script&gt; &#106;avascript:", "~~gone~~ _em_ *em* __strong__ requires_grad", "<!-- hidden -->",
    "a\\", "$x^2$", "***", "\x1b[31mred\u202e", PAYLOAD,
]


@pytest.mark.parametrize("text", MARKDOWN_ATTACKS)
def test_markdown_text_is_escaped(text):
    markdown_escaped(for_markdown(text))


@pytest.mark.parametrize("text", MARKDOWN_ATTACKS)
def test_markdown_text_renders_as_itself(text):
    markdown_renders_as_itself(for_markdown(text), for_terminal(text))


def test_a_markdown_code_span_cannot_be_closed_from_inside():
    for text in ("x` <b>y</b> `z", "``", "a```b", "`"):
        span = markdown_code(text)
        fence = re.match("`+", span).group()
        assert span.endswith(fence) and fence not in span[len(fence):-len(fence)]


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://evil\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3",
                                  "@SUM(A1:A9)", "\t=1", "\r=1", "  =1", "\u00a0\u3000=1", "\tplain", "\rplain"])
def test_a_csv_cell_that_a_spreadsheet_would_run_starts_with_a_quote(cell):
    assert csv_cell(cell).startswith("'")
    assert inert_for_terminal(csv_cell(cell))


def test_numbers_stay_numbers_in_csv_cells():
    assert [csv_cell(v) for v in (-3.5, 0, 19.0, True, None)] == [-3.5, 0, 19.0, True, None]
    assert [csv_cell(v) for v in ("-3.5", "+2", "1e-3", "alice", "a=b")] == ["-3.5", "+2", "1e-3", "alice", "a=b"]


# -- names ---------------------------------------------------------------------------------

def _safe_folder_name(name: str) -> bool:
    return (bool(name) and "/" not in name and ".." not in name and not name.startswith(".")
            and inert_for_terminal(name) and name[0] not in "=+-@" and len(name.encode()) <= 255)


@pytest.mark.parametrize("text", ["..", "...", ".hidden", "../../etc", "a/../b", "", "\x1b[2J", "=cmd|x",
                                  "-rf", "@SUM", "+1", "a\u202eb", "\ud800", "x" * 300, "𠀀" * 100, " ", "_"])
def test_a_safe_name_is_a_safe_folder_name(text):
    assert _safe_folder_name(safe_name(text))


def test_names_alike_become_unique_whatever_the_inputs():
    names = ["alice", "alice", "alice", "alice-2", "Alice", "alice-3", "gradebook.csv", "student", "student"]
    unique = unique_names(names, CLASS_FILES)
    assert len({n.casefold() for n in unique}) == len(names)  # even where letter case is ignored
    assert unique[0] == "alice" and unique[3] == "alice-2" and unique[5] == "alice-3"  # as given, when free
    assert not {n.casefold() for n in unique} & set(CLASS_FILES)


def test_submissions_named_alike_get_unique_safe_folders(tmp_path):
    sections = []
    for section, names in {"a": ["alice", "\x1b[2J=cmd", "x..y"], "b": ["alice", "gradebook.csv"],
                           "c": ["alice-2", "Alice", "ALICE"]}.items():
        for name in names:
            (tmp_path / section / name / "katas").mkdir(parents=True)
        sections.append(tmp_path / section)
    (tmp_path / "a" / "alice.zip").write_bytes(b"")
    found = [sub.name for sub in discover(sections, ["tensors"])]
    assert len(found) == 9 and len({n.casefold() for n in found}) == 9, found
    assert all(_safe_folder_name(n) for n in found) and not set(found) & set(CLASS_FILES)
    assert "alice" in found and "alice-2" in found


# -- the writers, given a report with hostile text ---------------------------------------------

def _report(message: str, title: str = "T") -> dict:
    task = {"id": "t", "number": 1, "title": title, "status": "failed", "score": 0.0, "max_score": 2.0,
            "message": message, "hint": "use " + PAYLOAD, "data": {},
            "checks": [{"name": "c", "status": "failed", "message": message, "hint": "", "where": "", "rank": 2}]}
    return {"score": 0.0, "max_score": 2.0, "warnings": ["warned " + PAYLOAD],
            "katas": [{"name": "k", "title": "K", "score": 0.0, "max_score": 2.0, "tasks": [task]}]}


HOSTILE = "=HYPERLINK(\"http://evil\") " + PAYLOAD + "\r\n# Total: 99 / 99 points\n| 1. x | passed | 2 / 2 |"


def test_the_feedback_page_shows_learner_text_as_itself():
    page = "\n".join(feedback_lines("alice", _report(HOSTILE, title="T | forged"), problem="note " + PAYLOAD))
    markdown_inert(page)
    assert [line for line in page.splitlines() if line.startswith("#")] == [
        "# Feedback for alice", "## K (`k`): 0 / 2", "### Task 1: T \\| forged"]
    assert [line for line in page.splitlines() if line.startswith("|")][2:] == ["| 1. T \\| forged | FAILED | 0 / 2 |"]
    assert [line for line in page.splitlines() if line.startswith("**")] == [
        "**Note from the grader:** note " + for_markdown(PAYLOAD), "**Total: 0 / 2 points**"]
    message = next(i for i, line in enumerate(page.splitlines()) if line.startswith("### Task 1"))
    markdown_escaped("\n".join(page.splitlines()[message + 1:message + 4]))


def test_gradescope_and_classroom_outputs_are_inert():
    results = gradescope_results(_report(HOSTILE))
    for text in (results["output"], *(t["output"] for t in results["tests"])):
        markdown_inert(text)
        assert not [line for line in text.splitlines() if line.startswith(("#", "|", "**Total"))]
    payload = json.loads(base64.b64decode(classroom_text(_report(HOSTILE))))
    assert payload == classroom_payload(_report(HOSTILE))
    for test in payload["tests"]:
        # the reporter prints each to the Actions log: one line, nothing a terminal or a
        # workflow command (a line starting with ::) could act on
        assert inert_for_terminal(test["message"]) and "\n" not in test["message"] and "\r" not in test["message"]


def test_class_tables_and_item_analysis_are_inert(tmp_path):
    reports = {"alice": _report(HOSTILE), "bob": _report("@SUM(A1) " + PAYLOAD, title="=1+1")}
    rows = [{"student": name, "total": 0.0, "max_total": 2.0, "katas": {"k": 0.0}, "errors": 0, "timeouts": 0,
             "refused": False, "problem": "-1+cmd " + PAYLOAD, "seconds": 1.5, "peak_mib": 300} for name in reports]
    write_class(tmp_path, rows, reports)
    for name, count in (("gradebook.csv", 3), ("tasks.csv", 3), ("item_analysis.csv", 2)):
        assert len(spreadsheet_inert(tmp_path / name)) == count, name  # a header, a row per student or task
    gradebook = list(csv.DictReader((tmp_path / "gradebook.csv").open()))
    assert gradebook[0]["total"] == "0.0" and gradebook[0]["problem"].startswith("'-1+cmd")
    analysis = (tmp_path / "item_analysis.md").read_text()
    markdown_inert(analysis)
    assert len([line for line in analysis.splitlines() if line.startswith("|")]) == 3  # header, rule, the task
    assert inert_for_terminal(row_line(rows[0])) and "\n" not in row_line(rows[0])


# -- wrapping ----------------------------------------------------------------------------------

def test_wrap_cuts_a_very_long_word_in_linear_time():
    # one word of 400 000 characters (some two columns wide, some none): minutes while each
    # cut measured the rest of the word again
    word = ("ab" * 48 + "\U0001f600" + "e\u0301") * 4000
    lines = wrap("start " + word + " end", 80)
    assert lines[0].startswith("start ") and lines[-1].endswith(" end")
    assert "".join(lines).removeprefix("start ").removesuffix(" end") == word
    assert all(79 <= width(line) <= 80 for line in lines[:-1])


# -- end to end ----------------------------------------------------------------------------------

def test_the_terminal_summary_shows_a_hostile_exception_inert(pytester):
    learner = HOSTILE_SOURCE + "\n\ndef double(x):\n    fail()\n\n\ndef add(a, b):\n    return a + b\n"
    mini_kata.setup(pytester, learner)
    result = pytester.runpytest("--kata=mini", "-p", "no:cacheprovider")
    out = result.stdout.str()
    summary = out[out.index("torchkata: mini"):]
    assert inert_for_terminal(summary.replace("\n", ""))
    assert inert_for_terminal(out.replace("\n", "")), out  # the failure blocks above it too
    shown = re.sub(r"\s+", "", summary)
    assert "\\x1b]52;c;SGFjaw==\\x07" in shown and "Evil\\x0dpassed" in shown  # shown, as escapes
    assert [line for line in summary.splitlines() if re.match(r"  passed ", line)] == [
        "  passed       2. Add two tensors    1/1"]


def _hostile_tensors() -> str:
    return mutate("tensors", ("    return torch.tensor(data, dtype=torch.float32)", "    fail()")) + HOSTILE_SOURCE


def test_grading_a_class_keeps_hostile_text_inert_in_every_file(tmp_path):
    for section, name, text in (("a", "alice", _hostile_tensors()), ("a", "\x1b[2J=evil", _hostile_tensors() + "fail()\n"),
                                ("b", "alice", solution_source("tensors")), ("c", "alice-2", "x = 1\n")):
        (tmp_path / section / name / "katas").mkdir(parents=True)
        (tmp_path / section / name / "katas" / "tensors.py").write_text(text)
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "pytest_torchkata.cli", "grade", *(str(tmp_path / s) for s in "abc"),
                           "--out", str(out), "--kata=tensors", "--jobs=1", "--kata-timeout=5"],
                          env=ENV, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    console = done.stdout + done.stderr.replace("\r", "")  # tqdm redraws its own bar with \r
    assert inert_for_terminal(console.replace("\n", ""))
    rows = {r["student"]: r for r in csv.DictReader((out / "gradebook.csv").open())}
    assert sorted(rows) == ["2J_evil", "alice", "alice-2", "alice-3"]
    assert [float(rows[n]["total"]) for n in ("2J_evil", "alice", "alice-2", "alice-3")] == [0, 17.8, 0, 19]  # create: its float-list checks fail
    assert "\\x1b]52;c;SGFjaw==\\x07" in rows["2J_evil"]["problem"] and "2J_evil:" in console
    for student in rows:
        log = (out / student / "grading.log").read_text()
        assert inert_for_terminal(log.replace("\n", "")), student
        markdown_inert((out / student / "feedback.md").read_text())
    assert "\\x1b]52;c;SGFjaw==\\x07" in (out / "alice" / "grading.log").read_text()
    for name in ("gradebook.csv", "tasks.csv", "item_analysis.csv"):
        spreadsheet_inert(out / name)
    markdown_inert((out / "item_analysis.md").read_text())


def test_gradescope_output_and_stdout_keep_hostile_text_inert(tmp_path):
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "torchkata-autograder.json").write_text(json.dumps(
        {"katas": ["tensors"], "budget": 120, "options": ["--kata-timeout=5"], "visibility": {}, "data": None}))
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "tensors.py").write_text(_hostile_tensors())
    done = subprocess.run([sys.executable, "-m", "pytest_torchkata.cli", "gradescope-run", "--root", str(tmp_path)],
                          env=ENV, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert inert_for_terminal(done.stdout.replace("\n", ""))  # Gradescope's stdout
    results = json.loads((tmp_path / "results" / "results.json").read_text())
    assert results["score"] == 17.8
    failed = [t for t in results["tests"] if t["status"] == "failed"]
    assert len(failed) == 1 and for_markdown("\x1b]52;c;SGFjaw==\x07") in failed[0]["output"]
    for text in (results["output"], *(t["output"] for t in results["tests"])):
        markdown_inert(text)
        assert inert_for_terminal(text.replace("\n", ""))
