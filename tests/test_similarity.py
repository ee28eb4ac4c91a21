"""`torchkata similarity` and `grade --similarity`: copied code is found across katas, the given
code never counts, the page is self-contained and inert, and bad input gets a clear message.

The engine tests use tiny files and a tiny stand-in stub; the command tests use the real
``tensors`` stub (its fingerprints are the boilerplate) with a few small student files."""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from pathlib import Path

import pytest
from kata_testing import stub_source

from pytest_torchkata.cli import main
from pytest_torchkata.reports.similarity import engine

HAVE_LIBRARY = importlib.util.find_spec("copydetect") is not None  # without importing it at collection
needs_library = pytest.mark.skipif(not HAVE_LIBRARY, reason="copydetect is not installed (the similarity extra: "
                                                           'pip install "pytest-torchkata[similarity]")')

STUB = '''import torch


def scale(x: torch.Tensor, factor: float) -> torch.Tensor:
    """x times factor, as a new tensor."""
    # TODO(task 1): write this part
    raise NotImplementedError("Task 1 (Scale): not written yet")
'''

OWN_CODE = '''
    weights = torch.linspace(0.0, 1.0, steps=x.shape[-1], dtype=x.dtype)
    shifted = (x - x.mean(dim=-1, keepdim=True)) * weights
    summary = torch.stack([shifted.amax(dim=-1), shifted.amin(dim=-1)], dim=-1)
    return summary.flip(-1).cumsum(dim=-1) * factor
'''


def _solved(code: str, **renames: str) -> str:
    text = STUB.replace('    raise NotImplementedError("Task 1 (Scale): not written yet")\n', code)
    for old, new in renames.items():
        text = re.sub(rf"\b{old}\b", new, text)
    return text


def _other(seed: int) -> str:
    """Code of its own: nothing in common with OWN_CODE beyond the stub."""
    return _solved(f"    out = x.clone()\n    for _ in range({seed}):\n        out = out.sin() + {seed}.5\n"
                   f"    return torch.where(out > {seed}, out, -out) / factor\n")


@needs_library
def test_copied_code_is_found_across_katas_and_renamed_names_do_not_hide_it():
    from pytest_torchkata.reports.similarity import Document, boilerplate_hashes, compare

    given = boilerplate_hashes([STUB])
    docs = [Document("ann", "one", "one.py", _solved(OWN_CODE)),
            Document("bo", "one", "one.py", _solved(OWN_CODE, weights="w", shifted="centred", summary="s")),
            Document("cy", "one", "one.py", _other(3)),
            Document("ann", "two", "two.py", _solved(OWN_CODE)),
            Document("bo", "two", "two.py", _solved(OWN_CODE, factor="k")),
            Document("cy", "two", "two.py", _other(4)),
            # a pair similar in one kata only, even at 100%, comes after the pair similar in two
            Document("dee", "three", "three.py", _other(7)),
            Document("eve", "three", "three.py", _other(7))]
    result = compare(docs, {"one": given, "two": given, "three": given}, threshold=0.6)
    assert [(p.a, p.b, sorted(p.katas)) for p in result.pairs] == [("ann", "bo", ["one", "two"]),
                                                                     ("dee", "eve", ["three"])]
    match = result.pairs[0].matches[0]
    assert match.share_a >= 0.9 and match.share_b >= 0.9
    shared = "".join(match.a.code[s:e] for s, e in match.spans_a)
    assert "torch.linspace" in shared and "cumsum" in shared


@needs_library
def test_the_given_code_never_counts():
    from pytest_torchkata.reports.similarity import Document, boilerplate_hashes, compare

    docs = [Document(s, "one", "one.py", STUB) for s in ("ann", "bo")]
    assert compare(docs, {"one": boilerplate_hashes([STUB])}).pairs == []
    assert compare(docs, {}).pairs, "without the stub as boilerplate the two files are the same"


@needs_library
def test_taking_out_the_given_code_keeps_every_occurrence_of_ones_own_code():
    """copydetect's own boilerplate filter (0.5.0) also drops one occurrence of code that a file
    repeats; here only the stub's fingerprints go."""
    from pytest_torchkata.reports.similarity import boilerplate_hashes, fingerprint

    copydetect = engine()
    text = _solved(OWN_CODE + OWN_CODE.replace("return", "summary ="))  # four lines, twice
    given = boilerplate_hashes([STUB])
    plain, cleaned = fingerprint(copydetect, text, set()), fingerprint(copydetect, text, given)
    assert any(len(places) > 1 for places in cleaned.hash_idx.values()), "the file repeats code"
    assert cleaned.hash_idx == {h: places for h, places in plain.hash_idx.items() if h not in given}
    assert cleaned.hashes == set(plain.hashes) - given


