"""The implementation under test, as the checks see it.

A check receives one object, ``lesson`` (a :class:`Lesson`), and calls the student's
functions through it: ``lesson.embed(C, X)``. Arguments and results cross as plain data
(see :mod:`autograder.codec`), whether the code runs in this process (a student's
``pytest lessons/NN``) or in a sandboxed child process (``autograder grade``), so a
check behaves the same in both and never holds a student's object.
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
import types
from pathlib import Path
from typing import Any, Protocol

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._pytree import tree_flatten

from autograder import codec, helpers


class SubmissionError(Exception):
    """Student code failed in another process; carries what it raised, as text."""

    def __init__(self, exc_type: str, message: str, traceback: str = ""):
        super().__init__(f"{exc_type}: {message}" if message else exc_type)
        self.exc_type = exc_type
        self.message = message
        self.traceback = traceback


class SubmissionCrash(SubmissionError):
    """The student's process died, hung or ran out of a resource."""


class SubmissionImportError(SubmissionError):
    """The student's module could not be imported (a syntax error, a failing import...)."""


class MissingFunction(AttributeError):
    """The module has no function of the name a check asked for."""


class ReturnedNonPlainData(TypeError):
    """Student code returned something other than plain data."""


class Implementation(Protocol):
    description: str
    device: str

    def call(self, name: str, args: tuple, kwargs: dict) -> Any: ...

    def helper(self, name: str, args: tuple, kwargs: dict) -> Any: ...

    def close(self) -> None: ...


class Lesson:
    """What a check sees of the implementation: ``lesson.<function>(...)``."""

    def __init__(self, impl: Implementation):
        self._impl = impl

    @property
    def device(self) -> str:
        """The device the implementation's inputs are placed on ("cpu", "cuda", ...)."""
        return self._impl.device

    def helper(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Run ``autograder.helpers.<name>(module, *args)`` next to the student's code."""
        return self._impl.helper(name, args, kwargs)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._impl.call(name, args, kwargs)

        call.__name__ = call.__qualname__ = name
        return call

    def __repr__(self) -> str:
        return f"<lesson implementation {self._impl.description}>"


# ------------------------------------------------------------------ shared by all impls

def load_module(path: Path, name: str) -> types.ModuleType:
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


def lookup(module: types.ModuleType, name: str, filename: str) -> Any:
    fn = getattr(module, name, None)
    if fn is None:
        raise MissingFunction(f"{filename} has no function {name}(): it may have been renamed "
                              f"or deleted; the lesson's checks call {name}() by this name")
    if not callable(fn):
        raise MissingFunction(f"{filename}: {name} is a {codec.describe(fn)}, not a function")
    return fn


def encode_result(name: str, value: Any) -> bytes:
    try:
        return codec.encode(value)
    except codec.CodecError as exc:
        raise ReturnedNonPlainData(f"{name}() returned something the checks cannot read: "
                                   f"{exc}") from None


def invoke(module: types.ModuleType, filename: str, kind: str, name: str,
           args: tuple, kwargs: dict) -> Any:
    """Call a student function (kind "call") or a helper (kind "helper") on plain args."""
    if kind == "helper":
        fn = helpers.HELPERS.get(name)
        if fn is None:
            raise MissingFunction(f"no helper called {name!r}")
        return fn(module, filename, *args, **kwargs)
    return lookup(module, name, filename)(*args, **kwargs)


# ------------------------------------------------------------------ in this process

def _has_tensor(value: Any) -> bool:
    if isinstance(value, torch.Tensor):
        return True
    if isinstance(value, (list, tuple)):
        return any(_has_tensor(v) for v in value)
    if isinstance(value, dict):
        return any(_has_tensor(v) for v in value.values())
    return False


def _to_device(value: Any, device: torch.device) -> Any:
    if isinstance(value, torch.Tensor):
        moved = value.detach().to(device)
        return moved.requires_grad_(value.requires_grad) if value.is_floating_point() else moved
    if isinstance(value, torch.Generator):
        if device.type == "cpu":
            return value
        gen = torch.Generator(device=device)
        gen.manual_seed(value.initial_seed())
        return gen
    if isinstance(value, list):
        return [_to_device(v, device) for v in value]
    if isinstance(value, tuple):
        return tuple(_to_device(v, device) for v in value)
    if isinstance(value, dict):
        return {k: _to_device(v, device) for k, v in value.items()}
    return value


class _StrictDevices(TorchFunctionMode):
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


DEVICES = ("cpu", "cuda", "mps", "strict")


class LocalImpl:
    """The student's module imported into this process (used by ``pytest lessons/NN``).

    ``device`` places tensor arguments on that device. ``"strict"`` keeps them on the CPU
    but makes the default device ``meta`` while the student's code runs, so any tensor
    created without ``device=`` cannot mix with the inputs: a CPU-only way to show that
    code creates its tensors on the device of its inputs.
    """

    def __init__(self, path: Path, module_name: str, device: str = "cpu"):
        if device not in DEVICES:
            raise ValueError(f"device must be one of {DEVICES}, not {device!r}")
        self.path = Path(path)
        self.module_name = module_name
        self.device = device
        self.description = str(self.path)
        self._module: types.ModuleType | None = None

    @property
    def module(self) -> types.ModuleType:
        if self._module is None:
            try:
                self._module = load_module(self.path,
                                           f"_lesson_impl_{id(self)}_{self.module_name}")
            except Exception as exc:
                raise SubmissionImportError(
                    type(exc).__name__, f"{self.path.name} could not be imported: {exc}"
                ) from exc
        return self._module

    def _run(self, kind: str, name: str, args: tuple, kwargs: dict) -> Any:
        args, kwargs = codec.roundtrip((tuple(args), dict(kwargs)))
        context: contextlib.AbstractContextManager = contextlib.nullcontext()
        if self.device == "strict":
            if _has_tensor((args, kwargs)):
                context = contextlib.ExitStack()
                context.enter_context(torch.device("meta"))
                context.enter_context(_StrictDevices())
        elif self.device != "cpu":
            target = torch.device(self.device)
            args, kwargs = _to_device((args, kwargs), target)
        with context:
            result = invoke(self.module, self.path.name, kind, name, args, kwargs)
        return codec.decode(encode_result(name, result))

    def call(self, name: str, args: tuple, kwargs: dict) -> Any:
        return self._run("call", name, args, kwargs)

    def helper(self, name: str, args: tuple, kwargs: dict) -> Any:
        return self._run("helper", name, args, kwargs)

    def close(self) -> None:
        if self._module is not None:
            sys.modules.pop(self._module.__name__, None)
            self._module = None
