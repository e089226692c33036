"""The implementation under test, as the checks see it.

A check receives one object, ``lesson`` (a :class:`Lesson`), and calls the student's
functions through it: ``lesson.embed(C, X)``. Arguments and results cross as plain data
(see :mod:`autograder.codec`), whether the code runs in this process (a student's
``pytest lessons/NN``) or in a sandboxed child process (``autograder grade``), so a
check behaves the same in both and never holds a student's object.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any, Protocol

import torch

from autograder.errors import AutograderError
from autograder import codec, student_side
from autograder.contract import Contract
from autograder.student_side import MissingFunction, ReturnedNonPlainData  # noqa: F401 (re-exported)


class SubmissionError(AutograderError):
    """Student code raised an exception; carries what it raised, as text.

    ``traceback`` holds only the frames in the student's file (see
    :func:`autograder.student_side.student_frames`); ``function`` is the lesson function the
    check was calling.
    """

    def __init__(self, exc_type: str, message: str, traceback: str = "", function: str = ""):
        super().__init__(f"{exc_type}: {message}" if message else exc_type)
        self.exc_type = exc_type
        self.message = message
        self.traceback = traceback
        self.function = function


class SubmissionCrash(SubmissionError):
    """The student's process died, hung or ran out of a resource."""


class SubmissionImportError(SubmissionError):
    """The student's module could not be imported (a syntax error, a failing import...).

    ``file`` is the name of the file that did not import; the message starts with
    ``"<file> could not be imported: "``."""

    def __init__(self, exc_type: str, message: str, traceback: str = "", file: str = ""):
        super().__init__(exc_type, message, traceback)
        self.file = file

    @property
    def reason(self) -> str:
        return self.message.removeprefix(f"{self.file} could not be imported: ")


class Implementation(Protocol):
    description: str
    device: str

    def call(self, name: str, args: tuple, kwargs: dict) -> Any: ...

    def helper(self, name: str, args: tuple, kwargs: dict) -> Any: ...

    def begin_check(self, seconds: float | None, end: float | None) -> None:
        """Allow the student's code ``seconds`` in the next check, never past ``end``
        (a monotonic time); implementations that cannot stop it ignore this."""

    def close(self) -> None: ...


class Lesson:
    """What a check sees of the implementation: ``lesson.<function>(...)``.

    With the lesson's ``contract``, only the functions it declares can be reached: any
    other name raises :class:`autograder.contract.UndeclaredCall`, however the check
    came by it."""

    def __init__(self, impl: Implementation, contract: Contract | None = None):
        self._impl = impl
        self._contract = contract
        self._last = ""  # the student function called last, for messages

    def _declared(self, function: str) -> None:
        if self._contract is not None:
            self._contract.require(function)

    def _through(self, function: str, run: Any) -> Any:
        self._last = function
        try:
            return run()
        except SubmissionError as exc:
            exc.function = exc.function or function
            raise

    @property
    def device(self) -> str:
        """The device the implementation's inputs are placed on ("cpu", "cuda", ...)."""
        return self._impl.device

    def helper(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Run ``autograder.helpers.<name>(module, *args)`` next to the student's code."""
        function = args[0] if args and isinstance(args[0], str) else name
        self._declared(function)
        return self._through(function, lambda: self._impl.helper(name, args, kwargs))

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        self._declared(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._through(name, lambda: self._impl.call(name, args, kwargs))

        call.__name__ = call.__qualname__ = name
        return call

    def __repr__(self) -> str:
        return f"<lesson implementation {self._impl.description}>"


# ------------------------------------------------------------------ in this process

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


DEVICES = ("cpu", "cuda", "mps", "strict")


def call_in_process(module: types.ModuleType, filename: str, kind: str, name: str,
                    args: tuple, kwargs: dict, frames_of: Path | None,
                    strict: bool = False) -> bytes:
    """Run a student function or helper here and return its encoded result.

    What the student's code raises becomes a SubmissionError that shows only the frames
    of ``frames_of`` (the student's file; None: whatever lies outside the harness, as a
    notebook's cells), exactly as the sandbox reports it.
    """
    try:
        result = student_side.invoke(module, filename, kind, name, args, kwargs, strict=strict)
        return student_side.encode_result(name, result)
    except Exception as exc:  # the student's exception, told without the harness's frames
        raise SubmissionError(type(exc).__name__, str(exc),
                              student_side.student_frames(exc, frames_of)) from None


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
        self._import_error: SubmissionImportError | None = None
        self.largest_result = 0  # bytes of the largest encoded result (what grading must carry)

    @property
    def module(self) -> types.ModuleType:
        """The student's module, imported once; SubmissionImportError if it cannot be."""
        if self._import_error is not None:
            raise self._import_error
        if self._module is None:
            try:
                self._module = student_side.load_module(self.path,
                                                   f"_lesson_impl_{id(self)}_{self.module_name}")
            except Exception as exc:
                self._import_error = SubmissionImportError(
                    type(exc).__name__, f"{self.path.name} could not be imported: "
                    f"{student_side.describe_import_error(exc, self.path)}", file=self.path.name)
                raise self._import_error from None
        return self._module

    def _run(self, kind: str, name: str, args: tuple, kwargs: dict) -> Any:
        args, kwargs = codec.roundtrip((tuple(args), dict(kwargs)))
        if self.device not in ("cpu", "strict"):
            args, kwargs = _to_device((args, kwargs), torch.device(self.device))
        encoded = call_in_process(self.module, self.path.name, kind, name, args, kwargs,
                                  self.path, strict=self.device == "strict")
        self.largest_result = max(self.largest_result, len(encoded))
        return codec.decode(encoded)

    def call(self, name: str, args: tuple, kwargs: dict) -> Any:
        return self._run("call", name, args, kwargs)

    def helper(self, name: str, args: tuple, kwargs: dict) -> Any:
        return self._run("helper", name, args, kwargs)

    def begin_check(self, seconds: float | None, end: float | None) -> None:
        """In-process code cannot be interrupted safely: no time limits here."""

    def close(self) -> None:
        if self._module is not None:
            sys.modules.pop(self._module.__name__, None)
            self._module = None
