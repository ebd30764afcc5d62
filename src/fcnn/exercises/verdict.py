"""What a check answers (a :class:`Verdict`), the table of exercises, and the comparisons
every exercise shares: a number, an array, a student's function on hidden cases.

A verdict never shows the reference answer: it says whether the student's answer agrees
with fcnn's own computation and, if not, on which case, by how much, and a hint that
names the factor or the shape that went wrong. Messages are looked up in the
``exercises`` catalog when the check runs, so they speak the current language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..i18n import N_, Message, translator

_ = translator("exercises")

#: how close an answer must be to fcnn's, relative to the size of the reference: loose
#: enough for a number typed with 6 significant digits, tight enough to catch a factor
TOLERANCE = 1e-5


@dataclass(frozen=True)
class Verdict:
    """The answer of one check: ``ok`` and a message in the language of the moment.

    In a notebook, a check's verdict is shown as its message; ``bool(verdict)`` is
    ``verdict.ok``, so ``assert check(...)`` works in a script.
    """

    exercise: str
    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return self.message

    __repr__ = __str__


class Wrong(Exception):
    """Raised inside a checker to answer "wrong", with what is wrong and a hint."""

    def __init__(self, problem: str, hint: str = "") -> None:
        super().__init__(problem)
        self.problem, self.hint = problem, hint


#: every exercise by name ("ch2.dE_dw5"): its checker, which raises Wrong or returns
#: the sentence said when the answer is right
EXERCISES: dict[str, Callable[[Any], str]] = {}


def exercise(name: str) -> Callable[[Callable[[Any], str]], Callable[[Any], str]]:
    """Register a checker under ``name``."""

    def register(checker: Callable[[Any], str]) -> Callable[[Any], str]:
        EXERCISES[name] = checker
        return checker

    return register


def check(name: str, answer: Any) -> Verdict:
    """Check ``answer`` to exercise ``name`` against fcnn's own computation.

    Parameters
    ----------
    name : str
        The exercise, as the notebook names it (``"ch2.dE_dw5"``); ``EXERCISES`` lists them.
    answer : number, array or function
        What the exercise asks for.

    Returns
    -------
    Verdict
        Right or wrong, with a hint when wrong; in the current language.
    """
    if name not in EXERCISES:
        known = ", ".join(sorted(EXERCISES))
        template = N_("check: no exercise {name!r}; the exercises are {known}")
        raise ValueError(Message("exercises", template, name=name, known=known))
    if answer is None:  # the notebook's placeholder, not yet replaced
        return Verdict(
            name,
            False,
            _("… {exercise}: no answer yet: replace None with yours.").format(exercise=name),
        )
    try:
        said = EXERCISES[name](answer)
    except Wrong as wrong:
        message = _("✗ {exercise}: not yet. {problem}").format(exercise=name, problem=wrong.problem)
        if wrong.hint:
            message += "\n" + _("  Hint: {hint}").format(hint=wrong.hint)
        return Verdict(name, False, message)
    return Verdict(name, True, _("✓ {exercise}: right. {said}").format(exercise=name, said=said))


def difference(answer: Any, reference: np.ndarray) -> float:
    """The largest difference relative to the reference's size (0 means equal)."""
    answer = np.asarray(answer, dtype=np.float64)
    scale = max(float(np.max(np.abs(reference))), 1e-12)
    return float(np.max(np.abs(answer - reference))) / scale


def close(answer: Any, reference: Any) -> bool:
    answer, reference = np.asarray(answer), np.asarray(reference, dtype=np.float64)
    return answer.shape == reference.shape and difference(answer, reference) <= TOLERANCE


def number(answer: Any) -> float:
    """The answer as a float, or Wrong when it is not one number."""
    if isinstance(answer, bool) or np.size(answer) != 1:
        raise Wrong(
            _("The answer should be one number, got {what}.").format(what=described(answer))
        )
    try:
        return float(np.asarray(answer, dtype=np.float64).reshape(()))
    except (TypeError, ValueError):
        raise Wrong(
            _("The answer should be one number, got {what}.").format(what=described(answer))
        ) from None


def array(answer: Any, shape: tuple[int, ...]) -> np.ndarray:
    """The answer as a float64 array of ``shape``, or Wrong naming the shape it has."""
    try:
        values = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        raise Wrong(
            _("The answer should be an array, got {what}.").format(what=described(answer))
        ) from None
    if values.shape != shape:
        hint = ""
        if values.shape == shape[::-1]:
            hint = _(
                "the shape is transposed: fcnn stores weight[j, i] for the weight "
                "from input i to unit j"
            )
        raise Wrong(
            _("The answer has shape {got}; the exercise asks for shape {want}.").format(
                got=values.shape, want=shape
            ),
            hint,
        )
    return values


