"""Figures: the numbers behind each one, that each renders, and the ``fcnn plot`` command.

Every figure is checked twice: its data (computed by the library, e.g. the boundary grid
against ``model.predict``, the derivative panel against a finite difference of the
function panel) and what the figure actually draws (read back from its artists), then
rendered to a PNG with no glyph missing from the font.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from typer.testing import CliRunner

import fcnn
import fcnn.cli.plot  # registers ``fcnn plot`` (also once cli/__init__ imports it)
from fcnn import plot
from fcnn.cli import app
from fcnn.metrics import labels_from_output

ROOT = Path(__file__).resolve().parents[1]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def render(fig, tmp_path, name="figure.png", dpi=None) -> bytes:
    """Save ``fig`` and return the file's bytes; a missing glyph (a box) fails the test."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = plot.save(fig, tmp_path / name, dpi=dpi)
    glyphs = [str(w.message) for w in caught if "Glyph" in str(w.message)]
    assert not glyphs, glyphs
    data = path.read_bytes()
    if name.endswith(".png"):
        assert data.startswith(PNG_SIGNATURE) and len(data) > 2000
    return data


def finite(values) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    return values[np.isfinite(values)]


@pytest.fixture(scope="module")
def moons():
    X, y = fcnn.data.moons(120, noise=0.2, seed=0)
    X_train, X_test, y_train, y_test = fcnn.data.train_test_split(X, y, test_size=0.25, seed=0)
    model = fcnn.mlp([2, 8, 2], seed=0)
    history = fcnn.fit(
        model, X_train, y_train, lr=0.02, epochs=15, validation_split=0.2, seed=0, verbose=0
    )
    return model, history, X_train, y_train, X_test, y_test


# --------------------------------------------------------------------------- floors


def test_import_does_not_load_matplotlib():
    code = "import sys, fcnn, fcnn.plot, fcnn.cli.plot; print('matplotlib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "False"


def test_only_the_plot_package_imports_matplotlib():
    offenders = []
    for path in (ROOT / "src" / "fcnn").rglob("*.py"):
        if "plot" in path.relative_to(ROOT / "src" / "fcnn").parts[:1]:
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"^\s*(import|from) matplotlib\b", text, flags=re.MULTILINE):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == [], "fcnn/plot is the only module that imports matplotlib"


def test_the_plot_package_imports_no_higher_floor():
    for path in (ROOT / "src" / "fcnn" / "plot").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for forbidden in ("from ..cli", "from ..playground", "from ..reproduce", "import fcnn.cli"):
            assert forbidden not in text, f"{path.name} imports {forbidden}"


def test_without_matplotlib_the_error_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes ``import matplotlib`` fail
    with pytest.raises(ImportError, match=r"pip install 'fcnn\[plot\]'"):
        plot.activations(["relu"])
    result = run("plot", "activations", "-o", tmp_path / "a.png", ok=False)
    assert result.exit_code == 1 and "pip install 'fcnn[plot]'" in result.output
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------- activations


def test_derivative_panel_is_a_finite_difference_of_the_function_panel(tmp_path):
    x = np.linspace(-4.0, 4.0, 801)
    fig = plot.activations(x=x)
    curves = plot.activation_curves(x=x)
    assert len(curves) == len(plot.DEFAULT_ACTIVATIONS) == 10
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.lines]
    assert len(panels) == 2 * len(curves)
    h = x[1] - x[0]
    away_from_kinks = np.abs(x) > 2 * h  # ReLU, Leaky ReLU, PReLU and SELU jump at 0
    for i, curve in enumerate(curves):
        function, derivative = panels[2 * i], panels[2 * i + 1]
        drawn_x = finite(function.lines[-1].get_xdata())
        drawn_y = finite(function.lines[-1].get_ydata())
        drawn_dy = finite(derivative.lines[-1].get_ydata())
        np.testing.assert_array_equal(drawn_x, x)
        np.testing.assert_array_equal(drawn_y, curve.y)
        np.testing.assert_array_equal(drawn_dy, curve.dydx)
        difference = np.gradient(drawn_y, x)
        np.testing.assert_allclose(
            drawn_dy[away_from_kinks], difference[away_from_kinks], atol=2e-3, err_msg=curve.title
        )
    render(fig, tmp_path, dpi=60)


