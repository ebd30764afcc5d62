"""Floor 5: the browser playground (``fcnn playground``), a small ASGI app on the fcnn engine.

- ``config``: every setting the page can change, its range and default (``KEYS``), the
  ``/api/options`` JSON and the check of a config object (``validate``, ``ConfigError``).
- ``session``: one browser tab's state (``Session``): data (the TensorFlow Playground's
  sets, multiclass ``blobs`` / ``spiral`` and uploaded CSVs), input features, the
  ``fcnn.mlp`` network, its loss and optimiser, training in slices, the ``state`` the
  page draws (heat maps, dead / saturated units, gradient flow, diagnostics) and the
  exports (``.safetensors`` and a Python snippet); ``grid_points`` and ``features`` are
  the heat maps' points and the network's inputs.
- ``server``: the Starlette app (``create_app``): the page, the options, one WebSocket
  per tab, the download and upload endpoints, the session registry; ``serve`` runs it
  with uvicorn.
- ``static/``: the page itself (plain JavaScript modules, no build step).

The contract between the server and the page is docs/playground-protocol.md.
"""

from .config import ConfigError, default_config, options, validate
from .server import create_app, serve
from .session import Session, features, grid_points

__all__ = [
    "ConfigError",
    "Session",
    "create_app",
    "default_config",
    "features",
    "grid_points",
    "options",
    "serve",
    "validate",
]
