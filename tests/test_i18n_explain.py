"""The backprop trace, the diagnose report and training's stop reasons in Chinese and English.

Switching language changes the words and never a number: every number of a rendering,
read back with a regular expression, is the same in both languages (in the same order
for the trace; for a verdict, whose Chinese sentence may name its numbers in another
order, the same numbers). The language is read when a thing is shown, not when it was
made. Each check renders both languages explicitly, whatever FCNN_LANG says.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter

import numpy as np
import pytest
from rich.cells import cell_len

import fcnn
from fcnn.diagnose import diagnose
from fcnn.explain import classic_example, explain
from fcnn.explain import render_tex as tex
from fcnn.explain.render_common import number_format
from fcnn.i18n import using_language

# A number as the renderings print it (a unit or parameter name like w5 or h1.2 is not
# one), or a power of ten written with superscripts (10⁻⁷).
NUMBER = re.compile(r"(?<![A-Za-z_\d.])[−-]?\d+(?:\.\d+)?(?:e[+−-]?\d+)?|10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+|nan|inf")
CJK = re.compile(r"[\u4e00-\u9fff]")


def numbers(text: str) -> list[str]:
    return NUMBER.findall(text)


def in_both(render):
    with using_language("en"):
        en = render()
    with using_language("zh"):
        zh = render()
    return en, zh


def traces():
    model, x, target, options = classic_example()
    yield explain(model, x, target, **options)
    relu = fcnn.mlp([3, 4, 2], activation="relu", seed=1)
    yield explain(relu, [1.0, 2.0, 3.0], 1, loss="cross_entropy")
    deep = fcnn.mlp([2, 3, 3, 2], activation="tanh", seed=1)
    yield explain(deep, [1.0, 2.0], [0.0, 1.0], loss="bce_with_logits", update_biases=False)
    leaky = fcnn.Sequential(
        fcnn.Linear(2, 2, seed=1), fcnn.LeakyReLU(0.1), fcnn.Linear(2, 1, seed=2)
    )
    yield explain(leaky, [1.0, -2.0], [0.5], loss="mse")  # a piecewise rule: "if", "else"


RENDERINGS = {
    "text": lambda trace: trace.to_text(),
    "markdown": lambda trace: trace.to_markdown(),
    "text, 4 digits": lambda trace: trace.to_text(4),
}


@pytest.mark.parametrize("rendering", sorted(RENDERINGS))
def test_the_trace_has_the_same_numbers_in_both_languages(rendering):
    for trace in traces():
        en, zh = in_both(lambda trace=trace: RENDERINGS[rendering](trace))
        assert numbers(zh) == numbers(en)
        assert len(numbers(en)) > 50
        assert CJK.search(zh) and not CJK.search(en)
        assert zh != en


def test_the_tex_equations_keep_their_numbers_and_say_their_words_in_chinese():
    trace = next(traces())
    f = number_format("test", 9, tex=True)
    for p in trace.params.values():
        en, zh = in_both(lambda p=p: tex.gradient(p, f) + tex.update(trace, p, f))
        assert numbers(zh) == numbers(en)
        if not p.is_updated:  # the classic example's biases: "(not updated)" is words
            assert r"\text{ (not updated)}" in en and r"\text{（不参与更新）}" in zh


def test_the_notes_own_words_read_in_the_chinese_trace():
    trace = next(traces())
    with using_language("zh"):
        text, markdown = trace.to_text(), trace.to_markdown()
    for words in ("反向传播", "前向传播", "链式法则", "隐藏层", "输出层", "学习率", "偏置"):
        assert words in text and words in markdown
    assert "3. 反向传播：输出层（o1, o2）" in text
    assert "4. 反向传播：隐藏层（h1, h2）" in text


def test_the_words_inside_a_piecewise_formula_are_translated():
    *_, leaky = traces()
    en, zh = in_both(leaky.to_text)
    assert "net_h1 if net_h1 > 0, else 0.1·net_h1" in en
    assert "net_h1，若 net_h1 > 0；否则 0.1·net_h1" in zh
    elu = fcnn.Sequential(fcnn.Linear(2, 2, seed=1), fcnn.ELU(), fcnn.Linear(2, 1, seed=2))
    trace = explain(elu, [1.0, -2.0], [0.5], loss="mse")
    en, zh = in_both(trace.to_markdown)
    assert r"\text{ if }" in en and r"\text{，若 }" in zh
    assert numbers(zh) == numbers(en)


def test_the_language_is_read_when_the_trace_is_rendered():
    with using_language("en"):
        trace = next(traces())  # made in English ...
    with using_language("zh"):
        assert trace.to_text().startswith("反向传播推导")  # ... shown in Chinese
    with using_language("en"):
        assert trace.to_text().startswith("Backprop trace")


def test_the_chinese_summary_table_lines_up_in_terminal_columns():
    """Chinese characters take two columns: the cells are padded by display width."""
    trace = next(traces())
    with using_language("zh"):
        text = trace.to_text()
    table = text.split("汇总\n")[1].split("\n\n")[0].splitlines()
    rows = table[1:]  # under the heading's rule: the table's heading, then the parameters
    assert len(rows) == 11  # the heading and 10 parameters
    starts = set()
    for line in rows:
        at, columns = 0, []
        for cell in re.split(r" {2,}", line):  # where each cell starts, in terminal columns
            at = line.index(cell, at)
            columns.append(cell_len(line[:at]))
            at += len(cell)
        starts.add(tuple(columns))
    assert len(starts) == 1, rows


# ---------------------------------------------------------------------- diagnose


def unhealthy_reports():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 8))
    y = (X[:, 0] > 0).astype(int)
    dead = fcnn.mlp([8, 16, 16, 2], activation="relu", seed=0)
    dead[0].bias.data[:8] = -50.0  # half the first layer never fires: dead ReLUs
    saturated = fcnn.mlp([8, 16, 16, 2], activation="sigmoid", seed=0)
    saturated[0].weight.data *= 30  # huge net inputs: sigmoids stuck at 0 or 1
    deep = fcnn.mlp([8] + [8] * 7 + [2], activation="sigmoid", seed=0)  # vanishing gradients
    with using_language("en"):
        reports = {
            "dead": diagnose(dead, X, y, lr=0.1),
            "saturated": diagnose(saturated, X, y, lr=0.1),
            "vanishing": diagnose(deep, X, y, lr=0.1),
            "no targets": diagnose(dead, X),
        }
    kinds = {name: {f.kind for f in report.findings} for name, report in reports.items()}
    assert "dead_units" in kinds["dead"] and "saturated_units" in kinds["saturated"]
    assert "vanishing_gradients" in kinds["vanishing"] and reports["no targets"].notes
    return reports


@pytest.fixture(scope="module")
def reports():
    return unhealthy_reports()


@pytest.mark.parametrize("rendering", ["to_text", "to_markdown", "_repr_html_"])
def test_a_diagnose_report_has_the_same_numbers_in_both_languages(reports, rendering):
    for report in reports.values():
        en, zh = in_both(getattr(report, rendering))
        assert Counter(numbers(zh)) == Counter(numbers(en))
        assert CJK.search(zh) and not CJK.search(en)


def test_every_verdict_changes_its_words_and_keeps_its_numbers(reports):
    said = 0
    for report in reports.values():
        for finding in report.findings:
            en, zh = in_both(lambda finding=finding: finding.message)
            assert Counter(numbers(zh)) == Counter(numbers(en)), (en, zh)
            assert CJK.search(zh) and en != zh
            said += 1
        for note in report.notes:
            en, zh = in_both(lambda note=note: str(note))
            assert CJK.search(zh) and not CJK.search(en)
    assert said >= 4


def test_the_chinese_verdicts_use_the_glossary(reports):
    with using_language("zh"):
        dead = reports["dead"].to_text()
        saturated = reports["saturated"].to_text()
        vanishing = reports["vanishing"].to_text()
    assert "死亡" in dead and "学习率" in dead
    assert "饱和" in saturated and "Xavier 初始化" in saturated
    assert "梯度消失" in vanishing
    assert dead.startswith("120 个样本，训练模式")


def test_the_json_report_says_its_messages_in_the_current_language(reports):
    en, zh = in_both(reports["dead"].to_dict)
    assert [f["kind"] for f in zh["findings"]] == [f["kind"] for f in en["findings"]]
    assert zh["layers"] == en["layers"]
    assert CJK.search(zh["findings"][0]["message"])


def test_a_data_name_the_user_gives_is_kept_and_the_default_is_translated():
    rng = np.random.default_rng(1)
    model = fcnn.mlp([4, 8, 2], activation="relu", seed=0)
    model[0].bias.data[:] = -50.0
    X = rng.normal(size=(30, 4))
    mine = diagnose(model, X, data_name="my {odd} rows")
    default = diagnose(model, X)
    with using_language("zh"):
        assert "在my {odd} rows上" in mine.findings[0].message
        assert "在所给数据上" in default.findings[0].message


# ---------------------------------------------------------------------- train


def diverging_run():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 4))
    y = (X[:, 0] > 0).astype(int)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = fcnn.fit(fcnn.mlp([4, 8, 2], seed=0), X, y, epochs=2, lr=1e6, verbose=0, seed=0)
    return history.stop_reason, [str(w.message) for w in caught]


def test_the_divergence_guard_explains_itself_in_chinese_with_the_same_numbers():
    en, zh = in_both(diverging_run)
    (en_reason, en_warnings), (zh_reason, zh_warnings) = en, zh
    assert en_reason.startswith("loss exploded to") and en_reason in en_warnings
    assert "训练发散" in zh_reason and "学习率" in zh_reason and zh_reason in zh_warnings
    assert numbers(zh_reason) != [] and Counter(numbers(zh_reason)) == Counter(numbers(en_reason))
