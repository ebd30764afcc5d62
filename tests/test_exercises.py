"""fcnn.exercises: right answers pass; typical wrong answers fail with the hint that names
the mistake, in English and in Chinese; the reference comes from fcnn, not from constants.

The right answers are the course's published solutions (course/solutions/NN-name.md):
their code cells run with ``check`` recording each answer instead of judging it, and
every answer recorded must then pass its check, in both languages."""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from unittest import mock

import jupytext
import numpy as np
import pytest

import fcnn.exercises
from fcnn.exercises import EXERCISES, check
from fcnn.i18n import using_language

SOLUTIONS = Path(__file__).resolve().parents[1] / "course" / "solutions"


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def train_step(model, loss_fn, optimizer, X, y, zero_grad=True):
    loss = loss_fn(model(X), y)
    if zero_grad:
        optimizer.zero_grad()
    model.backward(loss_fn.backward())
    optimizer.step()
    return loss


# the notes' numbers, as a learner computes them by hand
OUT_H1, OUT_O1, OUT_O2 = 0.593269992, 0.75136507, 0.772928465
DELTA_O1 = (OUT_O1 - 0.01) * OUT_O1 * (1 - OUT_O1)
DELTA_O2 = (OUT_O2 - 0.99) * OUT_O2 * (1 - OUT_O2)
SLOPE_H1 = OUT_H1 * (1 - OUT_H1)


def solutions() -> dict[str, object]:
    """{exercise: answer} from the code of course/solutions/*.md, run cell by cell."""
    answers: dict[str, object] = {}
    recording = mock.patch.object(fcnn.exercises, "check", answers.__setitem__)
    for text in sorted(SOLUTIONS.glob("*.md")):
        namespace: dict[str, object] = {}
        with recording:
            for cell in jupytext.read(text, fmt="md:myst").cells:
                if cell.cell_type == "code":
                    exec(compile(cell.source, str(text), "exec"), namespace)
    return answers


RIGHT = solutions()

