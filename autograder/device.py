"""The course's one device helper: where to train when you run a lesson yourself."""

from __future__ import annotations

import torch


def pick_device(prefer: str | None = None) -> torch.device:
    """The best device here: CUDA, then Apple's MPS, then the CPU.

    ``prefer`` ("cpu", "cuda", "mps") forces one; it raises ValueError when that device
    is not available. Checks always run on the CPU; this is for training and notebooks.
    """
    available = {"cuda": torch.cuda.is_available(),
                 "mps": hasattr(torch.backends, "mps") and torch.backends.mps.is_available(),
                 "cpu": True}
    if prefer is not None:
        if prefer not in available:
            raise ValueError(f"unknown device {prefer!r}: use one of {sorted(available)}")
        if not available[prefer]:
            raise ValueError(f"{prefer} is not available on this machine")
        return torch.device(prefer)
    return torch.device(next(name for name in ("cuda", "mps", "cpu") if available[name]))
