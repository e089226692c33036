"""Which file of a submission is the lesson's module, and which files travel with it.

The candidates are the files named like the module (near misses included, see
:mod:`autograder.grading.names`); the lesson's notebook counts only where no ``.py`` file
does. Of several candidates the rule is: the one the student edited (not byte for byte
the lesson's skeleton), then the shallowest, then the exact name, then path order; the
choice is reported in the notes. The chosen module's *siblings* (the other ``.py`` files
of its folder) are copied beside it, so that ``from utils import f`` works in the
sandbox; the lesson's module is still the one graded.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from autograder.grading import reading
from autograder.grading.kinds import Note, NoteKind, Problem
from autograder.grading.names import is_test_file, near_module

MAX_SIBLINGS = 32  # other .py files copied beside the module


@dataclass
class Candidate:
    """A file that may be the module, as read."""

    rel: str  # readable relative path
    depth: int
    exact: bool
    data: bytes | None
    problem: Problem | None


def choose(found: list[Candidate], module: str, skeleton: bytes | None,
           notes: list[str]) -> Candidate:
    """The stated rule: edited over untouched skeleton, then shallowest, then exact name,
    then path order. Records the choice in ``notes``."""
    def untouched(f: Candidate) -> bool:
        return (skeleton is not None and f.data is not None
                and f.data.replace(b"\r\n", b"\n").strip() == skeleton.replace(b"\r\n", b"\n").strip())

    ranked = sorted(found, key=lambda f: (untouched(f), f.data is None, f.depth, not f.exact, f.rel))
    chosen = ranked[0]
    if len(found) > 1:
        others = ", ".join(f.rel + (" (the untouched skeleton)" if untouched(f) else "")
                           for f in ranked[1:6])
        why = "edited, " if any(untouched(f) for f in ranked[1:]) and not untouched(chosen) else ""
        notes.append(Note(NoteKind.CHOICE,
                          f"graded {chosen.rel} ({why}rule: the edited file, then the shallowest, "
                          f"then the exact name); not graded: {others}", chosen.rel))
    elif not chosen.exact:
        notes.append(Note(NoteKind.NEAR_MISS, f"graded {chosen.rel} as {module}.py", chosen.rel))
    return chosen


def candidates_in(folder: Path, module: str) -> tuple[list[Path], list[Path], list[Path]]:
    """(module candidates, other .py files, symbolic links met) under ``folder``; the
    lesson's notebook counts as a candidate only where no .py file is one."""
    named, others, links, notebooks = [], [], [], []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for d in dirnames:
            if os.path.islink(os.path.join(dirpath, d)):
                links.append(Path(dirpath) / d)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__MACOSX"))
                             and d != "__pycache__"
                             and not os.path.islink(os.path.join(dirpath, d)))
        for name in sorted(filenames):
            if os.path.islink(os.path.join(dirpath, name)):
                links.append(Path(dirpath) / name)
                continue
            if is_test_file(name):
                continue
            if near_module(name, module) is not None:
                named.append(Path(dirpath) / name)
            elif name.endswith(".py"):
                others.append(Path(dirpath) / name)
            elif name == f"{module}.ipynb" and reading.notebook_support() is not None:
                notebooks.append(Path(dirpath) / name)
    if not named and not others:
        named = notebooks
    return named, others, links


def siblings_beside(files: dict[str, bytes], module: str, chosen: str) -> dict[str, bytes]:
    """The other ``.py`` files of the chosen module's folder (``rel`` paths to bytes), by
    plain file name: those the module can import. At most :data:`MAX_SIBLINGS`."""
    folder = chosen.rpartition("/")[0]
    out = {}
    for rel, data in sorted(files.items()):
        if rel == chosen or rel.rpartition("/")[0] != folder:
            continue
        name = rel.rpartition("/")[2]
        if (name.endswith(".py") and not is_test_file(name) and near_module(name, module) is None
                and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*\.py", name) and len(out) < MAX_SIBLINGS):
            out[name] = data
    return out
