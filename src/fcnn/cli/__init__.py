"""Floor 5: the ``fcnn`` command (typer + rich).

``demo``, ``train``, ``evaluate``, ``predict``, ``reproduce``, ``explain``, ``diagnose``. Each
command lives in its own module and registers on the one ``app``; user errors print as one line.
"""

from . import demo, diagnose, explain, reproduce, train  # noqa: F401  (registers the commands)
from .app import app

__all__ = ["app"]
