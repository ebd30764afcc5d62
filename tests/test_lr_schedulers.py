"""Every learning-rate schedule against PyTorch 2.13: the rate (and the cycled momentum)
of every group after every step, state dicts saved mid-way through JSON and loaded into
fresh objects, the course's inverse-time decay test cases, per-batch stepping in ``fit``
with a resume, and the refusals of bad arguments.

Each case is one function ``make(m, opt)`` that builds the schedule from a namespace ``m``:
``fcnn.optim`` on our side, ``torch.optim.lr_scheduler`` on PyTorch's, so both sides are
built by the same line.
"""

from __future__ import annotations

import json
import math
import types

import numpy as np
import pytest
import torch

import fcnn
from fcnn import optim

STEPS = 90
LRS = (0.1, 0.03)  # the two groups' learning rates


class _InverseTimeLR(torch.optim.lr_scheduler.LRScheduler):
    """PyTorch has no inverse-time decay: the course's formula on PyTorch's base class."""

    def __init__(self, opt, decay_rate, time_interval=1):
        self.decay_rate, self.time_interval = decay_rate, time_interval
        super().__init__(opt)

    def get_lr(self):
        k = self.last_epoch // self.time_interval
        return [base / (1 + self.decay_rate * k) for base in self.base_lrs]


TORCH = types.SimpleNamespace(**vars(torch.optim.lr_scheduler), InverseTimeLR=_InverseTimeLR)


def _lambda(t):
    return 0.97**t if t % 4 else 1.0 / (1 + t)


def _factor(t):
    return 0.9 if t % 3 == 0 else 1.01


CASES = {
    "lambda": lambda m, o: m.LambdaLR(o, _lambda),
    "lambda-per-group": lambda m, o: m.LambdaLR(o, [_lambda, lambda t: 1 / (1 + 0.1 * t)]),
    "multiplicative": lambda m, o: m.MultiplicativeLR(o, _factor),
    "constant": lambda m, o: m.ConstantLR(o, factor=0.3, total_iters=7),
    "constant-default": lambda m, o: m.ConstantLR(o),
    "linear-warmup": lambda m, o: m.LinearLR(o, start_factor=0.1, total_iters=13),
    "linear-decay": lambda m, o: m.LinearLR(o, start_factor=1.0, end_factor=0.05, total_iters=40),
    "linear-default": lambda m, o: m.LinearLR(o),
    "polynomial": lambda m, o: m.PolynomialLR(o, total_iters=50, power=2.0),
    "polynomial-sqrt": lambda m, o: m.PolynomialLR(o, total_iters=30, power=0.5),
    "inverse-time": lambda m, o: m.InverseTimeLR(o, decay_rate=0.5),
    "inverse-time-interval": lambda m, o: m.InverseTimeLR(o, decay_rate=1.0, time_interval=10),
    "warmup-cosine": lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, start_factor=0.1, total_iters=5), m.CosineAnnealingLR(o, 60)], [5]
    ),
    "constant-exponential-step": lambda m, o: m.SequentialLR(
        o,
        [m.ConstantLR(o, 0.5, total_iters=4), m.ExponentialLR(o, 0.9), m.StepLR(o, 7, 0.5)],
        milestones=[10, 30],
    ),
    "warmup-polynomial-multistep": lambda m, o: m.SequentialLR(
        o,
        [m.LinearLR(o, 0.2, total_iters=8), m.PolynomialLR(o, 20), m.MultiStepLR(o, [3, 9])],
        milestones=[8, 40],
    ),
    "chained": lambda m, o: m.ChainedScheduler(
        [m.ConstantLR(o, factor=0.1, total_iters=4), m.ExponentialLR(o, gamma=0.95)]
    ),
    "chained-three": lambda m, o: m.ChainedScheduler(
        [m.LinearLR(o, 0.5, total_iters=9), m.StepLR(o, 5, 0.8), m.MultiplicativeLR(o, _factor)],
        o,
    ),
    "cyclic": lambda m, o: m.CyclicLR(o, 0.001, 0.1, step_size_up=6),
    "cyclic-triangular2": lambda m, o: m.CyclicLR(
        o, [0.001, 0.002], [0.1, 0.05], step_size_up=5, step_size_down=9, mode="triangular2"
    ),
    "cyclic-exp-range": lambda m, o: m.CyclicLR(
        o, 0.01, 0.2, step_size_up=4, mode="exp_range", gamma=0.97, base_momentum=0.7
    ),
    "cyclic-scale-fn": lambda m, o: m.CyclicLR(
        o, 0.01, 0.2, 3, 8, scale_fn=lambda x: 1 / (1 + 0.01 * x), scale_mode="iterations"
    ),
    "cyclic-no-momentum": lambda m, o: m.CyclicLR(o, 0.01, 0.2, 7, cycle_momentum=False),
    "onecycle": lambda m, o: m.OneCycleLR(o, max_lr=0.5, total_steps=STEPS),
    "onecycle-linear": lambda m, o: m.OneCycleLR(
        o, [0.5, 0.2], epochs=9, steps_per_epoch=10, anneal_strategy="linear", pct_start=0.25
    ),
    "onecycle-three-phase": lambda m, o: m.OneCycleLR(
        o, 1.0, total_steps=STEPS, three_phase=True, div_factor=10.0, final_div_factor=100.0
    ),
    "onecycle-no-momentum": lambda m, o: m.OneCycleLR(
        o, 0.3, total_steps=STEPS + 5, cycle_momentum=False, base_momentum=0.8
    ),
}

