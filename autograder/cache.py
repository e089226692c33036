"""Trusted computations that cost seconds, made once: :func:`expensive`.

Some checks need inputs or expected values that take a while to make: the 228146
examples of names.txt, a network trained for 2000 steps, a learning-rate sweep. The
function that makes one is marked ``@expensive``. Its value is kept for the rest of the
process and, in a student's runs (``pytest lessons/NN``, ``autograder progress``, which
enter :func:`on_disk`), in a file of the course's cache folder (``derived/`` next to the
downloaded data), so the next run reads it in milliseconds. It is made on one CPU
thread.

A file is named by the function and a hash of everything its value depends on: the
arguments, the source of the file that defines the function (and of the functions
passed to it), of the check vocabulary and of the given reference code, and torch's
version. Any edit to those, or another torch, makes the value again and replaces the
file. Values are plain data (tensors, numbers, strings and lists, tuples, dicts of
them), written with ``torch.save`` and read with ``torch.load(weights_only=True)``,
which runs no code; a file that cannot be read is made again. Grading never uses the
files: a grader makes each value once per process.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import os
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import torch

from autograder import PACKAGE_DIR

F = TypeVar("F", bound=Callable[..., Any])

_folder: Path | None = None  # where values are kept between runs; None: this process only
_values: dict[str, Any] = {}


@contextlib.contextmanager
def on_disk(folder: str | os.PathLike | None = None) -> Iterator[None]:
    """Keep the values of :func:`expensive` functions in ``folder`` during the block
    (default: ``derived/`` in the course's cache folder, see ``autograder.data``)."""
    global _folder
    before = _folder
    if folder is None:
        from autograder import data

        folder = data.cache_dir() / "derived"
    _folder = Path(folder)
    try:
        yield
    finally:
        _folder = before


def expensive(fn: F) -> F:
    """Make ``fn``'s value once per set of arguments (see the module's docstring).

    The arguments may be numbers, strings, None, functions (named by module and name)
    and lists, tuples and dicts of them; the value must be plain data.
    """
    @functools.wraps(fn)
    def made_once(*args: Any) -> Any:
        key = f"{fn.__qualname__}-{_digest(_canonical(args))[:16]}"
        sources = _sources(fn, *(a for a in args if callable(a)))
        key += f"-{_digest(sources + torch.__version__)[:16]}"
        if key in _values:
            return _values[key]
        folder = _folder
        value = _read(folder / f"{key}.pt") if folder is not None else _ABSENT
        if value is _ABSENT:
            from autograder.checking import one_thread

            with one_thread():
                value = fn(*args)
            if folder is not None:
                _write(folder, key, value)
        _values[key] = value
        return value

    return made_once  # type: ignore[return-value]


_ABSENT = object()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _canonical(value: Any) -> str:
    """A text that names ``value`` exactly (the part of a file's name after the function)."""
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (list, tuple)):
        try:  # a list of words (only strings join): hashed whole
            return f"words:{_digest(chr(10).join(value))}:{len(value)}" if value else "()"
        except TypeError:
            return "(" + ",".join(_canonical(v) for v in value) + ")"
    if isinstance(value, dict):
        return "{" + ",".join(f"{_canonical(k)}:{_canonical(v)}"
                              for k, v in sorted(value.items(), key=lambda kv: repr(kv[0]))) + "}"
    if callable(value) and hasattr(value, "__qualname__"):
        return f"fn:{value.__module__}.{value.__qualname__}"
    raise TypeError(f"an expensive function's argument must be plain data, not "
                    f"{type(value).__name__}")


@functools.lru_cache(maxsize=None)
def _sources(*functions: Callable) -> str:
    """The text of the files a value depends on: the functions' own files, the check
    vocabulary and the given reference code."""
    files = {Path(inspect.getsourcefile(f) or f.__code__.co_filename).resolve()
             for f in functions}
    files |= {PACKAGE_DIR / "checking.py", PACKAGE_DIR / "cache.py"}
    files |= set((PACKAGE_DIR / "given").glob("*.py"))
    return "".join(f"{p.name}\n{p.read_text(encoding='utf-8')}" for p in sorted(files)
                   if p.is_file())


def _read(path: Path) -> Any:
    try:
        return torch.load(path, weights_only=True)
    except Exception:  # missing, or left damaged: made again
        return _ABSENT


def _write(folder: Path, key: str, value: Any) -> None:
    """Write the value's file, atomically, and remove its older versions (other hashes of
    the sources for the same function and arguments). A folder that cannot be written
    leaves the value in memory only."""
    tmp = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            torch.save(value, f)
        os.replace(tmp, folder / f"{key}.pt")
        tmp = None
        stem = key.rsplit("-", 1)[0]
        for old in folder.glob(f"{stem}-*.pt"):
            if old.name != f"{key}.pt":
                old.unlink(missing_ok=True)
    except OSError:
        pass
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
