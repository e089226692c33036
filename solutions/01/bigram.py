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
# The README's figures, drawn by `autograder build --figures` (not part of the skeleton).
__figures__ = {"counts.png": "_draw_counts"}

SEED = 2147483647  # the lectures' seed


def build_vocab(words: list[str]) -> tuple[dict[str, int], dict[int, str]]:
    """The character vocabulary: '.' is 0, the letters of ``words`` follow in sorted order.

    Returns (stoi, itos): stoi maps a character to its index, itos is its inverse.
    For names.txt: stoi['.'] == 0, stoi['a'] == 1, ..., stoi['z'] == 26.
    """
    # TODO 1: build stoi ('.' -> 0, then each letter of the words, sorted, -> 1, 2, ...) and itos
    # Hint: sorted(set("".join(words))) lists the distinct letters in order.
    ### BEGIN SOLUTION
    chars = sorted(set("".join(words)))
    stoi = {ch: i + 1 for i, ch in enumerate(chars)}
    stoi["."] = 0
    itos = {i: ch for ch, i in stoi.items()}
    return stoi, itos
    ### END SOLUTION


def bigram_pairs(words: list[str], stoi: dict[str, int],
                 device: torch.device | str | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Every bigram of every word as two index tensors, with '.' marking start and end.

    Returns (xs, ys), int64 tensors of shape (n,) on ``device`` (the default device when
    None): the k-th bigram is xs[k] followed by ys[k]. "emma" gives the five bigrams
    .e em mm ma a.; names.txt gives 228146.
    """
    # TODO 2: walk over '.' + word + '.' for every word; collect first characters in xs, next in ys
    # Hint: zip(chs, chs[1:]) pairs each character with the one after it.
    ### BEGIN SOLUTION
    xs, ys = [], []
    for w in words:
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in zip(chs, chs[1:]):
            xs.append(stoi[ch1])
            ys.append(stoi[ch2])
    return (torch.tensor(xs, dtype=torch.int64, device=device),
            torch.tensor(ys, dtype=torch.int64, device=device))
    ### END SOLUTION


def count_bigrams(words: list[str], stoi: dict[str, int]) -> torch.Tensor:
    """Count every bigram of every word, with '.' marking both its start and its end.

    Returns N of shape (V, V), an integer tensor, V = len(stoi): N[i, j] is how often
    character j follows character i. "emma" contributes .e em mm ma a. (five bigrams).
    """
    # TODO 3: count the bigrams of every word into a (V, V) integer tensor N
    # Hint: N[i, j] += 1 for each pair works; torch.bincount(xs * V + ys) is a faster way.
    ### BEGIN SOLUTION
    V = len(stoi)
    xs, ys = bigram_pairs(words, stoi)
    return torch.bincount(xs * V + ys, minlength=V * V).view(V, V).to(torch.int32)
    ### END SOLUTION


def bigram_probs(N: torch.Tensor, smoothing: int = 1) -> torch.Tensor:
    """Turn counts into next-character probabilities.

    N: (V, V) counts. Adds ``smoothing`` to every count (so no bigram has probability
    zero), then divides each row by its sum. Returns P, (V, V) float32, rows summing to 1.
    """
    # TODO 4: add smoothing, convert to float, divide each row by its own sum
    # Hint: keep the summed dimension (keepdim=True) so the division broadcasts along rows.
    ### BEGIN SOLUTION
    P = (N + smoothing).float()
    return P / P.sum(1, keepdim=True)
    ### END SOLUTION


def nll(P: torch.Tensor, words: list[str], stoi: dict[str, int]) -> float:
    """Average negative log likelihood of all bigrams of ``words`` under P.

    P: (V, V) probabilities. Every word is scored as '.' + word + '.', so "emma" adds five
    terms. Returns a Python float (2.4544 for names.txt with smoothing 1).
    """
    # TODO 5: average -log P[ch1, ch2] over every bigram of every word (start and end included)
    # Hint: bigram_pairs(words, stoi, device=P.device) gives the indices next to P.
    ### BEGIN SOLUTION
    xs, ys = bigram_pairs(words, stoi, device=P.device)
    return -P[xs, ys].log().mean().item()
    ### END SOLUTION


def sample_names(P: torch.Tensor, itos: dict[int, str], n: int,
                 generator: torch.Generator) -> list[str]:
    """Sample ``n`` names from the bigram model P.

    Each name starts from '.' (index 0); draw the next index from row P[ix] with
    ``torch.multinomial(P[ix], num_samples=1, replacement=True, generator=generator)``
    and stop when '.' comes back. The names are returned without the dots.
    """
    # TODO 6: for each name, draw characters from P's row of the previous one until '.' (0)
    ### BEGIN SOLUTION
    names = []
    for _ in range(n):
        out = []
        ix = 0
        while True:
            ix = torch.multinomial(P[ix], num_samples=1, replacement=True,
                                   generator=generator).item()
            if ix == 0:
                break
            out.append(itos[ix])
        names.append("".join(out))
    return names
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    if generator is None:
        generator = torch.Generator().manual_seed(SEED)
    V = len(stoi)
    xs, ys = bigram_pairs(words, stoi)
    num = xs.numel()
    W = torch.randn((V, V), generator=generator, requires_grad=True)
    xenc = F.one_hot(xs, num_classes=V).float()  # (num, V)
    losses = []
    for _ in range(steps):
        logits = xenc @ W  # (num, V) log-counts
        counts = logits.exp()
        probs = counts / counts.sum(1, keepdim=True)
        loss = -probs[torch.arange(num), ys].log().mean() + reg * (W**2).mean()
        losses.append(loss.item())
        W.grad = None
        loss.backward()
        with torch.no_grad():
            W -= lr * W.grad
    return W.detach(), losses
    ### END SOLUTION


def plot_counts(N: torch.Tensor, itos: dict[int, str]) -> Figure:
    """The (V, V) count table as a heat map, each cell labelled with its bigram and count.

    Returns a matplotlib Figure with one Axes holding one image (imshow of N) and, for
    every cell (i, j), a text itos[i] + itos[j] and a text with the count N[i, j], both
    placed at the cell: x = j (the column), y = i (the row).
    """
    # TODO 8: imshow N on a new Figure's axes and write the bigram and count in every cell
    # Hint: Figure(figsize=(16, 16)) needs no GUI; ax.text(j, i, ...) puts text at column j, row i.
    ### BEGIN SOLUTION
    V = N.shape[0]
    counts = N.cpu()
    fig = Figure(figsize=(16, 16))
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.99)  # no wide margins
    ax = fig.add_subplot()
    ax.imshow(counts.numpy(), cmap="Blues")
    dark = counts.max().item() / 2  # cells above half the largest count are dark blue
    for i in range(V):
        for j in range(V):
            c = int(counts[i, j])
            color = "white" if c > dark else "black"  # readable on dark and on light cells
            ax.text(j, i, itos[i] + itos[j], ha="center", va="bottom", color=color)
            ax.text(j, i, str(c), ha="center", va="top", color=color)
    ax.axis("off")
    return fig
    ### END SOLUTION


def _draw_counts() -> Figure:
    """The README's heat map: the bigram counts of names.txt."""
    from autograder.data import load_words

    words = list(load_words())
    stoi, itos = build_vocab(words)
    return plot_counts(count_bigrams(words, stoi), itos)
