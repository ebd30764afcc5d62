"""The playground's settings: every config key, its type, range and default, and their check.

``KEYS`` describes each key once (kind, range, default, what a change resets); from it
come the defaults (:func:`default_config`), the ``/api/options`` JSON (:func:`options`)
and the check of a config object sent by the page (:func:`validate`). A bad object gives
one :class:`ConfigError` listing every problem, each naming its key; nothing is applied.
The rules are those of docs/playground-protocol.md.
"""

from __future__ import annotations

import math
from typing import Any

from .. import checks
from ..activations import ACTIVATIONS
from ..i18n import translator
from ..models import INIT_NAMES

_ = translator("playground")

__all__ = [
    "CLASSIFICATION_DATASETS",
    "DATASETS",
    "DOMAIN",
    "FEATURES",
    "GRID_SIZE",
    "GRID_SIZE_FINE",
    "GRID_SIZE_SMALL",
    "KEYS",
    "LIMITS",
    "MAXOUT_PIECES",
    "MULTICLASS_DATASETS",
    "REGRESSION_DATASETS",
    "ConfigError",
    "default_config",
    "options",
    "validate",
]

CLASSIFICATION_DATASETS = ("circle", "xor", "gauss", "spiral", "blobs")
REGRESSION_DATASETS = ("plane", "multi_gauss")
MULTICLASS_DATASETS = ("spiral", "blobs")  # the sets whose class count is ``classes``
DATASETS = ("circle", "xor", "gauss", "spiral", "plane", "multi_gauss", "blobs", "upload")
FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2")
DOMAIN = (-6.0, 6.0)  # both axes of the built-in data sets
GRID_SIZE = 50  # the output heat map: GRID_SIZE² points
GRID_SIZE_SMALL = 20  # each neuron's heat map
GRID_SIZE_FINE = 100  # the output heat map as painted: the TensorFlow Playground's 100²
MAX_CLASSES = 6
MAXOUT_PIECES = 2  # the pieces of each maxout unit
LIMITS = {
    "frame_bytes": 2 * 1024 * 1024,
    "upload_bytes": 1024 * 1024,
    "max_abs_weight": 100,
    "max_classes": MAX_CLASSES,
}

_ACTIVATION_NAMES = (*ACTIVATIONS, "maxout")

