"""Lesson 01: the bigram language model, counted and then learned.

A bigram model predicts the next character from the current one only. We first count
how often each pair of characters follows each other in names.txt (the table N),
turn the counts into probabilities (the table P), score the model with the average
negative log likelihood, and sample new names from it. Then we reach the same model
with a one-layer neural network trained by gradient descent.

Fill in the TODOs, then check your work with:  pytest lessons/01
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

# The reference versions of these are given to the lessons that build on this one.
__given__ = ("build_vocab",)

SEED = 2147483647  # the lectures' seed


def build_vocab(words: list[str]) -> tuple[dict[str, int], dict[int, str]]:
    """The character vocabulary: '.' is 0, the letters of ``words`` follow in sorted order.

    Returns (stoi, itos): stoi maps a character to its index, itos is its inverse.
    For names.txt: stoi['.'] == 0, stoi['a'] == 1, ..., stoi['z'] == 26.
    """
    # TODO 1: build stoi ('.' -> 0, then each letter of the words, sorted, -> 1, 2, ...) and itos
    # Hint: sorted(set("".join(words))) lists the distinct letters in order.
    raise NotImplementedError("lesson 01, TODO 1: build stoi ('.' -> 0, then each letter of the words, sorted, -> 1, 2, ...) and itos")


def bigram_pairs(words: list[str], stoi: dict[str, int],
                 device: torch.device | str | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Every bigram of every word as two index tensors, with '.' marking start and end.

    Returns (xs, ys), int64 tensors of shape (n,) on ``device`` (the default device when
    None): the k-th bigram is xs[k] followed by ys[k]. "emma" gives the five bigrams
    .e em mm ma a.; names.txt gives 228146.
    """
    # TODO 2: walk over '.' + word + '.' for every word; collect first characters in xs, next in ys
    # Hint: zip(chs, chs[1:]) pairs each character with the one after it.
    raise NotImplementedError("lesson 01, TODO 2: walk over '.' + word + '.' for every word; collect first characters in xs, next in ys")


def count_bigrams(words: list[str], stoi: dict[str, int]) -> torch.Tensor:
    """Count every bigram of every word, with '.' marking both its start and its end.

    Returns N of shape (V, V), an integer tensor, V = len(stoi): N[i, j] is how often
    character j follows character i. "emma" contributes .e em mm ma a. (five bigrams).
    """
    # TODO 3: count the bigrams of every word into a (V, V) integer tensor N
    # Hint: N[i, j] += 1 for each pair works; torch.bincount(xs * V + ys) is a faster way.
    raise NotImplementedError('lesson 01, TODO 3: count the bigrams of every word into a (V, V) integer tensor N')


def bigram_probs(N: torch.Tensor, smoothing: int = 1) -> torch.Tensor:
    """Turn counts into next-character probabilities.

    N: (V, V) counts. Adds ``smoothing`` to every count (so no bigram has probability
    zero), then divides each row by its sum. Returns P, (V, V) float32, rows summing to 1.
    """
    # TODO 4: add smoothing, convert to float, divide each row by its own sum
    # Hint: keep the summed dimension (keepdim=True) so the division broadcasts along rows.
    raise NotImplementedError('lesson 01, TODO 4: add smoothing, convert to float, divide each row by its own sum')


def nll(P: torch.Tensor, words: list[str], stoi: dict[str, int]) -> float:
    """Average negative log likelihood of all bigrams of ``words`` under P.

    P: (V, V) probabilities. Every word is scored as '.' + word + '.', so "emma" adds five
    terms. Returns a Python float (2.4544 for names.txt with smoothing 1).
    """
    # TODO 5: average -log P[ch1, ch2] over every bigram of every word (start and end included)
    # Hint: bigram_pairs(words, stoi, device=P.device) gives the indices next to P.
    raise NotImplementedError('lesson 01, TODO 5: average -log P[ch1, ch2] over every bigram of every word (start and end included)')


def sample_names(P: torch.Tensor, itos: dict[int, str], n: int,
                 generator: torch.Generator) -> list[str]:
    """Sample ``n`` names from the bigram model P.

    Each name starts from '.' (index 0); draw the next index from row P[ix] with
    ``torch.multinomial(P[ix], num_samples=1, replacement=True, generator=generator)``
    and stop when '.' comes back. The names are returned without the dots.
    """
    # TODO 6: for each name, draw characters from P's row of the previous one until '.' (0)
    raise NotImplementedError("lesson 01, TODO 6: for each name, draw characters from P's row of the previous one until '.' (0)")


def neural_bigram(words: list[str], stoi: dict[str, int], steps: int = 100,
                  lr: float = 50.0, reg: float = 0.01,
                  generator: torch.Generator | None = None) -> tuple[torch.Tensor, list[float]]:
    """Train the bigram model as a one-layer network on every bigram of ``words``.

    W: (V, V) starts as torch.randn((V, V), generator=generator) (seed 2147483647 when
    no generator is given). Each step, over all bigrams at once (full batch):
    one-hot(xs) @ W gives logits, their softmax the probabilities, and the loss is the
    mean NLL of the targets plus ``reg * (W**2).mean()``; then W -= lr * W.grad.
    Returns (W, losses) where losses[k] is the loss before update k (len == steps).
    """
    # TODO 7: with xs, ys = bigram_pairs(words, stoi), run the gradient-descent loop described above
    # Hint: set W.grad = None before each backward pass, or gradients accumulate.
    raise NotImplementedError('lesson 01, TODO 7: with xs, ys = bigram_pairs(words, stoi), run the gradient-descent loop described above')


def plot_counts(N: torch.Tensor, itos: dict[int, str]) -> Figure:
    """The (V, V) count table as a heat map, each cell labelled with its bigram and count.

    Returns a matplotlib Figure with one Axes holding one image (imshow of N) and, for
    every cell (i, j), a text itos[i] + itos[j] and a text with the count N[i, j], both
    placed at the cell: x = j (the column), y = i (the row).
    """
    # TODO 8: imshow N on a new Figure's axes and write the bigram and count in every cell
    # Hint: Figure(figsize=(16, 16)) needs no GUI; ax.text(j, i, ...) puts text at column j, row i.
    raise NotImplementedError("lesson 01, TODO 8: imshow N on a new Figure's axes and write the bigram and count in every cell")


if __name__ == "__main__":
    print("Fill in the TODOs of this file, then check them from the course folder "
          "with:  pytest lessons/01")
