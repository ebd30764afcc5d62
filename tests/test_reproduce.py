"""The reproductions: the course's three experiments run in full and must hit the published
figures; MNIST and the activation study run in quick mode; the Markdown and its file.

The MNIST reproduction runs here on small MNIST-format files made for the test (the
``fake_mnist`` fixture), so the suite needs no data folder; its quick run on the real
MNIST is checked by ``benchmarks/check_shared_data.py``, its full run by
``benchmarks/reproduce.py`` (results committed in docs/results/).
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from fcnn.reproduce import REPRODUCTIONS, Result, write
from fcnn.reproduce.result import draw_figure

NAMES = ["planar", "init", "optimizers", "activations", "mnist", "fashion-mnist"]


def _assert_within_two_points(result: Result) -> None:
    assert not result.quick
    for row in result.rows:
        assert abs(row["value"] - row["reference"]) <= 2.0, row
        assert row["met"], row
    assert result.all_met
    assert "Every target met." in result.to_markdown()


def test_registry_names_and_signature():
    assert list(REPRODUCTIONS) == NAMES
    for run in REPRODUCTIONS.values():
        params = inspect.signature(run).parameters
        common = {"data_dir", "quick", "verbose", "progress"}
        extra = {"jobs", "sweep_dir"} if run is REPRODUCTIONS["planar"] else set()
        assert set(params) == common | extra
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params.values())


_TOLD: list[str] = []


@pytest.fixture(scope="module")
def full_runs() -> dict[str, Result]:
    """The course's three experiments, each run once in full for every test that needs it."""
    return {
        "planar": REPRODUCTIONS["planar"](progress=_TOLD.append),
        "init": REPRODUCTIONS["init"](),
        "optimizers": REPRODUCTIONS["optimizers"](),
    }


def _assert_figure_written(result: Result, folder: Path) -> None:
    """``write`` puts a non-empty PNG beside the Markdown, which links to it."""
    from matplotlib.figure import Figure

    assert isinstance(result.figure, Figure)
    page = write(result, folder)
    picture = page.with_suffix(".png")
    assert picture.is_file() and picture.stat().st_size > 1000
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = page.read_text(encoding="utf-8")
    assert text == result.to_markdown()
    assert f"![{result.name}]({result.name}.png)" in text.splitlines()
    assert sorted(p.name for p in folder.iterdir()) == [f"{result.name}.md", picture.name]


def test_planar_matches_the_course(full_runs):
    result = full_runs["planar"]
    _assert_within_two_points(result)
    assert len(result.rows) == 9  # logistic regression, 2-4-1, seven sweep widths
    assert _TOLD and all(text.startswith("planar:") for text in _TOLD)
    # The 2-4-1 network: the course prints 90 % (truncated with %d); fcnn gets 90.75 %.
    assert result.rows[1]["value"] == pytest.approx(90.75)


def test_init_matches_the_course(full_runs):
    result = full_runs["init"]
    _assert_within_two_points(result)
    assert [row["reference"] for row in result.rows] == [50, 50, 83, 86, 99.3, 96]


def test_optimizers_match_the_course(full_runs):
    result = full_runs["optimizers"]
    _assert_within_two_points(result)
    assert [row["reference"] for row in result.rows] == [79.7, 79.7, 94.0]


@pytest.mark.parametrize(("name", "panels"), [("planar", 7), ("init", 3), ("optimizers", 3)])
def test_course_figures_are_written_beside_the_tables(full_runs, tmp_path, name, panels):
    result = full_runs[name]
    # One decision-boundary panel per trained model, titled with its accuracy.
    titles = [ax.get_title() for ax in result.figure.axes if ax.get_title()]
    assert len(titles) == panels, titles
    assert all("%" in title for title in titles)
    _assert_figure_written(result, tmp_path / name)


