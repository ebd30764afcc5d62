"""The backprop trace: the notes' worked example to the digit, every chain-rule product
against fcnn's own backward pass and against central differences, the SGD step, the three
renderings, the command and the refusals."""

from __future__ import annotations

import copy
import itertools
import json

import numpy as np
import pytest
from typer.testing import CliRunner

import fcnn
import fcnn.cli.explain  # registers the command even before fcnn.cli imports it
from fcnn.cli.app import app
from fcnn.explain import MAX_PARAMETERS, Trace, classic_example, explain, rules
from fcnn.losses import MSELoss
from fcnn.optim import SGD

runner = CliRunner()


@pytest.fixture(scope="module")
def classic() -> Trace:
    example = classic_example()
    return explain(example.model, example.x, example.target, **example.options)


# --------------------------------------------------------------------------- the notes' figures

# (what, how to read it from the trace, the figure as the example prints it)
PUBLISHED = [
    ("net_h1", lambda t: t.units["h1"].net, "0.3775"),
    ("out_h1", lambda t: t.units["h1"].out, "0.593269992"),
    ("out_h2", lambda t: t.units["h2"].out, "0.596884378"),
    ("out_o1", lambda t: t.units["o1"].out, "0.75136507"),
    ("out_o2", lambda t: t.units["o2"].out, "0.772928465"),
    ("E_total", lambda t: t.loss, "0.298371109"),
    ("dE/dw5 (chain rule)", lambda t: t.params["w5"].chain_rule, "0.082167041"),
    ("dE/dw5 (backward)", lambda t: t.params["w5"].gradient, "0.082167041"),
    ("w5+", lambda t: t.params["w5"].updated, "0.35891648"),
    ("w6+", lambda t: t.params["w6"].updated, "0.408666186"),
    ("w7+", lambda t: t.params["w7"].updated, "0.511301270"),
    ("w8+", lambda t: t.params["w8"].updated, "0.561370121"),
    ("w1+", lambda t: t.params["w1"].updated, "0.149780716"),
    ("w2+", lambda t: t.params["w2"].updated, "0.19956143"),
    ("w3+", lambda t: t.params["w3"].updated, "0.24975114"),
    ("w4+", lambda t: t.params["w4"].updated, "0.29950229"),
    # The intermediate figures the same worked example prints on the way.
    ("net_o1", lambda t: t.units["o1"].net, "1.105905967"),
    ("E_o1", lambda t: t.loss_terms["o1"], "0.274811083"),
    ("E_o2", lambda t: t.loss_terms["o2"], "0.023560026"),
    ("dE/dout_o1", lambda t: t.units["o1"].dE_dout, "0.74136507"),
    ("dout_o1/dnet_o1", lambda t: t.units["o1"].dout_dnet, "0.186815602"),
    ("dE_o1/dout_h1", lambda t: t.units["h1"].downstream[0].product, "0.055399425"),
    ("dE/dout_h1", lambda t: t.units["h1"].dE_dout, "0.036350306"),
    ("dout_h1/dnet_h1", lambda t: t.units["h1"].dout_dnet, "0.241300709"),
    ("dE/dw1", lambda t: t.params["w1"].gradient, "0.000438568"),
]


@pytest.mark.parametrize(("what", "read", "figure"), PUBLISHED, ids=[p[0] for p in PUBLISHED])
def test_classic_example_agrees_with_every_published_figure(classic, what, read, figure):
    decimals = len(figure.split(".")[1])
    assert f"{read(classic):.{decimals}f}" == figure, what


def test_classic_example_text_shows_the_figures(classic):
    text = classic.to_text()
    for what, read, _ in PUBLISHED:
        shown = f"{read(classic):.9f}".rstrip("0").rstrip(".")
        assert shown in text, (what, shown)
    assert "w5⁺ = w5 − η·∂E/∂w5 = 0.4 − 0.5 × 0.082167041 = 0.35891648" in text
    assert "∂E/∂w5 = ∂E/∂out_o1 · ∂out_o1/∂net_o1 · ∂net_o1/∂w5" in text
    assert "= 0.74136507 × 0.186815602 × 0.593269992 = 0.082167041" in text
    assert "δ_o1·w5 + δ_o2·w7" in text  # the sum over the units h1 feeds


