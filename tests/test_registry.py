"""Every registered module, activation and loss, proven twice: against central differences
in float64 and against PyTorch in float64 and float32. Plus the round trips every module
owes (spec, state_dict, repr)."""

from __future__ import annotations

import numpy as np
import pytest

import cases_activations
import cases_layers
import cases_losses
import fcnn
from fcnn import losses
from support import TORCH_DTYPES, copy_weights, to_torch

MODULE_CASES = cases_layers.CASES + cases_activations.CASES
LOSS_CASES = cases_losses.CASES
GRADCHECK_TOL = 1e-6
PARITY_TOL = {np.float64: 1e-9, np.float32: 1e-5}


def close(ours, theirs, tol, what):
    ours = np.asarray(ours, dtype=np.float64)
    theirs = np.asarray(theirs, dtype=np.float64)
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape} vs torch {theirs.shape}"
    scale = max(float(np.max(np.abs(theirs))) if theirs.size else 0.0, 1e-12)
    err = float(np.max(np.abs(ours - theirs))) / scale if ours.size else 0.0
    assert err <= tol, f"{what}: relative error {err:.3e} > {tol:.0e}"


def test_every_registered_module_has_a_case():
    covered = {case.cls for case in MODULE_CASES}
    missing = sorted(set(fcnn.MODULES) - covered)
    assert not missing, f"registered modules without a registry test case: {missing}"


def test_every_registered_loss_has_a_case():
    covered = {case.cls for case in LOSS_CASES}
    registered = {cls.__name__ for cls in losses.LOSSES.values()}
    missing = sorted(registered - covered)
    assert not missing, f"registered losses without a registry test case: {missing}"


