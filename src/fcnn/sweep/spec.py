"""A sweep's spec: what to search, on what data, ranked by what; and its trials.

A spec is a JSON-able dict (or a ``.json`` / ``.yaml`` file holding one)::

    {"data": "moons",                       # a data set name or a CSV path, or a dict of
                                            # make_source options: {"data": "moons", "n": 300}
     "search": "grid",                      # or "random" with "trials": n
     "params": {"hidden": [[4], [16, 16]],  # grid: a list of choices per option
                "lr": [0.01, 0.1]},         # random: a list, or {"log_uniform": [lo, hi]},
                                            #   {"uniform": [lo, hi]}, {"int": [lo, hi]}
     "fixed": {"epochs": 30},               # options every trial shares
     "repeats": 2,                          # seed repeats of every configuration
     "seed": 0,                             # the sweep seed
     "metric": "val_accuracy",              # (train|val|test)_(loss|accuracy|f1|r2|rmse|mae)
     "direction": "max"}                    # default: min for loss, rmse, mae; else max

:func:`normalize_spec` checks a spec and fills in its defaults; :func:`expand_trials`
lists its trials. Each trial's config is complete (every option in
:data:`TRIAL_DEFAULTS` plus ``seed``), and its seed is derived from the sweep seed, the
config and the repeat number, so a trial trains identically on any executor and in any
order; its key is a hash of the data source and that config, stable across runs.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from ..data import make_source
from ..i18n import N_, Message
from ..metrics import METRICS


def _refused(template: str, **fields: Any) -> ValueError:
    """A bad spec, said from the ``train`` catalog in the language current when shown."""
    return ValueError(Message("train", template, **fields))


__all__ = [
    "DISTRIBUTIONS",
    "SPEC_KEYS",
    "TRIAL_DEFAULTS",
    "canonical_json",
    "expand_trials",
    "load_spec",
    "normalize_spec",
    "resolve_metric",
]

#: Every option a trial takes, with its default. ``init="course"`` draws the course
#: notebooks' weights: ``RandomState(seed).randn(out, in) · init_scale`` (default 0.01).
TRIAL_DEFAULTS: dict[str, Any] = {
    "hidden": [16, 16],
    "activation": "relu",
    "output": None,
    "init": "default",
    "init_scale": None,
    "batchnorm": False,
    "dropout": 0.0,
    "optimizer": "adam",
    "lr": None,
    "momentum": None,
    "weight_decay": None,
    "loss": None,
    "epochs": 20,
    "batch_size": 32,
    "validation_split": 0.0,
    "shuffle": True,
    "early_stopping": None,
    "dtype": "float32",
}
OPTION_NAMES = (*TRIAL_DEFAULTS, "seed")
SPEC_KEYS = ("name", "data", "search", "trials", "params", "fixed", "repeats", "seed")
SPEC_KEYS += ("metric", "direction")
DISTRIBUTIONS = ("uniform", "log_uniform", "int")
_SOURCE_OPTIONS = ("target", "n", "noise", "seed", "data_dir", "test_split", "split_seed")
_LOWER_IS_BETTER = ("loss", "rmse", "mae")


def canonical_json(value: Any) -> str:
    """One spelling of a JSON value: sorted keys, no spaces (what hashes are taken of)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _digest(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()


def load_spec(path: str | Path) -> dict[str, Any]:
    """Read a spec from a ``.json`` or ``.yaml``/``.yml`` file."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:  # pragma: no cover - pyyaml is a dependency of the sweep extra
            from ..interop.optional import install_hint

            raise ValueError(install_hint("yaml", path=path)) from None
        try:
            spec = yaml.safe_load(text)
        except yaml.YAMLError as err:
            raise _refused(N_("{path} is not valid YAML: {error}"), path=path, error=err) from None
    else:
        try:
            spec = json.loads(text)
        except json.JSONDecodeError as err:
            raise _refused(N_("{path} is not valid JSON: {error}"), path=path, error=err) from None
    if not isinstance(spec, dict):
        template = N_("{path}: a sweep spec is a mapping (data, params, ...), got {spec!r}")
        raise _refused(template, path=path, spec=spec)
    return spec


def _hidden(value: Any) -> list[int]:
    if isinstance(value, str):
        parts = [p for p in value.replace(" ", "").replace("x", ",").split(",") if p]
        try:
            value = [int(p) for p in parts]
        except ValueError:
            raise _refused(
                N_("hidden={value!r}: expected widths such as 16,16"), value=value
            ) from None
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = [int(value)]
    if not isinstance(value, (list, tuple)) or any(
        isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1 for v in value
    ):
        template = N_("hidden={value!r}: expected a list of positive widths, e.g. [16, 16]")
        raise _refused(template, value=value)
    return [int(v) for v in value]


def _option(name: str, value: Any) -> Any:
    """One option's value, checked and in its canonical form."""
    if name not in OPTION_NAMES:
        template = N_("unknown trial option {name!r}; known: {names}")
        raise _refused(template, name=name, names=", ".join(OPTION_NAMES))
    if name == "hidden":
        return _hidden(value)
    if isinstance(value, np.generic):
        value = value.item()
    if name in ("epochs", "batch_size", "seed", "early_stopping") and value is not None:
        if isinstance(value, bool) or not isinstance(value, int) or value < (name != "seed"):
            raise _refused(
                N_("{name}={value!r}: expected a positive integer"), name=name, value=value
            )
    if name in ("batchnorm", "shuffle") and not isinstance(value, bool):
        raise _refused(N_("{name}={value!r}: expected true or false"), name=name, value=value)
    if name in ("lr", "momentum", "weight_decay", "init_scale", "dropout", "validation_split"):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise _refused(N_("{name}={value!r}: expected a number"), name=name, value=value)
        if isinstance(value, int):
            value = float(value)
        if value is not None and not math.isfinite(value):
            # YAML's .inf, JSON's 1e999 (read as inf) or NaN: no trial trains with it, and
            # the sweep's files (strict JSON) could not record it.
            template = N_(
                "{name}={value!r}: expected a finite number (1e999 and beyond read as inf)"
            )
            raise _refused(template, name=name, value=value)
    if name in ("activation", "output", "init", "optimizer", "loss", "dtype"):
        if value is not None and not isinstance(value, str):
            raise _refused(N_("{name}={value!r}: expected a name"), name=name, value=value)
    return value


def _source(data: Any) -> dict[str, Any]:
    if isinstance(data, str):
        return make_source(data)
    if isinstance(data, dict):
        if "data" not in data:
            template = N_(
                "data={data!r}: a data dict needs 'data' (a name or a CSV path) and may add {names}"
            )
            raise _refused(template, data=data, names=", ".join(_SOURCE_OPTIONS))
        extra = set(data) - {"data", *_SOURCE_OPTIONS}
        if extra:
            template = N_("data: unknown option(s) {extra}; known: {names}")
            extra_names, names = ", ".join(sorted(extra)), ", ".join(_SOURCE_OPTIONS)
            raise _refused(template, extra=extra_names, names=names)
        options = {k: data[k] for k in _SOURCE_OPTIONS if k in data}
        return make_source(str(data["data"]), **options)
    raise _refused(N_("data={data!r}: expected a data set name, a CSV path or a dict"), data=data)


def _check_space(search: str, params: dict[str, Any]) -> dict[str, Any]:
    space: dict[str, Any] = {}
    for name, values in params.items():
        if name in ("hidden",) and isinstance(values, str):
            values = [values]
        if isinstance(values, dict):
            if search != "random":
                template = N_(
                    "params.{name}: a distribution ({kinds}) needs search: random; a grid takes "
                    "a list of values"
                )
                raise _refused(template, name=name, kinds=", ".join(values))
            if len(values) != 1 or next(iter(values)) not in DISTRIBUTIONS:
                kinds = ", ".join(f"{{{d}: [low, high]}}" for d in DISTRIBUTIONS)
                template = N_("params.{name}={values!r}: expected one of {kinds}")
                raise _refused(template, name=name, values=values, kinds=kinds)
            kind, bounds = next(iter(values.items()))
            ok = (
                isinstance(bounds, (list, tuple))
                and len(bounds) == 2
                and all(
                    isinstance(b, (int, float)) and not isinstance(b, bool) and math.isfinite(b)
                    for b in bounds
                )
                and bounds[0] <= bounds[1]
                and (kind != "log_uniform" or bounds[0] > 0)
            )
            if not ok:
                template = (
                    N_(
                        "params.{name}: {kind} needs [low, high] with low <= high and low > 0, "
                        "got {bounds!r}"
                    )
                    if kind == "log_uniform"
                    else N_(
                        "params.{name}: {kind} needs [low, high] with low <= high, got {bounds!r}"
                    )
                )
                raise _refused(template, name=name, kind=kind, bounds=bounds)
            _option(name, int(bounds[0]) if kind == "int" else float(bounds[0]))
            space[name] = {kind: list(bounds)}
        else:
            if not isinstance(values, (list, tuple)) or not values:
                template = N_(
                    "params.{name}={values!r}: expected a non-empty list of values to try"
                )
                raise _refused(template, name=name, values=values)
            space[name] = [_option(name, v) for v in values]
    return space


def normalize_spec(raw: dict[str, Any]) -> dict[str, Any]:
    """Check a spec and return it complete, with its data source resolved (CSV paths
    made absolute) and every default filled in; the metric stays None when not given
    (:func:`resolve_metric` picks it once the data's task is known)."""
    if not isinstance(raw, dict):
        raise _refused(N_("a sweep spec is a mapping (data, params, ...), got {spec!r}"), spec=raw)
    unknown = set(raw) - set(SPEC_KEYS)
    if unknown:
        template = N_("unknown spec key(s) {keys}; known: {names}")
        keys, names = ", ".join(sorted(unknown)), ", ".join(SPEC_KEYS)
        raise _refused(template, keys=keys, names=names)
    if "data" not in raw:
        raise _refused(N_("the spec names no data: add data: <name or CSV path>"))
    search = raw.get("search", "grid")
    if search not in ("grid", "random"):
        raise _refused(N_("search={search!r}: expected grid or random"), search=search)
    trials = raw.get("trials")
    if search == "random":
        if isinstance(trials, bool) or not isinstance(trials, int) or trials < 1:
            template = N_("search: random needs trials: <positive integer>, got {trials!r}")
            raise _refused(template, trials=trials)
    elif trials is not None:
        raise _refused(N_("trials applies to search: random; a grid runs every combination"))
    params = raw.get("params") or {}
    fixed = raw.get("fixed") or {}
    if not isinstance(params, dict) or not isinstance(fixed, dict):
        raise _refused(N_("params and fixed must be mappings of option names to values"))
    both = set(params) & set(fixed)
    if both:
        template = N_("option(s) {names} both swept (params) and fixed")
        raise _refused(template, names=", ".join(sorted(both)))
    repeats = raw.get("repeats", 1)
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise _refused(N_("repeats={repeats!r}: expected a positive integer"), repeats=repeats)
    seed = raw.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise _refused(N_("seed={seed!r}: expected a non-negative integer"), seed=seed)
    metric, direction = raw.get("metric"), raw.get("direction")
    if metric is not None:
        _check_metric(metric)
    if direction is not None and direction not in ("max", "min"):
        raise _refused(N_("direction={direction!r}: expected max or min"), direction=direction)
    return {
        "name": raw.get("name"),
        "source": _source(raw["data"]),
        "search": search,
        "trials": trials,
        "params": _check_space(search, params),
        "fixed": {k: _option(k, v) for k, v in fixed.items()},
        "repeats": repeats,
        "seed": seed,
        "metric": metric,
        "direction": direction,
    }


def _check_metric(metric: Any) -> None:
    split, _, name = str(metric).partition("_")
    if split not in ("train", "val", "test") or name not in ("loss", *METRICS):
        template = N_(
            "metric={metric!r}: expected train_, val_ or test_ followed by loss or one of "
            "{names}, e.g. val_accuracy"
        )
        raise _refused(template, metric=metric, names=", ".join(METRICS))


def resolve_metric(spec: dict[str, Any], task: str, has_test: bool) -> tuple[str, str]:
    """The metric to rank by and its direction (``"max"`` or ``"min"``)."""
    metric = spec["metric"]
    if metric is None:
        validation = spec["fixed"].get("validation_split") or "validation_split" in spec["params"]
        split = "val" if validation else "test" if has_test else "train"
        metric = f"{split}_{'accuracy' if task == 'classification' else 'loss'}"
    direction = spec["direction"] or (
        "min" if metric.partition("_")[2] in _LOWER_IS_BETTER else "max"
    )
    return metric, direction


def _sample(rng: np.random.Generator, values: Any) -> Any:
    if isinstance(values, list):
        return copy.deepcopy(values[int(rng.integers(len(values)))])
    kind, (low, high) = next(iter(values.items()))
    if kind == "uniform":
        return float(rng.uniform(low, high))
    if kind == "log_uniform":
        return float(math.exp(rng.uniform(math.log(low), math.log(high))))
    return int(rng.integers(int(low), int(high) + 1))


def _trial_seed(sweep_seed: int, config: dict[str, Any], repeat: int) -> int:
    return int(_digest({"sweep_seed": sweep_seed, "config": config, "repeat": repeat})[:8], 16)


def expand_trials(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The trials of a normalised spec, in order: each ``{"index", "key", "repeat",
    "params" (the swept values), "config" (every option, seed included)}``.

    A grid runs every combination of ``params`` (in the spec's order, the last option
    varying fastest); a random search draws ``trials`` configurations from a generator
    seeded with the sweep seed. Each configuration runs ``repeats`` times.
    """
    space = spec["params"]
    names = list(space)
    if spec["search"] == "grid":
        combos = [
            dict(zip(names, values, strict=True)) for values in itertools.product(*space.values())
        ]
    else:
        rng = np.random.default_rng(spec["seed"])
        combos = [
            {name: _sample(rng, space[name]) for name in names} for _ in range(spec["trials"])
        ]
    trials = []
    for draw, combo in enumerate(combos):
        for repeat in range(spec["repeats"]):
            config = {**copy.deepcopy(TRIAL_DEFAULTS), **spec["fixed"], **combo}
            config = {k: _option(k, v) for k, v in config.items()}
            given = config.pop("seed", None)
            if given is not None and spec["repeats"] == 1:
                config["seed"] = given
            else:
                # A random search's draw number is part of the seed: two equal draws are two
                # trials (with different seeds), as the user asked for n of them.
                basis = {**config, "seed": given}
                if spec["search"] == "random":
                    basis["draw"] = draw
                config["seed"] = _trial_seed(spec["seed"], basis, repeat)
            key = _digest({"source": spec["source"], "config": config})[:16]
            params = {name: config[name] for name in names}
            trials.append(
                {
                    "index": len(trials),
                    "key": key,
                    "repeat": repeat,
                    "params": params,
                    "config": config,
                }
            )
    seen: dict[str, int] = {}
    for trial in trials:
        if trial["key"] in seen:
            template = N_(
                "trials {first} and {second} have the same configuration {params}: remove the "
                "duplicate value"
            )
            first, second = seen[trial["key"]], trial["index"]
            raise _refused(template, first=first, second=second, params=trial["params"])
        seen[trial["key"]] = trial["index"]
    return trials