def test_activation_curves_take_names_arguments_and_modules():
    curves = plot.activation_curves(["relu", ("elu", {"alpha": 0.5}), fcnn.LeakyReLU(0.2)])
    assert [c.title for c in curves] == [
        "ReLU",
        "ELU (alpha=0.5)",
        "Leaky ReLU (negative_slope=0.2)",
    ]
    assert curves[1].y.min() == pytest.approx(-0.5 * (1 - np.exp(-5.0)))
    prelu = fcnn.PReLU()
    plot.activation_curves([prelu])
    assert prelu.weight.grad.sum() == 0  # drawn from a copy: the module is left alone
    with pytest.raises(ValueError, match="not element-wise"):
        plot.activation_curves(["softmax"])
    with pytest.raises(ValueError, match="unknown activation"):
        plot.activation_curves(["swishy"])


# --------------------------------------------------------------------------- boundaries


def _image(ax):
    return np.asarray(ax.images[0].get_array())


def test_decision_grid_equals_model_predict_binary_and_multiclass():
    X, _ = fcnn.data.spirals(90, classes=3, seed=1)
    cases = [
        (fcnn.mlp([2, 6, 1], seed=0), True),  # one logit
        (fcnn.mlp([2, 6, 1], output="sigmoid", seed=1), False),  # a probability
        (fcnn.mlp([2, 6, 3], seed=2), True),  # logits
        (fcnn.mlp([2, 6, 3], output="softmax", seed=3), False),
    ]
    for model, logits in cases:
        grid = plot.decision_grid(model, X, resolution=37)
        assert grid.xx.shape == grid.yy.shape == grid.labels.shape == (37, 37)
        expected = labels_from_output(model.predict(grid.points), logits=logits)
        np.testing.assert_array_equal(grid.labels.ravel(), expected)
        assert grid.proba.shape[-1] == max(2, model.predict(X[:1]).shape[1])
        np.testing.assert_allclose(grid.proba.sum(axis=-1), 1.0, atol=1e-6)
        np.testing.assert_array_equal(grid.proba.argmax(axis=-1), grid.labels)
        x0, x1, y0, y1 = grid.extent  # covers the data with a margin
        assert x0 < X[:, 0].min() and x1 > X[:, 0].max() and y0 < X[:, 1].min() < X[:, 1].max() < y1


def test_decision_boundary_draws_the_grid_and_every_point(moons, tmp_path):
    model, _, X_train, y_train, X_test, y_test = moons
    fig = plot.decision_boundary(
        model, X_train, y_train, X_test=X_test, y_test=y_test, resolution=50
    )
    ax = fig.axes[0]
    grid = plot.decision_grid(model, np.vstack([X_train, X_test]), resolution=50)
    np.testing.assert_array_equal(_image(ax), grid.labels)
    points = [c.get_offsets() for c in ax.collections if len(c.get_offsets()) > 1]
    np.testing.assert_allclose(points[-2], X_train)
    np.testing.assert_allclose(points[-1], X_test)
    accuracy = np.mean(labels_from_output(model.predict(X_test)) == y_test)
    assert f"test accuracy {100 * accuracy:.1f} %" in ax.get_title()
    render(fig, tmp_path)

    shaded = plot.decision_boundary(model, X_train, y_train, probability=True, resolution=50)
    grid = plot.decision_grid(model, X_train, resolution=50)
    np.testing.assert_allclose(_image(shaded.axes[0]), grid.proba[..., 1])
    render(shaded, tmp_path, "shaded.svg")


