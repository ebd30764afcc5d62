"""The command line, driven through typer's test runner as a user would drive it."""

from __future__ import annotations

import json

import numpy as np
import pytest
import typer.main
from typer.testing import CliRunner

import fcnn
from fcnn.cli import app

runner = CliRunner()


def run(*args, ok=True):
    result = runner.invoke(app, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def table_value(output: str, row: str, column: int) -> float:
    """A number from a rich table row (``│ test │ 0.59 │ 0.77 │``)."""
    for line in output.splitlines():
        cells = [c.strip() for c in line.split("│")]
        if len(cells) > 2 and cells[1] == row:
            return float(cells[column + 1])
    raise AssertionError(f"no row {row!r} in:\n{output}")


def test_train_evaluate_predict_on_a_generated_set(tmp_path):
    run_dir = tmp_path / "moons"
    result = run(
        "train",
        "moons",
        "--n",
        300,
        "--noise",
        0.2,
        "--epochs",
        30,
        "--lr",
        0.01,
        "--verbose",
        2,
        "--run-dir",
        run_dir,
    )
    assert "epoch 30/30" in result.output
    for name in ("model.safetensors", "history.json", "checkpoint.safetensors", "run.json"):
        assert (run_dir / name).exists(), name
    config = json.loads((run_dir / "run.json").read_text())
    assert config["network"]["sizes"] == [2, 16, 16, 2]
    assert config["source"]["seed"] == 0  # a concrete seed: the same points can be drawn again
    trained_test_loss = table_value(result.output, "test", 1)

    evaluated = run("evaluate", run_dir)
    assert table_value(evaluated.output, "test", 1) == pytest.approx(trained_test_loss, abs=1e-4)
    assert table_value(evaluated.output, "test", 2) > 0.8  # loss first, then accuracy

    new = tmp_path / "new.csv"
    new.write_text("x1,x2\n0.0,1.0\n1.0,-0.5\n")
    predicted = run("predict", run_dir, new)
    lines = predicted.output.strip().splitlines()
    assert lines[0] == "prediction,p_0,p_1" and len(lines) == 3
    label, p0, p1 = lines[1].split(",")
    assert label in ("0", "1") and float(p0) + float(p1) == pytest.approx(1, abs=1e-5)
    out = tmp_path / "pred.csv"
    run("predict", run_dir, new, "--output", out)
    assert out.read_text() == predicted.output


def write_iris_like(path, rng):
    """Three classes named by text, features on very different scales."""
    rows = ["sepal,petal,scale,species"]
    names = ["setosa", "versicolor", "virginica"]
    for i in range(150):
        k = i % 3
        rows.append(
            f"{k + rng.normal(0, 0.2):.4f},{2 * k + rng.normal(0, 0.3):.4f},"
            f"{1000 * rng.normal():.2f},{names[k]}"
        )
    path.write_text("\n".join(rows) + "\n")


def test_csv_with_class_names_round_trips_through_train_evaluate_predict(tmp_path):
    data = tmp_path / "flowers.csv"
    write_iris_like(data, np.random.default_rng(0))
    run_dir = tmp_path / "run"
    run(
        "train",
        data,
        "--target",
        "species",
        "--epochs",
        40,
        "--lr",
        0.01,
        "--verbose",
        0,
        "--run-dir",
        run_dir,
    )
    config = json.loads((run_dir / "run.json").read_text())
    assert config["classes"] == ["setosa", "versicolor", "virginica"]
    assert config["preprocess"]["kind"] == "standardize"

    evaluated = run("evaluate", run_dir, "--data", data, "--target", "species")
    assert table_value(evaluated.output, "flowers.csv", 2) > 0.9

    # Prediction input may hold the target and columns in another order.
    new = tmp_path / "new.csv"
    new.write_text("species,petal,sepal,scale\n?,0.0,0.0,5\n?,4.0,2.0,-300\n")
    lines = run("predict", run_dir, new).output.strip().splitlines()
    assert lines[0] == "prediction,p_setosa,p_versicolor,p_virginica"
    assert lines[1].startswith("setosa,") and lines[2].startswith("virginica,")


def test_resume_continues_to_the_same_weights(tmp_path):
    common = (
        "planar",
        "--hidden",
        "8",
        "--epochs",
        "6",
        "--batch-size",
        "50",
        "--dropout",
        "0.1",
        "--verbose",
        "0",
        "--seed",
        "3",
    )
    run("train", *common, "--run-dir", tmp_path / "straight")
    interrupted = [*common]
    interrupted[interrupted.index("--epochs") + 1] = "3"
    run("train", *interrupted, "--run-dir", tmp_path / "resumed")
    run("train", "--resume", tmp_path / "resumed", "--epochs", 6, "--verbose", 0)
    a = fcnn.load(tmp_path / "straight" / "model.safetensors").state_dict()
    b = fcnn.load(tmp_path / "resumed" / "model.safetensors").state_dict()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    history = json.loads((tmp_path / "resumed" / "history.json").read_text())
    assert history["epoch"] == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    "args, message",
    [
        (["train", "iris"], "error: unknown data set 'iris': give a .csv file or one of"),
        (
            ["train", "moons", "--hidden", "16,x"],
            "error: --hidden='16,x': expected comma-separated",
        ),
        (
            ["train", "moons", "--optimizer", "sgd", "--beta1", "0.8"],
            "error: --beta1 0.8: the sgd optimiser does not take it; --beta1 goes with adam",
        ),
        (["train", "moons", "--optimizer", "lbfgs"], "error: --optimizer 'lbfgs': must be one of"),
        (["train", "moons", "--activation", "swish"], "error: unknown activation 'swish'"),
        (["train", "moons", "--loss", "hinge"], "hinge"),
        (["train", "missing.csv"], "error: no such file"),
        (["train", "mnist", "--n", "10"], "error: --n applies to generated data sets"),
        (["train"], "error: give a data set or a CSV file"),
        (["evaluate", "nowhere"], "error: no such file"),
        (["train", "--resume", "nowhere"], "error: no such file"),
        (["reproduce", "imagenet"], "error: unknown reproduction 'imagenet'"),
    ],
)
def test_errors_are_one_readable_line(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(*args, ok=False)
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) <= 2  # one line (rich may wrap it once)