def test_classic_example_builds_the_notes_network():
    model, x, target, options = classic_example()
    assert [type(layer).__name__ for layer in model] == ["Linear", "Sigmoid", "Linear", "Sigmoid"]
    assert model[0].weight.data.tolist() == [[0.15, 0.20], [0.25, 0.30]]  # h1 = w1·i1 + w2·i2
    assert model[2].weight.data.tolist() == [[0.40, 0.45], [0.50, 0.55]]  # o1 = w5·h1 + w6·h2
    assert model[0].bias.data.tolist() == [0.35, 0.35]
    assert model[2].bias.data.tolist() == [0.60, 0.60]
    assert x.tolist() == [0.05, 0.10] and target.tolist() == [0.01, 0.99]
    assert options == {"loss": "mse_half", "lr": 0.5, "update_biases": False, "shared_biases": True}


def test_classic_example_names_and_shared_biases(classic):
    assert list(classic.params) == [f"w{i}" for i in range(1, 9)] + ["b1", "b2"]
    w2, w7 = classic.params["w2"], classic.params["w7"]
    assert (w2.tensor, w2.entries, w2.source, w2.units) == ("0.weight", ((0, 1),), "i2", ("h1",))
    assert (w7.tensor, w7.entries, w7.source, w7.units) == ("2.weight", ((1, 0),), "h1", ("o2",))
    assert classic.units["o1"].weights == ("w5", "w6") and classic.units["o1"].bias == "b2"
    for name, value in (("b1", 0.35), ("b2", 0.60)):
        bias = classic.params[name]
        assert not bias.is_updated and bias.value == bias.updated == value
        assert len(bias.factors) == 2  # one parameter feeding both units of its layer
    # A shared bias's gradient is Σⱼ δⱼ, the sum of what backward gives each entry.
    model, x, target, _ = classic_example()
    loss = MSELoss(reduction="sum")
    loss(model(x.reshape(1, -1)), target.reshape(1, -1))
    model.backward(0.5 * loss.backward())
    for name, layer in (("b1", 0), ("b2", 2)):
        expected = model[layer].bias.grad.sum()
        assert classic.params[name].gradient == pytest.approx(expected, rel=1e-13)
        deltas = sum(classic.units[u].delta for u in classic.params[name].units)
        assert classic.params[name].chain_rule == pytest.approx(deltas, rel=1e-13)


# --------------------------------------------------------------------------- against the engine


def _small_net(activation, seed=3, sizes=(3, 4, 2), output=fcnn.Sigmoid):
    layers = []
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        layers.append(fcnn.Linear(a, b, seed=seed + i))
        layers.append(activation() if i < len(sizes) - 2 else output())
    return fcnn.Sequential(*layers).to(np.float64)  # the precision explain computes in


def _backward_gradients(model, x, target, loss):
    """model.backward's gradients for E = loss(model(x), target), on a copy."""
    model = copy.deepcopy(model)
    model.zero_grad()
    pred = model(np.asarray(x, dtype=np.float64).reshape(1, -1))
    if loss == "mse_half":
        mse = MSELoss(reduction="sum")
        mse(pred, np.reshape(target, (1, -1)))
        model.backward(0.5 * mse.backward())
    else:
        loss(pred, target)
        model.backward(loss.backward())
    return {key: p.grad.copy() for key, p in model.named_parameters()}


ACTIVATIONS = [
    fcnn.Tanh,
    fcnn.Sigmoid,
    fcnn.ReLU,
    lambda: fcnn.LeakyReLU(0.1),
    lambda: fcnn.ELU(0.5),
    fcnn.SELU,
    fcnn.GELU,
    lambda: fcnn.GELU(approximate="tanh"),
    fcnn.SiLU,
    lambda: fcnn.Softplus(beta=2.0),
    fcnn.Identity,
]


