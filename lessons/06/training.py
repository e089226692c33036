"""Lesson 06: training the MLP with gradient descent.

Lessons 02-05 built every piece of the network of Bengio et al. 2003: the dataset
(X, Y), the embedding table C, the tanh hidden layer (W1, b1) and the output layer
(W2, b2) with its loss. Here they become one model held in a dict of parameters, and
the model learns: compute the loss, ask autograd for the gradient of the loss with
respect to every parameter, nudge each parameter a little against its gradient, and
repeat. First on one small batch that the network can memorise, then on random
minibatches of all of names.txt.

Fill in the TODOs, then check your work with:  pytest lessons/06
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F  # noqa: F401 (used only inside TODO 3)

__given__ = ("init_params", "forward", "train_step", "train")

def init_params(vocab_size: int, block_size: int, n_embd: int, n_hidden: int,
                generator: torch.Generator) -> dict[str, torch.Tensor]:
    """The network's parameters, drawn from the standard normal distribution.

    Returns {"C": (vocab_size, n_embd), "W1": (block_size * n_embd, n_hidden),
    "b1": (n_hidden,), "W2": (n_hidden, vocab_size), "b2": (vocab_size,)}: float32
    tensors drawn in that order with ``torch.randn(shape, generator=generator)``, each a
    leaf with requires_grad=True. 3481 numbers for 27/3/2/100, 11897 for 27/3/10/200.
    The tensors live on the generator's device.
    """
    # TODO 1: draw C, W1, b1, W2, b2 in this order with torch.randn and the generator,
    #   make each require grad, and return them in a dict keyed by their names
    # Hint: pass device=generator.device as well, so a CUDA generator gives CUDA tensors.
    raise NotImplementedError('lesson 06, TODO 1: draw C, W1, b1, W2, b2 in this order with torch.randn and the generator, make each require grad, and return them in a dict keyed by their names')


def forward(params: dict[str, torch.Tensor], X: torch.Tensor) -> torch.Tensor:
    """The logits of the MLP for a batch of contexts.

    params: the dict of init_params. X: (n, block_size) int64 character indices.
    Returns logits of shape (n, vocab_size), differentiable with respect to every
    parameter: emb = C[X]; h = tanh(emb.view(n, -1) @ W1 + b1); logits = h @ W2 + b2.
    Changes neither params nor X.
    """
    # TODO 2: embed X, flatten each context, apply the tanh hidden layer, then the
    #   output layer
    # Hint: emb.view(X.shape[0], -1) works for any block_size and n_embd (and for n = 0).
    raise NotImplementedError('lesson 06, TODO 2: embed X, flatten each context, apply the tanh hidden layer, then the output layer')


def train_step(params: dict[str, torch.Tensor], X: torch.Tensor, Y: torch.Tensor,
               lr: float) -> float:
    """One step of gradient descent on the batch (X, Y); returns the loss as a float.

    X: (n, block_size) int64, Y: (n,) int64 targets, lr: the learning rate. Forgets the
    gradients of the previous step, computes F.cross_entropy(forward(params, X), Y),
    backpropagates, and updates every parameter in place, p -= lr * p.grad, without
    recording the update in the graph (torch.no_grad). Returns the loss computed before
    the update, as a Python float. The tensors of params are updated, not replaced.
    """
    # TODO 3: reset every gradient, compute the loss, backpropagate, then update each
    #   parameter in place under torch.no_grad(); return loss.item()
    # Hint: backward() adds to .grad; setting p.grad = None before it starts each step
    #   from zero. Outside torch.no_grad(), an in-place change of a leaf is refused.
    raise NotImplementedError('lesson 06, TODO 3: reset every gradient, compute the loss, backpropagate, then update each parameter in place under torch.no_grad(); return loss.item()')


def overfit_batch(params: dict[str, torch.Tensor], X: torch.Tensor, Y: torch.Tensor,
                  steps: int, lr: float) -> list[float]:
    """Take ``steps`` full-batch steps on the same (X, Y); returns the loss of each step.

    X: (n, block_size) int64, Y: (n,) int64. The network has far more parameters than
    a small batch has examples, so the loss falls well below 0.5 (the 32 examples of
    five names, 1000 steps with lr 0.1, say). Returns a list of ``steps`` floats (empty
    for steps = 0); params are updated in place.
    """
    # TODO 4: call train_step steps times on the whole batch and collect the losses
    raise NotImplementedError('lesson 06, TODO 4: call train_step steps times on the whole batch and collect the losses')


def train(params: dict[str, torch.Tensor], X: torch.Tensor, Y: torch.Tensor, steps: int,
          batch_size: int, lr: float | Callable[[int], float], generator: torch.Generator,
          progress: bool = False) -> list[float]:
    """Minibatch gradient descent: ``steps`` steps, each on a fresh random batch.

    X: (N, block_size) int64, Y: (N,) int64. At every step draw batch_size row indices
    with torch.randint(0, N, (batch_size,), generator=generator, device=X.device) and
    take one train_step on those rows. ``lr`` is a number, or a function of the step
    number (0, 1, ...) giving that step's learning rate (a decay schedule). Returns the
    ``steps`` minibatch losses (floats); params are updated in place. progress=True
    shows a tqdm progress bar (for a person at a terminal; checks leave it off).
    """
    # TODO 5: for each step draw a minibatch with the generator, look up this step's
    #   learning rate, take one train_step and keep its loss
    # Hint: callable(lr) tells a schedule from a number.
    raise NotImplementedError("lesson 06, TODO 5: for each step draw a minibatch with the generator, look up this step's learning rate, take one train_step and keep its loss")
