"""Typical mistakes for lesson 08 (splits.py); see tests/test_mutants.py.

Kinds of checks (README, "Kinds of checks every lesson has"; tests/test_check_kinds.py):

| kind | covered by |
|---|---|
| randomness | n/a: no function takes a torch.Generator; split_words' integer seed is still checked with seeds 7 and 42 (split_seed_fixed, split_global_random) and split_datasets must pass it on (datasets_seed_not_passed) |
| generality | TODO 1: 0, 1, 3 and 10 words; TODO 2: block sizes 1, 2, 4, 5, a '.ABC' vocabulary, an empty dev part (datasets_block_size_fixed); TODO 3: vocabulary 4, block_size 4, n_embd 5 |
| inputs | TODO 3: evaluate leaves the parameters unchanged (call_unmodified; evaluate_trains, evaluate_requires_grad_off); split_words' check gets the caller's list back through call_repeatedly and compares its order (split_shuffles_callers_list) |
| gradients | TODO 3, the other way round: evaluate builds no graph and leaves no .grad (call_with_grad; evaluate_backward, evaluate_returns_tensor), and autograd saves nothing for backward while it runs, though .item() would drop the graph (call_counting_saved; evaluate_enable_grad, evaluate_graph_dropped) |
| range | n/a: the loss is F.cross_entropy's, no hand-written formula |
| figures | n/a: no figure |
| devices | n/a: every check also runs under strict devices, but evaluate creates no tensor and the splits take no tensor, so no device mistake is possible here |
"""

MUTANTS = {
    "split_shuffles_callers_list": dict(
        todo=1,
        old="shuffled = list(words)  # a copy",
        new="shuffled = words  # a copy",
        hint="shuffles the caller's list in place"),
    "split_without_shuffle": dict(
        todo=1,
        old="    random.Random(seed).shuffle(shuffled)\n",
        new="",
        hint="shuffle a copy of the words before cutting"),
    "split_seed_fixed": dict(
        todo=1,
        old="random.Random(seed).shuffle(shuffled)",
        new="random.Random(42).shuffle(shuffled)",
        hint="not a fixed 42"),
    "split_global_random": dict(
        todo=1,
        old="random.Random(seed).shuffle(shuffled)",
        new="random.shuffle(shuffled)",
        hint="not a fixed 42 or the global random module"),
    "split_rounded": dict(
        todo=1,
        old="n2 = int(0.9 * len(shuffled))",
        new="n2 = round(0.9 * len(shuffled))",
        hint="not round()"),
    "split_dev_test_swapped": dict(
        todo=1,
        old="return shuffled[:n1], shuffled[n1:n2], shuffled[n2:]",
        new="return shuffled[:n1], shuffled[n2:], shuffled[n1:n2]",
        hint="in the order train, dev, test"),
    "datasets_seed_not_passed": dict(
        todo=2,
        old="train, dev, test = split_words(words, seed)",
        new="train, dev, test = split_words(words)",
        hint="pass the seed on"),
    "datasets_dev_test_swapped": dict(
        todo=2,
        old='"dev": build_dataset(dev, block_size, stoi),\n'
            '            "test": build_dataset(test, block_size, stoi)}',
        new='"dev": build_dataset(test, block_size, stoi),\n'
            '            "test": build_dataset(dev, block_size, stoi)}',
        hint="the dev and test parts are swapped"),
    "datasets_block_size_fixed": dict(
        todo=2, kind="generality",
        old='"train": build_dataset(train, block_size, stoi)',
        new='"train": build_dataset(train, 3, stoi)',
        hint="pass block_size on"),
    "evaluate_returns_tensor": dict(
        todo=3, kind="gradients",
        old="    return loss.item()\n",
        new="    return loss\n",
        hint="return loss.item(), a Python float"),
    "evaluate_backward": dict(
        todo=3, kind="gradients",
        old="    with torch.no_grad():\n        logits = forward(params, X)  # (n, vocab_size)\n"
            "        loss = F.cross_entropy(logits, Y)\n",
        new="    logits = forward(params, X)  # (n, vocab_size)\n"
            "    loss = F.cross_entropy(logits, Y)\n    loss.backward()\n",
        hint="must not call backward()"),
    "evaluate_enable_grad": dict(
        todo=3, kind="gradients",
        old="    with torch.no_grad():\n        logits = forward(params, X)  # (n, vocab_size)\n",
        new="    with torch.enable_grad():\n        logits = forward(params, X)  # (n, vocab_size)\n",
        hint="wrap forward and the loss in torch.no_grad()"),
    "evaluate_graph_dropped": dict(
        todo=3, kind="gradients",
        old="    with torch.no_grad():\n        logits = forward(params, X)  # (n, vocab_size)\n"
            "        loss = F.cross_entropy(logits, Y)\n",
        new="    logits = forward(params, X)  # (n, vocab_size)\n"
            "    loss = F.cross_entropy(logits, Y)\n",
        hint="a graph was built, then dropped by .item()"),
    "evaluate_trains": dict(
        todo=3, kind="inputs",
        old="    with torch.no_grad():\n        logits = forward(params, X)  # (n, vocab_size)\n"
            "        loss = F.cross_entropy(logits, Y)\n    return loss.item()\n",
        new="    from autograder.given.lesson06_training import train_step\n"
            "    return train_step(params, X, Y, 0.1)\n",
        hint="evaluating is not training"),
    "evaluate_requires_grad_off": dict(
        todo=3, kind="inputs",
        old="    with torch.no_grad():\n        logits = forward(params, X)  # (n, vocab_size)\n",
        new="    for p in params.values():\n        p.requires_grad_(False)\n"
            "    if True:\n        logits = forward(params, X)  # (n, vocab_size)\n",
        hint="don't switch requires_grad off"),
    "evaluate_sum": dict(
        todo=3,
        old="loss = F.cross_entropy(logits, Y)\n    return",
        new="loss = F.cross_entropy(logits, Y, reduction='sum')\n    return",
        hint="don't sum"),
    "verdict_absolute_gap": dict(
        todo=4,
        old="if dev_loss - train_loss > tolerance:",
        new="if abs(dev_loss - train_loss) > tolerance:",
        hint="not its absolute value"),
    "verdict_fixed_tolerance": dict(
        todo=4,
        old="if dev_loss - train_loss > tolerance:",
        new="if dev_loss - train_loss > 0.1:",
        hint="not a fixed 0.1"),
    "verdict_at_least": dict(
        todo=4,
        old="if dev_loss - train_loss > tolerance:",
        new="if dev_loss - train_loss >= tolerance:",
        hint="exactly the tolerance is not more than the tolerance"),
    "verdict_labels_swapped": dict(
        todo=4,
        old='        return "overfitting"\n    return "underfitting"',
        new='        return "underfitting"\n    return "overfitting"',
        hint="overfitting when dev_loss - train_loss > tolerance"),
}
