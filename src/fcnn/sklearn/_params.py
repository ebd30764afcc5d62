"""The estimators' parameters as a table, and the one function that checks them.

Like scikit-learn's ``_parameter_constraints``, each estimator class declares one entry per
constructor parameter: a check ``check(where, name, value)``, built on :mod:`fcnn.checks`,
that says what the parameter takes (its kind and its range or options). It returns the
value as fit uses it (an ``int``, a ``float``, an ``np.dtype``, the list of hidden sizes)
or raises with fcnn's one wording::

    MLPClassifier(dropout=1.0): dropout must be in [0, 1)

:func:`validate_params` runs the table at fit time, as scikit-learn does (``__init__``
only stores the parameters, so that ``clone`` and ``set_params`` work).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

import numpy as np

from .. import checks
from ..activations import ACTIVATIONS
from ..i18n import N_, Message
from ..losses import LOSSES, Loss
from ..models import INIT_NAMES
from ..optim import OPTIMIZERS

# check(where, name, value) -> the value as fit uses it; raises TypeError or ValueError.
Check = Callable[[str, str, Any], Any]

ACTIVATION_ALIASES = {"logistic": "sigmoid"}  # scikit-learn's name for the sigmoid


class InvalidParameterError(ValueError, TypeError):
    """A constructor parameter outside its constraint.

    Both a ValueError and a TypeError, as scikit-learn's own: a caller catching either
    catches a bad value and a value of the wrong type alike.
    """


# ----------------------------------------------------------------------- the kinds


positive_real = partial(checks.real, low=0, low_open=True)
non_negative_real = partial(checks.real, low=0)
fraction = partial(checks.real, low=0, high=1, high_open=True)  # [0, 1)
open_fraction = partial(checks.real, low=0, high=1, low_open=True, high_open=True)  # (0, 1)


def one_of(
    options: Iterable[str], *, ignore_case: bool = False, aliases: dict[str, str] | None = None
) -> Check:
    """One of the strings ``options`` or ``aliases``, returned as the option it names (in
    any letter case with ``ignore_case``, returned in lower case)."""
    aliases = aliases or {}
    options = (*options, *aliases)

    def check(where: str, name: str, value: Any) -> str:
        if ignore_case and isinstance(value, str) and value.lower() in options:
            value = value.lower()
        value = checks.choice(where, name, value, options)
        return aliases.get(value, value)

    return check


def either(literal: Any, check: Check) -> Check:
    """``literal`` (None, "auto") as it is, or a value ``check`` accepts."""

    def either_check(where: str, name: str, value: Any) -> Any:
        if value is literal or (isinstance(value, str) and value == literal):
            return value
        try:
            return check(where, name, value)
        except (TypeError, ValueError) as err:  # name the literal among what is allowed
            said = str(err).replace(f"{name} must be ", f"{name} must be {literal!r} or ", 1)
            raise type(err)(said) from None

    return either_check


def layer_sizes(where: str, name: str, value: Any) -> list[int]:
    """Hidden layer widths: an int or a sequence of positive ints (``()``: none)."""
    sizes = [value] if checks.is_int(value) else value
    if isinstance(sizes, str) or not isinstance(sizes, Iterable):
        raise checks.refusal(
            TypeError,
            where,
            name,
            value,
            Message("train", N_("a sequence of positive integers, e.g. (100,)")),
        )
    sizes = list(sizes)
    if not all(checks.is_int(size) and size > 0 for size in sizes):
        template = N_(
            "{where}({name}={value!r}): {name} must be positive integers, e.g. (100,) or "
            "(64, 32); () for no hidden layer"
        )
        raise ValueError(Message("train", template, where=where, name=name, value=value))
    return [int(size) for size in sizes]


def a_dict(where: str, name: str, value: Any) -> dict:
    if not isinstance(value, dict):
        raise checks.refusal(TypeError, where, name, value, "a dict")
    return value


def class_weight_kind(where: str, name: str, value: Any) -> Any:
    """``"balanced"`` or a dict {class: weight}; the classes and weights are checked at
    fit, against the classes of ``y`` (:func:`fcnn.losses.weights.class_weights`)."""
    what = "'balanced' or a dict {class: weight}"
    if isinstance(value, str):
        if value != "balanced":
            raise checks.refusal(ValueError, where, name, value, what)
    elif not isinstance(value, dict):
        raise checks.refusal(TypeError, where, name, value, what)
    return value


def random_state(where: str, name: str, value: Any) -> Any:
    """What scikit-learn's ``check_random_state`` takes, and a NumPy Generator."""
    if value is None or isinstance(value, (np.random.RandomState, np.random.Generator)):
        return value
    if not checks.is_int(value):
        raise checks.refusal(
            TypeError, where, name, value, "None, an int, a RandomState or a Generator"
        )
    return checks.non_negative_int(where, name, value)


