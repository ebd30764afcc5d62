"""Optimisers and schedulers: PyTorch parity over every option, checkpoints, behaviour.

Parity runs drive ``fcnn.optim`` and ``torch.optim`` side by side on the same starting
parameters (four arrays of different shapes in two groups with different learning
rates) with a gradient that depends on the current parameters,
``g = A·θ + b + sin(θ)``, computed by one NumPy function from each side's own current
values, and compare every parameter after every step.
"""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
import torch

import fcnn
from fcnn import optim

SHAPES = [(4, 3), (4,), (2, 5), (3,)]  # group 0: the first two; group 1: the last two
STEPS = 50
TORCH_DTYPES = {np.float32: torch.float32, np.float64: torch.float64}
DTYPES = [np.float64, np.float32]


# --------------------------------------------------------------------------- the problem


class Problem:
    """Starting values and the parameter-dependent gradient of each array."""

    def __init__(self, dtype, seed: int = 1234) -> None:
        rng = np.random.default_rng(seed)
        self.dtype = dtype
        self.inits = [rng.standard_normal(s) for s in SHAPES]
        self.terms = []
        for shape in SHAPES:
            n = math.prod(shape)
            q = rng.standard_normal((n, n)) / math.sqrt(n)
            a = 0.5 * (q @ q.T) + 0.5 * np.eye(n)  # symmetric positive definite
            b = 3.0 * rng.standard_normal(shape)  # a far optimum keeps g away from 0
            self.terms.append((a.astype(dtype), b.astype(dtype)))

    def grad(self, i: int, x: np.ndarray) -> np.ndarray:
        a, b = self.terms[i]
        return (a @ x.reshape(-1)).reshape(x.shape) + b + np.sin(x)

    def fcnn_params(self) -> list[fcnn.Parameter]:
        return [fcnn.Parameter(v, dtype=self.dtype) for v in self.inits]

    def torch_params(self) -> list[torch.Tensor]:
        tdtype = TORCH_DTYPES[self.dtype]
        return [torch.tensor(v, dtype=tdtype, requires_grad=True) for v in self.inits]

    def set_fcnn_grads(self, params) -> None:
        for i, p in enumerate(params):
            p.grad[...] = self.grad(i, p.data)

    def set_torch_grads(self, params) -> None:
        for i, p in enumerate(params):
            p.grad = torch.from_numpy(self.grad(i, p.detach().numpy()))


def two_groups(params, lr2, **overrides):
    return [{"params": params[:2]}, {"params": params[2:], "lr": lr2, **overrides}]


def assert_close(ours: np.ndarray, theirs: np.ndarray, dtype, what: str) -> None:
    assert ours.dtype == np.dtype(dtype), f"{what}: dtype {ours.dtype}, expected {dtype}"
    scale = max(1.0, float(np.abs(theirs).max()))
    if dtype == np.float64:
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10 * scale, err_msg=what)
    else:
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5 * scale, err_msg=what)


def run_parity(fcls, tcls, options, dtype, lrs, overrides=None, steps=STEPS):
    overrides = overrides or {}
    problem = Problem(dtype)
    ours, theirs = problem.fcnn_params(), problem.torch_params()
    fopt = fcls(two_groups(ours, lrs[1], **overrides), lr=lrs[0], **options)
    topt = tcls(two_groups(theirs, lrs[1], **overrides), lr=lrs[0], foreach=False, **options)
    moved = 0.0
    for step in range(steps):
        problem.set_fcnn_grads(ours)
        problem.set_torch_grads(theirs)
        fopt.step()
        topt.step()
        for i, (p, t) in enumerate(zip(ours, theirs, strict=True)):
            assert_close(p.data, t.detach().numpy(), dtype, f"step {step + 1}, parameter {i}")
    for i, (p, t) in enumerate(zip(ours, theirs, strict=True)):
        moved = max(moved, float(np.abs(p.data - problem.inits[i].astype(dtype)).max()))
        ts = topt.state[t]
        for key, value in fopt.state[p].items():
            if key == "step":
                assert value == int(ts["step"]) == steps
            elif dtype == np.float64:
                # In float32, g/√v of RMSprop and Adam near the optimum is ill-conditioned
                # (g is a difference of O(1) terms), so only the parameters are compared.
                assert_close(value, ts[key].numpy(), dtype, f"state {key!r} of parameter {i}")
            else:
                assert value.dtype == np.float32, f"state {key!r} of parameter {i}"
    assert moved > 1e-3, "the parameters barely moved: the run tests nothing"


def _ids(cases):
    return ["-".join(f"{k}={v}" for k, v in case.items()) for case in cases]


def _product(**axes):
    return [dict(zip(axes, values, strict=True)) for values in itertools.product(*axes.values())]


