"""A real SLURM: a one-node cluster started here (munged, slurmctld, slurmd as root, state in
a temporary folder) runs the script ``torchkata recipe slurm`` writes as a job array over a
small class; the shards it leaves, merged, equal a one-machine run apart from timings.

Needs Debian's ``slurmctld``, ``slurmd``, ``slurm-client`` and ``munge`` packages and root;
where the cluster cannot start, the test is skipped with the reason and the daemon's log."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_shards import GRADE, ROOT, assert_same_outputs, small_class, torchkata

DAEMONS = ("munged", "slurmctld", "slurmd", "sbatch", "sinfo")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _memory_mb() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) // 1024
    return 1024


class Cluster:
    """A one-node SLURM cluster whose files all lie in ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.host = socket.gethostname().split(".")[0]
        self.conf = root / "slurm.conf"
        self.env = {**os.environ, "SLURM_CONF": str(self.conf)}
        self.procs: list[subprocess.Popen] = []

    def write_config(self) -> None:
        for name in ("state", "spool", "munge"):
            (self.root / name).mkdir(mode=0o700, exist_ok=True)
        key = self.root / "munge" / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o400)
        self.socket = self.root / "munge" / "munge.socket.2"
        self.conf.write_text("\n".join([
            "ClusterName=torchkata", f"SlurmctldHost={self.host}", "SlurmUser=root", "SlurmdUser=root",
            "AuthType=auth/munge", "CredType=cred/munge", f"AuthInfo=socket={self.socket}",
            "ProctrackType=proctrack/linuxproc", "TaskPlugin=task/none", "MpiDefault=none",
            "SchedulerType=sched/builtin", "SelectType=select/cons_tres", "SelectTypeParameters=CR_CPU",
            "JobCompType=jobcomp/none", "JobAcctGatherType=jobacct_gather/none",
            "AccountingStorageType=accounting_storage/none", "ReturnToService=2",
            f"SlurmctldPort={_free_port()}", f"SlurmdPort={_free_port()}",
            f"StateSaveLocation={self.root / 'state'}", f"SlurmdSpoolDir={self.root / 'spool'}",
            f"SlurmctldPidFile={self.root / 'slurmctld.pid'}", f"SlurmdPidFile={self.root / 'slurmd.pid'}",
            f"SlurmctldLogFile={self.root / 'slurmctld.log'}", f"SlurmdLogFile={self.root / 'slurmd.log'}",
            f"PlugStackConfig={self.root / 'plugstack.conf'}",
            f"NodeName={self.host} CPUs=2 RealMemory={_memory_mb() - 256} State=UNKNOWN",
            f"PartitionName=debug Nodes={self.host} Default=YES MaxTime=INFINITE State=UP", ""]))
        (self.root / "plugstack.conf").write_text("")

    def start(self, *command: str, log: Path) -> None:
        with open(self.root / f"{Path(command[0]).name}.out", "wb") as out:
            proc = subprocess.Popen(command, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        time.sleep(0.5)
        if proc.poll() is not None:
            raise RuntimeError(f"{command[0]} stopped at once (exit {proc.returncode}):\n{_tail(log)}\n"
                               f"{_tail(self.root / (Path(command[0]).name + '.out'))}")

    def up(self) -> None:
        self.write_config()
        self.start("munged", "--foreground", "--force", f"--socket={self.socket}",
                   f"--key-file={self.root / 'munge' / 'munge.key'}", f"--log-file={self.root / 'munged.log'}",
                   f"--pid-file={self.root / 'munged.pid'}", f"--seed-file={self.root / 'munge' / 'seed'}",
                   log=self.root / "munged.log")
        self.start("slurmctld", "-D", "-i", "-f", str(self.conf), log=self.root / "slurmctld.log")
        self.start("slurmd", "-D", "-f", str(self.conf), "-N", self.host, log=self.root / "slurmd.log")
        deadline = time.monotonic() + 60
        state = ""
        while time.monotonic() < deadline:
            found = subprocess.run(["sinfo", "-h", "-o", "%t"], env=self.env, capture_output=True, text=True, check=False)
            state = (found.stdout + found.stderr).strip()
            if state == "idle":
                return
            time.sleep(1)
        raise RuntimeError(f"the node did not become idle within 60 s (sinfo: {state!r});\nslurmctld.log:\n"
                           f"{_tail(self.root / 'slurmctld.log')}\nslurmd.log:\n{_tail(self.root / 'slurmd.log')}")

    def down(self) -> None:
        for proc in reversed(self.procs):
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="session")
def slurm(tmp_path_factory):
    missing = [d for d in DAEMONS if shutil.which(d) is None]
    if missing:
        pytest.skip(f"no SLURM here: {', '.join(missing)} not found (apt-get install slurmctld slurmd "
                    f"slurm-client munge)")
    if os.geteuid() != 0:
        pytest.skip("a SLURM cluster of our own needs root (SlurmUser=root)")
    cluster = Cluster(tmp_path_factory.mktemp("slurm"))
    try:
        cluster.up()
    except (RuntimeError, OSError) as exc:
        cluster.down()
        pytest.skip(f"the SLURM cluster did not start: {exc}")
    yield cluster
    cluster.down()


def test_the_recipe_runs_as_a_slurm_job_array_and_merges_into_a_one_machine_gradebook(slurm, tmp_path):
    klass = small_class(tmp_path)
    script = tmp_path / "grade.sbatch"
    written = torchkata("recipe", "slurm", "--shards", "3", "--cpus", "1", "--mem", "1G", "--time", "00:20:00",
                        "--class-dir", str(tmp_path), "--out", str(script), *GRADE[:2])
    assert written.returncode == 0, written.stdout
    env = {**slurm.env, "SUBMISSIONS": str(klass), "TORCHKATA_SEED": "4242",
           "TORCHKATA": f"{sys.executable} -m pytest_torchkata.cli",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    ran = subprocess.run(["sbatch", "--wait", "--array=0-2", str(script)], cwd=tmp_path, env=env, check=False,
                         capture_output=True, text=True, timeout=900)
    logs = "\n".join(f"{p.name}:\n{_tail(p, 8)}" for p in sorted(tmp_path.glob("torchkata-shard-*.log")))
    assert ran.returncode == 0, f"{ran.stdout}{ran.stderr}\n{logs}\n{_tail(slurm.root / 'slurmd.log')}"
    shards = sorted((tmp_path / "grades").glob("shard-*"))
    assert [p.name for p in shards] == ["shard-0", "shard-1", "shard-2"]
    for k, folder in enumerate(shards):  # K and N came from SLURM's variables (--shard auto)
        told = json.loads((folder / "manifest.json").read_text())["shard"]
        assert told == {"index": k, "count": 3, "source": "SLURM"}
    merged = torchkata("merge", *map(str, shards), "--out", str(tmp_path / "merged"))
    assert merged.returncode == 0, merged.stdout
    whole = subprocess.run([sys.executable, "-m", "pytest_torchkata.cli", "grade", str(klass), "--out",
                            str(tmp_path / "whole"), *GRADE], cwd=ROOT, text=True, stdout=subprocess.PIPE, check=False,
                           stderr=subprocess.STDOUT, env={**os.environ, "TORCHKATA_SEED": "4242"}, timeout=600)
    assert whole.returncode == 0, whole.stdout
    assert_same_outputs(tmp_path / "whole", tmp_path / "merged")