def test_multiclass_probability_shading_and_regression_surface(tmp_path):
    X, y = fcnn.data.blobs(90, centers=3, seed=0)
    model = fcnn.mlp([2, 5, 3], seed=0)
    fig = plot.decision_boundary(model, X, y, probability=True, resolution=40, classes="abc")
    rgb = _image(fig.axes[0])
    assert rgb.shape == (40, 40, 3) and rgb.min() >= 0 and rgb.max() <= 1
    assert [t.get_text() for t in fig.legends[0].get_texts()][:3] == ["a", "b", "c"]
    render(fig, tmp_path)

    Xr = np.random.default_rng(0).uniform(-1, 1, (60, 2))
    yr = Xr[:, 0] * 0.7 - Xr[:, 1] ** 2
    regressor = fcnn.mlp([2, 5, 1], seed=0)
    fig = plot.decision_boundary(regressor, Xr, yr, resolution=30)
    grid = plot.decision_grid(regressor, Xr, resolution=30, task="regression")
    np.testing.assert_allclose(_image(fig.axes[0]), grid.values)
    np.testing.assert_allclose(grid.values.ravel(), regressor.predict(grid.points)[:, 0])
    render(fig, tmp_path, "regression.png")


def test_decision_boundary_rejects_data_that_is_not_2d():
    with pytest.raises(ValueError, match="2-D data"):
        plot.decision_boundary(fcnn.mlp([3, 2]), np.zeros((5, 3)), np.zeros(5, dtype=int))


def test_hidden_units_grid_titles_and_panels(tmp_path):
    results = plot.hidden_units_experiment((1, 3), steps=40)
    X, y = fcnn.data.planar()
    for width, model, accuracy in results:
        expected = labels_from_output(model.predict(X))
        assert accuracy == pytest.approx(100 * np.mean(expected == y))
        assert model[0].out_features == width
    fig = plot.hidden_units_grid(
        [*results, ("logistic", results[0][1], None)], X, y, ncols=2, resolution=30
    )
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == [
        f"1 hidden unit: {results[0][2]:.2f} %",
        f"3 hidden units: {results[1][2]:.2f} %",
        "logistic",
    ]
    extent = visible[0].images[0].get_extent()
    for ax, (_, model, _) in zip(visible, results, strict=False):
        assert ax.images[0].get_extent() == extent  # one shared plane
        grid = plot.decision_grid(model, X, resolution=30, extent=tuple(extent))
        np.testing.assert_array_equal(_image(ax), grid.labels)
    render(fig, tmp_path)


# --------------------------------------------------------------------------- curves


def test_history_figure_draws_every_series(moons, tmp_path):
    _, history, *_ = moons
    fig = plot.history(history)
    loss_ax, accuracy_ax = fig.axes[:2]
    lines = {line.get_label(): line for line in loss_ax.lines}
    np.testing.assert_allclose(lines["training"].get_ydata(), history["loss"])
    np.testing.assert_allclose(lines["validation"].get_ydata(), history["val_loss"])
    best = int(np.argmin(history["val_loss"]))
    marker = next(line for label, line in lines.items() if label.startswith("lowest"))
    assert marker.get_xdata()[0] == best + 1
    np.testing.assert_allclose(accuracy_ax.lines[1].get_ydata(), history["val_accuracy"])
    render(fig, tmp_path)

    (tmp_path / "run").mkdir()
    path = history.save(tmp_path / "run" / "history.json")
    for source in (path, path.parent, history.to_dict(), {"loss": history["loss"]}):
        again = plot.history(source)
        np.testing.assert_allclose(again.axes[0].lines[0].get_ydata(), history["loss"])


def test_history_shows_a_changing_learning_rate_and_why_training_stopped(tmp_path):
    record = plot.history(
        {
            "history": {"loss": [1.0, 0.5, None], "lr": [0.1, 0.1, 0.01]},
            "epoch": [1, 2, 3],
            "stop_reason": "loss became NaN",
            "diverged": True,
        }
    )
    assert [ax.get_title() for ax in record.axes] == ["loss", "learning rate"]
    assert any("loss became NaN" in t.get_text() for t in record.texts)
    render(record, tmp_path)
    with pytest.raises(ValueError, match="no 'f1'"):
        plot.history({"loss": [1.0]}, keys=["f1"])