def a_loss(accepts: Callable[[type[Loss]], bool], aliases: dict[str, str]) -> Check:
    """A loss name (or one of scikit-learn's ``aliases``) or an fcnn loss whose class
    ``accepts``; the loss is built later, by :func:`build_loss`."""
    names = (*(key for key, cls in LOSSES.items() if accepts(cls)), *aliases)
    classes = ", ".join(cls.__name__ for cls in LOSSES.values() if accepts(cls))

    def check(where: str, name: str, value: Any) -> Any:
        if not isinstance(value, Loss):
            return checks.choice(where, name, value, names)
        if not accepts(type(value)):
            template = N_(
                "{where}({name}={value!r}): {name} must be an instance of {classes} (or a "
                "subclass), or a loss name"
            )
            said = {"value": value, "classes": classes}
            raise ValueError(Message("train", template, where=where, name=name, **said))
        return value

    return check


def build_loss(value: str | Loss, aliases: dict[str, str]) -> Loss:
    """The loss a checked ``loss`` parameter names; an instance is copied, since the
    parameter must stay as the user gave it (fitting never trains with it)."""
    if isinstance(value, Loss):
        return type(value)(**value.config())
    return LOSSES[aliases.get(value, value)]()


# ----------------------------------------------------------------------- the table


# The parameters both estimators share; each adds its ``output`` and ``loss`` with
# :func:`constraints_with` (which ones fit depends on the kind of targets).
PARAMETER_CONSTRAINTS: dict[str, Check] = {
    "hidden_layer_sizes": layer_sizes,
    "activation": one_of((*ACTIVATIONS, "maxout"), aliases=ACTIVATION_ALIASES),
    "optimizer": one_of(OPTIMIZERS, ignore_case=True),
    "learning_rate_init": positive_real,
    "momentum": non_negative_real,
    "nesterovs_momentum": checks.flag,
    "beta_1": fraction,
    "beta_2": fraction,
    "epsilon": positive_real,
    "weight_decay": either(None, non_negative_real),
    "optimizer_params": either(None, a_dict),
    "alpha": non_negative_real,
    "batch_size": either("auto", checks.positive_int),
    "max_iter": checks.positive_int,
    "shuffle": checks.flag,
    "tol": non_negative_real,
    "n_iter_no_change": checks.positive_int,
    "early_stopping": checks.flag,
    "validation_fraction": open_fraction,
    "batchnorm": checks.flag,
    "dropout": fraction,
    "init": one_of(("sklearn", *INIT_NAMES)),
    "pieces": checks.positive_int,
    "random_state": random_state,
    "verbose": checks.non_negative_int,
    "warm_start": checks.flag,
    "dtype": checks.float_dtype,
}


def constraints_with(
    *,
    outputs: Iterable[str],
    losses: Callable[[type[Loss]], bool],
    loss_aliases: dict[str, str],
    **more: Check,
) -> dict[str, Check]:
    """The shared table with an estimator's own entries: ``output`` None or one of
    ``outputs`` (or an alias); ``loss`` None, or a loss whose class ``losses`` accepts,
    by name (or one of ``loss_aliases``) or as an fcnn loss; and the checks of any
    parameter only it has (``more``: the classifier's ``class_weight``)."""
    return {
        **PARAMETER_CONSTRAINTS,
        "output": either(None, one_of(outputs, aliases=ACTIVATION_ALIASES)),
        "loss": either(None, a_loss(losses, loss_aliases)),
        **more,
    }


def validate_params(estimator: Any) -> dict[str, Any]:
    """Check every parameter against the estimator's ``_parameter_constraints``; return
    the values as fit uses them, by parameter name."""
    where = type(estimator).__name__
    constraints = estimator._parameter_constraints
    resolved = {}
    for name, check in constraints.items():
        try:
            resolved[name] = check(where, name, getattr(estimator, name))
        except (TypeError, ValueError) as err:
            raise InvalidParameterError(str(err)) from None
    return resolved
