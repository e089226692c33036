"""Lesson 02: the training set of the MLP language model (Bengio et al. 2003).

The model reads the last ``block_size`` characters (the context) and predicts the
next one. Each name gives one example per character plus one for the final '.':
with block_size 3, "emma" gives the contexts ... ..e .em emm mma, and the targets
e m m a . (five examples). Contexts start as all dots (index 0).

Fill in the TODO, then check your work with:  pytest lessons/02
"""

from __future__ import annotations

import torch

# The reference versions of these are given to the lessons that build on this one.
__given__ = ("build_dataset",)


def build_dataset(words: list[str], block_size: int,
                  stoi: dict[str, int]) -> tuple[torch.Tensor, torch.Tensor]:
    """All (context, next character) examples of ``words``.

    Returns X of shape (n, block_size) and Y of shape (n,), both int64: X[k] holds the
    indices of the block_size characters before Y[k], '.' (0) where the word has not
    started yet. 32 examples for "emma olivia ava isabella sophia", 228146 for names.txt.
    """
    # TODO 1: slide a window of block_size indices over '.'-padded words; collect X and Y
    # Hint: start each word with context = [0] * block_size, and end it with the target '.'.
    raise NotImplementedError("lesson 02, TODO 1: slide a window of block_size indices over '.'-padded words; collect X and Y")


if __name__ == "__main__":
    print("Fill in the TODOs of this file, then check them from the course folder "
          "with:  pytest lessons/02")
