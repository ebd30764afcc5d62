"""Model files (fcnn.io): round trips of every registered module, metadata, atomic writes,
and every kind of bad file raising ModelFileError, including fuzzed bytes."""

from __future__ import annotations

import copy
import json
import os
import struct
from pathlib import Path

import numpy as np
import pytest
import safetensors.numpy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cases_activations
import cases_layers
import fcnn
import fcnn.io as fio
from fcnn.io import ModelFileError

MODULE_CASES = cases_layers.CASES + cases_activations.CASES
DTYPES = pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
N = 8


# --------------------------------------------------------------------------- helpers


def every_module_model(dtype) -> fcnn.Sequential:
    """A Sequential holding one instance of every registry case (hence of every registered
    module type), joined by Linear bridges where widths differ. Input: (N, 2, 3)."""
    rng = np.random.default_rng(0)
    layers: list[fcnn.Module] = [fcnn.Flatten(dtype=dtype)]
    width = 6
    for case in MODULE_CASES:
        module = case.make(dtype)
        need = case.make_input(rng).shape[1:]
        if len(need) == 1 and need[0] != width:  # only Flatten takes more than 2-D input
            layers.append(fcnn.Linear(width, need[0], dtype=dtype, seed=len(layers)))
            width = need[0]
        module.eval()
        width = module(rng.standard_normal((N, width))).shape[1]
        layers.append(module.train())
    return fcnn.Sequential(*layers)


def train_a_little(model: fcnn.Module, steps: int = 3) -> None:
    """Training-like changes: SGD steps on random targets (moves BatchNorm running stats)."""
    rng = np.random.default_rng(1)
    model.train()
    for _ in range(steps):
        x = rng.standard_normal((N, 2, 3))
        y = model(x)
        model.zero_grad()
        model.backward((y - rng.standard_normal(y.shape)).astype(y.dtype) / N)
        for param in model.parameters():
            param.data -= 0.05 * param.grad


def small_model(dtype=np.float32) -> fcnn.Sequential:
    return fcnn.Sequential(
        fcnn.Linear(3, 4, seed=0), fcnn.BatchNorm1d(4), fcnn.Linear(4, 2, seed=1)
    ).to(dtype)


def write_raw(path: Path, tensors: dict, metadata: dict | None) -> Path:
    safetensors.numpy.save_file(tensors, path, metadata=metadata)
    return path


def fcnn_metadata(spec, **extra) -> dict:
    return {"format": "fcnn", "fcnn_version": fcnn.__version__, "spec": json.dumps(spec), **extra}


