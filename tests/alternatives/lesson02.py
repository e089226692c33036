"""Correct but unusual ways to write lesson 02 (dataset.py); see tests/test_alternatives.py."""

ALTERNATIVES = {
    "deque_window": dict(
        todo=1,
        old="    X, Y = [], []\n    for w in words:\n",
        new="    from collections import deque\n"
            "    X, Y = [], []\n"
            "    for w in words:\n"
            "        window = deque([0] * block_size, maxlen=block_size)\n"
            "        for ch in w + '.':\n"
            "            X.append(list(window))\n"
            "            Y.append(stoi[ch])\n"
            "            window.append(stoi[ch])\n"
            "    return (torch.tensor(X, dtype=torch.int64).view(len(Y), block_size),\n"
            "            torch.tensor(Y, dtype=torch.int64))\n"
            "    for w in words:\n"),
    "unfold_per_word": dict(
        todo=1,
        old="    X, Y = [], []\n    for w in words:\n",
        new="    xs, ys = [torch.zeros((0, block_size), dtype=torch.int64)], "
            "[torch.zeros(0, dtype=torch.int64)]\n"
            "    for w in words:\n"
            "        seq = torch.tensor([0] * block_size + [stoi[c] for c in w] + [0])\n"
            "        xs.append(seq.unfold(0, block_size, 1)[:-1])\n"
            "        ys.append(seq[block_size:])\n"
            "    return torch.cat(xs), torch.cat(ys)\n"
            "    X, Y = [], []\n    for w in words:\n"),
}
