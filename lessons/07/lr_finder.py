"""Lesson 07: finding a good learning rate.

Too small a learning rate and the loss barely moves; too large and it jumps around or
blows up. Between them lies a valley of rates that learn fast and stay stable. A quick
way to find it: one short training run in which the learning rate grows exponentially
from 0.001 to 1, one minibatch step per rate, recording the loss at each. Plotted
against the rate on a logarithmic axis, the loss first falls faster and faster, then
turns noisy and climbs: a good rate sits at the bottom, just before the climb.

The training step is the course's reference from lesson 06
(autograder.given.lesson06_training.train_step), so this lesson does not depend on yours.

Fill in the TODOs, then check your work with:  pytest lessons/07
"""

from __future__ import annotations

import math

import torch
from matplotlib.figure import Figure

from autograder.given.lesson06_training import train_step


def lr_sweep(params: dict[str, torch.Tensor], X: torch.Tensor, Y: torch.Tensor, steps: int,
             batch_size: int, generator: torch.Generator) -> tuple[torch.Tensor, list[float]]:
    """Train with a learning rate that grows from 10**-3 to 10**0, one step per rate.

    params: the dict of lesson 06's init_params, trained in place. X: (N, block_size)
    int64, Y: (N,) int64. The rates are lrs = 10 ** torch.linspace(-3, 0, steps), float32
    on X's device. For each rate in turn, draw a fresh minibatch with
    torch.randint(0, N, (batch_size,), generator=generator, device=X.device) and take
    one train_step with that rate on it, on the same params throughout.
    Returns (lrs, losses): lrs of shape (steps,) and the list of the ``steps`` losses
    (floats) that train_step returned.
    """
    # TODO 1: make the steps rates 10 ** linspace(-3, 0, steps) on X's device, then take
    #   one train_step per rate, each on a fresh minibatch drawn with the generator
    # Hint: train_step wants a Python number: lr.item() (or float(lr)).
    raise NotImplementedError("lesson 07, TODO 1: make the steps rates 10 ** linspace(-3, 0, steps) on X's device, then take one train_step per rate, each on a fresh minibatch drawn with the generator")


def suggest_lr(lrs: torch.Tensor, losses: list[float] | torch.Tensor,
               window: int = 20) -> float:
    """The learning rate at the bottom of the sweep's smoothed loss curve.

    lrs: (n,) the rates of lr_sweep; losses: their n losses (a list of floats or a 1-D
    tensor, left unchanged). Losses that are inf or nan (the run blew up) count as +inf.
    With w = min(window, n), smoothed[i] is the mean of losses[i : i + w], for
    i = 0 .. n - w; with i the index of the smallest smoothed value (the first, if
    several are equal), the answer is lrs[i + w // 2], the rate in the middle of the best
    window, as a Python float. Raises ValueError for n = 0.
    """
    if len(losses) == 0:
        raise ValueError("suggest_lr needs at least one loss")
    # TODO 2: replace non-finite losses by +inf, average each window of w losses, and
    #   return the rate in the middle of the window with the smallest average
    # Hint: tensor.unfold(0, w, 1) gives every window of w consecutive numbers as a row.
    #   Without the +inf, a single nan loss wins argmin.
    raise NotImplementedError('lesson 07, TODO 2: replace non-finite losses by +inf, average each window of w losses, and return the rate in the middle of the window with the smallest average')


def plot_lr_sweep(lrs: torch.Tensor, losses: list[float] | torch.Tensor,
                  suggested: float | None = None) -> Figure:
    """The loss against the learning rate, on a logarithmic x axis.

    lrs: (n,) rates, losses: their n losses. Returns a matplotlib Figure with one Axes
    holding one line whose points are (lrs[i], losses[i]), x axis in log scale, labelled
    "learning rate" and "loss". With ``suggested``, also a dashed vertical line at that
    rate and a text label naming it, placed at x = suggested.
    """
    # TODO 3: plot losses against lrs on a log x axis, label the axes, and mark the
    #   suggested rate with a vertical line and a text at x = suggested
    # Hint: build the figure with matplotlib.figure.Figure() and fig.add_subplot()
    #   (no pyplot window); ax.set_xscale("log"). Move tensors to the CPU to plot them.
    raise NotImplementedError('lesson 07, TODO 3: plot losses against lrs on a log x axis, label the axes, and mark the suggested rate with a vertical line and a text at x = suggested')


if __name__ == "__main__":
    print("Fill in the TODOs of this file, then check them from the course folder "
          "with:  pytest lessons/07")
