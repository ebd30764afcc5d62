"""Run directories that a week-long run can trust: one process at a time (a lock taken
over when its holder dies), the model and history kept up to date as epochs finish, no
leftovers of interrupted writes, and no silent resume on data that changed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from typer.testing import CliRunner

import fcnn
from fcnn.cli import app
from fcnn.train.checkpoint import load_checkpoint

runner = CliRunner()
# `fcnn ...` in a process of its own (PYTHONPATH, and so this tree, is inherited).
FCNN = [sys.executable, "-c", "import sys; from fcnn.cli import app; app(sys.argv[1:])"]


def cli(*args):
    return runner.invoke(app, [str(a) for a in args])


def wait_for(*paths, timeout=30.0):
    deadline = time.time() + timeout
    while not all(p.exists() for p in paths):
        assert time.time() < deadline, f"{[str(p) for p in paths]} never all appeared"
        time.sleep(0.05)


@pytest.fixture
def training(tmp_path):
    """An endless `fcnn train` in another process, past its first epoch; killed at the end."""
    run = tmp_path / "run"
    proc = subprocess.Popen(
        [*FCNN, "train", "moons", "--epochs", "1000000", "--run-dir", str(run), "--verbose", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(run / "run.json", run / "checkpoint.safetensors")
        yield proc, run
    finally:
        proc.kill()
        proc.wait()
        proc.stderr.close()


def test_a_run_directory_in_use_is_refused_and_a_killed_holder_is_taken_over(training):
    proc, run = training
    recorded = (run / "run.json").read_text()
    again = cli(
        "train", "moons", "--hidden", "3", "--epochs", "1", "--run-dir", run, "--verbose", 0
    )
    assert again.exit_code == 1
    assert f"run directory {run} is in use by process {proc.pid}" in again.output
    assert "Traceback" not in again.output
    resumed = cli("train", "--resume", run, "--epochs", 2, "--verbose", 0)
    assert resumed.exit_code == 1 and f"in use by process {proc.pid}" in resumed.output
    X, y = fcnn.data.moons(n=40)
    with pytest.raises(RuntimeError, match=f"in use by process {proc.pid}"):
        fcnn.fit(fcnn.mlp([2, 3, 2]), X, y, epochs=1, verbose=0, run_dir=run)
    assert (run / "run.json").read_text() == recorded  # nobody else wrote into the run

    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = load_checkpoint(run / "checkpoint.safetensors")["epoch"]
    # The lock of a killed process is taken over: the run resumes and ends consistent.
    result = cli("train", "--resume", run, "--epochs", done + 2, "--verbose", 0)
    assert result.exit_code == 0, result.output
    history = json.loads((run / "history.json").read_text())
    assert history["epoch"] == list(range(1, done + 3))
    assert json.loads((run / "run.json").read_text())["fit"]["epochs"] == done + 2
    assert not (run / "run.lock.holder").exists()


def test_a_killed_run_can_be_evaluated(training):
    proc, run = training
    wait_for(run / "model.safetensors", run / "history.json")  # as soon as epochs finish
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    result = cli("evaluate", run)
    assert result.exit_code == 0, result.output
    assert fcnn.History.load(run / "history.json").epoch[0] == 1


def _setup(seed=0):
    X, y = fcnn.data.moons(n=200, noise=0.2, seed=1)
    model = fcnn.mlp([2, 16, 2], seed=seed)
    return X, y, model, fcnn.optim.Adam(model.parameters(), lr=0.01)


def test_thousands_of_tiny_epochs_are_not_slowed_by_writing_each(tmp_path, monkeypatch):
    from fcnn.train import rundir

    writes = []
    real = rundir.save_checkpoint
    monkeypatch.setattr(
        rundir, "save_checkpoint", lambda *a, **k: writes.append(1) or real(*a, **k)
    )
    X, y = fcnn.data.planar()
    model = fcnn.mlp([2, 4, 1], "tanh", seed=1)
    fcnn.fit(
        model, X, y, loss="bce_with_logits", optimizer="sgd", lr=1.2, epochs=2000,
        batch_size=400, verbose=0, seed=0, run_dir=tmp_path,
    )  # fmt: skip
    assert 1 <= len(writes) <= 200  # at most a tenth of the time goes to writing
    assert load_checkpoint(tmp_path / "checkpoint.safetensors")["epoch"] == 2000
    assert len(fcnn.History.load(tmp_path / "history.json").epoch) == 2000


KILLED_FIT = """
import sys, fcnn
X, y = fcnn.data.moons(n=200, noise=0.2, seed=1)
model = fcnn.mlp([2, 16, 2], seed=0)
optimizer = fcnn.optim.Adam(model.parameters(), lr=0.01)
fcnn.fit(model, X, y, optimizer=optimizer, epochs=int(sys.argv[2]), batch_size=200, seed=0,
         verbose=0, run_dir=sys.argv[1])
