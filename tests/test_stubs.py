"""Stub generation and getting a workspace from an installed wheel."""

import zipfile

import pytest

from pytest_torchkata import cli
from pytest_torchkata.model import Kata
from pytest_torchkata.authoring.stubs import StubError, make_stub

KATA = Kata("demo", "Demo")
KATA.task("square", "Square a number", hint="x * x")


SOURCE = '''def square(x):
    """Return x squared."""
    # BEGIN SOLUTION square
    return x * x
    # END SOLUTION
'''


def test_solution_block_becomes_todo_and_not_implemented():
    assert make_stub(SOURCE, KATA) == (
        'def square(x):\n    """Return x squared."""\n'
        "    # TODO(task 1): write this part\n"
        '    raise NotImplementedError("Task 1 (Square a number): not written yet")\n'
    )


@pytest.mark.parametrize("source, message", [
    (SOURCE.replace("square\n", "cube\n", 1), "names task 'cube'"),
    (SOURCE.replace("    # END SOLUTION\n", ""), "never closed"),
    ("    # END SOLUTION\n", "without BEGIN"),
])
def test_marker_mistakes_are_reported_with_the_line(source, message):
    with pytest.raises(StubError, match=message):
        make_stub(source, KATA)


def test_init_copies_the_learner_files_and_keeps_existing_ones(tmp_path, capsys):
    assert cli.main(["init", str(tmp_path)]) == 0
    copied = sorted(p.name for p in (tmp_path / "katas").glob("*.py"))
    assert "tensors.py" in copied
    (tmp_path / "katas" / "tensors.py").write_text("# my work\n")
    assert cli.main(["init", str(tmp_path)]) == 0
    assert (tmp_path / "katas" / "tensors.py").read_text() == "# my work\n"
    assert "kept your existing" in capsys.readouterr().out


def test_wheel_ships_the_stubs_but_not_the_solutions(tmp_path, monkeypatch):
    hatch_build = pytest.importorskip("hatchling.build")
    monkeypatch.chdir(cli.CHECKOUT)
    name = hatch_build.build_wheel(str(tmp_path))
    files = zipfile.ZipFile(tmp_path / name).namelist()
    assert "pytest_torchkata/_stubs/tensors.py" in files
    assert "pytest_torchkata/katas/tensors.py" in files
    assert not any(f.startswith("solutions/") for f in files)


def test_gen_writes_into_the_folder_it_is_run_from(tmp_path, monkeypatch, capsys):
    import shutil

    shutil.copytree(cli.CHECKOUT / "solutions", tmp_path / "solutions")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["gen"]) == 0
    assert (tmp_path / "katas" / "tensors.py").read_text() == (cli.CHECKOUT / "katas" / "tensors.py").read_text()


def test_gen_outside_a_checkout_says_where_to_run_it(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["gen"]) == 2
    assert "no solutions/ folder" in capsys.readouterr().err
