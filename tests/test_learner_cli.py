"""The learner's commands: init --lang, hint in levels, reset, progress, solution after success."""

import pytest

from kata_testing import solution_source
from pytest_torchkata import cli
from pytest_torchkata.i18n import set_language
from pytest_torchkata.reports import progress


@pytest.fixture(autouse=True)
def _english():
    set_language("en")
    yield
    set_language("en")


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TORCHKATA_LANG", raising=False)
    monkeypatch.delenv("TORCHKATA_DIR", raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert cli.main(["init"]) == 0
    return tmp_path / "katas"


def test_init_gives_fresh_stubs_and_no_solutions(workspace):
    stub = (workspace / "tensors.py").read_text()
    assert 'raise NotImplementedError("Task 6 (Numerically stable softmax): not written yet")' in stub
    assert "BEGIN SOLUTION" not in stub
    assert not (workspace.parent / "solutions").exists() and not (workspace / "solutions").exists()


def test_init_lang_zh_writes_the_chinese_stubs_with_the_same_code(tmp_path, capsys):
    from kata_testing import ROOT

    assert cli.main(["init", str(tmp_path), "--lang", "zh"]) == 0
    assert (tmp_path / "katas" / "tensors.py").read_text() == (ROOT / "katas" / "zh" / "tensors.py").read_text()
    assert "个练习文件写入" in capsys.readouterr().out


def test_init_never_copies_solved_files_from_the_checkout(tmp_path, monkeypatch):
    """In an editable install the checkout's katas/ may hold the learner's solved work."""
    from pytest_torchkata.cli import workspace

    monkeypatch.setattr(workspace, "PACKAGE", tmp_path / "no-wheel")  # as in a checkout: no _stubs
    assert workspace.stub_text("tensors") == (cli.CHECKOUT / "katas" / "tensors.py").read_text()
    solved = tmp_path / "checkout-katas"
    solved.mkdir()
    (solved / "tensors.py").write_text(solution_source("tensors"))
    monkeypatch.setattr(workspace, "CHECKOUT", tmp_path)  # its katas/ now holds solved files
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "tensors.py").write_text(solution_source("tensors"))
    (tmp_path / "katas").mkdir()
    (tmp_path / "katas" / "tensors.py").write_text(solution_source("tensors"))
    assert "BEGIN SOLUTION" not in workspace.stub_text("tensors")
    assert "NotImplementedError" in workspace.stub_text("tensors")


def test_hint_by_title_words_shows_one_more_level_each_time(workspace, capsys):
    from pytest_torchkata.cli.workspace import load_kata

    task = load_kata("tensors").get_task("softmax")
    levels = [str(h) for h in task.hints]
    assert cli.main(["hint", "tensors", "stable", "softmax"]) == 0
    out = capsys.readouterr().out
    assert "task 6 (Numerically stable softmax)" in out and levels[0] in out
    assert progress.hints_seen(progress.load(workspace), "tensors", "softmax") == 1
    assert cli.main(["hint", "tensors", "softmax"]) == 0
    out = capsys.readouterr().out
    assert all(level in out for level in levels[:2])
    assert progress.hints_seen(progress.load(workspace), "tensors", "softmax") == min(2, len(levels))


def test_hint_level_n_shows_only_that_level(workspace, capsys):
    assert cli.main(["hint", "tensors", "6", "--level", "1"]) == 0
    assert "hint 1 of" in capsys.readouterr().out
    assert cli.main(["hint", "tensors", "6", "--level", "99"]) == 2
    assert "use --level 1 to" in capsys.readouterr().err


def test_hint_defaults_to_the_next_unfinished_task(workspace, capsys):
    assert cli.main(["hint", "tensors"]) == 0
    assert "task 1 (" in capsys.readouterr().out


@pytest.mark.parametrize("argv, expected", [
    (["hint", "tensor"], "Valid katas: tensors, autograd"),
    (["hint", "tensors", "nosuchthing"], "Its tasks (type a number, an id or title words):"),
    (["hint", "tensors", "soft"], "fits 2 tasks of tensors; type the number"),
    (["reset", "tensorz"], "Valid katas: tensors"),
])
def test_usage_errors_say_what_to_type_instead(workspace, capsys, argv, expected):
    assert cli.main(argv) == 2
    assert expected in capsys.readouterr().err


def test_every_subcommand_has_help(capsys):
    for command in ["init", "watch", "hint", "reset", "progress", "solution", "gen"]:
        with pytest.raises(SystemExit) as exit_info:
            cli.main([command, "--help"])
        assert exit_info.value.code == 0
        assert "usage: torchkata " + command in capsys.readouterr().out


