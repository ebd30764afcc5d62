"""A sweep directory: its lock, its recorded spec, and its results file.

::

    sweep.json          the normalised spec (a different spec is refused)
    sweep.lock          the lock (fcnn.train.rundir.hold_directory: an OS lock that
                        the kernel lets go of when its process dies, so the lock of a
                        killed sweep is simply taken over)
    sweep.lock.holder   {"pid", "host", "started"} of the sweep writing here now
    trials.jsonl        one line per finished trial, appended, flushed and fsync'ed at once
    models/<key>.safetensors
    results.md, results.csv, sweep.png     the ranked summary, rewritten at the end

A crash mid-append leaves a last line without its newline: it is set aside in
``trials.jsonl.damaged`` and the file cut back to its last whole line, so the trial runs
again.
"""

from __future__ import annotations

import json
import os
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from ..files import atomic_write_bytes, atomic_write_text
from ..i18n import N_, Message
from ..train.rundir import DirectoryInUseError, hold_directory

__all__ = ["SpecMismatchError", "SweepLockedError", "SweepStore"]

SPEC_FILE = "sweep.json"
LOCK_FILE = "sweep.lock"
RESULTS_FILE = "trials.jsonl"
MODELS_DIR = "models"


class SweepLockedError(DirectoryInUseError):
    """Another sweep is writing to the same directory."""


class SpecMismatchError(ValueError):
    """The directory holds a sweep with a different spec."""


def _differences(old: Any, new: Any, path: str = "") -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(set(old) | set(new), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in old:
                out.append(f"{where} is new ({new[key]!r})")
            elif key not in new:
                out.append(f"{where} was {old[key]!r}, now absent")
            else:
                out.extend(_differences(old[key], new[key], where))
        return out
    return [] if old == new else [f"{path} was {old!r}, now {new!r}"]


class SweepStore:
    """The files of one sweep directory. Use as a context manager to hold its lock."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.results_path = self.directory / RESULTS_FILE
        self._lock: ExitStack | None = None
        self._handle = None

    # ------------------------------------------------------------------ lock
    def acquire(self) -> None:
        """Take the directory's lock, or raise :class:`SweepLockedError` naming its holder."""
        lock = ExitStack()
        lock.enter_context(
            hold_directory(
                self.directory,
                LOCK_FILE,
                what=N_("sweep directory"),
                advice=N_("wait for it to finish, or choose another output directory"),
                error=SweepLockedError,
            )
        )
        self._lock = lock
        # Left by earlier versions of fcnn, which moved a stale lock aside.
        (self.directory / f".{LOCK_FILE}.stale").unlink(missing_ok=True)

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def __enter__(self) -> SweepStore:
        self.acquire()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()

    # ------------------------------------------------------------------ spec
    def check_spec(self, spec: dict[str, Any]) -> None:
        """Record ``spec`` here, or refuse one that differs from the recorded spec."""
        path = self.directory / SPEC_FILE
        if path.exists():
            recorded = json.loads(path.read_text())
            changes = _differences(recorded, json.loads(json.dumps(spec)))
            if changes:
                shown = "; ".join(changes[:5]) + (" ..." if len(changes) > 5 else "")
                template = N_(
                    "{path} holds a sweep with a different spec ({changes}); re-run with the "
                    "same spec to resume it, or give another output directory"
                )
                said = Message("train", template, path=self.directory, changes=shown)
                raise SpecMismatchError(said)
        else:
            atomic_write_text(path, json.dumps(spec, indent=1))

    # ------------------------------------------------------------------ results
    def load(self) -> dict[str, dict[str, Any]]:
        """Finished trials by key. A damaged last line (a crash mid-append) is set aside in
        ``trials.jsonl.damaged`` and cut off, so that the next append starts a clean line."""
        if not self.results_path.exists():
            return {}
        data = self.results_path.read_bytes()
        records: dict[str, dict[str, Any]] = {}
        good = data.rfind(b"\n") + 1  # bytes up to the last whole line
        if good < len(data) and self._lock is not None:
            with open(self.directory / f"{RESULTS_FILE}.damaged", "ab") as aside:
                aside.write(data[good:] + b"\n")
            with open(self.results_path, "r+b") as handle:
                handle.truncate(good)
                handle.flush()
                os.fsync(handle.fileno())
        for line in data[:good].splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a line damaged otherwise: ignored, its trial runs again
            if isinstance(record, dict) and "key" in record and record["key"] not in records:
                records[record["key"]] = record
        return records

    def write_model(self, key: str, data: bytes) -> str:
        """Write a trial's model file (atomically); return its path relative to the directory."""
        relative = f"{MODELS_DIR}/{key}.safetensors"
        (self.directory / MODELS_DIR).mkdir(exist_ok=True)
        atomic_write_bytes(self.directory / relative, data)
        return relative

    def append(self, record: dict[str, Any]) -> None:
        """Append one record as a line, flushed and fsync'ed before returning."""
        line = json.dumps(record, allow_nan=False, separators=(",", ":")) + "\n"
        if self._handle is None:
            self._handle = open(self.results_path, "ab")  # kept open: one per sweep
        self._handle.write(line.encode())
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def write_text(self, name: str, text: str) -> Path:
        return atomic_write_text(self.directory / name, text)
