"""Run fcnn's reproductions and write their Markdown tables.

    python benchmarks/reproduce.py [NAMES...] [--data DIR] [--out docs/results] [--quick]
                                   [--threads N]
    python benchmarks/reproduce.py dropout [--runs runs/dropout] [--row KEY]
                                   [--max-epochs N] [--budget-hours H] [--report-only]

NAMES are keys of ``fcnn.reproduce.REPRODUCTIONS`` (default: all of them, one after the
other), or ``dropout`` (``LONG_REPRODUCTIONS``: never run by default). ``dropout``
trains each of its rows in a run directory under ``--runs``; running the command again
resumes each row where the last sitting stopped. ``--max-epochs`` / ``--budget-hours``
end a sitting early (per row) without changing the protocol; ``--report-only`` trains
nothing and rewrites the table and figure from the run directories as they stand.

``--data`` is the folder with the MNIST / Fashion-MNIST IDX files (default
``../shared/data`` beside the repository). Each table is written to ``OUT/<name>.md``
atomically and names the command that made it. The exit status is 1 when a target was
missed, so the script can gate a release.

``--threads N`` caps the BLAS threads (OpenBLAS, OpenMP, MKL) before NumPy is imported.
On a 2-core machine that other processes share, OpenBLAS's two threads wait on each
other whenever one is descheduled, and a matrix product can take 3-4x longer than on
one thread; ``--threads 1`` keeps the timings steady there.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from dataclasses import replace
from pathlib import Path

NAMES = ["planar", "init", "optimizers", "activations", "mnist", "fashion-mnist"]
LONG = ["dropout"]  # run only when named
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"


def _command(names: list[str], data: Path, out: Path, quick: bool, threads: int | None) -> str:
    """This invocation, as a command to rerun from the repository root."""

    def shown(path: Path) -> str:
        path = path.resolve()
        try:
            return str(path.relative_to(ROOT))
        except ValueError:
            if path.is_relative_to(ROOT.parent):
                return "../" + str(path.relative_to(ROOT.parent))
            return str(path)

    words = ["python", "benchmarks/reproduce.py", *names, "--data", shown(data)]
    words += ["--out", shown(out)] + (["--quick"] if quick else [])
    words += ["--threads", str(threads)] if threads else []
    return shlex.join(words)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"reproductions to run (default: all of {', '.join(NAMES)}; also: {', '.join(LONG)})",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="folder with the MNIST / Fashion-MNIST IDX .gz files",
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "docs" / "results", help="folder for the Markdown tables"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="reduced settings for a first look (not the published ones)",
    )
    parser.add_argument(
        "--threads", type=int, default=None, help="cap the BLAS threads (default: BLAS's own)"
    )
    parser.add_argument(
        "--runs",
        type=Path,
        default=ROOT / "runs" / "dropout",
        help="dropout: folder of its rows' run directories (resumed when run again)",
    )
    parser.add_argument(
        "--row",
        action="append",
        default=None,
        help="dropout: train only this row (dropout, dropout-max-norm); repeatable",
    )
    parser.add_argument(
        "--max-epochs", type=int, default=None, help="dropout: end this sitting after N epochs"
    )
    parser.add_argument(
        "--budget-hours", type=float, default=None, help="dropout: end this sitting after H hours"
    )
    parser.add_argument(
        "--report-only", action="store_true", help="dropout: train nothing, rewrite the report"
    )
    args = parser.parse_args(argv)
    names = args.names or NAMES
    unknown = [name for name in names if name not in NAMES + LONG]
    if unknown:
        parser.error(
            f"unknown reproduction(s) {', '.join(unknown)}; known: {', '.join(NAMES + LONG)}"
        )
    if args.max_epochs is not None and args.max_epochs < 1:
        parser.error(f"--max-epochs {args.max_epochs}: expected a positive integer")
    if args.budget_hours is not None and not args.budget_hours > 0:
        parser.error(f"--budget-hours {args.budget_hours}: expected a positive number")
    if args.threads is not None:
        if args.threads < 1:
            parser.error(f"--threads {args.threads}: expected a positive integer")
        if "numpy" in sys.modules:
            parser.error("--threads must be set before NumPy is imported; run the script")
        for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[variable] = str(args.threads)

    # After the thread caps are set.
    from fcnn.reproduce import LONG_REPRODUCTIONS, REPRODUCTIONS, write

    assert list(REPRODUCTIONS) == NAMES, "benchmarks/reproduce.py: update NAMES"
    assert list(LONG_REPRODUCTIONS) == LONG, "benchmarks/reproduce.py: update LONG"
    long_options = {
        "runs_dir": args.runs,
        "rows": tuple(args.row) if args.row else None,
        "max_epochs": args.max_epochs,
        "budget_hours": args.budget_hours,
        "train": not args.report_only,
    }

    missed = []
    for name in names:
        began = time.perf_counter()
        print(f"== {name}", flush=True)
        if name in LONG:
            result = LONG_REPRODUCTIONS[name](
                data_dir=str(args.data), quick=args.quick, verbose=1, **long_options
            )
        else:
            result = REPRODUCTIONS[name](data_dir=str(args.data), quick=args.quick, verbose=1)
        result = replace(
            result, command=_command([name], args.data, args.out, args.quick, args.threads)
        )
        path = write(result, args.out)
        verdict = (
            "every target met" if result.all_met else f"{len(result.unmet())} target(s) missed"
        )
        print(
            f"== {name}: {verdict}, {time.perf_counter() - began:.1f} s; wrote {path}", flush=True
        )
        if not result.all_met:
            missed.append(name)
    if missed:
        print(f"targets missed in: {', '.join(missed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