# (exercise, wrong answer, a piece of the English hint, a piece of the Chinese hint)
WRONG = [
    ("ch1.linear_forward", lambda X, W, b: X @ W + b, "needs Wᵀ", "要乘的是 Wᵀ"),
    ("ch1.linear_forward", lambda X, W, b: X @ W.T, "bias b is missing", "少了偏置 b"),
    ("ch1.linear_forward", lambda X, W, b: (X @ W.T + b).T, "returned shape", "每个样本应占一行"),
    (
        "ch1.collapse",
        lambda W1, b1, W2, b2: (W2 @ W1, b1 + b2),
        "b = W2 b1 + b2",
        "b = W2 b1 + b2",
    ),
    ("ch1.collapse", lambda W1, b1, W2, b2: (W1.T @ W2.T, W2 @ b1 + b2), "this is Wᵀ", "这是 Wᵀ"),
    ("ch2.dE_dw5", DELTA_O1, "multiply by ∂net_o1/∂w5", "还要乘以 ∂net_o1/∂w5"),
    ("ch2.dE_dw5", (OUT_O1 - 0.01) * OUT_H1, "sigmoid's slope", "sigmoid 的导数"),
    ("ch2.dE_dw5", -0.082167041, "the sign", "符号反了"),
    ("ch2.dE_dw5", 0.35891648, "after the step", "更新一步之后"),
    ("ch2.dE_dw1", DELTA_O1 * 0.40 * SLOPE_H1 * 0.05, "both paths", "两条路径之和"),
    ("ch2.grad_W1", np.zeros((2, 3)), "shape (2, 2)", "形状是 (2, 2)"),
    (
        "ch2.linear_backward",
        lambda x, W, g: (g @ W, x.T @ g, g.sum(0)),
        "dW is transposed",
        "dW 转置了",
    ),
    ("ch2.linear_backward", lambda x, W, g: (g, g.T @ x, g.sum(0)), "dx is missing W", "dx 少了 W"),
    (
        "ch2.linear_backward",
        lambda x, W, g: (g @ W.T, g.T @ x, g.sum(0)),
        "through W itself",
        "W 本身",
    ),
    (
        "ch2.linear_backward",
        lambda x, W, g: (g @ W, g.T @ x, np.zeros(len(W))),
        "bias gradient is forgotten",
        "忘了偏置的梯度",
    ),
    ("ch2.linear_backward", lambda x, W, g: (g @ W, g.T @ x, None), "db is None", "db 是 None"),
    (
        "ch2.linear_backward",
        lambda x, W, g: (g @ W, g.T @ x, g),
        "one row per sample",
        "每个样本占一行",
    ),
    ("ch2.linear_backward", lambda x, W, g: (g @ W, g.T @ x, g.mean(0)), "averaged", "取了平均"),
    ("ch2.linear_backward", lambda x, W, g: (g @ W, g.T @ x), "three arrays", "三个数组"),
    (
        "ch2.linear_backward",
        lambda x, W, g: (g @ W, 2 * g.T @ x, g.sum(0)),
        "your dW differs from fcnn's by 100 %",
        "你的 dW 与 fcnn 的相差其大小的 100 %",
    ),
    (
        "ch2.linear_backward",
        lambda x, W, g: (g @ W, x.T @ g if len(W) != W.shape[1] else g.T @ x, g.sum(0)),
        "your dW has shape (3, 2), fcnn's (2, 3)",
        "你的 dW 的形状是 (3, 2)，fcnn 的是 (2, 3)",
    ),
    (
        "ch3.sigmoid_backward",
        lambda y, g: g * sigmoid(y) * (1 - sigmoid(y)),
        "receives the output y",
        "拿到的是输出 y",
    ),
    (
        "ch3.sigmoid_backward",
        lambda y, g: y * (1 - y),
        "multiply by grad_output",
        "乘以 grad_output",
    ),
    (
        "ch3.relu_backward",
        lambda x, g: (x > 0) * 1.0,
        "multiply by grad_output",
        "乘以 grad_output",
    ),
    ("ch3.relu_backward", lambda x, g: g, "hard saturation", "硬饱和"),
    ("ch3.relu_backward", "relu", "should be a function", "应是一个函数"),
    ("ch4.tanh_backward", lambda a, g: g * (1 - np.tanh(a) ** 2), "no second tanh", "不要再套"),
    ("ch4.tanh_backward", lambda a, g: g * a * (1 - a), "sigmoid's derivative", "sigmoid 的导数"),
    ("ch4.bce_logits_grad", lambda z, y: sigmoid(z) - y, "divide by m", "除以 m"),
    ("ch4.bce_logits_grad", lambda z, y: (y - sigmoid(z)) / len(z), "the sign", "符号反了"),
    ("ch5.he_std", lambda fan_in: 1 / math.sqrt(fan_in), "doubles the variance", "方差加倍"),
    ("ch5.he_std", lambda fan_in: 2 / fan_in, "square root", "平方根"),
    ("ch5.dead_units", lambda A: (A == 0).any(axis=0), "on every sample", "每个样本"),
    ("ch5.dead_units", lambda A: (A == 0).all(axis=1), "per unit (column)", "每个神经元（列）"),
    (
        "ch6.batchnorm_forward",
        lambda x, g, b, eps: g * (x - x.mean(0)) / np.sqrt(x.var(0, ddof=1) + eps) + b,
        "biased variance",
        "有偏方差",
    ),
    (
        "ch6.batchnorm_forward",
        lambda x, g, b, eps: (x - x.mean(0)) / np.sqrt(x.var(0) + eps),
        "scale and shift",
        "缩放和平移",
    ),
    ("ch6.running_var", lambda r, x, m: (1 - m) * r + m * x.var(0), "unbiased", "无偏方差"),
    (
        "ch6.running_var",
        lambda r, x, m: m * r + (1 - m) * x.var(0, ddof=1),
        "(1 − momentum)·old",
        "(1 − momentum)·旧值",
    ),
    (
        "ch7.softmax_ce_grad",
        lambda z, k: softmax(z) - np.eye(z.shape[1])[k],
        "divide by N",
        "除以 N",
    ),
    (
        "ch7.momentum_step",
        lambda w, v, g, lr, m: (w - lr * g, m * v + g),
        "not the gradient g",
        "而不是梯度 g",
    ),
    (
        "ch7.momentum_step",
        lambda w, v, g, lr, m: (w - lr * (m * v + (1 - m) * g), m * v + (1 - m) * g),
        "whole gradient",
        "整个梯度",
    ),
    (
        "ch8.train_step",
        lambda *args: train_step(*args, zero_grad=False),
        "zero_grad",
        "zero_grad",
    ),
    (
        "ch8.count_parameters",
        lambda sizes: sum(a * b for a, b in itertools.pairwise(sizes)),
        "a bias too",
        "还有一个偏置",
    ),
]


