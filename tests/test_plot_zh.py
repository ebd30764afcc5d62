"""Figures in Chinese: every figure fcnn draws, rendered with Chinese labels and no glyph
missing (any warning is an error), the numbers the same as in English, the user's
matplotlib settings untouched, and the fallback without a CJK font (English labels, one
warning that says how to install one).
"""

from __future__ import annotations

import re
import warnings

import matplotlib
import numpy as np
import pytest

import fcnn
from fcnn import plot
from fcnn.i18n import using_language
from fcnn.plot import fonts

CJK = re.compile(r"[\u4e00-\u9fff]")
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


def figures() -> dict[str, object]:
    """One of every figure ``fcnn.plot`` makes (the gallery draws the rest), on tiny data."""
    X, y = fcnn.data.moons(60, noise=0.2, seed=0)
    model = fcnn.mlp([2, 6, 2], seed=0)
    record = fcnn.fit(model, X, y, lr=0.05, epochs=4, validation_split=0.25, seed=0, verbose=0)
    regressor = fcnn.mlp([2, 4, 1], seed=0)
    found = fcnn.lr_find(fcnn.mlp([2, 4, 2], seed=0), X, y, steps=30, seed=0)
    tanh = fcnn.mlp([2, 5, 5, 2], "tanh", seed=0)
    models, inputs = plot.init_experiment(("0.01", "xavier"), depth=2, width=8, samples=20)
    return {
        "activations": plot.activations(["tanh", "relu"]),
        "boundary": plot.decision_boundary(model, X, y, X_test=X[:5], y_test=y[:5], resolution=20),
        "probability": plot.decision_boundary(model, X, y, probability=True, resolution=20),
        "regression": plot.decision_boundary(regressor, X, X[:, 0] * 0.3, resolution=20),
        "hidden_units": plot.hidden_units_grid([(1, model, 81.0), (3, model, None)], X, y),
        "history": plot.history(record),
        "schedule": plot.history(
            {
                "history": {"loss": [1.0, 0.5, 0.7], "lr": [0.1, 0.1, 0.01]},
                "epoch": [1, 2, 3],
                "stop_reason": "loss rose",
            }
        ),
        "lr_comparison": plot.lr_comparison({0.1: [1.0, 0.5], 10.0: [1.0, float("nan")]}),
        "lr_find": plot.lr_find(found),
        "histograms": plot.activation_histograms(tanh, X),
        "init": plot.init_comparison(models, inputs),
        "gradients": plot.gradient_flow(models, inputs, np.zeros(len(inputs), dtype=int)),
        "confusion": plot.confusion_matrix(y, y[::-1], where="the test set"),
        "weights": plot.first_layer_weights(fcnn.mlp([16, 6, 2], seed=0)),
    }


@pytest.fixture
def chinese():
    with using_language("zh"):
        yield


def test_a_cjk_font_is_installed_and_draws_chinese():
    name = fonts.find_cjk_font()
    assert name is not None, "no CJK font: apt-get install fonts-noto-cjk (CI installs it)"
    assert fonts._covers(name)


def test_every_figure_renders_in_chinese_with_no_glyph_missing(chinese, tmp_path):
    user = dict(matplotlib.rcParams)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" fails here
        drawn = figures()
        for name, fig in drawn.items():
            plot.save(fig, tmp_path / f"{name}.png", dpi=40)
            assert any(CJK.search(t) for t in texts(fig)), name
        plot.make_gallery(tmp_path / "docs", quick=True, dpi=30)
    assert "图库" in (tmp_path / "docs" / "gallery.md").read_text()
    assert dict(matplotlib.rcParams) == user  # the font went into a context, not the globals
    families = {tuple(t.get_fontfamily()) for t in drawn["history"].findobj(matplotlib.text.Text)}
    assert ("DejaVu Sans", fonts.find_cjk_font()) in families


def test_switching_language_changes_no_number():
    X, y = fcnn.data.moons(60, noise=0.2, seed=0)
    model = fcnn.mlp([2, 6, 2], seed=0)
    record = fcnn.fit(model, X, y, lr=0.05, epochs=3, validation_split=0.25, seed=0, verbose=0)
    titles = {}
    for lang in ("en", "zh"):
        with using_language(lang):
            boundary = plot.decision_boundary(model, X, y, X_test=X[:9], y_test=y[:9])
            history = plot.history(record)
            titles[lang] = [boundary.axes[0].get_title(), *texts(history)]
    assert "训练集准确率" in titles["zh"][0]
    for english, chinese in zip(titles["en"], titles["zh"], strict=True):
        assert NUMBER.findall(english) == NUMBER.findall(chinese), (english, chinese)


def test_without_a_cjk_font_the_labels_are_english_and_one_line_says_how(monkeypatch, tmp_path):
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)
    monkeypatch.setattr(fonts, "_warned", False)
    with using_language("zh"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = plot.confusion_matrix([0, 1, 1], [0, 1, 0])
        second = plot.history({"loss": [1.0, 0.5]})
        plot.save(second, tmp_path / "h.png", dpi=30)
        assert fcnn.get_language() == "zh"  # only the figures fell back to English
    assert "predicted class" in texts(first) and "Training curves (2 epochs)" in texts(second)
    assert not any(CJK.search(t) for t in texts(first) + texts(second))
    missing = [w for w in caught if issubclass(w.category, fonts.MissingFontWarning)]
    assert len(missing) == 1 and not [w for w in caught if "Glyph" in str(w.message)]
    message = str(missing[0].message)
    assert "\n" not in message and "apt-get install fonts-noto-cjk" in message


def test_titles_wrap_to_the_figure_width():
    long = "3 层 tanh 网络（每层 40 个神经元）在 100 个输入上的各层激活值，每行一种权重初始化"
    lines = plot._base.wrap(long, 20).split("\n")
    assert "".join(lines).replace(" ", "") == long.replace(" ", "")
    assert all(plot._base._ems(line) <= 20 for line in lines)
    assert not any(line.startswith(("，", "）")) for line in lines)
    assert plot._base.wrap("one two three", 3) == "one\ntwo\nthree"  # 0.6 em each