def bits_equal(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def load_error(path: Path) -> str:
    with pytest.raises(ModelFileError) as info:
        fio.load(path)
    message = str(info.value)
    assert path.name in message, message
    assert info.value.path == path
    assert isinstance(info.value, ValueError)
    return message


# --------------------------------------------------------------------------- round trips


def test_every_registered_module_is_in_the_round_trip_model():
    model = every_module_model(np.float64)
    present = {type(m).__name__ for m in model.modules()}
    missing = sorted(set(fcnn.MODULES) - present)
    assert not missing, f"registered modules missing from the round-trip model: {missing}"


@DTYPES
def test_round_trip_every_module(tmp_path, dtype):
    model = every_module_model(dtype)
    train_a_little(model)
    path = fio.save(model, tmp_path / "model.safetensors")
    assert path == tmp_path / "model.safetensors"
    loaded = fio.load(path)

    assert type(loaded) is fcnn.Sequential
    assert loaded.spec() == model.spec()
    assert loaded.dtype == np.dtype(dtype)
    assert loaded.training, "a loaded model starts in training mode, like a new one"
    original, restored = model.state_dict(), loaded.state_dict()
    assert list(restored) == list(original)
    for key in original:
        assert bits_equal(restored[key], original[key]), key
    bn = [m for m in model.modules() if isinstance(m, fcnn.BatchNorm1d) and m.track_running_stats]
    assert any(int(m.num_batches_tracked) == 3 for m in bn), "training did not move running stats"

    x = np.random.default_rng(2).standard_normal((N, 2, 3))
    expected = model.eval()(x)
    got = loaded.eval()(x)
    assert got.dtype == np.dtype(dtype)
    assert bits_equal(got, expected)


def test_dtype_override(tmp_path):
    model = every_module_model(np.float32)
    train_a_little(model)
    path = fio.save(model, tmp_path / "m.safetensors")
    wide = fio.load(path, dtype=np.float64)
    assert wide.dtype == np.float64
    for key, value in wide.state_dict().items():
        stored = model.state_dict()[key]
        want = np.float64 if stored.dtype.kind == "f" else stored.dtype
        assert value.dtype == want, key
        np.testing.assert_array_equal(value, stored.astype(want))
    x = np.random.default_rng(3).standard_normal((N, 2, 3))
    np.testing.assert_allclose(wide.eval()(x), model.eval()(x), rtol=1e-3, atol=1e-4)
    narrow = fio.load(fio.save(wide, tmp_path / "w.safetensors"), dtype="float32")
    assert all(bits_equal(narrow.state_dict()[k], v) for k, v in model.state_dict().items())
    with pytest.raises(TypeError, match="float32 or float64"):
        fio.load(path, dtype=np.int32)


@DTYPES
def test_parameter_free_model_keeps_its_dtype(tmp_path, dtype):
    model = fcnn.Sequential(fcnn.Flatten(), fcnn.Dropout(0.3)).to(dtype)
    loaded = fio.load(fio.save(model, tmp_path / "p.safetensors"))
    assert loaded.spec() == model.spec()
    assert loaded.dtype == np.dtype(dtype)


def test_single_layer_and_str_path(tmp_path):
    layer = fcnn.Linear(5, 3, bias=False, seed=4)
    path = fio.save(layer, str(tmp_path / "linear.safetensors"))
    loaded = fio.load(str(path))
    assert type(loaded) is fcnn.Linear and loaded.bias is None
    assert bits_equal(loaded.weight.data, layer.weight.data)


def test_file_contents(tmp_path):
    model = small_model()
    path = fio.save(model, tmp_path / "m.safetensors")
    meta = fio.read_metadata(path)
    assert meta["format"] == "fcnn"
    assert meta["fcnn_version"] == fcnn.__version__
    assert meta["dtype"] == "float32"
    assert json.loads(meta["spec"]) == model.spec()
    plain = safetensors.numpy.load_file(path)  # any safetensors reader gets the weights
    assert sorted(plain) == sorted(model.state_dict())
    assert plain["1.num_batches_tracked"].dtype == np.int64


def test_user_metadata_round_trip(tmp_path):
    extra = {"dataset": "mnist", "epochs": "12", "note": "ünïcode ✓", "empty": ""}
    path = fio.save(small_model(), tmp_path / "m.safetensors", metadata=extra)
    meta = fio.read_metadata(path)
    assert {k: meta[k] for k in extra} == extra
    assert set(meta) == set(extra) | {"format", "fcnn_version", "dtype", "spec"}
    fio.load(path)  # user metadata does not disturb loading


@pytest.mark.parametrize("key", ["format", "spec", "dtype", "fcnn_version", "fcnn_epoch"])
def test_reserved_metadata_key_refused(tmp_path, key):
    target = tmp_path / "m.safetensors"
    with pytest.raises(ValueError, match=f"{key!r} is reserved"):
        fio.save(small_model(), target, metadata={key: "x"})
    assert not target.exists()


@pytest.mark.parametrize("metadata", [{"a": 1}, {1: "a"}, [("a", "b")]], ids=str)
def test_non_string_metadata_refused(tmp_path, metadata):
    with pytest.raises(TypeError, match="metadata"):
        fio.save(small_model(), tmp_path / "m.safetensors", metadata=metadata)
    assert list(tmp_path.iterdir()) == []


def test_read_metadata_of_foreign_and_bad_files(tmp_path):
    bare = write_raw(tmp_path / "bare.safetensors", {"w": np.ones(2, np.float32)}, None)
    assert fio.read_metadata(bare) == {}
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"not a model")
    with pytest.raises(ModelFileError, match=r"junk\.safetensors is not a readable safetensors"):
        fio.read_metadata(junk)
    with pytest.raises(FileNotFoundError):
        fio.read_metadata(tmp_path / "missing.safetensors")


