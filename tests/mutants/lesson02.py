"""Typical mistakes for lesson 02 (dataset.py); see tests/test_mutants.py.

Kinds of checks (README, "Kinds of checks every lesson has"; tests/test_check_kinds.py):

| kind | covered by |
|---|---|
| randomness | n/a: build_dataset draws nothing at random |
| generality | TODO 1: block sizes 1, 3, 4, 5, a vocabulary other than a-z, no words at all |
| inputs | TODO 1: words and stoi through call_unmodified |
| gradients | n/a: X and Y are integer indices, nothing is differentiated |
| range | n/a: no floating-point arithmetic |
| figures | n/a: no figure |
| devices | n/a: build_dataset takes no tensor, so there is no input device to follow |
"""

MUTANTS = {
    "no_end_token": dict(
        todo=1,
        old='for ch in w + ".":',
        new="for ch in w:",
        hint="end token"),
    "not_padded_with_dots": dict(
        todo=1,
        old="context = [0] * block_size\n",
        new="context = [1] * block_size\n",
        hint="should be all dots"),
    "window_rolled_before_the_example": dict(
        todo=1,
        old="            X.append(context)\n            Y.append(ix)\n"
            "            context = context[1:] + [ix]",
        new="            context = context[1:] + [ix]\n            X.append(context)\n"
            "            Y.append(ix)",
        hint="off-by-one in the rolling window"),
    "window_drops_the_newest": dict(
        todo=1,
        old="context = context[1:] + [ix]",
        new="context = context[:-1] + [ix]",
        hint="drops the wrong end"),
    "float_indices": dict(
        todo=1,
        old="X = torch.tensor(X, dtype=torch.int64)",
        new="X = torch.tensor(X, dtype=torch.float32)",
        hint="indices must be integers"),
    "block_size_fixed_at_three": dict(
        todo=1,
        old="context = [0] * block_size\n",
        new="context = [0] * 3\n",
        hint="not a fixed 3"),
    # ---- kinds of checks: mistakes a wrong program could pass by
    "letters_numbered_from_a": dict(
        todo=1, kind="generality",
        old="ix = stoi[ch]",
        new='ix = 0 if ch == "." else ord(ch) - ord("a") + 1',
        hint="look every character up in the stoi you are given"),
    "no_words_gives_a_flat_x": dict(
        todo=1, kind="generality",
        old="X = torch.tensor(X, dtype=torch.int64).reshape(len(Y), block_size)",
        new="X = torch.tensor(X, dtype=torch.int64)",
        hint="no words give no examples"),
    "end_token_added_to_the_words": dict(
        todo=1, kind="inputs",
        old='    for w in words:\n        context = [0] * block_size\n        for ch in w + ".":',
        new='    for k, w in enumerate(words):\n        words[k] = w = w + "."\n'
            '        context = [0] * block_size\n        for ch in w:',
        hint="build_dataset changed its words or stoi"),
}