SGD_CASES = [
    c
    for c in _product(
        momentum=[0.0, 0.9],
        dampening=[0.0, 0.1],
        nesterov=[False, True],
        weight_decay=[0.0, 0.01],
        maximize=[False, True],
    )
    if not (c["nesterov"] and (c["momentum"] == 0 or c["dampening"] != 0))  # torch rejects
]
ADAM_CASES = _product(
    betas=[(0.9, 0.999), (0.3, 0.9)],
    amsgrad=[False, True],
    weight_decay=[0.0, 0.05],
    maximize=[False, True],
)
RMSPROP_CASES = _product(
    alpha=[0.99, 0.9],  # smaller alphas make RMSprop chaotic: torch vs itself drifts
    centered=[False, True],
    momentum=[0.0, 0.9],
    weight_decay=[0.0, 0.01],
    maximize=[False, True],
)
ADAGRAD_CASES = _product(
    lr_decay=[0.0, 0.01],
    initial_accumulator_value=[0.0, 0.1],
    weight_decay=[0.0, 0.01],
    maximize=[False, True],
)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("options", SGD_CASES, ids=_ids(SGD_CASES))
def test_sgd_parity(options, dtype):
    run_parity(optim.SGD, torch.optim.SGD, options, dtype, lrs=(0.05, 0.02))


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("options", ADAM_CASES, ids=_ids(ADAM_CASES))
@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_adam_parity(name, options, dtype):
    run_parity(getattr(optim, name), getattr(torch.optim, name), options, dtype, (0.01, 0.003))


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("options", RMSPROP_CASES, ids=_ids(RMSPROP_CASES))
def test_rmsprop_parity(options, dtype):
    run_parity(optim.RMSprop, torch.optim.RMSprop, options, dtype, lrs=(0.01, 0.003))


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("options", ADAGRAD_CASES, ids=_ids(ADAGRAD_CASES))
def test_adagrad_parity(options, dtype):
    run_parity(optim.Adagrad, torch.optim.Adagrad, options, dtype, lrs=(0.1, 0.05))


GROUP_OVERRIDE_CASES = [
    ("SGD", {"momentum": 0.9}, {"momentum": 0.5, "nesterov": True, "weight_decay": 0.1}),
    ("Adam", {"amsgrad": True}, {"betas": (0.8, 0.99), "eps": 1e-3, "amsgrad": False}),
    ("AdamW", {}, {"weight_decay": 0.1, "maximize": True}),
    ("RMSprop", {"centered": True}, {"alpha": 0.9, "momentum": 0.5, "centered": False}),
    ("Adagrad", {"lr_decay": 0.05}, {"lr_decay": 0.0, "eps": 1e-3, "weight_decay": 0.1}),
]


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize(
    ("name", "options", "overrides"), GROUP_OVERRIDE_CASES, ids=[c[0] for c in GROUP_OVERRIDE_CASES]
)
def test_per_group_hyperparameters_parity(name, options, overrides, dtype):
    run_parity(
        getattr(optim, name), getattr(torch.optim, name), options, dtype, (0.02, 0.01), overrides
    )


def test_lr_changed_between_steps_is_used():
    problem = Problem(np.float64)
    ours, theirs = problem.fcnn_params(), problem.torch_params()
    fopt = optim.Adam(ours, lr=0.01)
    topt = torch.optim.Adam(theirs, lr=0.01, foreach=False)
    for step in range(20):
        for opt in (fopt, topt):
            opt.param_groups[0]["lr"] = 0.01 / (1 + step)
        problem.set_fcnn_grads(ours)
        problem.set_torch_grads(theirs)
        fopt.step()
        topt.step()
    for p, t in zip(ours, theirs, strict=True):
        assert_close(p.data, t.detach().numpy(), np.float64, "after 20 steps")


# --------------------------------------------------------------------------- dtype, in place


ALL_OPTIMIZERS = [
    ("SGD", {"momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("SGD", {"momentum": 0.9, "dampening": 0.1, "maximize": True}),
    ("Adam", {"amsgrad": True, "weight_decay": 0.01}),
    ("AdamW", {"amsgrad": True, "maximize": True}),
    ("RMSprop", {"centered": True, "momentum": 0.9, "weight_decay": 0.01}),
    ("Adagrad", {"lr_decay": 0.01, "initial_accumulator_value": 0.1, "weight_decay": 0.01}),
]


@pytest.mark.parametrize(("name", "options"), ALL_OPTIMIZERS, ids=[c[0] for c in ALL_OPTIMIZERS])
def test_float32_stays_float32_and_updates_are_in_place(name, options):
    problem = Problem(np.float32)
    params = problem.fcnn_params()
    opt = getattr(optim, name)(params, lr=0.01, **options)
    data_ids = [id(p.data) for p in params]
    problem.set_fcnn_grads(params)
    opt.step()
    state_ids = {(i, k): id(v) for i, p in enumerate(params) for k, v in opt.state[p].items()}
    for _ in range(5):
        problem.set_fcnn_grads(params)
        grads = [p.grad.copy() for p in params]
        opt.step()
        for p, g in zip(params, grads, strict=True):
            np.testing.assert_array_equal(p.grad, g)  # step never changes the gradient
    for i, p in enumerate(params):
        assert p.data.dtype == np.float32 and p.grad.dtype == np.float32
        assert id(p.data) == data_ids[i], "step must update p.data in place"
        for key, value in opt.state[p].items():
            if key == "step":
                assert value == 6 and isinstance(value, int)
            else:
                assert value.dtype == np.float32, f"state {key!r} became {value.dtype}"
                assert id(value) == state_ids[(i, key)], f"state {key!r} was reallocated"


def test_scratch_pool_does_not_grow_after_the_first_step():
    problem = Problem(np.float64)
    params = problem.fcnn_params()
    opt = optim.Adam(params, weight_decay=0.1, maximize=True)
    problem.set_fcnn_grads(params)
    opt.step()
    pool = {k: [id(a) for a in v] for k, v in opt._scratch_pool.items()}
    for _ in range(3):
        opt.step()
    assert {k: [id(a) for a in v] for k, v in opt._scratch_pool.items()} == pool


SPLIT_CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "maximize": True}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.05}),
    ("AdamW", {"lr": 0.01, "maximize": True}),
]


