"""What the terminal shows: widths in display columns, one report of a file that cannot
be loaded, -k by task title, deselected tasks in one line, and `q` in pdb."""

import sys

import mini_kata
from pytest_torchkata.reports.display import width, wrap

CHINESE_TITLE = mini_kata.CHECKS.replace(
    'KATA = Kata("mini", "Mini kata", "for the plugin\'s own tests")',
    'from pytest_torchkata.i18n import Text\nKATA = Kata("mini", Text("Mini kata", "迷你练习：张量"), "for tests")')


def test_display_width_counts_a_cjk_character_as_two_columns():
    assert width("张量 ab") == 7
    assert all(width(line) <= 20 for line in wrap("梯度 " * 30 + "x" * 50, 20))


def test_the_kata_header_fills_the_terminal_width_with_a_chinese_title(pytester):
    mini_kata.setup(pytester)
    pytester.makepyfile(checks_mini=CHINESE_TITLE)
    result = pytester.runpytest("--kata=mini", "--kata-lang=zh", "-p", "no:cacheprovider")
    header = next(line for line in result.stdout.lines if "torchkata：mini" in line)
    assert "迷你练习：张量" in header
    full = next(line for line in result.stdout.lines if line.startswith("=====") and "test session" in line)
    assert width(header) <= width(full) and width(full) - width(header) <= 1, (header, full)


def test_long_messages_wrap_under_their_task_instead_of_being_cut(pytester, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    long_what = "add(a, b) " + "with a very long description " * 8
    checks = mini_kata.CHECKS.replace('what="add(a, b)"', f'what="{long_what}"')
    mini_kata.setup(pytester, mini_kata.SOLUTION.replace("return a + b", "return a - b"))
    pytester.makepyfile(checks_mini=checks)
    result = pytester.runpytest("--kata=mini", "-p", "no:cacheprovider")
    lines = result.stdout.lines
    start = next(i for i, line in enumerate(lines) if "2. Add two tensors" in line)
    message = []
    for line in lines[start + 1:]:
        if not line.startswith(" " * 17):
            break
        message.append(line.strip())
    assert len(message) > 2 and all(width(line) <= 60 for line in lines[start + 1:start + 1 + len(message)])
    assert "value(s) are off" in " ".join(message) and "…" not in " ".join(message)


def test_a_file_that_cannot_be_loaded_is_reported_once(pytester):
    mini_kata.setup(pytester, "def double(x)\n    return x * 2\n")
    result = pytester.runpytest("--kata=mini", "-p", "no:cacheprovider")
    out = result.stdout.str()
    result.assert_outcomes(failed=1, skipped=2)
    # one failure block (pytest's short summary repeats its first line, in full when CI is set)
    assert [line.startswith("Task ") for line in out.splitlines()].count(True) == 1
    assert out.count("No task above could run:") == 1
    assert "look at the line it names" in out  # the hint for syntax errors
    assert "same cause as above" not in out.split("torchkata: mini")[-1]


def test_dash_k_matches_task_titles_and_ids_and_deselected_tasks_take_one_line(grade):
    from kata_testing import solution_source

    graded = grade("tensors", solution_source("tensors"), "-k", "permute")
    assert graded.status("reshape") == "passed"
    assert [t for t, s in graded.statuses().items() if s != "skipped"] == ["reshape"]
    graded.result.stdout.fnmatch_lines(["  7 tasks not run this time (deselected with -k): 1, 3, 4, 5, 6, 7, 8"])
    assert graded.output.count("not run this time") == 1
    by_id = grade("tensors", solution_source("tensors"), "-k", "log_softmax")
    assert [t for t, s in by_id.statuses().items() if s != "skipped"] == ["log_softmax"]


def test_q_in_pdb_under_dash_s_ends_the_run_cleanly(pytester):
    learner = mini_kata.SOLUTION.replace("return x * 2", "breakpoint()\n    return x * 2")
    mini_kata.setup(pytester, learner)
    result = pytester.run(sys.executable, "-m", "pytest", "--kata=mini", "-s", "-p", "no:cacheprovider",
                          "-p", "no:hypothesispytest", stdin=b"q\n", timeout=120)
    out = result.stdout.str()
    assert out.count("(Pdb)") == 1, out  # it does not stop again at the next check
    assert "raised Exit" not in out and "raised BdbQuit" not in out
    assert "Traceback" not in out
    assert result.ret == 2
    # the warning agrees with what happened: under -s it stops there
    assert "under -s it stops the run there" in out and "skipped while grading" not in out


def test_the_summary_speaks_chinese_under_kata_lang_zh(pytester):
    mini_kata.setup(pytester, mini_kata.STUB)
    result = pytester.runpytest("--kata=mini", "--kata-lang=zh", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines([
        "torchkata 0.1.0：练习 mini，文件在 *",  # the folder may go on in the next line: 80 columns
        "*torchkata：mini - Mini kata  0/3 分*",
        "  未开始       1. Double a tensor * 0/2",
        "  下一步：任务 1“Double a tensor”（未开始）。",
        "  提示：multiply by 2",
        "  需要更多提示：torchkata hint mini 1",
    ])


def test_an_inner_chinese_run_leaves_the_language_as_it_was(pytester):
    from pytest_torchkata.i18n import language

    mini_kata.setup(pytester, mini_kata.STUB)
    before = language()
    pytester.runpytest("--kata=mini", "--kata-lang=zh", "-p", "no:cacheprovider")
    assert language() == before


def test_a_torch_warning_from_learner_code_names_the_learners_line(pytester):
    # torch puts its warnings at the Python frame that called it: the grader's function mode
    learner = mini_kata.SOLUTION.replace("    return x * 2", "    copy = torch.tensor(x)\n    return copy * 2")
    mini_kata.setup(pytester, learner)
    result = pytester.runpytest("--kata=mini", "-p", "no:cacheprovider", "-W", "always::UserWarning")
    result.stdout.fnmatch_lines(["*katas/mini.py:5: UserWarning: To copy construct from a tensor*",
                                 "*copy = torch.tensor(x)"])
    assert "guards.py" not in result.stdout.str()
