"""A real Jupyter kernel for the notebook tests: a ``python3`` kernelspec that runs this Python."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def kernel_spec(folder: Path) -> None:
    """Write a ``python3`` kernel that runs this Python under ``folder`` (put it on JUPYTER_PATH)."""
    spec = folder / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (this test)", "language": "python"}), encoding="utf-8")