def test_every_activation_the_trace_follows_is_tested_here():
    # A new entry in the rule table needs its line in ACTIVATIONS above.
    assert {type(make()) for make in ACTIVATIONS} == set(rules.ACTIVATIONS)


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=lambda a: type(a()).__name__)
def test_chain_rule_products_equal_model_backward(activation):
    model = _small_net(activation)
    x, target = np.array([0.3, -0.8, 0.5]), np.array([0.2, 0.9])
    trace = explain(model, x, target, lr=0.1)
    grads = _backward_gradients(model, x, target, "mse_half")
    for p in trace.params.values():
        product = sum(f.dE_dout * f.dout_dnet * f.dnet_dparam for f in p.factors)
        assert p.chain_rule == pytest.approx(product, rel=1e-15, abs=1e-300)
        (entry,) = p.entries
        assert p.chain_rule == pytest.approx(grads[p.tensor][entry], rel=1e-12, abs=1e-15)
        assert p.gradient == grads[p.tensor][entry]
    assert trace.max_discrepancy < 1e-13
    # Each factor is what it says: ∂net/∂w is the sending unit's output.
    w = trace.params["w4"]  # the first weight of the second row: i1 → h2
    assert (w.source, w.units, w.factors[0].dnet_dparam) == ("i1", ("h2",), 0.3)


@pytest.mark.parametrize(
    ("loss", "target"),
    [
        ("mse", [0.2, 0.9]),
        ("bce", [0.0, 1.0]),
        ("bce_with_logits", [1.0, 0.0]),
        ("cross_entropy", 1),
        ("cross_entropy", [0.25, 0.75]),
        (fcnn.L1Loss(), [0.2, 0.9]),
        (fcnn.HuberLoss(reduction="sum", delta=0.1), [0.2, 0.9]),
        (fcnn.CrossEntropyLoss(label_smoothing=0.1), 0),
    ],
)
def test_every_loss_traces_the_library_gradient(loss, target):
    model = _small_net(fcnn.Tanh, output=fcnn.Sigmoid)
    x = np.array([0.1, 0.4, -0.6])
    trace = explain(model, x, target, loss=loss)
    fresh = fcnn.get_loss(loss) if isinstance(loss, str) else copy.deepcopy(loss)
    loss_target = np.array([target])  # one sample: (1,) class index or (1, K) values
    grads = _backward_gradients(model, x, loss_target, fresh)
    for p in trace.params.values():
        assert p.chain_rule == pytest.approx(grads[p.tensor][p.entries[0]], rel=1e-12, abs=1e-15)
    expected = fresh(model(x.reshape(1, -1)), loss_target)
    assert trace.loss == pytest.approx(expected, rel=1e-12)
    if trace.loss_terms:
        assert sum(trace.loss_terms.values()) == pytest.approx(trace.loss, rel=1e-12)


def test_a_backward_pass_that_disagrees_is_caught(monkeypatch):
    model, x, target, options = classic_example()
    linear_backward = fcnn.Linear.backward

    def doubled(self, grad_output):  # a broken engine: weight gradients twice too big
        grad_input = linear_backward(self, grad_output)
        self.weight.grad *= 2.0
        return grad_input

    monkeypatch.setattr(fcnn.Linear, "backward", doubled)
    with pytest.raises(RuntimeError, match=r"chain-rule product for w1 .* differs from"):
        explain(model, x, target, **options)
    monkeypatch.setattr(fcnn.Linear, "backward", linear_backward)
    monkeypatch.setattr(fcnn.Sigmoid, "backward", lambda self, grad_output: 0.25 * grad_output)
    with pytest.raises(RuntimeError, match="∂out/∂net computed by the formula"):
        explain(model, x, target, **options)


