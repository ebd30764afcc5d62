"""Sweeps: seeded trials, identical results on every executor (in-process, loky, a real
Dask LocalCluster), nothing lost (worker killed, Ctrl-C, truncated results file), the
lock, the spec check, the CLI, the planar helper."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

import fcnn.cli.sweep  # noqa: F401  (registers the command)
from dask_support import local_cluster
from fcnn import sweep
from fcnn.cli.app import app
from fcnn.sweep.store import SweepStore

SPEC = {
    "data": {"data": "moons", "n": 120, "noise": 0.2},
    "params": {"hidden": [[4], [8, 8]], "lr": [0.01, 0.1], "activation": ["relu", "tanh"]},
    "fixed": {"epochs": 3, "batch_size": 32},
    "seed": 7,
}
N_TRIALS = 8


def _lines(directory):
    return [json.loads(line) for line in (directory / "trials.jsonl").read_text().splitlines()]


def _metrics(result):
    return {r["key"]: r["metrics"] for r in result.records}


def _unlocked(directory):
    """The sweep's lock was let go: no holder is recorded and another store can take it.
    (The lock file itself stays: every process must lock the same file.)"""
    if (directory / "sweep.lock.holder").exists():
        return False
    try:
        with SweepStore(directory):
            return True
    except sweep.SweepLockedError:
        return False


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The sweep run in this process: what every other executor must reproduce."""
    return sweep.run(SPEC, tmp_path_factory.mktemp("reference"))


@pytest.fixture(scope="module")
def cluster():
    with local_cluster() as local:
        yield local


def test_spec_trials_are_seeded_and_stable():
    spec = sweep.normalize_spec(SPEC)
    first, again = sweep.expand_trials(spec), sweep.expand_trials(sweep.normalize_spec(SPEC))
    assert [t["key"] for t in first] == [t["key"] for t in again]
    assert len(first) == N_TRIALS and len({t["config"]["seed"] for t in first}) == N_TRIALS
    other = sweep.expand_trials(sweep.normalize_spec({**SPEC, "seed": 8}))
    assert {t["key"] for t in other}.isdisjoint(t["key"] for t in first)
    random = {
        "data": "moons",
        "search": "random",
        "trials": 5,
        "params": {"lr": {"log_uniform": [1e-4, 1e-1]}, "hidden": [4, 8], "dropout": [0.0]},
        "repeats": 2,
    }
    drawn = sweep.expand_trials(sweep.normalize_spec(random))
    assert len(drawn) == 10 and len({t["key"] for t in drawn}) == 10
    assert all(1e-4 <= t["config"]["lr"] <= 1e-1 for t in drawn)
    assert drawn == sweep.expand_trials(sweep.normalize_spec(random))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"params": {"lr": 0.1}}, "non-empty list"),
        ({"params": {"speed": [1]}}, "unknown trial option 'speed'"),
        ({"colour": 1}, "unknown spec key"),
        ({"search": "random"}, "trials"),
        ({"params": {"lr": {"log_uniform": [0, 1]}}}, "needs search: random"),
        ({"metric": "val_speed"}, "metric='val_speed'"),
        ({"params": {"hidden": [[4], [4]]}}, "same configuration"),
    ],
)
def test_bad_specs_are_refused_clearly(tmp_path, change, message):
    with pytest.raises(ValueError, match=message):
        sweep.run({**SPEC, **change}, tmp_path)


def test_bad_option_value_fails_before_any_trial(tmp_path):
    with pytest.raises(ValueError, match="activation"):
        sweep.run({**SPEC, "params": {"activation": ["relu", "swoosh"]}}, tmp_path)
    with pytest.raises(ValueError, match="validation split"):
        sweep.run({**SPEC, "metric": "val_accuracy"}, tmp_path / "b")
    assert not (tmp_path / "trials.jsonl").exists()


def test_run_records_everything(reference):
    directory = reference.directory
    lines = _lines(directory)
    assert reference.complete and reference.ran == N_TRIALS and reference.skipped == 0
    assert len(lines) == N_TRIALS and len({r["key"] for r in lines}) == N_TRIALS
    assert reference.metric == "test_accuracy" and reference.direction == "max"
    scores = [r["metrics"]["test_accuracy"] for r in reference.records]
    assert scores == sorted(scores, reverse=True)
    best = reference.best
    model = fcnn_load(directory / best["model"])
    assert model.spec() is not None
    assert len(best["history"]["epoch"]) == 3 and best["config"]["epochs"] == 3
    for name in ("results.md", "results.csv", "sweep.json", "sweep.png"):
        assert (directory / name).exists(), name
    assert _unlocked(directory)
    csv_rows = (directory / "results.csv").read_text().splitlines()
    assert len(csv_rows) == N_TRIALS + 1 and csv_rows[0].startswith("rank,trial,key,hidden")
    assert (
        "| rank | trial | hidden | lr | activation | test_accuracy"
        in (directory / "results.md").read_text()
    )


