"""``fcnn train --dask``: the Dask cluster a run trains on, data-parallel
(``fcnn.fit(..., dask=client)``, see ``fcnn.train.data_parallel``).

``--dask local:N`` starts a ``distributed.LocalCluster`` of N worker processes of one
thread each on this machine, and closes it (every worker process ended) when training
ends, however it ends; ``--dask tcp://HOST:PORT`` connects to a scheduler already
running (``dask scheduler``, dask-jobqueue, the Dask Kubernetes operator) and leaves it
running. The cluster is not part of the run: run.json does not record it, and a run
may be resumed on another cluster, or in one process.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer

from ..data.stream import BatchSource
from ..i18n import N_, translator
from ..interop.optional import install_hint

_ = translator("cli")

DASK_HELP = N_(
    "Train data-parallel on Dask: local:N (N single-threaded worker processes on this "
    "machine, started and closed by the command) or tcp://HOST:PORT (a running scheduler)."
)
CONNECT_SECONDS = 30  # how long to wait for a scheduler before giving up

_LOCAL = re.compile(r"local:([0-9]+)")
_ADDRESS = re.compile(r"(tcp|tls)://[^\s/:]+:[0-9]+")


def dask_option() -> Any:
    """``--dask CLUSTER``: None (no Dask) unless given."""
    return typer.Option(None, metavar="CLUSTER", help=DASK_HELP)


def parse_dask(spec: str | None) -> tuple[str, Any] | None:
    """``("local", N)`` or ``("address", URL)`` for ``--dask``; None without it."""
    if spec is None:
        return None
    local = _LOCAL.fullmatch(spec)
    if local and int(local.group(1)) >= 1:
        return "local", int(local.group(1))
    if _ADDRESS.fullmatch(spec):
        return "address", spec
    raise ValueError(
        _(
            "--dask {value!r}: expected local:N (N >= 1 worker processes on this machine) "
            "or tcp://HOST:PORT (a running Dask scheduler)"
        ).format(value=spec)
    )


def check_dask(config: dict[str, Any], dataset: Any) -> None:
    """Refuse, before anything is written or started, a run ``fit(dask=...)`` refuses."""
    if config["network"]["batchnorm"]:
        raise ValueError(
            _(
                "--dask: --batchnorm would normalise each worker's rows with their own "
                "statistics, not the batch's; train without --dask or without --batchnorm"
            )
        )
    if config.get("class_weight") is not None:
        raise ValueError(_("--dask: --class-weight is not supported on Dask; train without --dask"))
    X = dataset.X_train
    if isinstance(X, BatchSource) and X.n_chunks is None:
        raise ValueError(
            _(
                "--dask: {data} can only be read in its own order (a CSV file), so it cannot "
                "be shared between workers; convert it to Parquet, or read it into memory "
                "with --no-stream"
            ).format(data=config["source"].get("path", config["source"]["name"]))
        )


@contextmanager
def dask_client(spec: str | None) -> Iterator[Any]:
    """A ``distributed.Client`` for ``--dask`` (None without it), closed on leaving; a
    local cluster is closed with it."""
    parsed = parse_dask(spec)
    if parsed is None:
        yield None
        return
    try:
        import distributed
    except ImportError:
        raise ValueError(install_hint("sweep-dask")) from None
    kind, value = parsed
    if kind == "address":
        try:
            client = distributed.Client(value, timeout=CONNECT_SECONDS)
        except OSError as err:
            raise OSError(
                _("--dask: no Dask scheduler answered at {address} ({error})").format(
                    address=value, error=" ".join(str(err).split())
                )
            ) from None
        with client:
            yield client
        return
    with (
        distributed.LocalCluster(
            n_workers=value,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client
