"""Correct but unusual ways to write lesson 01 (bigram.py); see tests/test_alternatives.py.

Each entry is the reference with the text ``old`` replaced by ``new`` (the same format
as tests/mutants/); every check of its TODO must pass on it.
"""

ALTERNATIVES = {
    "vocab_functional": dict(
        todo=1,
        old='    chars = sorted(set("".join(words)))\n    stoi = {ch: i + 1 for i, ch in '
            'enumerate(chars)}\n    stoi["."] = 0\n    itos = {i: ch for ch, i in stoi.items()}',
        new='    itos = dict(enumerate(["."] + sorted(set().union(*words))))\n'
            '    stoi = {ch: i for i, ch in itos.items()}'),
    "pairs_vectorised": dict(
        todo=2,
        old="    xs, ys = [], []\n    for w in words:\n",
        new="    seq = [i for w in words for i in [0, *(stoi[c] for c in w)]] + [0]\n"
            "    t = torch.tensor(seq, dtype=torch.int64, device=device)\n"
            "    if words:\n"
            "        return t[:-1], t[1:]\n"
            "    xs, ys = [], []\n    for w in words:\n"),
    "counts_with_a_loop": dict(
        todo=3,
        old="    return torch.bincount(xs * V + ys, minlength=V * V).view(V, V).to(torch.int32)",
        new="    N = torch.zeros((V, V), dtype=torch.int32)\n"
            "    for a, b in zip(xs.tolist(), ys.tolist()):\n"
            "        N[a, b] += 1\n"
            "    return N"),
    "probs_in_float64": dict(
        todo=4,
        old="    P = (N + smoothing).float()\n    return P / P.sum(1, keepdim=True)",
        new="    P = N.double() + smoothing\n    return (P / P.sum(dim=1, keepdim=True)).float()"),
    "nll_in_float64": dict(
        todo=5,
        old="    return -P[xs, ys].log().mean().item()",
        new="    logs = torch.log(P.double()[xs, ys])\n    return float(-logs.sum() / len(xs))"),
    "sampling_with_a_generator_loop": dict(
        todo=6,
        old="    names = []\n    for _ in range(n):",
        new="    def one() -> str:\n"
            "        out, ix = [], 0\n"
            "        while (ix := torch.multinomial(P[ix], 1, True, generator=generator)"
            ".item()) != 0:\n"
            "            out.append(itos[ix])\n"
            "        return ''.join(out)\n"
            "    return [one() for _ in range(n)]\n"
            "    names = []\n    for _ in range(n):"),
    "training_with_cross_entropy": dict(
        todo=7,
        old="        counts = logits.exp()\n        probs = counts / counts.sum(1, keepdim=True)\n"
            "        loss = -probs[torch.arange(num), ys].log().mean() + reg * (W**2).mean()",
        new="        loss = F.cross_entropy(logits, ys) + reg * W.pow(2).mean()"),
    "heat_map_with_pyplot": dict(
        todo=8,
        old="    fig = Figure(figsize=(16, 16))\n",
        new="    import matplotlib.pyplot as plt\n    fig = plt.figure(figsize=(16, 16))\n"),
}