def fcnn_load(path):
    import fcnn

    return fcnn.load(path)


def test_local_processes_give_the_same_results(reference, tmp_path):
    result = sweep.run(SPEC, tmp_path, jobs=2)
    assert _metrics(result) == _metrics(reference)
    assert len({r["pid"] for r in result.records}) >= 1 and result.ran == N_TRIALS


def test_dask_cluster_gives_the_same_results(reference, cluster, tmp_path):
    result = sweep.run(SPEC, tmp_path, dask=cluster.scheduler_address)
    assert _metrics(result) == _metrics(reference)
    assert os.getpid() not in {r["pid"] for r in result.records}
    assert [r["key"] for r in result.records] == [r["key"] for r in reference.records]


def _killed_sweep_completes(reference, tmp_path, **executor):
    marker = tmp_path / "killed"
    out = tmp_path / "sweep"
    result = sweep.run(SPEC, out, before_trial=sweep.KillOnce(str(marker), 2), **executor)
    assert marker.exists(), "the fault was not injected"
    killed_pid = int(marker.read_text())
    lines = _lines(out)
    assert sorted(r["key"] for r in lines) == sorted(r["key"] for r in reference.records)
    assert all(r["status"] == "ok" for r in lines)
    trial_2 = next(r for r in lines if r["index"] == 2)
    assert trial_2["pid"] != killed_pid
    assert _metrics(result) == _metrics(reference)


def test_dask_worker_killed_mid_trial_reruns_it(reference, cluster, tmp_path):
    _killed_sweep_completes(reference, tmp_path, dask=cluster.scheduler_address)


def test_local_worker_killed_mid_trial_reruns_it(reference, tmp_path):
    _killed_sweep_completes(reference, tmp_path, jobs=2)


@pytest.mark.parametrize("executor", ["this process", "2 local processes", "dask cluster"])
def test_interrupted_sweep_resumes_without_repeating_or_missing(
    reference, tmp_path, executor, request
):
    if executor == "dask cluster":
        kwargs = {"dask": request.getfixturevalue("cluster").scheduler_address}
    else:
        kwargs = {"jobs": 2} if executor == "2 local processes" else {}
    seen = []

    def stop_after_three(update):
        if update.record is not None:
            seen.append(update.record["key"])
            if len(seen) == 3:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sweep.run(SPEC, tmp_path, progress=stop_after_three, **kwargs)
    assert [r["key"] for r in _lines(tmp_path)] == seen
    assert (tmp_path / "results.md").exists() and _unlocked(tmp_path)
    resumed = sweep.run(SPEC, tmp_path, **kwargs)
    assert resumed.skipped == 3 and resumed.ran == N_TRIALS - 3
    keys = [r["key"] for r in _lines(tmp_path)]
    assert len(keys) == len(set(keys)) == N_TRIALS
    assert _metrics(resumed) == _metrics(reference)


def test_truncated_last_line_is_ignored_and_rerun(reference, tmp_path):
    sweep.run(SPEC, tmp_path)
    path = tmp_path / "trials.jsonl"
    data = path.read_bytes()
    last = data.rstrip(b"\n").rfind(b"\n") + 1
    path.write_bytes(data[: last + 40])  # a crash 40 bytes into the last append
    again = sweep.run(SPEC, tmp_path)
    assert again.ran == 1 and again.skipped == N_TRIALS - 1
    lines = _lines(tmp_path)  # every line parses again
    assert len(lines) == N_TRIALS and len({r["key"] for r in lines}) == N_TRIALS
    assert (tmp_path / "trials.jsonl.damaged").read_bytes().startswith(data[last : last + 40])
    assert _metrics(again) == _metrics(reference)


def test_a_second_sweep_in_the_same_directory_is_refused(tmp_path):
    with SweepStore(tmp_path):
        with pytest.raises(sweep.SweepLockedError, match=f"in use by process {os.getpid()}"):
            sweep.run(SPEC, tmp_path)
    assert _unlocked(tmp_path)


ENDLESS_SWEEP = """
import sys
from fcnn import sweep
spec = {"data": {"data": "moons", "n": 200}, "params": {"lr": [0.01, 0.02, 0.03]},
        "fixed": {"epochs": 1000000, "batch_size": 8}, "seed": 1}
sweep.run(spec, sys.argv[1], jobs=2, progress=lambda update: print("started", flush=True))
"""


