"""Correct but unusual ways to write lesson 08 (splits.py); see tests/test_alternatives.py."""

EVALUATE = ("    with torch.no_grad():\n        logits = forward(params, X)  # (n, vocab_size)\n"
            "        loss = F.cross_entropy(logits, Y)\n    return loss.item()\n")

ALTERNATIVES = {
    "split_sorted_indices": {
        "todo": 1,
        "old": "    shuffled = list(words)  # a copy: the caller's list keeps its order\n"
               "    random.Random(seed).shuffle(shuffled)\n",
        "new": "    order = list(range(len(words)))\n"
               "    random.Random(seed).shuffle(order)\n"
               "    shuffled = [words[i] for i in order]\n"},
    "evaluate_inference_mode": {
        "todo": 3,
        "old": EVALUATE,
        "new": "    with torch.inference_mode():\n"
               "        return float(F.cross_entropy(forward(params, X), Y))\n"},
    "evaluate_detached_params": {
        "todo": 3,
        "old": EVALUATE,
        "new": "    frozen = {k: v.detach() for k, v in params.items()}\n"
               "    return F.cross_entropy(forward(frozen, X), Y).item()\n"},
    "evaluate_decorated_helper": {
        "todo": 3,
        "old": EVALUATE,
        "new": "    return _loss(params, X, Y)\n\n\n"
               "@torch.no_grad()\n"
               "def _loss(params, X, Y):\n"
               "    return F.cross_entropy(forward(params, X), Y).item()\n"},
}
