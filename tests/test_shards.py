"""A class graded in shards: who is in which shard, where ``--shard auto`` finds K and N,
the manifest's digests, what ``torchkata merge`` refuses, the recipes, and a small class
graded whole and in three shards whose merge matches the whole run byte for byte (apart
from timings); then a shard run again, a regrade of one task and a changed check."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from kata_testing import solution_source, stub_source

from pytest_torchkata.cli import manifest, merge, recipe, regrade
from pytest_torchkata.cli.shard import Shard, ShardProblem, bucket, from_engine, parse

# -- who is in which shard -------------------------------------------------------------

NAMES = [f"student{i:03d}" for i in range(300)] + ["张伟", "o'brien", "a.b-c"]


def test_every_student_is_in_exactly_one_shard_whatever_the_order():
    for count in (1, 2, 3, 7):
        shards = [Shard(k, count) for k in range(count)]
        shuffled = random.Random(count).sample(NAMES, len(NAMES))
        owners = {name: [s.index for s in shards if s.owns(name)] for name in shuffled}
        assert all(len(found) == 1 for found in owners.values())
        assert {n: bucket(n, count) for n in NAMES} == {n: found[0] for n, found in owners.items()}
        sizes = [sum(s.owns(n) for n in NAMES) for s in shards]
        assert min(sizes) > len(NAMES) / count * 0.6, sizes  # about even


@pytest.mark.parametrize("env, count, want", [
    ({"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "0"}, None, (2, 3)),
    ({"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "4"}, None, (2, 4)),
    ({"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "8",
      "SLURM_ARRAY_TASK_STEP": "2"}, None, (2, 5)),
    ({"JOB_COMPLETION_INDEX": "5", "TORCHKATA_SHARD_COUNT": "8"}, None, (5, 8)),
    ({"JOB_COMPLETION_INDEX": "5"}, 6, (5, 6)),
    ({"TORCHKATA_SHARD_INDEX": "0", "TORCHKATA_SHARD_COUNT": "256"}, None, (0, 256)),
])
def test_shard_auto_reads_each_engine(env, count, want):
    shard = from_engine(env, count)
    assert (shard.index, shard.count) == want


@pytest.mark.parametrize("env, count, words", [
    ({}, None, ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX", "TORCHKATA_SHARD_INDEX", "--shard K/N"]),
    ({"JOB_COMPLETION_INDEX": "1"}, None, ["--shard-count", "completions"]),
    ({"SLURM_ARRAY_TASK_ID": "1"}, None, ["SLURM_ARRAY_TASK_COUNT", "--shard-count"]),
    ({"TORCHKATA_SHARD_INDEX": "4", "TORCHKATA_SHARD_COUNT": "4"}, None, ["count from 0", "3/4"]),
    ({"TORCHKATA_SHARD_INDEX": "x", "TORCHKATA_SHARD_COUNT": "4"}, None, ["'x'", "whole number"]),
])
def test_shard_auto_says_what_it_could_not_tell(env, count, words):
    with pytest.raises(ShardProblem) as caught:
        from_engine(env, count)
    for word in words:
        assert word in str(caught.value)


def test_shard_on_the_command_line():
    assert parse("1/4") == Shard(1, 4) and parse(None) is None
    for bad, word in (("3", "K/N"), ("4/4", "count from 0"), ("1/0", "at least 1"), ("a/4", "whole number")):
        with pytest.raises(ShardProblem, match=word):
            parse(bad)
    with pytest.raises(ShardProblem, match="--shard auto"):
        parse(None, 4)


# -- the manifest's digests ------------------------------------------------------------

def test_the_options_digest_leaves_out_the_seed_and_the_data_folder_but_not_the_environment():
    env = {"TORCHKATA_TIMEOUT": "5", "TORCHKATA_SEED": "41", "TORCHKATA_DATA": "/here"}
    options = manifest.grading_options(["tensors"], ["--kata-seed=7", "--kata-data=/x", "--kata-lang=zh"], 60, env)
    assert options == ["--kata=tensors", "--kata-timeout=5", "--kata-lang=zh", "--limit=60"]
    assert manifest.seed_value(["--kata-seed=7"], env) == 7 and manifest.seed_value([], env) == 41
    assert manifest.seed_value([], {}) == 0
    with pytest.raises(manifest.ManifestProblem, match="TORCHKATA_SEED"):
        manifest.seed_value([], {"TORCHKATA_SEED": "secret"})


def _pack(root: Path) -> None:
    files = {
        "mypack/__init__.py": "CURRICULUM = ['foo']\n",
        "mypack/common/__init__.py": "",
        "mypack/common/helpers.py": "def x():\n    return 1\n",
        "mypack/common/unused.py": "",
        "mypack/foo/__init__.py": "",
        "mypack/foo/tasks.py": "from mypack.common.helpers import x\nfrom . import world\nimport numpy\n",
        "mypack/foo/world.py": "def f():\n    return 2\n",
        "mypack/foo/reference.py": "def f():\n    return 3\n",
        "mypack/bar/__init__.py": "",
        "mypack/bar/tasks.py": "from mypack.common import unused\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


@pytest.fixture
def pack(tmp_path, monkeypatch):
    """A kata pack ``mypack`` on the path, forgotten afterwards."""
    _pack(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [n for n in sys.modules if n == "mypack" or n.startswith("mypack.")]:
        del sys.modules[name]


def test_a_katas_checks_are_its_folder_and_the_pack_modules_it_imports(pack):
    tmp_path = pack
    found = {p.relative_to(tmp_path).as_posix() for p in manifest.check_files("mypack.foo.tasks")}
    assert found == {"mypack/foo/__init__.py", "mypack/foo/tasks.py", "mypack/foo/world.py",
                     "mypack/common/__init__.py", "mypack/common/helpers.py"}
    assert "mypack.foo" in sys.modules and "mypack.foo.tasks" not in sys.modules  # found, not imported


def test_the_checks_digest_changes_with_a_shared_helper_and_not_with_the_reference(pack, monkeypatch):
    from pytest_torchkata.registry import KataRegistry

    tmp_path = pack
    registry = KataRegistry()
    registry.register("mypack.foo.tasks")
    monkeypatch.setattr("pytest_torchkata.registry.installed", lambda: registry)
    first = manifest.checks_digests(["foo"])["foo"]
    (tmp_path / "mypack/foo/reference.py").write_text("def f():\n    return 4\n")
    assert manifest.checks_digests(["foo"])["foo"] == first
    (tmp_path / "mypack/common/helpers.py").write_text("def x():\n    return 5\n")
    assert manifest.checks_digests(["foo"])["foo"] != first


# -- merge refuses what does not belong together ----------------------------------------

def _fake_shard(folder: Path, index: int, count: int, klass: list[str], **changes) -> None:
    students = [s for s in klass if bucket(s, count) == index]
    for student in students:
        (folder / student).mkdir(parents=True)
        row = {"student": student, "total": 1.0, "max_total": 2.0, "katas": {"k": 1.0}, "errors": 0,
               "timeouts": 0, "refused": False, "problem": "", "note": "", "seconds": 1.0, "peak_mib": 1}
        (folder / student / "grade.json").write_text(json.dumps({"fingerprint": "f", "checks": {}, "row": row}))
    data = manifest.build(names=["k"], options=["--kata=k"], seed_digest="s", checks={"k": "c"},
                          shard=Shard(index, count), klass=klass, students=students, graded=students,
                          started="now", seconds=1.0, per_student={})
    data.update(changes)
    manifest.write(folder, data)


CLASS = ["ann", "bob", "cy", "dee", "eve", "fay", "gus"]


def _shards(tmp_path: Path, count: int = 3, odd: int | None = None, **changes) -> list[Path]:
    folders = [tmp_path / f"shard-{k}" for k in range(count)]
    for k, folder in enumerate(folders):
        folder.mkdir()
        _fake_shard(folder, k, count, CLASS, **(changes if k == odd else {}))
    return folders


@pytest.mark.parametrize("changes, words", [
    ({"tool_version": "9.9"}, ["versions of torchkata", "9.9"]),
    ({"options_digest": "other", "options": ["--kata=k", "--kata-timeout=1"]}, ["options", "--kata-timeout=1"]),
    ({"seed_digest": "other"}, ["seeds"]),
    ({"checks": {"k": "changed"}}, ["checks", "of k"]),
    ({"class": CLASS[:-1]}, ["different classes", "gus"]),
])
def test_merge_refuses_shards_graded_differently(tmp_path, changes, words):
    folders = _shards(tmp_path, odd=1, **changes)
    with pytest.raises(merge.MergeProblem) as caught:
        merge.merge(folders, tmp_path / "out", progress=False)
    for word in words:
        assert word in str(caught.value)
    assert str(folders[0]) in str(caught.value) and str(folders[1]) in str(caught.value)
    assert not (tmp_path / "out").exists()


def test_merge_names_students_graded_twice_or_in_no_shard(tmp_path):
    folders = _shards(tmp_path)
    lost = [s for s in CLASS if bucket(s, 3) == 2]
    with pytest.raises(merge.MergeProblem) as caught:
        merge.merge(folders[:2], tmp_path / "out", progress=False)
    assert all(s in str(caught.value) for s in lost) and "shards 2 of 3" in str(caught.value)
    copy = tmp_path / "copy"
    shutil.copytree(folders[0], copy)
    with pytest.raises(merge.MergeProblem, match="graded twice") as caught:
        merge.merge([*folders, copy], tmp_path / "out", progress=False)
    assert all(s in str(caught.value) for s in CLASS if bucket(s, 3) == 0)
    rows = merge.merge(folders[:2], tmp_path / "out", partial=True, progress=False)
    assert [r["student"] for r in rows] == [s for s in CLASS if s not in lost]
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["missing"] == lost


def test_merge_says_a_shard_without_manifest_did_not_finish(tmp_path):
    folders = _shards(tmp_path)
    (folders[1] / "manifest.json").unlink()
    with pytest.raises(manifest.ManifestProblem, match="did not finish"):
        merge.merge(folders, tmp_path / "out", progress=False)


# -- recipes ------------------------------------------------------------------------

def test_the_slurm_recipe_and_its_gpu_variant():
    cpu = recipe.render("slurm", shards=3, kata="tensors", passthrough=["--kata-timeout=2"])
    assert "#SBATCH --array=0-2" in cpu and "--shard auto" in cpu and "--kata=tensors --kata-timeout=2" in cpu
    assert "gres" not in cpu and "TORCHKATA_SEED" in cpu
    gpu = recipe.render("slurm", shards=8, gpu=True)
    assert "#SBATCH --gres=gpu:1" in gpu and "--kata-device=cuda" in gpu and "#SBATCH --array=0-7" in gpu
    with pytest.raises(recipe.RecipeProblem, match="secret"):
        recipe.render("slurm", shards=2, passthrough=["--kata-seed=5"])


def test_the_kubernetes_recipe_is_an_indexed_job_with_a_shared_volume_and_a_merge_job():
    docs = list(yaml.safe_load_all(recipe.render("kubernetes", shards=6, image="me/torchkata:1")))
    claim, grade, merged = docs
    assert claim["kind"] == "PersistentVolumeClaim" and "ReadWriteMany" in claim["spec"]["accessModes"]
    assert grade["spec"]["completionMode"] == "Indexed" and grade["spec"]["completions"] == 6
    pod = grade["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e for e in pod["env"]}
    assert env["TORCHKATA_SHARD_COUNT"]["value"] == "6"
    assert env["TORCHKATA_SEED"]["valueFrom"]["secretKeyRef"]["name"] == "torchkata-seed"
    assert "--shard auto" in pod["args"][0] and "$JOB_COMPLETION_INDEX" in pod["args"][0]
    assert "torchkata merge" in merged["spec"]["template"]["spec"]["containers"][0]["command"][2]


def test_the_actions_recipe_is_a_matrix_and_a_merge_job_within_the_256_job_limit():
    flow = yaml.safe_load(recipe.render("actions", shards=5))
    assert flow["jobs"]["grade"]["strategy"]["matrix"]["shard"] == [0, 1, 2, 3, 4]
    step = next(s for s in flow["jobs"]["grade"]["steps"] if "torchkata grade" in s.get("run", ""))
    assert step["env"]["TORCHKATA_SHARD_COUNT"] == "5" and "secrets.TORCHKATA_SEED" in step["env"]["TORCHKATA_SEED"]
    assert flow["jobs"]["merge"]["needs"] == "grade"
    assert recipe.render("actions", shards=256)
    pinned = recipe.render("actions", shards=2, install="pytest-torchkata @ git+https://example.org/tk")
    assert yaml.safe_load(pinned)["jobs"]["merge"]["steps"][1]["run"] == \
        "pip install 'pytest-torchkata @ git+https://example.org/tk'"
    with pytest.raises(recipe.RecipeProblem, match="256"):
        recipe.render("actions", shards=257)


# -- regrade: what to run, and splicing it in --------------------------------------------

TASKS = {"tensors": [[1, "create"], [2, "dtypes"], [3, "softmax"]], "autograd": [[1, "grad"], [2, "chain"]]}


def test_regrade_names_tasks_by_number_or_id():
    plan = regrade.parse("tensors:3,tensors:dtypes", ["tensors", "autograd"], TASKS)
    assert plan.tasks == {"tensors": frozenset({2, 3})} and plan.select_args() == ["-k", "2 or 3"]
    plan = regrade.parse("autograd,tensors:1", ["tensors", "autograd"], TASKS)
    assert plan.tasks == {"autograd": None, "tensors": frozenset({1})} and plan.select_args() == []
    with pytest.raises(regrade.RegradeProblem, match="no task 'nine'.*3 \\(softmax\\)"):
        regrade.parse("tensors:nine", ["tensors"], TASKS)
    with pytest.raises(regrade.RegradeProblem, match="not among the katas graded here"):
        regrade.parse("mnist:1", ["tensors"], TASKS)


def _task(number: int, score: float, top: float = 2.0) -> dict:
    return {"number": number, "id": f"t{number}", "score": score, "max_score": top, "status": "failed"}


def test_a_regrade_replaces_only_the_planned_tasks_and_sums_again(tmp_path):
    old = {"score": 3.0, "max_score": 6.0, "seconds": 1.0,
           "katas": [{"name": "tensors", "score": 3.0, "max_score": 6.0,
                      "tasks": [_task(1, 1.0), _task(2, 1.0), _task(3, 1.0)]}]}
    fresh = {"seconds": 0.5, "katas": [{"name": "tensors", "tasks": [_task(1, 0.0, 0.0), _task(2, 0.0, 0.0),
                                                                        _task(3, 2.0)]}]}
    (tmp_path / "report.json").write_text(json.dumps(old))
    (tmp_path / regrade.FRESH_REPORT).write_text(json.dumps(fresh))
    plan = regrade.Plan({"tensors": frozenset({3})})
    assert regrade.splice(tmp_path, plan)
    new = json.loads((tmp_path / "report.json").read_text())
    assert [t["score"] for t in new["katas"][0]["tasks"]] == [1.0, 1.0, 2.0]  # tasks 1, 2 not taken from -k's run
    assert new["score"] == new["katas"][0]["score"] == 4.0 and new["max_score"] == 6.0
    assert not (tmp_path / regrade.FRESH_REPORT).exists()
    moved = regrade.change("ann", old, new, plan)
    assert moved.line() == "ann: 3 -> 4 (+1); tensors task 3: 1 -> 2 (+1)"
    assert regrade.change("ann", new, new, plan) is None
    assert not regrade.splice(tmp_path, plan)  # no fresh report: the old results stand


# -- a real class, whole and in shards -----------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
TIMINGS = {"seconds", "peak_mib"}


def torchkata(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest_torchkata.cli", *args], cwd=cwd, text=True, check=False,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)


def small_class(root: Path) -> Path:
    """Three tensors submissions: one right, a stub, one that does not parse."""
    sources = {"ann": solution_source("tensors"), "bob": stub_source("tensors"),
               "cy": solution_source("tensors") + "\ndef oops(:\n"}
    for name, text in sources.items():
        (root / "class" / name / "katas").mkdir(parents=True)
        (root / "class" / name / "katas" / "tensors.py").write_text(text)
    return root / "class"


GRADE = ("--kata=tensors", "--kata-timeout=5", "--jobs=2")


def without_timings(path: Path) -> object:
    """A class output as compared between runs: the timing columns and fields left out."""
    if path.name == "gradebook.csv":
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        return [{k: v for k, v in r.items() if k not in TIMINGS} for r in rows]
    if path.name == "report.json":
        return {k: v for k, v in json.loads(path.read_text(encoding="utf-8")).items() if k != "seconds"}
    if path.name == "grade.json":
        meta = json.loads(path.read_text(encoding="utf-8"))
        meta["row"] = {k: v for k, v in meta["row"].items() if k not in TIMINGS}
        return meta
    return path.read_bytes()


def compared_files(out: Path) -> list[Path]:
    skip = {"manifest.json", "grading.log"}
    return sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file() and p.name not in skip)


def assert_same_outputs(one: Path, other: Path) -> None:
    assert compared_files(one) == compared_files(other)
    for rel in compared_files(one):
        assert without_timings(one / rel) == without_timings(other / rel), rel


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("shards")
    klass = small_class(root)
    whole = torchkata("grade", str(klass), "--out", str(root / "whole"), *GRADE)
    assert whole.returncode == 0, whole.stdout
    for k in range(3):
        part = torchkata("grade", str(klass), "--out", str(root / f"shard-{k}"), "--shard", f"{k}/3", *GRADE)
        assert part.returncode == 0, part.stdout
    merged = torchkata("merge", *(str(root / f"shard-{k}") for k in range(3)), "--out", str(root / "merged"))
    assert merged.returncode == 0, merged.stdout
    return root, klass


def test_merged_shards_equal_one_machine_byte_for_byte_apart_from_timings(graded):
    root, _klass = graded
    whole, merged = root / "whole", root / "merged"
    rows = {r["student"]: r for r in csv.DictReader((whole / "gradebook.csv").open())}
    assert {n: float(r["total"]) for n, r in rows.items()} == {"ann": 19, "bob": 0, "cy": 0}
    assert_same_outputs(whole, merged)
    shards = [json.loads((root / f"shard-{k}" / "manifest.json").read_text()) for k in range(3)]
    assert sorted(s for m in shards for s in m["students"]) == ["ann", "bob", "cy"]
    assert all(m["class"] == ["ann", "bob", "cy"] for m in shards)
    one = shards[0]
    assert one["shard"]["count"] == 3 and one["seed_digest"] and one["checks"]["tensors"]
    assert one["device"]["host"] and "per_student" in one["timings"]
    assert "--kata-seed" not in json.dumps(one) and '"seed"' not in json.dumps(one)


def test_a_shard_run_again_grades_only_what_it_had_not_graded(graded):
    root, klass = graded
    k = bucket("ann", 3)
    shutil.rmtree(root / f"shard-{k}" / "ann")  # as if the task was preempted before ann
    again = torchkata("grade", str(klass), "--out", str(root / f"shard-{k}"), "--shard", f"{k}/3", *GRADE)
    mine = [s for s in ["ann", "bob", "cy"] if bucket(s, 3) == k]
    assert f", 1 graded, {len(mine) - 1} unchanged" in again.stdout, again.stdout
    other = (k + 1) % 3
    wrong = torchkata("grade", str(klass), "--out", str(root / f"shard-{k}"), "--shard", f"{other}/3", *GRADE)
    assert wrong.returncode == 2 and f"shard {k}/3" in wrong.stdout and "a folder of its own" in wrong.stdout


def test_a_regrade_runs_one_task_again_for_everyone_and_says_whose_scores_changed(graded):
    root, klass = graded
    out = root / "merged"  # a merged class can be graded into again
    report = json.loads((out / "ann" / "report.json").read_text())
    tasks = report["katas"][0]["tasks"]
    for task in tasks[1:3]:  # as if tasks 2 and 3 had been graded by a wrong check
        task["score"] = 0.0
    report["score"] -= tasks[1]["max_score"] + tasks[2]["max_score"]
    (out / "ann" / "report.json").write_text(json.dumps(report))
    result = torchkata("grade", str(klass), "--out", str(out), "--regrade", "tensors:3", *GRADE)
    assert result.returncode == 0, result.stdout
    top = tasks[2]["max_score"]
    assert "3 students' tasks run again; scores changed for 1" in result.stdout, result.stdout
    assert f"ann: {report['score']:g} -> {report['score'] + top:g} (+{top:g}); tensors task 3: 0 -> {top:g}" \
        in result.stdout
    after = json.loads((out / "ann" / "report.json").read_text())["katas"][0]["tasks"]
    assert after[2]["score"] == top and after[1]["score"] == 0.0  # task 2 was not run again
    row = next(r for r in csv.DictReader((out / "gradebook.csv").open()) if r["student"] == "ann")
    assert float(row["total"]) == report["score"] + top


def test_a_changed_check_is_noticed_without_force(graded):
    root, klass = graded
    out = root / "whole"
    meta = json.loads((out / "ann" / "grade.json").read_text())
    meta["checks"]["tensors"] = "an older check"
    (out / "ann" / "grade.json").write_text(json.dumps(meta))
    again = torchkata("grade", str(klass), "--out", str(out), *GRADE)
    assert ", 1 graded, 2 unchanged" in again.stdout and "the checks of tensors changed" in again.stdout, \
        again.stdout


def test_shard_auto_without_an_engine_is_a_usage_error_not_a_traceback(tmp_path):
    (tmp_path / "class" / "ann").mkdir(parents=True)
    (tmp_path / "class" / "ann" / "tensors.py").write_text("")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLURM_", "TORCHKATA_SHARD", "JOB_COMPLETION"))}
    result = subprocess.run([sys.executable, "-m", "pytest_torchkata.cli", "grade", str(tmp_path / "class"),
                             "--out", str(tmp_path / "out"), "--kata=tensors", "--shard", "auto"], cwd=ROOT,
                            env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    assert result.returncode == 2 and "Traceback" not in result.stdout
    assert "--shard auto: no engine told this run its shard" in result.stdout
    assert not (tmp_path / "out").exists()


def test_merge_writes_the_lms_gradebook_of_the_whole_class(tmp_path):
    from pytest_torchkata import cli

    folders = _shards(tmp_path)
    roster = tmp_path / "roster.csv"
    roster.write_text("student,name,sis_id\n" + "".join(f"{s},{s.title()},{i}\n" for i, s in enumerate(CLASS[:-1])))
    out = tmp_path / "out"
    assert cli.main(["merge", *map(str, folders), "--out", str(out), "--gradebook-format", "canvas",
                     "--roster", str(roster)]) == 0
    canvas = (out / "gradebook_canvas.csv").read_text(encoding="utf-8")
    assert all(s.title() in canvas for s in CLASS[:-1])
    assert "gus" in (out / "roster_unmatched.csv").read_text(encoding="utf-8")  # not in the roster: listed


def test_merge_refuses_an_unusable_roster_before_merging(tmp_path, capsys):
    from pytest_torchkata import cli

    folders = _shards(tmp_path)
    roster = tmp_path / "roster.csv"
    roster.write_text("name\nAnn\n")
    assert cli.main(["merge", *map(str, folders), "--out", str(tmp_path / "out"), "--gradebook-format",
                     "moodle", "--roster", str(roster)]) == 2
    assert "student" in capsys.readouterr().err and not (tmp_path / "out").exists()
