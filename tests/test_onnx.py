"""ONNX export: every registered layer and activation, and trained models, run in
onnxruntime and give fcnn's eval-mode predictions (float32 within 1e-5, float64 within
1e-10), at every opset boundary the exporter handles."""

from __future__ import annotations

import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from typer.testing import CliRunner

import cases_activations
import cases_layers
import fcnn
import fcnn.cli.export  # registers `fcnn export` until fcnn.cli imports it
from fcnn.cli import app
from fcnn.interop import DEFAULT_OPSET, MIN_OPSET, to_onnx, to_onnx_proto
from fcnn.sklearn import MLPClassifier

MODULE_CASES = cases_layers.CASES + cases_activations.CASES
TOL = {np.float32: 1e-5, np.float64: 1e-10}
# 13: the oldest; 17: the default; 18: Reduce* take axes as an input; 20: native Gelu.
OPSETS = sorted({MIN_OPSET, DEFAULT_OPSET, 18, 20})


def session(proto_or_path) -> ort.InferenceSession:
    data = (
        proto_or_path.SerializeToString()
        if hasattr(proto_or_path, "SerializeToString")
        else str(proto_or_path)
    )
    return ort.InferenceSession(data, providers=["CPUExecutionProvider"])


def run(proto_or_path, x: np.ndarray) -> np.ndarray:
    return session(proto_or_path).run(None, {"input": x})[0]


def assert_matches(got: np.ndarray, want: np.ndarray, dtype) -> None:
    """|onnx - fcnn| ≤ tol·max(1, |fcnn|) elementwise, and the same shape and dtype."""
    assert got.shape == want.shape and got.dtype == want.dtype
    bound = TOL[np.dtype(dtype).type] * np.maximum(1.0, np.abs(want))
    worst = float(np.max(np.abs(got.astype(np.float64) - want) - bound))
    assert worst <= 0, f"onnxruntime differs from fcnn by {worst:.3g} beyond the tolerance"


def _export_case(case, dtype, opset, x):
    module = case.make(dtype)
    module.train(case.training)  # exported as eval whatever the mode
    shape = x.shape[1:] if case.cls == "Flatten" else None
    proto = to_onnx_proto(module, opset=opset, input_shape=shape)
    return module, proto


