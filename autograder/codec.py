"""Plain data on the wire: how checks and student code exchange values.

Checks never touch a student's objects; they send and receive *plain data* only
(autograder/DESIGN.md, "Checks"): None, bool, int, float, str, list, tuple, dict, torch.Tensor
(any ordinary dtype), torch.Generator, torch.dtype and torch.device.

``encode`` turns such a value into bytes and ``decode`` turns bytes back into a value
built only from those types. There is no pickle anywhere: the format is a JSON tree
plus raw tensor bytes, and the decoder validates every node, so bytes written by a
hostile process can at worst decode to wrong *data*, never to code or to an object
with surprising behaviour (a lying ``__eq__``, a Tensor subclass, ...).

Layout: b"AGC1" | u32 length of the JSON tree | JSON | for each blob: u64 length | bytes
"""

from __future__ import annotations

import json
import math
import struct
import time
from typing import Any

import torch

from autograder.errors import AutograderError

MAGIC = b"AGC1"
MAX_DEPTH = 64
MAX_HEADER = 4 << 20  # bytes of a message's JSON tree (tensor data goes in blobs)
MAX_NODES = 1_000_000  # values in one message (bounds the decoder's memory and time)

# dtypes that may cross; names are those of ``str(dtype)`` without "torch."
DTYPES = {
    name: getattr(torch, name)
    for name in ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
                 "float32", "float64", "complex64", "complex128")
}


class CodecError(AutograderError, TypeError):
    """A value is not plain data, or bytes are not a valid encoding."""


class DecodeTimeout(CodecError):
    """Decoding did not finish before its deadline."""


def describe(value: Any) -> str:
    """A short name for the type of ``value``, for error messages."""
    t = type(value)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


# ---------------------------------------------------------------------------- encode

def encode(value: Any) -> bytes:
    """Bytes for a plain-data value; raises CodecError naming the offending part."""
    blobs: list[bytes] = []
    tree = _enc(value, blobs, "value", 0)
    header = json.dumps(tree, separators=(",", ":")).encode("utf-8")
    parts = [MAGIC, struct.pack("<I", len(header)), header]
    for blob in blobs:
        parts.append(struct.pack("<Q", len(blob)))
        parts.append(blob)
    return b"".join(parts)


def _tensor_bytes(t: torch.Tensor) -> bytes:
    flat = t.reshape(-1)
    if flat.numel() == 0:
        return b""
    return flat.view(torch.uint8).numpy().tobytes()


