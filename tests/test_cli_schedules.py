"""``fcnn train --schedule``: every schedule it offers trains, writes a run.json its own
layout reads back and a resumed run rebuilds; the per-batch ones step after every batch
to the planned end; options that the run would ignore or overwrite are refused before a
run directory is made."""

from __future__ import annotations

import json

import pytest

from fcnn.cli.runs import read_config
from fcnn.train.checkpoint import CHECKPOINT_NAME, load_checkpoint
from test_cli_trust import QUICK, refused, run


def _trained(tmp_path, *options, epochs=4):
    run_dir = tmp_path / "r"
    run("train", "moons", *QUICK, "--epochs", epochs, *options, "--run-dir", run_dir)
    history = json.loads((run_dir / "history.json").read_text())
    return read_config(run_dir)["schedule"], history["history"]["lr"], run_dir


def test_the_course_inverse_time_decay_from_the_command_line(tmp_path):
    schedule, lrs, _ = _trained(
        tmp_path, "--optimizer", "sgd", "--lr", 0.5, "--schedule", "inverse-time", epochs=3
    )
    assert schedule == {"name": "inverse-time", "decay_rate": 1.0, "time_interval": 1}
    assert lrs == [0.5, 0.25, 0.16666666666666666]  # update_lr's test case at epoch 2


SCHEDULES = [
    (
        ("--schedule", "linear", "--start-factor", 0.25),
        {"name": "linear", "start_factor": 0.25, "end_factor": 1.0, "total_iters": 4},
        [0.0025, 0.004375, 0.00625, 0.008125],  # 1 would come at epoch 5 (index 4)
    ),
    (
        ("--schedule", "polynomial", "--total-iters", 2, "--power", 2),
        {"name": "polynomial", "total_iters": 2, "power": 2.0},
        [0.01, 0.0025, 0.0, 0.0],
    ),
    (
        ("--schedule", "inverse-time", "--decay-rate", 0.5, "--time-interval", 2),
        {"name": "inverse-time", "decay_rate": 0.5, "time_interval": 2},
        [0.01, 0.01, 0.01 / 1.5, 0.01 / 1.5],
    ),
]


@pytest.mark.parametrize(("options", "expected", "lrs"), SCHEDULES, ids=lambda v: str(v)[:20])
def test_each_epoch_schedule_is_recorded_and_followed(options, expected, lrs, tmp_path):
    schedule, logged, _ = _trained(tmp_path, "--lr", 0.01, *options)
    assert schedule == expected
    assert logged == pytest.approx(lrs, rel=1e-12, abs=1e-15)


def _scheduler_state(run_dir):
    states = load_checkpoint(run_dir / CHECKPOINT_NAME)["callbacks"]
    return next(s for s in states if s and "last_epoch" in s)


def test_one_cycle_steps_every_batch_to_its_planned_end(tmp_path):
    # 48 training rows (60 less the test split), 10 of them held out to validate: 38 to
    # train on in batches of 7 is 6 batches an epoch.
    options = ("--schedule", "onecycle", "--max-lr", 0.05, "--batch-size", 7)
    schedule, lrs, run_dir = _trained(tmp_path, *options, "--validation-split", 0.2, epochs=3)
    assert schedule == {
        "name": "onecycle",
        "max_lr": 0.05,
        "cycle_momentum": True,
        "epochs": 3,
        "steps_per_epoch": 6,
    }
    state = _scheduler_state(run_dir)
    assert state["last_epoch"] == state["total_steps"] == 18
    assert lrs[0] > 0.05 / 25 and max(lrs) <= 0.05 and lrs[-1] < 1e-4
    line = refused("train", "--resume", run_dir, "--epochs", 4, "--verbose", 0)
    assert line == (
        f"error: --epochs 4: the onecycle schedule of {run_dir} ends after 3 epochs; start "
        "a new run to train longer"
    )