# --------------------------------------------------------------------------- refusing to save


class Unregistered(fcnn.Module):
    def forward(self, x):
        return x

    def backward(self, grad_output):
        return grad_output


def test_unregistered_module_refused_before_writing(tmp_path):
    target = tmp_path / "m.safetensors"
    with pytest.raises(TypeError, match="Unregistered is not a registered fcnn module"):
        fio.save(Unregistered(), target)
    nested = fcnn.Sequential(fcnn.Linear(2, 2), Unregistered())
    with pytest.raises(TypeError, match="register_module"):
        fio.save(nested, target)
    assert list(tmp_path.iterdir()) == []


def test_spec_that_is_not_json_refused(tmp_path):
    bn = fcnn.BatchNorm1d(2)
    bn.eps = float("inf")  # the constructor refuses it; a spec that is not JSON must be refused too
    with pytest.raises(ValueError, match="not JSON"):
        fio.save(bn, tmp_path / "m.safetensors")
    assert list(tmp_path.iterdir()) == []


def test_non_module_refused(tmp_path):
    with pytest.raises(TypeError, match="expected an fcnn Module, got dict"):
        fio.save({"weight": np.ones(2)}, tmp_path / "m.safetensors")


# --------------------------------------------------------------------------- atomic writes


def test_atomic_write_bytes_and_text(tmp_path):
    target = tmp_path / "f.json"
    assert fio.atomic_write_text(target, '{"a": 1}\n') == target
    assert target.read_bytes() == b'{"a": 1}\n'
    fio.atomic_write_bytes(str(target), b"\x00\xff")
    assert target.read_bytes() == b"\x00\xff"
    fio.atomic_write_text(target, "é", encoding="latin-1")
    assert target.read_bytes() == b"\xe9"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]
    with pytest.raises(TypeError, match="bytes"):
        fio.atomic_write_bytes(target, "text")
    with pytest.raises(TypeError, match="str"):
        fio.atomic_write_text(target, b"bytes")
    with pytest.raises(FileNotFoundError, match="cannot write dir: no such folder"):
        fio.atomic_write_bytes(tmp_path / "no" / "such" / "dir", b"x")


def test_files_module_is_the_one_home_of_atomic_writes_and_model_file_error():
    # fcnn.files (floor 1) holds them; fcnn.io and fcnn offer the very same objects.
    import fcnn.files

    assert fcnn.ModelFileError is fio.ModelFileError is fcnn.files.ModelFileError
    assert fio.atomic_write_bytes is fcnn.files.atomic_write_bytes
    assert fio.atomic_write_text is fcnn.files.atomic_write_text


def _fail(*args, **kwargs):
    raise OSError(28, "No space left on device (simulated)")


def _interrupt(*args, **kwargs):
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    ("target", "failure"),
    [("replace", _fail), ("fsync", _fail), ("fsync", _interrupt)],
    ids=["replace-fails", "fsync-fails", "interrupted"],
)
def test_failed_save_keeps_old_file_and_leaves_no_temp(tmp_path, monkeypatch, target, failure):
    path = tmp_path / "model.safetensors"
    fio.save(small_model(), path)
    before = path.read_bytes()
    seen: list[Path] = []
    real_open = os.open

    def spying_open(name, *args, **kwargs):
        seen.append(Path(name))
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", spying_open)
    monkeypatch.setattr(os, target, failure)
    changed = small_model()
    changed[0].weight.data += 1.0
    with pytest.raises((OSError, KeyboardInterrupt)):
        fio.save(changed, path)
    monkeypatch.undo()
    assert seen and seen[0].parent == tmp_path, "the temp file must be in the same folder"
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.safetensors"]
    assert bits_equal(fio.load(path)[0].weight.data, small_model()[0].weight.data)


