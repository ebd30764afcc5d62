"""Behaviour of fcnn/losses beyond the registry's gradient and parity checks: stability at
extreme inputs, every invalid input's message, the registry, spec/config/repr, the
backward protocol and dtypes."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

import cases_losses
import fcnn
from fcnn.losses import (
    LOSSES,
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    Loss,
    MSELoss,
    NLLLoss,
    get_loss,
)
from support import to_torch

CASES = cases_losses.CASES
ALL_CLASSES = [MSELoss, L1Loss, HuberLoss, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, NLLLoss]


def torch_loss_and_grad(twin, pred, target):
    pt = to_torch(pred).requires_grad_(True)
    value = twin(pt, to_torch(target))
    value.backward()
    return value.item(), pt.grad.numpy()


# --------------------------------------------------------------------------- the cases


def test_cases_cover_every_reduction_of_every_loss():
    seen = {(c.cls, c.make(np.float64).reduction) for c in CASES}
    for cls in ALL_CLASSES:
        for reduction in ("mean", "sum", "none"):
            assert (cls.__name__, reduction) in seen, (cls.__name__, reduction)


def test_cases_cover_the_cross_entropy_options_and_their_combination():
    kinds = set()
    for c in CASES:
        if c.cls != "CrossEntropyLoss":
            continue
        loss = c.make(np.float64)
        target = c.make_target(np.random.default_rng(0))
        kind = "prob" if target.dtype.kind == "f" else "index"
        ignored = kind == "index" and bool(np.any(target == loss.ignore_index))
        kinds.add((kind, loss.weight is not None, loss.label_smoothing > 0, ignored))
    for kind in ("index", "prob"):
        assert (kind, False, False, False) in kinds
        assert (kind, True, True, False) in kinds
    assert ("index", True, True, True) in kinds  # weight + smoothing + ignore_index at once
    assert ("index", False, False, True) in kinds


@pytest.mark.parametrize("seed", [0, 1])  # the registry tests draw with these two seeds
def test_case_inputs_do_what_their_names_say(seed):
    for c in CASES:
        rng = np.random.default_rng(seed)
        pred, target = c.make_pred(rng), c.make_target(rng)
        if c.cls == "HuberLoss":
            size = np.abs(pred - target)
            delta = c.extra["delta"]
            assert c.make(np.float64).delta == delta
            assert np.any(size < delta) and np.any(size > delta), c.id
            assert np.min(np.abs(size - delta)) > 1e-4, c.id  # away from the kink
        if c.cls == "L1Loss":
            assert np.min(np.abs(pred - target)) > 1e-4, c.id
        if c.cls == "BCELoss":
            assert 0.01 < pred.min() and pred.max() < 0.99, c.id
        if "ignored" in c.extra:
            ignore_index = c.make(np.float64).ignore_index
            rows = np.flatnonzero(target == ignore_index)
            assert tuple(rows) == tuple(c.extra["ignored"]), c.id


# --------------------------------------------------------------------------- stability


def test_cross_entropy_is_exact_at_huge_float32_logits():
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0]], dtype=np.float32)
    loss = CrossEntropyLoss()
    assert loss(z, np.array([1, 0])) == 2e4
    grad = loss.backward()
    assert grad.dtype == np.float32
    np.testing.assert_array_equal(grad, [[0.5, -0.5, 0.0], [-0.5, 0.5, 0.0]])
    assert loss(z, np.array([0, 1])) == 0.0
    np.testing.assert_array_equal(loss.backward(), np.zeros((2, 3)))


@pytest.mark.parametrize(
    "kwargs", [{"label_smoothing": 0.1}, {"weight": [1.0, 2.0, 0.5], "label_smoothing": 0.3}]
)
@pytest.mark.parametrize("probabilities", [False, True])
def test_cross_entropy_matches_torch_at_huge_float32_logits(kwargs, probabilities):
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0], [3e3, -2e3, 1e4]], dtype=np.float32)
    target = np.array([0, 0, 2])
    if probabilities:
        target = np.array([[0.7, 0.3, 0.0], [0.1, 0.1, 0.8], [0.0, 1.0, 0.0]], dtype=np.float32)
    loss = CrossEntropyLoss(**kwargs).to(np.float32)
    value = loss(z, target)
    grad = loss.backward()
    assert math.isfinite(value) and np.all(np.isfinite(grad))
    twin_args = {k: torch.tensor(v) if k == "weight" else v for k, v in kwargs.items()}
    expected, expected_grad = torch_loss_and_grad(torch.nn.CrossEntropyLoss(**twin_args), z, target)
    assert value == pytest.approx(expected, rel=1e-6)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-5, atol=1e-7)


def test_bce_with_logits_is_exact_at_huge_float32_logits():
    x = np.array([[1e4, -1e4, 1e4, -1e4]], dtype=np.float32)
    y = np.array([[1.0, 0.0, 0.0, 1.0]], dtype=np.float32)
    loss = BCEWithLogitsLoss()
    assert loss(x, y) == 5e3  # (0 + 0 + 1e4 + 1e4) / 4
    np.testing.assert_array_equal(loss.backward(), [[0.0, 0.0, 0.25, -0.25]])
    weighted = BCEWithLogitsLoss(pos_weight=[2.0, 2.0, 2.0, 2.0])
    assert weighted(x, y) == 7.5e3  # the positive term counts twice: (0 + 0 + 1e4 + 2e4) / 4
    grad = weighted.backward()
    assert grad.dtype == np.float32
    np.testing.assert_array_equal(grad, [[0.0, 0.0, 0.25, -0.5]])


def test_bce_clamps_each_log_at_minus_100_like_torch():
    pred = np.array([[0.0, 1.0, 0.0, 1.0]])
    target = np.array([[1.0, 0.0, 0.0, 1.0]])
    loss = BCELoss(reduction="none")
    np.testing.assert_array_equal(loss(pred, target), [[100.0, 100.0, 0.0, 0.0]])
    mean = BCELoss()
    assert mean(pred, target) == 50.0
    grad = mean.backward()
    expected_value, expected_grad = torch_loss_and_grad(torch.nn.BCELoss(), pred, target)
    assert expected_value == 50.0
    # ±1/(4·1e-12) where the log was clamped (torch floors x(1-x) at 1e-12), 0 where exact.
    np.testing.assert_array_equal(grad, expected_grad)
    assert grad[0, 0] == pytest.approx(-0.25e12) and grad[0, 2] == 0.0


def test_nan_propagates_quietly_as_in_torch():
    # RuntimeWarnings are errors in this suite, so these also prove nothing warns.
    z = np.array([[np.nan, 1.0], [0.0, 1.0]])
    ce = CrossEntropyLoss(reduction="none")
    value = ce(z, np.array([0, 1]))
    assert np.isnan(value[0]) and np.isfinite(value[1])
    assert math.isnan(MSELoss()(np.array([[np.nan]]), np.array([[1.0]])))
    assert math.isnan(BCEWithLogitsLoss()(np.array([[np.nan]]), np.array([[1.0]])))
    mse = MSELoss()
    mse(np.array([[np.inf, 1.0]]), np.array([[1.0, 1.0]]))
    assert np.isinf(mse.backward()[0, 0])


@pytest.mark.parametrize("cls", [CrossEntropyLoss, NLLLoss])
def test_every_target_ignored_gives_nan_and_a_zero_gradient_like_torch(cls):
    pred = np.random.default_rng(0).standard_normal((3, 4))
    target = np.array([-100, -100, -100])
    loss = cls()
    assert math.isnan(loss(pred, target))
    grad = loss.backward()
    expected_value, expected_grad = torch_loss_and_grad(
        getattr(torch.nn, cls.__name__)(), pred, target
    )
    assert math.isnan(expected_value)
    np.testing.assert_array_equal(grad, expected_grad)
    np.testing.assert_array_equal(grad, np.zeros((3, 4)))


def test_index_and_one_hot_probability_targets_agree():
    rng = np.random.default_rng(3)
    z = rng.standard_normal((5, 4))
    target = np.array([0, 3, 1, 1, 2])
    one_hot = np.eye(4)[target]
    for kwargs in ({}, {"label_smoothing": 0.2}):
        by_index, by_prob = CrossEntropyLoss(**kwargs), CrossEntropyLoss(**kwargs)
        assert by_index(z, target) == pytest.approx(by_prob(z, one_hot), rel=1e-12)
        np.testing.assert_allclose(by_index.backward(), by_prob.backward(), rtol=1e-12)
    # With weights the two means differ (Σ w[y] vs N, as in torch); the sums agree.
    weight = [0.5, 2.0, 1.0, 3.0]
    by_index = CrossEntropyLoss(weight, reduction="sum")
    by_prob = CrossEntropyLoss(weight, reduction="sum")
    assert by_index(z, target) == pytest.approx(by_prob(z, one_hot), rel=1e-12)
    mean = CrossEntropyLoss(weight)(z, target)
    assert mean == pytest.approx(by_index(z, target) / sum(weight[t] for t in target))


@pytest.mark.parametrize("dtype", [np.uint8, np.int32, np.int64])
def test_any_integer_dtype_works_as_class_targets(dtype):
    z = np.random.default_rng(0).standard_normal((3, 4))
    reference = CrossEntropyLoss()(z, np.array([3, 0, 2]))
    assert CrossEntropyLoss()(z, np.array([3, 0, 2], dtype=dtype)) == reference


# --------------------------------------------------------------------------- bad input

ELEMENTWISE = [MSELoss, L1Loss, HuberLoss, BCELoss, BCEWithLogitsLoss]


@pytest.mark.parametrize("cls", ELEMENTWISE)
def test_shape_mismatch_names_both_shapes_and_hints_a_column(cls):
    pred = np.full((4, 1), 0.5)
    with pytest.raises(fcnn.ShapeError, match=r"\(4, 1\).*\(4,\).*y\.reshape\(-1, 1\)"):
        cls()(pred, np.zeros(4))
    with pytest.raises(ValueError, match=r"pred has shape \(4, 2\) but target has shape \(4, 3\)"):
        cls()(np.full((4, 2), 0.5), np.zeros((4, 3)))


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_empty_batch_is_refused(cls):
    with pytest.raises(fcnn.ShapeError, match="empty batch"):
        cls()(np.zeros((0, 3)), np.zeros((0, 3)) if cls in ELEMENTWISE else np.zeros(0, int))


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_non_numeric_pred_is_refused(cls):
    with pytest.raises(TypeError, match="pred must be a real numeric array"):
        cls()(np.array([["a", "b"]]), np.array([0]))


@pytest.mark.parametrize("cls", [CrossEntropyLoss, NLLLoss])
def test_class_index_out_of_range_names_row_value_and_range(cls):
    pred = np.zeros((4, 3))
    with pytest.raises(ValueError, match=r"target\[2\] = 5 .*0 <= target < 3"):
        cls()(pred, np.array([0, -100, 5, 7]))
    with pytest.raises(ValueError, match=r"target\[1\] = -1 .*ignore_index=-100"):
        cls()(pred, np.array([0, -1, 1, 2]))
    with pytest.raises(ValueError, match=r"target\[0\] = -100"):
        cls(ignore_index=1)(pred, np.array([-100, 1, 1, 2]))


@pytest.mark.parametrize("cls", [CrossEntropyLoss, NLLLoss])
def test_non_integer_class_targets_are_refused(cls):
    with pytest.raises(TypeError, match=r"class targets must be integers.*astype\(np\.int64\)"):
        cls()(np.zeros((3, 2)), np.array([0.0, 1.0, 1.0]))
    with pytest.raises(TypeError, match="class targets must be integers, got dtype bool"):
        cls()(np.zeros((3, 2)), np.array([True, False, True]))


def test_class_target_shapes_get_hints():
    pred = np.zeros((3, 2))
    with pytest.raises(fcnn.ShapeError, match=r"\(3,\).*got shape \(3, 1\).*reshape\(-1\)"):
        CrossEntropyLoss()(pred, np.array([[0], [1], [1]]))
    with pytest.raises(fcnn.ShapeError, match=r"argmax\(axis=1\).*float probabilities"):
        CrossEntropyLoss()(pred, np.eye(2, dtype=int)[[0, 1, 1]])
    with pytest.raises(fcnn.ShapeError, match=r"got shape \(3, 3\)"):
        CrossEntropyLoss()(pred, np.full((3, 3), 1 / 3))  # probabilities of the wrong width
    with pytest.raises(fcnn.ShapeError, match=r"logits of shape \(N, C\), got shape \(3,\)"):
        CrossEntropyLoss()(np.zeros(3), np.array([0]))
    with pytest.raises(fcnn.ShapeError, match=r"log-probabilities of shape \(N, C\)"):
        NLLLoss()(np.zeros((1, 2, 3)), np.array([0]))


def test_bce_refuses_pred_and_target_outside_the_unit_interval():
    with pytest.raises(ValueError, match=r"pred must lie in \[0, 1\], got pred\[0, 1\] = 1.5"):
        BCELoss()(np.array([[0.5, 1.5, -1.0]]), np.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"pred\[1\] = nan .*BCEWithLogitsLoss"):
        BCELoss()(np.array([0.5, np.nan]), np.zeros(2))
    with pytest.raises(ValueError, match=r"target must lie in \[0, 1\], got target\[2\] = -0.5"):
        BCELoss()(np.full(3, 0.5), np.array([0.0, 1.0, -0.5]))


@pytest.mark.parametrize("cls", [CrossEntropyLoss, NLLLoss])
def test_class_weight_of_the_wrong_length_is_refused(cls):
    with pytest.raises(ValueError, match=r"weight has 3 entries but pred of shape \(2, 4\)"):
        cls(weight=[1.0, 2.0, 3.0])(np.zeros((2, 4)), np.array([0, 1]))
    with pytest.raises(ValueError, match=r"weight must be a 1-D array .* got shape \(2, 2\)"):
        cls(weight=[[1.0, 2.0], [3.0, 4.0]])


@pytest.mark.parametrize(("name", "cls"), [("weight", BCELoss), ("pos_weight", BCEWithLogitsLoss)])
def test_bce_weights_must_broadcast_to_pred(name, cls):
    loss = cls(**{name: [1.0, 2.0, 3.0]})
    with pytest.raises(fcnn.ShapeError, match=rf"{name} of shape \(3,\) does not broadcast"):
        loss(np.full((2, 4), 0.5), np.zeros((2, 4)))


@pytest.mark.parametrize("cls", [BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, NLLLoss])
def test_weights_must_be_finite_numbers(cls):
    with pytest.raises(ValueError, match="weight must be finite"):
        cls(weight=[1.0, np.nan])
    with pytest.raises(TypeError, match="weight must be numeric"):
        cls(weight=["a", "b"])


@pytest.mark.parametrize("cls", ALL_CLASSES)
@pytest.mark.parametrize("reduction", ["avg", "Mean", None, 1])
def test_invalid_reduction_is_refused(cls, reduction):
    with pytest.raises(ValueError, match=r"reduction must be 'mean', 'sum' or 'none'"):
        cls(reduction=reduction)


@pytest.mark.parametrize("delta", [0, -1.0, math.inf, math.nan, True, "1"])
def test_huber_delta_must_be_positive(delta):
    with pytest.raises(ValueError, match=r"HuberLoss\(delta=.*\): delta must be a positive number"):
        HuberLoss(delta=delta)


@pytest.mark.parametrize("smoothing", [-0.1, 1.5, math.nan, "0.1"])
def test_label_smoothing_must_be_in_the_unit_interval(smoothing):
    with pytest.raises(ValueError, match=r"label_smoothing must be in \[0, 1\]"):
        CrossEntropyLoss(label_smoothing=smoothing)


@pytest.mark.parametrize("ignore_index", [1.0, True, "0"])
def test_ignore_index_must_be_an_integer(ignore_index):
    with pytest.raises(TypeError, match=r"ignore_index=.*expected an integer"):
        CrossEntropyLoss(ignore_index=ignore_index)


# --------------------------------------------------------------------------- registry


def test_registry_names():
    assert set(LOSSES) == {"mse", "l1", "huber", "bce", "bce_with_logits", "cross_entropy", "nll"}
    assert set(LOSSES.values()) == set(ALL_CLASSES)
    for cls in LOSSES.values():
        assert issubclass(cls, Loss) and not issubclass(cls, fcnn.Module)


def test_get_loss_by_registry_or_class_name():
    loss = get_loss("cross_entropy", label_smoothing=0.1, reduction="sum")
    assert type(loss) is CrossEntropyLoss
    assert (loss.label_smoothing, loss.reduction) == (0.1, "sum")
    assert type(get_loss("HuberLoss", delta=2.0)) is HuberLoss
    for name, cls in LOSSES.items():
        assert type(get_loss(name)) is cls


def test_get_loss_refuses_unknown_names():
    with pytest.raises(ValueError, match=r"unknown loss 'crossentropy'; known losses: mse, .*nll"):
        get_loss("crossentropy")
    with pytest.raises(TypeError, match="name must be a string"):
        get_loss(MSELoss)
    with pytest.raises(TypeError, match=r"MSELoss has no argument delta; it takes reduction"):
        get_loss("mse", delta=1.0)


# --------------------------------------------------------------------------- description


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_spec_config_and_repr_round_trip(case):
    loss = case.make(np.float32)
    spec = loss.spec()
    assert spec == {"type": case.cls, **loss.config()}
    assert json.loads(json.dumps(spec)) == spec, "spec must be JSON-able"
    assert type(loss)(**loss.config()).spec() == spec
    args = {k: v for k, v in spec.items() if k != "type"}
    assert get_loss(spec["type"], **args).spec() == spec
    rebuilt = eval(repr(loss), {case.cls: type(loss)})  # the repr reads as a constructor call
    assert rebuilt.spec() == spec


def test_repr_shows_the_arguments_that_differ_from_the_defaults():
    assert repr(MSELoss()) == "MSELoss()"
    assert repr(L1Loss(reduction="sum")) == "L1Loss(reduction='sum')"
    assert repr(HuberLoss("none", delta=0.5)) == "HuberLoss(reduction='none', delta=0.5)"
    assert repr(CrossEntropyLoss(label_smoothing=0.1)) == "CrossEntropyLoss(label_smoothing=0.1)"
    assert (
        repr(CrossEntropyLoss(weight=np.array([1, 2]), ignore_index=0))
        == "CrossEntropyLoss(weight=[1.0, 2.0], ignore_index=0)"
    )
    assert repr(BCEWithLogitsLoss(pos_weight=[3.0])) == "BCEWithLogitsLoss(pos_weight=[3.0])"


def test_config_lists_every_constructor_argument():
    assert CrossEntropyLoss().config() == {
        "weight": None,
        "ignore_index": -100,
        "reduction": "mean",
        "label_smoothing": 0.0,
    }
    assert NLLLoss([1.0, 2.0]).config() == {
        "weight": [1.0, 2.0],
        "ignore_index": -100,
        "reduction": "mean",
    }
    assert BCEWithLogitsLoss().config() == {"weight": None, "reduction": "mean", "pos_weight": None}
    assert BCELoss().config() == {"weight": None, "reduction": "mean"}
    assert HuberLoss().config() == {"reduction": "mean", "delta": 1.0}
    assert MSELoss().config() == {"reduction": "mean"}


def test_to_converts_weights_and_returns_self():
    loss = BCEWithLogitsLoss(weight=[1.0, 2.0], pos_weight=np.array([3.0, 4.0], np.float32))
    assert loss.weight.dtype == np.float64 and loss.pos_weight.dtype == np.float32
    assert loss.to(np.float32) is loss
    assert loss.weight.dtype == np.float32 and loss.pos_weight.dtype == np.float32
    assert loss.to("float64").pos_weight.dtype == np.float64
    assert MSELoss().to(np.float64).reduction == "mean"
    with pytest.raises(TypeError, match="must be float32 or float64"):
        loss.to(np.float16)


def test_weights_are_copied_not_shared():
    weight = np.array([1.0, 2.0])
    loss = CrossEntropyLoss(weight)
    weight[0] = 100.0
    assert loss.weight.tolist() == [1.0, 2.0]


# --------------------------------------------------------------------------- backward


def _inputs(case, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    pred, target = case.make_pred(rng).astype(dtype), case.make_target(rng)
    if target.dtype.kind == "f":
        target = target.astype(dtype)
    return pred, target


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_backward_before_forward_is_a_clear_error(cls):
    with pytest.raises(RuntimeError, match=r"backward\(\) called before forward\(\)"):
        cls().backward()


def test_backward_after_a_failed_forward_is_refused():
    loss = MSELoss()
    loss(np.zeros((2, 1)), np.ones((2, 1)))
    with pytest.raises(fcnn.ShapeError):
        loss(np.zeros((2, 1)), np.ones(3))
    with pytest.raises(RuntimeError, match="before forward"):
        loss.backward()


@pytest.mark.parametrize("case", [c for c in CASES if c.id.endswith("-none")], ids=lambda c: c.id)
def test_reduction_none_needs_grad_output_of_the_losses_shape(case):
    loss = case.make(np.float64)
    pred, target = _inputs(case)
    value = loss(pred, target)
    assert isinstance(value, np.ndarray)
    expected_shape = (pred.shape[0],) if case.cls in ("CrossEntropyLoss", "NLLLoss") else pred.shape
    assert value.shape == expected_shape
    with pytest.raises(ValueError, match=r"needs grad_output of the losses' shape"):
        loss.backward()
    with pytest.raises(fcnn.ShapeError, match=r"grad_output has shape \(7,\)"):
        loss.backward(np.ones(7))
    ones = loss.backward(np.ones(value.shape))
    summed = case.make(np.float64)
    summed.reduction = "sum"
    assert summed(pred, target) == pytest.approx(float(value.sum()), rel=1e-12)
    np.testing.assert_allclose(ones, summed.backward(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("case", [c for c in CASES if c.id.endswith("-mean")], ids=lambda c: c.id)
def test_grad_output_scales_a_reduced_loss(case):
    loss = case.make(np.float64)
    loss(*_inputs(case))
    once = loss.backward()
    np.testing.assert_allclose(loss.backward(2.5), 2.5 * once, rtol=1e-14)
    np.testing.assert_allclose(loss.backward(np.float64(-1.0)), -once, rtol=1e-14)
    with pytest.raises(ValueError, match="grad_output must be a scalar"):
        loss.backward(np.ones(3))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_backward_returns_a_fresh_array_and_leaves_inputs_alone(case):
    loss = case.make(np.float64)
    pred, target = _inputs(case)
    pred_copy, target_copy = pred.copy(), target.copy()
    value = loss(pred, target)
    upstream = None if np.isscalar(value) else np.ones(np.shape(value))
    first = loss.backward(upstream)
    first_copy = first.copy()
    first += 1.0  # scribbling on the returned gradient changes nothing kept by the loss
    np.testing.assert_array_equal(loss.backward(upstream), first_copy)
    np.testing.assert_array_equal(pred, pred_copy)
    np.testing.assert_array_equal(target, target_copy)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_float32_stays_float32_throughout(case):
    loss = case.make(np.float32)
    pred, target = _inputs(case, np.float32)
    value = loss(pred, target)
    if isinstance(value, np.ndarray):
        assert value.dtype == np.float32
        grad = loss.backward(np.ones(value.shape, np.float64))  # a float64 upstream too
    else:
        assert type(value) is float
        grad = loss.backward()
    assert grad.dtype == np.float32 and grad.shape == pred.shape
    # No float64 upcast anywhere: every float array the loss keeps is float32.
    for name, kept in vars(loss).items():
        if isinstance(kept, np.ndarray) and kept.dtype.kind == "f":
            assert kept.dtype == np.float32, f"{case.id}: {name} is {kept.dtype}"


def test_float64_weights_are_cast_to_a_float32_pred():
    loss = CrossEntropyLoss(weight=[1.0, 2.0, 0.5], label_smoothing=0.1)  # float64 weight
    z = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    loss(z, np.array([0, 1, 2, 1]))
    assert loss.backward().dtype == np.float32
    assert loss._weight_now.dtype == np.float32


@pytest.mark.parametrize("cls", [MSELoss, L1Loss, HuberLoss])
def test_non_float_pred_computes_in_float32(cls):
    loss = cls(reduction="none")
    assert loss(np.array([[1, 2]]), np.array([[0.5, 0.5]])).dtype == np.float32
    assert loss.backward(np.ones((1, 2))).dtype == np.float32
    assert cls()(np.array([[True, False]]), np.array([[0.0, 0.0]])) == cls()(
        np.array([[1.0, 0.0]], np.float32), np.zeros((1, 2))
    )


def test_the_loss_is_a_python_float_and_call_is_forward():
    loss = MSELoss()
    pred, target = np.array([[1.0, 2.0]]), np.array([[0.0, 0.0]])
    assert type(loss(pred, target)) is float
    assert loss(pred, target) == loss.forward(pred, target) == 2.5
    assert type(MSELoss("sum")(pred, target)) is float


def test_gradcheck_works_on_a_loss_and_leaves_it_alone():
    loss = CrossEntropyLoss(weight=np.array([1.0, 2.0, 3.0], np.float32), label_smoothing=0.1)
    z = np.random.default_rng(0).standard_normal((4, 3))
    errors = fcnn.gradcheck(loss, z, np.array([0, 2, 1, 2]))
    assert errors["input"] < 1e-6
    assert loss.weight.dtype == np.float32
