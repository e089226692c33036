"""Lesson 08: train, dev and test splits, and reading the losses on them.

A loss measured on the examples the network was trained on says how well it fits
them, not how well it will do on names it has never seen. So the words are shuffled
once, with a fixed seed, and cut into three parts: 80% to train on, 10% (dev) to
compare settings such as the learning rate or the model size, and 10% (test) to
report once at the very end. Each part becomes its own (X, Y) dataset. Evaluating a
model only reads it: no gradients, no graph, no change to the parameters. Comparing
the train and dev losses tells whether the model is too small (underfitting: both
about equal) or memorises its training set (overfitting: dev clearly worse).

Fill in the TODOs, then check your work with:  pytest lessons/08
"""

from __future__ import annotations

import random

import torch
import torch.nn.functional as F

from autograder.given.lesson02_dataset import build_dataset
from autograder.given.lesson06_training import forward

# The reference versions of these are given to the lessons that build on this one.
__given__ = ("split_words", "split_datasets", "evaluate")


def split_words(words: list[str], seed: int = 42) -> tuple[list[str], list[str], list[str]]:
    """Shuffle a copy of ``words`` and cut it into train (80%), dev (10%) and test (10%).

    The copy is shuffled with ``random.Random(seed).shuffle``, which gives the same order
    as the lecture's ``random.seed(42); random.shuffle(words)``. With n = len(words),
    n1 = int(0.8 * n) and n2 = int(0.9 * n): train is shuffled[:n1], dev
    shuffled[n1:n2], test shuffled[n2:]. ``words`` itself is left as it was. For the
    32033 names of names.txt: 25626 / 3203 / 3204 words, train starting "yuheng",
    "diondre", "xavien". An empty list gives three empty lists.
    """
    # TODO 1: shuffle a copy of words with random.Random(seed), then cut it at 80% and 90%
    # Hint: random.shuffle(words) shuffles the caller's list in place; copy it first
    #   (list(words)) and use a random.Random(seed) of your own, so the seed is honoured.
    raise NotImplementedError('lesson 08, TODO 1: shuffle a copy of words with random.Random(seed), then cut it at 80% and 90%')


def split_datasets(words: list[str], block_size: int, stoi: dict[str, int],
                   seed: int = 42) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """The (X, Y) examples of each split: {"train": (X, Y), "dev": (X, Y), "test": (X, Y)}.

    The words are split with ``split_words(words, seed)`` and each part goes through
    lesson 02's ``build_dataset(part, block_size, stoi)``: X (n, block_size) and Y (n,),
    int64. names.txt with block_size 3 gives 182625 / 22655 / 22866 examples. A part
    without words gives X of shape (0, block_size) and Y of shape (0,).
    """
    # TODO 2: split the words with split_words, then build the (X, Y) of each part
    # Hint: build_dataset (lesson 02's reference) is imported at the top of this file.
    raise NotImplementedError('lesson 08, TODO 2: split the words with split_words, then build the (X, Y) of each part')


def evaluate(params: dict[str, torch.Tensor], X: torch.Tensor, Y: torch.Tensor) -> float:
    """The model's mean cross-entropy loss on the examples (X, Y), as a Python float.

    params: lesson 06's {"C", "W1", "b1", "W2", "b2"}. X: (n, block_size) int64 with
    n >= 1, Y: (n,) int64. The loss is F.cross_entropy(forward(params, X), Y), computed
    without building a graph (torch.no_grad()): nothing receives a gradient, the
    parameters keep their values and their requires_grad.
    """
    # TODO 3: compute the cross-entropy of forward(params, X) against Y without gradients
    # Hint: the evaluation only reads the parameters: no backward, no update, and
    #   .item() turns the scalar tensor into a float.
    raise NotImplementedError('lesson 08, TODO 3: compute the cross-entropy of forward(params, X) against Y without gradients')


def fit_verdict(train_loss: float, dev_loss: float, tolerance: float = 0.1) -> str:
    """Read a train and a dev loss: "overfitting" or "underfitting".

    "overfitting" when the dev loss is worse than the train loss by more than
    ``tolerance`` (dev_loss - train_loss > tolerance): the model fits its training
    examples better than new ones. Otherwise "underfitting": the two agree, so the model
    does no better on what it has seen than on what it has not; a larger model or
    longer training can still lower both. The lecture's 2.1260 / 2.1701 is underfitting.
    """
    # TODO 4: return "overfitting" when dev_loss exceeds train_loss by more than tolerance,
    #   otherwise "underfitting"
    raise NotImplementedError('lesson 08, TODO 4: return "overfitting" when dev_loss exceeds train_loss by more than tolerance, otherwise "underfitting"')


if __name__ == "__main__":
    print("Fill in the TODOs of this file, then check them from the course folder "
          "with:  pytest lessons/08")
