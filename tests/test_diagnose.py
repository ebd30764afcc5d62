"""Diagnostics: every verdict provoked on purpose, and silence on a healthy network.

Each problem is built the way the course notes describe it (a huge negative bias kills
ReLUs, randn·1 weights saturate sigmoids, a deep tanh net with 0.01 weights vanishes,
weights three times He's explode, a huge learning rate takes steps as big as the
weights), next to a control that differs only in the cause and does not fire.
"""

from __future__ import annotations

import copy
import json
import math
import warnings

import numpy as np
import pytest
from typer.testing import CliRunner

import fcnn
import fcnn.cli.diagnose
from fcnn import init
from fcnn.cli import app
from fcnn.diagnose import (
    DiagnosticsCallback,
    DiagnosticWarning,
    Report,
    Thresholds,
    diagnose,
    gradcheck,
)
from fcnn.train import TrainState

runner = CliRunner()


def data(n=400, d=20, seed=0):
    """Standardised features and a two-class target that needs a hidden layer (XOR of signs)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    return X, (X[:, 0] * X[:, 1] > 0).astype(np.int64)


def net(sizes, activation="relu", *, std=None, he=None, init_name="default", seed=0, **kwargs):
    """An mlp whose Linear weights are N(0, std²) or N(0, (he·√(2/fan_in))²), zero biases."""
    model = fcnn.mlp(sizes, activation, init=init_name, seed=seed, **kwargs)
    rng = np.random.default_rng(seed)
    for layer in model:
        if isinstance(layer, fcnn.Linear) and (std is not None or he is not None):
            scale = std if std is not None else he * math.sqrt(2 / layer.in_features)
            init.normal_(layer.weight, 0.0, scale, rng=rng)
            init.zeros_(layer.bias)
    return model


def kinds(report: Report, severity="warning") -> set[tuple[str, int | None]]:
    return {f.key for f in report.findings if f.severity == severity}


def only(report: Report, kind: str, layer=None):
    found = [f for f in report.findings if f.kind == kind and (layer is None or f.layer == layer)]
    assert len(found) == 1, report.to_text()
    return found[0]


# --------------------------------------------------------------------------- verdicts


def test_a_huge_negative_bias_kills_the_relus_of_its_layer():
    X, y = data()
    model = net([20, 64, 64, 2], he=1.0)
    model[0].bias.data[:] = -100.0
    report = diagnose(model, X, y, lr=0.01, data_name="the training set")
    first = report.layers[0]
    assert (first.dead_units, first.dead_fraction) == (64, 1.0)
    finding = only(report, "dead_units", 1)
    assert finding.severity == "warning" and not report.ok
    assert finding.message.startswith(
        "layer 1: 100 % of 64 ReLU units are dead on the training set"
    )
    assert "LeakyReLU / ELU" in finding.message
    assert finding.numbers == {"dead": 64, "units": 64, "fraction": 1.0}
    # A dead first layer passes nothing back: its update is zero.
    assert first.grad_norm == 0.0 and only(report, "update_too_small", 1).numbers["ratio"] == 0


def test_the_same_network_with_a_zero_bias_has_no_dead_units():
    X, y = data()
    report = diagnose(net([20, 64, 64, 2], he=1.0), X, y)
    assert [s.dead_units for s in report.layers] == [0, 0, None]
    assert not [f for f in report.findings if f.kind == "dead_units"]


def test_leaky_relu_units_never_active_are_reported_as_such():
    X, y = data()
    model = net([20, 32, 32, 2], "leaky_relu", he=1.0)
    model[0].bias.data[:8] = -100.0  # a quarter of the layer: input ≤ 0 on every sample
    finding = only(diagnose(model, X, y), "dead_units", 1)
    assert finding.severity == "warning" and finding.numbers["dead"] == 8
    assert "25 % of 32 LeakyReLU units are never active" in finding.message
    assert "negative-side gradient" in finding.message


def test_a_few_dead_units_are_information_not_a_warning():
    X, y = data()
    model = net([20, 64, 64, 2], he=1.0)
    model[0].bias.data[:3] = -100.0
    report = diagnose(model, X, y)
    assert only(report, "dead_units", 1).severity == "info"
    assert report.ok


def test_a_deep_sigmoid_net_with_randn_init_saturates():
    X, y = data()
    report = diagnose(net([20, *[64] * 6, 2], "sigmoid", std=1.0), X, y)
    saturated = {f.layer: f for f in report.findings if f.kind == "saturated_units"}
    assert len(saturated) >= 4 and not report.ok, report.to_text()
    for finding in saturated.values():
        assert finding.numbers["fraction"] >= 0.2
        assert f"layer {finding.layer}: " in finding.message
        assert "of 64 sigmoid units are saturated" in finding.message
        assert "Xavier init, smaller inputs or BatchNorm" in finding.message
    # The output layer is not judged: a confident sigmoid output is the goal.
    assert report.layers[-1].layer not in saturated


def test_a_tanh_net_with_randn_init_saturates_and_xavier_does_not():
    X, y = data()
    bad = diagnose(net([20, *[64] * 4, 2], "tanh", std=1.0), X, y)
    good = diagnose(net([20, *[64] * 4, 2], "tanh", init_name="xavier_normal"), X, y)
    assert {("saturated_units", k) for k in (1, 2, 3, 4)} <= kinds(bad)
    assert "of 64 tanh units are saturated" in only(bad, "saturated_units", 2).message
    assert [s.saturated_units for s in good.layers[:-1]] == [0, 0, 0, 0]
    assert good.findings == [], good.to_text()


def test_a_ten_layer_tanh_net_with_001_init_vanishes():
    X, y = data()
    report = diagnose(net([20, *[100] * 9, 2], "tanh", std=0.01), X, y, lr=0.01)
    finding = only(report, "vanishing_gradients")
    assert finding.layer is None and finding.severity == "warning"
    assert finding.numbers["ratio"] < 1e-6
    assert finding.message.startswith("gradients shrink 10⁻")
    assert "from layer 10 to layer 1" in finding.message
    assert "vanishing; try ReLU, He init or BatchNorm" in finding.message
    # Why the error signal ∂L/∂z is judged and not ∂L/∂W: here the weight gradients of the
    # first and last layers are alike (shrinking inputs make up for the shrinking signal).
    ratio_w = report.layers[0].grad_norm / report.layers[-1].grad_norm
    assert 0.1 < ratio_w < 10
    # Updates that small are flagged too, with the cause named.
    too_small = only(report, "update_too_small", 1)
    assert "cure the vanishing gradients first" in too_small.message


def test_the_same_tanh_net_with_xavier_init_does_not_vanish():
    X, y = data()
    report = diagnose(net([20, *[100] * 9, 2], "tanh", init_name="xavier_normal"), X, y, lr=0.01)
    assert 1e-2 < report.layers[0].backprop_norm / report.layers[-1].backprop_norm < 1e2
    assert report.findings == [], report.to_text()


def test_a_deep_sigmoid_net_with_default_init_vanishes_as_the_notes_say():
    X, y = data()
    report = diagnose(net([20, *[64] * 6, 2], "sigmoid"), X, y)
    assert only(report, "vanishing_gradients").numbers["ratio"] < 1e-3


def test_a_dead_layer_is_named_as_the_cause_of_the_vanishing_gradient():
    # A whole hidden layer dead: the signal is fine above it and 0 below it. The verdict
    # names the dead layer, not the init, and asks nothing of the output layer's init.
    X, y = fcnn.data.moons(n=500, noise=0.2, seed=0)
    model = fcnn.mlp([2, 64, 64, 2], seed=0)
    init.constant_(model[2].bias, -5.0)
    report = diagnose(model, X, y, lr=0.1)
    assert report.layers[1].dead_fraction == 1.0
    finding = only(report, "vanishing_gradients")
    assert finding.message.startswith(
        "gradients vanish at layer 2 and below, where 100 % of 64 ReLU units are dead"
    )
    assert "fix the dead units first" in finding.message
    assert "He init" not in finding.message and "vanishing;" not in finding.message
    assert finding.numbers["dead_layer"] == 2 and finding.numbers["dead_fraction"] == 1.0
    cures = {k: only(report, "update_too_small", k).message for k in (1, 2, 3)}
    assert "the dead units of layer 2 pass no gradient back" in cures[1]
    assert "its dead units get no gradient" in cures[2]
    assert "its input is the output of layer 2's dead units" in cures[3]
    assert not any("vanishing" in message for message in cures.values())
    # Control: the same network with a zero bias has no dead layer and no such verdict.
    init.zeros_(model[2].bias)
    assert not [f for f in diagnose(model, X, y, lr=0.1).findings if "gradients" in f.kind]


def test_a_dead_first_layer_is_the_cause_and_a_deep_tanh_net_is_not_blamed_on_dead_units():
    X, y = data()
    model = net([20, 64, 64, 2], he=1.0)
    model[0].bias.data[:] = -100.0
    model[2].bias.data[:] = 0.1  # layer 2 stays alive on its bias alone
    finding = only(diagnose(model, X, y, lr=0.01), "vanishing_gradients")
    assert finding.message.startswith("gradients vanish at layer 1, where 100 % of 64 ReLU")
    # No dead units where the signal vanishes: the init is blamed, as before.
    tanh = diagnose(net([20, *[100] * 9, 2], "tanh", std=0.01), X, y, lr=0.01)
    assert "dead_layer" not in only(tanh, "vanishing_gradients").numbers


def test_update_ratios_of_layers_followed_by_batchnorm_are_reported_not_judged():
    # BatchNorm makes a layer's output independent of its weights' scale: a large step
    # only grows ‖W‖, and this network trains well with lr 0.1.
    X, y = fcnn.data.moons(n=500, noise=0.2, seed=0)
    kwargs = dict(activation="tanh", init="normal", init_scale=0.01, seed=0)
    model = fcnn.mlp([2, *[64] * 10, 2], batchnorm=True, **kwargs)
    report = diagnose(model, X, y, lr=0.1)
    hidden = report.layers[:-1]
    assert [s.normalization for s in report.layers] == ["BatchNorm1d"] * 10 + [None]
    assert all(s.update_ratio > 0.1 for s in hidden)  # the numbers are still reported
    assert not [f for f in report.findings if f.kind == "update_too_large" and f.layer <= 10]
    note = only(report, "update_ratio_not_judged")
    assert note.severity == "info" and note.layer is None
    assert note.numbers["layers"] == list(range(1, 11))
    assert "BatchNorm1d follows" in note.message and "not judged" in note.message
    assert json.loads(json.dumps(report.to_dict()))["layers"][0]["normalization"] == "BatchNorm1d"
    # Control: without BatchNorm the same step is far too large and is flagged.
    plain = diagnose(net([20, 64, 64, 2], he=1.0), *data(), lr=50.0)
    assert [s.normalization for s in plain.layers] == [None] * 3
    assert kinds(plain) == {("update_too_large", k) for k in (1, 2, 3)}
    assert not [f for f in plain.findings if f.kind == "update_ratio_not_judged"]


def test_batchnorm_after_the_activation_does_not_exempt_a_layer():
    X, y = data()
    model = fcnn.Sequential(
        fcnn.Linear(20, 64), fcnn.ReLU(), fcnn.BatchNorm1d(64), fcnn.Linear(64, 2)
    )
    report = diagnose(model, X, y, lr=50.0)
    assert [s.normalization for s in report.layers] == [None, None]
    assert ("update_too_large", 1) in kinds(report)


def test_weights_three_times_he_explode():
    X, y = data()
    report = diagnose(net([20, *[64] * 9, 2], he=3.0), X, y)
    finding = only(report, "exploding_gradients")
    assert finding.numbers["ratio"] > 1e3 and finding.severity == "warning"
    assert finding.message.startswith("gradients grow 10")
    assert "exploding" in finding.message and "from layer 10 to layer 1" in finding.message
    control = diagnose(net([20, *[64] * 9, 2], he=1.0), X, y)
    assert not [f for f in control.findings if "gradients" in f.kind], control.to_text()


def test_a_huge_learning_rate_makes_updates_as_big_as_the_weights():
    X, y = data()
    model = net([20, 64, 64, 2], he=1.0)
    huge = diagnose(model, X, y, lr=50.0)
    assert kinds(huge) == {("update_too_large", k) for k in (1, 2, 3)}
    finding = only(huge, "update_too_large", 1)
    assert finding.numbers["ratio"] > 0.1
    assert "one SGD step with lr 50" in finding.message
    assert "lower the learning rate" in finding.message
    tiny = diagnose(model, X, y, lr=1e-9)
    assert kinds(tiny) == {("update_too_small", k) for k in (1, 2, 3)}
    assert "raise the learning rate" in only(tiny, "update_too_small", 2).message
    assert diagnose(model, X, y, lr=0.01).findings == []


def test_a_real_optimizer_step_is_measured_on_a_copy():
    X, y = data()
    model = net([20, 64, 64, 2], he=1.0)
    estimated = diagnose(model, X, y, lr=0.5)
    measured = diagnose(model, X, y, optimizer=fcnn.optim.SGD(model.parameters(), lr=0.5))
    for a, b in zip(estimated.layers, measured.layers, strict=True):
        assert b.update_ratio == pytest.approx(a.update_ratio, rel=1e-4)
    # A fresh Adam's first step moves every weight by about lr.
    adam = diagnose(model, X, y, optimizer=fcnn.optim.Adam(model.parameters(), lr=1e-3))
    first = adam.layers[0]
    assert first.update_ratio == pytest.approx(1e-3 * math.sqrt(64 * 20) / first.weight_norm, 1e-2)
    with pytest.raises(ValueError, match="does not hold this model's parameters"):
        diagnose(model, X, y, optimizer=fcnn.optim.SGD(net([20, 2]).parameters()))


def test_a_healthy_network_raises_no_finding():
    X, y = data()
    model = net([20, 64, 64, 2], he=1.0)
    report = diagnose(model, X, y, optimizer=fcnn.optim.Adam(model.parameters(), lr=1e-3))
    assert report.ok and report.findings == [] and report.notes == [], report.to_text()
    assert "no problems found" in report.summary()
    for stats in report.layers:
        assert 1e-4 < stats.update_ratio < 1e-2
        assert stats.grad_norm > 0 and stats.backprop_norm > 0


def test_training_the_planar_network_drives_its_tanh_units_towards_saturation():
    # Not a false alarm: the trained course network's hidden units sit near ±1 on most
    # points (they act as steps); its gradients and updates stay healthy.
    X, y = fcnn.data.planar()
    model = fcnn.mlp([2, 4, 1], "tanh", seed=1)
    before = diagnose(model, X, y, lr=1.2)
    fcnn.fit(model, X, y, optimizer="sgd", lr=1.2, epochs=300, batch_size=400, seed=0, verbose=0)
    after = diagnose(model, X, y, lr=1.2)
    assert after.layers[0].saturation_rate > before.layers[0].saturation_rate + 0.3
    assert kinds(after) == {("saturated_units", 1)}, after.to_text()


def test_not_finite_numbers_are_a_finding_not_a_crash():
    X, y = data()
    model = net([20, 64, 64, 2], he=1.0)
    model[2].weight.data *= np.float32(1e30)  # the second layer overflows float32
    report = diagnose(model, X, y, lr=0.01)
    assert ("not_finite", None) in kinds(report)
    assert "NaN or infinite" in only(report, "not_finite").message
    json.dumps(report.to_dict(), allow_nan=False)


# --------------------------------------------------------------------------- measurements


def test_activation_statistics_are_those_of_the_activation_outputs():
    X, y = data()
    model = net([20, 32, 16, 2], "tanh", init_name="xavier_normal")
    report = diagnose(model, X, y, batch_size=64)
    h1 = np.tanh(X @ model[0].weight.data.T.astype(np.float64) + model[0].bias.data)
    h2 = np.tanh(h1 @ model[2].weight.data.T + model[2].bias.data)
    out = h2 @ model[4].weight.data.T + model[4].bias.data
    for stats, values in zip(report.layers, (h1, h2, out), strict=True):
        assert stats.mean == pytest.approx(values.mean(), abs=1e-5)
        assert stats.std == pytest.approx(values.std(), rel=1e-4)
    assert [(s.layer, s.module, s.activation, s.units) for s in report.layers] == [
        (1, "0", "Tanh", 32),
        (2, "2", "Tanh", 16),
        (3, "4", None, 2),
    ]


def test_gradients_are_those_of_the_whole_data_set_whatever_the_chunking():
    X, y = data(n=203)
    model = net([20, 16, 2], he=1.0)
    one = diagnose(model, X, y, batch_size=1000, lr=0.1)
    chunked = diagnose(model, X, y, batch_size=10)  # the last chunk of 3 rows included
    loss = fcnn.CrossEntropyLoss()
    reference = copy.deepcopy(model)
    loss(reference(X), y)
    reference.zero_grad()
    reference.backward(loss.backward())
    for a, b, layer in zip(one.layers, chunked.layers, (reference[0], reference[2]), strict=True):
        expected = float(np.linalg.norm(layer.weight.grad))
        assert a.grad_norm == pytest.approx(expected, rel=1e-5)
        assert b.grad_norm == pytest.approx(expected, rel=1e-5)
        assert b.backprop_norm == pytest.approx(a.backprop_norm, rel=1e-5)
    assert one.loss == pytest.approx(chunked.loss, rel=1e-6)


def test_without_targets_the_gradient_checks_are_skipped_and_said_to_be():
    X, _ = data()
    model = net([20, 64, 64, 2], he=1.0)
    model[0].bias.data[:] = -100.0
    report = diagnose(model, X)
    assert report.loss is None and all(s.grad_norm is None for s in report.layers)
    assert ("dead_units", 1) in kinds(report)
    assert any("no targets given" in note for note in report.notes)
    assert not [f for f in report.findings if "gradient" in f.kind or "update" in f.kind]


def test_diagnose_leaves_the_model_and_optimizer_untouched():
    X, y = data()
    model = fcnn.mlp([20, 32, 32, 2], "relu", batchnorm=True, dropout=0.3, seed=0)
    optimizer = fcnn.optim.Adam(model.parameters(), lr=1e-3)
    fcnn.fit(model, X, y, optimizer=optimizer, epochs=1, batch_size=50, seed=0, verbose=0)
    for mode in (True, False):
        model.train(mode)
        state = model.state_dict()
        grads = [p.grad.copy() for p in model.parameters()]
        flags = [m.training for m in model.modules()]
        dropout_state = copy.deepcopy(model[3].rng.bit_generator.state)
        adam_state = copy.deepcopy(optimizer.state_dict())
        report = diagnose(model, X, y, optimizer=optimizer, mode="train")
        assert report.layers[0].update_ratio > 0
        after = model.state_dict()
        assert list(after) == list(state)
        assert all(np.array_equal(after[k], state[k]) for k in state)
        assert all(
            np.array_equal(p.grad, g) for p, g in zip(model.parameters(), grads, strict=True)
        )
        assert [m.training for m in model.modules()] == flags
        assert model[3].rng.bit_generator.state == dropout_state
        assert json.dumps(optimizer.state_dict(), default=str) == json.dumps(
            adam_state, default=str
        )
    assert "forward" not in vars(model[0])  # the wrappers live on the copy only


def test_eval_mode_uses_running_statistics_and_no_dropout():
    X, y = data()
    model = fcnn.mlp([20, 32, 2], "relu", dropout=0.5, seed=0)
    a = diagnose(model, X, y, mode="eval")
    b = diagnose(model, X, y, mode="eval")
    assert a.layers[0].mean == b.layers[0].mean and a.mode == "eval"
    predicted = model.predict(X)
    assert a.layers[-1].mean == pytest.approx(float(predicted.mean()), abs=1e-6)


def test_reports_render_as_text_markdown_and_json():
    X, y = data()
    model = net([20, 64, 64, 2], he=1.0)
    model[0].bias.data[:] = -100.0
    report = diagnose(model, X, y, lr=0.01)
    text = report.to_text()
    assert str(report) == text
    assert text.splitlines()[0] == report.summary()
    assert "update/weight" in text and "64 (100 %)" in text
    assert "warning: layer 1: 100 % of 64 ReLU units are dead" in text
    markdown = report.to_markdown()
    assert "| layer | module | units |" in markdown
    assert "- **warning**: layer 1: 100 % of 64 ReLU units are dead" in markdown
    as_dict = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert as_dict["ok"] is False and as_dict["samples"] == 400
    assert as_dict["layers"][0]["dead_fraction"] == 1.0
    assert as_dict["findings"][0]["kind"] == "dead_units"


def test_bad_arguments_are_refused_with_a_clear_message():
    X, y = data()
    model = net([20, 8, 2])
    with pytest.raises(ValueError, match="not both"):
        diagnose(model, X, y, lr=0.1, optimizer=fcnn.optim.SGD(model.parameters()))
    with pytest.raises(ValueError, match="mode='test'"):
        diagnose(model, X, y, mode="test")
    with pytest.raises(ValueError, match="X has 400 rows but y has 3"):
        diagnose(model, X, y[:3])
    with pytest.raises(ValueError, match="no weight layer"):
        diagnose(fcnn.Sequential(fcnn.ReLU()), X)
    with pytest.raises(ValueError, match="reduction='none'"):
        diagnose(model, X, y, loss=fcnn.CrossEntropyLoss(reduction="none"))
    with pytest.raises(ValueError, match=r"Thresholds\(dead=2\)"):
        Thresholds(dead=2)
    with pytest.raises(ValueError, match="0 < vanishing < exploding"):
        Thresholds(vanishing=1e4)


def test_max_samples_draws_a_seeded_subset():
    X, y = data()
    report = diagnose(net([20, 8, 2]), X, y, max_samples=100, seed=3)
    again = diagnose(net([20, 8, 2]), X, y, max_samples=100, seed=3)
    assert report.samples == 100 and report.loss == again.loss


def test_gradcheck_still_lives_here():
    assert fcnn.gradcheck is gradcheck
    assert gradcheck(fcnn.Tanh(), np.random.default_rng(0).standard_normal((3, 4)))["input"] < 1e-6


# --------------------------------------------------------------------------- callback


def diagnostic_warnings(caught) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, DiagnosticWarning)]


def test_the_callback_warns_once_per_finding_during_fit():
    X, y = data()
    model = net([20, 64, 64, 2], he=1.0)
    model[0].bias.data[:] = -100.0
    callback = DiagnosticsCallback(data=(X, y))
    with pytest.warns(DiagnosticWarning) as caught:
        fcnn.fit(
            model, X, y, optimizer="sgd", lr=0.01, epochs=3, seed=0, verbose=0, callbacks=[callback]
        )
    messages = diagnostic_warnings(caught)
    dead = [m for m in messages if "layer 1: 100 % of 64 ReLU units are dead" in m]
    assert len(dead) == 1 and dead[0].startswith("epoch 1: layer 1: ")
    assert len(callback.reports) == 3  # checked every epoch, warned only the first time
    assert all(("dead_units", 1) in kinds(report) for _, report in callback.reports)
    assert len(messages) == len(callback.findings)
    assert len({f.key for f in callback.findings}) == len(callback.findings)


def test_the_callback_catches_a_learning_rate_far_too_high():
    X, y = data()
    model = net([20, 64, 64, 2], he=1.0)
    callback = DiagnosticsCallback(data=(X, y), step_every=3)
    with pytest.warns(DiagnosticWarning) as caught:
        history = fcnn.fit(
            model,
            X,
            y,
            optimizer="sgd",
            lr=5.0,
            epochs=3,
            batch_size=32,
            seed=0,
            verbose=0,
            callbacks=[callback],
        )
    assert not history.diverged
    messages = diagnostic_warnings(caught)
    assert any("far above the ≈1e-3 rule of thumb" in m and "SGD, lr 5" in m for m in messages)
    assert any("ReLU units are dead on a sample of the training set" in m for m in messages)
    assert len(messages) == len({f.key for f in callback.findings})
    assert callback.grad_norms and all(len(v) > 1 for v in callback.grad_norms.values())


def test_the_callback_is_silent_on_a_healthy_run():
    X, y = data()
    model = net([20, 64, 64, 2], he=1.0)
    callback = DiagnosticsCallback(data=(X, y))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fcnn.fit(
            model,
            X,
            y,
            optimizer="adam",
            lr=1e-3,
            epochs=4,
            batch_size=32,
            seed=0,
            verbose=0,
            callbacks=[callback],
        )
    assert diagnostic_warnings(caught) == [] and callback.findings == []
    assert len(callback.reports) == 4
    epoch, last = callback.reports[-1]
    assert epoch == 4 and last.samples == 400
    assert all(s.update_ratio is not None and 1e-4 < s.update_ratio < 1e-2 for s in last.layers)


def test_the_callback_does_not_change_training():
    X, y = data()

    def train(callbacks):
        model = fcnn.mlp([20, 32, 32, 2], "relu", batchnorm=True, dropout=0.2, seed=0)
        fcnn.fit(model, X, y, epochs=3, batch_size=32, seed=0, verbose=0, callbacks=callbacks)
        return model.state_dict()

    plain = train([])
    watched = train([DiagnosticsCallback(data=(X, y), every=1, step_every=1, warn=False)])
    assert all(np.array_equal(plain[k], watched[k]) for k in plain)


def test_the_callback_takes_fits_training_data_from_the_state():
    X, y = data()
    model = net([20, 64, 64, 2], he=1.0)
    model[0].bias.data[:] = -100.0
    optimizer = fcnn.optim.SGD(model.parameters(), lr=0.01)
    state = TrainState(model, optimizer, fcnn.CrossEntropyLoss(), fcnn.History(), epochs=1)
    state.extra["train_data"] = (X, y)
    callback = DiagnosticsCallback(max_samples=100, warn=False)
    callback.on_train_begin(state)
    report = callback.check(state)
    assert report.samples == 100 and ("dead_units", 1) in kinds(report)
    assert ("dead_units", 1) in [f.key for f in callback.findings]
    # Without any data only the steps are checked, and the report says so.
    bare = DiagnosticsCallback(warn=False)
    bare.on_train_begin(TrainState(model, optimizer, fcnn.CrossEntropyLoss(), None, epochs=1))
    assert "no data to probe" in bare.check(state).notes[0]


def test_the_callback_refuses_bad_arguments():
    with pytest.raises(ValueError, match=r"DiagnosticsCallback\(every=0\)"):
        DiagnosticsCallback(every=0)
    with pytest.raises(ValueError, match="mode="):
        DiagnosticsCallback(mode="both")


# --------------------------------------------------------------------------- command line


def cli(*args, code=0):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output + repr(result.exception)
    return result


@pytest.fixture(scope="module")
def moons_run(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("runs") / "moons"
    cli(
        "train",
        "moons",
        "--n",
        200,
        "--epochs",
        3,
        "--lr",
        0.01,
        "--verbose",
        0,
        "--run-dir",
        run_dir,
    )
    return run_dir


def test_diagnose_a_run_directory(moons_run):
    result = cli("diagnose", moons_run)
    assert "moons: 160 samples, train mode" in result.output  # the run's training rows
    for heading in ("layer", "mean ± std", "dead", "‖∂L/∂z‖", "ΔW/W"):
        assert heading in result.output
    as_json = json.loads(cli("diagnose", moons_run, "--format", "json").output)
    assert as_json["samples"] == 160 and len(as_json["layers"]) == 3
    # The run's own optimiser (Adam, with its checkpointed state) sized the step.
    assert all(layer["update_ratio"] > 0 for layer in as_json["layers"])
    assert not any("not estimated" in note for note in as_json["notes"])
    test_split = json.loads(
        cli("diagnose", moons_run, "--split", "test", "--format", "json").output
    )
    assert test_split["samples"] == 40
    markdown = cli("diagnose", moons_run, "--format", "markdown", "--lr", 0.1).output
    assert markdown.startswith("## Diagnosis") and "| layer |" in markdown


def test_diagnose_a_model_file_on_named_data(tmp_path):
    model = net([2, 16, 16, 2], he=1.0)
    model[0].bias.data[:] = -100.0
    path = fcnn.save(model, tmp_path / "dead.safetensors")
    result = cli("diagnose", path, "--data", "moons", "--lr", 0.1, "--strict", code=2)
    assert "layer 1: 100 % of 16 ReLU units are dead on moons" in result.output
    healthy = fcnn.save(net([2, 16, 16, 2], he=1.0), tmp_path / "fine.safetensors")
    assert "no problems found" in cli("diagnose", healthy, "--data", "moons", "--strict").output


def test_diagnose_command_errors_are_one_line(tmp_path, moons_run):
    path = fcnn.save(net([2, 4, 2]), tmp_path / "m.safetensors")
    for args, message in (
        ((path,), "error: a bare model file needs --data"),
        ((moons_run, "--format", "html"), "error: --format 'html': expected one of text"),
        ((moons_run, "--split", "all"), "error: --split 'all'"),
        ((tmp_path / "missing",), "error: no such file"),
    ):
        result = cli("diagnose", *args, code=1)
        assert result.output.strip().startswith(message), result.output
        assert len(result.output.strip().splitlines()) == 1


def test_every_option_of_the_command_has_help():
    result = cli("diagnose", "--help")
    for option in (
        "--data",
        "--target",
        "--split",
        "--lr",
        "--batch-size",
        "--max-samples",
        "--mode",
        "--format",
        "--strict",
    ):
        assert option in result.output
    assert "RUN" in result.output  # the one metavar every command gives a run or model
