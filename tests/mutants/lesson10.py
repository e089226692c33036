"""Typical mistakes for lesson 10 (sampling.py); see tests/test_mutants.py.

Kinds of checks (README, "Kinds of checks every lesson has"; tests/test_check_kinds.py):

| kind | covered by |
|---|---|
| randomness | TODO 2: generators seeded 5 and 6 (and 1, 2 on names.txt), each against the trusted loop run with the same seed (sample_global_generator) |
| generality | TODO 1: block sizes 1, 2, 4, 5, vocabularies '.ABC' and of 6 symbols ('.', 'x', '7', 'Q', 'é', '-') (probs_context_reversed); TODO 2: the same, and n = 0 (sample_context_not_reset) |
| inputs | TODO 2: sample leaves params and itos unchanged (call_unmodified; sample_blanks_the_dot); the contexts are the student's own lists |
| gradients | TODO 1, the other way round: the probabilities carry no graph (call_with_grad; probs_without_no_grad) |
| range | n/a: softmax is F.softmax for the student; the hand-made model has logits up to 60, which a hand-written exp would still survive |
| figures | n/a: no figure |
| devices | TODO 1: X must be made on the parameters' device (probs_device_forgotten, strict); TODO 2 runs the trusted loop on the lesson's device, so a CUDA run compares CUDA draws with CUDA draws |

Not in the catalogue, and why: a loop that never slides its context draws from
P(next | '...') forever, and a trained model almost never ends a name there (about
1000 characters per name), so the names.txt checks would take seconds per mutant run.
The hand-made check names it ("it stayed all dots": 'AAAA...' until the 1-in-1000 '.').
"""

MUTANTS = {
    "probs_without_no_grad": dict(
        todo=1, kind="gradients",
        old="    with torch.no_grad():\n        X = torch.tensor([context]",
        new="    if True:\n        X = torch.tensor([context]",
        hint="compute the probabilities under torch.no_grad()"),
    "probs_softmax_over_batch": dict(
        todo=1,
        old="return F.softmax(logits, dim=1)[0]",
        new="return F.softmax(logits, dim=0)[0]",
        hint="over the characters (dim=1)"),
    "probs_are_logits": dict(
        todo=1,
        old="return F.softmax(logits, dim=1)[0]",
        new="return logits[0]",
        hint="F.softmax(logits, dim=1)"),
    "probs_row_not_taken": dict(
        todo=1,
        old="return F.softmax(logits, dim=1)[0]",
        new="return F.softmax(logits, dim=1)",
        hint="row 0 of the (1, vocab_size) probabilities"),
    "probs_context_reversed": dict(
        todo=1, kind="generality",
        old="X = torch.tensor([context], dtype",
        new="X = torch.tensor([context[::-1]], dtype",
        hint="the context is oldest first"),
    "probs_device_forgotten": dict(
        todo=1, kind="devices",
        old="torch.tensor([context], dtype=torch.int64, device=params[\"C\"].device)",
        new="torch.tensor([context], dtype=torch.int64)",
        hint="create X on the parameters' device",
        device="strict"),
    "sample_argmax": dict(
        todo=2,
        old="ix = torch.multinomial(probs, num_samples=1, generator=generator).item()",
        new="ix = probs.argmax().item()",
        hint="not argmax"),
    "sample_global_generator": dict(
        todo=2, kind="randomness",
        old="ix = torch.multinomial(probs, num_samples=1, generator=generator).item()",
        new="ix = torch.multinomial(probs, num_samples=1).item()",
        hint="pass generator=generator to torch.multinomial"),
    "sample_context_front": dict(
        todo=2,
        old="context = context[1:] + [ix]",
        new="context = [ix] + context[:-1]",
        hint="dropping its oldest (first) index"),
    "sample_keeps_the_dot": dict(
        todo=2,
        old="            if ix == 0:\n                break\n            out.append(itos[ix])\n",
        new="            out.append(itos[ix])\n            if ix == 0:\n                break\n",
        hint="a name ends at the first '.'"),
    "sample_blanks_the_dot": dict(
        todo=2, kind="inputs",
        old="            if ix == 0:\n                break\n            out.append(itos[ix])\n",
        new=("            itos[0] = ''  # the '.' adds nothing to a name\n"
             "            out.append(itos[ix])\n            if ix == 0:\n                break\n"),
        hint="don't change the caller's itos"),
    "sample_context_not_reset": dict(
        todo=2, kind="generality",
        old="    names = []\n    for _ in range(n):\n        context = [0] * block_size  # start",
        new="    names = []\n    context = [0] * block_size\n    for _ in range(n):\n"
            "        context = context  # start",
        hint="start every name from the context [0] * block_size"),
}
