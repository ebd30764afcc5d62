"""PyTorch interop: fcnn → torch → fcnn for every registry entry, real torch models → fcnn,
outputs (and gradients) agreeing within 1e-6 in float64 in eval and train mode, clear
errors for what has no twin, and PyTorch state dicts loaded from safetensors files."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
import safetensors.torch
import torch
from torch import nn

import cases_activations
import cases_layers
import fcnn
from fcnn.interop import from_torch, load_torch_state_dict, to_torch
from fcnn.interop.torch_interop import TorchMaxout

MODULE_CASES = cases_layers.CASES + cases_activations.CASES
TOL = 1e-6  # the bound for float64; the conversions are exact copies, so ~1e-15


def close(ours, theirs, tol=TOL, what="output"):
    ours, theirs = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    assert ours.shape == theirs.shape, f"{what}: {ours.shape} vs {theirs.shape}"
    err = float(np.max(np.abs(ours - theirs) / np.maximum(1.0, np.abs(theirs))))
    assert err <= tol, f"{what}: differs by {err:.3g}"


def torch_out(module, x):
    return module(torch.from_numpy(np.ascontiguousarray(x))).detach().numpy()


def deterministic(case, training: bool) -> bool:
    return not (training and case.cls == "Dropout")  # random masks differ


@pytest.mark.parametrize("training", [False, True], ids=["eval", "train"])
@pytest.mark.parametrize("case", MODULE_CASES, ids=lambda c: c.id)
def test_to_torch_and_back(case, training):
    ours = case.make(np.float64).train(training)
    theirs = to_torch(ours)
    assert theirs.training == training
    x = case.make_input(np.random.default_rng(0))
    assert all(p.dtype == torch.float64 for p in theirs.parameters())
    back = from_torch(theirs)
    assert back.spec() == ours.spec() and back.training == training
    for key, value in ours.state_dict().items():
        assert np.array_equal(back.state_dict()[key], value), key
    if not deterministic(case, training):
        assert type(theirs) is nn.Dropout and theirs.p == ours.p
        return
    want = ours(x)
    close(torch_out(theirs, x), want)
    close(back(x), want)
    if training and case.cls == "BatchNorm1d" and ours.track_running_stats:
        # One train-mode forward each: the running statistics moved the same way.
        for key in ("running_mean", "running_var"):
            close(theirs.state_dict()[key].numpy(), ours.state_dict()[key], what=key)
        assert int(theirs.num_batches_tracked) == int(ours.num_batches_tracked)


def _zoo():
    """torch models built the PyTorch way (torch's own initialisation), every layer kind."""
    torch.manual_seed(0)

    def bn(n):
        layer = nn.BatchNorm1d(n)
        with torch.no_grad():
            layer.running_mean.uniform_(-1, 1)
            layer.running_var.uniform_(0.5, 2)
            layer.weight.uniform_(0.5, 1.5)
            layer.bias.uniform_(-1, 1)
        return layer

    return {
        "mlp": nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 3)),
        "batchnorm-dropout": nn.Sequential(
            nn.Linear(6, 8), bn(8), nn.Tanh(), nn.Dropout(0.2), nn.Linear(8, 2), nn.Sigmoid()
        ),
        "activations": nn.Sequential(
            nn.Linear(6, 5),
            nn.LeakyReLU(0.2),
            nn.PReLU(5, init=0.1),
            nn.ELU(0.7),
            nn.SELU(),
            nn.GELU(),
            nn.GELU(approximate="tanh"),
            nn.SiLU(),
            nn.Softplus(beta=2.0, threshold=3.0),
            nn.PReLU(),
            nn.Identity(),
            nn.Linear(5, 4),
            nn.LogSoftmax(dim=1),
        ),
        "nested": nn.Sequential(
            nn.Flatten(),
            nn.Sequential(nn.Linear(6, 4), bn(4), nn.ReLU()),
            nn.Sequential(nn.Sequential(nn.Linear(4, 3)), nn.Softmax()),
        ),
        "maxout": nn.Sequential(TorchMaxout(6, 4, pieces=3), nn.BatchNorm1d(4), nn.Linear(4, 2)),
        "no-affine-bn": nn.Sequential(
            nn.Linear(6, 4), nn.BatchNorm1d(4, affine=False, momentum=None), nn.Softmax(dim=0)
        ),
        "no-stats-bn": nn.Sequential(nn.Linear(6, 4), nn.BatchNorm1d(4, track_running_stats=False)),
        "linear": nn.Linear(6, 2, bias=False),
    }


