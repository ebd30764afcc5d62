"""The errors of the engine and of the parts built on it read in Chinese under
``set_language("zh")``, with the same numbers, shapes and names as in English: layers,
losses, optimisers and schedulers, initialisers, model building and state dicts, figures,
the scikit-learn estimators, the PyTorch bridge, the backprop trace and the exercises."""

from __future__ import annotations

import re

import numpy as np
import pytest

import fcnn
from fcnn.i18n import using_language

NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
DIMENSIONS = re.compile(r"\b\d-D\b")  # "1-D" is a word, said 一维 in Chinese
HAN = re.compile(r"[\u4e00-\u9fff]")


def said(call, error=Exception) -> dict[str, str]:
    """What ``call()`` raises, read in English and in Chinese (raised in each language,
    so a message translated when raised is covered as well as one translated when read)."""
    texts = {}
    for lang in ("en", "zh"):
        with using_language(lang), pytest.raises(error) as info:
            call()
        with using_language(lang):
            texts[lang] = str(info.value)
    return texts


def same_facts(texts: dict[str, str], *english_words: str) -> str:
    """The Chinese text, after checking it is Chinese, keeps every number of the English
    one, drops the English words given and keeps the names both share."""
    en, zh = texts["en"], texts["zh"]
    assert HAN.search(zh), zh
    assert not HAN.search(en), en
    numbers = sorted(NUMBER.findall(DIMENSIONS.sub("", en)))
    assert numbers == sorted(NUMBER.findall(zh)), (en, zh)
    for word in english_words:
        assert word in en and word not in zh, (word, en, zh)
    return zh


def test_a_wrong_input_shape_names_the_layer_and_both_shapes():
    model = fcnn.mlp([3, 4, 2], seed=0)
    texts = said(lambda: model(np.zeros((5, 7))), fcnn.ShapeError)
    zh = same_facts(texts, "expects input of shape", "got shape")
    assert "Sequential" in zh and "Linear" in zh and "(N, 3)" in zh and "(5, 7)" in zh
    single = said(lambda: fcnn.Linear(3, 2)(np.zeros(3)), fcnn.ShapeError)
    assert "x.reshape(1, -1)" in same_facts(single, "a single sample")


def test_a_loss_refuses_a_class_index_out_of_range_in_chinese():
    loss = fcnn.losses.CrossEntropyLoss()
    texts = said(lambda: loss(np.zeros((2, 3)), np.array([0, 5])), ValueError)
    zh = same_facts(texts, "is not a class index")
    assert "CrossEntropyLoss" in zh and "target[1] = 5" in zh and "类别" in zh
    shapes = said(lambda: fcnn.losses.MSELoss()(np.zeros((4, 1)), np.zeros(4)), fcnn.ShapeError)
    assert "y.reshape(-1, 1)" in same_facts(shapes, "they must be the same")


def test_optimizer_refusals_name_the_group_in_chinese():
    model = fcnn.mlp([2, 3, 1], seed=0)
    weight, bias = model[0].weight, model[0].bias
    texts = said(lambda: fcnn.optim.SGD([], lr=0.1), ValueError)
    assert "优化器" in same_facts(texts, "empty parameter list")

    def second_group_with_a_negative_rate():
        optimizer = fcnn.optim.SGD([weight], lr=0.1)
        optimizer.add_param_group({"params": [bias], "lr": -1.0})

    zh = same_facts(said(second_group_with_a_negative_rate, ValueError), "in parameter group")
    assert "SGD(lr=-1.0)" in zh and "参数组 1" in zh


def test_a_scheduler_resumed_without_its_state_says_so_in_chinese():
    optimizer = fcnn.optim.SGD(fcnn.mlp([2, 1], seed=0).parameters(), lr=0.1)
    texts = said(lambda: fcnn.optim.StepLR(optimizer, step_size=2, last_epoch=3), KeyError)
    zh = same_facts(texts, "resuming needs")
    assert "'initial_lr'" in zh and "断点续训" in zh
    texts = said(lambda: fcnn.optim.get_scheduler("nope", optimizer), ValueError)
    assert "学习率调度器 'nope'" in same_facts(texts, "unknown scheduler")