def test_lr_comparison_labels_converging_and_diverging_runs(tmp_path):
    runs = plot.lr_experiment((0.01, 1.2, 30.0), epochs=150)
    first = {lr: h["loss"][0] for lr, h in runs.items()}
    assert len(set(first.values())) == 1  # the same starting weights for every rate
    assert runs[1.2]["loss"][-1] < 0.8 * runs[0.01]["loss"][-1]
    runs["exploded"] = [0.7, 3.0, 900.0, float("nan")]
    fig = plot.lr_comparison(runs)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["lr = 0.01", "lr = 1.2", "lr = 30: loss rose", "exploded: diverged"]
    curves = [line for line in ax.lines if line.get_label() in labels]
    np.testing.assert_allclose(curves[1].get_ydata(), runs[1.2]["loss"])
    cross = [line for line in ax.lines if line.get_marker() == "X"]
    assert len(cross) == 1 and cross[0].get_ydata()[0] == 900.0
    assert ax.get_yscale() == "log"
    render(fig, tmp_path)


# --------------------------------------------------------------------------- layers


def test_layer_activations_follow_each_weight_layer():
    model = fcnn.Sequential(
        fcnn.Linear(4, 6),
        fcnn.BatchNorm1d(6),
        fcnn.ReLU(),
        fcnn.Dropout(0.3),
        fcnn.Linear(6, 5),
        fcnn.Tanh(),
        fcnn.Linear(5, 3),
    )
    X = np.random.default_rng(0).normal(size=(40, 4))
    layers = plot.layer_activations(model, X)
    assert [(a.layer, a.module, a.activation) for a in layers] == [
        (1, "0", "ReLU"),
        (2, "4", "Tanh"),
        (3, "6", None),
    ]
    np.testing.assert_allclose(layers[-1].values, model.predict(X), rtol=1e-6)
    hidden = model[:2].predict(X)  # Linear → BatchNorm (eval) → ReLU
    np.testing.assert_allclose(layers[0].values, np.maximum(hidden, 0), rtol=1e-6)
    assert model.training  # the model itself is untouched


def test_activation_histograms_draw_each_layers_values(tmp_path):
    model = fcnn.mlp([3, 8, 8, 2], activation="tanh", seed=0)
    X = np.random.default_rng(1).normal(size=(50, 3))
    fig = plot.activation_histograms(model, X, bins=20)
    layers = plot.layer_activations(model, X)
    for ax, layer in zip(fig.axes, layers, strict=True):
        heights = [patch.get_height() for patch in ax.patches]
        value_range = (-1, 1) if layer.activation == "Tanh" else ax.get_xlim()
        counts, _ = np.histogram(layer.values, bins=20, range=value_range)
        np.testing.assert_allclose(heights, counts / layer.values.size)
    assert [ax.get_title() for ax in fig.axes] == [
        "layer 1 (tanh)",
        "layer 2 (tanh)",
        "layer 3 (output)",
    ]
    render(fig, tmp_path)


def test_init_experiment_vanishes_with_small_weights_and_not_with_xavier(tmp_path):
    models, X = plot.init_experiment(
        ("0.01", "xavier", "he", "1.0"), depth=6, width=64, samples=100
    )
    assert X.shape == (100, 64) and list(models) == [
        "N(0, 0.01²)",
        "Xavier normal",
        "He normal",
        "N(0, 1)",
    ]
    std = {
        label: [a.values.std() for a in plot.layer_activations(m, X)] for label, m in models.items()
    }
    assert all(len(s) == 6 for s in std.values())
    assert std["N(0, 0.01²)"][-1] < 1e-5 < 0.1 < std["Xavier normal"][-1]
    assert std["He normal"][-1] > std["Xavier normal"][-1]
    saturated = plot.layer_activations(models["N(0, 1)"], X)[-1].values
    assert np.mean(np.abs(saturated) > 0.99) > 0.5
    fig = plot.init_comparison(models, X, bins=10)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 4 * 6 and visible[0].get_ylabel() == "N(0, 0.01²)"
    assert visible[0].get_xlim() == (-1.0, 1.0)
    render(fig, tmp_path)
    with pytest.raises(ValueError, match="unknown init"):
        plot.init_experiment(("lecun",))


