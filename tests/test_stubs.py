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


def test_wheel_ships_both_stub_languages_and_keeps_the_references_inside_the_package(tmp_path, monkeypatch):
    """The references ship (``torchkata solution`` shows one after its task passed) but only
    inside the package, never as a top-level solutions/ a learner would stumble on;
    a workspace made by ``torchkata init`` has none (tests/test_learner_cli.py)."""
    hatch_build = pytest.importorskip("hatchling.build")
    monkeypatch.chdir(cli.CHECKOUT)
    name = hatch_build.build_wheel(str(tmp_path))
    files = zipfile.ZipFile(tmp_path / name).namelist()
    assert "pytest_torchkata/_stubs/tensors.py" in files
    assert "pytest_torchkata/_stubs/zh/tensors.py" in files
    assert "pytest_torchkata/_solutions/tensors.py" in files
    assert "pytest_torchkata/katas/tensors/tasks.py" in files
    assert "pytest_torchkata/katas/tensors/world.py" in files
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


BILINGUAL = '''"""Squares.

[zh]
平方。
"""


def square(x):
    """Return x squared.

    Shapes: any.

    [zh]
    返回 x 的平方。

    形状：任意。
    """
    # Multiply x by itself.
    # zh: x 乘以它自己。
    # Not translated.
    y = x  # a trailing comment stays
        # BEGIN SOLUTION square
    return x * x
    # END SOLUTION
'''.replace("        # BEGIN", "    # BEGIN")


@pytest.mark.parametrize("lang, start, kept, dropped", [
    ("en", '"""Squares.\n"""',
     ['    """Return x squared.\n\n    Shapes: any.\n    """\n', "    # Multiply x by itself.\n    # Not translated.\n"],
     ["[zh]", "平方", "zh:"]),
    ("zh", '"""平方。"""',
     ['    """返回 x 的平方。\n\n    形状：任意。\n    """\n',
      "    # x 乘以它自己。\n    # Not translated.\n    y = x  # a trailing comment stays\n",
      # the code is the same in both: TODO and NotImplementedError stay English
      '    # TODO(task 1): write this part\n    raise NotImplementedError("Task 1 (Square a number): not written yet")\n'],
     ["Return x squared", "Multiply", "[zh]"]),
], ids=["english_drops_the_chinese", "chinese_keeps_only_the_chinese_where_there_is_a_translation"])
def test_a_stub_in_one_language(lang, start, kept, dropped):
    stub = make_stub(BILINGUAL, KATA, lang=lang)
    assert stub.startswith(start)
    for text in kept:
        assert text in stub
    for text in dropped:
        assert text not in stub


def test_both_stubs_have_the_same_code():
    import ast

    def code(text):
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.FunctionDef)) and ast.get_docstring(node) is not None:
                node.body = node.body[1:]
        return ast.dump(tree)

    assert code(make_stub(BILINGUAL, KATA, lang="en")) == code(make_stub(BILINGUAL, KATA, lang="zh"))


def test_several_english_comment_lines_with_their_translations():
    from pytest_torchkata.authoring.stubs import translate

    source = "# one\n# two\n# zh: 一\n# zh: 二\nx = 1\n"
    assert translate(source, "en") == "# one\n# two\nx = 1\n"
    assert translate(source, "zh") == "# 一\n# 二\nx = 1\n"