def test_mnist_quick_on_mnist_format_files(tmp_path, fake_mnist):
    result = REPRODUCTIONS["mnist"](data_dir=str(fake_mnist.root), quick=True)
    assert result.name == "mnist" and result.quick
    error, accuracy = (row["value"] for row in result.rows)
    assert error < 10  # 600 easy images, 2 epochs: a working network, not the published one
    assert accuracy > 85
    page = result.to_markdown()
    assert "**Quick run**" in page and "1.6 %" in page and "98.40 %" in page
    assert "--quick" in result.command
    assert write(result, tmp_path).read_text(encoding="utf-8") == page
    assert "Confusion matrix" in result.figure.axes[0].get_title()  # the 784-800-10 network
    assert "![mnist](mnist.png)" in page
    _assert_figure_written(result, tmp_path / "again")


def test_missing_mnist_files_are_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("FCNN_CACHE", str(tmp_path / "cache"))  # not the user's own cache
    with pytest.raises(FileNotFoundError, match=r"train-images-idx3-ubyte\.gz"):
        REPRODUCTIONS["fashion-mnist"](data_dir=str(tmp_path), quick=True)


def test_activations_quick(tmp_path):
    result = REPRODUCTIONS["activations"](quick=True)
    assert result.quick and len(result.rows) == 4
    assert all(row["setting"].startswith("ReLU vs ") for row in result.rows)
    for label in ("sigmoid", "tanh", "ReLU", "Leaky ReLU", "ELU", "PReLU", "Maxout"):
        assert f"| {label}" in result.details
    page = result.to_markdown()
    assert "Krizhevsky" in page and "### Per activation" in page
    curves = result.figure.axes[0].get_lines()
    assert len([line for line in curves if len(line.get_xdata()) == 10]) == 7  # one per activation
    _assert_figure_written(result, tmp_path)


def _result(met: bool) -> Result:
    return Result(
        name="demo",
        title="A demo | with a bar",
        rows=[
            {"setting": "a", "ours": "91 %", "published": "90 %", "target": "±2 pp", "met": True},
            {"setting": "b", "ours": "50 %", "published": "90 %", "target": "±2 pp", "met": met},
            {"setting": "c", "ours": "1.0", "published": "—", "target": "—", "met": True},
        ],
        seconds=125.0,
        command="fcnn reproduce demo",
        notes=["one note"],
        details="extra table",
    )


def test_markdown_says_what_was_missed():
    page = _result(met=False).to_markdown()
    lines = page.splitlines()
    assert lines[0] == "# A demo | with a bar"
    assert "| setting | ours | published | target | met |" in lines
    assert "| a | 91 % | 90 % | ±2 pp | yes |" in lines
    assert "| b | 50 % | 90 % | ±2 pp | **no** |" in lines
    assert "| c | 1.0 | — | — | — |" in lines  # no target: neither met nor missed
    assert "**Not met (1 of 3):** b (50 %, target ±2 pp)." in lines
    assert "Every target met." not in page
    assert any(
        line.startswith("Made with `fcnn reproduce demo` on ") and "2 min 05 s" in line
        for line in lines
    )
    assert "extra table" in page and "- one note" in page
    assert not _result(met=False).all_met and _result(met=True).all_met
    assert "Every target met." in _result(met=True).to_markdown()
    untargeted = _result(met=True)
    untargeted.rows = untargeted.rows[2:]
    assert "No published figure for these settings" in untargeted.to_markdown()


def test_write_is_atomic_and_creates_the_folder(tmp_path):
    out = tmp_path / "docs" / "results"
    result = _result(met=True)
    path = write(result, out)
    assert path == out / "demo.md"
    assert path.read_text(encoding="utf-8") == result.to_markdown()
    path.write_text("old", encoding="utf-8")
    assert write(result, out).read_text(encoding="utf-8") == result.to_markdown()
    assert sorted(p.name for p in out.iterdir()) == ["demo.md"]  # no temporary files left
    with pytest.raises(TypeError, match="expects a Result"):
        write("not a result", out)


def test_a_figure_is_linked_and_saved_beside_the_markdown(tmp_path):
    from matplotlib.figure import Figure

    result = _result(met=True)
    assert "![demo]" not in result.to_markdown()  # no figure: no link
    figure = Figure(figsize=(2, 2))
    figure.subplots().plot([0, 1], [1, 0])
    result.figure = figure
    assert "Figure" not in repr(result)  # the figure stays out of the repr
    _assert_figure_written(result, tmp_path / "out")


