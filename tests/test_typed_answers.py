"""The answer of a learner process is typed data (``sandbox.answers``): it crosses the wire as
plain data, the grader reads only its declared fields, words every kind in both languages,
and the kind travels into the check and task results, the JSON report and the class files,
which count time-outs, crashes and refused answers from it in every language."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from kata_testing import ROOT, solution_source

from pytest_torchkata.i18n import language, set_language
from pytest_torchkata.model import Registry
from pytest_torchkata.sandbox import wire
from pytest_torchkata.sandbox.answers import Failure, Kind

# one failure of every kind a learner request can end with, as its producer builds it
FAILURES = {
    Kind.RAISED: Failure(Kind.RAISED, type="ValueError", message="bad shape", where="t.py:3 (f): x", function="f"),
    Kind.NOT_STARTED: Failure(Kind.NOT_STARTED, message="Task 1 (Tensors from lists and NumPy): not written yet",
                              function="from_list", caller="from_list"),
    Kind.MISSING: Failure(Kind.MISSING, target="from_list", file="katas/tensors.py"),
    Kind.FORBIDDEN: Failure(Kind.FORBIDDEN, api="torch.softmax", where="t.py:3"),
    Kind.LOAD_FAILED: Failure(Kind.LOAD_FAILED, type="SyntaxError", message="invalid syntax", load_failure=True,
                              file="katas/tensors.py"),
    Kind.TIMEOUT: Failure(Kind.TIMEOUT, seconds=2.0, stopped="process"),
    Kind.CRASH: Failure(Kind.CRASH, signal="SIGSEGV", output="Segmentation fault"),
    Kind.OUT_OF_MEMORY: Failure(Kind.OUT_OF_MEMORY, memory_mb=700.0),
    Kind.BUDGET_SPENT: Failure(Kind.BUDGET_SPENT, seconds=60.0),
    Kind.REFUSED: Failure(Kind.REFUSED, refused="items", limit=250_000),
    Kind.NOT_RUN: Failure(Kind.NOT_RUN, not_run=True, message="not run: task 1 ran out of time"),
}
ENDINGS = (Kind.LOADED, Kind.RETURNED)  # the kinds that are no failure


def test_every_kind_of_failure_has_an_example_here():
    assert set(FAILURES) | set(ENDINGS) == set(Kind)


@pytest.mark.parametrize("kind", list(FAILURES))
def test_a_failure_crosses_the_wire_as_plain_data_and_reads_back_equal(kind):
    sent = FAILURES[kind]
    frame = wire.frame_of({"error": sent.to_wire()})
    assert b"pickle" not in frame and json.loads(frame[16:])  # a JSON head, no buffer
    assert Failure.read(wire.decode_frame(frame)["error"]) == sent


def test_the_grader_reads_only_declared_fields_of_their_declared_types():
    read = Failure.read({"kind": "crash", "signal": ["SIGKILL"], "exit_code": True, "processes": "64",
                         "load_failure": "yes", "seconds": "2", "secret": "x", "message": "m" * 10_000})
    assert read == Failure(Kind.CRASH, signal="['SIGKILL']", message=read.message)
    assert len(read.message) == 2_000 and read.message.endswith("…")
    for odd in ({"kind": "learner"}, {"kind": None}, "text", ["crash"]):
        assert Failure.read(odd) == Failure(Kind.REFUSED, refused="malformed")


def _access(task_number: int = 1):
    from pytest_torchkata.plugin.access import KataAccess

    class Backend:
        answer: dict = {}

        def request(self, message, timeout):
            return self.answer

        def close(self):
            pass

    registry = Registry()
    registry.register("pytest_torchkata.katas.tensors.tasks")
    kata = registry.get("tensors")
    return KataAccess(backend=Backend(), kata=kata, task=kata.tasks[task_number - 1], path=Path("tensors.py"),
                      seed=0, timeout=None)


def _outcome(failure: Failure, lang: str, task_number: int = 1):
    from pytest_torchkata.checks.errors import KataOutcome

    access = _access(task_number)
    access.backend.answer = {"error": failure.to_wire()}
    before = language()
    set_language(lang)
    try:
        with pytest.raises(KataOutcome) as raised:
            access.call("from_list", [1])
    finally:
        set_language(before)
    return raised.value


@pytest.mark.parametrize("kind", [k for k in FAILURES if k is not Kind.NOT_RUN])
def test_the_grader_words_every_kind_in_both_languages_and_keeps_the_kind(kind):
    en, zh = (_outcome(FAILURES[kind], lang) for lang in ("en", "zh"))
    assert en.kind == zh.kind == kind.value
    assert en.message and zh.message
    if kind not in (Kind.NOT_STARTED,):  # a stub's own words are code: the same in both
        assert en.message != zh.message
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh.message), zh.message


@pytest.mark.parametrize("failure, en_words, zh_words", [
    (FAILURES[Kind.CRASH], "the process running your code was killed by signal SIGSEGV; its last output: "
                           "Segmentation fault", "运行你代码的进程被信号 SIGSEGV 杀掉了"),
    (Failure(Kind.CRASH, signal="SIGKILL"), "was killed by signal SIGKILL (often: out of memory)", "通常是内存不够"),
    (Failure(Kind.CRASH, exit_code=0, load_failure=True, file="mini.py"),
     "loading mini.py: the process running your code exited with code 0", "加载 mini.py 时：运行你代码的进程退出了"),
    (Failure(Kind.CRASH, processes=64), "the process running your code started more than 64 processes",
     "启动了超过 64 个进程"),
    (FAILURES[Kind.OUT_OF_MEMORY], "the process running your code used more than 700 MB of memory",
     "用了超过 700 MB 的内存"),
    (Failure(Kind.BUDGET_SPENT), "the time budget for this submission is spent", "时间预算已经用完"),
    (FAILURES[Kind.BUDGET_SPENT], "stopped: the time budget for this submission (60 s) ran out while it ran",
     "在它运行时用完了"),
    (FAILURES[Kind.TIMEOUT], "`from_list` is still running after 2 s (it was stopped)",
     "运行了 2 秒还没有结束（它被强行停止了）"),
])
def test_crash_and_budget_messages_are_said_in_the_learner_s_language(failure, en_words, zh_words):
    assert en_words in _outcome(failure, "en").message
    said = _outcome(failure, "zh").message
    assert zh_words in said and "process running your code" not in said and "budget" not in said


def test_a_not_run_answer_from_the_learner_side_is_not_believed():
    forged = _outcome(Failure(Kind.NOT_RUN, message="nothing to see"), "en")
    assert forged.kind == "refused" and not forged.not_run


def test_the_load_failure_is_a_declared_field_that_reaches_the_outcome():
    assert _outcome(FAILURES[Kind.LOAD_FAILED], "en").load_failure is True
    assert _outcome(FAILURES[Kind.RAISED], "en").load_failure is False


# -- a stub, recognised from the answer's data --------------------------------------------

def test_another_tasks_stub_is_told_from_the_functions_in_the_answer():
    """``to_channels_last`` (task 3) calling ``from_list``, still task 1's stub."""
    stub = Failure(Kind.NOT_STARTED, message="Task 1 (Tensors from lists and NumPy): not written yet",
                   function="from_list", caller="to_channels_last", call_where="tensors.py:40 (to_channels_last): from_list(x)")
    told = _outcome(stub, "en", task_number=3)
    assert "`to_channels_last` calls `from_list` (task 1), which is not written yet" in told.message
    assert told.status == "failed" and told.kind == "not_started" and told.where.startswith("tensors.py:40")


