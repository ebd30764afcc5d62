"""``fcnn bench``: a quick smoke run of the benchmark, and proof that it compares like
with like (same weights, same optimiser, same batches give the same losses in fcnn and
PyTorch). No timing is asserted: CI machines are too noisy for that."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from fcnn.bench import CASES, matmul_flops, run_benchmark
from fcnn.bench.report import markdown_table
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
