"""The table of loss and metrics per split that ``fcnn train`` ends with and ``fcnn
evaluate`` prints, its headings and split names in the current language."""

from __future__ import annotations

from rich.table import Table

from ..i18n import N_, translator

_ = translator("cli")

# the words of a results table's first column
SPLITS = {"train": N_("train"), "test": N_("test"), "validation": N_("validation")}
# the metrics with a word of their own; f1, r2, rmse, mae are shown as they are
METRICS = {"loss": N_("loss"), "accuracy": N_("accuracy")}


def results_table(title: str, rows: dict[str, dict[str, float]]) -> Table:
    table = Table(title=title)
    table.add_column(_("split"))
    keys = sorted({k for r in rows.values() for k in r}, key=lambda k: (k != "loss", k))
    for key in keys:
        table.add_column(_(METRICS[key]) if key in METRICS else key, justify="right")
    for split, values in rows.items():
        table.add_row(
            _(SPLITS.get(split, split)), *(f"{values[k]:.4f}" if k in values else "—" for k in keys)
        )
    return table