@pytest.mark.parametrize("lang, top, hint", [
    ("zh", ["用法：torchkata", "位置参数", "学习者的主页", "显示任务的提示，每次多给一级"],
     ["用法：torchkata hint", "只显示第 N 级提示", "任务编号、id 或标题中的词", "显示这份帮助并退出"]),
    ("en", ["usage: torchkata", "positional arguments", "the learner's home", "show a task's hints"],
     ["usage: torchkata hint", "show only hint level N", "a task number, id or words of its title",
      "show this help message and exit"]),
])
def test_help_speaks_the_language_chosen_before_the_parser_is_built(capsys, monkeypatch, lang, top, hint):
    monkeypatch.setenv("TORCHKATA_LANG", lang)
    for argv, expected in ((["--help"], top), (["hint", "--help"], hint)):
        with pytest.raises(SystemExit) as exit_info:
            cli.main(argv)
        assert exit_info.value.code == 0
        out = capsys.readouterr().out
        assert all(text in out for text in expected), out
        assert ("usage:" in out, "用法" in out, "show this help" in out) == (lang == "en", lang == "zh", lang == "en")


def test_lang_on_the_command_line_wins_and_argparse_errors_speak_it(capsys, monkeypatch):
    monkeypatch.setenv("TORCHKATA_LANG", "en")
    with pytest.raises(SystemExit):
        cli.main(["hint", "--help", "--lang=zh"])
    assert "只显示第 N 级提示" in capsys.readouterr().out
    set_language("en")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["hint", "tensors", "--level", "x", "--lang", "zh"])
    assert exit_info.value.code == 2
    assert "torchkata hint：错误：参数 --level：'x' 不是有效的 int 值" in capsys.readouterr().err
    set_language("en")
    with pytest.raises(SystemExit):
        cli.main(["hint", "tensors", "--level", "x"])
    assert "argument --level: invalid int value: 'x'" in capsys.readouterr().err


def test_reset_a_task_puts_back_its_stub_and_keeps_the_rest(workspace, capsys):
    mine = solution_source("tensors").replace("# BEGIN SOLUTION", "# mine").replace("# END SOLUTION", "")
    (workspace / "tensors.py").write_text(mine)
    assert cli.main(["reset", "tensors", "softmax"]) == 0
    now = (workspace / "tensors.py").read_text()
    assert 'raise NotImplementedError("Task 6 (Numerically stable softmax): not written yet")' in now
    assert now.count("NotImplementedError(") == 1  # the other tasks keep the learner's code
    backups = list((workspace / ".backup").glob("tensors.*.py"))
    assert [b.read_text() for b in backups] == [mine]
    assert "your version is saved as" in capsys.readouterr().out


def test_reset_the_whole_kata(workspace):
    (workspace / "tensors.py").write_text("def broken(:\n")
    assert cli.main(["reset", "tensors"]) == 0
    assert (workspace / "tensors.py").read_text() == cli.CHECKOUT.joinpath("katas", "tensors.py").read_text()
    assert len(list((workspace / ".backup").glob("tensors.*.py"))) == 1


def test_reset_a_task_of_a_file_that_does_not_parse_says_how_to_reset_all(workspace, capsys):
    (workspace / "tensors.py").write_text("def broken(:\n")
    assert cli.main(["reset", "tensors", "softmax"]) == 2
    assert "torchkata reset tensors" in capsys.readouterr().err


def test_progress_and_solution_after_a_graded_run(grade, pytester, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # its lines whole (a narrower terminal wraps them)
    learner = solution_source("tensors").replace("return e / e.sum(dim=dim, keepdim=True)", "return e")
    graded = grade("tensors", learner)
    assert graded.status("softmax") == "failed" and graded.status("reshape") == "passed"
    folder = pytester.path / "katas"
    assert cli.main(["progress", "--kata-dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "16.38/19 points [7/8 passed]" in out and "next: task 6 (Numerically stable softmax)" in out
    assert "Overall: 16.38/" in out
    assert cli.main(["solution", "tensors", "softmax", "--kata-dir", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "has not passed in a graded run yet" in out and "e.sum(dim=dim" not in out
    assert cli.main(["solution", "tensors", "softmax", "--kata-dir", str(folder), "--lang", "zh"]) == 1
    assert "还没有在评分中通过" in capsys.readouterr().out
    set_language("en")
    assert cli.main(["solution", "tensors", "reshape", "--kata-dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "the reference solution" in out and "x.reshape" in out or "flatten" in out


def test_hints_used_reach_the_json_report(grade, pytester):
    folder = pytester.path / "katas"
    folder.mkdir()
    assert cli.main(["hint", "tensors", "softmax", "--kata-dir", str(folder)]) == 0
    graded = grade("tensors")
    assert graded.task("softmax")["hints_used"] == 1
    assert graded.task("create")["hints_used"] == 0


def test_kata_list_prints_what_torchkata_progress_prints(grade, pytester, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # its lines whole (a narrower terminal wraps them)
    grade("tensors", solution_source("tensors"))
    capsys.readouterr()
    assert cli.main(["progress", "--kata-dir", str(pytester.path / "katas")]) == 0
    printed = capsys.readouterr().out.splitlines()
    listed = pytester.runpytest("--kata-list", "-p", "no:cacheprovider").stdout.lines
    start = listed.index(printed[0])
    assert listed[start:start + len(printed)] == printed
    assert "19/19 points [8/8 passed]  all passed" in printed[1]
