"""Helpers that run next to the student's code and hand back plain data.

A few checks need more than "call a function and look at its result": inspect a
matplotlib Figure, ask whether a result shares storage with an input, whether the call
changed its inputs, or whether a gradient reaches them. That work is done here, on the
student's side of the wire (in the sandboxed child when grading), and only plain data
comes back (autograder/DESIGN.md, "Checks").

Each helper has the signature ``helper(fn, *args)`` where ``fn`` is the student's
function, looked up by :func:`autograder.student_side.invoke`; checks call it by name as
``lesson.helper("figure_info", "plot_counts", N, itos)``. This module holds no
solutions and no checks and imports nothing of the course.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

import torch

from autograder.errors import AutograderError

# bound when this module is imported (in the grader's zygote, before any student code),
# so a student's module that patches torch or matplotlib cannot change what they are
_Tensor = torch.Tensor  # exact-type checks compare with this, whatever torch.Tensor becomes
_untyped_storage = torch._C.TensorBase.untyped_storage
_data_ptr = torch.UntypedStorage.data_ptr
_version = torch._C.TensorBase._version.__get__
_equal = torch.equal
_isnan = torch.isnan
_nan_to_num = torch.nan_to_num
# no __torch_function__ (a Tensor subclass's, or a mode the student's code entered) may
# answer for the helpers' own questions: while a mode is active, even a base-class
# method is dispatched through the attribute of torch.Tensor, which a module can patch
_plain_torch = torch._C.DisableTorchFunction
_saved_tensors_hooks = torch.autograd.graph.saved_tensors_hooks
_bound: dict[str, Any] = {}


def bind() -> None:
    """Bind matplotlib's Figure class now (the grader's zygote calls this before any
    student code runs; elsewhere it happens on first use, to keep imports light)."""
    if "Figure" not in _bound:
        from matplotlib.figure import Figure

        _bound["Figure"] = Figure


def figure_info(fn: Callable, *args: Any) -> dict:
    """Call ``fn(*args)``, which must return a matplotlib Figure, and describe it.

    Returns {"type": str, "axes": [{"images": [Tensor], "texts": [str],
    "text_positions": [(x, y)], "title": str, "xlabel": str, "ylabel": str,
    "xscale": str, "yscale": str, "xticks": int, "yticks": int,
    "lines": [Tensor (n, 2)], "collections": [Tensor (n, 2)]}]}; the positions are in
    data coordinates.
    """
    bind()
    Figure = _bound["Figure"]
    fig = fn(*args)
    if type(fig) is not Figure:
        return {"type": type(fig).__name__, "axes": []}
    axes = []
    for ax in fig.axes:
        images = []
        for image in ax.get_images():
            array = image.get_array()
            images.append(torch.as_tensor(array.filled(0) if hasattr(array, "filled")
                                          else array, device="cpu").clone())
        axes.append({
            "images": images,
            "texts": [str(t.get_text()) for t in ax.texts],
            "text_positions": [tuple(float(v) for v in t.get_position()) for t in ax.texts],
            "title": str(ax.get_title()),
            "xlabel": str(ax.get_xlabel()),
            "ylabel": str(ax.get_ylabel()),
            "xscale": str(ax.get_xscale()),
            "yscale": str(ax.get_yscale()),
            "xticks": len(ax.get_xticks()),
            "yticks": len(ax.get_yticks()),
            "lines": [torch.as_tensor(line.get_xydata(), dtype=torch.float64, device="cpu")
                      .clone() for line in ax.get_lines()],
            "collections": [torch.as_tensor(c.get_offsets(), dtype=torch.float64, device="cpu")
                            .clone().reshape(-1, 2) for c in ax.collections],
        })
    import matplotlib.pyplot as plt

    plt.close(fig)
    return {"type": "Figure", "axes": axes}


def _storage_ptr(t: torch.Tensor) -> int:
    with _plain_torch():
        return _data_ptr(_untyped_storage(t))


def call_with_storage(fn: Callable, *args: Any) -> dict:
    """Call ``fn(*args)`` and report whether its result shares storage with each input.

    Returns {"result": value, "shares": [bool per tensor argument, None for others]}.
    """
    result = fn(*args)
    shares: list[bool | None] = []
    for arg in args:
        if type(arg) is _Tensor and type(result) is _Tensor:
            shares.append(_storage_ptr(result) == _storage_ptr(arg))
        else:
            shares.append(None)
    return {"result": result, "shares": shares}


def call_on_derived(fn: Callable, base: torch.Tensor, expressions: list[str]) -> list[Any]:
    """Call ``fn(base, derived)`` for each tensor ``derived`` made from ``base``.

    Each expression (from the checks, e.g. ``"t.view(6, 4)"``) is evaluated here, next
    to the student's code, with ``t`` bound to ``base``: a view must stay a view of the
    very tensor it is compared with, which data sent across the wire cannot do.
    Returns one result per expression.
    """
    results = []
    for expression in expressions:
        derived = eval(expression, {"__builtins__": {}, "torch": torch}, {"t": base})
        results.append(fn(base, derived))
    return results


# ------------------------------------------------------------- inputs left unmodified

def _snapshot(value: Any) -> Any:
    if type(value) is _Tensor:
        with _plain_torch():
            return ("tensor", _version(value), value.detach().clone())
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_snapshot(v) for v in value])
    if isinstance(value, dict):
        return ("dict", {k: _snapshot(v) for k, v in value.items()})
    return ("value", value)


def _changed(before: Any, value: Any) -> bool:
    kind, data = before[0], before[1:]
    if kind == "tensor":
        version, copy = data
        if type(value) is not _Tensor:
            return True
        with _plain_torch():
            return (_version(value) != version or value.shape != copy.shape
                    or value.dtype != copy.dtype or not _same_values(value.detach(), copy))
    if kind in ("list", "tuple"):
        (items,) = data
        return len(value) != len(items) or any(_changed(b, v) for b, v in zip(items, value))
    if kind == "dict":
        (items,) = data
        return (value.keys() != items.keys()
                or any(_changed(items[k], value[k]) for k in items))
    (old,) = data  # a str, number, None...: replaced by another value in a list or dict
    return value is not old and (type(value) is not type(old) or value != old)


def _same_values(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Equal values, a NaN equal to a NaN in the same place (an unchanged input may hold NaNs)."""
    if a.is_floating_point() or a.is_complex():
        return bool(_equal(_isnan(a), _isnan(b))
                    and _equal(_nan_to_num(a, nan=0.0), _nan_to_num(b, nan=0.0)))
    return bool(_equal(a, b))


