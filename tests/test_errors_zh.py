"""The errors a learner meets outside the CLI (a bad CSV, an unknown data set, a damaged
model file, a missing MNIST file, a missing optional package) read in Chinese when fcnn
speaks Chinese, and name the same numbers, files and columns as the English ones."""

from __future__ import annotations

import re
import sys

import pytest
from typer.testing import CliRunner

import fcnn
from fcnn.cli import app
from fcnn.data import registry
from fcnn.data.source import make_source
from fcnn.files import ModelFileError
from fcnn.i18n import Message, using_language
from fcnn.interop.optional import import_onnx
from fcnn.plot import _base as plot_base
from test_i18n import clean_environment  # noqa: F401

pytestmark = pytest.mark.usefixtures("clean_environment")

CHINESE = re.compile(r"[\u4e00-\u9fff]")
# what must survive translation: numbers, and every name the message quotes
KEPT = re.compile(r"\d+|'[^']*'")


def both(error: Exception) -> tuple[str, str]:
    """The error's text in English and in Chinese, read from the same exception."""
    with using_language("en"):
        english = str(error)
    with using_language("zh"):
        chinese = str(error)
    return english, chinese


def assert_said_in_both(error: Exception, *names: str) -> str:
    english, chinese = both(error)
    assert not CHINESE.search(english), english
    assert CHINESE.search(chinese), chinese
    assert sorted(KEPT.findall(chinese)) == sorted(KEPT.findall(english)), (english, chinese)
    for name in names:
        assert name in english and name in chinese, (name, english, chinese)
    return chinese


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_a_csv_without_the_target_column(tmp_path):
    path = write(tmp_path / "iris.csv", "a,b,species\n1,2,x\n3,4,y\n")
    with pytest.raises(ValueError, match="no such column") as caught:
        fcnn.data.csv(path, target="label")
    chinese = assert_said_in_both(caught.value, str(path), "'label'", "'species'")
    assert "没有这一列" in chinese


def test_a_ragged_csv(tmp_path):
    path = write(tmp_path / "ragged.csv", "a,b,y\n1,2,0\n3,4\n5,6,1\n")
    with pytest.raises(ValueError, match=r"line 3: 2 cells, expected 3 as in the header") as caught:
        fcnn.data.csv(path)
    chinese = assert_said_in_both(caught.value, str(path))
    assert "第 3 行" in chinese and "表头" in chinese


def test_text_in_a_numeric_column(tmp_path):
    path = write(tmp_path / "cells.csv", "a,b,y\n1,2,0\n3,seven,1\n")
    with pytest.raises(ValueError) as caught:
        fcnn.data.csv(path)
    assert "line 3, column 2 ('b'): 'seven' is not a number" in str(caught.value)
    chinese = assert_said_in_both(caught.value, "'seven'", "'b'")
    assert "第 2 列" in chinese and "不是数字" in chinese


def test_an_unknown_data_set():
    with pytest.raises(ValueError) as caught:
        make_source("moonz")
    chinese = assert_said_in_both(caught.value, "'moonz'", "moons", "mnist")
    assert chinese.startswith("没有数据集 'moonz'")
    with pytest.raises(ValueError) as caught:
        registry.load("spyral")
    assert_said_in_both(caught.value, "'spyral'", "moons")


def test_a_damaged_model_file(tmp_path):
    path = tmp_path / "model.safetensors"
    path.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all")
    with pytest.raises(ModelFileError) as caught:
        fcnn.load(path)
    with using_language("zh"):
        chinese = str(caught.value)
    assert chinese.startswith(f"{path} 不是可读的 safetensors 文件")
    assert "文件已损坏" in chinese
    assert caught.value.path == path  # the attribute code reads stays as it was


def test_a_json_file_that_does_not_fit_its_layout(tmp_path):
    from fcnn.files import COUNT, check_json

    with pytest.raises(ModelFileError) as caught:
        check_json(tmp_path / "run.json", {"epochs": -3}, {"epochs": COUNT}, "")
    chinese = assert_said_in_both(caught.value, "epochs", "-3")
    assert chinese.endswith("：文件已损坏")


def test_a_missing_mnist_file(tmp_path):
    with pytest.raises(FileNotFoundError) as caught:
        fcnn.data.mnist(tmp_path)
    chinese = assert_said_in_both(caught.value, "idx", str(tmp_path), "download=True")
    assert chinese.startswith("找不到 ")


@pytest.mark.parametrize(
    ("module", "needs", "extra"),
    [("onnx", import_onnx, "onnx"), ("matplotlib", plot_base.matplotlib, "plot")],
)
def test_a_missing_optional_dependency(monkeypatch, module, needs, extra):
    monkeypatch.setitem(sys.modules, module, None)  # what `import` finds uninstalled
    with pytest.raises(ImportError) as caught:
        needs()
    chinese = assert_said_in_both(caught.value, f"pip install 'fcnn[{extra}]'")
    assert "可选依赖" in chinese


def test_the_errors_pickle_and_keep_their_language_open(tmp_path):
    # a sweep's worker raises in its process; the parent prints it in its own language
    import pickle

    path = write(tmp_path / "one.csv", "a\n1\n")
    with pytest.raises(ValueError) as caught:
        fcnn.data.csv(path)
    again = pickle.loads(pickle.dumps(caught.value))
    assert isinstance(again.args[0], Message) and both(again) == both(caught.value)
    problem = ModelFileError(path, Message("files", "the file is damaged"))
    assert both(pickle.loads(pickle.dumps(problem))) == both(problem)


@pytest.mark.parametrize(
    ("data", "said"), [("nosuch.csv", "找不到文件"), ("nosuch", "没有数据集 'nosuch'")]
)
def test_the_cli_says_a_data_error_in_one_chinese_line(data, said):
    result = CliRunner().invoke(app, ["--lang", "zh", "train", data])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误：") and said in lines[0], lines
    assert "Traceback" not in result.output