def _enc(v: Any, blobs: list[bytes], where: str, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise CodecError(f"{where}: nested more than {MAX_DEPTH} levels deep")
    if v is None:
        return ["n"]
    if isinstance(v, bool):
        return ["b", bool(v)]
    if isinstance(v, int):
        return ["i", int(v)]
    if isinstance(v, float):
        x = float(v)
        return ["f", repr(x) if not math.isfinite(x) else x]
    if isinstance(v, str):
        return ["s", str.__str__(v)]
    if isinstance(v, (list, tuple)):
        tag = "l" if isinstance(v, list) else "t"
        if depth < MAX_DEPTH and all(type(x) is str for x in v):  # words: the same nodes, faster
            return [tag, [["s", x] for x in v]]
        return [tag, [_enc(x, blobs, f"{where}[{i}]", depth + 1) for i, x in enumerate(v)]]
    if isinstance(v, dict):
        return ["d", [[_enc(k, blobs, f"{where} key {k!r}", depth + 1),
                       _enc(x, blobs, f"{where}[{k!r}]", depth + 1)] for k, x in v.items()]]
    if isinstance(v, torch.Tensor):
        return _enc_tensor(v, blobs, where)
    if isinstance(v, torch.Generator):
        state = v.get_state()
        blobs.append(_tensor_bytes(state))
        return ["g", str(v.device), len(blobs) - 1, int(v.initial_seed())]
    if isinstance(v, torch.dtype):
        return ["y", str(v).removeprefix("torch.")]
    if isinstance(v, torch.device):
        return ["v", str(v)]
    hint = ""
    if type(v).__module__ == "numpy":
        hint = " (convert it: torch.as_tensor(x) for arrays, int(x) or float(x) for numbers)"
    raise CodecError(f"{where} is a {describe(v)}, which is not plain data{hint}")


def _enc_tensor(v: torch.Tensor, blobs: list[bytes], where: str) -> list:
    if v.device.type == "meta":
        raise CodecError(
            f"{where} is a tensor on the 'meta' device: it was created without device=..., "
            "so it did not follow the inputs. Create new tensors on the device of the "
            "inputs, e.g. torch.zeros(n, device=X.device).")
    if v.layout != torch.strided or v.is_quantized or v.is_nested:
        raise CodecError(f"{where} is a {v.layout} tensor; only ordinary dense tensors cross")
    name = str(v.dtype).removeprefix("torch.")
    if name not in DTYPES:
        raise CodecError(f"{where} has dtype {v.dtype}, which cannot be sent")
    requires_grad = bool(v.requires_grad)
    t = v.detach()
    if type(t) is not torch.Tensor:
        t = t.as_subclass(torch.Tensor)
    t = t.to("cpu").contiguous()
    blobs.append(_tensor_bytes(t))
    return ["T", name, [int(s) for s in t.shape], len(blobs) - 1, requires_grad]


# ---------------------------------------------------------------------------- decode

def decode(data: bytes, deadline: float | None = None, max_nodes: int = MAX_NODES) -> Any:
    """The value encoded in ``data``; raises CodecError if the bytes are malformed.

    At most ``max_nodes`` values are built, and decoding stops with DecodeTimeout once
    ``deadline`` (``time.monotonic()``) passes, so hostile bytes cost bounded memory
    and time. Any failure (deep nesting included) is a CodecError.
    """
    view = memoryview(data)
    if bytes(view[:4]) != MAGIC or len(view) < 8:
        raise CodecError("not an encoded value (bad magic)")
    (n,) = struct.unpack("<I", view[4:8])
    if n > MAX_HEADER:
        raise CodecError(f"the message's structure takes {n} bytes, more than {MAX_HEADER}: "
                         "return big data as tensors")
    try:
        tree = json.loads(bytes(view[8:8 + n]).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CodecError(f"bad header: {exc}") from None
    except RecursionError:
        raise CodecError(f"malformed encoding: nested more than {MAX_DEPTH} levels deep") from None
    blobs: list[memoryview] = []
    pos = 8 + n
    while pos < len(view):
        if pos + 8 > len(view):
            raise CodecError("truncated blob length")
        (size,) = struct.unpack("<Q", view[pos:pos + 8])
        pos += 8
        if pos + size > len(view):
            raise CodecError("truncated blob")
        blobs.append(view[pos:pos + size])
        pos += size
    budget = _Budget(max_nodes, deadline)
    try:
        return _dec(tree, blobs, 0, budget)
    except RecursionError:
        raise CodecError(f"malformed encoding: nested more than {MAX_DEPTH} levels deep") from None
    except (ValueError, OverflowError, MemoryError, RuntimeError) as exc:
        raise CodecError(f"malformed encoding: {type(exc).__name__}: {str(exc)[:200]}") from None


class _Budget:
    """How many more values the decoder may build, and until when."""

    def __init__(self, nodes: int, deadline: float | None):
        self.nodes, self.deadline = nodes, deadline

    def spend(self) -> None:
        self.nodes -= 1
        if self.nodes < 0:
            raise CodecError("malformed encoding: too many values in one message")
        if self.deadline is not None and self.nodes % 4096 == 0 \
                and time.monotonic() > self.deadline:
            raise DecodeTimeout("decoding the message took longer than the time limit")

    def spend_many(self, n: int) -> None:
        """``n`` values at once (and one look at the clock)."""
        self.nodes -= n
        if self.nodes < 0:
            raise CodecError("malformed encoding: too many values in one message")
        if self.deadline is not None and n and time.monotonic() > self.deadline:
            raise DecodeTimeout("decoding the message took longer than the time limit")


def _need(cond: bool, what: str) -> None:
    if not cond:
        raise CodecError(f"malformed encoding: {what}")


def _is_int(x: Any) -> bool:
    return type(x) is int


def _dec(node: Any, blobs: list[memoryview], depth: int, budget: _Budget) -> Any:
    _need(depth <= MAX_DEPTH + 1, "too deep")
    budget.spend()
    _need(type(node) is list and len(node) >= 1 and type(node[0]) is str, "node")
    tag = node[0]
    if tag == "n":
        return None
    if tag == "b":
        _need(len(node) == 2 and type(node[1]) is bool, "bool")
        return node[1]
    if tag == "i":
        _need(len(node) == 2 and _is_int(node[1]), "int")
        return node[1]
    if tag == "f":
        _need(len(node) == 2, "float")
        x = node[1]
        if type(x) is str:
            _need(x in ("nan", "inf", "-inf"), "float literal")
            return float(x)
        _need(type(x) in (int, float), "float")
        return float(x)
    if tag == "s":
        _need(len(node) == 2 and type(node[1]) is str, "str")
        return node[1]
    if tag in ("l", "t"):
        _need(len(node) == 2 and type(node[1]) is list, "sequence")
        if depth <= MAX_DEPTH and all(type(x) is list and len(x) == 2 and x[0] == "s"
                                      and type(x[1]) is str for x in node[1]):
            budget.spend_many(len(node[1]))  # words: what _dec accepts and returns, faster
            items = [x[1] for x in node[1]]
        else:
            items = [_dec(x, blobs, depth + 1, budget) for x in node[1]]
        return items if tag == "l" else tuple(items)
    if tag == "d":
        _need(len(node) == 2 and type(node[1]) is list, "dict")
        out: dict = {}
        for pair in node[1]:
            _need(type(pair) is list and len(pair) == 2, "dict item")
            key = _dec(pair[0], blobs, depth + 1, budget)
            _need(isinstance(key, (type(None), bool, int, float, str, tuple)), "dict key type")
            value = _dec(pair[1], blobs, depth + 1, budget)  # its own errors stay its own
            try:
                hash(key)
            except TypeError:  # a tuple key holding a tensor or a list
                raise CodecError("malformed encoding: unhashable dict key") from None
            out[key] = value
        return out
    if tag == "T":
        return _dec_tensor(node, blobs)
    if tag == "g":
        _need(len(node) == 4 and type(node[1]) is str and _is_int(node[2]) and _is_int(node[3]),
              "generator")
        _need(0 <= node[2] < len(blobs), "generator blob")
        state = torch.frombuffer(bytearray(blobs[node[2]]), dtype=torch.uint8)
        gen = torch.Generator()  # always rebuilt on the CPU; the caller moves it if needed
        try:
            gen.set_state(state)
        except RuntimeError:
            gen.manual_seed(node[3])
        return gen
    if tag == "y":
        _need(len(node) == 2 and node[1] in DTYPES, "dtype")
        return DTYPES[node[1]]
    if tag == "v":
        _need(len(node) == 2 and type(node[1]) is str, "device")
        try:
            return torch.device(node[1])
        except RuntimeError:
            raise CodecError(f"malformed encoding: device {node[1]!r}") from None
    raise CodecError(f"malformed encoding: unknown tag {tag!r}")


def _dec_tensor(node: list, blobs: list[memoryview]) -> torch.Tensor:
    _need(len(node) == 5 and node[1] in DTYPES and type(node[2]) is list
          and _is_int(node[3]) and type(node[4]) is bool, "tensor")
    dtype = DTYPES[node[1]]
    shape = node[2]
    _need(all(_is_int(s) and s >= 0 for s in shape) and len(shape) <= 32, "tensor shape")
    _need(0 <= node[3] < len(blobs), "tensor blob")
    blob = blobs[node[3]]
    numel = math.prod(shape)
    itemsize = torch.empty((), dtype=dtype).element_size()
    _need(len(blob) == numel * itemsize, "tensor size")
    if numel == 0:
        t = torch.empty(shape, dtype=dtype)
    else:
        t = torch.frombuffer(bytearray(blob), dtype=torch.uint8).view(dtype).reshape(shape)
    if node[4] and (dtype.is_floating_point or dtype.is_complex):
        t.requires_grad_(True)
    return t


def roundtrip(value: Any) -> Any:
    """A fresh plain-data copy of ``value`` (what the other side of the wire would see)."""
    return decode(encode(value))