def _argument_names(fn: Callable, count: int, kwargs: dict) -> list[str]:
    try:
        names = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        names = []
    shown = [names[i] if i < len(names) else f"argument {i + 1}" for i in range(count)]
    return shown + list(kwargs)


def call_unmodified(fn: Callable, args: list, kwargs: dict | None = None) -> dict:
    """Call ``fn(*args, **kwargs)`` and report which arguments it changed.

    An argument counts as changed when a tensor in it was written in place (its version
    counter moved, even to the same values) or when its values, a list's items or a
    dict's keys differ afterwards. Returns {"result": value, "modified": [parameter
    names of the changed arguments]}.
    """
    kwargs = dict(kwargs or {})
    values = [*args, *kwargs.values()]
    before = [_snapshot(v) for v in values]
    result = fn(*args, **kwargs)
    names = _argument_names(fn, len(args), kwargs)
    modified = [name for name, b, v in zip(names, before, values) if _changed(b, v)]
    return {"result": result, "modified": modified}


def call_repeatedly(fn: Callable, args: list, kwargs: dict | None = None,
                    times: int = 1) -> dict:
    """Call ``fn(*args, **kwargs)`` ``times`` times on the same argument objects.

    For functions that update their arguments in place (a training step updating its
    parameters): the checks get every result and the arguments as they are afterwards.
    Returns {"results": [value per call], "args": [argument after the calls],
    "kwargs": {name: value after the calls}}.
    """
    if not isinstance(times, int) or not 1 <= times <= 1000:
        raise ValueError("times must be an int from 1 to 1000")
    kwargs = dict(kwargs or {})
    results = [fn(*args, **kwargs) for _ in range(times)]
    return {"results": results, "args": list(args), "kwargs": kwargs}


# ------------------------------------------------------------- gradients reach inputs

def _leaves(value: Any) -> Any:
    """A copy of ``value`` whose floating-point tensors are leaves that require grad."""
    if type(value) is _Tensor and value.is_floating_point():
        return value.detach().clone().requires_grad_(True)
    if isinstance(value, (list, tuple)):
        return type(value)(_leaves(v) for v in value)
    if isinstance(value, dict):
        return {k: _leaves(v) for k, v in value.items()}
    return value


def _grads(value: Any) -> Any:
    if type(value) is _Tensor:
        return None if value.grad is None else value.grad.detach().clone()
    if isinstance(value, (list, tuple)):
        return [_grads(v) for v in value]
    if isinstance(value, dict):
        return {k: _grads(v) for k, v in value.items()}
    return None


