"""Helpers that run next to the student's code and hand back plain data.

A few checks need more than "call a function and look at its result": inspect a
matplotlib Figure, or ask whether a result shares storage with an input. That work is
done here, on the student's side of the wire (in the sandboxed child when grading),
and only plain data comes back (DESIGN.md, "Checks").

Each helper has the signature ``helper(module, filename, *args)``; checks call it as
``lesson.helper("name", *args)``. This module holds no solutions and no checks; it is
imported by the grading sandbox before any student code runs.
"""

from __future__ import annotations

import types
from typing import Any, Callable

import torch


def _function(module: types.ModuleType, filename: str, name: str) -> Callable:
    from autograder.impl import lookup  # imported late: impl imports this module

    return lookup(module, name, filename)


def figure_info(module: types.ModuleType, filename: str, fn_name: str, *args: Any) -> dict:
    """Call ``fn_name(*args)``, which must return a matplotlib Figure, and describe it.

    Returns {"type": str, "axes": [{"images": [Tensor], "texts": [str], "title": str,
    "xticks": int, "yticks": int}]}.
    """
    from matplotlib.figure import Figure

    fig = _function(module, filename, fn_name)(*args)
    if not isinstance(fig, Figure):
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
            "title": str(ax.get_title()),
            "xticks": len(ax.get_xticks()),
            "yticks": len(ax.get_yticks()),
        })
    import matplotlib.pyplot as plt

    plt.close(fig)
    return {"type": "Figure", "axes": axes}


def _storage_ptr(t: torch.Tensor) -> int:
    return t.untyped_storage().data_ptr()


def call_with_storage(module: types.ModuleType, filename: str, fn_name: str,
                      *args: Any) -> dict:
    """Call ``fn_name(*args)`` and report whether its result shares storage with each input.

    Returns {"result": value, "shares": [bool per tensor argument, None for others]}.
    """
    result = _function(module, filename, fn_name)(*args)
    shares: list[bool | None] = []
    for arg in args:
        if isinstance(arg, torch.Tensor) and isinstance(result, torch.Tensor):
            shares.append(_storage_ptr(result) == _storage_ptr(arg))
        else:
            shares.append(None)
    return {"result": result, "shares": shares}


def call_on_derived(module: types.ModuleType, filename: str, fn_name: str,
                    base: torch.Tensor, expressions: list[str]) -> list[Any]:
    """Call ``fn_name(base, derived)`` for each tensor ``derived`` made from ``base``.

    Each expression (from the checks, e.g. ``"t.view(6, 4)"``) is evaluated here, next
    to the student's code, with ``t`` bound to ``base``: a view must stay a view of the
    very tensor it is compared with, which data sent across the wire cannot do.
    Returns one result per expression.
    """
    fn = _function(module, filename, fn_name)
    results = []
    for expression in expressions:
        derived = eval(expression, {"__builtins__": {}, "torch": torch}, {"t": base})
        results.append(fn(base, derived))
    return results


HELPERS: dict[str, Callable[..., Any]] = {
    "call_on_derived": call_on_derived,
    "figure_info": figure_info,
    "call_with_storage": call_with_storage,
}
