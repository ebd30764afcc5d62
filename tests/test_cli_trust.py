"""The command line keeps its promise (issue #14): no silent wrong result, no run
directory a refusal leaves behind to block the next run, every refusal one line naming
the flag the user typed, and help a newcomer can read in an 80-column terminal."""

from __future__ import annotations

import json
import re
import sys
import threading
import time

import pytest
import typer.main
from typer.testing import CliRunner

from fcnn.cli import app
from fcnn.train.checkpoint import CHECKPOINT_NAME, load_checkpoint

runner = CliRunner()


def run(*args, ok=True, **kwargs):
    result = runner.invoke(app, [str(a) for a in args], **kwargs)
    if ok:
        assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def refused(*args) -> str:
    """The one line a refused command prints (and no traceback)."""
    result = run(*args, ok=False)
    assert result.exit_code == 1, result.output + repr(result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


QUICK = ("--n", 60, "--verbose", 0)

# --------------------------------------------------------------------------- train options


def test_zero_epochs_is_refused_not_turned_into_twenty(tmp_path):
    message = refused("train", "moons", *QUICK, "--epochs", 0, "--run-dir", tmp_path / "r")
    assert message == "error: --epochs 0: must be a positive integer"
    assert not (tmp_path / "r").exists()


def test_a_refused_option_leaves_no_run_directory_to_block_the_next_run(tmp_path):
    run_dir = tmp_path / "r"
    message = refused("train", "moons", *QUICK, "--batch-size", 0, "--run-dir", run_dir)
    assert message == "error: --batch-size 0: must be a positive integer"
    assert not run_dir.exists()
    run("train", "moons", *QUICK, "--epochs", 1, "--run-dir", run_dir)
    run("evaluate", run_dir)


def test_a_run_that_fit_refuses_leaves_no_run_json(tmp_path):
    # Three classes for a loss of 0/1 targets: fit refuses the labels, after the options.
    run_dir = tmp_path / "r"
    refused("train", "blobs", *QUICK, "--loss", "bce_with_logits", "--run-dir", run_dir)
    assert not (run_dir / "run.json").exists()
    run("train", "blobs", *QUICK, "--epochs", 1, "--run-dir", run_dir)


@pytest.mark.parametrize(
    "options, message",
    [
        (["--dropout", "1.0"], "--dropout 1.0: must be in [0, 1)"),
        (["--validation-split", "1"], "--validation-split 1.0: must be in [0, 1)"),
        (["--test-split", "-0.1"], "--test-split -0.1: must be in [0, 1)"),
        (["--lr", "1e999"], "--lr inf: must be finite"),
        (["--lr", "-1"], "--lr -1.0: must be >= 0"),
        (["--beta2", "1"], "--beta2 1.0: must be in [0, 1)"),
        (["--seed", "-1"], "--seed -1: must be a non-negative integer"),
        (["--early-stopping", "0"], "--early-stopping 0: must be a positive integer"),
        (["--dtype", "float16"], "--dtype 'float16': must be one of 'float32', 'float64'"),
        (["--verbose", "3"], "--verbose 3: must be 0, 1 or 2"),
        (
            ["--optimizer", "sgd", "--beta1", "0.8"],
            "--beta1 0.8: the sgd optimiser does not take it; --beta1 goes with adam, adamw",
        ),
        (
            ["--nesterov"],
            "--nesterov: the adam optimiser does not take it; --nesterov goes with sgd",
        ),
        (["--milestones", "5,10"], "--milestones goes with --schedule multistep"),
        (
            ["--schedule", "cosine", "--gamma", "0.5"],
            "--gamma goes with --schedule step or multistep or exponential or plateau, not cosine",
        ),
        (["--target", "y"], "--target names a column of a CSV file; 'moons' is not one"),
        (["--download"], "--download goes with mnist or fashion-mnist, not 'moons'"),
    ],
)
def test_each_refusal_names_the_flag(options, message, tmp_path):
    line = refused("train", "moons", *QUICK, *options, "--run-dir", tmp_path / "r")
    assert line == f"error: {message}"
    assert not (tmp_path / "r").exists()


def test_two_runs_started_in_the_same_second_get_two_directories(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(time, "strftime", lambda *args: "20250101-120000")
    run("train", "xor", *QUICK, "--epochs", 1)
    run("train", "xor", *QUICK, "--epochs", 2)
    runs = sorted(p.name for p in (tmp_path / "runs").iterdir())
    assert runs == ["xor-20250101-120000", "xor-20250101-120000-2"]
    epochs = [json.loads((tmp_path / "runs" / r / "run.json").read_text()) for r in runs]
    assert [e["fit"]["epochs"] for e in epochs] == [1, 2]


def test_runs_claiming_a_name_at_the_same_moment_each_get_their_own(tmp_path, monkeypatch):
    from fcnn.cli.runs import new_run_dir

    monkeypatch.setattr(time, "strftime", lambda *args: "20250101-120000")
    claimed, start = [], threading.Barrier(8)

    def claim():
        start.wait()
        claimed.append(new_run_dir("moons", tmp_path))

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(claimed)) == 8 and all(path.is_dir() for path in claimed)


# --------------------------------------------------------------------------- divergence


def test_a_diverged_run_exits_non_zero_and_resumes_with_a_smaller_rate(tmp_path):
    run_dir = tmp_path / "r"
    line = refused("train", "moons", *QUICK, "--lr", "1e6", "--epochs", 3, "--run-dir", run_dir)
    assert line.startswith("error: training diverged: loss ")
    assert f"fcnn train --resume {run_dir} --lr 100000" in line
    run("train", "--resume", run_dir, "--lr", "0.01", "--verbose", 0)
    history = json.loads((run_dir / "history.json").read_text())
    assert history["epoch"] == [1, 2, 3] and not history["diverged"]
    config = json.loads((run_dir / "run.json").read_text())
    assert config["optimizer"]["kwargs"]["lr"] == 0.01
    assert config["lr_changes"] == [{"after_epoch": 0, "lr": 0.01}]


def test_resume_with_lr_goes_on_from_the_checkpoint_at_the_new_rate(tmp_path):
    run_dir = tmp_path / "r"
    run("train", "moons", *QUICK, "--epochs", 2, "--lr", "0.01", "--run-dir", run_dir)
    run("train", "--resume", run_dir, "--epochs", 4, "--lr", "0.001", "--verbose", 0)
    checkpoint = load_checkpoint(run_dir / CHECKPOINT_NAME)
    assert checkpoint["epoch"] == 4
    assert checkpoint["optimizer"]["param_groups"][0]["lr"] == 0.001
    config = json.loads((run_dir / "run.json").read_text())
    assert config["lr_changes"] == [{"after_epoch": 2, "lr": 0.001}]
    # Every command that reads the run back still takes the run.json it wrote.
    assert "accuracy" in run("evaluate", run_dir).output
    run("train", "--resume", run_dir, "--epochs", 5, "--verbose", 0)


def test_a_csv_run_with_a_chosen_task_reads_back(tmp_path):
    table = tmp_path / "t.csv"
    rows = [f"{i % 7},{(i * 3) % 5},{i % 3}" for i in range(60)]
    table.write_text("a,b,label\n" + "\n".join(rows) + "\n")
    run_dir = tmp_path / "r"
    run("train", table, "--task", "regression", "--epochs", 1, "--verbose", 0, "--run-dir", run_dir)
    assert json.loads((run_dir / "run.json").read_text())["task"] == "regression"
    assert "loss" in run("evaluate", run_dir).output


def test_resume_refuses_options_it_would_ignore(tmp_path):
    run_dir = tmp_path / "r"
    run("train", "moons", *QUICK, "--epochs", 1, "--run-dir", run_dir)
    line = refused("train", "--resume", run_dir, "--hidden", "8")
    assert line.startswith("error: --hidden: a resumed run keeps the settings in its run.json")


# --------------------------------------------------------------------------- other messages


def test_digits_without_scikit_learn_is_one_line_saying_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # as if it were not installed
    line = refused("train", "digits", "--run-dir", tmp_path / "r")
    assert "pip install" in line and "fcnn[sklearn]" in line
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("option", ["-p", "-f"])
def test_a_sweep_value_beyond_a_float_says_which_and_why(option, tmp_path):
    line = refused("sweep", "--data", "moons", option, "lr=1e999", "-o", tmp_path / "s")
    assert line.startswith(f"error: --{'param' if option == '-p' else 'fixed'} lr=1e999: 1e999")
    assert "not a finite number" in line and "infinity" in line


def test_a_spec_file_value_beyond_a_float_is_refused(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text("data: moons\nparams:\n  lr: [.inf]\n")
    assert refused("sweep", spec, "-o", tmp_path / "s").startswith(
        "error: lr=inf: expected a finite number"
    )


# --------------------------------------------------------------------------- help


def commands():
    """Every command's path and click object: ``["plot", "boundary"]``, ..."""
    found = []

    def walk(path, command):
        found.append((path, command))
        for name, sub in getattr(command, "commands", {}).items():
            walk([*path, name], sub)

    walk([], typer.main.get_command(app))
    return found


COMMANDS = commands()


def help_text(path, columns):
    return run(*path, "--help", env={"COLUMNS": str(columns), "TERMINAL_WIDTH": None}).output


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p) or "fcnn")
def test_help_reads_whole_in_an_80_column_terminal(path):
    text = help_text(path, 80)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "…" not in text  # nothing cut short
    assert "<bool>" not in text  # a flag takes no value
    assert "%%" not in text
    usage = next(line for line in text.splitlines() if "Usage:" in line)
    for argument in re.findall(r"[\[{]([^\]}]+)[\]}]", usage):
        assert argument in ("OPTIONS", "ARGS") or re.fullmatch(r"[A-Z]+", argument), usage


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p) or "fcnn")
def test_help_shows_every_option_text_as_written(path):
    # Help is read as Rich markup: "fcnn[dask]" would lose its "[dask]" unless escaped.
    command = dict((tuple(p), c) for p, c in COMMANDS)[tuple(path)]
    shown = " ".join(help_text(path, 1000).split())
    for param in command.params:
        if getattr(param, "help", None):
            written = " ".join(param.help.replace("\\[", "[").split())
            assert written in shown, f"{param.name}: {written!r}"


def test_train_help_lists_every_data_set():
    from fcnn.data import SOURCE_NAMES

    shown = " ".join(help_text(["train"], 80).replace("│", " ").split())
    for name in SOURCE_NAMES:
        if name != "csv":
            assert name in shown, name
    assert "..." not in shown
