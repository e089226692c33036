"""Lesson 10: sampling names from the trained MLP.

The network gives, for any context of block_size characters, a probability for each
possible next character. To make up a name, start from a context of dots, draw the
next character from those probabilities, slide the context window by one (drop the
oldest character, append the new one) and repeat until the model draws '.'. A
trained model gives name-like strings of about the training names' length; an
untrained one gives random letters.

Fill in the TODOs, then check your work with:  pytest lessons/10
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from autograder.given.lesson06_training import forward


def next_char_probs(params: dict[str, torch.Tensor], context: list[int]) -> torch.Tensor:
    """The model's probabilities for the character after ``context``.

    params: lesson 06's {"C", "W1", "b1", "W2", "b2"}. context: block_size indices
    (the oldest first). Returns probs of shape (vocab_size,), float, summing to 1: the
    softmax of forward(params, X) for the one-row batch X = [context], computed without
    building a graph (torch.no_grad()), with X created on the parameters' device.
    """
    # TODO 1: run the one context through the model and softmax its logits, without gradients
    # Hint: forward takes a batch, shape (n, block_size): make X = torch.tensor([context],
    #   device=params["C"].device), then take row 0 of the (1, vocab_size) probabilities.
    raise NotImplementedError('lesson 10, TODO 1: run the one context through the model and softmax its logits, without gradients')


def sample(params: dict[str, torch.Tensor], itos: dict[int, str], block_size: int, n: int,
           generator: torch.Generator) -> list[str]:
    """Draw ``n`` names from the model, each without its final '.'.

    Each name starts from the context [0] * block_size (all dots). Repeatedly: probs =
    next_char_probs(params, context); ix = torch.multinomial(probs, num_samples=1,
    generator=generator).item() (one draw per character, the only use of the
    generator); stop at the first ix == 0 ('.'); otherwise append itos[ix] and slide the
    context: context[1:] + [ix]. Returns a list of n strings (n may be 0).
    """
    # TODO 2: for each name, draw characters with torch.multinomial and slide the context
    #   until '.' comes out
    # Hint: the same generator, passed to every torch.multinomial call, makes the names
    #   reproducible; the '.' that ends a name is not part of it.
    raise NotImplementedError("lesson 10, TODO 2: for each name, draw characters with torch.multinomial and slide the context until '.' comes out")


if __name__ == "__main__":
    print("Fill in the TODOs of this file, then check them from the course folder "
          "with:  pytest lessons/10")
