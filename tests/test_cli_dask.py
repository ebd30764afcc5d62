"""``fcnn train --dask``: data-parallel training from the command line on a LocalCluster
the command starts and closes (no worker left behind), with the run directory and
``--resume`` as without it; bad values and what Dask cannot train refused in one line,
before any cluster starts or any run directory is made."""

from __future__ import annotations

import json

import psutil

from fcnn.train.checkpoint import CHECKPOINT_NAME
from stream_support import table_data, write_csv, write_parquet
from test_cli_trust import refused, run

OPTIONS = ("--target", "target", "--hidden", "16", "--lr", "0.01", "--verbose", 0)


def _children() -> set[int]:
    # (multiprocessing's resource tracker stays for the life of this process, by design)
    return {
        p.pid
        for p in psutil.Process().children(recursive=True)
        if not any("resource_tracker" in part for part in p.cmdline())
    }


def test_local_cluster_trains_keeps_the_run_and_resumes(tmp_path):
    X, y = table_data(1200)
    data = write_parquet(tmp_path / "d.parquet", X, y)  # 12 row groups: 6 per worker
    before = _children()
    run("train", data, *OPTIONS, "--epochs", 3, "--batch-size", 64, "--dask", "local:2",
        "--run-dir", tmp_path / "r")  # fmt: skip
    for name in ("run.json", "model.safetensors", "history.json", CHECKPOINT_NAME):
        assert (tmp_path / "r" / name).exists(), name
    history = json.loads((tmp_path / "r" / "history.json").read_text())
    losses = history["history"]["loss"]
    assert len(losses) == 3 and losses[-1] < losses[0]
    result = run("train", "--resume", tmp_path / "r", "--epochs", 4, "--dask", "local:2",
                 "--verbose", 0)  # fmt: skip
    history = json.loads((tmp_path / "r" / "history.json").read_text())
    assert history["epoch"] == [1, 2, 3, 4] and history["history"]["loss"][:3] == losses
    assert "test" in result.output  # the results table: train and test rows
    assert "dask" not in (tmp_path / "r" / "run.json").read_text()  # not part of the run
    left = {pid for pid in _children() - before if psutil.Process(pid).status() != "zombie"}
    assert not left, f"worker processes left running: {left}"


def test_bad_values_and_what_dask_cannot_train_are_refused(tmp_path):
    X, y = table_data(200)
    data = write_parquet(tmp_path / "d.parquet", X, y)
    for value in ("local:0", "local", "8786", "tcp://host", "local:two"):
        line = refused("train", data, *OPTIONS, "--dask", value)
        assert f"--dask {value!r}: expected local:N" in line
    line = refused("train", data, *OPTIONS, "--batchnorm", "--dask", "local:2")
    assert "--batchnorm" in line
    line = refused("train", data, *OPTIONS, "--class-weight", "0=1,1=2,2=1", "--dask", "local:2")
    assert "--class-weight" in line
    csv = write_csv(tmp_path / "d.csv", X, y)
    line = refused("train", csv, *OPTIONS, "--stream", "--dask", "local:2")
    assert "only be read in its own order" in line and "--no-stream" in line
    assert not list(tmp_path.glob("runs*")) and not (tmp_path / "r").exists()
