"""Floor 4: hyper-parameter sweeps, resumable, on local processes or a Dask cluster.

>>> result = fcnn.sweep.run({"data": "moons", "params": {"hidden": [[4], [16]],
...                          "lr": [0.01, 0.1]}, "fixed": {"epochs": 20}}, "sweeps/moons")
>>> result.best["params"], result.best["metrics"]["test_accuracy"]

- :mod:`.spec`: the spec (grid or random search over any ``mlp``/``fit`` option, on a
  data set or CSV, ranked by a metric) and its trials, each seeded from the sweep seed
  and its own config, so it trains identically on any executor, in any order.
- :mod:`.executors`: this process (``jobs=1``), local processes (loky, ``jobs=N``) or
  Dask distributed (``dask="tcp://host:8786"`` or ``"local:N"``).
- :mod:`.store`: the sweep directory. Every finished trial is appended to
  ``trials.jsonl`` (flushed and fsync'ed) with its model file beside it; running the
  same sweep again runs only what is missing; a lock keeps two sweeps out of one
  directory; a different spec is refused.
- :mod:`.report`: the ranked table, ``results.md``, ``results.csv`` and ``sweep.png``.

Dask is imported only when a sweep asks for it; importing fcnn never imports it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..data import load_source
from ..i18n import N_, Message
from .executors import execute, parse_dask
from .report import markdown, plot_sweep, rank, table_rows, to_csv
from .spec import TRIAL_DEFAULTS, expand_trials, load_spec, normalize_spec, resolve_metric
from .store import SpecMismatchError, SweepLockedError, SweepStore
from .trial import KillOnce, build, run_trial

__all__ = [
    "TRIAL_DEFAULTS",
    "KillOnce",
    "SpecMismatchError",
    "SweepLockedError",
    "SweepProgress",
    "SweepResult",
    "expand_trials",
    "load_spec",
    "normalize_spec",
    "planar_hidden_units_sweep",
    "run",
    "run_trial",
]


@dataclass
class SweepProgress:
    """What a ``progress`` callback is told: once before the first trial (``record`` None),
    then after every finished trial (already written to disk)."""

    record: dict[str, Any] | None
    records: list[dict[str, Any]]  # every finished trial so far, unranked
    done: int
    total: int
    metric: str
    direction: str
    params: list[str]  # the swept options


@dataclass
class SweepResult:
    """A sweep's outcome. ``records`` are ranked best first by ``metric``."""

    directory: Path
    spec: dict[str, Any]
    metric: str
    direction: str
    params: list[str]
    records: list[dict[str, Any]]
    total: int
    ran: int  # trials run by this call
    skipped: int  # trials found finished in the directory
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def best(self) -> dict[str, Any] | None:
        ok = [r for r in self.records if r["status"] == "ok"]
        return ok[0] if ok else None

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [r for r in self.records if r["status"] != "ok"]

    @property
    def complete(self) -> bool:
        return len(self.records) == self.total

    def table(self) -> tuple[list[str], list[list[str]]]:
        """(header, rows) of the ranked results, as strings."""
        return table_rows(self.records, self.params, self.metric, self.direction)


def _check_metric_available(spec: dict[str, Any], metric: str, has_test: bool) -> None:
    split = metric.partition("_")[0]
    if split == "val" and not (
        spec["fixed"].get("validation_split") or "validation_split" in spec["params"]
    ):
        template = N_(
            "metric {metric!r} needs a validation split: add validation_split (e.g. 0.2) to "
            "fixed, or rank by a test_ or train_ metric"
        )
        raise ValueError(Message("train", template, metric=metric))
    if split == "test" and not has_test:
        template = N_("metric {metric!r} needs a test split, and the data has none (test_split 0)")
        raise ValueError(Message("train", template, metric=metric))


def _summaries(store: SweepStore, result: SweepResult, executor: str) -> None:
    source = result.spec["source"]
    data = source.get("path", source["name"])
    header, rows = result.table()
    notes = [
        f"Data: `{data}`; {result.spec['search']} search over "
        f"{', '.join(result.params) or 'nothing'}; ranked by {result.metric} "
        f"({'higher' if result.direction == 'max' else 'lower'} is better).",
        f"{len(result.records)} of {result.total} trials finished"
        + (f" ({len(result.failed)} failed)" if result.failed else "")
        + f"; executor of the last run: {executor}. Every trial: `trials.jsonl`; models: "
        "`models/<key>.safetensors`.",
    ]
    title = result.spec.get("name") or f"Sweep {result.directory.name}"
    result.files["markdown"] = store.write_text("results.md", markdown(title, header, rows, notes))
    result.files["csv"] = store.write_text(
        "results.csv", to_csv(result.records, result.params, result.metric, result.direction)
    )
    result.files["results"] = store.results_path
    figure = plot_sweep(result.records, result.params, result.metric, store.directory / "sweep.png")
    if figure is not None:
        result.files["figure"] = figure


