"""fcnn against PyTorch and scikit-learn, and against the matrix-multiply floor.

    python benchmarks/run.py [--data-dir ../shared/data] [--threads 2] [--repeats 3]
        [--case NAME ...] [--quick] [--out benchmarks/results.json]

The same as ``fcnn bench`` (see ``fcnn bench --help``); this script only points the data
folder at the project's shared MNIST by default and writes beside itself. The method,
every optimisation and its measured effect are in ``benchmarks/NOTES.md``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fcnn.cli import app

ROOT = Path(__file__).resolve().parents[1]
DEFAULTS = {
    "--data-dir": str(ROOT.parent / "shared" / "data"),
    "--out": str(ROOT / "benchmarks" / "results.json"),
}

if __name__ == "__main__":
    args = sys.argv[1:]
    for option, value in DEFAULTS.items():
        if option not in args:
            args += [option, value]
    app(["bench", *args])
