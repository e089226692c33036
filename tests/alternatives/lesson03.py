"""Correct but unusual ways to write lesson 03 (embedding.py); see tests/test_alternatives.py."""

ALTERNATIVES = {
    "normal_in_place": dict(
        todo=1,
        old="    return torch.randn((vocab_size, n_embd), generator=generator)",
        new="    return torch.empty(vocab_size, n_embd).normal_(generator=generator)"),
    "embedding_function": dict(
        todo=2,
        old="    return C[X]\n",
        new="    return F.embedding(X, C)\n"),
    "index_select": dict(
        todo=2,
        old="    return C[X]\n",
        new="    return C.index_select(0, X.reshape(-1)).view(*X.shape, C.shape[1])\n"),
    "gather": dict(
        todo=2,
        old="    return C[X]\n",
        new="    rows = X.reshape(-1, 1).expand(-1, C.shape[1])  # (numel, n_embd)\n"
            "    return C.gather(0, rows).reshape(*X.shape, C.shape[1])\n"),
    "identity_rows": dict(
        todo=3,
        old="    onehot = F.one_hot(X, num_classes=C.shape[0]).to(C.dtype)",
        new="    onehot = torch.eye(C.shape[0], dtype=C.dtype, device=C.device)[X]"),
    "one_hot_einsum": dict(
        todo=3,
        old="    return onehot @ C",
        new="    return torch.einsum('...v,vd->...d', onehot, C)"),
}
