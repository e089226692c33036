"""Typical mistakes for lesson 03 (embedding.py); see tests/test_mutants.py."""

MUTANTS = {
    "uniform_instead_of_normal": dict(
        todo=1,
        old="return torch.randn((vocab_size, n_embd), generator=generator)",
        new="return torch.rand((vocab_size, n_embd), generator=generator)",
        hint="torch.rand draws uniformly"),
    "generator_ignored": dict(
        todo=1,
        old="return torch.randn((vocab_size, n_embd), generator=generator)",
        new="return torch.randn((vocab_size, n_embd))",
        hint="generator=generator"),
    "flattened_indices": dict(
        todo=2,
        old="return C[X]\n",
        new="return C[X.reshape(-1)]\n",
        hint="keep the shape of X"),
    "columns_not_rows": dict(
        todo=2,
        old="return C[X]\n",
        new="return C.T[:, X]\n",
        hint="C[:, X] picks columns"),
    "one_hot_without_num_classes": dict(
        todo=3,
        old="F.one_hot(X, num_classes=C.shape[0])",
        new="F.one_hot(X)",
        hint="num_classes=C.shape[0]"),
    "one_hot_cast_to_float32": dict(
        todo=3,
        old="F.one_hot(X, num_classes=C.shape[0]).to(C.dtype)",
        new="F.one_hot(X, num_classes=C.shape[0]).float()",
        hint=".to(C.dtype)"),
}
