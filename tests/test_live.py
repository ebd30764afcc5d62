"""What ``fit`` shows in a notebook: ``LivePlot`` (``fit(live=True)``) redraws the curves
in one display handle, throttled, in the current language, and does nothing but say so
outside a notebook; the progress bar draws into a display handle and the epoch lines are
plain text. Tested with a fake handle, then once for real in a Jupyter kernel (nbclient,
as tools/course.py runs the course)."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path
from typing import ClassVar

import nbformat
import numpy as np
import pytest
from rich.console import Console

import fcnn
from fcnn.i18n import using_language
from fcnn.train import live, progress

ROOT = Path(__file__).resolve().parents[1]


class FakeDisplay:
    """Stands for IPython's display handle: records what was shown and every update."""

    shown: ClassVar[list[FakeDisplay]] = []

    def __init__(self, markup: str, text: str = ""):
        self.frames = [(markup, text)]
        FakeDisplay.shown.append(self)

    def update(self, markup: str, text: str = "") -> None:
        self.frames.append((markup, text))


@pytest.fixture
def fake_notebook(monkeypatch):
    FakeDisplay.shown = []
    monkeypatch.setattr(live, "notebook_display", lambda: FakeDisplay)
    return FakeDisplay


def _data(n=64):
    X = np.random.default_rng(0).normal(size=(n, 3)).astype(np.float32)
    return X, (X[:, 0] > 0).astype(np.int64)


def _fit(epochs=4, **kwargs):
    X, y = _data()
    return fcnn.fit(fcnn.mlp([3, 4, 2], seed=0), X, y, epochs=epochs, verbose=0, seed=0, **kwargs)


def test_live_redraws_one_handle_and_always_draws_the_end(fake_notebook):
    history = _fit(epochs=4, callbacks=[plot := fcnn.LivePlot(min_interval=0)])
    (handle,) = fake_notebook.shown  # one output, updated in place
    assert len(handle.frames) == plot.redraws == 5  # every epoch, then the end
    markup, text = handle.frames[-1]
    assert text == "training finished after epoch 4"
    assert markup.count("<svg") == 2 and "loss by epoch" in markup and "accuracy" in markup
    assert history.curves_html() in markup
    assert handle.frames[1][1] == "training: epoch 2/4"


def test_live_is_throttled(fake_notebook, monkeypatch):
    clock = iter(np.arange(0.0, 100.0, 0.1))  # each epoch a tenth of a second later
    monkeypatch.setattr(live.time, "monotonic", lambda: float(next(clock)))
    _fit(epochs=10, callbacks=[plot := fcnn.LivePlot(min_interval=0.25)])
    # drawn at epochs 1, 4, 7, 10 (0.3 s apart) and at the end
    assert plot.redraws == 5
    assert fake_notebook.shown[0].frames[-1][1] == "training finished after epoch 10"


def test_fit_live_true_adds_the_plot_and_speaks_chinese(fake_notebook):
    with using_language("zh"):
        _fit(epochs=2, live=True)
    markup, text = fake_notebook.shown[0].frames[-1]
    assert text == "训练结束：共训练了 2 轮"
    assert "各轮的损失" in markup and "各轮的指标" in markup


def test_live_outside_a_notebook_says_so_in_one_line(capsys):
    plot = fcnn.LivePlot()
    _fit(epochs=2, callbacks=[plot])
    assert plot.redraws == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not in a Jupyter notebook" in err


def test_bad_live_arguments_are_refused():
    with pytest.raises(TypeError, match=r"fit\(live='yes'\): live must be True or False"):
        _fit(live="yes")
    with pytest.raises(ValueError, match=r"LivePlot\(min_interval=-1\)"):
        fcnn.LivePlot(min_interval=-1)
    assert fcnn.train.LivePlot is fcnn.LivePlot


def test_progress_bar_in_a_notebook_draws_html_in_one_handle(monkeypatch):
    FakeDisplay.shown = []
    monkeypatch.setattr(progress, "_NOTEBOOK_REFRESH", 0.0)
    out = io.StringIO()
    bar = progress.Progress(1, 2, 10, console=Console(file=out), show=FakeDisplay)
    for epoch in range(2):
        bar.start_epoch(epoch)
        for step in range(10):
            bar.advance(step, 0.5)
        bar.end_epoch(epoch, {"loss": 0.5})
    bar.close()
    (handle,) = FakeDisplay.shown
    markup, text = handle.frames[-2]  # the last drawing; then the bar is cleared
    assert text.startswith("epoch 2/2") and "10/10" in text and "\x1b" not in text
    assert markup.startswith("<pre") and "<span" in markup
    assert handle.frames[-1] == ("", "")
    assert out.getvalue().splitlines() == ["epoch 1/2  loss 0.5000", "epoch 2/2  loss 0.5000"]


def _course_tool():
    spec = importlib.util.spec_from_file_location("course_tool", ROOT / "tools" / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_in_a_real_notebook_the_curves_update_in_place_and_the_bar_is_clean():
    course = _course_tool()
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            'import numpy as np\nimport fcnn\nfcnn.set_language("en")\n'
            "X = np.random.default_rng(0).normal(size=(2000, 3)).astype(np.float32)\n"
            "y = (X[:, 0] > 0).astype(np.int64)\n"
            "history = fcnn.fit(fcnn.mlp([3, 4, 2], seed=0), X, y, epochs=3, batch_size=8,\n"
            "                   seed=0, live=True)"
        )
    ]
    outputs = course.execute(nb, "en").cells[0].outputs
    shown = [o for o in outputs if o.output_type == "display_data"]
    curves = [o for o in shown if "<svg" in o.data["text/html"]]
    (plot,) = curves  # one output, its last update stored in place of the first drawing
    assert plot.data["text/plain"] == "training finished after epoch 3"
    assert plot.data["text/html"].count("<polyline") == 2  # loss, accuracy
    bars = [o for o in shown if o not in curves]
    assert [o.data for o in bars] == [{"text/html": "", "text/plain": ""}]  # drawn, then cleared
    lines = "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stdout")
    assert [line[:9] for line in lines.splitlines()] == ["epoch 1/3", "epoch 2/3", "epoch 3/3"]
    assert "\x1b" not in lines
