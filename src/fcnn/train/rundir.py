"""Run directories: one process at a time, and the files a run keeps up to date in them.

A run directory (``fit(run_dir=...)``, ``fcnn train``) holds::

    run.json                  how the run was set up (written by ``fcnn train``)
    checkpoint.safetensors    the whole training state, for a bit-identical resume
    model.safetensors         the model as it stands (``fcnn.load``, ``fcnn evaluate``)
    history.json              the epochs so far
    run.lock, run.lock.holder the lock, and who holds it

- :func:`hold_directory`: a lock on a directory, taken with the ``filelock`` library. It
  is an operating-system lock (``flock``), which the kernel lets go of when its process
  dies, so the lock of a killed run is simply taken over. Who holds it (pid, host, since
  when) is written beside it, so that the process refused can say who is in the way.
  Sweep directories use it too.
- :func:`lock_run_dir`: that lock on a run directory, taken again freely by the thread
  that holds it: ``fcnn train`` holds it from before ``run.json`` is written to the end,
  and the ``fit`` it calls takes it too.
- :class:`RunFiles`: what ``fit`` writes there after the epochs, and reads back on resume.
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..files import atomic_write_text
from ..i18n import N_, Message
from ..io import save
from .checkpoint import CHECKPOINT_NAME, load_checkpoint, restore, save_checkpoint
from .history import History

__all__ = [
    "RUN_LOCK",
    "DirectoryInUseError",
    "RunFiles",
    "hold_directory",
    "lock_run_dir",
    "remove_leftovers",
]

RUN_LOCK = "run.lock"
MODEL_NAME = "model.safetensors"
HISTORY_NAME = "history.json"
# The files fcnn writes atomically into a run directory (run.json is the CLI's).
RUN_FILES = ("run.json", CHECKPOINT_NAME, MODEL_NAME, HISTORY_NAME, f"{RUN_LOCK}.holder")
# fcnn.files.atomic_write_bytes writes "<name>" through ".<name>.<12 hex digits>.tmp".
_TEMP = re.compile(r"\.(?P<name>.+)\.[0-9a-f]{12}\.tmp")

# Writing the run directory takes at most this share of the training time: with
# thousands of epochs shorter than a write, not every epoch is written (see RunFiles).
WRITE_SHARE = 0.1


class DirectoryInUseError(RuntimeError):
    """Another process (or thread) holds the directory's lock."""


def _holder_text(record: dict[str, Any] | None) -> Message:
    if record is None:
        return Message("train", N_("another process"))
    since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(record.get("started", 0)))
    template = N_("process {pid} on {host} (since {since})")
    return Message("train", template, pid=record.get("pid"), host=record.get("host"), since=since)


def _read_holder(path: Path) -> dict[str, Any] | None:
    """The holder record beside a lock, once it names a live process (its new holder may
    need a moment to write it; one left by a killed holder names a dead one)."""
    for _ in range(20):
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            record = None
        if isinstance(record, dict) and isinstance(record.get("pid"), int):
            if record.get("host") != socket.gethostname() or _alive(record["pid"]):
                return record
        time.sleep(0.05)
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, belongs to someone else
        return True
    return True


@contextmanager
def hold_directory(
    directory: str | os.PathLike[str],
    lock_name: str,
    *,
    what: str,
    advice: str,
    error: type[DirectoryInUseError] = DirectoryInUseError,
) -> Iterator[Path]:
    """Hold the lock ``directory/lock_name`` (creating the directory) for the ``with`` block.

    A directory whose lock is held elsewhere raises ``error`` at once:
    "<what> <directory> is in use by process N on HOST (since ...); <advice>".
    """
    # Imported here: only runs into a directory need it, and ``import fcnn`` stays light.
    from filelock import FileLock, Timeout

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    holder = directory / f"{lock_name}.holder"
    lock = FileLock(directory / lock_name, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        who = _holder_text(_read_holder(holder))
        template = N_("{what} {directory} is in use by {who}; {advice}")
        fields = {"what": Message("train", what), "who": who, "advice": Message("train", advice)}
        raise error(Message("train", template, directory=directory, **fields)) from None
    try:
        record = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()}
        atomic_write_text(holder, json.dumps(record))
        yield directory
    finally:
        # The lock file itself stays: every process must lock the same file (inode).
        holder.unlink(missing_ok=True)
        lock.release()


_HELD: set[tuple[Path, int]] = set()  # (run directory, thread) pairs holding a run lock


@contextmanager
def lock_run_dir(directory: str | os.PathLike[str]) -> Iterator[Path]:
    """Hold a run directory's lock; the thread that holds it may take it again (nested)."""
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    key = (path.resolve(), threading.get_ident())
    if key in _HELD:  # fcnn train holds it and calls fit
        yield path
        return
    with hold_directory(
        path,
        RUN_LOCK,
        what=N_("run directory"),
        advice=N_("wait for it to finish, or train into another run directory"),
    ):
        _HELD.add(key)
        try:
            yield path
        finally:
            _HELD.discard(key)


