"""Lesson 03: the embedding table C.

Each of the 27 characters gets a vector of n_embd learned numbers: one row of the table
C, of shape (vocab_size, n_embd). A batch of contexts X (indices, shape
(n, block_size)) becomes emb = C[X], of shape (n, block_size, n_embd). Indexing is the
fast way to write it; multiplying one-hot vectors by C is the same computation seen as
the first layer of a network.

Fill in the TODOs, then check your work with:  pytest lessons/03
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def init_embedding(vocab_size: int, n_embd: int, generator: torch.Generator) -> torch.Tensor:
    """A fresh embedding table: C of shape (vocab_size, n_embd), standard normal entries.

    The entries are drawn with ``generator`` so the table is reproducible; for the
    lecture's (27, 2) table and seed 2147483647, C[0] is about [1.5674, -0.2373].
    """
    # TODO 1: draw C from the standard normal distribution, shape (vocab_size, n_embd), with generator
    raise NotImplementedError('lesson 03, TODO 1: draw C from the standard normal distribution, shape (vocab_size, n_embd), with generator')


def embed(C: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """The embedding of every index in X, by indexing.

    C: (vocab_size, n_embd) float. X: integer tensor of any shape, e.g. (n, block_size).
    Returns emb of shape X.shape + (n_embd,) where emb[i, j] == C[X[i, j]].
    """
    # TODO 2: look up the rows of C named by the indices in X, keeping X's shape
    # Hint: indexing a tensor with a tensor of indices keeps the shape of the indices.
    raise NotImplementedError("lesson 03, TODO 2: look up the rows of C named by the indices in X, keeping X's shape")


def embed_onehot(C: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """The same embedding, computed as one-hot vectors times C.

    F.one_hot(X, vocab_size) has shape X.shape + (vocab_size,); as floats of C's dtype,
    multiplied by C (vocab_size, n_embd), it selects rows: the result equals C[X].
    """
    # TODO 3: one-hot encode X over all vocab_size rows of C, cast to C's dtype, multiply by C
    # Hint: F.one_hot guesses the number of classes from X.max() unless num_classes is given.
    raise NotImplementedError("lesson 03, TODO 3: one-hot encode X over all vocab_size rows of C, cast to C's dtype, multiply by C")


if __name__ == "__main__":
    print("Fill in the TODOs of this file, then check them from the course folder "
          "with:  pytest lessons/03")
