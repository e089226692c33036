"""Lesson 09: experiments with the MLP, and the lecture's graded exercises.

With the training loop (lesson 06), a learning-rate finder (lesson 07) and honest
train/dev splits (lesson 08), the lecture turns into experiments: a larger hidden
layer, a look at the learned 2-D embeddings, larger embeddings, a learning rate that
steps down late in training, and a loss curve on a log10 scale so that the slow end of
training stays readable. Then three exercises:

- E01: a configuration (plain data) that beats dev loss 2.2 within a CPU budget; the
  course's own trainer trains it, never your code.
- E02: the loss of a uniform prediction, ln 27 = 3.2958, and an initialisation whose
  very first loss is that close to it.
- E03: the paper's direct connections from the embeddings to the output layer.

Fill in the TODOs, then check your work with:  pytest lessons/09
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from matplotlib.figure import Figure


def _steps(steps: int, desc: str, progress: bool):
    """range(steps), with a tqdm bar when a person asks for one (progress=True)."""
    if not progress:
        return range(steps)
    try:
        from tqdm import tqdm
    except ImportError:  # tqdm is optional: print the name of the run instead
        print(f"training {desc}: {steps} steps")
        return range(steps)
    return tqdm(range(steps), desc=desc)


def plot_embeddings(C: torch.Tensor, itos: dict[int, str]) -> Figure:
    """The learned 2-D embeddings: one dot per character, the character written on it.

    C: (vocab_size, 2) float, row i is the embedding of character itos[i]. Returns a
    matplotlib Figure with one Axes holding one scatter of the vocab_size points
    (C[i, 0], C[i, 1]) in row order and one text itos[i] at each point. C is not changed.
    Raises ValueError when C does not have exactly 2 columns.
    """
    if C.dim() != 2 or C.shape[1] != 2:
        raise ValueError(f"plot_embeddings needs C of shape (vocab_size, 2), got {tuple(C.shape)}")
    # TODO 1: scatter the rows of C on a new Figure's axes and write itos[i] at point i
    # Hint: Figure(figsize=(8, 8)) needs no GUI; ax.scatter(xs, ys) takes the two columns,
    #   ax.text(x, y, s) writes s at (x, y). Move C to the CPU (and detach it) first.
    ### BEGIN SOLUTION
    points = C.detach().cpu()  # (vocab_size, 2)
    fig = Figure(figsize=(8, 8))
    ax = fig.add_subplot()
    ax.scatter(points[:, 0].tolist(), points[:, 1].tolist(), s=200)
    for i in range(points.shape[0]):
        x, y = points[i].tolist()
        ax.text(x, y, itos[i], ha="center", va="center", color="white")
    ax.grid(True)
    ax.set_title("the learned 2-D character embeddings")
    return fig
    ### END SOLUTION


def plot_loss_curve(losses: list[float]) -> Figure:
    """The training curve on a log10 scale: one point per recorded step.

    losses: the per-step minibatch losses (positive floats), e.g. what lesson 06's
    ``train`` returns. Returns a Figure with one Axes and one line through the points
    (step, log10(loss)) for step = 0, 1, ..., len(losses) - 1 (an empty list gives an
    empty line). The list is not changed.
    """
    # TODO 2: plot log10 of every loss against its step number, with labelled axes
    # Hint: math.log10 (or torch.tensor(losses).log10()); ax.plot(xs, ys) draws one line.
    ### BEGIN SOLUTION
    steps = list(range(len(losses)))
    log_losses = [math.log10(loss) for loss in losses]
    fig = Figure(figsize=(8, 4))
    ax = fig.add_subplot()
    ax.plot(steps, log_losses)
    ax.set_xlabel("step")
    ax.set_ylabel("log10(loss)")
    return fig
    ### END SOLUTION


def step_decay(step: int, base_lr: float = 0.1, milestones: tuple[int, ...] = (100000,),
               gamma: float = 0.1) -> float:
    """The learning rate at ``step`` of a step-decay schedule.

    The rate starts at base_lr and is multiplied by gamma at every milestone the training
    has reached: lr = base_lr * gamma ** k, where k is the number of milestones m with
    m <= step. The defaults are the lecture's: 0.1 for steps 0..99999, then 0.01.
    Returns a Python float; pass ``lambda i: step_decay(i)`` as lesson 06's ``lr``.
    """
    # TODO 3: count the milestones already reached and scale base_lr by gamma that often
    # Hint: step 100000 is already trained with the decayed rate (the lecture's
    #   `0.1 if i < 100000 else 0.01`).
    ### BEGIN SOLUTION
    reached = sum(1 for m in milestones if m <= step)
    return float(base_lr * gamma ** reached)
    ### END SOLUTION


def e01_config() -> dict[str, Any]:
    """E01: your configuration that beats dev loss 2.2 within the CPU budget.

    Returns a dict of plain data that the course's trainer (in the checks, not your code)
    trains on the train split of names.txt, with your seed, on one CPU thread:
      "block_size" int 1..8, "n_embd" int 1..64, "n_hidden" int 1..1000,
      "steps" int 1..200000, "batch_size" int 1..4096,
      "optimizer" "sgd" or "adamw", "lr" float in (0, 1] (the peak rate),
      "schedule" "constant", "step" (with "milestones" a list of ints and "gamma" a float
      in (0, 1]) or "onecycle" (linear warm-up over the first 10 % of the steps, then
      cosine decay to 0), "weight_decay" float in [0, 1] (optional, adamw only, default
      0), "init" "lecture" (plain randn) or "scaled" (optional, default "scaled": the
      E02-style start with small output weights), "seed" int.
    Budget: at most 100000 parameters and an estimated 60 s of training on one core (see
    the lesson's README for the estimate). The check reports the dev loss it measured.
    """
    # TODO 4: return a configuration whose trained dev loss is at most 2.2 within budget
    # Hint: bigger batches use one core far better than batches of 32; AdamW with a
    #   one-cycle schedule reaches a low loss in a few thousand steps.
    ### BEGIN SOLUTION
    return {
        "block_size": 5, "n_embd": 24, "n_hidden": 500,
        "steps": 2500, "batch_size": 512,
        "optimizer": "adamw", "lr": 0.015, "schedule": "onecycle", "weight_decay": 0.01,
        "init": "scaled", "seed": 2147483647,
    }
    ### END SOLUTION


def uniform_loss(vocab_size: int) -> float:
    """E02: the loss of a model that gives every one of vocab_size symbols the same odds.

    Each correct symbol gets probability 1 / vocab_size, so the average negative log
    likelihood is -ln(1 / vocab_size) = ln(vocab_size): 3.2958 for 27. Returns a float.
    Raises ValueError for vocab_size < 1.
    """
    if vocab_size < 1:
        raise ValueError(f"vocab_size must be at least 1, got {vocab_size}")
    # TODO 5: the negative (natural) log likelihood of probability 1 / vocab_size
    ### BEGIN SOLUTION
    return -math.log(1.0 / vocab_size)
    ### END SOLUTION


def init_uniform(vocab_size: int, block_size: int, n_embd: int, n_hidden: int,
                 generator: torch.Generator) -> dict[str, torch.Tensor]:
    """E02: parameters whose first loss is close to the uniform loss ln(vocab_size).

    Returns {"C": (vocab_size, n_embd), "W1": (block_size * n_embd, n_hidden),
    "b1": (n_hidden,), "W2": (n_hidden, vocab_size), "b2": (vocab_size,)}, float32,
    requires_grad=True, drawn with ``generator`` (C, W1, b1, W2, b2 in that order), for
    lesson 06's forward (tanh hidden layer). The logits at step 0 must be nearly equal,
    yet the network must still learn: the step-0 loss on names.txt is within 0.05 of
    ln 27 and training from it brings the loss down like the lecture's.
    """
    # TODO 6: draw the parameters like lesson 06, but make the first logits nearly zero
    # Hint: the logits are h @ W2 + b2 with |h| <= 1: a small W2 (times 0.01) and a zero
    #   b2 give nearly equal logits. Keep the other parameters random (drawn with the
    #   generator), so that the hidden units differ and the network can learn.
    ### BEGIN SOLUTION
    fan_in = block_size * n_embd
    C = torch.randn((vocab_size, n_embd), generator=generator)
    W1 = torch.randn((fan_in, n_hidden), generator=generator) * (5 / 3) / fan_in ** 0.5
    b1 = torch.randn(n_hidden, generator=generator) * 0.01
    W2 = torch.randn((n_hidden, vocab_size), generator=generator) * 0.01
    b2 = torch.randn(vocab_size, generator=generator) * 0
    params = {"C": C, "W1": W1, "b1": b1, "W2": W2, "b2": b2}
    for p in params.values():
        p.requires_grad_(True)
    return params
    ### END SOLUTION


def forward_direct(params: dict[str, torch.Tensor], X: torch.Tensor) -> torch.Tensor:
    """E03: the MLP with the paper's direct connections from the embeddings to the logits.

    params: lesson 06's C (vocab_size, n_embd), W1 (block_size * n_embd, n_hidden),
    b1 (n_hidden,), W2 (n_hidden, vocab_size), b2 (vocab_size,), plus
    Wd (block_size * n_embd, vocab_size), the direct connections. X: (n, block_size)
    int64 contexts. Returns logits (n, vocab_size):
        x = C[X] flattened to (n, block_size * n_embd)
        logits = tanh(x @ W1 + b1) @ W2 + b2 + x @ Wd
    With Wd all zero this is lesson 06's forward. Differentiable in every parameter;
    changes nothing in params or X.
    """
    # TODO 7: compute the plain MLP's logits and add the direct term x @ Wd
    # Hint: x = C[X].view(X.shape[0], -1) is the concatenated embedding, used twice.
    ### BEGIN SOLUTION
    x = params["C"][X].view(X.shape[0], -1)  # (n, block_size * n_embd)
    h = torch.tanh(x @ params["W1"] + params["b1"])  # (n, n_hidden)
    return h @ params["W2"] + params["b2"] + x @ params["Wd"]
    ### END SOLUTION


def compare_direct(X: torch.Tensor, Y: torch.Tensor, Xdev: torch.Tensor, Ydev: torch.Tensor,
                   n_embd: int, n_hidden: int, steps: int, batch_size: int, lr: float,
                   generator: torch.Generator, progress: bool = False) -> dict[str, dict]:
    """E03's experiment (given, not a TODO): the plain MLP against the one with Wd.

    X: (n, block_size) int64 training contexts, Y: (n,) targets; Xdev, Ydev the dev
    split. Both models start from the same parameters, drawn with ``generator`` like
    lesson 06 (C, W1, b1, W2, b2 from randn, vocabulary 27) plus Wd = 0, and see the same
    minibatches; both use your forward_direct, with Wd kept at zero (not trained) for the
    plain MLP. Plain minibatch SGD at rate ``lr``. Returns {"plain": {"train": float,
    "dev": float}, "direct": {"train": float, "dev": float}}: each model's loss on the
    whole training set and on the dev set after training.
    """
    block_size = X.shape[1]
    device = X.device
    cpu = torch.device("cpu")  # the generator draws on the CPU; the results move to X's device
    start = {
        "C": torch.randn((27, n_embd), generator=generator, device=cpu),
        "W1": torch.randn((block_size * n_embd, n_hidden), generator=generator, device=cpu),
        "b1": torch.randn(n_hidden, generator=generator, device=cpu),
        "W2": torch.randn((n_hidden, 27), generator=generator, device=cpu),
        "b2": torch.randn(27, generator=generator, device=cpu),
    }
    start = {k: v.to(device) for k, v in start.items()}
    start["Wd"] = torch.zeros((block_size * n_embd, 27), device=device)
    state = generator.get_state()
    report = {}
    for name, trained in (("plain", ("C", "W1", "b1", "W2", "b2")),
                          ("direct", ("C", "W1", "b1", "W2", "b2", "Wd"))):
        generator.set_state(state)  # the same minibatches for both models
        params = {k: v.clone().requires_grad_(k in trained) for k, v in start.items()}
        for _ in _steps(steps, name, progress):
            ix = torch.randint(0, X.shape[0], (batch_size,), generator=generator, device=cpu)
            ix = ix.to(device)
            loss = F.cross_entropy(forward_direct(params, X[ix]), Y[ix])
            for k in trained:
                params[k].grad = None
            loss.backward()
            with torch.no_grad():
                for k in trained:
                    params[k] -= lr * params[k].grad
        with torch.no_grad():
            report[name] = {"train": F.cross_entropy(forward_direct(params, X), Y).item(),
                            "dev": F.cross_entropy(forward_direct(params, Xdev), Ydev).item()}
    return report