@pytest.mark.parametrize("failure", [
    # the stub the grader called: the task itself is not started
    Failure(Kind.NOT_STARTED, message="Task 1 (Tensors from lists and NumPy): not written yet", function="from_list",
            caller="from_list"),
    # a NotImplementedError of the learner's own, in a helper: no task of the kata says so
    Failure(Kind.NOT_STARTED, message="Task 2 (my own words): later", function="helper", caller="from_list"),
])
def test_anything_else_that_raises_not_implemented_is_not_started(failure):
    assert _outcome(failure, "en", task_number=3).status == "not_started"


# -- the kind in the results, and the class files that count it ----------------------------

def test_a_task_carries_the_kind_of_the_check_that_speaks_for_it():
    from pytest_torchkata.reports.results import CheckResult, grade_task
    from pytest_torchkata.status import Status

    task = Registry()
    task.register("pytest_torchkata.katas.tensors.tasks")
    first = task.get("tensors").tasks[0]
    checks = [CheckResult("a", Status.FAILED, "off", rank=2),
              CheckResult("b", Status.ERROR, "运行了 1 秒还没有结束", kind="timeout"),
              CheckResult("c", Status.ERROR, "没有运行", ran=False, kind="not_run")]
    graded = grade_task(first, checks, {})
    assert graded.kind == "timeout" and graded.status == "error"
    assert grade_task(first, [CheckResult("a", Status.PASSED)], {}).kind == ""


