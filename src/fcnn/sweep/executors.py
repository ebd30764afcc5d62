"""Where trials run: in this process, in local processes (loky, joblib's process pool) or
on a Dask cluster. Each hands every outcome to ``on_result`` in the driver as soon as it
arrives, in completion order.

A worker that dies mid-trial takes its trial (and, with loky, the pool's other running
trials) with it; those trials are submitted again, up to ``max_attempts`` times each,
after which the trial is recorded as failed and the sweep goes on. Dask itself also
re-runs a task whose worker died (its ``allowed-failures``). Dask is imported only here,
only when asked for.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ..i18n import N_, Message
from .trial import run_trial

__all__ = ["execute", "parse_dask"]

# How often a loky worker checks that its driver is still there.
DRIVER_CHECK_SECONDS = 0.25

OnResult = Callable[[dict[str, Any], dict[str, Any]], None]


def _lost(trial: dict[str, Any], attempts: int, err: BaseException) -> dict[str, Any]:
    return {
        "record": {
            "status": "failed",
            "metrics": {},
            "error": f"the worker running this trial died {attempts} time(s) "
            f"({type(err).__name__}: {err})",
        },
        "model": None,
    }


def _rounds(
    trials: list[dict[str, Any]],
    round_: Callable[[list[dict[str, Any]]], list[tuple[dict[str, Any], BaseException]]],
    on_result: OnResult,
    max_attempts: int,
) -> None:
    """Run ``round_`` on the trials, then again on those whose worker died, and so on."""
    attempts: dict[str, int] = {}
    pending = list(trials)
    while pending:
        broken = round_(pending)
        pending = []
        for trial, err in broken:
            attempts[trial["key"]] = attempts.get(trial["key"], 0) + 1
            if attempts[trial["key"]] >= max_attempts:
                on_result(trial, _lost(trial, attempts[trial["key"]], err))
            else:
                pending.append(trial)


def _serial(trials, source, on_result, before) -> None:
    for trial in trials:
        on_result(trial, run_trial(source, trial, before))


def _start_worker(driver: int) -> None:
    """Set up a loky worker: it leaves Ctrl-C to the driver, and dies with the driver.

    Ctrl-C: the driver stops the workers; a worker interrupted itself would hang at exit
    trying to send its KeyboardInterrupt back to a closed pool. Death: loky's workers
    outlive a driver killed with SIGKILL (busy for minutes with their trial, holding
    the driver's output pipes), so a thread watches for the parent to go (the worker is
    then handed to another parent) and ends the worker at once.

    ``driver`` is the driver's process id, sent by the driver itself (loky starts its
    workers as the driver's children). The worker must not read it with
    ``os.getppid()``: on a busy machine a worker may take seconds to start, and if the
    driver was killed meanwhile, its parent is already another process, which it would
    then watch forever while it trains. Given the id, such a worker ends at once.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == driver:
            time.sleep(DRIVER_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="fcnn-driver-watch", daemon=True).start()


def _loky(trials, source, on_result, before, jobs: int, max_attempts: int) -> None:
    from concurrent.futures import as_completed

    from joblib.externals.loky import get_reusable_executor

    def round_(pending):
        executor = get_reusable_executor(
            max_workers=jobs, timeout=60, initializer=_start_worker, initargs=(os.getpid(),)
        )
        futures = {executor.submit(run_trial, source, t, before): t for t in pending}
        broken = []
        try:
            for future in as_completed(futures):
                try:
                    outcome = future.result()
                except Exception as err:  # the worker died (trial errors come back as records)
                    broken.append((futures[future], err))
                    continue
                on_result(futures[future], outcome)
        except BaseException:
            # Stop now (Ctrl-C): kill the workers, whose trials are lost anyway. Left alone,
            # a worker finishing its trial blocks forever sending the result to a pool that
            # nobody reads, and this process hangs at exit joining it.
            for pid in list(getattr(executor, "_processes", {})):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            executor.shutdown(wait=False, kill_workers=True)
            raise
        return broken

    _rounds(trials, round_, on_result, max_attempts)


def parse_dask(address: str) -> tuple[str, int | str]:
    """``"local:N"`` → ``("local", N)``; ``"tcp://host:port"`` → ``("remote", address)``."""
    if address.startswith("local"):
        _, _, count = address.partition(":")
        try:
            workers = int(count or 2)
        except ValueError:
            workers = 0
        if workers < 1:
            template = N_("--dask {address!r}: expected local:N with N a positive integer")
            raise ValueError(Message("train", template, address=address))
        return "local", workers
    if "://" not in address and ":" not in address:
        template = N_(
            "--dask {address!r}: expected a scheduler address (tcp://host:8786) or local:N"
        )
        raise ValueError(Message("train", template, address=address))
    return "remote", address


@contextmanager
def dask_client(address: str) -> Iterator[Any]:
    """A ``distributed.Client`` on the scheduler at ``address``, or on a ``LocalCluster`` of
    N worker processes bound to 127.0.0.1 for ``local:N`` (closed on exit)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        from ..interop.optional import install_hint

        raise RuntimeError(install_hint("sweep-dask")) from None
    kind, where = parse_dask(address)
    if kind == "local":
        cluster = LocalCluster(
            n_workers=int(where),
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
        try:
            yield client
        finally:
            client.close()
            cluster.close()
    else:
        client = Client(str(where), timeout=30)
        try:
            yield client
        finally:
            client.close()


def _dask(trials, source, on_result, before, address, max_attempts) -> None:
    from distributed import as_completed

    with dask_client(address) as client:
        attempt = {"n": 0}

        def round_(pending):
            attempt["n"] += 1
            futures = {
                client.submit(
                    run_trial, source, t, before, key=f"fcnn-trial-{t['key']}-{attempt['n']}"
                ): t
                for t in pending
            }
            broken = []
            try:
                for future in as_completed(list(futures)):
                    trial = futures[future]
                    try:
                        outcome = future.result()
                    except Exception as err:  # KilledWorker: it died allowed-failures times
                        broken.append((trial, err))
                        continue
                    finally:
                        future.release()
                    on_result(trial, outcome)
            except BaseException:
                client.cancel(list(futures))
                raise
            return broken

        _rounds(trials, round_, on_result, max_attempts)


def execute(
    trials: list[dict[str, Any]],
    source: dict[str, Any],
    on_result: OnResult,
    *,
    jobs: int = 1,
    dask: str | None = None,
    before: Any = None,
    max_attempts: int = 3,
) -> None:
    """Run ``trials`` on ``source``; call ``on_result(trial, outcome)`` for each, in the
    driver, as it finishes. ``dask`` (an address or ``local:N``) wins over ``jobs``;
    ``jobs=1`` runs in this process."""
    if not trials:
        return
    if dask:
        _dask(trials, source, on_result, before, dask, max_attempts)
    elif jobs == 1:
        _serial(trials, source, on_result, before)
    else:
        _loky(trials, source, on_result, before, jobs, max_attempts)