ZOO = list(_zoo())


@pytest.mark.filterwarnings("ignore:Implicit dimension choice for softmax")
@pytest.mark.parametrize("training", [False, True], ids=["eval", "train"])
@pytest.mark.parametrize("name", ZOO)
def test_from_torch_matches_torch(name, training):
    theirs = _zoo()[name].double().train(training)
    ours = from_torch(theirs)
    assert ours.dtype == np.float64 and ours.training == training
    assert list(ours.state_dict()) == list(theirs.state_dict())  # the same keys, in order
    x = np.random.default_rng(1).standard_normal((16, 6)) * 2
    has_dropout = any(isinstance(m, nn.Dropout) for m in theirs.modules())
    if training and has_dropout:
        for m in theirs.modules():
            if isinstance(m, nn.Dropout):
                m.eval()  # switch the random part off on both sides
        for m in ours.modules():
            if isinstance(m, fcnn.Dropout):
                m.eval()
    want = torch_out(theirs, x)
    close(ours(x), want)
    if training:  # train mode updates the running statistics identically
        for key, value in theirs.state_dict().items():
            close(ours.state_dict()[key], value.numpy(), what=key)
    back = to_torch(ours)  # and back to torch, with the statistics both have now
    assert type(back) is type(theirs)
    close(torch_out(back.eval(), x), torch_out(theirs.eval(), x))


def test_copies_share_no_memory():
    ours = fcnn.mlp([3, 4, 2], batchnorm=True, seed=0)
    theirs = to_torch(ours)
    again = from_torch(theirs)
    before = {k: v.clone() for k, v in theirs.state_dict().items()}
    for param in ours.parameters():
        param.data += 1.0
    ours[1].running_mean += 1.0
    assert all(torch.equal(before[k], v) for k, v in theirs.state_dict().items())
    with torch.no_grad():
        for param in theirs.parameters():
            param += 1.0
    assert np.array_equal(again[0].weight.data + 1.0, theirs[0].weight.detach().numpy())


def test_gradients_agree_after_conversion():
    theirs = _zoo()["activations"].double()
    ours = from_torch(theirs)
    x = np.random.default_rng(2).standard_normal((8, 6))
    xt = torch.from_numpy(x).requires_grad_(True)
    yt = theirs(xt)
    upstream = np.random.default_rng(3).standard_normal(yt.shape)
    yt.backward(torch.from_numpy(upstream))
    ours.zero_grad()
    y = ours(x)
    close(y, yt.detach().numpy())
    close(ours.backward(upstream), xt.grad.numpy(), what="grad input")
    for (name, param), (their_name, their_param) in zip(
        ours.named_parameters(), theirs.named_parameters(), strict=True
    ):
        assert name == their_name
        close(param.grad, their_param.grad.numpy(), what=f"grad {name}")


def test_dtypes_follow_the_model():
    theirs = nn.Sequential(nn.Linear(3, 4), nn.GELU(), nn.Linear(4, 2))
    ours = from_torch(theirs)
    assert ours.dtype == np.float32 and ours[0].weight.dtype == np.float32
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    close(ours(x), torch_out(theirs, x), tol=1e-5)
    assert from_torch(theirs, dtype="float64").dtype == np.float64
    back = to_torch(fcnn.mlp([3, 4, 2], seed=0))
    assert all(p.dtype == torch.float32 for p in back.parameters())
    half = nn.Linear(3, 2).half()
    assert from_torch(half).dtype == np.float32  # float16 becomes fcnn's float32
    assert from_torch(nn.Softmax()).dim == 1  # PyTorch's implicit dim for 2-D input


