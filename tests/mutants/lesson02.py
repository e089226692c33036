"""Typical mistakes for lesson 02 (dataset.py); see tests/test_mutants.py."""

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
}
