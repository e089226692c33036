"""Lesson 05: the output layer, softmax and the negative log likelihood loss.

The hidden layer h of lesson 04 (shape (n, n_hidden)) goes through one more linear
layer to give the logits, one score per character: shape (n, vocab_size). Softmax
turns each row of logits into probabilities (exponentiate, then divide by the row
sum), and the loss is the average negative log probability of the correct next
characters Y. Written naively, exp overflows for large logits; subtracting each row's
maximum first gives the same answer and stays finite. The result is what
F.cross_entropy(logits, Y) computes in one call.

Fill in the TODOs, then check your work with:  pytest lessons/05
"""

from __future__ import annotations

import torch


def output_layer(h: torch.Tensor, W2: torch.Tensor, b2: torch.Tensor) -> torch.Tensor:
    """The logits: one score per character for every example.

    h: (n, n_hidden) hidden activations. W2: (n_hidden, vocab_size). b2: (vocab_size,).
    Returns logits of shape (n, vocab_size): logits[i] = h[i] @ W2 + b2.
    """
    # TODO 1: multiply h by W2 and add the bias b2 (broadcast over the rows)
    raise NotImplementedError('lesson 05, TODO 1: multiply h by W2 and add the bias b2 (broadcast over the rows)')


def softmax(logits: torch.Tensor) -> torch.Tensor:
    """Probabilities from logits, row by row, written out by hand.

    logits: (n, vocab_size). Returns probs of the same shape: counts = exp(logits),
    then each row divided by its own sum, so every row of probs sums to 1.
    """
    # TODO 2: exponentiate the logits, then divide every row by its own sum
    # Hint: sum(1, keepdim=True) has shape (n, 1), which broadcasts along each row.
    raise NotImplementedError('lesson 05, TODO 2: exponentiate the logits, then divide every row by its own sum')


def nll_loss(logits: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
    """The average negative log likelihood of the targets, by hand.

    logits: (n, vocab_size). Y: (n,) integer targets. Returns a scalar tensor (shape ()):
    minus the mean over the n examples of log probs[i, Y[i]], where probs = softmax(logits).
    Equals F.cross_entropy(logits, Y) for ordinary logits.
    """
    # TODO 3: pick probs[i, Y[i]] for every row i, then take minus the mean of their logs
    # Hint: probs[torch.arange(n), Y] picks one entry per row; create the arange on
    #   Y's device.
    raise NotImplementedError('lesson 05, TODO 3: pick probs[i, Y[i]] for every row i, then take minus the mean of their logs')


def stable_softmax(logits: torch.Tensor) -> torch.Tensor:
    """Softmax that never overflows: subtract each row's maximum before exp.

    logits: (n, vocab_size). Returns probs of the same shape, equal to softmax(logits)
    for ordinary logits and finite (rows summing to 1) even for logits of +-1000.
    """
    # TODO 4: subtract each row's largest logit, then exponentiate and normalise
    # Hint: logits.max(1, keepdim=True).values is the (n, 1) column of row maxima;
    #   the largest entry of each row becomes exp(0) = 1, so no row can overflow.
    raise NotImplementedError("lesson 05, TODO 4: subtract each row's largest logit, then exponentiate and normalise")


def stable_nll_loss(logits: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
    """The NLL loss computed with log-probabilities, finite for any finite logits.

    logits: (n, vocab_size). Y: (n,) integer targets. Returns a scalar tensor (shape ()).
    log probs[i, j] = logits[i, j] - logsumexp(logits[i]), where
    logsumexp(row) = m + log(sum(exp(row - m))) with m the row's maximum. Equals
    F.cross_entropy(logits, Y), also when a probability is too small for float32.
    """
    # TODO 5: compute each row's log-sum-exp with its maximum subtracted, then average
    #   logsumexp - logits[i, Y[i]] over the rows
    # Hint: log(stable_softmax(...)) is not enough: a probability of exp(-200) rounds
    #   to 0 in float32 and its log is -inf. Stay with log-probabilities throughout.
    raise NotImplementedError("lesson 05, TODO 5: compute each row's log-sum-exp with its maximum subtracted, then average logsumexp - logits[i, Y[i]] over the rows")


if __name__ == "__main__":
    print("Fill in the TODOs of this file, then check them from the course folder "
          "with:  pytest lessons/05")
