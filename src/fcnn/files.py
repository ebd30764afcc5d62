"""Floor 1: writing files safely, reading them warily, and the error a bad file raises.

- :func:`atomic_write_bytes` / :func:`atomic_write_text`: every file fcnn writes (model
  files, checkpoints, histories, ONNX files, sweep records, reports, figures) goes
  through a temporary file in the same folder and a rename, so a crash or a full disk
  never leaves a half-written file where a good one was.
- :class:`ModelFileError`: the one error a bad model file, checkpoint, ``run.json`` or
  ``history.json`` raises (``fcnn.ModelFileError``, also ``fcnn.io.ModelFileError``).
- :func:`check_regular_file` (a FIFO would block ``open`` forever, a device never ends)
  and :func:`read_json_file`; :func:`check_json` compares what a JSON file holds with
  the layout fcnn wrote (a small schema: types, objects with exact keys, lists,
  :class:`Rule`), so a damaged file is named, never a ``KeyError`` deep inside.

Only the standard library is used: every floor may read and write a file.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .i18n import N_, Message

__all__ = [
    "COUNT",
    "INTEGER",
    "POSITIVE",
    "ModelFileError",
    "Rule",
    "atomic_write_bytes",
    "atomic_write_text",
    "check_json",
    "check_regular_file",
    "read_json_file",
]

# A JSON file fcnn wrote (run.json, history.json) is far smaller; a bigger one is not ours.
MAX_JSON_BYTES = 256 * 2**20


class ModelFileError(ValueError):
    """A file fcnn cannot trust: a model file, checkpoint, ``run.json`` or history that is
    truncated, corrupted, foreign, inconsistent, or not a regular file.

    The message names the path and the problem; ``path`` holds the path. ``problem`` may
    be an :class:`fcnn.i18n.Message` (the ``files`` catalog's, usually), so the error
    reads in the language current when it is shown.
    """

    def __init__(self, path: str | os.PathLike[str], problem: str | Message) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(
            Message("files", N_("{path} {problem}"), path=os.fspath(path), problem=problem)
        )

    def __reduce__(self) -> tuple[Any, ...]:  # copy, and crossing process boundaries (joblib)
        return (type(self), (self.path, self.problem))


# --------------------------------------------------------------------------- atomic writes


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes | bytearray | memoryview) -> Path:
    """Write ``data`` to ``path`` atomically; return ``path`` as a ``Path``.

    The bytes go to a temporary file in the same folder, are flushed and fsync'ed, and
    the temporary file is then renamed over ``path`` (``os.replace``, atomic on POSIX and
    Windows). On any failure, interruption included, the temporary file is removed and
    a file already at ``path`` is left untouched. A new file gets the permissions the
    process umask gives; a symbolic link at ``path`` is replaced, not followed.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        template = N_("atomic_write_bytes: data must be bytes, got {type}")
        raise TypeError(Message("files", template, type=type(data).__name__))
    path = Path(path)
    folder = path.parent
    while True:  # O_EXCL with a random name: never clobbers another writer's temp file
        temp = folder / f".{path.name[:120]}.{secrets.token_hex(6)}.tmp"
        try:
            fd = os.open(
                temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666
            )
        except FileExistsError:
            continue
        except FileNotFoundError:
            raise FileNotFoundError(
                errno.ENOENT,
                Message("files", N_("cannot write {name}: no such folder"), name=path.name),
                str(folder),
            ) from None
        break
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_folder(folder)
    return path


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_write_bytes`), encoded as given.

    Newlines are written as they are in ``text``, on every platform.
    """
    if not isinstance(text, str):
        template = N_("atomic_write_text: text must be a str, got {type}")
        raise TypeError(Message("files", template, type=type(text).__name__))
    return atomic_write_bytes(path, text.encode(encoding))


def _fsync_folder(folder: Path) -> None:
    # Makes the rename itself durable on POSIX. Some platforms (Windows) cannot open a
    # folder; the rename is then as durable as the OS makes it.
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- reading


def check_regular_file(path: str | os.PathLike[str]) -> os.stat_result:
    """Refuse anything at ``path`` that is not a regular file, before it is opened.

    Opening a FIFO blocks until some other process writes to it, and a device may never
    end; a symbolic link to a regular file is fine. Raises FileNotFoundError when there
    is nothing at ``path``, IsADirectoryError for a folder, ModelFileError otherwise.
    """
    info = os.stat(path)  # follows links; FileNotFoundError names the path
    if stat.S_ISDIR(info.st_mode):
        folder = Message("files", N_("is a folder, not a file"))
        raise IsADirectoryError(errno.EISDIR, folder, os.fspath(path))
    if not stat.S_ISREG(info.st_mode):
        template = N_(
            "is not a regular file (a pipe, socket or device): fcnn reads models, "
            "checkpoints and run records only from regular files; copy it into one first"
        )
        raise ModelFileError(path, Message("files", template))
    return info


def read_json_file(path: str | os.PathLike[str]) -> Any:
    """The JSON value in the regular file at ``path``; ModelFileError naming it if damaged."""
    info = check_regular_file(path)
    if info.st_size > MAX_JSON_BYTES:
        template = N_("holds {size} bytes, more than any JSON file fcnn writes")
        raise ModelFileError(path, Message("files", template, size=info.st_size))
    with open(path, "rb") as handle:
        data = handle.read(MAX_JSON_BYTES + 1)
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        template = N_("is not valid JSON ({error}): the file is damaged")
        raise ModelFileError(path, Message("files", template, error=err)) from None


class Rule:
    """A check :func:`check_json` cannot spell with types alone: ``test(value)`` says yes
    or no, ``wanted`` says what is wanted, in words ("an integer >= 0")."""

    def __init__(self, wanted: str, test: Callable[[Any], bool]) -> None:
        self.wanted = wanted
        self.test = test

    @classmethod
    def one_of(cls, *choices: str) -> Rule:
        """One of these strings."""
        return cls(" or ".join(json.dumps(c) for c in choices), lambda v: v in choices)


# what to do about a file whose fields do not fit its layout, unless the caller knows better
DAMAGED = N_("the file is damaged")

INTEGER = Rule("an integer", lambda v: type(v) is int)
COUNT = Rule("an integer >= 0", lambda v: type(v) is int and v >= 0)
POSITIVE = Rule("an integer >= 1", lambda v: type(v) is int and v >= 1)


def check_json(
    path: str | os.PathLike[str],
    value: Any,
    schema: Any,
    where: str,
    advice: str | Message = DAMAGED,
) -> None:
    """Raise ModelFileError naming ``path``, the first field of ``value`` that does not
    fit ``schema``, and then ``advice`` (what to do about it).

    A schema is ``None`` (JSON null); a type (``str``, ``bool``, ``int``, ``float``
    (which takes integers too), ``dict``, ``list``, ``object`` (anything); ``bool`` is
    never an ``int``); a
    :class:`Rule`; a tuple of schemas (any one fits); ``[item]`` (a list of items); ``{str:
    item}`` (an object with any keys); or ``{"key": schema, "key?": schema}`` (an object
    with exactly these keys, the ``?`` ones optional).

    ``advice`` in English is said in the ``files`` catalog's words when it has them (the
    default does), else as written; a :class:`fcnn.i18n.Message` is said as it is.
    """
    problem = _problem(value, schema, where)
    if problem is not None:
        if advice and not isinstance(advice, Message):  # (gettext("") is the catalog's header)
            advice = Message("files", advice)  # gettext gives the English back if unknown
        said = Message("files", N_("{problem}: {advice}"), problem=problem, advice=advice)
        raise ModelFileError(path, said)


def _problem(value: Any, schema: Any, where: str) -> str | Message | None:
    if isinstance(schema, list):
        if not isinstance(value, list):
            return _mismatch(value, schema, where)
        for i, item in enumerate(value):
            problem = _problem(item, schema[0], f"{where}[{i}]")
            if problem is not None:
                return problem
        return None
    if isinstance(schema, dict):
        return _object_problem(value, schema, where)
    if isinstance(schema, tuple):
        if any(_problem(value, option, where) is None for option in schema):
            return None
        return _mismatch(value, schema, where)
    return None if _fits(value, schema) else _mismatch(value, schema, where)


def _fits(value: Any, schema: Any) -> bool:
    if schema is None:
        return value is None
    if schema is object:  # anything JSON holds
        return True
    if isinstance(schema, Rule):
        return schema.test(value)
    if isinstance(value, bool):
        return schema is bool
    if schema is float:
        return isinstance(value, (int, float))
    return isinstance(value, schema)


def _object_problem(value: Any, schema: dict[Any, Any], where: str) -> str | Message | None:
    if not isinstance(value, dict):
        return _mismatch(value, schema, where)
    if set(schema) == {str}:
        fields = {key: schema[str] for key in value}
    else:
        fields = {key.rstrip("?"): item for key, item in schema.items()}
        required = [key for key in schema if not key.endswith("?")]
        missing = [key for key in required if key not in value]
        if missing:
            return Message("files", N_("has no {field}"), field=_join(where, missing[0]))
        extra = [key for key in value if key not in fields]
        if extra:
            field = _join(where, extra[0])
            return Message("files", N_("has an unexpected field {field}"), field=field)
    for key, item in fields.items():
        if key in value:
            problem = _problem(value[key], item, _join(where, key))
            if problem is not None:
                return problem
    return None


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else str(key)


def _mismatch(value: Any, schema: Any, where: str) -> Message:
    shown = json.dumps(value, default=repr)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    template = N_("has {field} = {shown}, expected {wanted}")
    return Message("files", template, field=where, shown=shown, wanted=_describe(schema))


_WORDS = {
    str: "a string",
    bool: "true or false",
    int: "an integer",
    float: "a number",
    dict: "an object",
    list: "a list",
}


def _describe(schema: Any) -> str:
    if schema is None:
        return "null"
    if isinstance(schema, Rule):
        return schema.wanted
    if isinstance(schema, tuple):
        return " or ".join(_describe(option) for option in schema)
    if isinstance(schema, list):
        return f"a list, each {_describe(schema[0])}"
    if isinstance(schema, dict):
        return "an object"
    return _WORDS.get(schema, getattr(schema, "__name__", str(schema)))