OPTIMIZERS = {
    "SGD": {"momentum": 0.9},
    "Adam": {"betas": (0.9, 0.99)},
    "RMSprop": {"momentum": 0.5},
}


def _groups(params):
    return [{"params": params[:1]}, {"params": params[1:], "lr": LRS[1]}]


def _fcnn_optimizer(name):
    params = [fcnn.Parameter(np.zeros(2)), fcnn.Parameter(np.zeros(3))]
    return getattr(optim, name)(_groups(params), lr=LRS[0], **OPTIMIZERS[name])


def _torch_optimizer(name):
    params = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    return getattr(torch.optim, name)(_groups(params), lr=LRS[0], **OPTIMIZERS[name])


def _momenta(opt):
    """What a cycling schedule moves: each group's momentum, or β1."""
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


def _snapshot(opt, scheduler):
    return [g["lr"] for g in opt.param_groups], _momenta(opt), list(scheduler.get_last_lr())


def _to_json(state):
    return json.loads(json.dumps(state, default=lambda a: a.tolist()))


def _torch_sequence(case, optimizer, steps=STEPS):
    topt = _torch_optimizer(optimizer)
    theirs = CASES[case](TORCH, topt)
    sequence = [_snapshot(topt, theirs)]
    for _ in range(steps):
        topt.step()
        theirs.step()
        sequence.append(_snapshot(topt, theirs))
    return sequence


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("case", list(CASES))
def test_every_step_equals_torch_and_a_mid_way_state_dict_continues_it(case, optimizer):
    expected = _torch_sequence(case, optimizer)
    fopt = _fcnn_optimizer(optimizer)
    ours = CASES[case](optim, fopt)
    assert _snapshot(fopt, ours) == expected[0]
    for k in range(1, STEPS + 1):
        fopt.step()
        ours.step()
        assert _snapshot(fopt, ours) == expected[k], f"step {k}"  # bit-identical
        if k == 37:  # saved through JSON, loaded into fresh objects built the same way
            opt_state, state = _to_json(fopt.state_dict()), _to_json(ours.state_dict())
            fopt = _fcnn_optimizer(optimizer)
            ours = CASES[case](optim, fopt)
            fopt.load_state_dict(opt_state)
            ours.load_state_dict(state)
            assert _snapshot(fopt, ours) == expected[k]
    assert len({lrs[0] for lrs, _, _ in expected}) >= 2, "the schedule never moved"