def test_failure_while_writing_bytes(tmp_path, monkeypatch):
    path = tmp_path / "history.json"
    fio.atomic_write_text(path, "old")
    real_fdopen = os.fdopen

    class HalfWriter:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            self.handle.write(bytes(data[:3]))
            self.handle.flush()
            raise OSError(5, "I/O error (simulated)")

    monkeypatch.setattr(os, "fdopen", lambda fd, mode: HalfWriter(real_fdopen(fd, mode)))
    with pytest.raises(OSError, match="simulated"):
        fio.atomic_write_text(path, "new contents")
    monkeypatch.undo()
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["history.json"]


# --------------------------------------------------------------------------- bad files


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(FileNotFoundError):
        fio.load(tmp_path / "missing.safetensors")
    with pytest.raises(IsADirectoryError):
        fio.load(tmp_path)


def test_empty_truncated_and_corrupted_files(tmp_path):
    good = fio.save(small_model(), tmp_path / "good.safetensors").read_bytes()
    cases = {
        "empty": b"",
        "short": good[:5],
        "truncated": good[:-7],
        "header-cut": good[:40],
        "appended": good + b"\x00" * 8,
        "header-garbled": good[:8] + b"#" * 10 + good[18:],
    }
    for name, data in cases.items():
        path = tmp_path / f"{name}.safetensors"
        path.write_bytes(data)
        assert "is not a readable safetensors file" in load_error(path), name


def test_model_file_error_copies(tmp_path):
    err = ModelFileError(tmp_path / "m.safetensors", "is broken")
    clone = copy.deepcopy(err)  # the protocol multiprocessing uses to send errors home
    assert type(clone) is ModelFileError
    assert (clone.path, clone.problem, str(clone)) == (err.path, "is broken", str(err))


def test_absurd_header_length(tmp_path):
    for length in (2**63 - 1, 2**40, 10**8, 10**6):
        path = tmp_path / "absurd.safetensors"
        path.write_bytes(struct.pack("<Q", length) + b'{"__metadata__": {}}')
        assert "is not a readable safetensors file" in load_error(path)


def test_foreign_files(tmp_path):
    import torch
    from safetensors.torch import save_file

    pt = tmp_path / "torch.safetensors"
    save_file(torch.nn.Linear(3, 2).state_dict(), pt, metadata={"format": "pt"})
    assert "not an fcnn model file: its metadata says format='pt'" in load_error(pt)
    bare = write_raw(tmp_path / "bare.safetensors", {"weight": np.ones((2, 3))}, None)
    assert "not an fcnn model file: it has no metadata" in load_error(bare)
    other = write_raw(tmp_path / "other.safetensors", {}, {"author": "me"})
    assert "no 'format' in its metadata" in load_error(other)
    text = tmp_path / "model.json"
    text.write_text(json.dumps(small_model().spec()))
    assert "is not a readable safetensors file" in load_error(text)
    noise = tmp_path / "noise.bin"
    noise.write_bytes(np.random.default_rng(5).bytes(4096))
    assert "is not a readable safetensors file" in load_error(noise)


LINEAR = fcnn.Linear(3, 2, seed=0)


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ({"format": "fcnn"}, "is not an fcnn model file: no 'spec' in its metadata"),
        ({"format": "fcnn", "spec": '{"type": "Linear",'}, "has a spec that is not valid JSON"),
        ({"format": "fcnn", "spec": "[" * 100_000 + "]" * 100_000}, "spec that is not valid JSON"),
        (fcnn_metadata([1, 2]), "has a spec that is not a JSON object: list"),
        (fcnn_metadata({"type": "Evil", "cmd": "rm -rf /"}), "unknown layer type 'Evil'"),
        (fcnn_metadata({"in_features": 3}), "expected a dict with a string 'type'"),
        (fcnn_metadata({"type": "Linear", "in_features": 3}), "bad arguments for Linear"),
        (
            fcnn_metadata({"type": "Linear", "in_features": -3, "out_features": 2}),
            "in_features must be a positive integer",
        ),
        (
            fcnn_metadata({"type": "Sequential", "layers": {"0": {"type": "Flatten"}}}),
            "layers: expected a list",
        ),
    ],
    ids=[
        "no-spec",
        "bad-json",
        "deep-json",
        "not-object",
        "unknown-layer",
        "no-type",
        "bad-args",
        "bad-value",
        "layers-not-list",
    ],
)
def test_bad_specs(tmp_path, metadata, expected):
    path = write_raw(tmp_path / "bad.safetensors", dict(LINEAR.state_dict()), metadata)
    message = load_error(path)
    assert expected in message, message


