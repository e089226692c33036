"""File names as a person reads them, and which names count as the lesson's module.

Names are readable: bytes that are not UTF-8 (what ``unzip`` leaves for a zip made on
Windows) are read as cp1252, and every name is normalised to NFC (a name from a macOS zip
and the same name typed on Linux are one name). Near-miss names count as the module:
another case (``Embedding.PY``), a copy suffix (``embedding (1).py``, ``embedding-1.py``,
``embedding copy.py``) and an editor's ``.txt`` (``embedding.py.txt``).
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path


def readable(name: str | bytes) -> str:
    """A file name as a person reads it: undecodable bytes (Python keeps them as
    surrogates) decoded as cp1252 where possible, Latin-1 otherwise, then NFC."""
    raw = os.fsencode(name) if isinstance(name, str) else name
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
    return unicodedata.normalize("NFC", text)


def display(path: Path) -> str:
    return readable(str(path))


_COPY = re.compile(r"(?:\s*\(\d+\)|-\d+|_\d+|\s+copy(?:\s*\d+)?|\s*-\s*copy)$", re.I)


def module_stem(name: str) -> tuple[str, bool] | None:
    """(stem, exact) when ``name`` is a Python file name, allowing ``.PY`` and an editor's
    ``.txt`` (``x.py.txt``); None otherwise. ``exact`` is False for near misses."""
    low = readable(name)
    exact = True
    if low.lower().endswith(".txt"):
        low, exact = low[:-4], False
    if not low.lower().endswith(".py"):
        return None
    if not low.endswith(".py"):
        exact = False
    return low[:-3], exact


def near_module(name: str, module: str) -> bool | None:
    """True if ``name`` is exactly ``<module>.py``, False if a near miss of it (case,
    copy suffix, ``.txt``), None if it is not the module."""
    found = module_stem(name)
    if found is None:
        return None
    stem, exact = found
    if stem == module and exact:
        return True
    base = _COPY.sub("", stem).strip()
    return False if base.lower() == module.lower() else None


def is_test_file(name: str) -> bool:
    """A test, conftest or hidden file: never a candidate module, never a sibling."""
    return name.startswith(("test_", "conftest", ".")) or name.endswith("_test.py")
