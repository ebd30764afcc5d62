"""Draw every figure of docs/tutorial.md into docs/tutorial/.

    python docs/tutorial/make_figures.py

Each block is the figure code shown in the tutorial, seeded, so the figures come out the
same every time. It takes about half a minute.
"""

from pathlib import Path

import fcnn

OUT = Path(__file__).resolve().parent
DPI = 90

# Section 3: activation functions and their derivatives
fig = fcnn.plot.activations(["sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu"])
fcnn.plot.save(fig, OUT / "activations.png", dpi=DPI)

# Section 5: the 10-layer tanh network with three initial weight scales
models, X = fcnn.plot.init_experiment(("0.01", "xavier", "he"))
fig = fcnn.plot.init_comparison(models, X)
fcnn.plot.save(fig, OUT / "init.png", dpi=DPI)

# Section 7: SGD, momentum and Adam on the moons
X, y = fcnn.data.moons(n=500, noise=0.2, seed=0)
runs = {}
for name in ["SGD", "SGD + momentum", "Adam"]:
    model = fcnn.mlp([2, 16, 16, 2], activation="relu", seed=0)
    optimizer = {
        "SGD": fcnn.optim.SGD(model.parameters(), lr=0.05),
        "SGD + momentum": fcnn.optim.SGD(model.parameters(), lr=0.05, momentum=0.9),
        "Adam": fcnn.optim.Adam(model.parameters(), lr=0.01),
    }[name]
    runs[name] = fcnn.fit(
        model, X, y, optimizer=optimizer, epochs=40, batch_size=50, seed=0, verbose=0
    )
fig = fcnn.plot.lr_comparison(runs, title="SGD, momentum and Adam on the moons")
fcnn.plot.save(fig, OUT / "optimizers.png", dpi=DPI)

# Section 7: the learning-rate range test on the digits
X, y = fcnn.data.digits()
X_train, X_test, y_train, y_test = fcnn.data.train_test_split(X / 16, y, test_size=0.25, seed=0)
model = fcnn.mlp([64, 32, 10], activation="relu", seed=0)
found = fcnn.lr_find(model, X_train, y_train, optimizer="adam", seed=0)
fcnn.plot.save(fcnn.plot.lr_find(found), OUT / "lr_find.png", dpi=DPI)

# Section 8: the planar flower, one decision boundary per hidden-layer width
results = fcnn.plot.hidden_units_experiment()
fig = fcnn.plot.hidden_units_grid(results, *fcnn.data.planar())
fcnn.plot.save(fig, OUT / "hidden_units.png", dpi=DPI)
