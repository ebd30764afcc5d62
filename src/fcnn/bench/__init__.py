"""Floor 4: ``fcnn bench``, the speed benchmark against PyTorch and scikit-learn.

- ``cases.py``: the networks, batch sizes and optimisers timed (:data:`CASES`).
- ``trainers.py``: one training loop per framework, plus the matrix-product floor.
- ``runner.py``: runs them side by side in one process (:func:`run_benchmark`).
- ``memory.py``: peak RSS of the largest case, one fresh process per framework.
- ``progress.py``: the work ahead in estimated seconds, for a progress bar's time left.
- ``report.py``: the table (rich, folded for a narrow terminal, and Markdown).

PyTorch and scikit-learn are optional: a framework that cannot be imported is left out
of the table. The results and how they were made are in ``benchmarks/NOTES.md``.
"""

from .cases import CASES, Case, matmul_flops
from .report import markdown_table, rich_table
from .runner import run_benchmark, save_json

__all__ = [
    "CASES",
    "Case",
    "markdown_table",
    "matmul_flops",
    "rich_table",
    "run_benchmark",
    "save_json",
]
