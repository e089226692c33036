"""Typical mistakes for lesson 04 (hidden.py); see tests/test_mutants.py."""

MUTANTS = {
    "view_on_the_wrong_axis_order": {
        "todo": 1,
        "old": "return emb.view(emb.shape[0], -1)\n",
        "new": "return emb.transpose(1, 2).reshape(emb.shape[0], -1)\n",
        "hint": "the wrong order"},
    "flatten_copies": {
        "todo": 1,
        "old": "return emb.view(emb.shape[0], -1)\n",
        "new": "return emb.reshape(emb.shape[0], -1).clone()\n",
        "hint": "does not share storage"},
    "flatten_with_fixed_sizes": {
        "todo": 1,
        "old": "return emb.view(emb.shape[0], -1)\n",
        "new": "return emb.view(emb.shape[0], 6)\n",
        "hint": "not always 3 and 2"},
    "three_slices_only": {
        "todo": 2,
        "old": "return torch.cat(torch.unbind(emb, 1), 1)",
        "new": "return torch.cat([emb[:, 0], emb[:, 1], emb[:, 2]], 1)",
        "hint": "three hand-written slices"},
    "concatenated_along_rows": {
        "todo": 2,
        "old": "return torch.cat(torch.unbind(emb, 1), 1)",
        "new": "return torch.cat(torch.unbind(emb, 1), 0)",
        "hint": "along dimension 0"},
    "concat_is_a_view": {
        "todo": 2,
        "old": "return torch.cat(torch.unbind(emb, 1), 1)",
        "new": "return emb.view(emb.shape[0], -1)",
        "hint": "this TODO builds the copy"},
    "no_tanh": {
        "todo": 3,
        "old": "return torch.tanh(emb_flat @ W1 + b1)",
        "new": "return emb_flat @ W1 + b1",
        "hint": "apply the non-linearity"},
    "no_bias": {
        "todo": 3,
        "old": "return torch.tanh(emb_flat @ W1 + b1)",
        "new": "return torch.tanh(emb_flat @ W1)",
        "hint": "add the bias b1"},
    "sigmoid_instead_of_tanh": {
        "todo": 3,
        "old": "return torch.tanh(emb_flat @ W1 + b1)",
        "new": "return torch.sigmoid(emb_flat @ W1 + b1)",
        "hint": "not sigmoid"},
    "strides_reversed": {
        "todo": 4,
        "old": "return tuple(reversed(strides))",
        "new": "return tuple(strides)",
        "hint": "the LAST dimension has stride 1"},
    "strides_include_own_size": {
        "todo": 4,
        "old": "        strides.append(step)\n        step *= size\n",
        "new": "        step *= size\n        strides.append(step)\n",
        "hint": "AFTER dimension d"},
    "compares_first_elements": {
        "todo": 5,
        "old": "return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()",
        "new": "return a.data_ptr() == b.data_ptr()",
        "hint": "starts later in the same storage"},
    "compares_objects": {
        "todo": 5,
        "old": "return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()",
        "new": "return a is b",
        "hint": "not the objects"},
    "compares_values": {
        "todo": 5,
        "old": "return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()",
        "new": "return a.numel() == b.numel() and torch.equal(a.reshape(-1), b.reshape(-1))",
        "hint": "equal values do not mean shared memory"},
    "reshape_always_copies": {
        "todo": 6,
        "old": '"t.reshape(6, 4)": True,',
        "new": '"t.reshape(6, 4)": False,',
        "hint": "reshape returns a view whenever"},
    "advanced_indexing_is_a_view": {
        "todo": 6,
        "old": '"t[:, [0, 2]]": False,',
        "new": '"t[:, [0, 2]]": True,',
        "hint": "advanced indexing"},
}