def test_gradients_agree_with_central_differences():
    model = _small_net(fcnn.Tanh, seed=11)  # 3-4-2, tanh then sigmoid
    errors = fcnn.gradcheck(model, np.array([[0.2, -0.4, 0.7]]))
    assert max(errors.values()) < 1e-6, errors  # the engine's backward is right…
    x, target = np.array([0.2, -0.4, 0.7]), np.array([0.1, 0.8])
    trace = explain(model, x, target)
    probe = copy.deepcopy(model)
    params = dict(probe.named_parameters())

    def energy() -> float:
        out = probe(x.reshape(1, -1))[0]
        return 0.5 * float(np.sum((target - out) ** 2))

    eps = 1e-6
    for p in trace.params.values():  # …and so is every product of the trace, numerically
        data, entry = params[p.tensor].data, p.entries[0]
        original = data[entry]
        data[entry] = original + eps
        plus = energy()
        data[entry] = original - eps
        minus = energy()
        data[entry] = original
        numeric = (plus - minus) / (2 * eps)
        assert p.chain_rule == pytest.approx(numeric, rel=1e-6, abs=1e-10), p.name


def test_updated_values_are_one_sgd_step():
    model = _small_net(fcnn.Tanh, seed=5)
    x, target = np.array([0.5, 0.1, -0.3]), np.array([0.7, 0.2])
    for update_biases in (True, False):
        trace = explain(model, x, target, lr=0.3, update_biases=update_biases)
        stepped = copy.deepcopy(model)
        stepped.zero_grad()
        mse = MSELoss(reduction="sum")
        mse(stepped(x.reshape(1, -1)), target.reshape(1, -1))
        stepped.backward(0.5 * mse.backward())
        moved = [p for key, p in stepped.named_parameters() if update_biases or "weight" in key]
        SGD(moved, lr=0.3).step()
        after = dict(stepped.named_parameters())
        for p in trace.params.values():
            assert p.updated == pytest.approx(after[p.tensor].data[p.entries[0]], rel=1e-14)
            if p.kind == "bias" and not update_biases:
                assert p.updated == p.value and not p.is_updated
            else:
                assert p.updated == pytest.approx(p.value - 0.3 * p.gradient, rel=1e-14)


def test_a_shared_bias_steps_by_the_sum_of_its_deltas():
    model, x, target, _ = classic_example()
    trace = explain(model, x, target, lr=0.5, update_biases=True, shared_biases=True)
    for name in ("b1", "b2"):
        b = trace.params[name]
        deltas = sum(trace.units[u].delta for u in b.units)
        assert b.is_updated and b.updated == pytest.approx(b.value - 0.5 * deltas, rel=1e-14)
    separate = explain(model, x, target, update_biases=True)
    assert [p for p in separate.params if p.startswith("b")] == ["b1", "b2", "b3", "b4"]
    assert separate.params["b3"].units == ("o1",)


def test_the_model_is_left_untouched():
    model = fcnn.mlp([2, 3, 1], activation="tanh", output="sigmoid", seed=4)  # float32
    before = {k: v.copy() for k, v in model.state_dict().items()}
    trace = explain(model, [0.3, 0.6], [1.0], lr=1.0)
    assert all(np.array_equal(before[k], v) for k, v in model.state_dict().items())
    assert model[0].weight.dtype == np.float32
    assert trace.params["w1"].updated != trace.params["w1"].value


def test_deeper_networks_are_named_per_layer():
    model = fcnn.mlp([2, 3, 2, 1], activation="relu", seed=2, dtype=np.float64)
    trace = explain(model, [0.5, -0.5], [0.3])
    assert list(trace.units) == ["h1.1", "h1.2", "h1.3", "h2.1", "h2.2", "o1"]
    assert len(trace.params) == model.num_parameters() == 9 + 8 + 3
    assert [d.unit for d in trace.units["h1.2"].downstream] == ["h2.1", "h2.2"]
    assert "Backward pass, hidden layer 1 (h1.1, h1.2, h1.3)" in trace.to_text()


# --------------------------------------------------------------------------- renderings


