"""A hostile kata file under --kata-isolate, at every sandbox level.

Each attack sits in the mini kata's `double`; `add` is honest.  At every level
the attack scores 0, the honest task keeps its point, the report is the
grader's and no process of the attack is left.  Beyond that each level is held
to exactly what the README's security model promises for it (``GUARANTEES``).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import textwrap
import time
import uuid
from pathlib import Path

import pytest

import mini_kata
from pytest_torchkata.sandbox import levels

LEVELS = ["bwrap", "user", "none"]
# what the README promises at each level, beyond "scores 0, report is the grader's, no process left"
GUARANTEES = {
    "bwrap": {"package", "network", "files", "tmp", "references", "env", "ipc"},
    "user": {"package", "files", "tmp", "references", "env", "ipc", "threads"},
    "none": {"env"},
}
# where the grader may give each worker a cgroup of its own (root, a writable hierarchy), at
# every level: threads and processes capped, shared memory and memfd counted
CGROUP_GUARANTEES = {"threads", "memfd"}


def cgroups_work() -> bool:
    from pytest_torchkata.sandbox.cgroups import Cgroup

    group = Cgroup.make(512, 1024)
    if group is None:
        return False
    group.close()
    return True

LEARNER_HEAD = '''
import ctypes, json, os, socket, sys, time

TOKEN = {token!r}
REPORT, PORT, FOLDERS, REFS = {report!r}, {port}, {folders!r}, {refs!r}


def _name():  # lets the test find every process of this attack
    try:
        ctypes.CDLL(None).prctl(15, TOKEN.encode(), 0, 0, 0)
    except Exception:
        pass


def honest(x):
    return x * 2
'''

CHECKS_HEAD = '''
import torch
from pytest_torchkata.checks.values import expect_close
from pytest_torchkata.model import Kata

KATA = Kata("attacks", "Attacks", "a hostile kata file, one attack per task")


@KATA.task("honest", "Honest task", points=1, hint="multiply by 2")
class TestHonest:
    def test_doubles(self, kata):
        expect_close(kata.call("honest", torch.ones(2)), torch.full((2,), 2.0), what="honest(x)")
'''

CHECK = '''

@KATA.task({name!r}, {name!r}, points=1, hint="multiply by 2")
class Test{cls}:
    def test_doubles(self, kata):
        expect_close(kata.call({name!r}, torch.ones(2)), torch.full((2,), 2.0), what="x * 2")

    def test_doubles_again(self, kata):
        expect_close(kata.call({name!r}, torch.ones(3)), torch.full((3,), 2.0), what="x * 2")
'''

PLUGIN = '''
import pytest
import checks_attacks

@pytest.hookimpl
def pytest_torchkata_register_katas(register):
    register(checks_attacks.KATA)
'''

# attacks that a level without a promise for them may let through (they score there)
OPTIONAL = {"references", "env", "threads", "ipc"}
FORGE = '{"version": 1, "score": 100, "max_score": 100, "katas": []}'

ATTACKS = {
    "forge-report": f'''
    try:
        open(REPORT, "w").write({FORGE!r})
    except OSError:
        pass
''',
    "forge-report-later": f'''
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            _name()
            for _ in range(60):
                try:
                    open(REPORT, "w").write({FORGE!r})
                except OSError:
                    pass
                time.sleep(0.05)
        os._exit(0)
    time.sleep(0.2)
''',
    "package": '''
    import pytest_torchkata.plugin
    try:
        open(pytest_torchkata.plugin.__file__, "a").write("\\n# tampered\\n")
    except OSError:
        pass
''',
    "network": '''
    try:
        socket.create_connection(("127.0.0.1", PORT), timeout=1).sendall(b"x")
    except OSError:
        pass
''',
    "files": '''
    for folder in FOLDERS:
        try:
            open(os.path.join(folder, TOKEN), "w").write("x")
        except OSError:
            pass
''',
    # the reference solutions, wherever they are installed: a file that holds one scores
    "references": '''
    for folder in REFS:
        for root, _, files in os.walk(folder):
            for name in files:
                try:
                    if "BEGIN SOLUTION" in open(os.path.join(root, name), errors="replace").read():
                        return x * 2
                except OSError:
                    pass
''',
    # a secret of the grading job's environment
    "env": '''
    if any(TOKEN in value for value in os.environ.values()):
        return x * 2
''',
    # more threads than a worker may have: scores if it got them
    "threads": '''
    import threading
    started = 0
    try:
        for _ in range(700):
            threading.Thread(target=time.sleep, args=(20,), daemon=True).start()
            started += 1
    except Exception:
        pass
    if started >= 700:
        return x * 2
''',
    # memory that no process's resident size shows: 2.5 GB in a memfd
    "memfd": '''
    block, hoard = b"\\x01" * (64 << 20), []
    for _ in range(10):  # files up to the file-size limit (256 MB), ten of them
        hoard.append(os.memfd_create("hoard"))
        for _ in range(4):
            os.write(hoard[-1], block)
    return x * 2
''',
    # a SysV segment that would outlive the run
    "ipc": '''
    ctypes.CDLL(None).shmget(int(TOKEN[2:9], 16), 1 << 20, 0o1000 | 0o666)
''',
    "fork-bomb": '''
    for _ in range(300):
        try:
            if os.fork() == 0:
                _name()
                time.sleep(60)
                os._exit(0)
        except OSError:
            break
''',
    "memory-bomb": '''
    blocks = []
    for _ in range(80):
        blocks.append(b"\\x01" * (50 << 20))
        time.sleep(0.005)
''',
}


def fn_name(attack: str) -> str:
    return attack.replace("-", "_")


def write_attack_kata(pytester, token: str, report: Path, port: int, folders: list[str], attacks: list[str],
                      refs: list[str] = ()) -> None:
    learner = LEARNER_HEAD.format(token=token, report=str(report), port=port, folders=folders, refs=list(refs))
    checks = CHECKS_HEAD
    for attack in attacks:
        body = textwrap.indent(textwrap.dedent(ATTACKS[attack]), "    ")
        learner += f"\n\ndef {fn_name(attack)}(x):\n    _name()\n{body}    return None\n"
        checks += CHECK.format(name=fn_name(attack), cls=fn_name(attack).title().replace("_", ""))
    pytester.makepyfile(checks_attacks=checks, attacks_plugin=PLUGIN)
    pytester.syspathinsert()
    (pytester.path / "katas").mkdir(exist_ok=True)
    (pytester.path / "katas" / "attacks.py").write_text(learner)


def processes_named(token: str) -> list[int]:
    found = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == token[:15]:
                found.append(int(comm.parent.name))
        except OSError:
            continue
    return found


def level_or_skip(level: str) -> None:
    why = levels.problem(level)
    if why:
        pytest.skip(f"--kata-sandbox {level} cannot work here: {why}")


@pytest.fixture
def listener():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    yield server
    server.close()


def sysv_keys() -> set[int]:
    try:
        lines = Path("/proc/sysvipc/shm").read_text().splitlines()[1:]
    except OSError:
        return set()
    return {int(line.split()[0]) for line in lines if line.split()}


def remove_sysv(key: int) -> None:
    import ctypes

    libc = ctypes.CDLL(None)
    shmid = libc.shmget(key, 0, 0)
    if shmid != -1:
        libc.shmctl(shmid, 0, None)  # IPC_RMID


@pytest.fixture
def fake_references(monkeypatch):
    """A folder of references where learner code could read it if it were not hidden: inside
    the data views folder, which every level shows (world-readable at the user level)."""
    folder = levels.data_views_root() / f"refs-{uuid.uuid4().hex[:8]}"
    folder.mkdir(mode=0o755)
    (folder / "tensors.py").write_text("# BEGIN SOLUTION create\n")
    (folder / "tensors.py").chmod(0o644)
    real = levels.reference_folders()
    monkeypatch.setattr(levels, "reference_folders", lambda modules=(): real + [str(folder)])
    yield real + [str(folder)]
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("level", LEVELS)
def test_every_attack_scores_zero_and_leaves_nothing(pytester, listener, level, fake_references, monkeypatch):
    level_or_skip(level)
    guaranteed = GUARANTEES[level] | (CGROUP_GUARANTEES if cgroups_work() else set())
    # what would really harm this machine is tried only where it is stopped: the package
    # attack changes the installed package, the memfd one holds 2.5 GB
    attacks = [a for a in ATTACKS if a not in ("package", "memfd") or a in guaranteed]
    token = "tk" + uuid.uuid4().hex[:12]
    monkeypatch.setenv("GRADING_JOB_TOKEN", token)  # a secret the grading job keeps in its environment
    report = pytester.path / "report.json"
    folders = [str(Path.home()), "/tmp", str(pytester.path / "katas"), str(pytester.path)]
    write_attack_kata(pytester, token, report, listener.getsockname()[1], folders, attacks, fake_references)
    package_file = Path(__import__("pytest_torchkata.plugin").plugin.__file__)
    package_before = hashlib.sha256(package_file.read_bytes()).hexdigest()
    try:
        result = pytester.runpytest("--kata=attacks", f"--kata-report={report}", "-p", "no:cacheprovider",
                                    "-p", "attacks_plugin", "--kata-isolate", f"--kata-sandbox={level}",
                                    "--kata-memory=700", "--kata-timeout=10")
        time.sleep(1.0)  # a setsid grandchild would still be rewriting the report now
        data = json.loads(report.read_text())
        tasks = {t["id"]: t for k in data["katas"] for t in k["tasks"]}
        # every attack scores nothing, the honest task keeps its point, the report is the grader's
        assert tasks["honest"]["status"] == "passed", result.stdout.str()
        scored = {a: tasks[fn_name(a)]["score"] for a in attacks if a in guaranteed or a not in OPTIONAL}
        assert scored == {a: 0 for a in scored}, {a: tasks[fn_name(a)]["message"] for a in scored}
        assert data["score"] == 1 and data["max_score"] == 1 + len(attacks) and data["sandbox"] == level
        assert processes_named(token) == [], "a process of the attack outlived the run"
        assert "used more than 700 MB" in tasks["memory_bomb"]["message"], tasks["memory_bomb"]["message"]
        # stopped by the watchdog's process cap, (user level) by RLIMIT_NPROC, or, when forking
        # is slow on a loaded machine, by the time limit first: bounded and gone in every case
        bomb = tasks["fork_bomb"]["message"]
        assert ("started more than 64 processes" in bomb or "still running after" in bomb
                or (level == "user" and tasks["fork_bomb"]["status"] == "failed")), bomb
        if "ipc" in guaranteed:
            assert int(token[2:9], 16) not in sysv_keys(), "a SysV segment outlived the run"
        if "memfd" in guaranteed:
            assert "used more than 700 MB" in tasks["memfd"]["message"], tasks["memfd"]["message"]
        if "package" in guaranteed:
            assert hashlib.sha256(package_file.read_bytes()).hexdigest() == package_before
        if "network" in guaranteed:
            with pytest.raises(BlockingIOError):
                listener.accept()
        if "files" in guaranteed:
            left = [f for f in folders if (Path(f) / token).exists()]
            assert left == [], f"the attack wrote into {left}"
    finally:
        for folder in folders:  # what a level that promises nothing let through
            (Path(folder) / token).unlink(missing_ok=True)
        for pid in processes_named(token):
            os.kill(pid, 9)
        remove_sysv(int(token[2:9], 16))


def test_files_the_weakest_level_lets_through_land_in_the_scratch_folder(pytester):
    """At level none, a relative path is under the worker's scratch folder, not the grader's."""
    learner = mini_kata.SOLUTION.replace("    return x * 2", "    open('written.txt', 'w').write('x')\n    return x * 2")
    mini_kata.setup(pytester, learner, as_plugin=True)
    pytester.runpytest("--kata=mini", "--kata-report=r.json", "-p", "no:cacheprovider",
                       *mini_kata.PLUGIN_ARGS, "--kata-isolate", "--kata-sandbox=none")
    assert not (pytester.path / "written.txt").exists()
    assert not (pytester.path / "katas" / "written.txt").exists()
