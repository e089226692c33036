"""The vocabulary of a check: points, TODOs, and failure messages that teach.

A check is a plain function named ``test_<function>_<what>`` taking the ``lesson``
fixture (and data fixtures such as ``words``), decorated with :func:`check`::

    @check(todo=1, points=2)
    def test_embed_small(lesson):
        got = lesson.embed(C, X)
        expect_tensor(got, "embed(C, X)", shape=(2, 3, 2), dtype="floating")
        expect_close(got, expected, "embed(C, X)", hint="use C[X]")

Every failure raises :class:`CheckFailure` with what was checked, what was expected,
what came back and a hint naming the likely mistake. A student's exception inside
:func:`hint_on_error` becomes such a failure too, unless it is the skeleton's
NotImplementedError, which always shows as itself.

What many lessons' checks share lives here too: the lectures' :data:`SEED`,
:func:`generator` (on the device the student's code draws on), :func:`expect_unmodified`
(arguments left as they were), :func:`expect_started` (a TODO not done yet fails before
the check makes costly inputs), :func:`one_thread`, and the datasets of names.txt made
by the given reference code (:func:`names_dataset`, :func:`names_splits`), made once
(:mod:`autograder.cache`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
import contextlib
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, NoReturn, Sequence

import torch

from autograder.errors import AutograderError
from autograder.cache import expensive

_MISSING = object()


@dataclass(frozen=True)
class CheckInfo:
    todo: int
    points: int
    slow: bool = False
    timeout: float | None = None
    hint: str | None = None


def check(*, todo: int, points: int = 1, slow: bool = False, timeout: float | None = None,
          hint: str | None = None) -> Callable[[Callable], Callable]:
    """Mark a function as a check worth ``points`` for TODO ``todo`` of its lesson.

    ``slow`` marks a check that trains a model for more than a few seconds (pytest
    marker ``slow``); ``timeout`` is its time budget in seconds when grading, if it
    needs more than the grader's default; ``hint`` is shown when the student's code
    raises an exception inside the check (default: what the TODO asks).
    """
    if todo < 1 or points < 1:
        raise ValueError("todo and points must be positive")

    def mark(fn: Callable) -> Callable:
        fn.ag_check = CheckInfo(todo=todo, points=points, slow=slow, timeout=timeout, hint=hint)
        return fn

    return mark


class CheckFailure(AutograderError, AssertionError):
    """A check found a wrong answer. ``str()`` is the whole message for the student."""

    def __init__(self, what: str, expected: Any = _MISSING, got: Any = _MISSING,
                 hint: str | None = None):
        lines = [what]
        if expected is not _MISSING:
            lines.append(f"  expected: {expected if isinstance(expected, str) else show(expected)}")
        if got is not _MISSING:
            lines.append(f"  got:      {got if isinstance(got, str) else show(got)}")
        if hint:
            lines.append(f"  hint: {hint}")
        super().__init__("\n".join(lines))
        self.hint = hint


# ---------------------------------------------------------------------------- display

def show(value: Any, limit: int = 240) -> str:
    """A short, readable rendering of a value for failure messages."""
    if isinstance(value, torch.Tensor):
        text = _show_tensor(value)
    elif isinstance(value, float):
        text = f"{value:.6g}"
    elif isinstance(value, dict) and len(value) > 12:
        items = list(value.items())
        text = "{" + ", ".join(f"{k!r}: {v!r}" for k, v in items[:6]) + f", ... ({len(value)} items)}}"
    elif isinstance(value, (list, tuple)) and len(value) > 12:
        text = repr(type(value)(value[:6]))[:-1] + f", ... ({len(value)} items)" + repr(value)[-1]
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _show_tensor(t: torch.Tensor) -> str:
    t = t.detach()
    head = f"tensor of shape {tuple(t.shape)}, {str(t.dtype).removeprefix('torch.')}"
    if t.numel() == 0:
        return head
    if t.numel() <= 36:
        values = t.tolist()
        if t.is_floating_point():
            values = _round(values)
        return f"{head}: {values}"
    flat = t.reshape(-1)
    first = _round(flat[:6].tolist()) if t.is_floating_point() else flat[:6].tolist()
    text = f"{head}, starting {first}"
    if t.is_floating_point():
        finite = torch.isfinite(flat)
        if not bool(finite.all()):
            text += f", {int((~finite).sum())} values not finite"
        else:
            text += f", min {flat.min().item():.4g}, max {flat.max().item():.4g}"
    return text


def _round(values: Any) -> Any:
    if isinstance(values, list):
        return [_round(v) for v in values]
    return float(f"{values:.5g}") if isinstance(values, float) else values


def describe_type(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)}"
    return f"a {type(value).__name__}"


# ---------------------------------------------------------------------------- matching

def dtype_kind(dtype: torch.dtype) -> str:
    """"bool", "integer", "floating" or "complex": what kind of number a dtype holds."""
    if dtype == torch.bool:
        return "bool"
    if dtype.is_complex:
        return "complex"
    if dtype.is_floating_point:
        return "floating"
    return "integer"


def kind_mismatch(got: Any, expected: Any) -> str | None:
    """Why ``got`` cannot equal the tensor ``expected``: their dtypes are of different
    kinds (complex for floating, floating for integer, bool for a number, ...); else None.
    """
    if not (isinstance(got, torch.Tensor) and isinstance(expected, torch.Tensor)):
        return None
    want, have = dtype_kind(expected.dtype), dtype_kind(got.dtype)
    if want == have:
        return None
    return (f"a {want} tensor ({str(expected.dtype).removeprefix('torch.')}) was expected, "
            f"but a {have} one ({str(got.dtype).removeprefix('torch.')}) came back")


def matches(got: Any, expected: Any, atol: float = 1e-5, rtol: float = 1e-4) -> bool:
    """True if ``got`` equals ``expected`` (tensors and floats within tolerance).

    Tensors must have the same shape and the same dtype kind (bool, integer, floating,
    complex): a complex result never matches a floating one, nor a floating result an
    integer one.
    """
    if isinstance(expected, torch.Tensor):
        if not isinstance(got, torch.Tensor) or tuple(got.shape) != tuple(expected.shape):
            return False
        if kind_mismatch(got, expected):
            return False
        if expected.is_complex():
            return bool(torch.allclose(got.detach().to(torch.complex128),
                                       expected.detach().to(torch.complex128),
                                       atol=atol, rtol=rtol, equal_nan=False))
        if expected.is_floating_point() or got.is_floating_point():
            # compare in the wider of the two floating types (float64 copies of large
            # tensors cost seconds); integers are promoted to it
            dtype = torch.promote_types(got.dtype, expected.dtype)
            dtype = dtype if dtype.is_floating_point else torch.float64
            return bool(torch.allclose(got.detach().to(dtype), expected.detach().to(dtype),
                                       atol=atol, rtol=rtol, equal_nan=False))
        return bool(torch.equal(got.long(), expected.long()))
    if isinstance(expected, bool) or isinstance(got, bool):
        return type(got) is type(expected) and got == expected
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        return math.isclose(got, expected, rel_tol=rtol, abs_tol=atol)
    if isinstance(expected, (list, tuple)):
        return (isinstance(got, (list, tuple)) and len(got) == len(expected)
                and all(matches(g, e, atol, rtol) for g, e in zip(got, expected)))
    if isinstance(expected, dict):
        return (isinstance(got, dict) and got.keys() == expected.keys()
                and all(matches(got[k], expected[k], atol, rtol) for k in expected))
    return type(got) is type(expected) and got == expected


def diagnose(got: Any, mistakes: Iterable[tuple[Any, str]], default: str | None = None,
             atol: float = 1e-5, rtol: float = 1e-4) -> str | None:
    """The hint of the first known mistake whose wrong answer equals ``got``, else ``default``.

    ``mistakes`` pairs the answer a typical mistake produces with the hint naming it.
    """
    for wrong, hint in mistakes:
        if matches(got, wrong, atol, rtol):
            return hint
    return default


# ---------------------------------------------------------------------------- expect

def fail(what: str, *, expected: Any = _MISSING, got: Any = _MISSING,
         hint: str | None = None) -> NoReturn:
    raise CheckFailure(what, expected, got, hint)


def expect(condition: bool, what: str, *, expected: Any = _MISSING, got: Any = _MISSING,
           hint: str | None = None) -> None:
    if not condition:
        raise CheckFailure(what, expected, got, hint)


def expect_type(value: Any, types: type | tuple[type, ...], what: str,
                hint: str | None = None) -> None:
    """``value`` must be an instance of ``types`` (a bool is not accepted as an int)."""
    types = types if isinstance(types, tuple) else (types,)
    ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
    if not ok:
        names = " or ".join(t.__name__ for t in types)
        fail(f"{what}: wrong type", expected=f"a {names}", got=describe_type(value), hint=hint)


def expect_tensor(value: Any, what: str, *, shape: Sequence[int] | None = None,
                  dtype: torch.dtype | str | None = None, hint: str | None = None) -> None:
    """``value`` must be a tensor, of ``shape`` and ``dtype`` when given.

    ``dtype`` may be a torch.dtype, "integer" or "floating".
    """
    expect_type(value, torch.Tensor, what, hint)
    if shape is not None and tuple(value.shape) != tuple(shape):
        fail(f"{what}: wrong shape", expected=tuple(shape), got=tuple(value.shape), hint=hint)
    if dtype is None:
        return
    if dtype == "integer":
        ok = dtype_kind(value.dtype) == "integer"
    elif dtype == "floating":
        ok = dtype_kind(value.dtype) == "floating"
    else:
        ok = value.dtype == dtype
    if not ok:
        kind = dtype_kind(value.dtype)
        fail(f"{what}: wrong dtype", expected=str(dtype).removeprefix("torch."),
             got=f"{str(value.dtype).removeprefix('torch.')} (a {kind} tensor)", hint=hint)


def expect_equal(got: Any, expected: Any, what: str, hint: str | None = None) -> None:
    """Exact equality (tensors compared by shape, dtype kind and values)."""
    _expect_same_kind(got, expected, what, hint)
    if not matches(got, expected, atol=0.0, rtol=0.0):
        fail(what, expected=expected, got=got, hint=hint)


def _expect_same_kind(got: Any, expected: Any, what: str, hint: str | None) -> None:
    if (isinstance(got, torch.Tensor) and isinstance(expected, torch.Tensor)
            and tuple(got.shape) == tuple(expected.shape)):
        why = kind_mismatch(got, expected)
        if why:
            fail(f"{what}: wrong kind of dtype: {why}", expected=expected, got=got, hint=hint)


def expect_close(got: Any, expected: Any, what: str, *, atol: float = 1e-5,
                 rtol: float = 1e-4, hint: str | None = None) -> None:
    """Equality within tolerance; reports the largest difference for tensors."""
    _expect_same_kind(got, expected, what, hint)
    if matches(got, expected, atol, rtol):
        return
    if (isinstance(got, torch.Tensor) and isinstance(expected, torch.Tensor)
            and got.shape == expected.shape):
        diff = (got.detach().double() - expected.detach().double()).abs()
        where = tuple(int(i) for i in torch.unravel_index(torch.nan_to_num(diff, nan=math.inf)
                                                            .argmax(), diff.shape))
        what = (f"{what}: values differ (largest difference at index {where}: "
                f"expected {expected[where].item():.6g}, got {got[where].item():.6g})")
    fail(what, expected=expected, got=got, hint=hint)


def _exception_name(exc: BaseException) -> str:
    return getattr(exc, "exc_type", None) or type(exc).__name__


def _where(exc: BaseException) -> str:
    """The student's lines the exception came from (``  at x.py, line 3, in f: ...``)."""
    frames = getattr(exc, "traceback", "") or ""
    return f"\n{frames.rstrip()}" if frames.strip().startswith("at ") else ""