def test_bad_dtype_in_metadata(tmp_path):
    meta = fcnn_metadata({"type": "Flatten"}, dtype="float16")
    path = write_raw(tmp_path / "f16.safetensors", {}, meta)
    assert "has dtype='float16' in its metadata" in load_error(path)


def test_version_hint_on_unbuildable_spec(tmp_path):
    meta = fcnn_metadata({"type": "FutureLayer"}, fcnn_version="99.0")
    path = write_raw(tmp_path / "future.safetensors", {}, meta)
    assert "written by fcnn 99.0" in load_error(path)


def test_huge_claimed_architecture_refused_without_building(tmp_path, monkeypatch):
    def no_building(*args, **kwargs):
        raise AssertionError("from_spec must not be called for an absurd spec")

    monkeypatch.setattr(fio, "from_spec", no_building)
    spec = {"type": "Linear", "in_features": 10**6, "out_features": 10**6}
    path = write_raw(tmp_path / "huge.safetensors", {"weight": np.ones(3)}, fcnn_metadata(spec))
    assert "claims about" in load_error(path)
    many = {"type": "Sequential", "layers": [{"type": "BatchNorm1d", "num_features": 10**5}] * 400}
    path = write_raw(tmp_path / "many.safetensors", {}, fcnn_metadata(many))
    assert "refusing to build it" in load_error(path)


def _changed(state: dict, key: str, value) -> dict:
    changed = dict(state)
    if value is None:
        del changed[key]
    else:
        changed[key] = value
    return changed


SMALL_STATE = dict(small_model().state_dict())


@pytest.mark.parametrize(
    ("tensors", "expected"),
    [
        (_changed(SMALL_STATE, "2.bias", None), "missing '2.bias'"),
        ({**SMALL_STATE, "3.weight": np.ones((2, 2), np.float32)}, "unexpected '3.weight'"),
        ({}, "missing '0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean' and 4 more"),
        (
            _changed(SMALL_STATE, "0.weight", np.ones((3, 4), np.float32)),
            "0.weight has shape (3, 4)",
        ),
        (_changed(SMALL_STATE, "0.weight", np.ones((4, 3), np.int32)), "0.weight has dtype I32"),
        (_changed(SMALL_STATE, "2.bias", np.ones(2, np.float16)), "2.bias has dtype F16"),
        (_changed(SMALL_STATE, "1.weight", np.ones(4, bool)), "1.weight has dtype BOOL"),
        (
            _changed(SMALL_STATE, "1.num_batches_tracked", np.zeros((), np.float32)),
            "1.num_batches_tracked has dtype F32, expected I64",
        ),
        (
            _changed(SMALL_STATE, "1.num_batches_tracked", np.zeros((), np.int32)),
            "1.num_batches_tracked has dtype I32, expected I64",
        ),
    ],
    ids=["missing", "extra", "none", "shape", "int", "f16", "bool", "float-counter", "i32-counter"],
)
def test_tensors_that_do_not_match_the_spec(tmp_path, tensors, expected):
    meta = fcnn_metadata(small_model().spec())
    path = write_raw(tmp_path / "mismatch.safetensors", tensors, meta)
    message = load_error(path)
    assert "has tensors that do not match its spec" in message, message
    assert expected in message, message


