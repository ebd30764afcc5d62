"""Floor 5: the ``fcnn`` command (typer + rich).

Commands: ``bench``, ``demo``, ``train``, ``evaluate``, ``predict``, ``reproduce``, ``explain``,
``diagnose``, ``sweep``, ``plot``, ``export``, ``playground``. Each lives in its own module and
registers on the one ``app``; user errors print as one line.
"""

from . import (  # noqa: F401
    bench,
    demo,
    diagnose,
    explain,
    export,
    playground,
    plot,
    reproduce,
    sweep,
    train,
)
from .app import app

__all__ = ["app"]
