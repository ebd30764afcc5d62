"""The Dask cluster the tests train and sweep on: a real ``distributed.LocalCluster`` of
two worker processes of one thread each, on 127.0.0.1, without a dashboard. Used by
``test_data_parallel.py`` and ``test_sweep.py`` (each its own, for its module)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def local_cluster(**settings: Any) -> Iterator[Any]:
    """The cluster, closed on leaving; ``settings`` go to ``LocalCluster`` as well
    (``silence_logs=...``)."""
    import distributed  # no skip: a missing Dask fails the test (CI installs fcnn[dask])

    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        **settings,
    ) as cluster:
        yield cluster