def test_per_module_train_flags_are_kept():
    theirs = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Dropout(0.5))
    theirs.train()
    theirs[1].eval()
    ours = from_torch(theirs)
    assert [m.training for m in ours] == [True, False, True] and ours.training
    assert [m.training for m in to_torch(ours)] == [True, False, True]


def test_unsupported_layers_are_named():
    with pytest.raises(TypeError, match=r"unsupported layer Conv2d at index 0"):
        from_torch(nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU()))
    with pytest.raises(TypeError, match=r"unsupported layer Hardswish at index 1\.2"):
        from_torch(
            nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), nn.Tanh(), nn.Hardswish()))
        )
    with pytest.raises(TypeError, match=r"unsupported layer LSTM \(the model itself\)"):
        from_torch(nn.LSTM(2, 3))

    class Custom(nn.Module):
        def forward(self, x):
            return x

    with pytest.raises(TypeError, match="unsupported layer Custom at index 1"):
        from_torch(nn.Sequential(nn.Linear(2, 2), Custom()))
    with pytest.raises(ValueError, match="start_dim=2"):
        from_torch(nn.Sequential(nn.Flatten(start_dim=2)))
    with pytest.raises(ValueError, match="p < 1"):
        from_torch(nn.Dropout(1.0))
    with pytest.raises(TypeError, match=r"torch\.nn\.Module"):
        from_torch(fcnn.Linear(2, 3))

    class Square(fcnn.Module):
        def forward(self, x):
            return x**2

    with pytest.raises(TypeError, match=r"unsupported layer Square at index 1"):
        to_torch(fcnn.Sequential(fcnn.Linear(2, 2), Square()))
    with pytest.raises(TypeError, match="fcnn Module"):
        to_torch(nn.Linear(2, 2))


def test_torch_maxout_saves_and_loads_with_torch():
    model = to_torch(fcnn.mlp([4, 5, 2], activation="maxout", pieces=3, seed=0))
    assert type(model[0]).__name__ == "TorchMaxout" and "pieces=3" in repr(model[0])
    buffer = io.BytesIO()
    torch.save(model, buffer)
    buffer.seek(0)
    again = torch.load(buffer, weights_only=False)
    x = torch.randn(3, 4)
    assert torch.equal(again(x), model(x))
    fresh = TorchMaxout(4, 5, pieces=3)  # nn.Linear's initialisation
    assert fresh.weight.abs().max() <= 0.5 and fresh.bias is not None


# --------------------------------------------------------------------------- state dicts


def _torch_mlp():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.1), nn.Linear(8, 3)
    )


def test_load_a_torch_state_dict_from_safetensors(tmp_path):
    theirs = _torch_mlp()
    theirs.train()
    theirs(torch.randn(32, 4))  # move the running statistics away from their start
    theirs.eval()
    path = tmp_path / "torch.safetensors"
    safetensors.torch.save_file(theirs.state_dict(), path)
    ours = fcnn.mlp([4, 8, 3], batchnorm=True, dropout=0.1, seed=0)
    result = load_torch_state_dict(ours, path)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert int(ours[1].num_batches_tracked) == 1
    x = np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32)
    close(ours.eval()(x), torch_out(theirs, x), tol=1e-5)
    as64 = fcnn.mlp([4, 8, 3], batchnorm=True, dropout=0.1, dtype="float64", seed=0)
    load_torch_state_dict(as64, path)  # float32 tensors cast to the model's float64
    assert as64[0].weight.dtype == np.float64
    close(as64.eval()(x.astype(np.float64)), torch_out(theirs.double(), x.astype(np.float64)))


