"""``fcnn train``'s options, checked before a run directory is made.

Every refusal names the flag the user typed, ``--dropout 1.0: must be in [0, 1)``: the
library checks the same values again (``mlp``, the optimisers, ``fit``) but in Python's
spelling, ``mlp(dropout=1.0)``, which is not what a command-line user can fix. An option
that would be silently ignored (``--beta1`` with SGD, ``--milestones`` without the
multistep schedule, ``--hidden`` on ``--resume``) is refused too, saying where it goes.
"""

from __future__ import annotations

import inspect
import math
from pathlib import Path
from typing import Any

from .. import checks
from ..data import TASKS
from ..data.source import IMAGE_SETS
from ..i18n import translator
from ..models import INIT_NAMES
from ..optim import OPTIMIZERS
from .cluster import parse_dask
from .options import checked

_ = translator("cli")

__all__ = [
    "DEFAULT_EPOCHS",
    "RESUME_OPTIONS",
    "SCHEDULE_NAMES",
    "check_train_options",
    "class_weight_option",
    "cycled_momentum",
    "fit_class_weight",
    "given_options",
]

DEFAULT_EPOCHS = 20

# What --resume may change; everything else about the run is in its run.json.
RESUME_OPTIONS = ("resume", "epochs", "lr", "verbose", "allow_changed_data", "dask")

# The optimiser options of the command line and the keyword each becomes.
_OPTIMIZER_KEYWORDS = {
    "lr": "lr",
    "momentum": "momentum",
    "nesterov": "nesterov",
    "weight_decay": "weight_decay",
    "beta1": "betas",
    "beta2": "betas",
    "eps": "eps",
    "alpha": "alpha",
}

# Each schedule's options besides --schedule (gamma is plateau's factor; step_size is
# cyclic's half cycle, in epochs).
_SCHEDULE_OPTIONS = {
    "step": ("step_size", "gamma"),
    "multistep": ("milestones", "gamma"),
    "exponential": ("gamma",),
    "cosine": ("t_max",),
    "plateau": ("gamma",),
    "linear": ("start_factor", "end_factor", "total_iters"),
    "polynomial": ("total_iters", "power"),
    "inverse-time": ("decay_rate", "time_interval"),
    "cyclic": ("max_lr", "step_size"),
    "onecycle": ("max_lr",),
}
SCHEDULE_NAMES = tuple(_SCHEDULE_OPTIONS)
"""The schedules ``fcnn train --schedule`` offers (names of ``fcnn.optim.SCHEDULERS``)."""
_CYCLICAL = ("cyclic", "onecycle")  # per batch, between --lr (or --max-lr / 25) and --max-lr

# The bounds of every number, as fcnn.checks.real takes them (PyTorch's, where it has one).
_AT_LEAST_ZERO = {"low": 0}
_ABOVE_ZERO = {"low": 0, "low_open": True}
_FRACTION = {"low": 0, "high": 1, "high_open": True}
_REALS: dict[str, dict[str, Any]] = {
    "lr": _AT_LEAST_ZERO,
    "momentum": _AT_LEAST_ZERO,
    "weight_decay": _AT_LEAST_ZERO,
    "beta1": _FRACTION,
    "beta2": _FRACTION,
    "eps": _AT_LEAST_ZERO,
    "alpha": _AT_LEAST_ZERO,
    "gamma": _ABOVE_ZERO,
    "start_factor": {"low": 0, "high": 1, "low_open": True},
    "end_factor": {"low": 0, "high": 1},
    "power": _AT_LEAST_ZERO,
    "decay_rate": _AT_LEAST_ZERO,
    "max_lr": _ABOVE_ZERO,
    "dropout": _FRACTION,
    "max_norm": _ABOVE_ZERO,
    "init_scale": _ABOVE_ZERO,
    "validation_split": _FRACTION,
    "test_split": _FRACTION,
    "noise": _AT_LEAST_ZERO,
}
_POSITIVE_INTS = (
    "epochs",
    "batch_size",
    "step_size",
    "t_max",
    "total_iters",
    "time_interval",
    "early_stopping",
    "n",
)
_NON_NEGATIVE_INTS = ("seed", "data_seed")
_CHOICES = {
    "optimizer": tuple(OPTIMIZERS),
    "schedule": SCHEDULE_NAMES,
    "init": INIT_NAMES,
    "dtype": ("float32", "float64"),
    "task": TASKS,
}


