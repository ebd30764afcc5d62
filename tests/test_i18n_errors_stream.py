"""The refusals of streamed data, Dask training, the reproductions, the benchmark and the
``rng=`` / ``seed=`` rule read in Chinese under ``set_language("zh")``, with the same
numbers and the same names as in English.

Each case raises one representative error of a module in each language; the Chinese
must hold the expected words (the glossary's terms), the English no Chinese, and both
exactly the same numbers and identifiers (argument names, class names, file names).
"""

from __future__ import annotations

import dataclasses
from unittest import mock

import numpy as np
import pytest

import fcnn
from fcnn.bench.runner import load_rows
from fcnn.data.stream import PreparedSource, as_source
from fcnn.i18n import using_language
from fcnn.reproduce import dropout
from fcnn.reproduce.result import write
from fcnn.rng import get_rng
from fcnn.train import data_parallel_worker
from fcnn.train.data_parallel import _refuse
from fcnn.train.data_parallel_worker import Template, shard_gradient
from i18n_support import check_both_languages


def _xy(rows=8):
    X = np.random.default_rng(0).normal(size=(rows, 2))
    return X, np.arange(rows) % 2


def _source():
    return as_source([_xy()])


def _unseen_class(tmp_path):
    X, _ = _xy()
    source = as_source([(X, np.array(["cat", "dog", "emu", "cat"] * 2))])
    prepared = PreparedSource(source, {"kind": "none"}, classes=["cat", "dog"])
    list(prepared.batches(0, 4, shuffle=False))


def _another_protocol(tmp_path):
    row = dropout.ROWS[0]
    dropout.check_protocol(row, tmp_path, record=True)
    dropout.check_protocol(dataclasses.replace(row, lr0=row.lr0 / 2), tmp_path, record=False)


def _failing_shard(tmp_path):
    model = fcnn.mlp([2, 3, 2], seed=0)
    template = Template(
        run=f"i18n-{tmp_path.name}", model=model, loss=fcnn.CrossEntropyLoss(),
        prepare=None, source=None, shards=2, seed=0, outputs=False,
    )  # fmt: skip
    # no weights for the model's parameters: the task fails as a worker's would
    with mock.patch.object(data_parallel_worker, "_worker_address", lambda: "tcp://10.0.0.7:8786"):
        shard_gradient(template, [], {"epoch": 2}, shard=1, step=4)


CASES = {
    "train/streaming": (
        lambda t: fcnn.fit(fcnn.mlp([2, 3, 2], seed=0), _source(), validation_split=0.25),
        "需要数据都在内存中",
    ),
    "data/stream/stats": (_unseen_class, "类别 'emu' 在训练时没有出现过；训练时的类别：cat、dog"),
    "data/stream/__init__": (lambda t: as_source(t / "table.xlsx"), "不是 fcnn 能流式读取的文件"),
    "data/stream/base": (lambda t: _source().shard(3, 2), "index 必须小于 count（2）"),
    "train/data_parallel": (
        lambda t: _refuse(fcnn.mlp([2, 3, 2], batchnorm=True), None, None, None),
        "批次的统计量",
    ),
    "train/data_parallel_worker": (_failing_shard, "第 3 轮，第 5 步，分片 1"),
    "reproduce/dropout": (_another_protocol, "这里是按另一套训练方案训练的"),
    "reproduce/result": (lambda t: write("table", t), "需要一个 Result"),
    "bench/runner": (
        lambda t: load_rows(t / "mnist", 100),
        "没有这个文件夹",
    ),
    "rng": (
        lambda t: get_rng(np.random.default_rng(0), seed=3, where="Dropout"),
        "只能给出其中一个",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_the_error_reads_in_chinese_with_the_numbers_and_names_of_the_english(case, tmp_path):
    check_both_languages(*CASES[case], tmp_path)


def test_a_workers_failure_is_said_in_the_language_of_the_driver_that_reads_it(tmp_path):
    # made in a worker speaking English, read by a driver speaking Chinese
    with using_language("en"), pytest.raises(RuntimeError) as info:
        _failing_shard(tmp_path)
    english = str(info.value)
    assert english.startswith("fit(dask=...): ValueError on worker tcp://10.0.0.7:8786")
    assert "(epoch 3, step 5, shard 1)" in english
    with using_language("zh"):
        assert str(info.value).startswith("fit(dask=...)：工作进程 tcp://10.0.0.7:8786 上出现")
