"""Floor 5: the ``fcnn`` command (typer + rich).

Commands: ``demo``, ``train``, ``evaluate``, ``predict``, ``reproduce``, ``explain``,
``diagnose``, ``sweep``. Each lives in its own module and registers on the one ``app``;
user errors print as one line.
"""

from . import demo, diagnose, explain, reproduce, sweep, train  # noqa: F401  (registers them)
from .app import app

__all__ = ["app"]