def flag(name: str) -> str:
    """The command-line spelling of a parameter: ``batch_size`` → ``--batch-size``."""
    return "--" + name.replace("_", "-")


def given_options(ctx: Any) -> set[str]:
    """The parameters of the command typed on its command line (not left at a default)."""
    # ParameterSource is compared by member name: typer >= 0.17 carries its own copy of
    # click, whose enum is another class than click's.
    return {
        name
        for name in ctx.params
        if getattr(ctx.get_parameter_source(name), "name", None) == "COMMANDLINE"
    }


def _takers(keyword: str) -> list[str]:
    """The optimisers whose constructor takes ``keyword``."""
    return [
        name for name, cls in OPTIMIZERS.items() if keyword in inspect.signature(cls).parameters
    ]


def cycled_momentum(optimizer: str) -> str | None:
    """What a cyclical schedule (cyclic, onecycle) cycles against the rate with this
    optimiser, as PyTorch does: ``"beta1"`` (Adam, AdamW), ``"momentum"`` (SGD, RMSprop),
    or None (Adagrad has neither)."""
    parameters = inspect.signature(OPTIMIZERS[optimizer]).parameters
    if "betas" in parameters:
        return "beta1"
    return "momentum" if "momentum" in parameters else None


def _check_values(options: dict[str, Any]) -> None:
    for name, bounds in _REALS.items():
        if options.get(name) is not None:
            checked(flag(name), options[name], checks.real, **bounds)
    for name in _POSITIVE_INTS:
        if options.get(name) is not None:
            checked(flag(name), options[name], checks.positive_int)
    for name in _NON_NEGATIVE_INTS:
        if options.get(name) is not None:
            checked(flag(name), options[name], checks.non_negative_int)
    for name, choices in _CHOICES.items():
        if options.get(name) is not None:
            checked(flag(name), options[name], checks.choice, choices)
    if options.get("class_weight") is not None:
        class_weight_option(options["class_weight"])
    parse_dask(options.get("dask"))
    if options.get("verbose") is not None and options["verbose"] not in (0, 1, 2):
        raise ValueError(
            _("--verbose {value!r}: must be 0, 1 or 2").format(value=options["verbose"])
        )


def _check_applies(options: dict[str, Any], given: set[str]) -> None:
    """Refuse an option the run would ignore, saying what it goes with."""
    optimizer = options["optimizer"]
    for name, keyword in _OPTIMIZER_KEYWORDS.items():
        if name in given and keyword not in inspect.signature(OPTIMIZERS[optimizer]).parameters:
            value = options[name]
            typed = flag(name) if isinstance(value, bool) else f"{flag(name)} {value!r}"
            raise ValueError(
                _(
                    "{typed}: the {optimizer} optimiser does not take it; {flag} goes with {takers}"
                ).format(
                    typed=typed,
                    optimizer=optimizer,
                    flag=flag(name),
                    takers=", ".join(_takers(keyword)),
                )
            )
    _check_schedule(options, given)
    data = options.get("data") or ""
    is_file = data.lower().endswith(FILE_SUFFIXES) or Path(data).is_dir()
    if "target" in given and not is_file:
        raise ValueError(
            # (the words predate Parquet and .npy files; tests/test_cli_trust.py holds them)
            _("--target names a column of a CSV file; {data!r} is not one").format(data=data)
        )
    for name in ("data_dir", "download"):
        if name in given and data not in IMAGE_SETS:
            raise ValueError(
                _("{flag} goes with {sets}, not {data!r}").format(
                    flag=flag(name), sets=_(" or ").join(IMAGE_SETS), data=data
                )
            )


# Files whose columns --target names (a folder of Parquet files too).
FILE_SUFFIXES = (".csv", ".tsv", ".parquet", ".pq", ".npy")