def then(first: str, second: str) -> str:
    """Two sentences in a row: English puts a space between them, Chinese (after its
    full stop "。") does not."""
    return _("{first} {second}").format(first=first, second=second)


def miss(answer: float | np.ndarray, reference: Any) -> str:
    """How far a wrong answer is: "off by 12 %"."""
    return _("It is off by {percent:.3g} % of the right size.").format(
        percent=100 * difference(answer, np.asarray(reference, dtype=np.float64))
    )


def first_match(answer: Any, mistakes: Iterable[tuple[Any, str]]) -> str:
    """The hint of the first typical mistake the answer equals, else ""."""
    for value, hint in mistakes:
        if close(answer, value):
            return hint
    return ""


def function(answer: Any) -> Callable[..., Any]:
    if not callable(answer):
        raise Wrong(
            _("The answer should be a function, got {what}.").format(what=described(answer))
        )
    return answer


def answered(result: Any) -> Any:
    """A student's function's result, or Wrong when it still returns None."""
    if result is None:
        raise Wrong(_("Your function returned None: write its body where the notebook says."))
    return result


def call(fn: Callable[..., Any], case: int, *args: Any, hint: str = "") -> np.ndarray:
    """The student's function on one hidden case as an array, or Wrong saying what it raised."""
    return np.asarray(run(fn, case, *args, hint=hint), dtype=np.float64)


def run(fn: Callable[..., Any], case: int, *args: Any, hint: str = "") -> Any:
    """What the student's function returns on one hidden case (given copies, so it may
    change its arguments), or Wrong saying what it raised."""
    try:
        return answered(fn(*(np.array(a, copy=True) for a in args)))
    except Wrong:
        raise
    except Exception as error:  # a learner's function may raise anything: say what
        shapes = ", ".join(str(np.shape(a)) for a in args)
        raise Wrong(
            _(
                "On hidden case {case} (arguments of shapes {shapes}) your function raised {error}."
            ).format(case=case, shapes=shapes, error=f"{type(error).__name__}: {error}"),
            hint,
        ) from None


def pair(fn: Callable[..., Any], case: int, problem: str, *args: Any) -> tuple[Any, Any]:
    """The two things the student's function returns on one hidden case (``(W, b)``), or
    Wrong: when it returns None, when it raises, or when what it returns is not a pair,
    ``problem`` (a translated message with the fields ``{case}`` and ``{error}``) saying
    which. ``args`` are passed as they are: give copies of arrays it may change."""
    try:
        first, second = answered(fn(*args))
    except Wrong:
        raise
    except Exception as error:  # a learner's function may raise anything: say what
        raise Wrong(problem.format(case=case, error=f"{type(error).__name__}: {error}")) from None
    return first, second


def compare(
    got: np.ndarray, want: np.ndarray, case: int, shapes: str, mistakes, part: str = ""
) -> None:
    """Wrong unless the function's output on a hidden case equals fcnn's; ``part`` names
    which of several returned arrays it is ("dW"), for a function that returns more."""
    if got.shape != want.shape:
        if part:
            problem = _(
                "On hidden case {case} (arguments of shapes {shapes}) your {part} has "
                "shape {got}, fcnn's {want}."
            )
        else:
            problem = _(
                "On hidden case {case} (arguments of shapes {shapes}) your function "
                "returned shape {got}, fcnn {want}."
            )
        raise Wrong(
            problem.format(case=case, shapes=shapes, part=part, got=got.shape, want=want.shape),
            first_match(got, mistakes)
            or (
                _("the result is transposed: one row per sample")
                if got.shape == want.shape[::-1] and not part
                else ""
            ),
        )
    if not close(got, want):
        if part:
            problem = _(
                "On hidden case {case} (arguments of shapes {shapes}) your {part} "
                "differs from fcnn's by {percent:.3g} % of its size."
            )
        else:
            problem = _(
                "On hidden case {case} (arguments of shapes {shapes}) your result "
                "differs from fcnn's by {percent:.3g} % of its size."
            )
        raise Wrong(
            problem.format(
                case=case, shapes=shapes, part=part, percent=100 * difference(got, want)
            ),
            first_match(got, mistakes),
        )


def described(answer: Any) -> str:
    shape = np.shape(answer) if isinstance(answer, (list, tuple, np.ndarray)) else None
    name = type(answer).__name__
    return f"{name} {shape}" if shape else name
