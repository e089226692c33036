"""Making a read module gradable, or saying plainly why not.

- A file saved as UTF-16 or cp1252 is refused with the fix (save it as UTF-8); with
  ``--decode`` it is converted, and the notes say so.
- A module exported from a notebook is graded on its functions: ``!pip ...``,
  ``%matplotlib`` and ``get_ipython()`` lines become ``pass`` (line numbers stay) and
  never run; the notes say which lines were skipped.
- A module that reads a file or trains at import time gets a hint to move that work
  under ``if __name__ == "__main__":``.
"""

from __future__ import annotations

import ast
import codecs
import re
from typing import TYPE_CHECKING

from autograder.grading.kinds import Note, NoteKind, Problem, ProblemKind

if TYPE_CHECKING:
    from autograder.grading.submission import Submission


def encoding_problem(data: bytes, file: str | None = None) -> Problem | None:
    """Why ``data`` (the module ``file``) is not UTF-8 Python source, or None."""
    head = data[:200]
    if re.search(rb"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+", b"\n".join(head.splitlines()[:2]),
                 re.M) and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None  # a PEP 263 declaration: Python reads it itself
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:4096]:
        return Problem(ProblemKind.ENCODING,
                       "the file is saved as UTF-16 (Windows Notepad's \"Unicode\"), not UTF-8: "
                       "save it again choosing the encoding UTF-8 (the grader can convert it: "
                       "--decode)", file)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        return Problem(ProblemKind.ENCODING,
                       f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} at line {line}; "
                       "probably Windows cp1252, an older Windows editor's default): save it "
                       "again choosing the encoding UTF-8 (the grader can convert it: --decode)",
                       file)
    return None


def decode_source(data: bytes) -> tuple[bytes, str]:
    """UTF-16 or cp1252 source re-encoded as UTF-8; the note says what was done."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16").encode("utf-8"), "converted from UTF-16 to UTF-8 (--decode)"
    if b"\x00" in data[:4096]:
        enc = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        return data.decode(enc).encode("utf-8"), "converted from UTF-16 to UTF-8 (--decode)"
    return (data.decode("cp1252", errors="replace").encode("utf-8"),
            "converted from cp1252 to UTF-8 (--decode)")


_IPYTHON = re.compile(rb"^([ \t]*)(?:get_ipython\(\)|[!%][^=].*|[!%]$)", re.M)


def strip_ipython(data: bytes) -> tuple[bytes, list[str]]:
    """Source exported from a notebook with IPython lines (``!pip ...``, ``%matplotlib``,
    ``get_ipython().run_line_magic(...)``) made plain Python: each such line becomes
    ``pass`` (line numbers stay), never run. Returns the source and what was skipped."""
    try:
        ast.parse(data)
        plain = b"get_ipython(" not in data
    except (SyntaxError, ValueError):
        plain = False
    if plain:
        return data, []
    skipped: list[str] = []
    lines = data.split(b"\n")
    for i, line in enumerate(lines):
        m = _IPYTHON.match(line)
        if m and not line.lstrip().startswith(b"#"):
            skipped.append(f"line {i + 1}: {line.strip().decode('utf-8', 'replace')[:60]}")
            lines[i] = m.group(1) + b"pass  # IPython line, not run by the grader"
    return b"\n".join(lines), skipped


_WORK_CALLS = {"open", "read_text", "read_bytes", "readlines", "load", "loadtxt", "read_csv",
               "backward", "step", "train", "fit", "savefig", "show", "input"}


def import_time_work(data: bytes) -> list[str]:
    """Lines of top-level code that read files or train when the module is imported."""
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return []
    found = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import,
                             ast.ImportFrom)):
            continue
        if isinstance(node, ast.If) and "__name__" in ast.dump(node.test):
            continue
        if isinstance(node, (ast.For, ast.While)):
            found.append(f"line {node.lineno}: a loop")
            continue
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call):
                f = sub.func
                name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
                if name in _WORK_CALLS:
                    found.append(f"line {node.lineno}: {name}()")
                    break
    return found


def prepare(sub: Submission, decode: bool = False) -> Submission:
    """Make a read module gradable or say plainly why not: encodings, IPython lines,
    work done at import time (a hint). Changes ``sub`` in place and returns it."""
    if sub.content is None:
        return sub
    file = sub.graded_file
    problem = encoding_problem(sub.content, file)
    if problem and decode:
        sub.content, note = decode_source(sub.content)
        sub.notes.append(Note(NoteKind.DECODED, note, file))
    elif problem:
        sub.content, sub.error = None, problem
        return sub
    sub.content, skipped = strip_ipython(sub.content)
    if skipped:
        sub.notes.append(Note(NoteKind.IPYTHON_LINES,
                              f"{len(skipped)} IPython line{'s' * (len(skipped) != 1)} of a "
                              f"notebook export not run ({'; '.join(skipped[:3])})", file))
    work = import_time_work(sub.content)
    if work:
        sub.notes.append(Note(NoteKind.IMPORT_TIME_WORK,
                              f"work at import time ({', '.join(work[:3])}): put it under "
                              "`if __name__ == \"__main__\":` so that importing the module only "
                              "defines functions", file))
    return sub
