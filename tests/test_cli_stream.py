"""``fcnn train`` on data larger than memory (issue #17, part 1): Parquet, .npy and large
CSV files streamed, recorded in run.json, resumed, evaluated and predicted on as the
training data were prepared, and bad input refused in one line without losing what was
trained."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fcnn.data import load_source, make_source
from fcnn.data.stream import CSVSource, NpySource, ParquetSource
from fcnn.data.stream.split import SplitSource, row_fraction
from fcnn.train.checkpoint import CHECKPOINT_NAME
from stream_support import all_rows, table_data, write_csv, write_parquet
from test_cli_trust import refused, run

QUIET = ("--epochs", 2, "--verbose", 0, "--hidden", "8")


def _text_parquet(path, n=800):
    X, y = table_data(n)
    names = np.array(["cat", "dog", "eel"], dtype=object)[y]
    columns = {f"f{j}": X[:, j] for j in range(X.shape[1])}
    pq.write_table(pa.table({**columns, "kind": names}), path, row_group_size=100)
    return path


def test_a_parquet_file_trains_evaluates_and_predicts_with_text_classes(tmp_path):
    data = _text_parquet(tmp_path / "pets.parquet")
    run("train", data, "--target", "kind", *QUIET, "--run-dir", tmp_path / "r")
    config = json.loads((tmp_path / "r" / "run.json").read_text())
    assert config["source"]["name"] == "stream" and config["source"]["test_split"] == 0.2
    assert config["classes"] == ["cat", "dog", "eel"] and config["task"] == "classification"
    assert config["preprocess"]["kind"] == "standardize"
    assert config["data_fingerprint"]["kind"] == "parquet"
    # The recorded standardisation is the training rows' (the hash split's train part).
    X, _y = table_data(800)
    train = row_fraction(np.arange(800), 0) >= 0.2
    np.testing.assert_allclose(config["preprocess"]["mean"], X[train].mean(0), rtol=1e-5)
    assert "test" in run("evaluate", tmp_path / "r").output
    assert "pets.parquet" in run("evaluate", tmp_path / "r", "--data", data).output
    csv = tmp_path / "new.csv"
    write_csv(csv, X[:5], np.zeros(5, dtype=np.int64))
    lines = run("predict", tmp_path / "r", csv).output.strip().splitlines()
    assert lines[0] == "prediction,p_cat,p_dog,p_eel" and len(lines) == 6


def test_resume_refuses_a_changed_parquet_file_and_goes_on_with_the_same(tmp_path):
    X, y = table_data(500)
    data = write_parquet(tmp_path / "d.parquet", X, y.astype(np.float64))
    args = ("--target", "target", "--task", "regression", "--verbose", 0, "--hidden", "4")
    run("train", data, *args, "--epochs", 1, "--run-dir", tmp_path / "r")
    run("train", "--resume", tmp_path / "r", "--epochs", 2, "--verbose", 0)
    write_parquet(data, X[:-1], y[:-1].astype(np.float64))
    line = refused("train", "--resume", tmp_path / "r", "--epochs", 3, "--verbose", 0)
    assert "changed since the run began" in line


def test_npy_with_a_target_column_and_a_csv_with_stream(tmp_path):
    X, y = table_data(400)
    np.save(tmp_path / "d.npy", np.column_stack([X, y]).astype(np.float32))
    run(
        "train",
        tmp_path / "d.npy",
        "--target",
        "3",
        "--task",
        "classification",
        *QUIET,
        "--run-dir",
        tmp_path / "n",
    )
    config = json.loads((tmp_path / "n" / "run.json").read_text())
    assert config["source"]["target"] == 3 and config["network"]["sizes"][-1] == 3
    csv = write_csv(tmp_path / "d.csv", X, y)
    run("train", csv, "--target", "target", "--stream", *QUIET, "--run-dir", tmp_path / "c")
    config = json.loads((tmp_path / "c" / "run.json").read_text())
    assert config["source"]["name"] == "stream" and config["data_fingerprint"]["kind"] == "csv"


def test_a_large_csv_streams_by_itself(tmp_path, monkeypatch):
    X, y = table_data(100)
    csv = write_csv(tmp_path / "d.csv", X, y)
    monkeypatch.setattr("fcnn.data.stream.recorded.available_memory", lambda: 100)
    assert make_source(str(csv))["name"] == "stream"
    assert make_source(str(csv), stream=False)["name"] == "csv"
    monkeypatch.setattr("fcnn.data.stream.recorded.available_memory", lambda: 1 << 40)
    assert make_source(str(csv))["name"] == "csv"


def test_streamed_runs_refuse_what_needs_rows_in_memory(tmp_path):
    X, y = table_data(200)
    data = write_parquet(tmp_path / "d.parquet", X, y)
    line = refused("train", data, "--target", "target", "--validation-split", 0.1, *QUIET)
    assert "need rows in memory" in line
    assert "--stream applies to a file" in refused("train", "moons", "--stream", *QUIET)
    line = refused("train", data, "--target", "nope", *QUIET)
    assert "has no target column 'nope'" in line


def test_a_ragged_csv_row_mid_training_keeps_the_last_checkpoint(tmp_path):
    X, y = table_data(3000)
    csv = write_csv(tmp_path / "d.csv", X, y)
    good = csv.read_bytes()
    run("train", csv, "--target", "target", "--stream", *QUIET, "--run-dir", tmp_path / "r")
    checkpoint = (tmp_path / "r" / CHECKPOINT_NAME).read_bytes()
    lines = good.decode().splitlines(keepends=True)
    lines[2500] = lines[2500].rstrip("\n") + ",7\n"  # a ragged row deep inside the file
    csv.write_text("".join(lines))
    resume = ("train", "--resume", tmp_path / "r", "--epochs", 4, "--verbose", 0)
    line = refused(*resume, "--allow-changed-data")
    assert "line 2501 has 5 fields where the header has 4" in line
    assert (tmp_path / "r" / CHECKPOINT_NAME).read_bytes() == checkpoint
    # A fresh run on the bad file stops in the statistics pass, before a run.json.
    assert "line 2501" in refused("train", csv, "--stream", *QUIET, "--run-dir", tmp_path / "s")
    assert not (tmp_path / "s" / "run.json").exists()
    csv.write_bytes(good)  # the file mended: the run goes on from its checkpoint
    run(*resume, "--allow-changed-data")
    history = json.loads((tmp_path / "r" / "history.json").read_text())
    assert history["epoch"] == [1, 2, 3, 4]


@pytest.mark.parametrize("fraction", [0.2, 0.5])
def test_the_hash_split_is_disjoint_complete_and_the_same_in_any_order(tmp_path, fraction):
    X, y = table_data(1000)
    sources = [
        ParquetSource(write_parquet(tmp_path / "d.parquet", X, y, row_group_size=64), "target"),
        NpySource(_save(tmp_path, X), chunk_rows=100),
        CSVSource(write_csv(tmp_path / "d.csv", X, y), "target", block_size=4096),
    ]
    expected = row_fraction(np.arange(1000), 7) < fraction
    assert abs(expected.mean() - fraction) < 0.05
    for source in sources:
        test = SplitSource(source, "test", fraction, seed=7)
        train = SplitSource(source, "train", fraction, seed=7)
        rows = [
            np.concatenate([x for x, _ in s.batches(0, 50, shuffle=False)]) for s in (test, train)
        ]
        np.testing.assert_array_equal(rows[0], X[expected])
        np.testing.assert_array_equal(rows[1], X[~expected])
        shuffled = np.concatenate([x for x, _ in test.batches(3, 50, seed=1)])
        assert sorted(map(tuple, shuffled)) == sorted(map(tuple, X[expected]))


def _save(tmp_path, X):
    np.save(tmp_path / "X.npy", X)
    return tmp_path / "X.npy"


def test_a_recorded_stream_is_prepared_without_a_second_pass(tmp_path):
    data = _text_parquet(tmp_path / "p.parquet", n=300)
    source = make_source(str(data), target="kind")
    fresh = load_source(source)
    recorded = {
        "task": fresh.task,
        "classes": fresh.classes,
        "preprocess": fresh.preprocess,
        "network": {"sizes": [3, fresh.n_outputs]},
    }
    again = load_source(source, recorded)
    for a, b in ((fresh.X_train, again.X_train), (fresh.X_test, again.X_test)):
        for got, want in zip(all_rows(a, shuffle=False), all_rows(b, shuffle=False), strict=True):
            np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_streamed_scores_batch_by_batch_equal_evaluate_on_all_rows(tmp_path, task):
    import fcnn
    from fcnn.cli.streamed import EVALUATION_ROWS, scores

    n = 2 * EVALUATION_ROWS + 123
    X, y = table_data(n)
    y = y if task == "classification" else y.astype(np.float64)
    source = ParquetSource(write_parquet(tmp_path / "d.parquet", X, y, 1000), "target")
    model = fcnn.mlp([3, 5, 3 if task == "classification" else 1], "relu", seed=0)
    loss = "cross_entropy" if task == "classification" else "mse"
    want = fcnn.evaluate(model, source, loss=loss)
    got = scores(model, source, None, loss)
    assert got.keys() == want.keys()
    for name in want:
        assert got[name] == pytest.approx(want[name], rel=1e-5)