def hint_on_error(what: str, hint: str) -> contextlib.AbstractContextManager[None]:
    """Turn an exception of the student's code inside the block into a failure with a hint.

    For mistakes that crash rather than return a wrong value. The same as
    :func:`hints_on_error` with one hint for every error: NotImplementedError, a missing
    function, a module that cannot be imported and crashes of the student's process
    pass through.
    """
    return hints_on_error(what, (), default=hint)


_PASS_THROUGH = ("NotImplementedError", "MissingFunction")


@contextmanager
def hints_on_error(what: str, hints: Sequence[tuple[str, str]],
                   default: str | None = None) -> Iterator[None]:
    """Like :func:`hint_on_error`, but the hint is chosen from the error that came back.

    ``hints`` pairs a regular expression with a hint; the first whose pattern is found
    in ``"<ExceptionName>: <message>"`` gives the hint, else ``default``. A shape error
    then gets a hint about shapes and a dtype error one about dtypes. A function the
    module does not have (MissingFunction: renamed or deleted) passes through, as do
    NotImplementedError, an import error and a crash of the student's process, so
    their own message is what the student reads.
    """
    import re

    from autograder.impl import SubmissionCrash, SubmissionImportError

    try:
        yield
    except CheckFailure:
        raise
    except Exception as exc:
        name = _exception_name(exc)
        if name in _PASS_THROUGH or isinstance(exc, (SubmissionCrash, SubmissionImportError)):
            raise
        message = getattr(exc, "message", None) or str(exc)
        text = f"{name}: {message}"
        hint = next((h for pattern, h in hints if re.search(pattern, text)), default)
        fail(f"{what} raised an error", expected="a result", got=text + _where(exc), hint=hint)