def test_json_has_every_number(classic):
    data = json.loads(classic.to_json())
    assert data["format"] == "fcnn.explain"
    assert set(data["params"]) == {f"w{i}" for i in range(1, 9)} | {"b1", "b2"}
    w5 = data["params"]["w5"]
    assert w5["gradient"] == classic.params["w5"].gradient  # full precision
    assert w5["updated"] == classic.params["w5"].updated
    assert w5["factors"][0]["dnet_dparam"] == classic.units["h1"].out
    assert data["units"]["o2"]["out"] == classic.units["o2"].out
    assert data["loss"] == classic.loss and data["loss_terms"]["o1"] == classic.loss_terms["o1"]


def test_markdown_has_the_formulas_and_a_row_per_parameter(classic):
    md = classic.to_markdown()
    assert md.startswith("# Backprop trace")
    assert "\\frac{\\partial E}{\\partial w_{5}}" in md
    assert "w_{5}^{+} = w_{5} - \\eta \\frac{\\partial E}{\\partial w_{5}}" in md
    assert "E = \\tfrac{1}{2}\\sum_k (target_k - out_k)^2" in md
    assert "−" not in md.split("## Summary")[0].replace("→", "")  # ASCII minus inside LaTeX
    for name in classic.params:
        assert any(line.startswith(f"| {name} |") for line in md.splitlines()), name


def test_text_digits_and_every_parameter(classic):
    text = classic.to_text(digits=4)
    assert "out_h1 = σ(net_h1) = 0.5933" in text
    for name in classic.params:
        assert f"\n{name} " in text
    with pytest.raises(ValueError, match="digits=0"):
        classic.to_text(digits=0)


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("layers", "message"),
    [
        ([fcnn.Linear(2, 3), fcnn.BatchNorm1d(3), fcnn.Linear(3, 1)], "BatchNorm1d.*one sample"),
        ([fcnn.Linear(2, 3), fcnn.Dropout(0.5), fcnn.Linear(3, 1)], "Dropout.*random"),
        ([fcnn.Linear(2, 3), fcnn.Softmax()], "Softmax.*loss='cross_entropy'"),
        ([fcnn.Linear(2, 3), fcnn.LogSoftmax()], "LogSoftmax.*cross_entropy"),
        ([fcnn.Linear(2, 3), fcnn.PReLU()], "PReLU.*learnable slope"),
        ([fcnn.Maxout(2, 3), fcnn.Linear(3, 1)], "layer 0 \\(Maxout\\).*Linear layers"),
        ([fcnn.Sigmoid(), fcnn.Linear(2, 1)], "must start with a Linear"),
        ([fcnn.Linear(2, 3), fcnn.Tanh(), fcnn.Sigmoid()], "follows another activation"),
    ],
)
def test_other_layers_are_refused_clearly(layers, message):
    with pytest.raises(ValueError, match=message):
        explain(fcnn.Sequential(*layers), [0.1, 0.2], [0.5])  # refused before the sample


def test_a_big_model_is_refused_naming_the_limit():
    model = fcnn.mlp([2, 10, 10, 2], seed=0)  # 30 + 110 + 22 = 162 parameters
    with pytest.raises(ValueError, match=rf"162 parameters.*up to {MAX_PARAMETERS}"):
        explain(model, [0.1, 0.2], [0.0, 1.0])
    assert len(explain(model, [0.1, 0.2], [0.0, 1.0], max_parameters=200).params) == 162


@pytest.mark.parametrize(
    ("x", "target", "kwargs", "message"),
    [
        (np.zeros((3, 2)), [0.5], {}, "one sample at a time: x has shape \\(3, 2\\)"),
        ([0.1, 0.2], np.zeros((2, 1)), {}, "one sample at a time: target"),
        ([0.1, 0.2, 0.3], [0.5], {}, "x has 3 values; the model takes 2 inputs"),
        ([0.1, 0.2], [0.5, 0.5], {}, "target has 2 values; the model has 1 outputs"),
        ([0.1, np.nan], [0.5], {}, "x must be finite"),
        ([0.1, 0.2], [0.5], {"loss": "hinge"}, "unknown loss 'hinge'"),
        ([0.1, 0.2], [0.5], {"loss": MSELoss(reduction="none")}, "reduction='none'"),
        ([0.1, 0.2], [0.5], {"lr": -1.0}, "lr=-1.0"),
        ([0.1, 0.2], [0.5], {"shared_biases": True}, "bias entries of each layer to be equal"),
        ([0.1, 0.2], 3, {"loss": "cross_entropy"}, "class index from 0 to 0"),
    ],
)
def test_bad_samples_and_options_are_refused(x, target, kwargs, message):
    model = fcnn.mlp([2, 3, 1], activation="tanh", seed=1)
    with pytest.raises(ValueError, match=message):
        explain(model, x, target, **kwargs)


