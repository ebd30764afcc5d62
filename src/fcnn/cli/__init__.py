"""Floor 5: the ``fcnn`` command (typer + rich).

Commands: ``bench``, ``demo``, ``train``, ``evaluate``, ``predict``, ``lr-find``,
``reproduce``, ``explain``, ``diagnose``, ``sweep``, ``plot``, ``export``, ``playground``.
Each lives in its own module and registers on the one ``app``; user errors print as one
line. What several commands share lives apart: ``options`` (options declared once,
parsers of comma-separated values), ``runs`` (run directories made and read back:
config, model, data, optimiser) and ``train_checks`` (``fcnn train``'s options, checked
before a run directory is made; ``lr-find`` checks its shared options with them).
"""

# Each module registers its commands on the app as it is imported, and ``fcnn --help``
# lists them in that order: the workflow (train, evaluate, predict) before the tools.
# isort: off
from . import bench, demo, train  # noqa: F401
from . import evaluate  # noqa: F401
from . import lr_find  # noqa: F401
from . import diagnose, explain, export, playground, plot, reproduce, sweep  # noqa: F401

# isort: on
from .app import app

__all__ = ["app"]