# ---------------------------------------------------------------------------- shared by the lessons

SEED = 2147483647  # the lectures' seed


def generator(seed: int = SEED, device: Any = "cpu") -> torch.Generator:
    """A new ``torch.Generator`` seeded with ``seed``, on ``device``: a device's name, or a
    check's ``lesson`` for the device its student's code draws on (:func:`draw_device`)."""
    if not isinstance(device, (str, torch.device)):
        device = draw_device(device)
    return torch.Generator(device=device).manual_seed(seed)


def draw_device(lesson: Any) -> str:
    """Where the student's code draws its random numbers: the device of the checks' inputs
    ("cuda", "mps"), else "cpu" (``--device strict`` keeps the inputs on the CPU). A check
    that replays the draws uses a generator on this device."""
    return lesson.device if lesson.device in ("cuda", "mps") else "cpu"


@contextmanager
def one_thread() -> Iterator[None]:
    """Run the block on one CPU thread, then restore the thread count.

    For the checks' own training of tiny models: more threads only wait on each other,
    and far longer when another program keeps a core busy.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def expect_unmodified(lesson: Any, fn: str, args: Sequence, kwargs: dict | None = None, *,
                      what: str, hint: str | Callable[[list[str]], str] | None = None,
                      expected: str = "no argument changed",
                      only: Sequence[str] | None = None) -> Any:
    """Call the student's ``fn(*args, **kwargs)`` through the ``call_unmodified`` helper
    and fail when it changed an argument, in place or by value; returns its result.

    ``only`` names the parameters that must stay unchanged (default: all); ``hint`` may
    be a function of the names of the changed ones.
    """
    out = lesson.helper("call_unmodified", fn, list(args), dict(kwargs or {}))
    changed = [name for name in out["modified"] if only is None or name in only]
    if changed:
        fail(what, expected=expected, got=f"changed: {changed}",
             hint=hint(changed) if callable(hint) else hint)
    return out["result"]


def expect_started(call: Callable[[], Any]) -> None:
    """Call the student's function once on small inputs before the check makes costly
    ones (a dataset of names.txt, a trained network).

    A TODO not done yet (its NotImplementedError), a missing function, a module that
    cannot be imported or a crash ends the check here, as the check's own call would,
    without the wait. Anything else the call does is left to the check's own calls.
    """
    from autograder.impl import SubmissionCrash, SubmissionError, SubmissionImportError

    try:
        call()
    except SubmissionError as exc:
        if _exception_name(exc) in _PASS_THROUGH or isinstance(
                exc, (SubmissionCrash, SubmissionImportError)):
            raise


# ---------------------------------------------------------------------------- names.txt, derived

def names_dataset(words: Sequence[str], build_vocab: Callable, build_dataset: Callable,
                  block_size: int = 3, first: int | None = None
                  ) -> tuple[torch.Tensor, torch.Tensor]:
    """The (X, Y) examples of ``words[:first]`` (all by default) that the reference
    ``build_dataset`` makes with the vocabulary of the reference ``build_vocab`` of all
    the words: 228146 examples for names.txt. Made once (see :mod:`autograder.cache`)."""
    return _names_dataset(tuple(words), build_vocab, build_dataset, block_size, first)


@expensive
def _names_dataset(words: tuple[str, ...], build_vocab: Callable, build_dataset: Callable,
                   block_size: int, first: int | None) -> tuple[torch.Tensor, torch.Tensor]:
    stoi, _ = build_vocab(list(words))
    return tuple(build_dataset(list(words[:first]), block_size, stoi))


def names_splits(words: Sequence[str], build_vocab: Callable, split_datasets: Callable,
                 block_size: int = 3) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """The reference ``split_datasets`` of names.txt (seed 42): {"train": (X, Y), "dev":
    ..., "test": ...}, 182625 / 22655 / 22866 examples with block_size 3. Made once."""
    return _names_splits(tuple(words), build_vocab, split_datasets, block_size)


@expensive
def _names_splits(words: tuple[str, ...], build_vocab: Callable, split_datasets: Callable,
                  block_size: int) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    stoi, _ = build_vocab(list(words))
    return {k: tuple(v) for k, v in split_datasets(list(words), block_size, stoi).items()}