def test_gradient_flow_draws_the_reports_norms(tmp_path):
    models, X = plot.init_experiment(("0.01", "xavier"), depth=4, width=16, samples=40)
    y = np.random.default_rng(0).integers(0, 16, len(X))
    reports = {label: fcnn.diagnose.diagnose(m, X, y) for label, m in models.items()}
    fig = plot.gradient_flow(reports)
    weights_ax, outputs_ax = fig.axes[:2]
    for ax, attribute in ((weights_ax, "grad_norm"), (outputs_ax, "backprop_norm")):
        heights = [patch.get_height() for patch in ax.patches]
        expected = [getattr(s, attribute) for r in reports.values() for s in r.layers]
        np.testing.assert_allclose(heights, expected)
        assert ax.get_yscale() == "log"
    small = reports["N(0, 0.01²)"].layers
    assert small[0].backprop_norm < 1e-3 * small[-1].backprop_norm  # vanishing, drawn
    render(fig, tmp_path)

    model = next(iter(models.values()))
    single = plot.gradient_flow(model, X, y)
    direct = plot.gradient_norms(model, X, y)[""]
    np.testing.assert_allclose([p.get_height() for p in single.axes[0].patches], direct[1])
    with pytest.raises(ValueError, match="needs X and y"):
        plot.gradient_norms(model)


# --------------------------------------------------------------------------- images


def test_confusion_matrix_counts_and_colours(tmp_path):
    y_true = np.array([0, 0, 1, 1, 1, 2, 2, 2, 2, 0])
    y_pred = np.array([0, 1, 1, 1, 0, 2, 2, 1, 2, 0])
    fig = plot.confusion_matrix(y_true, y_pred, classes=["cat", "dog", "emu"])
    ax = fig.axes[0]
    counts = fcnn.metrics.confusion_matrix(y_true, y_pred)
    np.testing.assert_allclose(_image(ax), counts / counts.sum(axis=1, keepdims=True))
    texts = np.array([int(t.get_text()) for t in ax.texts]).reshape(3, 3)
    np.testing.assert_array_equal(texts, counts)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog", "emu"]
    assert "accuracy 70.00 %" in ax.get_title()
    render(fig, tmp_path)


def test_first_layer_weights_are_the_rows_as_images(tmp_path):
    model = fcnn.mlp([784, 20, 10], seed=0)
    fig = plot.first_layer_weights(model, max_units=12)
    tiles = [ax for ax in fig.axes if ax.get_visible()]
    assert len(tiles) == 12
    weight = model[0].weight.data
    for i, ax in enumerate(tiles):
        np.testing.assert_array_equal(_image(ax), weight[i].reshape(28, 28))
        low, high = ax.images[0].get_clim()
        assert low == -high == -np.abs(weight[i]).max()  # white is zero
    assert "12 of 20" in fig._suptitle.get_text()
    render(fig, tmp_path)
    tiles = plot.weight_tiles(fcnn.mlp([6, 3]), image_shape=(2, 3))
    assert tiles.shape == (3, 2, 3)
    with pytest.raises(ValueError, match="not a square image"):
        plot.weight_tiles(fcnn.mlp([6, 3]))


# --------------------------------------------------------------------------- saving, style


def test_save_writes_png_svg_and_pdf_atomically_and_refuses_others(tmp_path):
    def fig():
        return plot.confusion_matrix([0, 1, 1], [0, 1, 0])

    png = render(fig(), tmp_path, "out/a.png")
    assert png == render(fig(), tmp_path, "out/b.png")  # no date or version inside
    assert render(fig(), tmp_path, "c.svg").lstrip().startswith(b"<?xml")
    assert render(fig(), tmp_path, "d.pdf").startswith(b"%PDF")
    with pytest.raises(ValueError, match=r"\.png, \.svg, \.pdf"):
        plot.save(fig(), tmp_path / "e.jpg")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.png", "b.png"]