def test_counts_come_from_kinds_and_reports_without_them_count_none():
    from pytest_torchkata.reports.classbook import kind_counts

    tasks = [{"kind": "timeout", "message": "运行了 2 秒还没有结束"}, {"kind": "crash"}, {"kind": "out_of_memory"},
             {"kind": "refused"}, {"kind": "raised"}, {"message": "still running after 2 s"}]
    assert kind_counts(tasks) == {"timeouts": 1, "crashes": 2, "refused_answers": 1}


def test_a_gradebook_row_says_its_crashes_and_rows_kept_from_before_still_write(tmp_path):
    from pytest_torchkata.reports.classbook import row_line, write_class

    row = {"student": "ann", "total": 0.0, "max_total": 4.0, "katas": {}, "errors": 3, "timeouts": 0,
           "refused": False, "problem": "", "seconds": 1.0, "peak_mib": 0}  # as a gradebook row was kept before
    assert "3 errors" in row_line(row) and "crash" not in row_line(row)
    assert "2 crashes, 1 refused answer" in row_line({**row, "crashes": 2, "refused_answers": 1})
    write_class(tmp_path, [row], {})
    (written,) = csv.DictReader((tmp_path / "gradebook.csv").open(encoding="utf-8"))
    assert (written["timeouts"], written["crashes"], written["refused_answers"]) == ("0", "0", "0")


def test_the_class_files_count_only_kinds_that_exist():
    from pytest_torchkata.reports.classbook import KIND_COUNTS

    assert set(KIND_COUNTS) <= {k.value for k in Kind}


ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


@pytest.fixture(scope="module")
def zh_class(tmp_path_factory):
    """A class graded in Chinese: one file hangs while loading, one task of another hangs,
    one file exits while loading, one is the reference."""
    klass = tmp_path_factory.mktemp("zh") / "class"
    reference = solution_source("tensors")
    sources = {"hanger": "while True:\n    pass\n" + reference,
               "looper": reference + "\n\ndef softmax(x, dim):\n    while True:\n        pass\n",
               "exiter": "import os\nos._exit(3)\n" + reference,
               "ref": reference}
    for name, text in sources.items():
        (klass / name / "katas").mkdir(parents=True)
        (klass / name / "katas" / "tensors.py").write_text(text)
    out = klass.parent / "grades"
    result = subprocess.run([sys.executable, "-m", "pytest_torchkata.cli", "grade", str(klass), "--out", str(out),
                             "--kata=tensors", "--jobs=2", "--kata-lang=zh", "--kata-timeout=1"],
                            env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    assert result.returncode == 0, result.stdout
    return out


def test_a_class_graded_in_chinese_counts_its_time_outs_and_crashes(zh_class):
    rows = {r["student"]: r for r in csv.DictReader((zh_class / "gradebook.csv").open(encoding="utf-8"))}
    assert "运行了 1 秒还没有结束" in rows["hanger"]["problem"]  # said in Chinese...
    assert rows["hanger"]["timeouts"] == "8" and rows["hanger"]["crashes"] == "0"  # ...and counted
    assert rows["exiter"]["crashes"] == "8" and rows["exiter"]["timeouts"] == "0"
    assert int(rows["looper"]["timeouts"]) >= 1 and rows["looper"]["crashes"] == "0"
    assert (rows["ref"]["timeouts"], rows["ref"]["crashes"], rows["ref"]["refused_answers"]) == ("0", "0", "0")
    tasks = list(csv.DictReader((zh_class / "tasks.csv").open(encoding="utf-8")))
    softmax = {t["student"]: t["kind"] for t in tasks if t["id"] == "softmax"}
    assert softmax == {"hanger": "timeout", "looper": "timeout", "exiter": "crash", "ref": ""}
    items = {r["id"]: r for r in csv.DictReader((zh_class / "item_analysis.csv").open(encoding="utf-8"))}
    assert (items["softmax"]["timeouts"], items["softmax"]["crashes"]) == ("2", "1")
    report = json.loads((zh_class / "looper" / "report.json").read_text(encoding="utf-8"))
    (task,) = [t for t in report["katas"][0]["tasks"] if t["id"] == "softmax"]
    assert task["kind"] == "timeout" and task["checks"][0]["kind"] == "timeout"