def test_no_matplotlib_no_figure_and_a_note():
    def missing():
        raise ImportError("No module named 'matplotlib'")

    notes: list[str] = []
    assert draw_figure(missing, notes) is None
    assert len(notes) == 1 and notes[0].startswith("No figure") and "matplotlib" in notes[0]
    assert draw_figure(lambda: "a figure", notes) == "a figure" and len(notes) == 1


def test_planar_sweep_through_fcnn_sweep_gives_the_same_numbers(tmp_path):
    here = REPRODUCTIONS["planar"](quick=True)
    swept = REPRODUCTIONS["planar"](quick=True, jobs=2, sweep_dir=str(tmp_path / "sweep"))
    assert [r["ours"] for r in swept.rows] == [r["ours"] for r in here.rows]
    assert (tmp_path / "sweep" / "trials.jsonl").exists()
    # The figure's models are read back from the sweep's model files: the same panels.
    titles = [ax.get_title() for ax in swept.figure.axes if ax.get_title()]
    assert titles == [ax.get_title() for ax in here.figure.axes if ax.get_title()]
    assert len(titles) == 7
    # Re-running over the same sweep directory resumes it: every width is already done.
    again = REPRODUCTIONS["planar"](quick=True, jobs=1, sweep_dir=str(tmp_path / "sweep"))
    assert [r["ours"] for r in again.rows] == [r["ours"] for r in here.rows]


# --- Srivastava et al. 2014 (dropout), Table 2: the protocol, its schedules, its resume ---


def test_dropout_rows_build_the_papers_network():
    import numpy as np

    from fcnn.activations import ReLU
    from fcnn.layers import Dropout, Linear
    from fcnn.reproduce.dropout import ROWS, build_network

    plain, constrained = ROWS
    assert (plain.published, constrained.published) == (1.25, 1.06)
    assert (plain.max_norm, constrained.max_norm) == (None, 2.0)
    for protocol in ROWS:
        model = build_network(protocol, seed=0)
        kinds = [type(layer) for layer in model]
        assert kinds[:3] == [Dropout, Linear, ReLU]
        dropouts = [layer for layer in model if isinstance(layer, Dropout)]
        linears = [layer for layer in model if isinstance(layer, Linear)]
        assert [d.p for d in dropouts] == [0.2, 0.5, 0.5, 0.5]  # keeps 0.8 and 0.5
        assert [lin.weight.shape for lin in linears] == [
            (1024, 784),
            (1024, 1024),
            (1024, 1024),
            (10, 1024),
        ]
        assert sum(isinstance(layer, ReLU) for layer in model) == 3
        radii = [lin.max_norm for lin in linears]
        # Inverted dropout: the paper's c = 2 on W_paper is p·c on W_fcnn = p·W_paper.
        assert radii == ([None] * 4 if protocol.max_norm is None else [1.6, 1.0, 1.0, 1.0])
        for lin, keep in zip(linears, (0.8, 0.5, 0.5, 0.5), strict=True):
            assert np.all(lin.bias.data == 0)
            expected = keep / np.sqrt(lin.weight.shape[1])  # p · N(0, 1/fan_in)
            assert abs(lin.weight.data.std() - expected) < 0.05 * expected
    first, second = build_network(plain, seed=3), build_network(plain, seed=3)
    assert all(
        np.array_equal(a, b)
        for a, b in zip(first.state_dict().values(), second.state_dict().values(), strict=True)
    )