# --------------------------------------------------------------------------- the command


def invoke(*args, ok=True):
    result = runner.invoke(app, ["explain", *map(str, args)])
    if ok:
        assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def test_cli_without_arguments_prints_the_classic_example():
    out = invoke().output
    for figure in ("0.593269992", "0.298371109", "0.082167041", "0.35891648", "0.149780716"):
        assert figure in out
    assert "w8⁺ = w8 − η·∂E/∂w8" in out and "Summary" in out


def test_cli_json_and_markdown_to_files(tmp_path):
    data = json.loads(invoke("--format", "json").output)
    assert data["params"]["w5"]["updated"] == pytest.approx(0.35891648, abs=5e-9)
    target = tmp_path / "trace.md"
    result = invoke("--format", "markdown", "--output", target, "--digits", "6")
    assert "wrote" in result.output and str(target.name) in result.output
    md = target.read_text(encoding="utf-8")
    assert "$$" in md and "0.358916" in md and "0.3589165" not in md
    assert not list(tmp_path.glob(".*.tmp"))  # the atomic write left nothing behind


def test_cli_traces_a_saved_model(tmp_path):
    model = fcnn.mlp([3, 2, 2], activation="tanh", output="sigmoid", seed=7, dtype=np.float64)
    path = tmp_path / "tiny.safetensors"
    fcnn.save(model, path)
    args = ("--model", path, "--input", "0.1,0.2,0.3", "--target", "0,1", "--lr", "0.1")
    data = json.loads(invoke(*args, "--format", "json").output)
    expected = explain(model, [0.1, 0.2, 0.3], [0.0, 1.0], lr=0.1)
    assert data["params"]["w1"]["updated"] == expected.params["w1"].updated
    assert data["update_biases"] is True and "b4" in data["params"]
    frozen = json.loads(invoke(*args, "--freeze-biases", "--format", "json").output)
    assert frozen["params"]["b1"]["updated"] == frozen["params"]["b1"]["value"]
    ce = json.loads(
        invoke(*args[:4], "--target", "1", "--loss", "cross_entropy", "-f", "json").output
    )
    assert ce["target_class"] == 1


def test_cli_other_sample_on_the_classic_network():
    data = json.loads(invoke("--input", "1,0", "--target", "0.5,0.5", "-f", "json").output)
    assert data["units"]["h1"]["net"] == pytest.approx(0.15 + 0.35)
    assert data["shared_biases"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "m.safetensors"], "error: --model needs the sample too"),
        (["--model", "missing.safetensors", "--input", "1,2", "--target", "1"], "no such file"),
        (["--format", "yaml"], "error: --format 'yaml': expected one of text, markdown, json"),
        (["--input", "0.05,x"], "error: --input='0.05,x': expected comma-separated numbers"),
        (["--input", "1,2,3"], "error: explain: x has 3 values; the model takes 2 inputs"),
        (["--loss", "hinge"], "error: explain: unknown loss 'hinge'"),
    ],
)
def test_cli_errors_are_one_line(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(*args, ok=False)
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) <= 2


def test_cli_refuses_a_big_model_file(tmp_path):
    path = tmp_path / "big.safetensors"
    fcnn.save(fcnn.mlp([4, 16, 2], seed=0), path)
    result = invoke("--model", path, "--input", "1,2,3,4", "--target", "0,1", ok=False)
    assert result.exit_code == 1
    assert "114 parameters" in result.output and "up to 100" in result.output
