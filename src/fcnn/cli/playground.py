"""``fcnn playground``: the browser playground, served on this machine."""

from __future__ import annotations

import ipaddress

import typer
from rich.markup import escape

from ..i18n import N_, get_language, translator
from .app import app, console, errors, friendly, styled

_ = translator("cli")


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and the loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@app.command(
    "playground",
    help=N_("Open the playground: train small networks on 2-D data in the browser, live."),
)
@friendly
def playground_command(
    host: str = typer.Option(
        "127.0.0.1",
        help=N_("Address to listen on. Anything but loopback lets other machines train here."),
    ),
    port: int = typer.Option(8000, min=0, max=65535, help=N_("Port; 0 takes any free port.")),
    no_browser: bool = typer.Option(
        False, "--no-browser", help=N_("Do not open the page in the default browser.")
    ),
    idle_timeout: float = typer.Option(
        600.0, min=1.0, help=N_("Seconds without a message after which a tab's session is freed.")
    ),
    workers: int = typer.Option(
        None,
        min=0,
        help=N_(
            "Worker processes that train the tabs' sessions (default: one per core; 0 trains "
            "them on the server's own event loop, as a single tab needs)."
        ),
        show_default=False,
    ),
) -> None:
    from ..playground.server import serve

    if not is_loopback(host):
        errors.print(
            styled("bold yellow", _("warning: "))
            + escape(
                _(
                    "listening on {host}, not on loopback: anyone who can reach this machine "
                    "can use the playground (and its CPU)."
                ).format(host=host)
            ),
            highlight=False,
        )

    def announce(url: str) -> None:
        console.print(
            _("fcnn playground at {url} (Ctrl+C stops it)").format(url=f"[bold]{url}[/]"),
            highlight=False,
        )

    serve(
        host,
        port,
        open_browser=not no_browser,
        idle_timeout=idle_timeout,
        workers=workers,
        announce=announce,
        lang=get_language(),  # fcnn speaking Chinese opens the page in Chinese
    )