def test_a_used_run_directory_is_refused(tmp_path):
    run("train", "xor", "--epochs", 1, "--verbose", 0, "--run-dir", tmp_path)
    result = run("train", "xor", "--epochs", 1, "--verbose", 0, "--run-dir", tmp_path, ok=False)
    assert result.exit_code == 1 and "already holds a run; use --resume" in result.output


@pytest.mark.parametrize("loss", ["bce_with_logits", "BCEWithLogitsLoss", "cross_entropy"])
def test_binary_losses_get_one_output_unit(loss, tmp_path):
    # Asked of the loss (its target_kind), so a class name works as its registry name does.
    run("train", "xor", "--loss", loss, "--epochs", 1, "--verbose", 0, "--run-dir", tmp_path)
    config = json.loads((tmp_path / "run.json").read_text())
    assert config["network"]["sizes"][-1] == (2 if loss == "cross_entropy" else 1)


def test_optimizer_options_are_checked_against_its_signature(tmp_path):
    result = run(
        "train", "xor", "--optimizer", "adam", "--alpha", 0.5, "--run-dir", tmp_path, ok=False
    )
    assert result.exit_code == 1
    assert "error: --alpha 0.5: the adam optimiser does not take it" in result.output
    assert not (tmp_path / "run.json").exists()  # refused before anything is written


def test_every_option_has_help_text():
    command = typer.main.get_command(app)
    for name, sub in command.commands.items():
        assert sub.help, f"{name} has no help"
        for param in sub.params:
            if param.name in ("help",):
                continue
            assert getattr(param, "help", None), f"fcnn {name}: {param.name} has no help text"


def test_regression_csv_predicts_values(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, (200, 2))
    y = 3 * X[:, 0] - 2 * X[:, 1] + 0.5
    data = tmp_path / "plane.csv"
    data.write_text(
        "a,b,y\n" + "\n".join(f"{a:.5f},{b:.5f},{t:.5f}" for (a, b), t in zip(X, y, strict=True))
    )
    run("train", data, "--epochs", 60, "--lr", 0.01, "--verbose", 0, "--run-dir", tmp_path / "r")
    new = tmp_path / "new.csv"
    new.write_text("a,b\n0.5,0.5\n")
    lines = run("predict", tmp_path / "r", new).output.strip().splitlines()
    assert lines[0] == "prediction"
    assert float(lines[1]) == pytest.approx(1.0, abs=0.3)