def _class(root: Path, files: dict[str, bytes | str]) -> Path:
    klass = root / "class"
    for student, data in files.items():
        folder = klass / student / "katas"
        folder.mkdir(parents=True)
        path = folder / "tensors.py"
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return klass


def _tensors(code: str) -> str:
    """The real tensors stub with one function of the student's own at its end."""
    return stub_source("tensors") + "\n\ndef helper(x, factor):\n" + code


HOSTILE = OWN_CODE + '    # </pre><script>alert("x")</script><img src="http://example.com/a.png"> \u202e\n'


@needs_library
def test_the_command_writes_both_files_and_the_page_is_inert_and_self_contained(tmp_path, capsys):
    klass = _class(tmp_path, {"ann": _tensors(HOSTILE), "bo": _tensors(HOSTILE.replace("weights", "w")),
                              "cy": _tensors("    return x * factor\n"), "stubby": stub_source("tensors")})
    out = tmp_path / "out"
    assert main(["similarity", str(klass), "--out", str(out), "--kata", "tensors", "--threshold", "50%"]) == 0
    assert "1 pair(s)" in capsys.readouterr().err
    rows = list(csv.DictReader((out / "similarity.csv").open(encoding="utf-8")))
    assert [(r["kata"], r["student_a"], r["student_b"], r["pair_katas"]) for r in rows] == [("tensors", "ann", "bo", "1")]
    assert float(rows[0]["similarity_a"]) >= 0.5
    page = (out / "similarity.html").read_text(encoding="utf-8")
    assert "<style>" in page and "<mark>" in page
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "&lt;script&gt;" in page and "\\u202e" in page and "\u202e" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page), "no external request"


@needs_library
def test_files_that_cannot_be_compared_are_listed_with_why(tmp_path, capsys):
    klass = _class(tmp_path, {"ann": _tensors(OWN_CODE), "bo": _tensors(OWN_CODE),
                              "bin": b"\x00\x01\x02 not text", "latin": "x = '\u00e9'\n".encode("latin-1"),
                              "huge": "x = 1\n" * 50_000})
    out = tmp_path / "out"
    assert main(["similarity", str(klass), "--out", str(out), "--kata", "tensors"]) == 0
    page = (out / "similarity.html").read_text(encoding="utf-8")
    assert "bin: tensors.py: not a text file" in page
    assert "latin: tensors.py: not a text file (not UTF-8)" in page
    assert "huge: tensors.py: too large to compare" in page
    assert "3 file(s) not compared" in capsys.readouterr().err