def run(
    spec: dict[str, Any] | str | Path,
    out_dir: str | Path,
    *,
    jobs: int = 1,
    dask: str | None = None,
    progress: Callable[[SweepProgress], None] | None = None,
    retry_failed: bool = False,
    before_trial: Callable[[dict[str, Any]], None] | None = None,
    max_attempts: int = 3,
) -> SweepResult:
    """Run a sweep into ``out_dir``, or finish one that stopped there.

    Parameters
    ----------
    spec : dict or path
        The spec (see :mod:`fcnn.sweep.spec`), or a ``.json`` / ``.yaml`` file holding it.
    out_dir : path
        The sweep directory. Trials already recorded there are not run again; a sweep
        with a different spec there is refused (:class:`SpecMismatchError`), as is a
        directory another live sweep is writing to (:class:`SweepLockedError`).
    jobs : int
        Local processes (loky); 1 runs the trials in this process.
    dask : str, optional
        A Dask scheduler address (``tcp://host:8786``) or ``local:N`` for a
        ``LocalCluster`` of N processes on 127.0.0.1. Takes precedence over ``jobs``.
    progress : callable(SweepProgress), optional
        Called before the first trial and after each finished one (already on disk).
        An exception it raises (a ``KeyboardInterrupt``) stops the sweep; what finished
        stays recorded, and the summaries are written.
    retry_failed : bool
        Run again the trials recorded as failed.
    before_trial : picklable callable(trial), optional
        Called in the worker before each trial (fault injection: :class:`KillOnce`).
    max_attempts : int
        Times a trial is tried when its worker dies before it is recorded as failed.

    Returns
    -------
    SweepResult
    """
    raw = load_spec(spec) if isinstance(spec, (str, Path)) else spec
    norm = normalize_spec(raw)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(
            Message("train", N_("jobs={jobs!r}: expected a positive integer"), jobs=jobs)
        )
    if dask is not None:
        parse_dask(dask)
    dataset = load_source(norm["source"])
    has_test = dataset.X_test is not None
    norm["metric"], norm["direction"] = resolve_metric(norm, dataset.task, has_test)
    metric, direction = norm["metric"], norm["direction"]
    _check_metric_available(norm, metric, has_test)
    trials = expand_trials(norm)
    for trial in trials:  # bad names fail now, in one line, not in every worker
        build(trial["config"], dataset)
    params = list(norm["params"])
    by_key = {t["key"]: t for t in trials}
    executor = f"Dask {dask}" if dask else f"{jobs} local process{'es' if jobs > 1 else ''}"

    with SweepStore(out_dir) as store:
        store.check_spec(norm)
        found = {k: r for k, r in store.load().items() if k in by_key}
        if retry_failed:
            found = {k: r for k, r in found.items() if r["status"] == "ok"}
        records: dict[str, dict[str, Any]] = {}
        for key, record in found.items():  # the current trial list names and orders them
            records[key] = {**record, "index": by_key[key]["index"]}
        pending = [t for t in trials if t["key"] not in records]
        skipped = len(records)
        counter = {"ran": 0}

        def tell(record: dict[str, Any] | None) -> None:
            if progress is not None:
                progress(
                    SweepProgress(
                        record,
                        list(records.values()),
                        len(records),
                        len(trials),
                        metric,
                        direction,
                        params,
                    )
                )

        def on_result(trial: dict[str, Any], outcome: dict[str, Any]) -> None:
            record = {
                "key": trial["key"],
                "index": trial["index"],
                "repeat": trial["repeat"],
                "params": trial["params"],
                "config": trial["config"],
                **outcome["record"],
                "model": None,
                "finished": time.strftime("%Y-%m-%dT%H:%M:%S"),
            }
            if outcome["model"] is not None:
                record["model"] = store.write_model(trial["key"], outcome["model"])
            store.append(record)
            records[trial["key"]] = record
            counter["ran"] += 1
            tell(record)

        def result() -> SweepResult:
            return SweepResult(
                directory=Path(out_dir),
                spec=norm,
                metric=metric,
                direction=direction,
                params=params,
                records=rank(list(records.values()), metric, direction),
                total=len(trials),
                ran=counter["ran"],
                skipped=skipped,
            )

        try:
            tell(None)
            execute(
                pending,
                norm["source"],
                on_result,
                jobs=jobs,
                dask=dask,
                before=before_trial,
                max_attempts=max_attempts,
            )
        finally:
            final = result()
            if records:  # also when stopped: what finished is summarised
                _summaries(store, final, executor)
        return final


def planar_hidden_units_sweep(
    out_dir: str | Path,
    *,
    hidden_units: Sequence[int] = (1, 2, 3, 4, 5, 20, 50),
    steps: int = 5000,
    lr: float = 1.2,
    jobs: int = 1,
    dask: str | None = None,
    progress: Callable[[SweepProgress], None] | None = None,
) -> SweepResult:
    """The course's hidden-units sweep on the planar flower, as a resumable sweep.

    Each trial is the notebook's setting: a 2-h-1 tanh network in float64 with its
    weights drawn as ``np.random.seed(2); randn(out, in)·0.01`` (``init="course"``),
    zero biases, ``steps`` full-batch gradient-descent steps at ``lr`` on the binary
    cross-entropy; the metric is the training accuracy (a fraction; the notebook prints
    per cent). Records are ranked; ``record["params"]["hidden"] == [h]``.
    """
    spec = {
        "name": "Planar flower: accuracy by hidden-layer width (course notes)",
        "data": {"data": "planar", "test_split": 0.0},
        "search": "grid",
        "params": {"hidden": [[int(h)] for h in hidden_units]},
        "fixed": {
            "activation": "tanh",
            "init": "course",
            "init_scale": 0.01,
            "seed": 2,
            "optimizer": "sgd",
            "lr": float(lr),
            "loss": "bce_with_logits",
            "epochs": int(steps),
            "batch_size": 400,
            "shuffle": False,
            "dtype": "float64",
        },
        "metric": "train_accuracy",
        "direction": "max",
    }
    return run(spec, out_dir, jobs=jobs, dask=dask, progress=progress)
