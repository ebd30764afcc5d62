"""A user's subclass of a layer, loss or scheduler is what its parent is: fcnn decides on
types (isinstance) and on what a class declares (a loss's ``target_kind`` and
``input_kind``), never on the class's name."""

from __future__ import annotations

import numpy as np
import pytest

import fcnn
from fcnn.activations import ReLU, Sigmoid, SiLU, Tanh
from fcnn.losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, prepare_targets
from fcnn.metrics import probabilities
from fcnn.optim import SGD, ReduceLROnPlateau
from fcnn.train import LRSchedulerCallback


class MyCrossEntropy(CrossEntropyLoss):
    pass


class MyBCEWithLogits(BCEWithLogitsLoss):
    pass


class MyBCE(BCELoss):
    pass


class MySigmoid(Sigmoid):
    pass


class MyTanh(Tanh):
    pass


class MyReLU(ReLU):
    pass


class MySiLU(SiLU):
    pass


def planar():
    return fcnn.data.planar()


@pytest.mark.parametrize(
    "loss, outputs", [(MyCrossEntropy(), 2), (MyBCEWithLogits(), 1)], ids=["ce", "bce_logits"]
)
def test_fit_and_evaluate_report_accuracy_for_a_subclassed_loss(loss, outputs):
    X, y = planar()
    model = fcnn.mlp([2, 6, outputs], activation="tanh", seed=0)
    history = fcnn.fit(model, X, y, loss=loss, epochs=3, verbose=0, seed=0)
    assert "accuracy" in history.history
    results = fcnn.evaluate(model, X, y, loss=loss)
    assert set(results) == {"loss", "accuracy"}
    parent = type(loss).__mro__[1]()
    assert results == fcnn.evaluate(model, X, y, loss=parent)


def test_targets_follow_the_loss_class_not_its_name():
    y = np.array([0, 1, 1, 0])
    labels = prepare_targets(MyCrossEntropy(), y, 2, np.dtype(np.float32))
    assert labels.dtype == np.int64 and labels.shape == (4,)
    binary = prepare_targets(MyBCEWithLogits(), y, 1, np.dtype(np.float32))
    assert binary.shape == (4, 1)
    with pytest.raises(ValueError, match="binary targets must be in"):
        prepare_targets(MyBCE(), np.array([0.0, 2.0]), 1, np.dtype(np.float32))


def test_a_subclassed_bce_reads_its_output_as_probabilities():
    X, y = planar()
    model = fcnn.Sequential(fcnn.Linear(2, 1), MySigmoid())
    model[0].bias.data[...] = 0.4  # every output a probability above 0.5 and below 1
    model[0].weight.data[...] = 0.0
    # The output is 0.6 everywhere: class 1 read as a probability, as BCELoss's parent says.
    results = fcnn.evaluate(model, X, y, loss=MyBCE())
    assert results["accuracy"] == pytest.approx(np.mean(y == 1))


def test_metrics_and_plots_take_a_sigmoid_subclass_for_a_sigmoid():
    from fcnn.plot._base import outputs_logits

    model = fcnn.Sequential(fcnn.Linear(2, 1), MySigmoid())
    plain = fcnn.Sequential(fcnn.Linear(2, 1), Sigmoid())
    assert not outputs_logits(model) and not outputs_logits(plain)
    output = np.array([[0.2], [0.9]])
    assert np.array_equal(probabilities(model, output), probabilities(plain, output))
    assert np.allclose(probabilities(model, output), [[0.8, 0.2], [0.1, 0.9]])


def test_layer_histograms_give_a_tanh_subclass_the_range_of_tanh():
    from fcnn.plot.layers import layer_activations

    X = np.random.default_rng(0).standard_normal((50, 2))
    ours = fcnn.Sequential(fcnn.Linear(2, 3), MyTanh(), fcnn.Linear(3, 1))
    found = layer_activations(ours, X)
    assert found[0].activation == "MyTanh" and found[0].bounds == (-1.0, 1.0)


def test_activation_curves_title_a_silu_subclass_as_swish():
    from fcnn.plot.functions import activation_curves

    (curve,) = activation_curves([MySiLU()])
    assert curve.title == "MySiLU (swish)"


def test_a_relu_subclass_trains_exactly_as_relu():
    X, y = planar()
    plain = fcnn.Sequential(fcnn.Linear(2, 8), ReLU(), fcnn.Linear(8, 1))
    ours = fcnn.Sequential(fcnn.Linear(2, 8), MyReLU(), fcnn.Linear(8, 1))
    ours.load_state_dict(plain.state_dict())
    histories = [
        fcnn.fit(model, X, y, epochs=2, verbose=0, seed=0).history["loss"]
        for model in (plain, ours)
    ]
    assert histories[0] == histories[1]


def test_a_relu_subclass_with_its_own_forward_is_not_bypassed_in_a_sequential():
    class ShiftedReLU(ReLU):
        def forward(self, x):
            return super().forward(x) + 1.0

    model = fcnn.Sequential(fcnn.Linear(2, 2), ShiftedReLU())
    model[0].weight.data[...] = -1.0
    model[0].bias.data[...] = 0.0
    assert np.array_equal(model(np.ones((1, 2))), [[1.0, 1.0]])


def test_the_plateau_callback_steps_a_subclass_with_the_monitored_value():
    class MyPlateau(ReduceLROnPlateau):
        pass

    model = fcnn.Sequential(fcnn.Linear(2, 1))
    optimizer = SGD(model.parameters(), lr=1.0)
    scheduler = MyPlateau(optimizer, patience=0, factor=0.5)
    callback = LRSchedulerCallback(scheduler, monitor="val_loss")
    callback.on_epoch_end(None, {"val_loss": 1.0})
    callback.on_epoch_end(None, {"val_loss": 2.0})  # worse: the rate halves
    assert optimizer.param_groups[0]["lr"] == 0.5
