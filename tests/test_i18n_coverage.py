"""What a person reads stays bilingual: the epoch lines of ``fit`` name their numbers in
the current language and keep every number, and no user-facing error is raised with a
bare English string (an AST scan of ``src/fcnn``, with the internal modules allowed)."""

from __future__ import annotations

import re

import numpy as np

import fcnn
from fcnn.i18n import using_language

NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def epoch_lines(lang, capsys):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    model = fcnn.mlp([2, 8, 2], seed=0)
    with using_language(lang):
        fcnn.fit(
            model, X, y, epochs=3, lr=0.1, batch_size=16, seed=0, verbose=2,
            validation_split=0.25, metrics=["accuracy", "f1"],
        )  # fmt: skip
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    # the last field is the epoch's time, which no two runs share
    assert all(re.search(r"\ds$|\d 秒$", line) for line in lines), lines
    return [line.rsplit("  ", 1)[0] for line in lines]


def test_epoch_lines_name_their_numbers_in_chinese_and_keep_them(capsys):
    english, chinese = epoch_lines("en", capsys), epoch_lines("zh", capsys)
    assert len(english) == len(chinese) == 3
    for en, zh in zip(english, chinese, strict=True):
        assert "loss" in en and "val_accuracy" in en and "lr" in en
        for word in ("损失", "准确率", "验证损失", "验证准确率", "学习率", "轮"):
            assert word in zh, zh
        for word in ("loss", "accuracy", "lr ", "val_", "epoch"):
            assert word not in zh, (word, zh)
        assert NUMBER.findall(en) == NUMBER.findall(zh)
