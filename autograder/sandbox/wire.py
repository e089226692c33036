"""Framed messages over a stream socket: 8-byte length, then a codec-encoded value."""

from __future__ import annotations

import socket
import struct
import time
from typing import Any

from autograder import codec


class WireError(ConnectionError):
    """The peer closed the connection, sent garbage, or was too slow."""


class WireTimeout(WireError):
    pass


def send_bytes(sock: socket.socket, payload: bytes) -> None:
    """Send an already encoded value."""
    sock.sendall(struct.pack("<Q", len(payload)) + payload)


def send(sock: socket.socket, value: Any) -> None:
    send_bytes(sock, codec.encode(value))


def _recv_exact(sock: socket.socket, n: int, deadline: float | None) -> bytes:
    chunks = []
    left = n
    while left:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WireTimeout("timed out")
            sock.settimeout(remaining)
        else:
            sock.settimeout(None)
        try:
            chunk = sock.recv(min(left, 1 << 20))
        except socket.timeout:
            raise WireTimeout("timed out") from None
        except OSError as exc:
            raise WireError(f"connection lost ({exc})") from None
        if not chunk:
            raise WireError("connection closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def recv(sock: socket.socket, deadline: float | None = None, max_bytes: int = 1 << 30) -> Any:
    """The next value, decoded safely; WireTimeout once ``deadline`` (monotonic) passes."""
    (size,) = struct.unpack("<Q", _recv_exact(sock, 8, deadline))
    if size > max_bytes:
        raise WireError(f"message of {size} bytes exceeds the limit of {max_bytes}")
    try:
        return codec.decode(_recv_exact(sock, size, deadline))
    except codec.CodecError as exc:
        raise WireError(f"invalid message: {exc}") from None