def test_local_workers_end_when_the_driver_is_killed(tmp_path):
    import psutil  # comes with Dask's distributed (a test dependency)

    driver = subprocess.Popen(
        [sys.executable, "-c", ENDLESS_SWEEP, str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # loky's tracker reports the semaphores the kill leaked
    )
    try:
        assert driver.stdout.readline().strip() == b"started"
        deadline = time.time() + 60
        while True:  # both workers started
            children = psutil.Process(driver.pid).children()
            if sum("LokyProcess" in " ".join(c.cmdline()) for c in children) == 2:
                break
            assert time.time() < deadline, "the sweep's workers never started"
            time.sleep(0.1)
        time.sleep(1)  # and busy with their trials
        everything = psutil.Process(driver.pid).children(recursive=True)
    finally:
        driver.kill()
        driver.wait()
        driver.stdout.close()
    # The trials never end (a million epochs), so a worker that outlives its driver runs
    # on for good: any bound tells the two apart. Unloaded, the workers and trackers are
    # gone within 0.3 s; on a busy 2-core machine (load 8; a worker may still be starting
    # up when its driver is killed) they took up to ~4.5 s, so 5 s failed there. 30 s is
    # far above that and far below "for good".
    _, alive = psutil.wait_procs(everything, timeout=30)  # returns as soon as all ended
    left = [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]
    for p in left:  # not to leave them running after a failure
        p.kill()
    assert not left, f"still running 30 s after the driver was killed: {left}"


def test_a_worker_whose_driver_died_before_it_started_ends_at_once():
    # A loky worker is told its driver's id; one that starts after the driver was killed
    # (its parent is then another process) must end, not watch its new parent for good.
    worker = subprocess.run(
        [
            sys.executable,
            "-c",
            "import time\n"
            "from fcnn.sweep.executors import _start_worker\n"
            "_start_worker(-1)  # no process's id: this one's parent is not its driver\n"
            "time.sleep(60)",
        ],
        timeout=30,
    )
    assert worker.returncode == 1


def test_the_lock_of_a_killed_sweep_is_taken_over(tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from fcnn.sweep.store import SweepStore\n"
            "with SweepStore(sys.argv[1]):\n"
            "    print('locked', flush=True); time.sleep(60)",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
    )
    assert holder.stdout.readline().strip() == b"locked"
    with pytest.raises(sweep.SweepLockedError, match=f"in use by process {holder.pid} "):
        sweep.run({**SPEC, "params": {"lr": [0.1]}}, tmp_path)
    holder.kill()
    holder.wait()
    holder.stdout.close()
    result = sweep.run({**SPEC, "params": {"lr": [0.1]}}, tmp_path)
    assert result.complete and _unlocked(tmp_path)
    assert not (tmp_path / ".sweep.lock.stale").exists()


def test_a_different_spec_is_refused(tmp_path):
    sweep.run({**SPEC, "params": {"lr": [0.1]}}, tmp_path)
    with pytest.raises(sweep.SpecMismatchError, match=r"fixed.epochs was 3, now 4"):
        sweep.run({**SPEC, "params": {"lr": [0.1]}, "fixed": {"epochs": 4}}, tmp_path)


def test_cli_runs_resumes_and_refuses(tmp_path):
    spec_file = tmp_path / "spec.yaml"
    spec_file.write_text(
        "data: {data: moons, n: 120, noise: 0.2}\n"
        "params:\n  hidden: [4, 8x8]\n"
        "fixed: {epochs: 3}\n"
        "seed: 7\n"
    )
    out = tmp_path / "out"
    runner = CliRunner()
    args = ["sweep", str(spec_file), "-o", str(out), "-p", "lr=0.01,0.1", "--quiet"]
    first = runner.invoke(app, [*args, "--jobs", "2"])
    assert first.exit_code == 0, first.output
    assert "4 trial(s) run, 0 already done" in first.output and "results.md" in first.output
    again = runner.invoke(app, [*args, "--dask", "local:2"])
    assert again.exit_code == 0, again.output
    assert "0 trial(s) run, 4 already done" in again.output
    other = runner.invoke(app, [*args, "--fixed", "epochs=5"])
    assert other.exit_code == 1 and "different spec" in other.output
    bad = runner.invoke(app, ["sweep", "-o", str(tmp_path / "x")])
    assert bad.exit_code == 1 and "no data" in bad.output
    help_text = runner.invoke(app, ["sweep", "--help"]).output
    assert "--dask" in help_text and "--jobs" in help_text


def test_planar_helper_matches_the_course_loop(tmp_path):
    from fcnn.data import planar
    from fcnn.reproduce._course import (
        course_accuracy,
        course_network,
        full_batch_gradient_descent,
    )

    result = sweep.planar_hidden_units_sweep(tmp_path, hidden_units=(1, 4), steps=100)
    X, y = planar()
    for record in result.records:
        width = record["params"]["hidden"][0]
        net = course_network([2, width, 1], "tanh", lambda fan_in: 0.01, seed=2)
        full_batch_gradient_descent(net, X, y, lr=1.2, steps=100)
        assert record["metrics"]["train_accuracy"] * 100 == pytest.approx(
            course_accuracy(net, X, y)
        )


def test_importing_fcnn_does_not_import_dask():
    code = "import sys, fcnn, fcnn.sweep, fcnn.cli.sweep; print('dask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