@needs_library
@pytest.mark.parametrize("case", ["missing", "alone"])
def test_a_missing_folder_or_a_class_of_one_is_a_clear_message(tmp_path, capsys, case):
    target = tmp_path / "nowhere" if case == "missing" else _class(tmp_path, {"ann": _tensors(OWN_CODE)})
    assert main(["similarity", str(target), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert ("does not exist" in err) if case == "missing" else ("needs at least two" in err)
    assert not (tmp_path / "out" / "similarity.html").exists()


def test_without_the_library_the_command_says_how_to_install_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "copydetect", None)  # import copydetect now fails
    klass = _class(tmp_path, {"ann": "x = 1\n", "bo": "x = 1\n"})
    assert main(["similarity", str(klass), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert 'pip install "pytest-torchkata[similarity]"' in err and "Traceback" not in err


def test_a_threshold_that_is_no_share_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["similarity", str(tmp_path), "--threshold", "150%"])
    assert exited.value.code == 2
    assert "not a share between 0 and 1" in capsys.readouterr().err


def test_grade_takes_similarity_and_says_a_missing_library_before_grading(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "copydetect", None)
    klass = _class(tmp_path, {"ann": "x = 1\n", "bo": "x = 1\n"})
    out = tmp_path / "out"
    assert main(["grade", str(klass), "--out", str(out), "--kata", "tensors", "--similarity",
                 "--similarity-threshold", "0.8"]) == 2
    assert 'pip install "pytest-torchkata[similarity]"' in capsys.readouterr().err
    assert not (out / "gradebook.csv").exists(), "nothing is graded when the report cannot be made"


@needs_library
def test_grade_similarity_writes_the_report_beside_the_gradebook(tmp_path, capsys, monkeypatch):
    """The grading itself is ``cli.grade``'s (tested there); here it is a stand-in that
    returns the gradebook rows, so only what --similarity adds runs."""
    from pytest_torchkata.cli import grade

    klass = _class(tmp_path, {"ann": _tensors(OWN_CODE), "bo": _tensors(OWN_CODE)})
    out = tmp_path / "out"
    monkeypatch.setattr(grade, "grade_class", lambda *a, **k: [])
    assert main(["grade", str(klass), "--out", str(out), "--kata", "tensors", "--similarity"]) == 0
    assert "ann" in (out / "similarity.csv").read_text(encoding="utf-8")
    assert (out / "similarity.html").is_file()


def test_the_page_marks_the_matching_code_and_folds_long_stretches_between():
    from pytest_torchkata.reports.similarity_page import marked_code

    code = "\n".join(f"line{i} = {i}" for i in range(1, 21))
    start = code.index("line10")
    shown = marked_code(code, [(start + 2, start + 6), (start, start + 4)], context=2)  # overlapping spans
    assert '<span class="ln">10</span><mark>line10</mark> = 10' in shown
    assert shown.count("<mark>") == 1
    assert "⋯ 7 lines ⋯" in shown and "⋯ 8 lines ⋯" in shown  # lines 1-7 and 13-20
    assert "line7 " not in shown and "line8 = 8" in shown and "line12 = 12" in shown and "line13" not in shown


@needs_library
def test_the_quick_count_that_spares_comparisons_agrees_with_copydetect():
    """Pairs are counted in plain Python before copydetect compares them: the count must be
    copydetect's own overlap, or a pair over the threshold could be missed."""
    import random

    from kata_testing import solution_source

    from pytest_torchkata.reports.similarity import _covered, fingerprint

    copydetect = engine()
    lines = [line for kata in ("tensors", "autograd") for line in solution_source(kata).splitlines()]
    chance = random.Random(7)
    for _ in range(40):
        a, b = ("\n".join(chance.sample(lines, 40)) for _ in range(2))
        found_a, found_b = fingerprint(copydetect, a, set()), fingerprint(copydetect, b, set())
        overlap, (_, share_b), _ = copydetect.compare_files(found_a, found_b)
        shared = found_a.hashes & found_b.hashes
        assert _covered(found_a, shared) == overlap
        if shared:
            assert _covered(found_b, shared) / found_b.token_coverage == pytest.approx(share_b)


@needs_library
def test_notebooks_are_compared_as_their_code_and_their_generated_cells_never_count(tmp_path):
    pytest.importorskip("nbformat", reason="notebooks need nbformat (the notebook extra)")
    import json

    from pytest_torchkata.authoring.notebooks import notebook_text

    pristine = json.loads(notebook_text("tensors"))
    solved = json.loads(notebook_text("tensors"))
    solved["cells"].append({"cell_type": "code", "id": "own", "metadata": {}, "execution_count": None,
                            "outputs": [], "source": "def helper(x, factor):\n" + OWN_CODE})
    klass = tmp_path / "class"
    for student, notebook in {"ann": solved, "bo": solved, "cy": pristine, "dee": pristine}.items():
        (klass / student / "katas").mkdir(parents=True)
        (klass / student / "katas" / "tensors.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["similarity", str(klass), "--out", str(out), "--kata", "tensors"]) == 0
    rows = list(csv.DictReader((out / "similarity.csv").open(encoding="utf-8")))
    assert [(r["student_a"], r["student_b"]) for r in rows] == [("ann", "bo")]
    assert "tensors.ipynb" in (out / "similarity.html").read_text(encoding="utf-8")


def test_no_student_is_named_after_a_file_the_class_outputs_hold(tmp_path):
    from pytest_torchkata.cli.submissions import discover

    for name in ("similarity.html", "similarity.csv", "gradebook_canvas.csv", "roster_unmatched.csv", "ann"):
        (tmp_path / "class" / name / "katas").mkdir(parents=True)
        (tmp_path / "class" / name / "katas" / "tensors.py").write_text("x = 1\n")
    names = {sub.name for sub in discover([tmp_path / "class"], ["tensors"])}
    assert "ann" in names and len(names) == 5
    assert not names & {"similarity.html", "similarity.csv", "gradebook_canvas.csv", "roster_unmatched.csv"}


@needs_library
def test_an_output_folder_that_cannot_be_written_is_a_clear_message(tmp_path, capsys):
    klass = _class(tmp_path, {"ann": _tensors(OWN_CODE), "bo": _tensors(OWN_CODE)})
    (tmp_path / "taken").write_text("a file, not a folder")
    assert main(["similarity", str(klass), "--out", str(tmp_path / "taken"), "--kata", "tensors"]) == 2
    err = capsys.readouterr().err
    assert "cannot write into" in err and "Traceback" not in err
