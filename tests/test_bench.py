"""``fcnn bench``: a quick smoke run of the benchmark, and proof that it compares like
with like (same weights, same optimiser, same batches give the same losses in fcnn and
PyTorch). No timing is asserted: CI machines are too noisy for that. A data folder that
is missing or holds no MNIST is an error; the progress counts estimated seconds; the
table fits an 80-column terminal."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console
from typer.testing import CliRunner

from fcnn.bench import CASES, matmul_flops, run_benchmark
from fcnn.bench.progress import case_seconds
from fcnn.bench.report import _time, markdown_table, rich_table
from fcnn.bench.trainers import (
    FcnnTrainer,
    FloorTrainer,
    SklearnTrainer,
    TorchTrainer,
    build_model,
)
from fcnn.cli import app


def test_matmul_flops_counts_three_products_per_layer():
    # 784-800-10, batch 256: (784·800 + 800·10) · 256 · 2 flops, three times.
    assert matmul_flops((784, 800, 10), 256) == 3 * 2 * 256 * (784 * 800 + 800 * 10)


@pytest.mark.parametrize("name", ["tiny", "mnist-256-128-adam", "mnist-256-128-bn-dropout-adam"])
def test_fcnn_and_torch_trainers_follow_the_same_path(name):
    case = next(c for c in CASES if c.name == name)
    case = dataclasses.replace(case, dropout=0.0)  # dropout masks differ by design
    rng = np.random.default_rng(0)
    n = 64
    if case.output == "sigmoid":
        X = rng.standard_normal((n, 2)).astype(np.float32)
        y = (X[:, :1] > 0).astype(np.float32)
    else:
        X = rng.random((n, case.sizes[0]), dtype=np.float32)
        y = rng.integers(0, 10, n).astype(np.int64)
    batches = [(X[:32], y[:32]), (X[32:], y[32:])] * 3
    model = build_model(case)
    torch_trainer = TorchTrainer(case, model)  # copies the initial weights
    fcnn_trainer = FcnnTrainer(case, model)
    for batch in batches:
        ours = fcnn_trainer.run([batch])
        theirs = torch_trainer.run([batch])
        assert ours == pytest.approx(theirs, rel=1e-4, abs=1e-6)


def test_sklearn_trainer_starts_from_fcnns_weights():
    case = next(c for c in CASES if c.name == "mnist-800-sgd")
    model = build_model(case)
    rng = np.random.default_rng(1)
    X = rng.random((300, 784), dtype=np.float32)
    y = rng.integers(0, 10, 300)
    trainer = SklearnTrainer(case, model, X, y)
    np.testing.assert_array_equal(trainer.estimator.coefs_[0], model[0].weight.data.T)
    np.testing.assert_array_equal(trainer.estimator.intercepts_[1], model[2].bias.data)
    expected = np.exp(model.predict(X))
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(trainer.predict(X), expected, rtol=1e-4, atol=1e-6)


def test_floor_computes_the_products_of_every_layer():
    case = next(c for c in CASES if c.name == "mnist-256-128-sgd")
    floor = FloorTrainer(case, [128, 16])
    floor.run([128, 16])
    x, w, dy, y, dw, dx = floor.layers[16][1]  # the 256 → 128 layer on a batch of 16
    assert (y.shape, dw.shape, dx.shape) == ((16, 128), (128, 256), (16, 256))
    np.testing.assert_allclose(y, x @ w.T, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(dx, dy @ w, rtol=1e-5, atol=1e-4)


def test_quick_run_reports_every_framework_and_ratio():
    report = run_benchmark(
        cases=["tiny", "mnist-256-128-sgd", "inference"],
        rows=1024,
        steps=2,
        repeats=1,
        memory=False,
    )
    assert report["quick"] and report["threads"] >= 1
    assert [r["case"] for r in report["results"]] == ["tiny", "mnist-256-128-sgd", "inference"]
    for result in report["results"]:
        assert set(result["seconds"]) == {"fcnn", "torch", "sklearn", "floor"}
        assert all(t > 0 for t in result["seconds"].values())
    table = markdown_table(report)
    assert "2-4-1 tanh b400 sgd (per step)" in table and "×" in table
    json.dumps(report)  # JSON-able


def test_unknown_case_is_named():
    with pytest.raises(ValueError, match="unknown benchmark case"):
        run_benchmark(cases=["mnist-9000"], memory=False)


def test_cli_quick_run_writes_json_and_markdown(tmp_path):
    out = tmp_path / "bench.json"
    result = CliRunner().invoke(
        app, ["bench", "--quick", "--case", "tiny", "--rows", "1024", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["results"][0]["case"] == "tiny"
    memory = report["memory"]
    for name in ("fcnn", "torch"):  # peak RSS measured in fresh processes
        assert memory[name]["peak_mib"] >= memory[name]["setup_mib"] > 0
    assert "| case |" in out.with_suffix(".md").read_text()


def test_a_missing_data_folder_is_an_error_not_random_pixels(tmp_path):
    missing = tmp_path / "no-such-folder"
    result = CliRunner().invoke(
        app,
        ["bench", "--quick", "--case", "tiny", "--no-memory", "--data-dir", str(missing)],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 1, result.output
    assert result.output.count("\n") == 1  # one line, no traceback, nothing measured
    assert f"--data-dir {missing}: no such folder" in result.output
    assert "leave --data-dir out to time on random pixels" in result.output
    assert not (tmp_path / "bench.json").exists()


def test_a_data_folder_without_mnist_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"train-images-idx3-ubyte\.gz"):
        run_benchmark(cases=["inference"], data_dir=tmp_path, rows=512, repeats=1, memory=False)


def test_mnist_from_the_data_folder_is_timed(fake_mnist):
    report = run_benchmark(
        cases=["mnist-256-128-sgd"], data_dir=fake_mnist.root, rows=1024, steps=2, repeats=1,
        frameworks=(), memory=False,
    )  # fmt: skip
    assert report["data"] == "MNIST" and report["rows"] == 600  # the folder's 600 images


def test_progress_counts_estimated_seconds_up_to_the_total():
    told: list[tuple[float, float, str]] = []
    run_benchmark(
        cases=["tiny", "mnist-800-adam", "inference"],
        rows=1024,
        steps=2,
        repeats=2,
        frameworks=(),  # fcnn and the floor: 2 timings a round, 3 rounds (1 warm-up)
        memory=False,
        on_work=lambda done, total, doing: told.append((done, total, doing)),
    )
    done = [d for d, _, _ in told]
    assert done == sorted(done) and len(told) == 3 * 3 * 2  # every timing of every case
    assert {total for _, total, _ in told} == {told[0][1]}
    assert done[-1] == pytest.approx(told[0][1])
    assert [doing for _, _, doing in told][::6] == ["tiny", "mnist-800-adam", "inference"]


def test_estimates_follow_the_work():
    fw = ("torch", "sklearn")
    small, large = (
        next(c for c in CASES if c.name == n) for n in ("mnist-800-sgd", "mnist-1024x2-sgd")
    )
    # A 784-1024-1024-10 epoch does ~2.9x the products of a 784-800-10 one (results.md: 3.1x).
    ratio = case_seconds(large, 60000, None, 3, fw) / case_seconds(small, 60000, None, 3, fw)
    assert 2.5 < ratio < 3.5
    assert case_seconds(small, 60000, 2, 3, fw) < case_seconds(small, 60000, None, 3, fw) / 20
    bn = next(c for c in CASES if c.name == "mnist-256-128-bn-dropout-adam")
    assert case_seconds(bn, 1000, None, 1, fw) < case_seconds(bn, 1000, None, 1, ("torch",)) * 1.01


def _committed_report() -> dict:
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "results.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_table_fits_80_columns_and_folds_only_when_needed():
    report = _committed_report()
    narrow = Console(width=80, record=True, file=io.StringIO())
    narrow.print(rich_table(report, 80))
    text = narrow.export_text()
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in text  # no number cut short
    assert "vs torch" in text and "mnist-1024x2-adam /epoch" in text
    for result in report["results"]:  # every time of every framework is shown whole
        for seconds in result["seconds"].values():
            assert _time(seconds, result["unit"]) in text
    wide = Console(width=200, record=True, file=io.StringIO())
    wide.print(rich_table(report, 200))
    one = wide.export_text()
    assert "vs torch" not in one and "/torch" in one  # one table when it fits


def test_cli_output_stays_within_80_columns(tmp_path):
    out = tmp_path / "bench.json"
    result = CliRunner().invoke(
        app,
        ["bench", "--quick", "--case", "tiny", "--case", "mnist-256-128-bn-dropout-adam",
         "--rows", "1024", "--no-memory", "--out", str(out)],
        env={"COLUMNS": "80"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80, result.output
    assert "measured: 2-4-1 tanh b400 sgd" in result.output and "vs torch" in result.output
