"""Rich display: ``model.summary()`` / ``fcnn.summary`` and the notebook reprs of a model,
a ``History``, a diagnose ``Report`` and an explain ``Trace``."""

from __future__ import annotations

from html.parser import HTMLParser

import numpy as np
import pytest

import fcnn
from fcnn.diagnose import diagnose
from fcnn.explain import classic_example, explain


class _Checker(HTMLParser):
    """Parses HTML, checking every tag closes in order; keeps the text of the cells."""

    VOID = frozenset({"br", "hr", "img", "input", "meta", "link"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()

    def handle_data(self, data):
        self.text.append(data.strip())


def parsed(markup: str) -> list[str]:
    """The text pieces of well-formed ``markup`` (every tag closed, in order)."""
    checker = _Checker()
    checker.feed(markup)
    checker.close()
    assert not checker.open, f"unclosed tags: {checker.open}"
    return [t for t in checker.text if t]


def shapes_and_params(summary):
    return [(row.name, row.kind, row.shape, row.params) for row in summary.rows]


def test_summary_of_an_mlp():
    model = fcnn.mlp([4, 16, 8, 3], activation="relu", seed=0)
    summary = model.summary()
    linear = [(r.shape, r.params) for r in summary.rows if r.kind == "Linear"]
    # 4·16 + 16, 16·8 + 8, 8·3 + 3
    assert linear == [("(N, 16)", 80), ("(N, 8)", 136), ("(N, 3)", 27)]
    assert summary.total_params == summary.trainable_params == 243 == model.num_parameters()
    assert summary.buffers == 0
    assert all(r.params == 0 for r in summary.rows if r.kind == "ReLU")


def batchnorm_model():
    return fcnn.Sequential(
        fcnn.Linear(5, 10, seed=0),
        fcnn.BatchNorm1d(10),
        fcnn.ReLU(),
        fcnn.Dropout(0.5),
        fcnn.Linear(10, 2, seed=1),
    )


def test_summary_of_batchnorm_and_dropout():
    model = batchnorm_model()
    summary = fcnn.summary(model)
    assert shapes_and_params(summary) == [
        ("0", "Linear", "(N, 10)", 60),
        ("1", "BatchNorm1d", "(N, 10)", 20),  # γ and β
        ("2", "ReLU", "(N, 10)", 0),
        ("3", "Dropout", "(N, 10)", 0),
        ("4", "Linear", "(N, 2)", 22),
    ]
    assert summary.total_params == 102 == model.num_parameters()
    assert summary.buffers == 10 + 10 + 1  # running mean, running var, batches tracked
    assert summary.rows[1].output_shape == (None, 10)


def nested_model():
    return fcnn.Sequential(
        fcnn.Flatten(),
        fcnn.Sequential(fcnn.Linear(6, 4, seed=0), fcnn.Tanh()),
        fcnn.Sequential(fcnn.Sequential(fcnn.Linear(4, 3, seed=1)), fcnn.Sigmoid()),
    )


def test_summary_of_nested_sequentials_uses_dotted_names_and_depth():
    model = nested_model()
    summary = model.summary()
    assert shapes_and_params(summary) == [
        ("0", "Flatten", "(N, ?)", 0),  # nothing says the input's size
        ("1", "Sequential", "(N, 4)", 28),  # a container counts all of its parameters
        ("1.0", "Linear", "(N, 4)", 28),
        ("1.1", "Tanh", "(N, 4)", 0),
        ("2", "Sequential", "(N, 3)", 15),
        ("2.0", "Sequential", "(N, 3)", 15),
        ("2.0.0", "Linear", "(N, 3)", 15),
        ("2.1", "Sigmoid", "(N, 3)", 0),
    ]
    assert [r.depth for r in summary.rows] == [0, 0, 1, 1, 0, 1, 2, 1]
    assert [r.name for r in summary.rows if r.container] == ["1", "2", "2.0"]
    assert summary.total_params == 43 == model.num_parameters()
    # a forward pass of (2, 3) inputs finds what the configs could not
    forward = model.summary(input_size=(2, 3))
    assert forward.rows[0].shape == "(N, 6)"
    assert [r.shape for r in forward.rows[1:]] == [r.shape for r in summary.rows[1:]]
    assert forward.input_size == (2, 3)


def test_summary_of_a_single_layer():
    summary = fcnn.Linear(3, 2).summary()
    assert shapes_and_params(summary) == [("Linear", "Linear", "(N, 2)", 8)]


@pytest.mark.parametrize("training", [True, False])
def test_summary_with_input_size_leaves_the_model_untouched(training):
    model = batchnorm_model().train(training)
    before = model.state_dict()
    summary = model.summary(input_size=5)
    assert [r.shape for r in summary.rows] == ["(N, 10)"] * 4 + ["(N, 2)"]
    after = model.state_dict()
    assert list(after) == list(before)
    for key in before:
        np.testing.assert_array_equal(after[key], before[key])
    assert all(m.training is training for m in model.modules())
    assert all(m._hooks is None for m in model.modules())  # no hook left behind


def test_summary_with_input_size_runs_none_of_the_models_hooks():
    model = batchnorm_model()
    seen = []
    handle = model[0].register_forward_hook(lambda module, args, output: seen.append(output))
    assert model.summary(input_size=5).rows[0].shape == "(N, 10)"
    assert seen == []
    model(np.zeros((2, 5), dtype=np.float32))
    assert len(seen) == 1  # the model keeps its hook
    handle.remove()


def test_summary_refuses_a_bad_input_size():
    model = batchnorm_model()
    with pytest.raises(ValueError, match=r"summary\(input_size=0\): input_size must be"):
        model.summary(input_size=0)
    with pytest.raises(TypeError, match="input_size"):
        model.summary(input_size="5")


def test_summary_prints_as_a_table():
    text = str(batchnorm_model().summary())
    for piece in ("Layer", "Output shape", "BatchNorm1d", "(N, 10)", "Total params", "102"):
        assert piece in text
    assert repr(batchnorm_model().summary()) == text


def test_summary_html_is_well_formed_and_holds_the_numbers():
    model = nested_model()
    for markup in (model.summary()._repr_html_(), model._repr_html_()):
        cells = parsed(markup)
        for piece in ("2.0.0", "Linear", "(N, 4)", "(N, 3)", "28", "15", "43", "Total params"):
            assert piece in cells
    assert "<table>" in fcnn.Linear(3, 2)._repr_html_()


def fitted_history():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    model = fcnn.mlp([2, 4, 2], seed=0)
    return fcnn.fit(
        model, X, y, epochs=3, verbose=0, metrics=["accuracy"], validation_split=0.25, seed=0
    )


def test_history_html_shows_its_table_and_curves():
    history = fitted_history()
    markup = history._repr_html_()
    cells = parsed(markup)
    assert "<svg" in markup and "<polyline" in markup
    assert "epoch" in cells and "val_loss" in cells
    assert f"{history['loss'][-1]:.4g}" in cells
    assert f"{history['val_accuracy'][0]:.4g}" in cells
    assert "History: 3 epochs" in cells


def test_a_long_history_shows_its_first_and_last_epochs():
    history = fcnn.History()
    for epoch in range(1, 51):
        history.append(epoch, {"loss": 1.0 / epoch, "lr": 0.1})
    history.history["loss"][20] = float("nan")  # a gap in the curve, not an error
    cells = parsed(history._repr_html_())
    assert "…" in cells and "1" in cells and "50" in cells and "25" not in cells
    assert f"{1 / 50:.4g}" in cells


def test_report_html_holds_the_layers_and_findings():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(32, 3))
    y = rng.integers(0, 2, size=32)
    model = fcnn.mlp([3, 5, 2], seed=0)
    report = diagnose(model, X, y, loss="cross_entropy")
    cells = parsed(report._repr_html_())
    assert report.summary() in cells
    assert "‖∂L/∂W‖" in cells
    assert f"{report.layers[0].mean:.3g}" in cells
    assert str(report.layers[-1].units) in cells


def test_trace_markdown_has_the_numbers_and_the_tex():
    model, x, target, options = classic_example()
    trace = explain(model, x, target, **options)
    markdown = trace._repr_markdown_()
    assert markdown == trace.to_markdown()
    assert "0.298371109" in markdown  # the notes' total error
    assert "$" in markdown and "\\frac" in markdown