def _check_schedule(options: dict[str, Any], given: set[str]) -> None:
    """Refuse a schedule's option given without it, or one its schedule would overwrite."""
    schedule = options.get("schedule")
    for name in dict.fromkeys(n for names in _SCHEDULE_OPTIONS.values() for n in names):
        if name in given and name not in _SCHEDULE_OPTIONS.get(schedule, ()):
            users = [s for s, names in _SCHEDULE_OPTIONS.items() if name in names]
            line = _("{flag} goes with --schedule {users}").format(
                flag=flag(name), users=_(" or ").join(users)
            )
            if schedule is not None:
                line += _(", not {schedule}").format(schedule=schedule)
            raise ValueError(line)
    if schedule == "plateau" and options["gamma"] >= 1:
        raise ValueError(
            _("--gamma {value!r}: plateau's factor must be below 1").format(value=options["gamma"])
        )
    if schedule not in _CYCLICAL:
        return
    if options.get("max_lr") is None:
        raise ValueError(
            _("--schedule {schedule} needs --max-lr, the highest learning rate").format(
                schedule=schedule
            )
        )
    if schedule == "onecycle" and "lr" in given:
        raise ValueError(
            _(
                "--lr: --schedule onecycle sets the learning rate itself, from --max-lr / 25 up "
                "to --max-lr and down; leave --lr out"
            )
        )
    cycled = cycled_momentum(options["optimizer"])
    if cycled is not None and cycled in given:
        raise ValueError(
            _(
                "{flag}: --schedule {schedule} cycles {name} against the learning "
                "rate (as PyTorch does); leave {flag} out"
            ).format(flag=flag(cycled), schedule=schedule, name=cycled)
        )


def check_train_options(options: dict[str, Any], given: set[str]) -> None:
    """Refuse a bad ``fcnn train`` option in one line naming its flag, before anything is
    written. ``options`` maps each parameter to its value; ``given`` names those typed."""
    if options.get("resume") is not None:
        extra = sorted(given - set(RESUME_OPTIONS))
        if extra:
            raise ValueError(
                _(
                    "{flag}: a resumed run keeps the settings in its run.json; "
                    "--resume takes only --epochs, --lr, --verbose, --allow-changed-data and "
                    "--dask "
                    "(start a new run to change the others)"
                ).format(flag=flag(extra[0]))
            )
    _check_values(options)
    if options.get("resume") is None:
        _check_applies(options, given)


# --------------------------------------------------------------------------- --class-weight


def class_weight_option(text: str | None) -> str | dict[str, float] | None:
    """``--class-weight``: ``balanced``, or ``CLASS=WEIGHT`` pairs (``0=1,1=5``) as
    ``{"0": 1.0, "1": 5.0}``, keyed by the class as the data name it; weights positive."""
    if text is None or text == "balanced":
        return text
    usage = _(
        "--class-weight {text!r}: expected balanced or CLASS=WEIGHT pairs, e.g. 0=1,1=5"
    ).format(text=text)
    weights: dict[str, float] = {}
    for part in text.split(","):
        name, equals, value = (piece.strip() for piece in part.partition("="))
        if not (name and equals and value):
            raise ValueError(usage)
        if name in weights:
            raise ValueError(
                _("--class-weight {text!r}: class {name!r} is given twice").format(
                    text=text, name=name
                )
            )
        try:
            weight = float(value)
        except ValueError:
            raise ValueError(usage) from None
        if not (math.isfinite(weight) and weight > 0):
            raise ValueError(
                _("--class-weight {name}={value}: a weight must be a positive number").format(
                    name=name, value=value
                )
            )
        weights[name] = weight
    return weights


def fit_class_weight(config: dict[str, Any]) -> str | dict[int, float] | None:
    """The ``class_weight`` ``fit`` takes from a run's configuration: its class names
    (or 0, 1, ... when the data name none) turned into the class indices of the targets."""
    given = config.get("class_weight")
    if given is None:
        return None
    if config["task"] != "classification":
        raise ValueError(
            _("--class-weight goes with classification; this run's task is {task}").format(
                task=_(config["task"])
            )
        )
    if given == "balanced":
        return given
    n_classes = max(config["network"]["sizes"][-1], 2)  # one sigmoid output: classes 0, 1
    names = config.get("classes") or [str(i) for i in range(n_classes)]
    index = {name: i for i, name in enumerate(names)}
    for name in given:
        if name not in index:
            raise ValueError(
                _(
                    "--class-weight {name}=: {name!r} is not a class of the data (classes: {names})"
                ).format(name=name, names=", ".join(names))
            )
    return {index[name]: weight for name, weight in given.items()}