def test_labels_keep_their_glyphs_whatever_font_the_user_chose(moons, tmp_path):
    model, history, X_train, y_train, *_ = moons
    with matplotlib.rc_context({"font.sans-serif": ["SimHei"], "font.family": "sans-serif"}):
        figures = [
            plot.activations(["sigmoid"]),
            plot.history(history),
            plot.decision_boundary(model, X_train, y_train, resolution=20),
        ]
        for i, fig in enumerate(figures):
            render(fig, tmp_path, f"{i}.png")
    families = {t.get_fontfamily()[0] for fig in figures for t in fig.findobj(matplotlib.text.Text)}
    assert families == {"sans-serif"}
    assert plot.STYLE["font.sans-serif"] == ["DejaVu Sans"]


def test_make_gallery_writes_every_figure_and_its_page(tmp_path):
    paths = plot.make_gallery(tmp_path, quick=True, dpi=30)
    pngs = sorted((tmp_path / "gallery").glob("*.png"))
    assert len(pngs) == 10 and paths[-1] == tmp_path / "gallery.md"
    page = (tmp_path / "gallery.md").read_text()
    assert "fcnn plot gallery --out docs" in page
    for png in pngs:
        assert f"](gallery/{png.name})" in page
        assert png.read_bytes().startswith(PNG_SIGNATURE)


# --------------------------------------------------------------------------- command line

runner = CliRunner()


def run(*args, ok=True):
    result = runner.invoke(app, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output + repr(result.exception)
    return result


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("runs") / "moons"
    run(
        "train",
        "moons",
        "--n",
        120,
        "--noise",
        0.2,
        "--hidden",
        "8",
        "--epochs",
        6,
        "--lr",
        0.02,
        "--validation-split",
        0.2,
        "--verbose",
        0,
        "--run-dir",
        path,
    )
    return path


def test_plot_commands_on_a_run_directory(run_dir, tmp_path):
    for kind in ("boundary", "history", "confusion", "gradients", "histograms"):
        result = run("plot", kind, run_dir, "--dpi", 50)
        assert result.output.strip() == str(run_dir / f"{kind}.png")
        assert (run_dir / f"{kind}.png").read_bytes().startswith(PNG_SIGNATURE)
    svg = tmp_path / "b.svg"
    assert run("plot", "boundary", run_dir, "--probability", "-o", svg).output.strip() == str(svg)
    assert svg.read_bytes().lstrip().startswith(b"<?xml")
    history = json.loads((run_dir / "history.json").read_text())
    assert len(history["epoch"]) == 6


def test_plot_commands_that_run_their_own_experiment(tmp_path):
    commands = {
        "activations": ["--names", "relu,tanh"],
        "init": ["--depth", 3, "--width", 16, "--samples", 30],
        "lr": ["--lrs", "0.1,10", "--epochs", 20],
        "hidden-units": ["--widths", "1,2", "--steps", 10],
    }
    for kind, options in commands.items():
        out = tmp_path / f"{kind}.png"
        assert run("plot", kind, *options, "--dpi", 50, "-o", out).output.strip() == str(out)
        assert out.read_bytes().startswith(PNG_SIGNATURE)


def test_plot_weights_of_a_model_file_and_one_line_errors(run_dir, tmp_path):
    model_file = fcnn.save(fcnn.mlp([16, 6, 2], seed=0), tmp_path / "square.safetensors")
    table = tmp_path / "three.csv"
    table.write_text("a,b,c,label\n0,1,2,0\n1,0,2,1\n2,2,0,0\n")
    out = tmp_path / "w.png"
    run("plot", "weights", model_file, "-o", out)
    assert out.exists()
    for args, message in (
        (("weights", run_dir), "2 inputs are not a square image"),
        (("boundary", model_file), "needs --data"),
        (("boundary", run_dir, "-o", tmp_path / "x.jpg"), "must end in .png, .svg or .pdf"),
        (("history", tmp_path), "history.json"),
        (("lr", "--lrs", "0.1,-1"), "positive numbers"),
        (("boundary", model_file, "--data", table), "2-D data"),
    ):
        result = run("plot", *args, ok=False)
        assert result.exit_code == 1, result.output
        assert message in result.output, result.output
        assert "Traceback" not in result.output
