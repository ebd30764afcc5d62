"""The refusals of data, train, diagnose, metrics and model files read in Chinese under
``set_language("zh")``, with the same numbers and the same names as in English.

Each case raises one representative error of a module in each language; the Chinese
must hold the expected words (the glossary's terms), no English sentence, and exactly
the numbers and identifiers (argument names, class names, file names) of the English.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import safetensors.numpy

import fcnn
from fcnn.data import (
    Standardizer,
    apply_preprocess,
    check_dataset,
    circles,
    fetch,
    infer_task,
    mnist,
    parse_points_csv,
    planar,
    playground,
    read_idx,
    train_test_split,
)
from fcnn.diagnose import Thresholds, diagnose, gradcheck
from fcnn.files import atomic_write_bytes
from fcnn.i18n import N_, using_language
from fcnn.metrics import confusion_matrix
from fcnn.tensorfile import TensorFile
from fcnn.train import EarlyStopping, History
from fcnn.train.checkpoint import _check_like
from fcnn.train.rundir import hold_directory
from i18n_support import NUMBER, check_both_languages


def _model():
    return fcnn.mlp([2, 4, 2], seed=0)


def _xy(rows=10, labels=None):
    X = np.random.default_rng(0).normal(size=(rows, 2))
    return X, np.arange(rows if labels is None else labels) % 2


def _hold_twice(tmp_path):
    advice = N_("wait for it to finish, or train into another run directory")
    where = {"what": N_("run directory"), "advice": advice}
    with hold_directory(tmp_path, "run.lock", **where):
        with hold_directory(tmp_path, "run.lock", **where):
            pass


def _fit_monitoring_f1():
    X, y = _xy()
    fcnn.fit(_model(), X, y, epochs=1, verbose=0, callbacks=[EarlyStopping(monitor="val_f1")])


def _wrong_shape(tmp_path):
    path = fcnn.save(_model(), tmp_path / "model.safetensors")
    with TensorFile(path) as tensors:
        tensors.read_into("0.weight", np.empty((7, 7)))


def _other_architecture(tmp_path):
    run = tmp_path / "run"
    shutil.rmtree(run, ignore_errors=True)  # the other language's run
    X, y = _xy()
    fcnn.fit(_model(), X, y, epochs=1, verbose=0, run_dir=run)
    fcnn.fit(fcnn.mlp([2, 3, 2], seed=0), X, y, epochs=2, verbose=0, run_dir=run, resume=True)


def _tensors_of_another_model(tmp_path):
    path = fcnn.save(_model(), tmp_path / "model.safetensors")
    with TensorFile(path) as tensors:
        header = tensors.metadata
    other = dict(fcnn.mlp([2, 3, 2], seed=0).state_dict())
    path.write_bytes(safetensors.numpy.save(other, metadata=header))
    fcnn.load(path)


def _bad_idx(tmp_path):
    path = tmp_path / "images.idx"
    path.write_bytes(b"\x00\x00\x07\x01" + bytes(4))
    read_idx(path)


CASES = {
    # data
    "transform: rows differ": (lambda t: check_dataset(np.zeros((3, 2)), [0, 1]), "行数必须相同"),
    "transform: split count": (
        lambda t: train_test_split(np.zeros((5, 2)), test_size=7),
        "样本数必须在 [1, 4] 之内",
    ),
    "transform: not fitted": (lambda t: Standardizer().transform(np.zeros((2, 2))), "还没有拟合"),
    "source": (lambda t: apply_preprocess({"kind": "bogus"}, np.zeros((1, 2))), "未知的预处理"),
    "toy": (lambda t: planar(n=3), "必须是不小于 2 的偶数"),
    "_checks": (lambda t: circles(n=1), "n 必须是不小于 2 的整数"),
    "playground_sets": (
        lambda t: parse_points_csv(b"x1,x2,label\n" + b"0,0,0\n" * 3),
        "文件只有 3 行数据；至少需要 10 行",
    ),
    "task": (
        lambda t: infer_task(np.array([0.0, 1.5, 2.0]), task="classification"),
        "不是类别标签",
    ),
    "idx": (_bad_idx, "未知的 IDX 类型码 0x07"),
    "images": (lambda t: mnist(kind="digits"), "应为 'mnist' 或 'fashion'"),
    "fetch": (lambda t: fetch("a.gz", "0" * 32, [], t), "没有给出任何镜像地址"),
    "tfplayground": (lambda t: playground("nope"), "应为以下之一"),
    # train
    "loop: rows differ": (lambda t: fcnn.fit(_model(), *_xy(10, 9), verbose=0), "X 有 10 行"),
    "loop: optimizer": (
        lambda t: fcnn.fit(_model(), *_xy(), optimizer="nope", verbose=0),
        "应为以下之一",
    ),
    "inputs": (
        lambda t: fcnn.fit(_model(), *_xy(), validation_data=(1, 2, 3), verbose=0),
        "validation_data 必须是一对",
    ),
    "callbacks: patience": (lambda t: EarlyStopping(patience=-1), "应为不小于 0 的整数"),
    "callbacks: monitor": (lambda t: _fit_monitoring_f1(), "这次训练并不记录它"),
    "checkpoint": (lambda t: _check_like({"a": 1}, {"a": 1, "b": 2}, "state"), "字段应为"),
    "history": (
        lambda t: History.from_dict({"epoch": [1, 2], "history": {"loss": [1.0]}}),
        "2 轮训练，'loss' 却有 1 个值",
    ),
    "lr_find": (lambda t: fcnn.lr_find(_model(), *_xy(10, 9)), "而 y 有 9 行"),
    "rundir": (_hold_twice, "运行目录"),
    "scores": (lambda t: fcnn.evaluate(_model(), *_xy(), metrics=["nope"]), "未知的指标"),
    # diagnose
    "health": (lambda t: diagnose(_model(), *_xy(10, 9)), "diagnose：X 有 10 行"),
    "thresholds": (lambda t: Thresholds(dead=2), "应为 [0, 1] 之内的比例"),
    "probe": (
        lambda t: diagnose(_model(), *_xy(), loss=fcnn.CrossEntropyLoss(reduction="none")),
        "归约为单个数的损失函数",
    ),
    "gradcheck": (lambda t: gradcheck(fcnn.MSELoss(), np.zeros((2, 1))), "损失函数需要给出"),
    # metrics and model files
    "metrics": (
        lambda t: confusion_matrix([0, 5], [0, 1], num_classes=3),
        "有标签超出了 num_classes=3",
    ),
    "io": (
        lambda t: fcnn.save(_model(), t / "m.safetensors", metadata={"format": "x"}),
        "是 fcnn 保留的",
    ),
    "files": (lambda t: atomic_write_bytes(t / "a.bin", "text"), "必须是 bytes"),
    "tensorfile": (_wrong_shape, "的形状为 (4, 2)，应为 (7, 7)"),
    "io: tensors": (_tensors_of_another_model, "0.weight 的形状为 (3, 2)，模型描述需要 (4, 2)"),
    "checkpoint: architecture": (_other_architecture, "来自另一种网络结构"),
}


@pytest.mark.parametrize("case", CASES)
def test_the_error_reads_in_chinese_with_the_numbers_and_names_of_the_english(case, tmp_path):
    check_both_languages(*CASES[case], tmp_path)


def test_a_message_is_said_in_the_language_current_when_it_is_read():
    with pytest.raises(ValueError) as info:
        check_dataset(np.zeros((3, 2)), [0, 1])
    with using_language("zh"):
        assert str(info.value) == "X 有 3 行，而 y 有 2 行；两者的行数必须相同"
    assert str(info.value) == "X has 3 rows but y has 2; they must match"


def test_a_resume_names_every_change_in_the_language_it_is_read_in(tmp_path):
    X, y = _xy(40)
    fcnn.fit(_model(), X, y, epochs=1, batch_size=8, verbose=0, seed=0, run_dir=tmp_path)
    with pytest.raises(ValueError) as info:
        fcnn.fit(
            _model(), X, y, epochs=2, batch_size=4, verbose=0, seed=0,
            run_dir=tmp_path, resume=True, metrics=["accuracy", "f1"],
        )  # fmt: skip
    english = str(info.value)
    with using_language("zh"):
        chinese = str(info.value)
    assert english.startswith("cannot resume") and "batch_size was 8, now 4" in english
    assert chinese.startswith("无法断点续训") and "batch_size 原为 8，现为 4" in chinese
    assert english.count("; ") == chinese.count("；") >= 1
    assert sorted(NUMBER.findall(chinese)) == sorted(NUMBER.findall(english))