def test_state_dict_mismatches_are_explained(tmp_path):
    path = tmp_path / "torch.safetensors"
    safetensors.torch.save_file(_torch_mlp().state_dict(), path)
    model = fcnn.mlp([4, 8, 3], seed=0)  # no BatchNorm: keys differ
    before = model.state_dict()
    with pytest.raises(fcnn.ModelFileError, match="does not fit Sequential") as info:
        load_torch_state_dict(model, path)
    message = str(info.value)
    assert "missing keys ['2.weight', '2.bias']" in message
    assert "unexpected keys" in message and "1.running_mean" in message
    assert "2.weight has shape" not in message  # 2.weight is missing, not mis-shaped
    assert all(np.array_equal(before[k], v) for k, v in model.state_dict().items())
    wide = fcnn.mlp([4, 9, 3], batchnorm=True, dropout=0.1, seed=0)
    with pytest.raises(
        fcnn.ModelFileError, match=r"0\.weight has shape \(8, 4\) in the file but \(9, 4\)"
    ):
        load_torch_state_dict(wide, path)
    partial = fcnn.mlp([4, 8, 3], seed=0)
    safetensors.torch.save_file({"0.weight": torch.ones(8, 4)}, tmp_path / "part.safetensors")
    result = load_torch_state_dict(partial, tmp_path / "part.safetensors", strict=False)
    assert result.missing_keys == ["0.bias", "2.weight", "2.bias"] and result.unexpected_keys == []
    assert np.all(partial[0].weight.data == 1)


def test_prefixes_dtypes_and_bad_files(tmp_path):
    theirs = nn.Sequential(nn.Linear(3, 2))
    prefixed = {f"module.{k}": v for k, v in theirs.state_dict().items()}
    safetensors.torch.save_file(prefixed, tmp_path / "dp.safetensors")
    model = fcnn.Sequential(fcnn.Linear(3, 2))
    with pytest.raises(fcnn.ModelFileError, match=r"pass prefix='module\.'"):
        load_torch_state_dict(model, tmp_path / "dp.safetensors")
    load_torch_state_dict(model, tmp_path / "dp.safetensors", prefix="module.")
    assert np.array_equal(model[0].weight.data, theirs[0].weight.detach().numpy())
    bf16 = {k: v.to(torch.bfloat16) for k, v in theirs.state_dict().items()}
    safetensors.torch.save_file(bf16, tmp_path / "bf16.safetensors")
    with pytest.raises(fcnn.ModelFileError, match="BF16, which NumPy cannot read"):
        load_torch_state_dict(model, tmp_path / "bf16.safetensors")
    half = {k: v.half() for k, v in theirs.state_dict().items()}
    safetensors.torch.save_file(half, tmp_path / "f16.safetensors")
    load_torch_state_dict(model, tmp_path / "f16.safetensors")
    assert model[0].weight.dtype == np.float32
    (tmp_path / "junk.safetensors").write_bytes(b"not a safetensors file at all")
    with pytest.raises(fcnn.ModelFileError, match="not a readable safetensors file"):
        load_torch_state_dict(model, tmp_path / "junk.safetensors")
    with pytest.raises(FileNotFoundError):
        load_torch_state_dict(model, tmp_path / "missing.safetensors")
    with pytest.raises(TypeError, match="fcnn Module"):
        load_torch_state_dict(theirs, tmp_path / "dp.safetensors")


def test_fcnn_files_and_torch_state_dicts_share_keys(tmp_path):
    """A model saved by fcnn.save loads into torch by key, and back, with no renaming."""
    ours = fcnn.mlp([5, 6, 2], activation="tanh", batchnorm=True, seed=3)
    fcnn.save(ours, tmp_path / "fcnn.safetensors")
    theirs = nn.Sequential(nn.Linear(5, 6), nn.BatchNorm1d(6), nn.Tanh(), nn.Linear(6, 2))
    theirs.load_state_dict(safetensors.torch.load_file(tmp_path / "fcnn.safetensors"))
    x = np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32)
    close(torch_out(theirs.eval(), x), ours.eval()(x), tol=1e-5)
    meta = json.loads(fcnn.io.read_metadata(tmp_path / "fcnn.safetensors")["spec"])
    assert meta["type"] == "Sequential"


def test_a_max_norm_constraint_is_dropped_with_a_warning():
    model = fcnn.mlp([3, 4, 2], max_norm=2.0, seed=0)
    with pytest.warns(UserWarning, match=r"max_norm of 0 is fcnn's own"):
        net = fcnn.io.to_torch(model)
    np.testing.assert_array_equal(net[0].weight.detach().numpy(), model[0].weight.data)