def call_with_grad(fn: Callable, args: list, kwargs: dict | None = None,
                   weights: torch.Tensor | None = None) -> dict:
    """Call ``fn(*args, **kwargs)`` on inputs that require grad and backpropagate.

    Every floating-point tensor among the arguments (also inside lists and dicts)
    becomes a leaf with ``requires_grad=True``. When the result is a tensor with a
    graph, ``(result * weights).sum()`` is backpropagated (``weights`` defaults to
    ones; pass others where a plain sum has zero gradient, as for softmax rows).
    Returns {"result": value (detached), "graph": bool (the result is a tensor that
    requires grad), "grads": the arguments' structure with each tensor's .grad or None}.
    """
    kwargs = dict(kwargs or {})
    args = [_leaves(a) for a in args]
    kwargs = {k: _leaves(v) for k, v in kwargs.items()}
    result = fn(*args, **kwargs)
    graph = type(result) is _Tensor and result.requires_grad
    if graph:
        w = torch.ones_like(result) if weights is None else weights.to(result.dtype)
        (result * w).sum().backward()
        result = result.detach()
    return {"result": result, "graph": graph,
            "grads": [_grads(a) for a in args] + [_grads(v) for v in kwargs.values()]}


def call_counting_saved(fn: Callable, args: list, kwargs: dict | None = None) -> dict:
    """Call ``fn(*args, **kwargs)`` and count what autograd saved for backward meanwhile.

    Every operation that records a graph keeps some tensors for its backward pass (mm
    its inputs, tanh its output); ``torch.autograd.graph.saved_tensors_hooks`` sees each
    of them. Under ``torch.no_grad()`` or ``torch.inference_mode()``, or when no input
    requires grad, nothing is saved. The arguments are passed as they are, so a check
    that wants a graph to be possible gives tensors that require grad. Returns
    {"result": value (a tensor detached), "saved": int, the number of tensors saved}.
    """
    kwargs = dict(kwargs or {})
    saved = 0

    def pack(t: torch.Tensor) -> torch.Tensor:
        nonlocal saved
        saved += 1
        return t

    with _saved_tensors_hooks(pack, lambda t: t):
        result = fn(*args, **kwargs)
    if type(result) is _Tensor:
        result = result.detach()
    return {"result": result, "saved": saved}


# ------------------------------------------------------------- functions ruled out

class ForbiddenCall(AutograderError, RuntimeError):
    """Raised by a library function that the lesson asks the student not to use."""


def _resolve(name: str) -> tuple[Any, str]:
    """(owner, attribute) of a dotted name under ``torch``, e.g. "torch.Tensor.softmax"."""
    parts = name.split(".")
    if parts[0] != "torch" or len(parts) < 2 or any(not p.isidentifier() for p in parts):
        raise ValueError(f"not a name under torch: {name!r}")
    owner: Any = torch
    for part in parts[1:-1]:
        owner = getattr(owner, part)
    return owner, parts[-1]


def _refusing(name: str) -> Callable[..., Any]:
    short = name.replace("torch.nn.functional.", "F.")

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise ForbiddenCall(f"{short} is ruled out in this function: the lesson asks you to "
                            "write it by hand")

    refuse.__name__ = name.rsplit(".", 1)[-1]
    return refuse


def call_without(fn: Callable, args: list, kwargs: dict | None = None,
                 forbidden: list[str] | tuple[str, ...] = ()) -> Any:
    """Call ``fn(*args, **kwargs)`` with the library functions ``forbidden`` replaced.

    ``forbidden`` holds dotted names under ``torch`` ("torch.nn.functional.softmax",
    "torch.Tensor.softmax", ...). During the call each of them raises
    :class:`ForbiddenCall`, and so does any name in the student's module bound to one of
    them (``from torch.nn.functional import softmax``). Everything is restored
    afterwards, whether the call returns or raises. Returns what ``fn`` returns, so a
    check judges the result as usual; a student who uses a forbidden function gets the
    ForbiddenCall error.
    """
    kwargs = dict(kwargs or {})
    saved: list[tuple[Any, str, bool, Any]] = []  # (owner, attribute, was in __dict__, value)
    originals: list[Any] = []
    namespace = getattr(fn, "__globals__", {})
    try:
        for name in forbidden:
            owner, attribute = _resolve(name)
            original = getattr(owner, attribute)
            own = isinstance(owner, type) and attribute in owner.__dict__
            saved.append((owner, attribute, own or not isinstance(owner, type),
                          owner.__dict__.get(attribute) if isinstance(owner, type) else original))
            originals.append(original)
            setattr(owner, attribute, _refusing(name))
        for key, value in list(namespace.items()):
            for name, original in zip(forbidden, originals):
                if value is original:
                    saved.append((namespace, key, True, value))
                    namespace[key] = _refusing(name)
        return fn(*args, **kwargs)
    finally:
        for owner, attribute, present, value in reversed(saved):
            if owner is namespace:
                namespace[attribute] = value
            elif present:
                setattr(owner, attribute, value)
            else:
                delattr(owner, attribute)


HELPERS: dict[str, Callable[..., Any]] = {
    "call_counting_saved": call_counting_saved,
    "call_on_derived": call_on_derived,
    "call_repeatedly": call_repeatedly,
    "call_unmodified": call_unmodified,
    "call_with_grad": call_with_grad,
    "call_with_storage": call_with_storage,
    "call_without": call_without,
    "figure_info": figure_info,
}