@pytest.mark.parametrize("opset", OPSETS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("case", MODULE_CASES, ids=lambda c: c.id)
def test_every_registry_entry_runs_in_onnxruntime(case, dtype, opset):
    x = case.make_input(np.random.default_rng(1)).astype(dtype)
    module, proto = _export_case(case, dtype, opset, x)
    want = module.eval()(x)
    assert_matches(run(proto, x), want, dtype)
    assert [o.version for o in proto.opset_import] == [opset]


WIDE = np.array([[-1e4, -300.0, -80.0, -20.0, -3.0, -1e-3, 0.0, 1e-3, 3.0, 20.0, 80.0, 300.0, 1e4]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("case", cases_activations.CASES, ids=lambda c: c.id)
def test_activations_stay_right_far_out(case, dtype):
    """Saturated tails, the kinks and ±1e4 (where fcnn promises finite values) agree too."""
    module = case.make(dtype)
    x = np.vstack([WIDE, -WIDE]).astype(dtype)
    if isinstance(module, fcnn.PReLU) and module.num_parameters > 1:  # one slope per feature
        x = x[:, :5]
    if getattr(module, "dim", None) == 0:  # softmax across the batch: finite, moderate logits
        x = np.clip(x, -50, 50)
    with np.errstate(all="ignore"):
        want = module.eval()(x)
    assert_matches(run(to_onnx_proto(module), x), want, dtype)


def _trained_model(dtype, **kwargs):
    X, y = fcnn.data.digits()
    X = np.asarray(X, dtype=np.float64)[:400]
    y = np.asarray(y)[:400]
    model = fcnn.mlp([X.shape[1], 24, 16, 10], seed=0, dtype=dtype, **kwargs)
    fcnn.fit(model, X, y, epochs=3, batch_size=32, lr=0.01, seed=0, verbose=0)
    return model, X.astype(dtype)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"activation": "relu", "batchnorm": True, "dropout": 0.2},
        {"activation": "maxout", "pieces": 3, "batchnorm": True},
        {"activation": "gelu", "output": "log_softmax"},
        {"activation": "prelu", "init": "kaiming_normal", "output": "softmax"},
        {"activation": "selu", "dropout": 0.1},
    ],
    ids=lambda k: k["activation"],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_trained_models_match(kwargs, dtype, tmp_path):
    model, X = _trained_model(dtype, **kwargs)
    want = model.eval().predict(X)
    for fold in (True, False):
        path = to_onnx(model.train(), tmp_path / f"model-{fold}.onnx", fold_batchnorm=fold)
        assert_matches(run(path, X), want, dtype)
        ops = {node.op_type for node in onnx.load(path).graph.node}
        assert "Dropout" not in ops
        if kwargs.get("batchnorm"):
            folded = kwargs["activation"] != "maxout" and fold  # BN after Maxout stays a node
            assert ("BatchNormalization" in ops) != folded, ops
    assert model.training  # exporting never changes the model's mode


def test_dynamic_batch_size_and_declared_shapes(tmp_path):
    model = fcnn.mlp([5, 7, 3], batchnorm=True, seed=0).eval()
    path = to_onnx(model, tmp_path / "m.onnx")
    graph = onnx.load(path).graph
    dims = [[d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim] for v in graph.input]
    assert dims == [["N", 5]]
    assert [d.dim_param or d.dim_value for d in graph.output[0].type.tensor_type.shape.dim] == [
        "N",
        3,
    ]
    rng = np.random.default_rng(0)
    for n in (1, 7, 1000):
        x = rng.standard_normal((n, 5)).astype(np.float32)
        assert_matches(run(path, x), model.predict(x), np.float32)


def test_models_starting_with_flatten_need_input_shape(tmp_path):
    model = fcnn.Sequential(fcnn.Flatten(), fcnn.Linear(6, 2, seed=0)).eval()
    with pytest.raises(ValueError, match="input_shape"):
        to_onnx(model, tmp_path / "m.onnx")
    x = np.random.default_rng(0).standard_normal((4, 2, 3)).astype(np.float32)
    path = to_onnx(model, tmp_path / "m.onnx", input_shape=(2, 3))
    assert_matches(run(path, x), model(x), np.float32)


def test_metadata_names_and_nesting(tmp_path):
    inner = fcnn.Sequential(fcnn.Linear(3, 4, seed=1), fcnn.Tanh())
    model = fcnn.Sequential(inner, fcnn.Dropout(0.3), fcnn.Linear(4, 2, seed=2))
    proto = to_onnx_proto(model, input_name="features", output_name="logits")
    assert proto.producer_name == "fcnn" and proto.producer_version == fcnn.__version__
    props = {p.key: p.value for p in proto.metadata_props}
    assert fcnn.from_spec(json.loads(props["fcnn_spec"])).spec() == model.spec()
    assert [i.name for i in proto.graph.input] == ["features"]
    assert [o.name for o in proto.graph.output] == ["logits"]
    x = np.random.default_rng(0).standard_normal((3, 3)).astype(np.float32)
    got = session(proto).run(None, {"features": x})[0]
    assert_matches(got, model.eval()(x), np.float32)
    only_dropout = to_onnx_proto(fcnn.Dropout(0.5))
    assert [n.op_type for n in only_dropout.graph.node] == ["Identity"]


class Square(fcnn.Module):
    def forward(self, x):
        return x**2


def test_unsupported_layers_and_arguments_are_named(tmp_path):
    model = fcnn.Sequential(fcnn.Linear(2, 3), fcnn.Sequential(fcnn.ReLU(), Square()))
    with pytest.raises(TypeError, match=r"layer 1\.1 \(Square\).*Supported: Sequential, Linear"):
        to_onnx(model, tmp_path / "m.onnx")
    assert not list(tmp_path.iterdir())  # nothing written
    with pytest.raises(ValueError, match="opset=12"):
        to_onnx(fcnn.Linear(2, 3), tmp_path / "m.onnx", opset=12)
    with pytest.raises(TypeError, match="opset"):
        to_onnx(fcnn.Linear(2, 3), tmp_path / "m.onnx", opset=17.0)
    with pytest.raises(ValueError, match="input_name and output_name"):
        to_onnx(fcnn.Linear(2, 3), tmp_path / "m.onnx", input_name="x", output_name="x")
    with pytest.raises(TypeError, match="fcnn Module"):
        to_onnx("not a model", tmp_path / "m.onnx")


def test_the_file_is_written_atomically(tmp_path, monkeypatch):
    path = tmp_path / "m.onnx"
    old = to_onnx(fcnn.Linear(2, 3, seed=0), path).read_bytes()
    assert path.exists() and [p.name for p in tmp_path.iterdir()] == ["m.onnx"]

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", fail)
    with pytest.raises(OSError, match="disk full"):
        to_onnx(fcnn.Linear(2, 5, seed=1), path)
    assert path.read_bytes() == old  # the old file untouched, no temporary file left
    assert [p.name for p in tmp_path.iterdir()] == ["m.onnx"]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_sklearn_estimator_network_exports(tmp_path):
    X, y = fcnn.data.digits()
    X = np.asarray(X, dtype=np.float64)[:300]
    clf = MLPClassifier((16,), activation="silu", max_iter=5, random_state=0).fit(X, y[:300])
    path = to_onnx(clf.model_, tmp_path / "clf.onnx")
    logits = run(path, X.astype(np.float32))
    assert np.array_equal(clf.classes_[logits.argmax(axis=1)], clf.predict(X))


def test_cli_export(tmp_path):
    runner = CliRunner()
    model, X = _trained_model(np.float32, activation="tanh", batchnorm=True)
    fcnn.save(model, tmp_path / "model.safetensors")
    result = runner.invoke(app, ["export", str(tmp_path), "--onnx", str(tmp_path / "out.onnx")])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and "opset 17" in result.output
    assert_matches(run(tmp_path / "out.onnx", X), model.eval().predict(X), np.float32)
    result = runner.invoke(
        app,
        [
            "export",
            str(tmp_path / "model.safetensors"),
            "--onnx",
            str(tmp_path / "b.onnx"),
            "--opset",
            "20",
        ],
    )
    assert result.exit_code == 0 and onnx.load(tmp_path / "b.onnx").opset_import[0].version == 20
    missing = runner.invoke(app, ["export", str(tmp_path / "model.safetensors")])
    assert missing.exit_code == 1 and "pass --onnx" in missing.output
    bad = runner.invoke(app, ["export", str(tmp_path / "nothing"), "--onnx", "x.onnx"])
    assert bad.exit_code == 1 and "error:" in bad.output and "Traceback" not in bad.output
