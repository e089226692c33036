"""What runs next to the student's module: import it, look up and call its functions.

Used in the student's own process (``pytest lessons/NN``, ``autograder progress``) and
in the grading sandbox's child. It never imports a check, a solution or the grader;
checks see the student's code only through :class:`autograder.impl.Lesson`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
import traceback
import types
from pathlib import Path
from typing import Any

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._pytree import tree_flatten

from autograder.errors import AutograderError
from autograder import codec, helpers


class MissingFunction(AutograderError, AttributeError):
    """The module has no function of the name a check asked for."""


class ReturnedNonPlainData(AutograderError, TypeError):
    """Student code returned something other than plain data."""


def load_module(path: Path | str, name: str) -> types.ModuleType:
    """Import the file at ``path`` as a fresh module called ``name``."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def _harness_dirs() -> tuple[str, ...]:
    """Where the harness's and Python's own files are (never the student's code)."""
    here = os.path.dirname(os.path.realpath(__file__))
    return tuple({os.path.realpath(p) + os.sep for p in (
        here, sys.prefix, sys.base_prefix, sys.exec_prefix)})


def student_frames(exc: BaseException, path: str | os.PathLike | None, limit: int = 3) -> str:
    """The frames of ``exc``'s traceback that lie in the student's file (``path``; None:
    any file outside the harness and Python's own, such as a notebook's cells), one per
    line: ``  at embedding.py, line 37, in embed: return C.T[X]``."""
    if path is not None:
        target = os.path.realpath(path)
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if os.path.realpath(f.filename) == target]
    else:
        skip = _harness_dirs()
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if not f.filename.startswith("<frozen")
                  and not os.path.realpath(f.filename).startswith(skip)]
    return "\n".join(f"  at {os.path.basename(f.filename)}, line {f.lineno}, in {f.name}"
                     + (f": {f.line.strip()}" if f.line else "") for f in frames[-limit:])


def describe_import_error(exc: BaseException, path: str | os.PathLike) -> str:
    """Why a module could not be imported, with the line: the words that ``pytest
    lessons/NN``, ``autograder progress`` and grading all show after "<file> could not be
    imported: ", e.g. ``SyntaxError at line 3: invalid syntax (def embed(:)``."""
    if isinstance(exc, SyntaxError):
        line = f" at line {exc.lineno}" if exc.lineno else ""
        text = f" ({exc.text.strip()})" if exc.text and exc.text.strip() else ""
        return f"{type(exc).__name__}{line}: {exc.msg}{text}"
    target = os.path.realpath(path)
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if os.path.realpath(f.filename) == target]
    line = f" at line {frames[-1].lineno}" if frames else ""
    return f"{type(exc).__name__}{line}: {exc}"


def lookup(module: types.ModuleType, name: str, filename: str) -> Any:
    """``module.<name>``, or MissingFunction saying the function was renamed or deleted."""
    fn = getattr(module, name, None)
    if fn is None:
        raise MissingFunction(f"{filename} has no function {name}(): it may have been renamed "
                              f"or deleted; the lesson's checks call {name}() by this name")
    if not callable(fn):
        raise MissingFunction(f"{filename}: {name} is a {codec.describe(fn)}, not a function")
    return fn


def encode_result(name: str, value: Any) -> bytes:
    """The plain-data encoding of what ``name()`` returned, or ReturnedNonPlainData."""
    try:
        return codec.encode(value)
    except codec.CodecError as exc:
        raise ReturnedNonPlainData(f"{name}() returned something the checks cannot read: "
                                   f"{exc}") from None


def has_tensor(value: Any) -> bool:
    """True if ``value`` (a nest of lists, tuples and dicts) holds a tensor."""
    if isinstance(value, torch.Tensor):
        return True
    if isinstance(value, (list, tuple)):
        return any(has_tensor(v) for v in value)
    if isinstance(value, dict):
        return any(has_tensor(v) for v in value.values())
    return False


class StrictDevices(TorchFunctionMode):
    """Fail any operation that mixes a ``meta`` tensor with a real one.

    Under strict mode, tensors created without ``device=`` land on ``meta``. Some
    operations (indexing a CPU tensor with a meta index, for one) do not raise by
    themselves and return garbage, so the mix is caught here with a clear message.
    """

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        devices = {t.device.type for t in tree_flatten((args, kwargs))[0]
                   if isinstance(t, torch.Tensor)}
        if "meta" in devices and len(devices) > 1:
            name = getattr(func, "__name__", str(func))
            raise RuntimeError(
                f"{name} mixes tensors on different devices ({', '.join(sorted(devices))}): a "
                "tensor was created without device=... (on the default device) while the "
                "inputs are elsewhere. Create new tensors on the device of the inputs, e.g. "
                "torch.arange(n, device=Y.device)")
        return func(*args, **kwargs)


def strict_devices(args: Any) -> contextlib.AbstractContextManager:
    """While the student's code runs on tensor inputs, make the default device ``meta``.

    Inputs stay on the CPU; a tensor the code creates without ``device=`` lands on
    ``meta`` and any operation mixing it with the inputs fails (StrictDevices). This is
    how a CPU-only run shows that code creates its tensors on the device of its inputs.
    """
    if not has_tensor(args):
        return contextlib.nullcontext()
    stack = contextlib.ExitStack()
    stack.enter_context(torch.device("meta"))
    stack.enter_context(StrictDevices())
    return stack


def invoke(module: types.ModuleType, filename: str, kind: str, name: str,
           args: tuple, kwargs: dict, strict: bool = False,
           table: dict[str, Any] | None = None) -> Any:
    """Call a student function (kind "call") or a helper (kind "helper") on plain args.

    A helper receives the student's function, looked up here by the name the check
    gives as the helper's first argument: ``lesson.helper("figure_info", "plot_counts",
    N, itos)`` calls ``helpers.figure_info(plot_counts, N, itos)``. ``table`` is the
    helper table to use (the sandbox binds its own before the student's code runs).
    """
    context = strict_devices((args, kwargs)) if strict else contextlib.nullcontext()
    if kind == "helper":
        fn = (table if table is not None else helpers.HELPERS).get(name)
        if fn is None:
            raise MissingFunction(f"no helper called {name!r}")
        if not args or not isinstance(args[0], str):
            raise TypeError(f"helper {name!r} needs the student function's name first")
        target = lookup(module, args[0], filename)
        with context:
            return fn(target, *args[1:], **kwargs)
    target = lookup(module, name, filename)
    with context:
        return target(*args, **kwargs)