@pytest.mark.parametrize(("name", "options"), SPLIT_CASES, ids=lambda v: str(v))
def test_updates_run_chunk_by_chunk_bit_identically(name, options, monkeypatch):
    """A large parameter's update runs on cache-sized chunks; elementwise work on chunks
    must give exactly the numbers of one call on the whole array."""
    rng = np.random.default_rng(0)
    start = rng.standard_normal((400, 400)).astype(np.float32)
    grads = [rng.standard_normal((400, 400)).astype(np.float32) for _ in range(4)]
    results = []
    for chunk in (1 << 18, 999):  # one chunk; 161 chunks, the last one short
        monkeypatch.setattr(optim.optimizer, "_CHUNK", chunk)
        p = fcnn.Parameter(start)
        opt = getattr(optim, name)([p], **options)
        for g in grads:
            p.grad[...] = g
            opt.step()
        assert opt._update_scratch(p).size == min(chunk, p.data.size)
        results.append((p.data.copy(), {k: v for k, v in opt.state[p].items()}))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    for key, value in results[0][1].items():
        np.testing.assert_array_equal(value, results[1][1][key], err_msg=key)


def test_a_non_contiguous_parameter_is_updated_whole(monkeypatch):
    monkeypatch.setattr(optim.optimizer, "_CHUNK", 1000)
    base = np.zeros((600, 600), np.float32)
    p = fcnn.Parameter(np.zeros((300, 600), np.float32))
    p.data = base[::2]  # a strided view: a flat copy of it would lose the update
    p.grad[...] = 1.0
    optim.SGD([p], lr=0.5).step()
    assert (base[::2] == -0.5).all() and (base[1::2] == 0).all()


def test_zero_gradient_parameters_are_still_updated_as_in_torch():
    # Weight decay moves a parameter whose gradient is zero; torch does not skip it.
    p = fcnn.Parameter(np.ones(3), dtype=np.float64)
    t = torch.ones(3, dtype=torch.float64, requires_grad=True)
    t.grad = torch.zeros(3, dtype=torch.float64)
    optim.SGD([p], lr=0.1, weight_decay=0.5).step()
    torch.optim.SGD([t], lr=0.1, weight_decay=0.5).step()
    np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-15)
    assert p.data[0] == pytest.approx(0.95)


def test_zero_grad_fills_in_place():
    problem = Problem(np.float32)
    params = problem.fcnn_params()
    opt = optim.SGD(params, lr=0.1)
    problem.set_fcnn_grads(params)
    grad_arrays = [p.grad for p in params]
    assert all(np.abs(g).sum() > 0 for g in grad_arrays)
    opt.zero_grad()
    for p, g in zip(params, grad_arrays, strict=True):
        assert p.grad is g and not g.any()


def test_step_returns_closure_loss():
    p = fcnn.Parameter(np.array([2.0]), dtype=np.float64)

    def closure():
        p.grad[...] = 2 * p.data
        return float(p.data[0] ** 2)

    opt = optim.SGD([p], lr=0.25)
    assert opt.step(closure) == 4.0
    assert p.data[0] == pytest.approx(1.0)
    assert opt.step() is None


# --------------------------------------------------------------------------- param groups


def test_param_groups_fill_defaults_and_keep_overrides():
    a, b, c = (fcnn.Parameter(np.zeros(2)) for _ in range(3))
    opt = optim.SGD([{"params": [a, b]}, {"params": c, "lr": 0.5, "tag": "head"}], lr=0.1)
    g0, g1 = opt.param_groups
    assert g0["params"] == [a, b] and g1["params"] == [c]
    assert g0["lr"] == 0.1 and g1["lr"] == 0.5 and g1["momentum"] == 0 and g1["tag"] == "head"
    assert set(g0) == {
        "params",
        "lr",
        "momentum",
        "dampening",
        "weight_decay",
        "nesterov",
        "maximize",
    }
    d = fcnn.Parameter(np.zeros(1))
    opt.add_param_group({"params": [d], "momentum": 0.9})
    assert len(opt.param_groups) == 3 and opt.param_groups[2]["momentum"] == 0.9
    assert opt.param_groups[2]["lr"] == 0.1
    d.grad[...] = 1.0
    opt.step()
    assert d.data[0] == pytest.approx(-0.1)


def test_adagrad_state_exists_from_construction_and_for_added_groups():
    a, b = fcnn.Parameter(np.zeros(2)), fcnn.Parameter(np.zeros(3))
    opt = optim.Adagrad([a], initial_accumulator_value=0.5)
    assert opt.state[a]["step"] == 0 and np.all(opt.state[a]["sum"] == 0.5)
    opt.add_param_group({"params": [b], "initial_accumulator_value": 2.0})
    assert np.all(opt.state[b]["sum"] == 2.0)


def test_adagrad_honours_a_groups_initial_accumulator_value():
    # PyTorch 2.13 would fill both accumulators with the constructor's 0.5 (documented).
    a, b = fcnn.Parameter(np.zeros(2)), fcnn.Parameter(np.zeros(3))
    opt = optim.Adagrad(
        [{"params": [a]}, {"params": [b], "initial_accumulator_value": 3.0}],
        lr=1.0,
        initial_accumulator_value=0.5,
    )
    assert np.all(opt.state[a]["sum"] == 0.5) and np.all(opt.state[b]["sum"] == 3.0)
    a.grad[...], b.grad[...] = 1.0, 1.0
    opt.step()
    np.testing.assert_allclose(a.data, -1 / (math.sqrt(1.5) + 1e-10), rtol=1e-15)
    np.testing.assert_allclose(b.data, -1 / (math.sqrt(4.0) + 1e-10), rtol=1e-15)