def test_every_exercise_has_a_right_answer_here():
    assert set(RIGHT) | {"ch2.grad_W1"} == set(EXERCISES)


def test_the_solutions_answer_every_exercise_in_the_chapters_order():
    """One solutions file per chapter, named as the chapter; every exercise solved."""
    texts = sorted(SOLUTIONS.glob("*.md"))
    assert [p.name for p in texts] == [p.name for p in sorted(SOLUTIONS.parent.glob("en/0*.md"))]
    assert list(RIGHT) == list(EXERCISES)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", sorted(RIGHT))
def test_right_answers_pass(name, lang):
    with using_language(lang):
        verdict = check(name, RIGHT[name])
    assert verdict.ok, verdict.message
    assert verdict.message.startswith("✓")
    assert ("正确" in verdict.message) == (lang == "zh")


def test_grad_W1_from_the_chain_rule_and_its_transpose():
    delta_h = np.array([DELTA_O1 * 0.40 + DELTA_O2 * 0.50, DELTA_O1 * 0.45 + DELTA_O2 * 0.55])
    out_h = np.array([OUT_H1, 0.596884378])
    grad = np.outer(delta_h * out_h * (1 - out_h), [0.05, 0.10])
    assert check("ch2.grad_W1", grad)
    verdict = check("ch2.grad_W1", grad.T)
    assert not verdict and "transposed" in verdict.message


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("name", "answer", "en", "zh"), WRONG, ids=lambda v: str(v)[:24])
def test_wrong_answers_fail_with_their_hint(name, answer, en, zh, lang):
    with using_language(lang):
        verdict = check(name, answer)
    assert not verdict.ok
    assert verdict.message.startswith(f"✗ {name}")
    assert (en if lang == "en" else zh) in verdict.message, verdict.message


def test_a_wrong_answer_never_shows_the_solution():
    verdict = check("ch2.dE_dw5", 0.1)
    assert "0.0821" not in verdict.message and "off by" in verdict.message


def test_the_reference_is_computed_not_stored(monkeypatch):
    """Change the notes' example and the same number is no longer right."""
    from fcnn.exercises import ch2

    original = ch2.classic_example

    def other():
        example = original()
        example.model[2].weight.data[0, 0] = 0.9
        return example

    monkeypatch.setattr(ch2, "classic_example", other)
    assert not check("ch2.dE_dw1", RIGHT["ch2.dE_dw1"])


def test_linear_backward_is_held_to_a_gradient_check_too():
    """A function right on the hidden cases but not when gradcheck calls it (it keeps
    state between calls) is caught by the finite differences, not by the comparison."""
    calls = []

    def drifting(x, W, g):
        calls.append(1)
        return g @ W, (1 + (len(calls) > 4)) * g.T @ x, g.sum(0)

    verdict = check("ch2.linear_backward", drifting)
    assert not verdict and "fcnn.gradcheck" in verdict.message and "dW" in verdict.message
    assert len(calls) == 5  # four hidden cases, then the gradient check's one backward pass


def test_an_unknown_exercise_is_refused():
    with pytest.raises(ValueError, match=r"no exercise 'ch9\.x'"):
        check("ch9.x", 1.0)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_notebooks_placeholders_say_no_answer_yet(lang):
    with using_language(lang):
        assert "None" in check("ch2.dE_dw5", None).message
        verdict = check("ch3.relu_backward", lambda x, g: None)
    assert not verdict and "None" in verdict.message
