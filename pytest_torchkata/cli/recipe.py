"""``torchkata recipe slurm|kubernetes|actions``: a file that grades a class in shards and merges it.

    torchkata recipe slurm --shards 8 [--gpu] [--kata NAMES] [--kata-*...] > grade.sbatch
    torchkata recipe kubernetes --shards 8 --image IMAGE > grade-job.yaml
    torchkata recipe actions --shards 8 > .github/workflows/grade.yml

Each file runs as it is written.  It says where the submissions, the data (MNIST) and the
outputs live (edit the variables at its top), and takes the secret seed from a secret of
the engine (a file only you can read, a Kubernetes Secret, a repository secret), never
from the file itself.  A ``--kata-*`` option given here is written into the grading
command (``--kata-seed`` is refused: that is the secret).  ``--gpu`` (SLURM) asks every
shard for one GPU and grades with ``--kata-device=cuda``, so the CUDA tasks run for real.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

from pytest_torchkata.i18n import tr

MAX_MATRIX = 256  # GitHub Actions runs at most 256 jobs of one matrix per workflow run

SLURM = """#!/bin/bash
# Grade a class as a SLURM job array, one shard per task (written by `torchkata recipe slurm`).
#   submit:  jobid=$(sbatch --parsable grade.sbatch)
#   merge:   sbatch --dependency=afterany:$jobid --wrap "torchkata merge @class@/grades/shard-* --out @class@/grades/class"
#            (or run that merge by hand once `squeue` shows the array done)
#   retry:   sbatch --array=K grade.sbatch   -- a shard run again grades only what it had not graded yet
#SBATCH --job-name=torchkata-grade
#SBATCH --array=0-@last@
#SBATCH --cpus-per-task=@cpus@
#SBATCH --mem=@mem@
#SBATCH --time=@time@
#SBATCH --output=torchkata-shard-%a.log
#SBATCH --requeue
@gres@set -euo pipefail

# Where things live: a folder every node sees (the cluster's shared file system).
CLASS="${CLASS:-@class@}"
SUBMISSIONS="${SUBMISSIONS:-$CLASS/submissions}"  # a folder or .zip per student
OUT="${OUT:-$CLASS/grades}"                        # shard K writes $OUT/shard-K
# MNIST, downloaded once on a login node (compute nodes are often offline):
#   python -c "import torchvision; torchvision.datasets.MNIST('$CLASS/data', download=True)"
export TORCHKATA_DATA="${TORCHKATA_DATA:-$CLASS/data}"
# The secret seed: a file only you can read (chmod 600), never this script.
if [ -z "${TORCHKATA_SEED:-}" ] && [ -r "$HOME/.torchkata-seed" ]; then
    export TORCHKATA_SEED="$(cat "$HOME/.torchkata-seed")"
fi
TORCHKATA="${TORCHKATA:-torchkata}"  # or "python -m pytest_torchkata.cli" where the script is not installed

$TORCHKATA grade "$SUBMISSIONS" --out "$OUT/shard-$SLURM_ARRAY_TASK_ID" --shard auto \\
    --jobs "${SLURM_CPUS_PER_TASK:-1}"@grade_args@
"""

KUBERNETES = """# Grade a class as a Kubernetes Indexed Job, one shard per index, then merge
# (written by `torchkata recipe kubernetes`).
#   kubectl create secret generic torchkata-seed --from-literal=seed=YOUR_SECRET_SEED
#   kubectl apply -f grade-job.yaml -l step=grade   # the shared volume and the grading Job
#   kubectl wait --for=condition=complete job/torchkata-grade --timeout=24h
#   kubectl apply -f grade-job.yaml -l step=merge   # then the merge Job
# A pod replaced with the same index grades only what its shard had not graded yet.
#
# Where things live: one ReadWriteMany volume mounted at /class in every pod:
#   /class/submissions   a folder or .zip per student (copy them in first, e.g. kubectl cp)
#   /class/data          MNIST/raw (the mnist kata trains on it)
#   /class/grades        shard K writes /class/grades/shard-K; the merge writes /class/grades/class
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: torchkata-class
  labels: {step: grade}
spec:
  accessModes: [ReadWriteMany]
  resources:
    requests:
      storage: @storage@
---
apiVersion: batch/v1
kind: Job
metadata:
  name: torchkata-grade
  labels: {step: grade}
