"""The process chores (sandbox.processes) on real processes: finding them below a pid or by
uid in ``/proc``, killing a list or a group, reaping children."""

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from pytest_torchkata.sandbox import processes


def _spawn(*argv: str, setsid: bool = False) -> int:
    """A child not tracked by ``subprocess`` (only this test reaps it)."""
    return os.posix_spawnp(argv[0], list(argv), dict(os.environ), setsid=setsid)


def _until(condition, wait_s: float = 5.0) -> bool:
    end = time.monotonic() + wait_s
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(0.01)
    return True


def _exit_status(pid: int, wait_s: float = 5.0) -> int | None:
    """Wait (bounded) for child ``pid`` and return its wait status."""
    end = time.monotonic() + wait_s
    while time.monotonic() < end:
        found, status = os.waitpid(pid, os.WNOHANG)
        if found:
            return status
        time.sleep(0.01)
    return None


@pytest.fixture
def spawned():
    """Children the test starts; whatever is left is killed and reaped at the end."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


def _gone_pid() -> int:
    pid = _spawn("true")
    os.waitpid(pid, 0)
    return pid  # reaped: no process has it (until the kernel hands it out again)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_kill_all_signals_every_pid_and_skips_the_gone(spawned, sig):
    spawned += [_spawn("sleep", "30") for _ in range(3)]
    processes.kill_all([spawned[0], _gone_pid(), *spawned[1:]], sig)  # a gone pid stops nothing
    for pid in spawned:
        status = _exit_status(pid)
        assert status is not None and os.WIFSIGNALED(status) and os.WTERMSIG(status) == sig


def test_kill_all_of_nothing_and_of_a_process_not_ours_is_no_error():
    processes.kill_all([])
    processes.kill_all(iter([_gone_pid()]))
    if os.geteuid() != 0:
        processes.kill_all([1])  # EPERM is swallowed like ESRCH


def test_kill_group_kills_the_leader_and_what_it_started(spawned):
    leader = _spawn("sh", "-c", "sleep 30 & sleep 30 & wait", setsid=True)
    spawned.append(leader)
    assert _until(lambda: len(processes.descendants(leader)) == 2)
    below = processes.descendants(leader)
    processes.kill_group(leader)
    assert os.WTERMSIG(_exit_status(leader)) == signal.SIGKILL
    assert _until(lambda: all(processes.is_gone(p) for p in below))  # orphans: init reaps them
    processes.kill_group(leader)  # the group is gone: no error


def test_tree_finds_children_and_grandchildren_and_is_gone_sees_zombies(spawned):
    top = _spawn("sh", "-c", "sh -c 'sleep 30 & wait' & wait")
    spawned.append(top)
    assert _until(lambda: len(processes.tree(top)) == 3)  # sh, sh, sleep
    found = processes.tree(top)
    assert found[0] == top and processes.descendants(top) == found[1:]
    assert sorted(found) == sorted(processes._tree_by_scan(top))  # the fallback reading all of /proc
    assert not processes.is_gone(top)
    processes.kill_all([top])
    assert _until(lambda: processes.is_gone(top))  # a zombie until reaped
    processes.kill_all(found)
    processes.wait_for(top)
    assert processes.is_gone(top)  # and gone after


def test_reap_collects_every_ended_child_with_its_status(spawned):
    codes = {_spawn("sh", "-c", f"exit {code}"): code for code in (0, 3, 7)}
    assert _until(lambda: all(processes.is_gone(pid) for pid in codes))  # zombies now
    statuses: dict[int, int] = {}
    processes.reap(statuses)
    assert {pid: os.waitstatus_to_exitcode(statuses[pid]) for pid in codes} == codes
    for pid in codes:  # reaped: the kernel forgot them
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
    processes.reap()  # nothing left to reap: no error, no wait


def test_reap_leaves_running_children_alone(spawned):
    spawned.append(_spawn("sleep", "30"))
    started = time.monotonic()
    processes.reap({})
    assert time.monotonic() - started < 1 and not processes.is_gone(spawned[0])


def test_poll_says_none_while_running_then_the_status_then_raises(spawned):
    pid = _spawn("sleep", "30")
    spawned.append(pid)
    assert processes.poll(pid) is None
    processes.kill_all([pid], signal.SIGTERM)
    assert _until(lambda: processes.is_gone(pid))
    status = processes.poll(pid)
    assert status is not None and os.WTERMSIG(status) == signal.SIGTERM
    with pytest.raises(ChildProcessError):
        processes.poll(pid)


def test_wait_for_blocks_until_the_end_and_tolerates_a_reaped_child(spawned):
    pid = _spawn("sh", "-c", "sleep 0.2")
    started = time.monotonic()
    processes.wait_for(pid)
    assert time.monotonic() - started >= 0.15
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    processes.wait_for(pid)  # already reaped: no error


def test_the_proc_scan_finds_the_processes_of_a_uid(spawned):
    spawned.append(_spawn("sleep", "30"))
    mine = processes.pids_of_uid(os.getuid())
    assert os.getpid() in mine and spawned[0] in mine
    assert os.getuid() in processes.uids_in_use()
    unused = max(processes.uids_in_use()) + 12345
    assert processes.pids_of_uid(unused) == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="becoming another uid needs root")
def test_kill_uid_kills_every_process_of_that_uid_and_no_other(spawned):
    uid = max(processes.uids_in_use() | {65534}) + 4321
    victims = [subprocess.Popen(["sleep", "30"], user=uid, group=uid, start_new_session=True) for _ in range(3)]
    reapers = [threading.Thread(target=v.wait, daemon=True) for v in victims]  # as their parent would
    for reaper in reapers:
        reaper.start()
    bystander = _spawn("sleep", "30")
    spawned.append(bystander)
    try:
        assert _until(lambda: len(processes.pids_of_uid(uid)) == 3)
        started = time.monotonic()
        processes.kill_uid(uid)
        assert time.monotonic() - started < 4  # not its 5 s deadline: one round killed them all
        assert [v.wait(5) for v in victims] == [-signal.SIGKILL] * 3
        assert processes.pids_of_uid(uid) == []
        assert not processes.is_gone(bystander)
    finally:
        for victim in victims:
            victim.kill()


def test_set_oom_score_sets_this_process_rank():
    code = ("from pytest_torchkata.sandbox.processes import set_oom_score; set_oom_score(900); "
            "print(open('/proc/self/oom_score_adj').read().strip())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "900"