def remove_leftovers(directory: str | os.PathLike[str], before: float) -> list[Path]:
    """Remove the temporary files that interrupted atomic writes of fcnn's own run files
    left in ``directory``, made before the time ``before``; return them."""
    removed = []
    for path in Path(directory).glob(".*.tmp"):
        match = _TEMP.fullmatch(path.name)
        try:
            if match and match["name"] in RUN_FILES and path.stat().st_mtime < before:
                path.unlink()
                removed.append(path)
        except FileNotFoundError:
            pass
    return removed


class RunFiles:
    """The files ``fit`` keeps in a run directory (none when ``path`` is None).

    After an epoch, the checkpoint, the model and the history are written, each
    atomically, so that ``fcnn evaluate`` works on a run still training or killed, and
    a resume continues bit-identically from the last epoch written. That is every epoch,
    unless epochs are much shorter than the writes (thousands of one-batch epochs of a
    tiny network, where writing every epoch made training tens of times slower): then
    the next write waits until the training since the last one took nine times as long
    as that write, so writing costs at most a tenth of the time. The last epoch is always
    written, and so is a finished epoch when training is interrupted before the next one
    starts to change the weights; a run killed otherwise resumes from the last written.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None,
        *,
        model: Any,
        optimizer: Any,
        shuffle_rng: Any,
        callbacks: list[Any],
        config: dict[str, Any],
    ) -> None:
        self.path = None if path is None else Path(path)
        self.model = model
        self.config = config
        self._state = {
            "model": model,
            "optimizer": optimizer,
            "shuffle_rng": shuffle_rng,
            "callbacks": callbacks,
        }
        self._pending: tuple[History, int] | None = None  # a finished epoch not written yet
        self._next_write = -float("inf")  # perf_counter() from which a write is due
        self._opened = time.time()

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the run directory's lock (nothing to hold without a run directory)."""
        if self.path is None:
            yield
            return
        with lock_run_dir(self.path):
            self._opened = time.time()
            yield

    def resume(self) -> tuple[History, int] | None:
        """Put the checkpoint's state back into the training objects: (history, epochs
        done), or None when the directory holds no checkpoint yet."""
        checkpoint_file = self.path / CHECKPOINT_NAME
        if not checkpoint_file.exists():
            return None
        checkpoint = load_checkpoint(checkpoint_file)
        changed = [
            Message(
                "train",
                N_("{key} was {was!r}, now {now!r}"),
                key=key,
                was=checkpoint["config"].get(key),
                now=value,
            )
            for key, value in self.config.items()
            if checkpoint["config"].get(key) != value
        ]
        if changed:
            listed = changed[0]
            for change in changed[1:]:  # joined when said, in the language of the moment
                listed = Message("train", N_("{earlier}; {later}"), earlier=listed, later=change)
            template = N_("cannot resume {path}: {changed}")
            raise ValueError(Message("train", template, path=self.path, changed=listed))
        restore(checkpoint, **self._state)
        return History.from_dict(checkpoint["history"]), int(checkpoint["epoch"])

    def epoch_finished(self, history: History, epochs_done: int, *, last: bool) -> None:
        """Write the run directory now if it is due (see the class); else remember it."""
        if self.path is None:
            return
        self._pending = (history, epochs_done)
        if last or time.perf_counter() >= self._next_write:
            self.write_pending()

    def epoch_started(self) -> None:
        """The weights are about to move: an epoch not yet written can no longer be."""
        self._pending = None

    def write_pending(self) -> None:
        """Write the last finished epoch, if it has not been written and still can be."""
        if self._pending is None:
            return
        history, epochs_done = self._pending
        self._pending = None  # taken: a write that fails is not tried again on the way out
        started = time.perf_counter()
        save_checkpoint(
            self.path / CHECKPOINT_NAME,
            **self._state,
            history=history,
            epoch=epochs_done,
            config=self.config,
        )
        save(self.model, self.path / MODEL_NAME)
        history.save(self.path / HISTORY_NAME)
        finished = time.perf_counter()
        self._next_write = finished + (finished - started) * (1 / WRITE_SHARE - 1)

    def finish(self, history: History) -> None:
        """After training: the model as the callbacks left it (early stopping may have
        put back its best weights) and the history with its stop reason; then the
        temporary files of writes an earlier, interrupted process left here go."""
        if self.path is None:
            return
        save(self.model, self.path / MODEL_NAME)
        history.save(self.path / HISTORY_NAME)
        remove_leftovers(self.path, before=self._opened)