spec:
  completionMode: Indexed
  completions: @shards@
  parallelism: @parallel@
  backoffLimitPerIndex: 2
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: grade
          image: @image@
          command: ["sh", "-c"]
          args:
            - >-
              torchkata grade /class/submissions --out /class/grades/shard-$JOB_COMPLETION_INDEX
              --shard auto --jobs @cpus@@grade_args@
          env:
            - {name: TORCHKATA_SHARD_COUNT, value: "@shards@"}  # = completions: Kubernetes does not tell a pod
            - {name: TORCHKATA_DATA, value: /class/data}
            - name: TORCHKATA_SEED
              valueFrom: {secretKeyRef: {name: torchkata-seed, key: seed}}
          resources:
            requests: {cpu: "@cpus@", memory: @mem@}
            limits: {memory: @mem@}
          volumeMounts: [{name: class, mountPath: /class}]
      volumes:
        - {name: class, persistentVolumeClaim: {claimName: torchkata-class}}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: torchkata-merge
  labels: {step: merge}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: merge
          image: @image@
          command: ["sh", "-c", "torchkata merge /class/grades/shard-* --out /class/grades/class"]
          volumeMounts: [{name: class, mountPath: /class}]
      volumes:
        - {name: class, persistentVolumeClaim: {claimName: torchkata-class}}
"""

ACTIONS = """# Grade a class as a GitHub Actions matrix, one shard per job, then merge
# (written by `torchkata recipe actions`).  At most 256 jobs per matrix: @shards@ shards here.
# Where things live: the submissions in this (private) repository under submissions/, one
# folder or .zip per student; MNIST downloaded once and cached; each shard's outputs an
# artifact, merged into the artifact "gradebook".  The seed: a repository secret
# TORCHKATA_SEED (Settings > Secrets and variables > Actions).
name: grade
on: workflow_dispatch
permissions:
  contents: read
jobs:
  grade:
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix:
        shard: [@matrix@]
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with: {python-version: "3.11"}
      - run: pip install @install@
      - uses: actions/cache@v4
        with: {path: data, key: mnist-v1}
      - run: python -c "import torchvision; torchvision.datasets.MNIST('data', download=True)"
      - run: >-
          torchkata grade submissions --out grades/shard-${{ matrix.shard }} --shard auto
          --jobs 2@grade_args@
        env:
          TORCHKATA_SHARD_INDEX: ${{ matrix.shard }}
          TORCHKATA_SHARD_COUNT: "@shards@"
          TORCHKATA_DATA: data
          TORCHKATA_SEED: ${{ secrets.TORCHKATA_SEED }}
      - uses: actions/upload-artifact@v4
        with: {name: "shard-${{ matrix.shard }}", path: "grades/shard-${{ matrix.shard }}"}
  merge:
    needs: grade
    if: ${{ !cancelled() }}
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-python@v5
        with: {python-version: "3.11"}
      - run: pip install @install@
      - uses: actions/download-artifact@v4
        with: {pattern: "shard-*", path: grades}
      - run: torchkata merge grades/shard-* --out gradebook
      - uses: actions/upload-artifact@v4
        with: {name: gradebook, path: gradebook}