def test_unsupported_stored_dtype(tmp_path):
    # numpy has no bfloat16: refused by name before safetensors is asked to decode it.
    header = {
        "__metadata__": fcnn_metadata({"type": "Linear", "in_features": 1, "out_features": 1}),
        "weight": {"dtype": "BF16", "shape": [1, 1], "data_offsets": [0, 2]},
        "bias": {"dtype": "F32", "shape": [1], "data_offsets": [2, 6]},
    }
    raw = json.dumps(header).encode()
    path = tmp_path / "bf16.safetensors"
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + bytes(6))
    assert "weight has dtype BF16, expected F32 or F64" in load_error(path)


# --------------------------------------------------------------------------- fuzzing

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def valid_file(fuzz_dir) -> bytes:
    model = fcnn.Sequential(
        fcnn.Linear(3, 4, seed=0), fcnn.BatchNorm1d(4), fcnn.Maxout(4, 2, seed=1)
    )
    model.train()(np.random.default_rng(0).standard_normal((N, 3)))  # moves running stats
    return fio.save(model, fuzz_dir / "valid.safetensors", metadata={"note": "x"}).read_bytes()


def load_bytes(folder: Path, data: bytes) -> fcnn.Module | ModelFileError:
    """Load ``data`` from a file; return the model or the ModelFileError (anything else escapes)."""
    path = folder / "fuzz.safetensors"
    path.write_bytes(data)
    try:
        return fio.load(path)
    except ModelFileError as err:
        assert "fuzz.safetensors" in str(err)
        return err


def test_every_truncation_is_refused(fuzz_dir, valid_file):
    assert isinstance(load_bytes(fuzz_dir, valid_file), fcnn.Module)
    for length in range(len(valid_file)):
        result = load_bytes(fuzz_dir, valid_file[:length])
        assert isinstance(result, ModelFileError), f"a file cut to {length} bytes loaded"


@FUZZ
@given(data=st.binary(max_size=1024))
def test_random_bytes_are_refused(fuzz_dir, data):
    assert isinstance(load_bytes(fuzz_dir, data), ModelFileError)


@FUZZ
@given(body=st.binary(max_size=600), extra=st.integers(-8, 16))
def test_plausible_header_length_then_random_bytes(fuzz_dir, body, extra):
    # A header length near the real size reaches safetensors' JSON parser, not just its
    # length check.
    length = max(len(body) + extra, 0)
    assert isinstance(load_bytes(fuzz_dir, struct.pack("<Q", length) + body), ModelFileError)


@FUZZ
@given(data=st.data())
def test_byte_flips_load_or_raise_model_file_error(fuzz_dir, valid_file, data):
    corrupted = bytearray(valid_file)
    flip = st.tuples(st.integers(0, len(valid_file) - 1), st.integers(1, 255))
    for index, mask in data.draw(st.lists(flip, min_size=1, max_size=4)):
        corrupted[index] ^= mask
    result = load_bytes(fuzz_dir, bytes(corrupted))
    assert isinstance(result, (ModelFileError, fcnn.Module)), type(result)


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 10**15)
    | st.floats(allow_nan=False)
    | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
ARG_NAMES = [
    "in_features", "out_features", "bias", "num_features", "eps", "momentum", "affine",
    "track_running_stats", "p", "pieces", "layers", "dtype", "rng", "seed", "dim",
    "negative_slope", "num_parameters", "alpha", "beta", "threshold",
]  # fmt: skip


@st.composite
def specs(draw, depth=2):
    spec = {"type": draw(st.sampled_from([*sorted(fcnn.MODULES), "Nope"]))}
    spec.update(draw(st.dictionaries(st.sampled_from(ARG_NAMES), JSON, max_size=4)))
    if depth and draw(st.booleans()):
        spec["layers"] = draw(st.lists(specs(depth=depth - 1), max_size=3))
    return spec


@FUZZ
@given(spec=specs(), with_tensors=st.booleans())
def test_random_specs_load_or_raise_model_file_error(fuzz_dir, spec, with_tensors):
    tensors = SMALL_STATE if with_tensors else {}
    path = write_raw(fuzz_dir / "spec.safetensors", tensors, fcnn_metadata(spec))
    try:
        result = fio.load(path)
    except ModelFileError as err:
        assert "spec.safetensors" in str(err)
    else:
        assert isinstance(result, fcnn.Module)
