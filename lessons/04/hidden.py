"""Lesson 04: the hidden layer, and how PyTorch lays tensors out in memory.

The embeddings of a batch of contexts, emb = C[X], have shape (n, block_size, n_embd).
The hidden layer wants one row of block_size * n_embd numbers per example, so the
block_size vectors of a context are laid side by side: with ``view`` (no copy: the
same memory read with another shape) or with ``torch.cat`` (a new tensor). Then
h = tanh(emb_flat @ W1 + b1). Along the way: strides, storage, and which operations
share memory with their input and which copy it.

Fill in the TODOs, then check your work with:  pytest lessons/04
"""

from __future__ import annotations

import torch


def flatten_context(emb: torch.Tensor) -> torch.Tensor:
    """Lay the block_size embeddings of each example side by side, without copying.

    emb: (n, block_size, n_embd). Returns (n, block_size * n_embd), a view of emb's
    memory: row i is emb[i, 0], emb[i, 1], ... concatenated. An empty batch (n = 0)
    gives shape (0, block_size * n_embd).
    """
    # TODO 1: return a view of emb with one row of block_size * n_embd numbers per example
    # Hint: view keeps the memory and changes the shape; take the sizes from emb.shape
    #   (-1 cannot be worked out when emb holds no numbers at all).
    raise NotImplementedError('lesson 04, TODO 1: return a view of emb with one row of block_size * n_embd numbers per example')


def concat_context(emb: torch.Tensor) -> torch.Tensor:
    """The same (n, block_size * n_embd) result built as a new tensor with torch.cat.

    emb: (n, block_size, n_embd). torch.unbind(emb, 1) gives the block_size slices
    emb[:, k] of shape (n, n_embd); concatenated along dimension 1 they form each row.
    Works for any block_size; the result is a copy.
    """
    # TODO 2: concatenate the slices emb[:, 0], emb[:, 1], ... along dimension 1
    # Hint: torch.unbind(emb, 1) returns all block_size slices, whatever block_size is.
    raise NotImplementedError('lesson 04, TODO 2: concatenate the slices emb[:, 0], emb[:, 1], ... along dimension 1')


def hidden_layer(emb: torch.Tensor, W1: torch.Tensor, b1: torch.Tensor) -> torch.Tensor:
    """The hidden layer of the MLP: h = tanh(emb_flat @ W1 + b1).

    emb: (n, block_size, n_embd). W1: (block_size * n_embd, n_hidden). b1: (n_hidden,).
    Returns h of shape (n, n_hidden), every value in [-1, 1], also for pre-activations
    far beyond +-50; (0, n_hidden) for an empty batch.
    """
    # TODO 3: flatten emb to (n, block_size * n_embd), multiply by W1, add b1, apply tanh
    raise NotImplementedError('lesson 04, TODO 3: flatten emb to (n, block_size * n_embd), multiply by W1, add b1, apply tanh')


def contiguous_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    """The strides of a contiguous tensor of ``shape``, worked out by hand.

    stride[d] is how many elements to skip in memory to move one step along
    dimension d: 1 for the last dimension, and for every other dimension the product
    of the sizes after it. (2, 3, 4) gives (12, 4, 1). Equals torch.empty(shape).stride(),
    which counts a dimension of size 0 as size 1 ((2, 0, 3) gives (3, 3, 1)); the 0-d
    shape () gives ().
    """
    # TODO 4: walk the dimensions from the last to the first, multiplying the sizes as you go
    raise NotImplementedError('lesson 04, TODO 4: walk the dimensions from the last to the first, multiplying the sizes as you go')


def shares_storage(a: torch.Tensor, b: torch.Tensor) -> bool:
    """True if a and b are windows onto the same memory (one storage), else False.

    A view such as t[1] starts later in the storage than t, so compare the storages
    (a.untyped_storage().data_ptr()), not the tensors' first elements (a.data_ptr()).
    """
    # TODO 5: compare the addresses of the two tensors' storages
    raise NotImplementedError("lesson 04, TODO 5: compare the addresses of the two tensors' storages")


# The operations of TODO 6, each applied to t = torch.arange(24.0).view(2, 3, 4).
STORAGE_QUESTIONS = (
    "t.view(6, 4)",
    "t.view(2, 12)",
    "t.reshape(6, 4)",
    "t.transpose(1, 2)",
    "t.transpose(1, 2).reshape(2, 12)",
    "t.transpose(1, 2).contiguous()",
    "t[:, 1]",
    "t[0, :, 2]",
    "t[:, [0, 2]]",
    "t[t > 5]",
    "t.clone()",
    "torch.cat([t[0], t[1]])",
    "t.flatten()",
    "t.unsqueeze(0)",
)


def storage_answers() -> dict[str, bool]:
    """Your answers: for each expression of STORAGE_QUESTIONS, does its result share
    storage with t (True: a view of t's memory) or is it a copy (False)?

    t = torch.arange(24.0).view(2, 3, 4) is contiguous. Returns a dict with every
    expression of STORAGE_QUESTIONS as a key.
    """
    # TODO 6: answer True (a view: same storage) or False (a copy) for every expression
    # Hint: work it out first, then test yourself with shares_storage(t, <expression>).
    raise NotImplementedError('lesson 04, TODO 6: answer True (a view: same storage) or False (a copy) for every expression')


if __name__ == "__main__":
    print("Fill in the TODOs of this file, then check them from the course folder "
          "with:  pytest lessons/04")