"""


class RecipeProblem(Exception):
    pass


def add_parser(sub: Any) -> None:
    p = sub.add_parser("recipe", help="write a SLURM, Kubernetes or GitHub Actions file that grades a class in shards",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("engine", choices=("slurm", "kubernetes", "actions"))
    p.add_argument("--shards", type=int, default=4, metavar="N", help=tr("how many shards (default 4)",
                                                                         "分片数（默认 4）"))
    p.add_argument("--kata", default="all", metavar="NAMES",
                   help=tr("katas to grade: NAME[,NAME...] or all", "要评分的练习：NAME[,NAME...] 或 all"))
    p.add_argument("--gpu", action="store_true", help=tr("SLURM: one GPU per shard, graded with --kata-device=cuda",
                                                         "SLURM：每个分片一块 GPU，用 --kata-device=cuda 评分"))
    p.add_argument("--class-dir", default="/shared/course", metavar="DIR",
                   help=tr("SLURM: the shared folder holding submissions/, data/ and grades/",
                           "SLURM：存放 submissions/、data/ 和 grades/ 的共享文件夹"))
    p.add_argument("--cpus", type=int, default=4, metavar="N", help=tr("cores per shard (default 4)",
                                                                       "每个分片的核数（默认 4）"))
    p.add_argument("--mem", default="16G", help=tr("memory per shard (default 16G)", "每个分片的内存（默认 16G）"))
    p.add_argument("--time", default="04:00:00", help=tr("SLURM: time limit per shard (default 04:00:00)",
                                                         "SLURM：每个分片的时间上限（默认 04:00:00）"))
    p.add_argument("--image", default="python:3.11", metavar="IMAGE",
                   help=tr("Kubernetes: an image with pytest-torchkata installed",
                           "Kubernetes：装好了 pytest-torchkata 的镜像"))
    p.add_argument("--install", default="pytest-torchkata", metavar="SPEC",
                   help=tr("Actions: what pip installs (default pytest-torchkata; e.g. "
                           "\"pytest-torchkata @ git+https://github.com/OWNER/pytest-torchkata\")",
                           "Actions：pip 安装什么（默认 pytest-torchkata；例如 "
                           "\"pytest-torchkata @ git+https://github.com/OWNER/pytest-torchkata\"）"))
    p.add_argument("--out", default=None, metavar="PATH", help=tr("write the file here (default: print it)",
                                                                  "把文件写到这里（默认：直接打印）"))
    p.set_defaults(run=main)


def render(engine: str, *, shards: int, kata: str = "all", gpu: bool = False, passthrough: list[str] = (),
           class_dir: str = "/shared/course", cpus: int = 4, mem: str = "16G", time: str = "04:00:00",
           image: str = "python:3.11", install: str = "pytest-torchkata") -> str:
    """The file for ``engine`` (module docstring)."""
    if shards < 1:
        raise RecipeProblem(tr("--shards must be at least 1", "--shards 至少是 1"))
    if engine == "actions" and shards > MAX_MATRIX:
        raise RecipeProblem(tr("GitHub Actions runs at most {max} jobs of one matrix per workflow run: use --shards "
                               "{max} or fewer (each shard then grades more students)",
                               "GitHub Actions 每次运行一个矩阵最多 {max} 个作业：请用 --shards {max} 或更少"
                               "（每个分片多评一些学生）", max=MAX_MATRIX))
    if any(t.split("=", 1)[0] == "--kata-seed" for t in passthrough):
        raise RecipeProblem(tr("--kata-seed: the seed is a secret; the file takes it from the engine's secrets "
                               "(TORCHKATA_SEED), never from the file", "--kata-seed：种子是机密；文件从调度系统的机密"
                               "（TORCHKATA_SEED）读取它，绝不写在文件里"))
    if gpu and engine != "slurm":
        raise RecipeProblem(tr("--gpu is for the SLURM recipe; for Kubernetes add a GPU request "
                               "(nvidia.com/gpu: 1) and --kata-device=cuda yourself",
                               "--gpu 只用于 SLURM；Kubernetes 请自己加上 GPU 请求（nvidia.com/gpu: 1）和 --kata-device=cuda"))
    options = [*(["--kata=" + kata] if kata != "all" else []), *passthrough,
               *(["--kata-device=cuda"] if gpu else [])]
    grade_args = "".join(" " + shlex.quote(o) for o in options)
    values = {"last": str(shards - 1), "shards": str(shards), "cpus": str(cpus), "mem": mem, "time": time,
              "class": class_dir, "image": image, "grade_args": grade_args, "parallel": str(min(shards, 16)),
              "storage": "20Gi", "gres": "#SBATCH --gres=gpu:1\n" if gpu else "",
              "matrix": ", ".join(map(str, range(shards))), "install": shlex.quote(install)}
    text = {"slurm": SLURM, "kubernetes": KUBERNETES, "actions": ACTIONS}[engine]
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    return text


def main(args: argparse.Namespace, passthrough: list[str]) -> int:
    from pathlib import Path

    try:
        text = render(args.engine, shards=args.shards, kata=args.kata, gpu=args.gpu, passthrough=passthrough,
                      class_dir=args.class_dir, cpus=args.cpus, mem=args.mem, time=args.time, image=args.image,
                      install=args.install)
    except RecipeProblem as exc:
        print(f"torchkata recipe: {exc}", file=sys.stderr)
        return 2
    if args.out is None:
        sys.stdout.write(text)
        return 0
    Path(args.out).write_text(text, encoding="utf-8")
    if args.engine == "slurm":
        Path(args.out).chmod(0o755)
    print(tr("torchkata recipe: wrote {path}", "torchkata recipe：已写出 {path}", path=args.out), file=sys.stderr)
    return 0
