"""The command line in Chinese and English: --lang, FCNN_LANG and the locale choose; the
help and every line are translated; the numbers are the same in both languages."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from fcnn.cli import app
from fcnn.i18n import get_language
from test_i18n import clean_environment  # noqa: F401

runner = CliRunner()
# every test starts with no language set in the environment (test_i18n's fixture)
pytestmark = pytest.mark.usefixtures("clean_environment")
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def run(*args, code=0):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output + repr(result.exception)
    return result.output


def test_help_in_chinese_is_translated():
    english = run("--lang", "en", "train", "--help")
    chinese = run("--lang", "zh", "train", "--help")
    assert "Train a network and keep the run" in english
    assert "训练一个网络" in chinese and "学习率调度" in chinese  # the schedule's panel
    assert "用法：" in chinese and "选项" in chinese and "[默认：" in chinese
    assert "Train a network" not in chinese and "Show this message" not in chinese
    # option names stay as they are
    assert "--batch-size" in chinese and "--learning-rate" not in chinese
    top = run("--lang", "zh", "--help")
    assert "全连接神经网络" in top and "lr-find" in top


def test_chinese_help_wraps_without_cutting_words_short():
    for command in ([], ["train"], ["explain"], ["plot", "boundary"]):
        chinese = run("--lang", "zh", *command, "--help")
        assert "…" not in chinese, chinese


def test_the_help_goes_back_to_english_after_a_chinese_one():
    run("--lang", "zh", "demo", "--help")
    assert "Units in the hidden" in run("demo", "--help")
    assert get_language() == "en"  # --lang lasts as long as the invocation


def test_a_training_summary_has_the_same_numbers_in_both_languages(tmp_path):
    outputs = {}
    for lang in ("en", "zh"):
        outputs[lang] = run(
            "--lang", lang, "train", "moons", "--n", 80, "--epochs", 3,
            "--hidden", 8, "--verbose", 0, "--run-dir", tmp_path / lang,
        )  # fmt: skip
    # the run directory's name is the one difference that is not a word
    english, chinese = (outputs[lang].replace(str(tmp_path / lang), "RUN") for lang in outputs)
    assert "训练集" in chinese and "测试集" in chinese and "共 3 轮" in chinese
    assert "3 epochs" in english and "训练集" not in english
    assert NUMBER.findall(chinese) == NUMBER.findall(english)


@pytest.mark.parametrize(
    ("variables", "args"),
    [
        ({"FCNN_LANG": "zh"}, []),
        ({"LANG": "zh_CN.UTF-8"}, []),
        ({"FCNN_LANG": "en"}, ["--lang", "zh"]),
    ],
)
def test_the_environment_and_lang_choose_chinese(monkeypatch, variables, args):
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert "用法：" in run(*args, "demo", "--help")


def test_lang_beats_the_environment(monkeypatch):
    monkeypatch.setenv("FCNN_LANG", "zh")
    assert "Usage: " in run("--lang", "en", "demo", "--help")


def test_an_error_line_in_chinese():
    output = run("--lang", "zh", "train", "moons", "--hidden", "4,x", code=1)
    assert output.strip() == "错误：--hidden='4,x'：应为用逗号分隔的整数，例如 64,32"
    output = run("train", "moons", "--hidden", "4,x", code=1)
    assert output.strip() == "error: --hidden='4,x': expected comma-separated integers, e.g. 64,32"


@pytest.mark.parametrize(
    ("variables", "args", "line"),
    [
        ({}, ["--lang", "fr"], "error: --lang 'fr': choose one of en, zh"),
        (
            {"FCNN_LANG": "klingon"},
            [],
            "error: FCNN_LANG: language 'klingon' is not one fcnn speaks: choose one of en, zh",
        ),
    ],
)
def test_a_language_fcnn_does_not_speak_is_refused_in_one_line(monkeypatch, variables, args, line):
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    output = run(*args, "demo", code=2)
    assert output.strip() == line
