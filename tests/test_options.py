"""Command-line options, ini keys, environment variables and usage errors."""

import json

import pytest

import mini_kata


def test_unknown_kata_is_a_usage_error_listing_the_valid_ones(pytester):
    mini_kata.setup(pytester)
    result = pytester.runpytest("--kata=nope")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--kata: unknown kata 'nope'. Valid katas: *mini*, or 'all'.*"])


def test_all_selects_every_registered_kata(pytester):
    mini_kata.setup(pytester)
    result = pytester.runpytest("--kata=all", "--kata-report=r.json", "-p", "no:cacheprovider")
    names = [k["name"] for k in json.loads((pytester.path / "r.json").read_text())["katas"]]
    assert "mini" in names and "tensors" in names
    assert result.ret in (0, 1)


def test_missing_kata_folder_says_how_to_get_one(pytester):
    mini_kata.setup(pytester)
    result = pytester.runpytest("--kata=mini", "--kata-dir=nowhere")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*there is no kata folder at*torchkata init*"])


def test_missing_kata_file_is_an_error_per_task_and_the_report_is_written(pytester):
    mini_kata.setup(pytester)
    (pytester.path / "katas" / "mini.py").unlink()
    result = pytester.runpytest("--kata=mini", "--kata-report=r.json", "-p", "no:cacheprovider")
    report = json.loads((pytester.path / "r.json").read_text())
    task = report["katas"][0]["tasks"][0]
    assert task["status"] == "error"
    # the report says what is wrong; the command to fix it is for the learner's terminal only
    assert "there is no learner file" in task["message"] and "torchkata" not in task["message"]
    result.stdout.fnmatch_lines(["*To do: get a fresh one with `torchkata reset mini*"])
    assert result.ret == 1


@pytest.mark.parametrize("args, env, expected", [
    (["--kata-timeout=abc"], {}, "*--kata-timeout: 'abc' (from the command line --kata-timeout) is not a number*"),
    ([], {"TORCHKATA_SEED": "x1"}, "*--kata-seed: 'x1' (from the environment variable TORCHKATA_SEED) is not a whole number*"),
    (["--kata-device=gpu"], {}, "*--kata-device: 'gpu' (from the command line --kata-device) is not one of auto, cpu, cuda*"),
    (["--kata-timeout=-1"], {}, "*--kata-timeout: '-1'*must not be negative*"),
])
def test_bad_values_name_where_they_came_from(pytester, monkeypatch, args, env, expected):
    mini_kata.setup(pytester)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = pytester.runpytest("--kata=mini", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([expected])


def test_ini_keys_and_env_are_read_with_cli_first(pytester, monkeypatch):
    mini_kata.setup(pytester)
    pytester.makeini("[pytest]\nkata = mini\nkata_seed = 7\n")
    monkeypatch.setenv("TORCHKATA_SEED", "11")
    result = pytester.runpytest("--kata-report=r.json", "-p", "no:cacheprovider")
    assert json.loads((pytester.path / "r.json").read_text())["seed"] == 11
    result = pytester.runpytest("--kata-seed=3", "--kata-report=r.json", "-p", "no:cacheprovider")
    assert json.loads((pytester.path / "r.json").read_text())["seed"] == 3
    result.stdout.fnmatch_lines(["torchkata: device cpu*seed 3*"])


def test_without_kata_the_plugin_stays_out_of_the_way(pytester):
    pytester.makepyfile(test_plain="""
        import sys
        def test_ordinary():
            assert "torch" not in sys.modules
    """)
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1)
    assert "torchkata:" not in result.stdout.str()


def test_kata_list_shows_tasks_and_progress_then_exits(pytester):
    mini_kata.setup(pytester, mini_kata.SOLUTION.replace("a + b", "a - b"))
    pytester.runpytest("--kata=mini")
    result = pytester.runpytest("--kata-list")
    assert result.ret == 0
    result.stdout.fnmatch_lines([
        "*mini*Mini kata*[[]1/2 passed[]]*",
        "*1. Double a tensor*2 pts*passed*",
        "*2. Add two tensors*1 pts*FAILED*",
        "Grade one with: pytest --kata=NAME*",
    ])
    assert "collected" not in result.stdout.str() or "passed" in result.stdout.str()


def test_header_names_kata_device_seed_and_torch(pytester, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")  # header lines whole (at 80 columns they wrap)
    import torch

    from pytest_torchkata.plugin.access import seed_digest

    mini_kata.setup(pytester)
    result = pytester.runpytest("--kata=mini", "--kata-seed=5")
    result.stdout.fnmatch_lines([
        "torchkata *: katas mini from *katas",  # the digest: what grading logs show of a secret seed
        f"torchkata: device cpu*; seed 5 (digest {seed_digest(5)}); torch {torch.__version__}; in-process",
    ])
