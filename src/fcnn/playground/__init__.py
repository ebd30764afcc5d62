"""Floor 5: the browser playground (``fcnn playground``), a small ASGI app on the fcnn engine.

- ``config``: every setting the page can change, its range and default (``KEYS``), the
  ``/api/options`` JSON and the check of a config object (``validate``, ``ConfigError``).
- ``session``: one browser tab's state (``Session``): its data (``session_data``: from
  ``fcnn.data.playground_set``, an uploaded CSV or points drawn on the page), the
  ``fcnn.mlp`` network, its loss and optimiser (``session_network``), training in
  slices with ``fcnn.train``'s one training step.
- ``encoding``: the network's inputs (``features``), the heat maps' points
  (``grid_points``), the ±1 scale of a probability (``signed``), rounding for JSON.
- ``state``: the messages the page draws (heat maps, dead / saturated units by
  ``fcnn.diagnose``'s rules, gradient flow, diagnostics).
- ``export``: the downloads (``.safetensors``, a Python snippet, the data as CSV).
- ``messages``: the check of every WebSocket frame (``check_message``).
- ``connection``: a session and its socket (``Connection``), the training task, the
  registry of sessions, and the handling of each message.
- ``server``: the Starlette app (``create_app``): the page, the options, the data-set
  thumbnails, one WebSocket per tab, the download and upload endpoints; ``serve`` runs
  it with uvicorn.
- ``static/``: the page itself (plain JavaScript modules, no build step).

The contract between the server and the page is docs/playground-protocol.md.
"""

from .config import ConfigError, default_config, options, validate
from .encoding import features, grid_points, signed
from .server import create_app, serve
from .session import Session

__all__ = [
    "ConfigError",
    "Session",
    "create_app",
    "default_config",
    "features",
    "grid_points",
    "options",
    "serve",
    "signed",
    "validate",
]
