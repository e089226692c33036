"""Typical mistakes for lesson 03 (embedding.py); see tests/test_mutants.py.

Kinds of checks (README, "Kinds of checks every lesson has"; tests/test_check_kinds.py):

| kind | covered by |
|---|---|
| randomness | TODO 1: init_embedding with seeds 42 and 2147483647 |
| generality | TODO 1 other table sizes; TODO 2, TODO 3: X of shape (), (4,), (2, 2, 3) and (0, 3), n_embd 2, 4, 5, tables of 5 and 27 rows, float64 |
| inputs | TODO 2, TODO 3: embed and embed_onehot through call_unmodified |
| gradients | TODO 2, TODO 3: the gradient of the embedding reaches C (call_with_grad) |
| range | n/a: indexing and one-hot products have no overflow to guard against |
| figures | n/a: no figure |
| devices | TODO 3: the one-hot matrix is made on X's device (strict mutant) |
"""

MUTANTS = {
    "uniform_instead_of_normal": dict(
        todo=1,
        old="return torch.randn((vocab_size, n_embd), generator=generator)",
        new="return torch.rand((vocab_size, n_embd), generator=generator)",
        hint="torch.rand draws uniformly"),
    "generator_ignored": dict(
        todo=1, kind="randomness",
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
    # ---- kinds of checks: mistakes a wrong program could pass by
    "generator_of_its_own": dict(
        todo=1, kind="randomness",
        old="return torch.randn((vocab_size, n_embd), generator=generator)",
        new="return torch.randn((vocab_size, n_embd),\n"
            "                       generator=torch.Generator().manual_seed(2147483647))",
        hint="does not change with the generator's seed"),
    "table_of_27_rows": dict(
        todo=1, kind="generality",
        old="return torch.randn((vocab_size, n_embd), generator=generator)",
        new="return torch.randn((27, n_embd), generator=generator)",
        hint="the shape is (vocab_size, n_embd)"),
    "columns_without_transpose": dict(  # C[:, X], not only C.T[:, X]
        todo=2,
        old="return C[X]\n",
        new="return C[:, X]\n",
        hint="C[:, X] picks columns"),
    "embed_misnamed": dict(  # the failure says the function is missing
        todo=2,
        old="def embed(C: torch.Tensor",
        new="def embedd(C: torch.Tensor",
        hint="has no function embed(): it may have been renamed"),
    "embedding_for_2d_indices_only": dict(
        todo=2, kind="generality",
        old="return C[X]\n",
        new="return C[X.reshape(-1)].view(X.shape[0], X.shape[1], -1)\n",
        hint="X may have any number of dimensions"),
    "embedding_outside_the_graph": dict(
        todo=2, kind="gradients",
        old="return C[X]\n",
        new="with torch.no_grad():\n        return C[X]\n",
        hint="no gradient reaches C"),
    "one_hot_without_cast": dict(  # a dtype error gets the cast hint
        todo=3,
        old="F.one_hot(X, num_classes=C.shape[0]).to(C.dtype)",
        new="F.one_hot(X, C.shape[0])",
        hint="cast them to C's dtype"),
    "one_hot_of_27_classes": dict(  # a shape error gets the num_classes hint
        todo=3, kind="generality",
        old="F.one_hot(X, num_classes=C.shape[0])",
        new="F.one_hot(X, 27)",
        hint="a fixed 27 only fits names.txt"),
    "one_hot_scattered_into_x": dict(
        todo=3, kind="inputs",
        old="onehot = F.one_hot(X, num_classes=C.shape[0]).to(C.dtype)",
        new="onehot = torch.zeros(X.shape + (C.shape[0],), dtype=C.dtype, device=C.device)\n"
            "    onehot.scatter_(-1, X.unsqueeze_(-1), 1)",
        hint="changed its argument X in place"),
    "identity_rows_on_the_default_device": dict(
        todo=3, kind="devices", device="strict",
        old="onehot = F.one_hot(X, num_classes=C.shape[0]).to(C.dtype)",
        new="onehot = torch.eye(C.shape[0], dtype=C.dtype)[X]",
        hint="mixes tensors on different devices"),
}
