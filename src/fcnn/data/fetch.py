"""Checksums, the download cache, and fetching a file from a list of mirrors.

A download is written to a temporary file beside its destination and renamed into
place only after its MD5 matches the published one, so the cache never holds a
partial or wrong file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from ..i18n import N_, Message

__all__ = ["DownloadError", "cache_dir", "fetch", "md5sum", "verify_md5"]

_CHUNK = 1 << 20


class DownloadError(OSError):
    """No mirror delivered the file with the expected checksum; the message lists each try."""


def cache_dir(path: str | os.PathLike | None = None) -> Path:
    """The download cache: ``path`` when given, else ``$FCNN_CACHE``, else ``~/.cache/fcnn``."""
    if path is not None:
        return Path(path).expanduser()
    env = os.environ.get("FCNN_CACHE")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "fcnn"


def md5sum(path: str | os.PathLike) -> str:
    """The hex MD5 digest of a file's bytes."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify_md5(path: str | os.PathLike, expected: str) -> None:
    """Raise ValueError naming the file, the expected and the actual MD5 when they differ."""
    actual = md5sum(path)
    if actual != expected.lower():
        template = N_(
            "{path}: md5 mismatch: expected {expected}, got {actual} "
            "(the file is damaged or not the published one; delete it and fetch it again)"
        )
        fields = {"path": path, "expected": expected.lower(), "actual": actual}
        raise ValueError(Message("data", template, **fields))


def fetch(
    filename: str,
    md5: str,
    mirrors: Sequence[str],
    directory: str | os.PathLike,
    *,
    timeout: float = 60.0,
) -> Path:
    """Download ``filename`` into ``directory`` from the first mirror that serves it intact.

    Each mirror is a base URL; the file's URL is ``base + "/" + filename``. A mirror
    that fails (HTTP error, network error, timeout, or bytes whose MD5 is not ``md5``)
    is reported and the next one tried; a wrong file is deleted, never kept.

    Returns
    -------
    Path
        ``directory / filename``, verified.

    Raises
    ------
    DownloadError
        When every mirror failed; the message lists each URL and what went wrong.
    """
    if isinstance(mirrors, str):
        mirrors = [mirrors]
    if not mirrors:
        raise ValueError(
            Message("data", N_("fetch({filename!r}): no mirrors given"), filename=filename)
        )
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / filename
    failures = []
    for base in mirrors:
        url = f"{base.rstrip('/')}/{filename}"
        try:
            _download_verified(url, target, md5.lower(), timeout)
        except (OSError, ValueError) as error:  # URLError, HTTPError, timeouts are OSErrors
            failures.append(f"  {url}: {error}")
            continue
        return target
    template = N_("could not download {filename} into {directory}; every mirror failed:")
    said = Message("data", template, filename=filename, directory=directory)
    raise DownloadError(
        Message("data", N_("{said}\n{failures}"), said=said, failures="\n".join(failures))
    )


def _download_verified(url: str, target: Path, md5: str, timeout: float) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": "fcnn (python urllib)"})
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".part", dir=target.parent
    )
    try:
        digest = hashlib.md5(usedforsecurity=False)
        with (
            os.fdopen(handle, "wb") as out,
            urllib.request.urlopen(request, timeout=timeout) as response,
        ):
            while chunk := response.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
        actual = digest.hexdigest()
        if actual != md5:
            template = N_("md5 mismatch for {name}: expected {md5}, got {actual}")
            raise ValueError(Message("data", template, name=target.name, md5=md5, actual=actual))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