def test_a_state_dict_with_a_missing_parameter_and_a_wrong_shape():
    model = fcnn.Linear(2, 3)
    texts = said(lambda: model.load_state_dict({"weight": np.zeros((3, 2))}), KeyError)
    zh = same_facts(texts, "missing keys")
    assert "缺少键 ['bias']" in zh and "Linear" in zh
    both = {"weight": np.zeros((3, 2)), "extra": 1}
    assert (
        "['bias']；多出了键 ['extra']" in said(lambda: model.load_state_dict(both), KeyError)["zh"]
    )
    wrong = {"weight": np.zeros((2, 2)), "bias": np.zeros(3)}
    zh = same_facts(said(lambda: model.load_state_dict(wrong), ValueError), "in the model")
    assert "(2, 2)" in zh and "(3, 2)" in zh


def test_an_unknown_spec_and_bad_initialiser_arguments():
    texts = said(lambda: fcnn.from_spec({"type": "Nope"}), ValueError)
    zh = same_facts(texts, "unknown layer type")
    assert "'Nope'" in zh and "Linear" in zh
    texts = said(lambda: fcnn.init.uniform_(np.zeros((2, 2)), a=2, b=1), ValueError)
    assert "uniform_" in same_facts(texts, "must not exceed")
    texts = said(lambda: fcnn.mlp([2]), ValueError)
    assert "[2, 4, 1]" in same_facts(texts, "expected at least two")


def test_figure_refusals_in_chinese():
    from fcnn import plot

    texts = said(lambda: plot.activation_curves(x=np.zeros(1)), ValueError)
    assert "(1,)" in same_facts(texts, "must be 1-D")
    model = fcnn.mlp([10, 4, 2], seed=0)
    texts = said(lambda: plot.weight_tiles(model), ValueError)
    assert "image_shape" in same_facts(texts, "are not a square image")


def test_the_estimators_refuse_one_class_in_chinese():
    from fcnn.sklearn import MLPClassifier

    X, y = np.zeros((6, 2)), np.zeros(6, dtype=int)
    texts = said(lambda: MLPClassifier(max_iter=1).fit(X, y), ValueError)
    zh = same_facts(texts, "needs samples of at least")
    assert "MLPClassifier" in zh and "类别" in zh


def test_the_pytorch_bridge_names_the_layer_in_chinese():
    from torch import nn

    from fcnn.interop.torch_interop import from_torch

    module = nn.Sequential(nn.Linear(2, 2), nn.Dropout(1.0))
    zh = same_facts(said(lambda: from_torch(module), ValueError), "at index", "zeroes every unit")
    assert "Dropout" in zh and "p=1.0" in zh and "下标 1" in zh


def test_the_trace_refuses_in_chinese():
    from fcnn.explain import explain

    model = fcnn.mlp([2, 2, 1], seed=0)
    texts = said(lambda: explain(model, [1.0, 2.0, 3.0], [1.0]), ValueError)
    zh = same_facts(texts, "takes 2 inputs")
    assert "模型接受 2 个输入" in zh
    batchnorm = fcnn.Sequential(fcnn.Linear(2, 2), fcnn.BatchNorm1d(2), fcnn.Linear(2, 1))
    texts = said(lambda: explain(batchnorm, [1.0, 2.0], [1.0]), ValueError)
    zh = same_facts(texts, "cannot trace", "batch statistics")
    assert "第 1 层（BatchNorm1d）" in zh


def test_an_exercise_check_answers_in_chinese_without_an_english_space():
    from fcnn.exercises import check

    texts = said(lambda: check("ch9.nope", 1), ValueError)
    assert "'ch9.nope'" in same_facts(texts, "no exercise")
    with using_language("zh"):
        verdict = check("ch5.he_std", lambda fan_in: 1.0)
    # two sentences in a row: a space after the English full stop, none after "。"
    assert not verdict.ok and "。 " not in verdict.message and "。与" in verdict.message