def test_the_schedules_declare_how_often_they_step():
    opt = _fcnn_optimizer("SGD")
    assert [name for name, cls in optim.SCHEDULERS.items() if cls.per_batch] == [
        "cyclic",
        "onecycle",
    ]
    warm = optim.LinearLR(opt, 0.1, total_iters=3)
    assert not optim.SequentialLR(opt, [warm, optim.ExponentialLR(opt, 0.9)], [3]).per_batch
    cycle = optim.OneCycleLR(opt, 0.1, total_steps=10)
    assert optim.ChainedScheduler([optim.ExponentialLR(opt, 0.9), cycle]).per_batch


def test_a_lambda_is_not_in_the_state_dict_but_a_callable_objects_attributes_are():
    class Halving:
        def __init__(self):
            self.every = 2

        def __call__(self, epoch):
            return 0.5 ** (epoch // self.every)

    opt = _fcnn_optimizer("SGD")
    scheduler = optim.LambdaLR(opt, [lambda t: 1.0, Halving()])
    state = scheduler.state_dict()
    assert state["lr_lambdas"] == [None, {"every": 2}]
    json.dumps(state)
    state["lr_lambdas"][1]["every"] = 3
    fresh = optim.LambdaLR(_fcnn_optimizer("SGD"), [lambda t: 1.0, Halving()])
    fresh.load_state_dict(state)
    assert fresh.lr_lambdas[1].every == 3 and callable(fresh.lr_lambdas[0])


# --------------------------------------------------------------------------- the course


def _course_lr(learning_rate0, epoch_num, decay_rate, time_interval=1):
    """The rate an InverseTimeLR sets after ``epoch_num`` steps."""
    p = fcnn.Parameter(np.zeros(1))
    opt = optim.SGD([p], lr=learning_rate0)
    scheduler = optim.InverseTimeLR(opt, decay_rate=decay_rate, time_interval=time_interval)
    for _ in range(epoch_num):
        opt.step()
        scheduler.step()
    return scheduler.get_last_lr()[0]


def test_the_course_test_cases():
    # Deep Learning Specialization, course 2 week 2, "Optimization Methods": the public
    # tests update_lr_test (the every-epoch form) and schedule_lr_decay_test (the form
    # that decays every time_interval epochs), in two releases of the assignment.
    assert _course_lr(0.5, 2, 1) == 0.16666666666666666
    assert _course_lr(1, 2, 1) == 0.3333333333333333
    assert _course_lr(0.5, 100, 1, time_interval=100) == 0.25
    assert _course_lr(0.5, 10, 1, time_interval=100) == 0.5
    assert _course_lr(1, 100, 1, time_interval=100) == 0.5
    assert _course_lr(1, 10, 1, time_interval=100) == 1
    assert _course_lr(0.3, 100, 0.25, time_interval=100) == 0.24
    assert np.isclose(_course_lr(0.3, 1000, 0.25, time_interval=100), 0.085714285)
    assert _course_lr(0.5, 10, 0.3, time_interval=100) == 0.5
    assert _course_lr(0.5, 100, 0.3, time_interval=100) == 0.3846153846153846


def test_inverse_time_decay_is_the_formula_at_every_epoch():
    opt = _fcnn_optimizer("SGD")
    scheduler = optim.InverseTimeLR(opt, decay_rate=0.3, time_interval=4)
    for epoch in range(1, 30):
        scheduler.step()
        decayed = [lr / (1 + 0.3 * math.floor(epoch / 4)) for lr in LRS]
        assert scheduler.get_last_lr() == decayed


# --------------------------------------------------------------------------- fit


def _fit_with(make, epochs, run_dir=None, resume=False, **kwargs):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((90, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    model = fcnn.mlp([3, 8, 2], seed=0)
    opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    scheduler = make(opt)
    seen = []

    class Watch(fcnn.Callback):
        def on_batch_end(self, state, loss):
            seen.append((opt.param_groups[0]["lr"], opt.param_groups[0]["momentum"]))

    history = fcnn.fit(
        model,
        X,
        y,
        optimizer=opt,
        epochs=epochs,
        batch_size=20,  # 5 batches an epoch, the last of 10 rows
        seed=3,
        verbose=0,
        callbacks=[fcnn.LRSchedulerCallback(scheduler, **kwargs), Watch()],
        run_dir=run_dir,
        resume=resume,
    )
    return model, scheduler, seen, history


def test_fit_steps_a_one_cycle_schedule_after_every_batch_as_torch_does():
    _, scheduler, seen, history = _fit_with(
        lambda opt: optim.OneCycleLR(opt, max_lr=0.5, epochs=4, steps_per_epoch=5), 4
    )
    topt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.05, momentum=0.9)
    theirs = torch.optim.lr_scheduler.OneCycleLR(topt, max_lr=0.5, epochs=4, steps_per_epoch=5)
    expected = []
    for _ in range(20):  # the torch loop: a batch's update at this rate, then step
        expected.append((topt.param_groups[0]["lr"], topt.param_groups[0]["momentum"]))
        topt.step()
        theirs.step()
    assert seen == expected
    assert scheduler.last_epoch == theirs.last_epoch == 20
    assert history["lr"] == [expected[k][0] for k in (4, 9, 14, 19)]  # each epoch's last


def test_the_per_batch_mode_can_be_chosen_and_is_checked():
    _, scheduler, seen, _ = _fit_with(
        lambda opt: optim.LinearLR(opt, 0.1, total_iters=10), 3, per_batch=True
    )
    assert scheduler.last_epoch == 15
    assert [lr for lr, _ in seen][:11] == pytest.approx([0.005 + 0.0045 * k for k in range(11)])
    _, scheduler, _, _ = _fit_with(
        lambda opt: optim.CyclicLR(opt, 0.01, 0.1, 4), 2, per_batch=False
    )
    assert scheduler.last_epoch == 2
    with pytest.raises(TypeError, match=r"per_batch='yes'\): per_batch must be True or False"):
        fcnn.LRSchedulerCallback(scheduler, per_batch="yes")


@pytest.mark.parametrize(
    "make",
    [
        lambda opt: optim.OneCycleLR(opt, max_lr=0.5, epochs=6, steps_per_epoch=5),
        lambda opt: optim.CyclicLR(opt, 0.001, 0.1, step_size_up=7),
        lambda opt: optim.SequentialLR(
            opt, [optim.LinearLR(opt, 0.1, total_iters=2), optim.ExponentialLR(opt, 0.8)], [2]
        ),
    ],
    ids=["onecycle", "cyclic", "sequential"],
)
def test_a_resumed_run_with_a_schedule_is_bit_identical(make, tmp_path):
    whole, _, _, _ = _fit_with(make, 6)
    _fit_with(make, 3, run_dir=tmp_path / "run")  # stopped after 3 epochs
    resumed, _, _, history = _fit_with(make, 6, run_dir=tmp_path / "run", resume=True)
    assert len(history) == 6
    for name, value in whole.state_dict().items():
        np.testing.assert_array_equal(resumed.state_dict()[name], value, err_msg=name)


# --------------------------------------------------------------------------- refusals


def _opt():
    return _fcnn_optimizer("SGD")


BAD = [
    (lambda o: optim.ConstantLR(o, factor=0), ValueError, r"factor=0\): factor must be in \(0, 1]"),
    (lambda o: optim.ConstantLR(o, total_iters=0), ValueError, "total_iters must be a positive"),
    (lambda o: optim.LinearLR(o, start_factor=1.5), ValueError, r"start_factor must be in \(0"),
    (lambda o: optim.LinearLR(o, end_factor=-0.1), ValueError, r"end_factor must be in \[0, 1]"),
    (lambda o: optim.LinearLR(o, total_iters=2.0), TypeError, "positive integer, got float"),
    (lambda o: optim.PolynomialLR(o, power=-1), ValueError, r"power=-1\): power must be >= 0"),
    (lambda o: optim.InverseTimeLR(o, decay_rate="1"), TypeError, "must be a real number, got"),
    (lambda o: optim.InverseTimeLR(o, 1, time_interval=0), ValueError, "time_interval must be"),
    (lambda o: optim.LambdaLR(o, 0.5), TypeError, r"lr_lambda=0\.5\): lr_lambda must be a fun"),
    (lambda o: optim.LambdaLR(o, [abs]), ValueError, "lr_lambda lists 1 functions but the"),
    (lambda o: optim.MultiplicativeLR(o, [abs, 2]), TypeError, "lr_lambda must be a function"),
    (lambda o: optim.CyclicLR(o, 0.1, -1), ValueError, r"max_lr=-1\): max_lr must be >= 0"),
    (lambda o: optim.CyclicLR(o, [0.1], 1), ValueError, "base_lr has 1 values but the optim"),
    (lambda o: optim.CyclicLR(o, 0.1, 1, mode="saw"), ValueError, "mode must be one of 'tri"),
    (lambda o: optim.CyclicLR(o, 0.1, 1, step_size_up=0), ValueError, "step_size_up must be"),
    (lambda o: optim.CyclicLR(o, 0.1, 1, scale_fn=3), TypeError, "scale_fn must be a function"),
    (
        lambda o: optim.CyclicLR(optim.Adagrad([fcnn.Parameter(np.zeros(1))]), 0.1, 1),
        ValueError,
        r"CyclicLR\(cycle_momentum=True\): the optimizer has no momentum nor beta1",
    ),
    (lambda o: optim.OneCycleLR(o, 0.1), ValueError, "give total_steps, or epochs and steps"),
    (lambda o: optim.OneCycleLR(o, 0, 10), ValueError, r"max_lr=0\): max_lr must be > 0"),
    (lambda o: optim.OneCycleLR(o, 1, 10, pct_start=2), ValueError, "pct_start must be in"),
    (lambda o: optim.OneCycleLR(o, 1, epochs=2, steps_per_epoch=0), ValueError, "steps_per"),
    (lambda o: optim.OneCycleLR(o, 1, 10, anneal_strategy="x"), ValueError, "one of 'cos'"),
    (lambda o: optim.SequentialLR(o, [], []), ValueError, "schedulers must hold one or more"),
    (lambda o: optim.SequentialLR(o, [abs], []), TypeError, "schedulers\\[0\\] must be a sch"),
    (
        lambda o: optim.SequentialLR(o, [optim.ExponentialLR(o, 0.9)] * 2, [3, 4]),
        ValueError,
        "milestones must list one epoch fewer than the 2 schedulers",
    ),
    (
        lambda o: optim.SequentialLR(o, [optim.ExponentialLR(o, 0.9)] * 3, [5, 3]),
        ValueError,
        r"milestones=\[5, 3\]\): milestones must be in increasing order",
    ),
    (
        lambda o: optim.ChainedScheduler([optim.ReduceLROnPlateau(o)]),
        ValueError,
        "schedulers\\[0\\] is a ReduceLROnPlateau",
    ),
    (
        lambda o: optim.ChainedScheduler(
            [optim.ExponentialLR(o, 0.9), optim.ExponentialLR(_opt(), 0.9)]
        ),
        ValueError,
        "schedulers\\[1\\] sets another optimizer's learning rates",
    ),
]


@pytest.mark.parametrize(("make", "error", "message"), BAD)
def test_bad_arguments_are_refused(make, error, message):
    with pytest.raises(error, match=message):
        make(_opt())


def test_one_cycle_refuses_a_step_past_its_end():
    scheduler = optim.OneCycleLR(_opt(), 0.1, total_steps=3)
    for _ in range(3):
        scheduler.step()
    with pytest.raises(ValueError, match="stepped 4 times, past its total_steps=3"):
        scheduler.step()