def test_model_parameters_are_accepted():
    model = fcnn.Sequential(fcnn.Linear(3, 4, seed=0), fcnn.Linear(4, 2, seed=1))
    opt = optim.Adam(model.parameters(), lr=1e-2)
    assert len(opt.param_groups[0]["params"]) == 4


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: optim.SGD([]), ValueError, "optimizer got an empty parameter list"),
        (lambda: optim.SGD(iter([])), ValueError, "optimizer got an empty parameter list"),
        (lambda: optim.SGD(fcnn.Linear(2, 2)), TypeError, r"model\.parameters\(\)"),
        (lambda: optim.SGD(fcnn.Parameter(np.zeros(2))), TypeError, "wrap it in a list"),
        (lambda: optim.SGD({fcnn.Parameter(np.zeros(2))}), TypeError, "not a set"),
        (lambda: optim.SGD([np.zeros(2)]), TypeError, "parameter 0 of group 0 is a ndarray"),
        (lambda: optim.SGD(5), TypeError, "got int"),
        (lambda: optim.SGD([{"lr": 0.1}]), ValueError, "has no 'params'"),
    ],
)
def test_bad_params_are_rejected(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_parameter_in_two_groups_is_rejected():
    a, b = fcnn.Parameter(np.zeros(2)), fcnn.Parameter(np.zeros(2))
    with pytest.raises(ValueError, match="one group only"):
        optim.SGD([{"params": [a, b]}, {"params": [b]}])
    opt = optim.SGD([a])
    with pytest.raises(ValueError, match="one group only"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(ValueError, match="more than once"):
        optim.SGD([a, b, a])
    assert len(opt.param_groups) == 1


# ------------------------------------------------------------------ invalid hyper-parameters


P = [fcnn.Parameter(np.zeros(2))]
BAD_HYPERPARAMETERS = [
    (
        lambda: optim.SGD(P, lr=-0.1),
        ValueError,
        r"^SGD\(lr=-0\.1\): lr must be >= 0$",
    ),
    (lambda: optim.SGD(P, lr=float("nan")), ValueError, r"SGD\(lr=nan\): lr must be finite"),
    (lambda: optim.SGD(P, lr="0.1"), TypeError, r"lr='0\.1'\): lr must be a real number, got str"),
    (lambda: optim.SGD(P, momentum=-0.5), ValueError, r"momentum=-0\.5\): momentum must be >= 0"),
    (
        lambda: optim.SGD(P, dampening=1.5),
        ValueError,
        r"dampening=1\.5\): dampening must be in \[0, 1\]",
    ),
    (
        lambda: optim.SGD(P, weight_decay=-1),
        ValueError,
        r"weight_decay=-1\): weight_decay must be >= 0",
    ),
    (
        lambda: optim.SGD(P, nesterov=True),
        ValueError,
        r"nesterov=True requires momentum > 0 .*momentum=0,",
    ),
    (
        lambda: optim.SGD(P, momentum=0.9, dampening=0.1, nesterov=True),
        ValueError,
        r"requires momentum > 0 and dampening = 0, got momentum=0\.9, dampening=0\.1",
    ),
    (
        lambda: optim.SGD(P, maximize=1),
        TypeError,
        r"maximize=1\): maximize must be True or False, got int",
    ),
    (lambda: optim.Adam(P, lr=-1e-3), ValueError, r"^Adam\(lr=-0\.001\): lr must be >= 0"),
    (lambda: optim.Adam(P, eps=-1e-8), ValueError, r"eps=-1e-08\): eps must be >= 0"),
    (
        lambda: optim.Adam(P, betas=(1.0, 0.999)),
        ValueError,
        r"betas\[0\]=1\.0\): betas\[0\] must be in \[0, 1\)",
    ),
    (
        lambda: optim.Adam(P, betas=(0.9, -0.1)),
        ValueError,
        r"betas\[1\]=-0\.1\): betas\[1\] must be in \[0, 1\)",
    ),
    (lambda: optim.Adam(P, betas=0.9), TypeError, r"betas=0\.9\): betas must be a pair"),
    (
        lambda: optim.AdamW(P, weight_decay=-0.01),
        ValueError,
        r"^AdamW\(weight_decay=-0\.01\): weight_decay must be >= 0",
    ),
    (
        lambda: optim.Adam(P, amsgrad="yes"),
        TypeError,
        r"amsgrad='yes'\): amsgrad must be True or False, got str",
    ),
    (lambda: optim.RMSprop(P, alpha=-0.1), ValueError, r"alpha=-0\.1\): alpha must be in \[0, 1\]"),
    (lambda: optim.RMSprop(P, momentum=-0.9), ValueError, "momentum must be >= 0"),
    (lambda: optim.RMSprop(P, eps=-1.0), ValueError, "eps must be >= 0"),
    (
        lambda: optim.Adagrad(P, lr_decay=-0.1),
        ValueError,
        r"lr_decay=-0\.1\): lr_decay must be >= 0",
    ),
    (
        lambda: optim.Adagrad(P, initial_accumulator_value=-1),
        ValueError,
        r"initial_accumulator_value=-1\): initial_accumulator_value must be >= 0",
    ),
    (
        lambda: optim.SGD([{"params": P, "lr": -2.0}], lr=0.1),
        ValueError,
        r"^SGD\(lr=-2\.0\): lr must be >= 0 \(in parameter group 0\)$",
    ),
]


@pytest.mark.parametrize(("make", "error", "message"), BAD_HYPERPARAMETERS)
def test_invalid_hyperparameters_are_rejected(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_error_names_the_optimizer():
    with pytest.raises(ValueError, match=r"^RMSprop\(lr=-1\): lr must be >= 0"):
        optim.RMSprop(P, lr=-1)


# --------------------------------------------------------------------------- repr


def test_repr_lists_each_group_sorted_like_torch():
    a, b = fcnn.Parameter(np.zeros((2, 3))), fcnn.Parameter(np.zeros(4))
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
    text = repr(opt)
    assert text.startswith("SGD (\nParameter Group 0 (1 arrays, 6 values)\n")
    assert "    dampening: 0\n    lr: 0.1\n    maximize: False\n    momentum: 0.9\n" in text
    assert "Parameter Group 1 (1 arrays, 4 values)\n    dampening: 0\n    lr: 0.5\n" in text
    assert text.endswith(")")
    assert "betas: (0.9, 0.999)" in repr(optim.Adam([a]))


# --------------------------------------------------------------------------- state_dict


def _to_json(state_dict):
    return json.loads(json.dumps(state_dict, default=lambda a: a.tolist()))


def test_state_dict_layout_matches_torch():
    problem = Problem(np.float64)
    ours, theirs = problem.fcnn_params(), problem.torch_params()
    fopt = optim.Adam(two_groups(ours, 0.1), lr=0.01, amsgrad=True)
    topt = torch.optim.Adam(two_groups(theirs, 0.1), lr=0.01, amsgrad=True)
    problem.set_fcnn_grads(ours)
    problem.set_torch_grads(theirs)
    fopt.step()
    topt.step()
    fsd, tsd = fopt.state_dict(), topt.state_dict()
    assert list(fsd["state"]) == list(tsd["state"]) == [0, 1, 2, 3]
    for i in range(4):
        assert set(fsd["state"][i]) == set(tsd["state"][i])
    assert [g["params"] for g in fsd["param_groups"]] == [[0, 1], [2, 3]]
    assert [g["params"] for g in tsd["param_groups"]] == [[0, 1], [2, 3]]
    for fg, tg in zip(fsd["param_groups"], tsd["param_groups"], strict=True):
        assert set(fg) <= set(tg)
        assert all(fg[k] == tg[k] for k in fg)
    # JSON-able apart from the arrays, and the arrays are copies.
    json.dumps(fsd, default=lambda a: a.tolist() if isinstance(a, np.ndarray) else None)
    fsd["state"][0]["exp_avg"][...] = 123.0
    assert not np.any(fopt.state[ours[0]]["exp_avg"] == 123.0)


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("SGD", {}),
        ("SGD", {"momentum": 0.9}),
        ("Adam", {"amsgrad": True}),
        ("RMSprop", {"centered": True}),
    ],
)
def test_torch_state_dict_loads_and_training_continues_identically(name, options):
    problem = Problem(np.float64)
    theirs = problem.torch_params()
    topt = getattr(torch.optim, name)(two_groups(theirs, 0.02), lr=0.01, foreach=False, **options)
    for _ in range(10):
        problem.set_torch_grads(theirs)
        topt.step()
    ours = [fcnn.Parameter(t.detach().numpy().copy()) for t in theirs]
    fopt = getattr(optim, name)(two_groups(ours, 0.5), lr=0.5, **options)
    fopt.load_state_dict(topt.state_dict())
    assert [g["lr"] for g in fopt.param_groups] == [0.01, 0.02]
    for _ in range(10):
        problem.set_torch_grads(theirs)
        problem.set_fcnn_grads(ours)
        topt.step()
        fopt.step()
    for p, t in zip(ours, theirs, strict=True):
        assert_close(p.data, t.detach().numpy(), np.float64, "after the loaded state")


def _advance(opt, params, problem, n, scheduler=None, metrics=None):
    for k in range(n):
        problem.set_fcnn_grads(params)
        opt.step()
        if scheduler is not None:
            if metrics is None:
                scheduler.step()
            else:
                scheduler.step(metrics[k])


ROUND_TRIP_CASES = [
    ("SGD", {"momentum": 0.9, "nesterov": True, "weight_decay": 0.01}, "step", {"step_size": 7}),
    ("Adam", {"amsgrad": True}, "cosine", {"T_max": 15, "eta_min": 1e-4}),
    ("AdamW", {"betas": (0.8, 0.95)}, "multistep", {"milestones": [10, 25, 25]}),
    ("RMSprop", {"centered": True, "momentum": 0.5}, "exponential", {"gamma": 0.95}),
    ("Adagrad", {"lr_decay": 0.01}, "plateau", {"patience": 2, "cooldown": 1, "factor": 0.5}),
]


@pytest.mark.parametrize("through_json", [False, True], ids=["dict", "json"])
@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize(
    ("name", "options", "sched", "sched_options"),
    ROUND_TRIP_CASES,
    ids=[c[0] for c in ROUND_TRIP_CASES],
)
def test_state_dict_round_trip_mid_run_is_bit_identical(
    name, options, sched, sched_options, dtype, through_json
):
    problem = Problem(dtype)
    cls = getattr(optim, name)
    metrics = [1.0 / (1 + k) if k < 8 else 0.125 + 1e-3 * (k % 3) for k in range(STEPS)]
    metrics = metrics if sched == "plateau" else None

    # Uninterrupted run.
    ref = problem.fcnn_params()
    ref_opt = cls(two_groups(ref, 0.02), lr=0.05, **options)
    ref_sched = optim.get_scheduler(sched, ref_opt, **sched_options)
    _advance(ref_opt, ref, problem, STEPS, ref_sched, metrics)

    # Interrupted at step 20, restored into a fresh optimiser and scheduler, continued.
    first = problem.fcnn_params()
    opt = cls(two_groups(first, 0.02), lr=0.05, **options)
    scheduler = optim.get_scheduler(sched, opt, **sched_options)
    _advance(opt, first, problem, 20, scheduler, metrics)
    opt_state, sched_state = opt.state_dict(), scheduler.state_dict()
    if through_json:
        opt_state, sched_state = _to_json(opt_state), _to_json(sched_state)
    second = [fcnn.Parameter(p.data.copy()) for p in first]
    opt2 = cls(two_groups(second, 0.3), lr=0.7)  # other hyper-parameters: the load restores them
    scheduler2 = optim.get_scheduler(sched, opt2, **sched_options)
    opt2.load_state_dict(opt_state)
    scheduler2.load_state_dict(sched_state)
    assert scheduler2.get_last_lr() == scheduler.get_last_lr()
    _advance(
        opt2, second, problem, STEPS - 20, scheduler2, None if metrics is None else metrics[20:]
    )

    for p, r in zip(second, ref, strict=True):
        assert p.data.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(p.data, r.data)
    assert scheduler2.get_last_lr() == ref_sched.get_last_lr()
    assert scheduler2.last_epoch == ref_sched.last_epoch
    assert [g["lr"] for g in opt2.param_groups] == [g["lr"] for g in ref_opt.param_groups]
    assert ref_sched.get_last_lr() != [0.05, 0.02], "the schedule never changed the lr"


def test_load_state_dict_checks_and_leaves_the_optimizer_unchanged_on_error():
    problem = Problem(np.float64)
    params = problem.fcnn_params()
    opt = optim.Adam(two_groups(params, 0.1), lr=0.01)
    problem.set_fcnn_grads(params)
    opt.step()
    good = opt.state_dict()
    before = opt.state_dict()

    def variant(edit):
        sd = opt.state_dict()
        edit(sd)
        return sd

    cases = [
        (variant(lambda sd: sd["param_groups"].pop()), "has 1 parameter group"),
        (variant(lambda sd: sd["param_groups"][1]["params"].pop()), "group 1 has 1 parameter"),
        (
            variant(lambda sd: sd["state"][2].__setitem__("exp_avg", np.zeros(7))),
            r"'exp_avg' has shape \(7,\) but the parameter has shape \(2, 5\)",
        ),
        (variant(lambda sd: sd["state"][0].pop("exp_avg_sq")), "has entries"),
        (variant(lambda sd: sd["param_groups"][0].__setitem__("amsgrad", True)), "max_exp_avg_sq"),
        (
            variant(lambda sd: sd["param_groups"][0].__setitem__("lr", -1.0)),
            r"lr must be >= 0 \(in parameter group 0 of Adam\.load_state_dict\)",
        ),
        (variant(lambda sd: sd["state"].__setitem__(9, {})), "parameter 9"),
        (variant(lambda sd: sd["state"][1].__setitem__("step", -2)), "step=-2"),
        ({"state": {}}, "keys 'state' and 'param_groups'"),
    ]
    for bad, message in cases:
        with pytest.raises(ValueError, match=message):
            opt.load_state_dict(bad)
    after = opt.state_dict()
    assert after["param_groups"] == before["param_groups"]
    for i, entry in before["state"].items():
        for key, value in entry.items():
            np.testing.assert_array_equal(after["state"][i][key], value)
    sgd_state = optim.SGD(two_groups(problem.fcnn_params(), 0.1), momentum=0.9)
    with pytest.raises(ValueError, match="has entries"):
        _ = sgd_state.load_state_dict(
            {
                "state": {0: {"momentum_buffer": np.zeros((4, 3)), "step": 1}},
                "param_groups": good["param_groups"],
            }
        )


def test_load_state_dict_casts_to_the_parameter_dtype():
    p64 = fcnn.Parameter(np.ones(3), dtype=np.float64)
    opt64 = optim.SGD([p64], lr=0.1, momentum=0.9)
    p64.grad[...] = 1 / 3
    opt64.step()
    p32 = fcnn.Parameter(np.ones(3), dtype=np.float32)
    opt32 = optim.SGD([p32], lr=0.1, momentum=0.9)
    opt32.load_state_dict(opt64.state_dict())
    assert opt32.state[p32]["momentum_buffer"].dtype == np.float32


# --------------------------------------------------------------------------- schedulers


def _scheduler_pair(sched_name, options, torch_cls, groups_lr=(0.1, 0.03)):
    fp = [fcnn.Parameter(np.zeros(2)), fcnn.Parameter(np.zeros(3))]
    tp = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    fopt = optim.SGD(two_groups(fp, groups_lr[1]), lr=groups_lr[0])
    topt = torch.optim.SGD(two_groups(tp, groups_lr[1]), lr=groups_lr[0])
    return fopt, topt, optim.get_scheduler(sched_name, fopt, **options), torch_cls(topt, **options)


SCHEDULER_CASES = [
    ("step", {"step_size": 7, "gamma": 0.5}, torch.optim.lr_scheduler.StepLR),
    ("step", {"step_size": 1}, torch.optim.lr_scheduler.StepLR),
    (
        "multistep",
        {"milestones": [5, 12, 12, 30], "gamma": 0.3},
        torch.optim.lr_scheduler.MultiStepLR,
    ),
    ("multistep", {"milestones": [40, 3]}, torch.optim.lr_scheduler.MultiStepLR),
    ("exponential", {"gamma": 0.95}, torch.optim.lr_scheduler.ExponentialLR),
    ("cosine", {"T_max": 10, "eta_min": 0.001}, torch.optim.lr_scheduler.CosineAnnealingLR),
    ("cosine", {"T_max": 7}, torch.optim.lr_scheduler.CosineAnnealingLR),
    ("cosine", {"T_max": 1, "eta_min": 0.01}, torch.optim.lr_scheduler.CosineAnnealingLR),
]


@pytest.mark.parametrize(
    ("name", "options", "torch_cls"),
    SCHEDULER_CASES,
    ids=[f"{c[0]}-{c[1]}" for c in SCHEDULER_CASES],
)
def test_scheduler_lr_sequence_equals_torch(name, options, torch_cls):
    fopt, topt, ours, theirs = _scheduler_pair(name, options, torch_cls)
    assert [g["initial_lr"] for g in fopt.param_groups] == [0.1, 0.03]
    assert ours.base_lrs == theirs.base_lrs == [0.1, 0.03]
    assert ours.get_last_lr() == theirs.get_last_lr()
    distinct = set()
    for _ in range(60):
        fopt.step()
        topt.step()
        ours.step()
        theirs.step()
        assert ours.get_last_lr() == theirs.get_last_lr()  # bit-identical
        assert [g["lr"] for g in fopt.param_groups] == [g["lr"] for g in topt.param_groups]
        assert ours.last_epoch == theirs.last_epoch
        distinct.add(ours.get_last_lr()[0])
    assert len(distinct) >= 2, "the schedule did not move"


def test_cosine_recursive_values_match_the_closed_form():
    _, _, ours, _ = _scheduler_pair("cosine", {"T_max": 12, "eta_min": 0.002}, lambda o, **k: None)
    for t in range(1, 40):
        ours.step()
        closed = 0.002 + (0.1 - 0.002) * (1 + math.cos(math.pi * t / 12)) / 2
        assert ours.get_last_lr()[0] == pytest.approx(closed, rel=1e-12, abs=1e-15)


PLATEAU_CASES = _product(
    mode=["min", "max"],
    threshold_mode=["rel", "abs"],
    cooldown=[0, 2],
    patience=[0, 3],
    min_lr=[0.0, 0.004, [0.002, 0.0]],
)


def _plateau_metrics(mode):
    rng = np.random.default_rng(7)
    values = []
    level = 1.0
    for k in range(70):
        if k % 9 == 0:
            level *= 0.8  # a real improvement every 9 epochs
        wiggle = float(rng.choice([0.0, 5e-5, -5e-5, 2e-3, -2e-3]))
        values.append(level + wiggle)
    return values if mode == "min" else [2.0 - v for v in values]


@pytest.mark.parametrize("options", PLATEAU_CASES, ids=_ids(PLATEAU_CASES))
def test_reduce_lr_on_plateau_equals_torch(options):
    torch_options = dict(options, threshold=1e-3)
    ours_options = dict(torch_options)
    fopt, topt, ours, theirs = _scheduler_pair(
        "plateau", ours_options, torch.optim.lr_scheduler.ReduceLROnPlateau
    )
    assert all("initial_lr" not in g for g in fopt.param_groups)
    lrs = []
    for metric in _plateau_metrics(options["mode"]):
        ours.step(metric)
        theirs.step(metric)
        assert ours.get_last_lr() == theirs.get_last_lr()
        assert [g["lr"] for g in fopt.param_groups] == [g["lr"] for g in topt.param_groups]
        assert (ours.best, ours.num_bad_epochs, ours.cooldown_counter) == (
            theirs.best,
            theirs.num_bad_epochs,
            theirs.cooldown_counter,
        )
        lrs.append(ours.get_last_lr()[0])
    assert len(set(lrs)) >= 3, "the lr was reduced fewer than twice"
    min_lr = options["min_lr"][0] if isinstance(options["min_lr"], list) else options["min_lr"]
    if min_lr:
        assert lrs[-1] == min_lr, "min_lr never bit"


def test_reduce_lr_on_plateau_accepts_numpy_and_rejects_non_numbers():
    p = [fcnn.Parameter(np.zeros(1))]
    scheduler = optim.ReduceLROnPlateau(optim.SGD(p, lr=1.0), patience=0)
    scheduler.step(np.float32(1.0))
    scheduler.step(np.array(2.0))
    assert scheduler.get_last_lr() == [0.1]
    with pytest.raises(TypeError, match="expected a number"):
        scheduler.step("low")


def test_scheduler_state_dict_and_checks():
    fopt, _, ours, _ = _scheduler_pair("step", {"step_size": 3}, lambda o, **k: None)
    sd = ours.state_dict()
    assert "optimizer" not in sd and sd["last_epoch"] == 0 and sd["step_size"] == 3
    json.dumps(sd)
    other = optim.CosineAnnealingLR(fopt, T_max=5)
    with pytest.raises(ValueError, match="does not match this scheduler"):
        other.load_state_dict(sd)
    with pytest.raises(KeyError, match="initial_lr"):
        optim.StepLR(optim.SGD([fcnn.Parameter(np.zeros(1))]), step_size=2, last_epoch=4)


BAD_SCHEDULERS = [
    (
        lambda o: optim.StepLR(o, step_size=0),
        ValueError,
        r"step_size=0\): step_size must be a positive integer",
    ),
    (
        lambda o: optim.StepLR(o, step_size=2.5),
        TypeError,
        r"step_size=2\.5\): step_size must be a positive integer, got float",
    ),
    (lambda o: optim.StepLR(o, 3, gamma=-0.1), ValueError, r"gamma=-0\.1\): gamma must be > 0"),
    (
        lambda o: optim.MultiStepLR(o, milestones=[3, -1]),
        ValueError,
        r"milestones\[1\]=-1\): milestones\[1\] must be a non-negative integer",
    ),
    (
        lambda o: optim.MultiStepLR(o, milestones=5),
        TypeError,
        "milestones must be a list of integers, got int",
    ),
    (
        lambda o: optim.ExponentialLR(o, gamma="x"),
        TypeError,
        r"gamma='x'\): gamma must be a real number, got str",
    ),
    (
        lambda o: optim.CosineAnnealingLR(o, T_max=0),
        ValueError,
        r"T_max=0\): T_max must be a positive integer",
    ),
    (
        lambda o: optim.CosineAnnealingLR(o, 5, eta_min=-1),
        ValueError,
        r"eta_min=-1\): eta_min must be >= 0",
    ),
    (
        lambda o: optim.CosineAnnealingLR(o, 5, last_epoch=-3),
        ValueError,
        r"last_epoch=-3\): last_epoch must be",
    ),
    (lambda o: optim.StepLR("opt", 3), TypeError, "optimizer must be an fcnn Optimizer, got str"),
    (
        lambda o: optim.ReduceLROnPlateau(o, mode="lowest"),
        ValueError,
        r"mode='lowest'\): mode must be one of 'min', 'max'",
    ),
    (
        lambda o: optim.ReduceLROnPlateau(o, threshold_mode="x"),
        ValueError,
        r"threshold_mode='x'\): threshold_mode must be one of",
    ),
    (
        lambda o: optim.ReduceLROnPlateau(o, factor=1.0),
        ValueError,
        r"factor=1\.0\): factor must be in \[0, 1\)",
    ),
    (
        lambda o: optim.ReduceLROnPlateau(o, patience=-1),
        ValueError,
        r"patience=-1\): patience must be a non-negative integer",
    ),
    (
        lambda o: optim.ReduceLROnPlateau(o, cooldown=1.5),
        TypeError,
        r"cooldown=1\.5\): cooldown must be a non-negative integer, got float",
    ),
    (
        lambda o: optim.ReduceLROnPlateau(o, min_lr=[0.1]),
        ValueError,
        "min_lr has 1 values but the optimizer has 2",
    ),
    (
        lambda o: optim.ReduceLROnPlateau(o, min_lr=-0.1),
        ValueError,
        r"min_lr=-0\.1\): min_lr must be >= 0",
    ),
    (
        lambda o: optim.ReduceLROnPlateau(o, threshold=-1),
        ValueError,
        r"threshold=-1\): threshold must be >= 0",
    ),
]


@pytest.mark.parametrize(("make", "error", "message"), BAD_SCHEDULERS)
def test_invalid_scheduler_arguments_are_rejected(make, error, message):
    fopt, _, _, _ = _scheduler_pair("exponential", {"gamma": 0.9}, lambda o, **k: None)
    with pytest.raises(error, match=message):
        make(fopt)


def test_scheduler_repr():
    fopt, _, ours, _ = _scheduler_pair("step", {"step_size": 3, "gamma": 0.5}, lambda o, **k: None)
    assert repr(ours) == "StepLR(step_size=3, gamma=0.5, last_epoch=0)"
    text = repr(optim.ReduceLROnPlateau(fopt, mode="max", patience=2))
    assert text.startswith("ReduceLROnPlateau(mode='max', factor=0.1, patience=2,")


# --------------------------------------------------------------------------- registries


def test_registries_and_getters():
    assert optim.OPTIMIZERS == {
        "sgd": optim.SGD,
        "adam": optim.Adam,
        "adamw": optim.AdamW,
        "rmsprop": optim.RMSprop,
        "adagrad": optim.Adagrad,
    }
    assert optim.SCHEDULERS == {
        "step": optim.StepLR,
        "multistep": optim.MultiStepLR,
        "exponential": optim.ExponentialLR,
        "cosine": optim.CosineAnnealingLR,
        "plateau": optim.ReduceLROnPlateau,
        "constant": optim.ConstantLR,
        "linear": optim.LinearLR,
        "polynomial": optim.PolynomialLR,
        "inverse-time": optim.InverseTimeLR,
        "cyclic": optim.CyclicLR,
        "onecycle": optim.OneCycleLR,
    }
    params = [fcnn.Parameter(np.zeros(2))]
    opt = optim.get_optimizer("AdamW", params, lr=0.5)
    assert type(opt) is optim.AdamW and opt.param_groups[0]["lr"] == 0.5
    assert (
        opt.param_groups[0]["weight_decay"] == 1e-2
        and opt.param_groups[0]["decoupled_weight_decay"]
    )
    sched = optim.get_scheduler("cosine", opt, T_max=4)
    assert type(sched) is optim.CosineAnnealingLR and sched.T_max == 4
    with pytest.raises(
        ValueError, match="unknown optimizer 'adamax'; expected one of: adagrad, adam,"
    ):
        optim.get_optimizer("adamax", params)
    with pytest.raises(ValueError, match="unknown scheduler 'warmup'; expected one of: constant,"):
        optim.get_scheduler("warmup", opt)
    with pytest.raises(TypeError, match="optimizer name must be a string"):
        optim.get_optimizer(optim.SGD, params)


def test_defaults_match_torch_signatures():
    import inspect

    for name in ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad"):
        ours = inspect.signature(getattr(optim, name)).parameters
        theirs = inspect.signature(getattr(torch.optim, name)).parameters
        positional = [k for k, v in ours.items() if v.kind is v.POSITIONAL_OR_KEYWORD]
        assert positional == [k for k in theirs if k in positional], name
        for key, param in ours.items():
            if key in theirs and key != "params":
                assert param.default == theirs[key].default, f"{name}({key}=...)"