"""


def test_resume_after_kill_is_bit_identical_with_paced_writes(tmp_path):
    epochs = 5000  # ~0.2 ms each, far shorter than a write: most are not written
    X, y, model, optimizer = _setup()
    fcnn.fit(model, X, y, optimizer=optimizer, epochs=epochs, batch_size=200, seed=0, verbose=0)
    expected = model.state_dict()

    run = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, "-c", KILLED_FIT, str(run), str(epochs)])
    wait_for(run / "checkpoint.safetensors")
    time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 0 < load_checkpoint(run / "checkpoint.safetensors")["epoch"] < epochs

    X, y, model, optimizer = _setup(seed=99)
    history = fcnn.fit(
        model, X, y, optimizer=optimizer, epochs=epochs, batch_size=200, seed=0, verbose=0,
        run_dir=run, resume=True,
    )  # fmt: skip
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, expected[key], err_msg=key)
    assert history.epoch == list(range(1, epochs + 1))


def test_leftovers_of_interrupted_writes_are_removed_after_a_resume(tmp_path):
    X, y, model, optimizer = _setup()
    fit = {"epochs": 2, "batch_size": 50, "seed": 0, "verbose": 0, "run_dir": tmp_path}
    fcnn.fit(model, X, y, optimizer=optimizer, **fit)
    ours = [".checkpoint.safetensors.0123456789ab.tmp", ".model.safetensors.a1b2c3d4e5f6.tmp"]
    others = [".notes.txt.0123456789ab.tmp", "draft.tmp", ".checkpoint.safetensors.tmp"]
    for name in ours + others:
        (tmp_path / name).write_bytes(b"half a file")
    X, y, model, optimizer = _setup()
    fcnn.fit(model, X, y, optimizer=optimizer, **{**fit, "epochs": 3}, resume=True)
    assert sorted(p.name for p in tmp_path.glob("*.tmp")) == sorted(others)
    assert sorted(p.name for p in tmp_path.glob(".*.tmp")) == sorted(
        n for n in others if n.startswith(".")
    )


def test_resume_on_changed_data_is_refused_unless_allowed(tmp_path):
    rng = np.random.default_rng(0)
    table = tmp_path / "points.csv"
    rows = [f"{a:.4f},{b:.4f},{int(a + b > 0)}" for a, b in rng.standard_normal((60, 2))]
    table.write_text("a,b,label\n" + "\n".join(rows) + "\n")
    run = tmp_path / "run"
    first = cli("train", table, "--epochs", 2, "--run-dir", run, "--verbose", 0)
    assert first.exit_code == 0, first.output
    recorded = json.loads((run / "run.json").read_text())["data_fingerprint"]
    assert recorded["kind"] == "file" and len(recorded["sha256"]) == 64

    rows[5] = "9.0000,9.0000,1"  # same rows, one value edited
    table.write_text("a,b,label\n" + "\n".join(rows) + "\n")
    refused = cli("train", "--resume", run, "--epochs", 4, "--verbose", 0)
    assert refused.exit_code == 1
    assert "changed since the run began" in refused.output
    assert "--allow-changed-data" in refused.output and "Traceback" not in refused.output
    assert len(json.loads((run / "history.json").read_text())["epoch"]) == 2

    allowed = cli("train", "--resume", run, "--epochs", 4, "--allow-changed-data", "--verbose", 0)
    assert allowed.exit_code == 0, allowed.output
    config = json.loads((run / "run.json").read_text())
    assert config["data_fingerprint"] != recorded
    assert config["earlier_data_fingerprints"] == [recorded]
    again = cli("train", "--resume", run, "--epochs", 5, "--verbose", 0)  # the new data now
    assert again.exit_code == 0, again.output


def test_generated_data_is_fingerprinted_by_its_generator_and_arguments(tmp_path):
    result = cli("train", "moons", "--epochs", 1, "--run-dir", tmp_path / "r", "--verbose", 0)
    assert result.exit_code == 0, result.output
    recorded = json.loads((tmp_path / "r" / "run.json").read_text())["data_fingerprint"]
    assert recorded["kind"] == "generated" and recorded["name"] == "moons"
    assert {"n", "noise", "seed"} <= set(recorded["arguments"])


def test_a_run_directory_is_free_again_after_a_run(tmp_path):
    X, y, model, optimizer = _setup()
    fcnn.fit(model, X, y, optimizer=optimizer, epochs=1, verbose=0, run_dir=tmp_path)
    assert not (tmp_path / "run.lock.holder").exists()
    holder = subprocess.run(
        [sys.executable, "-c", "import sys; from fcnn.train.rundir import lock_run_dir\n"
         "with lock_run_dir(sys.argv[1]): print('held')", str(tmp_path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert holder.stdout.strip() == "held"
    assert os.listdir(tmp_path).count("run.lock") == 1
