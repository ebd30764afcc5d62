"""Module hooks against PyTorch's: the same network, the same hooks, the same calls.

Each test registers hooks on every module of a small fcnn network and of its PyTorch
twin (same weights, float64), runs both, and compares the order of the calls and the
arrays each hook is shown (``args``, ``output``, ``grad_input``, ``grad_output``) to
1e-6. ``model.backward(g)`` is PyTorch's backward with an input that requires grad;
``backward_to_parameters`` is PyTorch's backward with one that does not.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

import fcnn
from fcnn.activations import ReLU

SIZES = [3, 5, 4, 2]


def twins(seed: int = 0):
    """An fcnn network and its PyTorch copy: Linear, ReLU, Linear, Tanh, Linear."""
    torch.manual_seed(seed)
    reference = torch.nn.Sequential(
        torch.nn.Linear(3, 5),
        torch.nn.ReLU(),
        torch.nn.Linear(5, 4),
        torch.nn.Tanh(),
        torch.nn.Linear(4, 2),
    ).double()
    model = fcnn.Sequential(
        fcnn.Linear(3, 5), fcnn.ReLU(), fcnn.Linear(5, 4), fcnn.Tanh(), fcnn.Linear(4, 2)
    ).to(np.float64)
    model.load_state_dict({k: v.detach().numpy() for k, v in reference.state_dict().items()})
    return model, reference


def data(seed: int = 1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((6, 3)), rng.standard_normal((6, 2))


def as_numpy(value):
    """Hook arguments as plain values: tuples of arrays (None stays None)."""
    if isinstance(value, tuple):
        return tuple(as_numpy(v) for v in value)
    if isinstance(value, torch.Tensor):
        return value.detach().numpy().copy()
    return None if value is None else np.array(value, copy=True)


def record_all(model, log):
    """Register all three kinds of hook on ``model`` and each layer; return the handles."""
    handles = []
    for name, module in [("model", model), *((str(i), m) for i, m in enumerate(model))]:
        handles += [
            module.register_forward_pre_hook(
                lambda m, args, n=name: log.append(("pre", n, as_numpy(args)))
            ),
            module.register_forward_hook(
                lambda m, args, out, n=name: log.append(("forward", n, as_numpy((*args, out))))
            ),
            module.register_full_backward_hook(
                lambda m, gi, go, n=name: log.append(("backward", n, as_numpy((*gi, *go))))
            ),
        ]
    return handles


def assert_same_calls(ours, theirs):
    assert [entry[:2] for entry in ours] == [entry[:2] for entry in theirs]
    for (kind, name, a), (_, _, b) in zip(ours, theirs, strict=True):
        assert len(a) == len(b), (kind, name)
        for x, y in zip(a, b, strict=True):
            if y is None:
                assert x is None, (kind, name)
            else:
                np.testing.assert_allclose(x, y, rtol=1e-6, atol=1e-12, err_msg=f"{kind} {name}")


def assert_same_grads(model, reference):
    for (name, p), q in zip(model.named_parameters(), reference.parameters(), strict=True):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-6, atol=1e-12, err_msg=name)


@pytest.mark.filterwarnings("ignore:Full backward hook is firing")
@pytest.mark.parametrize("to_parameters", [False, True], ids=["backward", "to_parameters"])
def test_hooks_see_what_pytorchs_see_in_the_same_order(to_parameters):
    model, reference = twins()
    x, g = data()
    ours, theirs = [], []
    record_all(model, ours)
    record_all(reference, theirs)

    out = model(x)
    if to_parameters:
        model.backward_to_parameters(g)
    else:
        model.backward(g)
    xt = torch.tensor(x, requires_grad=not to_parameters)
    reference(xt).backward(torch.tensor(g))

    assert_same_calls(ours, theirs)
    np.testing.assert_allclose(out, reference(xt).detach().numpy(), rtol=1e-6)
    assert_same_grads(model, reference)
    # Without an input gradient the model's hook runs first and the first layer's shows
    # grad_input (None,), as PyTorch's do for an input that does not require grad.
    backward = [(name, arrays[0]) for kind, name, arrays in ours if kind == "backward"]
    if to_parameters:
        assert [name for name, _ in backward] == ["model", "4", "3", "2", "1", "0"]
        assert backward[0][1] is None and backward[-1][1] is None
    else:
        assert [name for name, _ in backward] == ["4", "3", "2", "1", "0", "model"]


def test_returned_values_replace_input_output_and_grad_input_as_in_pytorch():
    # fcnn has no autograd, so a replacement is not differentiated: backward takes it as
    # the module's own input or output. Shifts (derivative 1) give PyTorch's gradients.
    model, reference = twins(seed=2)
    x, g = data(seed=3)
    for net in (model, reference):
        net[2].register_forward_pre_hook(lambda m, args: args[0] + 0.5)  # a lone value
        net[3].register_forward_hook(lambda m, args, out: out + 1.0)
        net[1].register_full_backward_hook(lambda m, gi, go: (gi[0] * 3.0,))
        net[4].register_forward_hook(lambda m, args, out: None)  # None changes nothing
    out = model(x)
    model.backward(g)
    xt = torch.tensor(x, requires_grad=True)
    expected = reference(xt)
    expected.backward(torch.tensor(g))
    np.testing.assert_allclose(out, expected.detach().numpy(), rtol=1e-6)
    assert_same_grads(model, reference)
    # The pre-hook's replacement is what the layer's forward hook is shown as args.
    seen = []
    model[2].register_forward_hook(lambda m, args, out: seen.append(args[0]))
    reference_seen = []
    reference[2].register_forward_hook(lambda m, args, out: reference_seen.append(args[0]))
    model(x), reference(xt)
    np.testing.assert_allclose(seen[0], reference_seen[0].detach().numpy(), rtol=1e-6)


def test_hooks_fire_when_a_module_is_called_on_its_own():
    layer = fcnn.Linear(3, 2, seed=0, dtype=np.float64)
    x, g = data()
    log = []
    record_all(fcnn.Sequential(), log)  # an empty container: no layers, hooks on itself only
    layer.register_forward_pre_hook(lambda m, args: log.append("pre"))
    layer.register_forward_hook(lambda m, args, out: log.append("forward"))
    layer.register_full_backward_hook(lambda m, gi, go: log.append(("backward", gi[0] is None)))
    layer(x)
    layer.forward(x)  # the library calls forward itself (fit, predict): hooks fire there too
    dx = layer.backward(g)
    layer.backward_to_parameters(g)
    assert log == ["pre", "forward", "pre", "forward", ("backward", False), ("backward", True)]
    np.testing.assert_allclose(dx, g @ layer.weight.data)


def test_remove_and_the_handle_as_a_context_manager():
    model, _ = twins()
    x, _ = data()
    log = []
    handle = model[1].register_forward_hook(lambda m, args, out: log.append("kept"))
    with model[1].register_forward_hook(lambda m, args, out: log.append("scoped")):
        model(x)
    model(x)
    handle.remove()
    handle.remove()  # twice does nothing
    model(x)
    assert log == ["kept", "scoped", "kept"]
    with pytest.raises(TypeError, match="callable"):
        model.register_forward_hook("not a function")


def test_a_layer_without_hooks_again_runs_in_place(monkeypatch):
    # Hooks keep a layer off Sequential's in-place path; removing the last one puts it back.
    calls = []
    original = ReLU._forward_owned
    monkeypatch.setattr(
        ReLU, "_forward_owned", lambda self, a: calls.append("owned") or original(self, a)
    )
    model, _ = twins()
    x, _ = data()
    model(x)
    assert calls == ["owned"]
    handle = model[1].register_full_backward_hook(lambda m, gi, go: None)
    model(x)
    assert calls == ["owned"]
    handle.remove()
    model(x)
    assert calls == ["owned", "owned"]


def test_arrays_shown_to_hooks_are_never_overwritten_afterwards():
    # ReLU works in place on a Linear's fresh arrays inside a Sequential; what a hook keeps
    # (the Linear's output, the ReLU's input and gradients) must still hold its value.
    model, _ = twins()
    x, g = data()
    kept = []
    for layer in model:
        layer.register_forward_hook(lambda m, args, out: kept.append((args[0], out)))
        layer.register_full_backward_hook(lambda m, gi, go: kept.append((gi[0], go[0])))
    snapshot = []
    for layer in model:
        layer.register_forward_hook(
            lambda m, args, out: snapshot.append((args[0].copy(), out.copy()))
        )
        layer.register_full_backward_hook(
            lambda m, gi, go: snapshot.append((gi[0].copy(), go[0].copy()))
        )
    model(x)
    model.backward(g)
    for (a, b), (a0, b0) in zip(kept, snapshot, strict=True):
        np.testing.assert_array_equal(a, a0)
        np.testing.assert_array_equal(b, b0)


def test_a_gradient_returned_where_none_is_computed_is_refused_as_in_pytorch():
    model, reference = twins()
    x, g = data()
    for net in (model, reference):
        net[0].register_full_backward_hook(lambda m, gi, go: (go[0][:, :3],))
    model(x)
    with pytest.raises(RuntimeError, match="return None"):
        model.backward_to_parameters(g)
    with pytest.raises(RuntimeError), pytest.warns(UserWarning):
        reference(torch.tensor(x)).backward(torch.tensor(g))
    layer = fcnn.Linear(3, 2, seed=0)
    layer.register_full_backward_hook(lambda m, gi, go: gi[0])  # not a tuple
    layer(x)
    with pytest.raises(TypeError, match="1-tuple"):
        layer.backward(g)


def test_a_deep_copy_keeps_its_hooks_and_runs_them_on_itself():
    # As copy.deepcopy of a torch module does; diagnose deep-copies the models it probes.
    model, _ = twins()
    x, _ = data()
    seen = []
    model[0].register_forward_hook(lambda m, args, out: seen.append(m))
    twin = copy.deepcopy(model)
    twin(x)
    model(x)
    assert seen == [twin[0], model[0]]