# One entry per key, in the protocol's order. "resets": data (data + net), net or live.
KEYS: dict[str, dict[str, Any]] = {
    "dataset": {"kind": "choice", "choices": DATASETS, "default": "circle", "resets": "data"},
    "classes": {"kind": "int", "min": 2, "max": MAX_CLASSES, "default": 2, "resets": "data"},
    "noise": {"kind": "int", "min": 0, "max": 50, "step": 5, "default": 0, "resets": "data"},
    "train_ratio": {
        "kind": "int",
        "min": 10,
        "max": 90,
        "step": 10,
        "default": 50,
        "resets": "data",
    },
    "n_points": {"kind": "int", "min": 100, "max": 2000, "default": 500, "resets": "data"},
    "seed": {"kind": "int", "min": 0, "max": 2**31 - 1, "default": 0, "resets": "data"},
    "features": {"kind": "subset", "choices": FEATURES, "default": ["x1", "x2"], "resets": "net"},
    "hidden": {
        "kind": "int_list",
        "min_length": 0,
        "max_length": 6,
        "min": 1,
        "max": 8,
        "default": [4, 2],
        "resets": "net",
    },
    "activation": {
        "kind": "choice",
        "choices": _ACTIVATION_NAMES,
        "default": "tanh",
        "resets": "net",
    },
    "loss": {
        "kind": "choice",
        "choices": ("cross_entropy", "mse"),
        "default": "cross_entropy",
        "resets": "net",
    },
    "init": {"kind": "choice", "choices": INIT_NAMES, "default": "xavier_uniform", "resets": "net"},
    # A multiplier on the dense layers' initial weights (not the biases): 1 is the
    # initialiser itself, bit for bit; 10 makes it too large, 0.1 too small.
    "init_scale": {
        "kind": "float",
        "min": 0.01,
        "max": 10.0,
        "default": 1.0,
        "resets": "net",
        "presets": [0.01, 0.1, 0.3, 1, 3, 10],
    },
    # 0: the weights come from ``seed`` (reset replays the run); n > 0: from (seed, n),
    # the page's "new weights" draws a fresh n, which the URL keeps.
    "init_seed": {"kind": "int", "min": 0, "max": 2**31 - 1, "default": 0, "resets": "net"},
    "batchnorm": {"kind": "bool", "default": False, "resets": "net"},
    "dropout": {
        "kind": "float",
        "min": 0.0,
        "max": 0.9,
        "default": 0.0,
        "resets": "live",
        "presets": [0, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9],
    },
    # The max-norm radius on the hidden layers' incoming weights (fcnn.mlp's max_norm);
    # 0 is off.
    "max_norm": {
        "kind": "float",
        "min": 0.0,
        "max": 10.0,
        "default": 0.0,
        "resets": "live",
        "presets": [0, 0.5, 1, 2, 3, 4, 5],
    },
    "regularization": {
        "kind": "choice",
        "choices": ("none", "l1", "l2"),
        "default": "none",
        "resets": "live",
    },
    "reg_rate": {
        "kind": "float",
        "min": 0.0,
        "max": 10.0,
        "default": 0.0,
        "resets": "live",
        "presets": [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
    },
    "optimizer": {
        "kind": "choice",
        "choices": ("sgd", "momentum", "adam", "rmsprop"),
        "default": "sgd",
        "resets": "live",
    },
    "lr": {
        "kind": "float",
        "min": 1e-5,
        "max": 10.0,
        "default": 0.03,
        "resets": "live",
        "presets": [1e-5, 1e-4, 1e-3, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
    },
    "momentum": {"kind": "float", "min": 0.0, "max": 0.999, "default": 0.9, "resets": "live"},
    "beta1": {"kind": "float", "min": 0.0, "max": 0.9999, "default": 0.9, "resets": "live"},
    "beta2": {"kind": "float", "min": 0.0, "max": 0.9999, "default": 0.999, "resets": "live"},
    "batch_size": {"kind": "int", "min": 1, "max": 30, "default": 10, "resets": "live"},
    # Classroom stop conditions (0: none): training pauses when the epoch count reaches
    # stop_epoch, or when the test loss comes down to stop_test_loss.
    "stop_epoch": {"kind": "int", "min": 0, "max": 1_000_000, "default": 0, "resets": "live"},
    "stop_test_loss": {"kind": "float", "min": 0.0, "max": 10.0, "default": 0.0, "resets": "live"},
}


class ConfigError(ValueError):
    """A config object the playground refuses; ``problems`` lists ``(key, sentence)`` pairs.

    ``field`` is the key of the first problem (None for a problem with the object as a
    whole); ``str(error)`` is every sentence, joined.
    """

    def __init__(self, problems: list[tuple[str | None, str]]) -> None:
        self.problems = list(problems)
        self.field = self.problems[0][0] if self.problems else None
        super().__init__(" ".join(message for _, message in self.problems))


def default_config() -> dict[str, Any]:
    """A fresh copy of the default config (lists copied too)."""
    return {key: _copy(spec["default"]) for key, spec in KEYS.items()}


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, (list, tuple)) else value


def options() -> dict[str, Any]:
    """The ``/api/options`` JSON: every key's kind, range and default, and the limits."""
    keys = {}
    for key, spec in KEYS.items():
        entry = {name: _copy(value) for name, value in spec.items()}
        keys[key] = entry
    return {
        "keys": keys,
        "defaults": default_config(),
        "classification_datasets": list(CLASSIFICATION_DATASETS),
        "regression_datasets": list(REGRESSION_DATASETS),
        "multiclass_datasets": list(MULTICLASS_DATASETS),
        "domain": list(DOMAIN),
        "grid": {"size": GRID_SIZE, "size_small": GRID_SIZE_SMALL},
        "limits": dict(LIMITS),
    }


# --------------------------------------------------------------------------- checks


def _type_name(value: Any) -> str:
    names = {bool: _("a boolean"), str: _("a string"), list: _("a list"), dict: _("an object")}
    if value is None:
        return "null"
    if isinstance(value, float):
        return _("the number {value}").format(value=repr(value))
    return names.get(type(value), type(value).__name__)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_int(key: str, spec: dict[str, Any], value: Any) -> str | None:
    low, high = spec["min"], spec["max"]
    if not checks.is_int(value):
        got = _type_name(value)
        return _("{key} must be an integer from {low} to {high}, got {got}.").format(
            key=key, low=low, high=high, got=got
        )
    if not low <= value <= high:
        return _("{key} must be an integer from {low} to {high}, got {got}.").format(
            key=key, low=low, high=high, got=value
        )
    return None


def _check_float(key: str, spec: dict[str, Any], value: Any) -> str | None:
    low, high = spec["min"], spec["max"]
    fields = {"key": key, "low": low, "high": high}
    if not checks.is_real(value):
        return _("{key} must be a number from {low:g} to {high:g}, got {got}.").format(
            got=_type_name(value), **fields
        )
    if not math.isfinite(value):
        return _("{key} must be a finite number from {low:g} to {high:g}, got {got}.").format(
            got=repr(value), **fields
        )
    if not low <= value <= high:
        return _("{key} must be a number from {low:g} to {high:g}, got {got}.").format(
            got=repr(value), **fields
        )
    return None


def _check_choice(key: str, spec: dict[str, Any], value: Any) -> str | None:
    if not isinstance(value, str) or value not in spec["choices"]:
        return _("{key} must be one of {choices}; got {got}.").format(
            key=key, choices=", ".join(spec["choices"]), got=_short(value)
        )
    return None


def _check_bool(key: str, spec: dict[str, Any], value: Any) -> str | None:
    if not isinstance(value, bool):
        return _("{key} must be true or false, got {got}.").format(key=key, got=_short(value))
    return None


def _check_subset(key: str, spec: dict[str, Any], value: Any) -> str | None:
    choices = spec["choices"]
    if not isinstance(value, list) or not value:
        return _("{key} must be a non-empty list of {choices}; got {got}.").format(
            key=key, choices=", ".join(choices), got=_short(value)
        )
    unknown = [item for item in value if not isinstance(item, str) or item not in choices]
    if unknown:
        return _("{key}: unknown feature {got}; expected some of {choices}.").format(
            key=key, got=_short(unknown[0]), choices=", ".join(choices)
        )
    if len(set(value)) != len(value):
        return _("{key} lists a feature twice: {got}.").format(key=key, got=_short(value))
    return None


def _check_int_list(key: str, spec: dict[str, Any], value: Any) -> str | None:
    low, high = spec["min"], spec["max"]
    longest = spec["max_length"]
    if not isinstance(value, list):
        return _("{key} must be a list of up to {longest} integers, got {got}.").format(
            key=key, longest=longest, got=_type_name(value)
        )
    if not spec["min_length"] <= len(value) <= longest:
        return _("{key} must have at most {longest} layers, got {got}.").format(
            key=key, longest=longest, got=len(value)
        )
    for i, item in enumerate(value):
        if not checks.is_int(item) or not low <= item <= high:
            shown = item if checks.is_int(item) else _type_name(item)
            return _(
                "{key}[{i}] must be an integer from {low} to {high} (units), got {got}."
            ).format(key=key, i=i, low=low, high=high, got=shown)
    return None


_CHECKS = {
    "int": _check_int,
    "float": _check_float,
    "choice": _check_choice,
    "bool": _check_bool,
    "subset": _check_subset,
    "int_list": _check_int_list,
}


def _normalised(key: str, value: Any) -> Any:
    kind = KEYS[key]["kind"]
    if kind == "float":
        return float(value)
    if kind == "int":
        return int(value)
    if kind == "subset":
        return [name for name in KEYS[key]["choices"] if name in value]
    if kind == "int_list":
        return [int(v) for v in value]
    return value


def validate(changes: Any, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """Check a (partial) config object and return the full config it makes with ``base``.

    Parameters
    ----------
    changes : dict
        Any subset of the keys of ``KEYS``, as sent by the page.
    base : dict, optional
        The config now in force (the defaults when omitted); it is not modified.

    Returns
    -------
    dict
        A new full config: ``base`` updated with ``changes``, numbers as Python int /
        float, features in the canonical order.

    Raises
    ------
    ConfigError
        Listing every problem, each naming its key: an unknown key, a wrong type (a
        boolean is not an integer), a value out of range, NaN or infinity, and the
        combinations that cannot work (``batchnorm`` with ``batch_size`` 1).
    """
    if not isinstance(changes, dict):
        message = _("config must be an object, got {got}.").format(got=_type_name(changes))
        raise ConfigError([(None, message)])
    problems: list[tuple[str | None, str]] = []
    for key in changes:
        if key not in KEYS:
            known = ", ".join(KEYS)
            message = _("Unknown config key {got}; known keys: {known}.")
            problems.append((str(key), message.format(got=_short(key), known=known)))
    for key in KEYS:  # in the protocol's order
        if key in changes:
            message = _CHECKS[KEYS[key]["kind"]](key, KEYS[key], changes[key])
            if message is not None:
                problems.append((key, message))
    if problems:
        raise ConfigError(problems)
    config = default_config() if base is None else {k: _copy(v) for k, v in base.items()}
    for key, value in changes.items():
        config[key] = _normalised(key, value)
    if config["batchnorm"] and config["batch_size"] < 2:
        field = "batchnorm" if "batchnorm" in changes and "batch_size" not in changes else None
        raise ConfigError(
            [
                (
                    field or "batch_size",
                    _(
                        "batch_size must be at least 2 with batchnorm on (a batch of one has "
                        "no variance to normalise by), got {got}."
                    ).format(got=config["batch_size"]),
                )
            ]
        )
    return config