def test_dropout_schedules_follow_the_papers_formulas():
    from types import SimpleNamespace

    import pytest

    from fcnn.reproduce.dropout import ROWS, PaperSchedule, build_network, build_optimizer

    protocol = ROWS[1]
    assert protocol.epochs(60_000) == 1667  # 1 667 × 600 ≥ 1 million updates
    model = build_network(protocol)
    optimizer = build_optimizer(model, protocol)
    scales = [group["lr_scale"] for group in optimizer.param_groups]
    assert scales == pytest.approx([1.0] * 4 + [0.64, 0.25, 0.25, 0.25])  # biases, then p²
    schedule = PaperSchedule(protocol)
    # p_t = (t/500)·0.95 + (1 − t/500)·0.5, then 0.95; ε_t = 10 · 0.998^t.
    for epoch, momentum in [(0, 0.5), (100, 0.59), (250, 0.725), (500, 0.95), (1666, 0.95)]:
        schedule.on_epoch_begin(SimpleNamespace(epoch=epoch, optimizer=optimizer))
        for group in optimizer.param_groups:
            assert group["momentum"] == pytest.approx(momentum)
            assert group["dampening"] == group["momentum"]
            assert group["lr"] == pytest.approx(0.998**epoch * group["lr_scale"])  # ε₀ = 1
    assert ROWS[0].lr(0) == 1.0 and ROWS[0].momentum(250) == pytest.approx(0.725)


def test_dropout_resumes_across_sittings_and_marks_unfinished_rows(tmp_path, fake_mnist):
    import numpy as np

    from fcnn import load
    from fcnn.reproduce import LONG_REPRODUCTIONS

    run = LONG_REPRODUCTIONS["dropout"]
    common = {"data_dir": str(fake_mnist.root), "rows": ("dropout",)}
    for _ in range(2):  # two sittings of one epoch ...
        split = run(runs_dir=tmp_path / "split", max_epochs=1, **common)
    whole = run(runs_dir=tmp_path / "whole", max_epochs=2, **common)  # ... and one of two
    a = load(tmp_path / "split" / "dropout" / "model.safetensors").state_dict()
    b = load(tmp_path / "whole" / "dropout" / "model.safetensors").state_dict()
    assert all(np.array_equal(a[key], b[key]) for key in b)
    assert [r["ours"] for r in split.rows] == [r["ours"] for r in whole.rows]
    row, untouched = split.rows
    assert (row["epochs_done"], row["finished"], row["met"]) == (2, False, False)
    assert row["epochs_planned"] == 166_667  # 600 images: 6 updates an epoch
    assert untouched["ours"] == "not started"
    page = split.to_markdown()
    assert "**unfinished**: " in page and "after 2 of 166667 epochs" in page
    assert "1.25 %" in page and "1.06 %" in page and "Not met (2 of 2)" in page
    assert "| dropout | 2 / 166667 (**unfinished**) |" in page
    assert split.figure is not None
    again = run(runs_dir=tmp_path / "split", train=False, **common)  # report only
    assert again.to_markdown().split("Made with")[0] == page.split("Made with")[0]
    write(again, tmp_path / "out")
    assert (tmp_path / "out" / "dropout.png").stat().st_size > 1000


def test_dropout_refuses_a_run_directory_of_another_protocol(tmp_path, fake_mnist, monkeypatch):
    """A sitting under a changed protocol stops before training, naming what changed; the
    run directory is left as it was."""
    import dataclasses

    from fcnn.reproduce import LONG_REPRODUCTIONS, dropout

    run = LONG_REPRODUCTIONS["dropout"]
    common = {"data_dir": str(fake_mnist.root), "rows": ("dropout",), "runs_dir": tmp_path}
    run(max_epochs=1, **common)
    folder = tmp_path / "dropout"
    recorded = (folder / "protocol.json").read_text()
    assert '"lr0": 1.0' in recorded
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    changed = tuple(
        dataclasses.replace(r, lr0=10.0) if r.key == "dropout" else r for r in dropout.ROWS
    )
    monkeypatch.setattr(dropout, "ROWS", changed)
    with pytest.raises(ValueError, match=r"another protocol \(lr0: 1.0 there, 10.0 now\)"):
        run(max_epochs=1, **common)
    with pytest.raises(ValueError, match="another protocol"):
        run(train=False, **common)  # nor is it reported as this protocol's row
    after = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    assert {k: v for k, v in after.items() if k != "run.lock"} == {
        k: v for k, v in before.items() if k != "run.lock"
    }