def test_case_ids_are_unique():
    ids = [c.id for c in MODULE_CASES + LOSS_CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case", MODULE_CASES, ids=lambda c: c.id)
def test_module_gradcheck(case):
    module = case.make(np.float64).train(case.training)
    x = case.make_input(np.random.default_rng(0))
    errors = fcnn.gradcheck(module, x)
    expected = {"input"} | {name for name, _ in module.named_parameters()}
    assert set(errors) == expected
    bad = {k: v for k, v in errors.items() if not v < GRADCHECK_TOL}
    assert not bad, f"{case.id}: gradient check failed: {bad}"


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("case", MODULE_CASES, ids=lambda c: c.id)
def test_module_torch_parity(case, dtype):
    tol = PARITY_TOL[dtype]
    module = case.make(dtype).train(case.training)
    twin = case.torch_make(module).to(TORCH_DTYPES[dtype]).train(case.training)
    if case.copy_state:
        copy_weights(module, twin)
    rng = np.random.default_rng(1)
    x = case.make_input(rng).astype(dtype)

    y = module(x)
    assert y.dtype == dtype, f"{case.id}: output dtype {y.dtype}, expected {np.dtype(dtype)}"
    grad = rng.standard_normal(y.shape).astype(dtype)
    module.zero_grad()
    grad_x = module.backward(grad)
    assert grad_x.dtype == dtype

    xt = to_torch(x).requires_grad_(True)
    yt = twin(xt)
    yt.backward(to_torch(grad))
    close(y, yt.detach().numpy(), tol, f"{case.id} forward")
    close(grad_x, xt.grad.numpy(), tol, f"{case.id} grad_input")
    torch_params = dict(twin.named_parameters())
    for name, param in module.named_parameters():
        close(param.grad, torch_params[name].grad.numpy(), tol, f"{case.id} grad {name}")
    if case.copy_state:  # buffers updated by the forward pass (BatchNorm running stats)
        theirs = twin.state_dict()
        for name, value in module.state_dict().items():
            close(value, theirs[name].numpy(), tol, f"{case.id} state {name}")


@pytest.mark.parametrize("case", MODULE_CASES, ids=lambda c: c.id)
def test_module_spec_and_state_round_trip(case):
    module = case.make(np.float64).eval()
    spec = module.spec()
    import json

    assert json.loads(json.dumps(spec)) == spec, "spec must be JSON-able"
    rebuilt = fcnn.from_spec(spec, dtype=np.float64, seed=123)
    assert rebuilt.spec() == spec
    assert repr(rebuilt) == repr(module)
    rebuilt.load_state_dict(module.state_dict())
    rebuilt.eval()
    x = case.make_input(np.random.default_rng(2))
    np.testing.assert_array_equal(rebuilt(x), module(x))
    for (k1, v1), (k2, v2) in zip(
        module.state_dict().items(), rebuilt.state_dict().items(), strict=True
    ):
        assert k1 == k2
        np.testing.assert_array_equal(v1, v2)


@pytest.mark.parametrize("case", MODULE_CASES, ids=lambda c: c.id)
def test_backward_to_parameters_equals_backward(case):
    """The training fast path (no input gradient; gradients written straight into the
    lazily zeroed arrays) accumulates exactly, bit for bit, what backward does."""
    module = case.make(np.float64).train(case.training)
    rng = np.random.default_rng(4)
    x = case.make_input(rng)
    upstream = rng.standard_normal(module(x).shape)
    module.zero_grad()
    module.backward(upstream)
    expected = {name: p.grad.copy() for name, p in module.named_parameters()}
    module.zero_grad()
    assert module.backward_to_parameters(upstream) is None
    for name, p in module.named_parameters():
        np.testing.assert_array_equal(p.grad, expected[name], err_msg=name)
    module.backward_to_parameters(upstream)  # without zero_grad: accumulates
    for name, p in module.named_parameters():
        np.testing.assert_allclose(p.grad, 2 * expected[name], rtol=1e-12, err_msg=name)


@pytest.mark.parametrize("case", MODULE_CASES, ids=lambda c: c.id)
def test_module_to_dtype(case):
    module = case.make(np.float32)
    assert module.to(np.float64) is module
    assert all(
        p.data.dtype == np.float64 and p.grad.dtype == np.float64 for p in module.parameters()
    )
    x = case.make_input(np.random.default_rng(3)).astype(np.float32)
    # Modules with state compute in their dtype; parameter-free ones follow the input's.
    stateful = any(True for _ in module.parameters()) or any(True for _ in module.named_buffers())
    expected = np.float64 if stateful else np.float32
    assert module.train(case.training)(x).dtype == expected


@pytest.mark.parametrize("case", LOSS_CASES, ids=lambda c: c.id)
def test_loss_gradcheck(case):
    loss = case.make(np.float64)
    rng = np.random.default_rng(0)
    pred, target = case.make_pred(rng), case.make_target(rng)
    errors = fcnn.gradcheck(loss, pred, target)
    assert errors["input"] < GRADCHECK_TOL, f"{case.id}: {errors}"


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("case", LOSS_CASES, ids=lambda c: c.id)
def test_loss_torch_parity(case, dtype):
    tol = PARITY_TOL[dtype]
    rng = np.random.default_rng(1)
    pred = case.make_pred(rng).astype(dtype)
    target = case.make_target(rng)
    if np.issubdtype(target.dtype, np.floating):
        target = target.astype(dtype)
    loss = case.make(dtype)
    value = loss(pred, target)
    upstream = None
    if not np.isscalar(value):
        upstream = rng.standard_normal(np.shape(value)).astype(dtype)
    grad = loss.backward(upstream) if upstream is not None else loss.backward()
    assert grad.dtype == dtype, f"{case.id}: grad dtype {grad.dtype}"

    twin = case.torch_make(dtype)
    pt = to_torch(pred).requires_grad_(True)
    tt = to_torch(target)
    vt = twin(pt, tt)
    if upstream is None:
        vt.backward()
    else:
        vt.backward(to_torch(upstream))
    close(value, vt.detach().numpy(), tol, f"{case.id} value")
    close(grad, pt.grad.numpy(), tol, f"{case.id} grad")
