"""Smaller promises a learner meets (issue 15, item 7): a torch/torchvision pair that does not
match is named once with its fix; lines are wrapped by display width; Chinese text has no
English left in it; `torchkata solution` prints whole blocks; a closed pipe ends quietly; hint
levels, near-match kata names and environment variables are worded as a learner reads them."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest

from pytest_torchkata.checks.hints import TORCHVISION_MISMATCH

NMS = "operator torchvision::nms does not exist"


# -- 1. torch and torchvision that do not match ----------------------------------------------

def _broken_torchvision(monkeypatch):
    """``import torchvision`` fails as it does when torchvision was built for another torch."""
    for name in [m for m in sys.modules if m == "torchvision" or m.startswith("torchvision.")]:
        monkeypatch.delitem(sys.modules, name)
    return {"torchvision/__init__.py": f"raise RuntimeError({NMS!r})\n"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_mismatched_torchvision_is_named_once_with_its_fix(grade, monkeypatch, tmp_path, lang):
    files = _broken_torchvision(monkeypatch)
    graded = grade("mnist", None, f"--kata-lang={lang}", f"--kata-data={tmp_path}", files=files)
    fix = TORCHVISION_MISMATCH.zh if lang == "zh" else TORCHVISION_MISMATCH.en
    assert {t["status"] for t in graded.kata()["tasks"]} == {"error"}
    assert {t["hint"] for t in graded.kata()["tasks"]} == {fix}  # no task's own, unrelated hint
    assert len({t["message"] for t in graded.kata()["tasks"]}) == 1  # one cause, said once
    out = graded.output
    assert NMS in graded.kata()["tasks"][0]["message"]
    assert out.count("FAILED mnist::") == 1  # one failure block; the other checks: "same cause as above"
    assert "https://download.pytorch.org/whl/cpu" in out
    assert "Traceback" not in out


def test_a_download_failing_on_the_mismatch_names_it_not_the_data(monkeypatch, tmp_path):
    from pytest_torchkata.checks.errors import LearnerCrashed
    from pytest_torchkata.katas.mnist import data

    def download(root):
        raise RuntimeError(NMS)

    monkeypatch.setattr(data, "download_mnist", download)
    monkeypatch.setattr(data, "_download_failures", {})
    ran = []
    kata = SimpleNamespace(data_dir=str(tmp_path), run=lambda helper, *args: ran.append(helper))
    with pytest.raises((LearnerCrashed, pytest.skip.Exception)) as raised:  # not a skip for want of data
        data.mnist_root(kata)
    assert isinstance(raised.value, LearnerCrashed), raised.value
    assert raised.value.hint == str(TORCHVISION_MISMATCH)
    assert raised.value.load_failure  # one block for the kata, not one per task
    assert "needs MNIST" not in raised.value.message
    assert ran == [data.file_loads]  # the learner's own load failure, when there is one, comes first


# -- the learner's commands ------------------------------------------------------------------

@pytest.fixture
def workspace(tmp_path, monkeypatch):
    from pytest_torchkata import cli
    from pytest_torchkata.i18n import set_language

    monkeypatch.chdir(tmp_path)
    for name in ("TORCHKATA_LANG", "TORCHKATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert cli.main(["init"]) == 0
    yield tmp_path / "katas"
    set_language("en")


@pytest.mark.parametrize("lang, one, more", [
    ("en", "hint 1 of {count}", "hints 1 to 2 of {count}"),
    ("zh", "第 1 级提示，共 {count} 级", "第 1 到 2 级提示，共 {count} 级"),
])
def test_hint_names_one_level_as_one(workspace, capsys, lang, one, more):
    from pytest_torchkata import cli
    from pytest_torchkata.cli.workspace import load_kata

    count = len(load_kata("tensors").get_task("softmax").hints)
    assert count >= 2
    assert cli.main(["hint", "tensors", "softmax", "--lang", lang]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.endswith(one.format(count=count)), first
    assert cli.main(["hint", "tensors", "softmax", "--lang", lang]) == 0
    assert capsys.readouterr().out.splitlines()[0].endswith(more.format(count=count))


@pytest.mark.parametrize("typed, guess", [("tensor", "'tensors'"), ("autogard", "'autograd'"),
                                          ("linear-regression", "'linear_regression'"), ("nothing-alike", None)])
@pytest.mark.parametrize("lang, says", [("en", "Did you mean {guess}?"), ("zh", "你是不是想输入 {guess}？")])
def test_a_mistyped_kata_gets_the_near_match(workspace, capsys, typed, guess, lang, says):
    from pytest_torchkata import cli

    assert cli.main(["hint", typed, "--lang", lang]) == 2
    err = capsys.readouterr().err
    if guess:
        assert says.format(guess=guess) in err
    else:
        assert says.split("{")[0] not in err


def test_pytest_kata_mistyped_gets_the_near_match(pytester):
    import mini_kata

    mini_kata.setup(pytester)
    result = pytester.runpytest("--kata=tensor,mnst")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--kata: unknown kata 'tensor', 'mnst'. Did you mean 'tensors' or 'mnist'?*"])


@pytest.mark.parametrize("variable, value", [("TORCHKATA_DEVICE", "gpu"), ("TORCHKATA_LANG", "fr"),
                                             ("TORCHKATA_SANDBOX", "docker"), ("TORCHKATA_REPORT_FORMAT", "xml"),
                                             ("TORCHKATA_TIMEOUT", "soon")])
def test_an_environment_value_names_its_variable(pytester, monkeypatch, variable, value):
    import mini_kata

    mini_kata.setup(pytester)
    monkeypatch.setenv(variable, value)
    result = pytester.runpytest("--kata=mini")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{value!r} (from the environment variable {variable})*"])
    assert "(from env)" not in result.stderr.str()


# -- 5. a reader that stops early --------------------------------------------------------------

@pytest.mark.parametrize("args", [["progress"], ["hint", "tensors", "1"]])
def test_a_closed_pipe_ends_the_command_quietly(tmp_path, args):
    """``torchkata progress | head``: the reader is gone before the command writes."""
    import subprocess

    subprocess.run([sys.executable, "-m", "pytest_torchkata.cli", "init"], cwd=tmp_path, check=True,
                   capture_output=True)
    proc = subprocess.Popen([sys.executable, "-m", "pytest_torchkata.cli", *args], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert err == ""


# -- 4. torchkata solution ----------------------------------------------------------------------

def _every_task():
    from pytest_torchkata.cli.workspace import curriculum, load_kata

    return [(name, task.id) for name in curriculum() for task in load_kata(name).tasks]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_solution_listing_is_whole_code_under_the_learners_signatures(lang):
    import ast
    import re

    from kata_testing import solution_source
    from pytest_torchkata.authoring.stubs import solution_blocks
    from pytest_torchkata.cli.listing import solution_listing
    from pytest_torchkata.cli.workspace import stub_text

    for name, task in _every_task():
        stub = stub_text(name, lang).splitlines()
        listings = solution_listing(solution_source(name), task, lang)
        assert listings, (name, task)
        own = {line.strip() for block in solution_blocks(solution_source(name), task) for line in block.splitlines()}
        for listing in listings:
            ast.parse(listing)  # a def line and its body, not a body alone
            assert not re.search(r"#\s?zh:", listing), (name, task)
            heads = [line for line in listing.splitlines()
                     if re.match(r"\s*(async def|def|class) ", line) and line.strip() not in own]
            assert heads, (name, task)
            for head in heads:
                assert any(line.strip() == head.strip() for line in stub), (name, task, head)


@pytest.mark.parametrize("lang, comment, other", [
    ("en", "# a fresh leaf that autograd tracks", "一个 autograd 会跟踪的新叶子节点"),
    ("zh", "# 一个 autograd 会跟踪的新叶子节点", "a fresh leaf that autograd tracks"),
])
def test_solution_prints_the_def_line_and_comments_in_the_learners_language(workspace, capsys, monkeypatch,
                                                                          lang, comment, other):
    from pytest_torchkata import cli
    from pytest_torchkata.reports import progress

    monkeypatch.setattr(progress, "is_solved", lambda *args: True)
    assert cli.main(["solution", "autograd", "cubic", "--lang", lang]) == 0
    out = capsys.readouterr().out
    assert "    def grad_of_cubic(x: torch.Tensor) -> torch.Tensor:\n" in out
    assert comment in out and other not in out and "zh:" not in out


# -- 2. lines fitted by display width ------------------------------------------------------------

def _too_wide(lines, columns):
    from pytest_torchkata.reports.display import width

    return [line for line in lines if width(line) > columns]


def _has_cjk(line):
    return any("\u4e00" <= c <= "\u9fff" for c in line)


def test_fit_keeps_lines_that_fit_and_wraps_the_others_by_display_width():
    from pytest_torchkata.reports.display import fit, hanging

    assert fit("  a   b", 10) == ["  a   b"]  # its padding kept
    text = "  注意：tensors.py 第 12 行有 breakpoint()：评分时会跳过它（想停在那里，用 pytest -s 运行）；调试完请删掉它"
    for columns in (20, 33, 40, 80):
        lines = fit(text, columns)
        assert not _too_wide(lines, columns)
        assert all(line.startswith("      ") for line in lines[1:])
        assert "".join(line.strip() for line in lines).replace(" ", "") == text.replace(" ", "")
    lines = hanging("注意：", "评分时会跳过它，" * 10, 30)
    assert not _too_wide(lines, 30) and all(line.startswith("      ") for line in lines[1:])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_header_summary_and_breakpoint_warning_fit_80_columns(pytester, monkeypatch, lang):
    import mini_kata

    monkeypatch.setenv("COLUMNS", "80")
    mini_kata.setup(pytester, mini_kata.SOLUTION.replace("return x * 2", "breakpoint()\n    return x * 2"))
    result = pytester.runpytest("--kata=mini", f"--kata-lang={lang}", "-p", "no:cacheprovider")
    lines = result.stdout.lines
    warning = next(i for i, line in enumerate(lines) if line.startswith(("注意：", "Warning: ")))
    assert len(lines) > warning + 1 and lines[warning + 1].startswith(" ")  # long enough to wrap
    ours = [line for line in lines if line.startswith("torchkata") or _has_cjk(line)] + lines[warning:warning + 3]
    assert not _too_wide(ours, 80)


def test_progress_fits_the_terminal(workspace, capsys, monkeypatch):
    from pytest_torchkata import cli

    monkeypatch.setenv("COLUMNS", "60")
    assert cli.main(["progress", "--lang", "zh"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert not _too_wide(out, 60) and len(out) > 10


def test_watch_screen_and_footer_fit_the_terminal(grade, monkeypatch, capsys, tmp_path):
    import mini_kata
    from pytest_torchkata.cli import watch
    from pytest_torchkata.i18n import set_language

    monkeypatch.setenv("COLUMNS", "50")
    learner = mini_kata.SOLUTION.replace("return x * 2", "breakpoint()\n    return 0")
    graded = grade("mini", learner, "--kata-lang=zh",
                   files={"conftest.py": mini_kata.CONFTEST, "checks_mini.py": mini_kata.CHECKS})
    set_language("zh")
    capsys.readouterr()  # the graded run's own output
    lines = watch.screen(graded.report, None)
    assert any(line.startswith("注意：") for line in lines)
    watch.show(lines, tmp_path / "一个很长的文件夹名字" / "katas" / "mini.py")
    shown = capsys.readouterr().out.splitlines()
    assert any(line.startswith("正在监视") for line in shown[:-1])  # the footer, over more than one line
    assert not _too_wide(shown, 50)


# -- 3. no English left in Chinese text -----------------------------------------------------------

# English words that are never a code name or a term on their own: a run of English words holding
# one of them, outside code (backticks, quotes) and placeholders, is English prose left in Chinese
_PROSE = {"in", "the", "of", "to", "and", "or", "per", "one", "is", "not", "with", "for", "process", "its", "it",
          "by", "at", "on", "from", "when", "then"}
_VERBS = {"append", "return", "use", "call", "add", "pass", "set", "run", "remove", "check", "write"}


def _literal(node):
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left), _literal(node.right)
        return left + right if left is not None and right is not None else None
    return None


def _stray_english(zh):
    import re

    text = re.sub(r"`[^`]*`|\{[^}]*\}|'[^']*'|\"[^\"]*\"", " ", zh)
    found = [run for run in re.findall(r"[A-Za-z][A-Za-z ]*[A-Za-z]", text)
             if len(run.split()) >= 2 and _PROSE & {w.lower() for w in run.split()}]
    return found + [m.group(0) for m in re.finditer(r"请 ?([A-Za-z]+)\b(?![.(])", text) if m.group(1).lower() in _VERBS]


def test_chinese_halves_have_no_english_prose():
    import ast
    from pathlib import Path

    import pytest_torchkata

    found = []
    for path in sorted(Path(pytest_torchkata.__file__).parent.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node, "func", None)
            name = getattr(name, "id", getattr(name, "attr", ""))
            if isinstance(node, ast.Call) and name in ("tr", "Text") and len(node.args) >= 2:
                zh = _literal(node.args[1])
                if zh and _stray_english(zh):
                    found.append(f"{path.name}:{node.lineno}: {_stray_english(zh)}")
    assert found == []


def test_the_scan_finds_english_prose():
    assert _stray_english("请 append `w.grad.clone()`") == ["请 append"]
    assert _stray_english("每个 epoch 追加一个（one per epoch）") == ["one per epoch"]
    assert _stray_english("用 `torch.max(x, dim)` 的 values 和 indices；one-hot 标签；BCE-with-logits") == []


def test_a_chinese_run_names_places_and_the_mode_in_chinese(pytester):
    import mini_kata

    mini_kata.setup(pytester, mini_kata.SOLUTION.replace("return x * 2", "return x.view(-1, 3)"))
    result = pytester.runpytest("--kata=mini", "--kata-lang=zh", "-p", "no:cacheprovider")
    out = result.stdout.str()
    assert "mini.py:5 (double): return x.view(-1, 3)" in out
    assert " in double" not in out and "in-process" not in out
    assert "在评分进程内运行" in out


def test_an_isolated_chinese_header_names_the_sandbox_in_chinese(pytester, monkeypatch):
    import mini_kata

    monkeypatch.setenv("COLUMNS", "300")
    mini_kata.setup(pytester, mini_kata.SOLUTION, as_plugin=True)
    result = pytester.runpytest("--kata=mini", "--kata-lang=zh", "--kata-isolate", *mini_kata.PLUGIN_ARGS,
                                "--kata-sandbox=none", "-p", "no:cacheprovider")
    header = next(line for line in result.stdout.lines if line.startswith("torchkata：设备"))
    assert "隔离的工作进程，沙箱 none（只有独立的会话和资源限制）；警告：沙箱级别 none 挡不住" in header
    assert "isolated" not in header and "WARNING" not in header