def test_cyclic_climbs_from_the_rate_for_half_cycles_of_whole_epochs(tmp_path):
    options = ("--optimizer", "sgd", "--lr", 0.001, "--schedule", "cyclic", "--max-lr", 0.01)
    schedule, lrs, run_dir = _trained(tmp_path, *options, "--step-size", 2, "--batch-size", 12)
    # 48 training rows (12 for the test split) in batches of 12: 4 batches an epoch.
    assert schedule == {
        "name": "cyclic",
        "max_lr": 0.01,
        "cycle_momentum": True,
        "step_size_up": 8,
    }
    # An epoch logs its last batch's rate: after 3, 7, 11 and 15 steps of a 16-step cycle.
    assert lrs == pytest.approx([0.001 + 0.009 * height for height in (3 / 8, 7 / 8, 5 / 8, 1 / 8)])
    state = _scheduler_state(run_dir)
    assert state["last_epoch"] == 16 and state["base_lrs"] == [0.001]
    checkpoint = load_checkpoint(run_dir / CHECKPOINT_NAME)
    # The cycle ends where it began: the rate at its lowest, the momentum at its highest.
    assert checkpoint["optimizer"]["param_groups"][0]["lr"] == pytest.approx(0.001)
    assert checkpoint["optimizer"]["param_groups"][0]["momentum"] == pytest.approx(0.9)
    run("train", "--resume", run_dir, "--epochs", 5, "--verbose", 0)  # rebuilt from run.json
    assert _scheduler_state(run_dir)["last_epoch"] == 20


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--schedule", "onecycle"], "--schedule onecycle needs --max-lr, the highest"),
        (
            ["--schedule", "onecycle", "--max-lr", 1, "--lr", 0.1],
            "--lr: --schedule onecycle sets the learning rate itself, from --max-lr / 25 up to "
            "--max-lr and down; leave --lr out",
        ),
        (
            ["--schedule", "cyclic", "--max-lr", 1, "--beta1", 0.8],
            "--beta1: --schedule cyclic cycles beta1 against the learning rate (as PyTorch "
            "does); leave --beta1 out",
        ),
        (
            ["--optimizer", "sgd", "--schedule", "onecycle", "--max-lr", 1, "--momentum", 0.9],
            "--momentum: --schedule onecycle cycles momentum against the learning rate",
        ),
        (["--max-lr", 1], "--max-lr goes with --schedule cyclic or onecycle"),
        (
            ["--schedule", "cosine", "--step-size", 3],
            "--step-size goes with --schedule step or cyclic, not cosine",
        ),
        (
            ["--schedule", "linear", "--power", 2],
            "--power goes with --schedule polynomial, not linear",
        ),
        (["--schedule", "linear", "--start-factor", 0], "--start-factor 0.0: must be in (0, 1]"),
        (["--schedule", "linear", "--end-factor", 2], "--end-factor 2.0: must be in [0, 1]"),
        (["--schedule", "polynomial", "--total-iters", 0], "--total-iters 0: must be a positive"),
        (["--schedule", "cyclic", "--max-lr", -1], "--max-lr -1.0: must be > 0"),
        (["--schedule", "inverse-time", "--decay-rate", -1], "--decay-rate -1.0: must be >= 0"),
        (["--schedule", "warmup"], "--schedule 'warmup': must be one of 'step', 'multistep'"),
    ],
)
def test_schedule_options_are_refused_before_a_run_directory_is_made(options, message, tmp_path):
    line = refused("train", "moons", *QUICK, *options, "--run-dir", tmp_path / "r")
    assert line.startswith(f"error: {message}")
    assert not (tmp_path / "r").exists()


def test_adagrad_cycles_only_the_rate(tmp_path):
    options = ("--optimizer", "adagrad", "--schedule", "onecycle", "--max-lr", 0.1)
    schedule, _, _ = _trained(tmp_path, *options, epochs=1)
    assert schedule["cycle_momentum"] is False
