"""Finding and reading submissions: module files, folders holding one, and zips.

Only the lesson's module is graded (``embedding.py`` for lesson 03); other ``.py`` files
beside it are copied too, so that it can import its own helper modules. Nothing is ever
extracted: the files' bytes are read and copied into a fresh folder, so ``../`` paths
cannot write anything. No symbolic link is ever followed: a submission that is a link,
or holds one on the way to its module (as unpacking a student's tar or zip can give),
is refused, and files are opened one path component at a time with ``O_NOFOLLOW``, so
nothing outside the submitted tree is read, whatever changes under the grader's feet.

Intake rules (see the README, "For instructors: grading"):

- A class folder's every entry becomes a submission or a printed "skipped" line.
- Near-miss module names count as the module: another case (``Embedding.PY``), a copy
  suffix (``embedding (1).py``, ``embedding-1.py``, ``embedding copy.py``) and an editor's
  ``.txt`` (``embedding.py.txt``).
- Of several candidates the one the student edited (not byte-for-byte the skeleton) wins,
  then the shallowest, then the exact name, then path order; the choice is reported.
- Names are readable: bytes that are not UTF-8 are read as cp1252 (what Windows zip
  tools write), and every name is normalised to NFC.
"""

from __future__ import annotations

import ast
import codecs
import errno
import hashlib
import io
import os
import re
import stat
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

MAX_MODULE_BYTES = 1 << 20
MAX_HELPERS = 32  # other .py files copied beside the module


@dataclass
class Submission:
    student: str
    source: Path
    content: bytes | None = None  # the module's source, when it could be read
    error: str | None = None  # why it could not
    helpers: dict[str, bytes] = field(default_factory=dict)  # other modules beside it
    notes: list[str] = field(default_factory=list)  # what intake did (choice, rewrites)
    entry: str = ""  # the entry as the instructor sees it (readable)


@dataclass
class Intake:
    """What a class folder gave: submissions, entries skipped (with why) and notes."""

    submissions: list[Submission]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
DIRECTORY = getattr(os, "O_DIRECTORY", 0)


# ------------------------------------------------------------------ names

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


def _is_test(name: str) -> bool:
    return name.startswith(("test_", "conftest", ".")) or name.endswith("_test.py")


# ------------------------------------------------------------------ candidates

@dataclass
class _Found:
    rel: str  # readable relative path
    depth: int
    exact: bool
    data: bytes | None
    error: str | None
    helpers: dict[str, bytes]


def _choose(found: list[_Found], module: str, skeleton: bytes | None,
            notes: list[str]) -> _Found:
    """The stated rule: edited over untouched skeleton, then shallowest, then exact name,
    then path order. Records the choice in ``notes``."""
    def untouched(f: _Found) -> bool:
        return (skeleton is not None and f.data is not None
                and f.data.replace(b"\r\n", b"\n").strip() == skeleton.replace(b"\r\n", b"\n").strip())

    ranked = sorted(found, key=lambda f: (untouched(f), f.data is None, f.depth, not f.exact, f.rel))
    chosen = ranked[0]
    if len(found) > 1:
        others = ", ".join(f.rel + (" (the untouched skeleton)" if untouched(f) else "")
                           for f in ranked[1:6])
        why = "edited, " if any(untouched(f) for f in ranked[1:]) and not untouched(chosen) else ""
        notes.append(f"graded {chosen.rel} ({why}rule: the edited file, then the shallowest, then "
                     f"the exact name); not graded: {others}")
    elif not chosen.exact:
        notes.append(f"graded {chosen.rel} as {module}.py")
    return chosen


def _decode_note(data: bytes) -> str | None:
    """Why ``data`` is not UTF-8 Python source, in plain words, or None."""
    head = data[:200]
    if re.search(rb"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+", b"\n".join(head.splitlines()[:2]),
                 re.M) and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None  # a PEP 263 declaration: Python reads it itself
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:4096]:
        return ("the file is saved as UTF-16 (Windows Notepad's \"Unicode\"), not UTF-8: "
                "save it again choosing the encoding UTF-8 (the grader can convert it: "
                "--decode)")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        return (f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} at line {line}; probably "
                "Windows cp1252, an older Windows editor's default): save it again choosing "
                "the encoding UTF-8 (the grader can convert it: --decode)")
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
    problem = _decode_note(sub.content)
    if problem and decode:
        sub.content, note = decode_source(sub.content)
        sub.notes.append(note)
    elif problem:
        sub.content, sub.error = None, problem
        return sub
    sub.content, skipped = strip_ipython(sub.content)
    if skipped:
        sub.notes.append(f"{len(skipped)} IPython line{'s' * (len(skipped) != 1)} of a notebook "
                         f"export not run ({'; '.join(skipped[:3])})")
    work = import_time_work(sub.content)
    if work:
        sub.notes.append(f"work at import time ({', '.join(work[:3])}): put it under "
                         "`if __name__ == \"__main__\":` so that importing the module only "
                         "defines functions")
    return sub


def _notebooks():
    """``module_source(data, name)`` of the notebook support (issue 7), or None where this
    installation has none: then a notebook entry is skipped with the reason."""
    try:
        from autograder.notebooks.extract import NotebookFormatError, module_source
    except ImportError:
        return None
    return module_source, NotebookFormatError


def _read_notebook(path: Path, root: Path | None = None) -> tuple[bytes | None, str | None]:
    """A notebook's code cells as a module (nothing is run), or why not."""
    data, error = _read_file(path, root)
    support = _notebooks()
    if data is None or support is None:
        return None, error or "notebooks cannot be graded by this installation"
    module_source, NotebookFormatError = support
    try:
        return module_source(data, readable(path.name)).encode("utf-8"), None
    except NotebookFormatError as exc:
        return None, f"{readable(path.name)}: {exc}"


def _candidates_in_dir(folder: Path, module: str
                       ) -> tuple[list[Path], list[Path], list[Path]]:
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
            if _is_test(name):
                continue
            if near_module(name, module) is not None:
                named.append(Path(dirpath) / name)
            elif name.endswith(".py"):
                others.append(Path(dirpath) / name)
            elif name == f"{module}.ipynb" and _notebooks() is not None:
                notebooks.append(Path(dirpath) / name)
    if not named and not others:
        named = notebooks
    return named, others, links


def _open_beneath(root: Path, path: Path) -> int:
    """A read-only fd of ``path`` (inside ``root``), following no link on the way.

    Each component below ``root`` is opened relative to its parent with O_NOFOLLOW, so
    a link anywhere (or one swapped in meanwhile) fails with ELOOP or ENOTDIR.
    """
    parts = path.relative_to(root).parts if path != root else ()
    if any(p in ("..", ".", "") for p in parts):
        raise OSError(0, "a path that leaves the submission")
    fd = os.open(root, os.O_RDONLY | DIRECTORY | NOFOLLOW)
    try:
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            flags = os.O_RDONLY | NOFOLLOW | (0 if last else DIRECTORY)
            nxt = os.open(part, flags, dir_fd=fd)
            os.close(fd)
            fd = nxt
    except BaseException:
        os.close(fd)
        raise
    return fd


def _read_file(path: Path, root: Path | None = None) -> tuple[bytes | None, str | None]:
    """The bytes of the module at ``path``, opened beneath ``root`` (default: its folder)."""
    if path.is_symlink():
        return None, f"{readable(path.name)} is a symbolic link; submit the file itself"
    try:
        fd = _open_beneath(root or path.parent, path)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
            return None, (f"{readable(path.name)} is reached through a symbolic link; submit the "
                          "files themselves")
        return None, f"cannot read {readable(path.name)}: {exc.strerror}"
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            return None, f"{readable(path.name)} is not a regular file"
        data = f.read(MAX_MODULE_BYTES + 1)
    if len(data) > MAX_MODULE_BYTES:
        return None, f"{readable(path.name)} is larger than {MAX_MODULE_BYTES >> 10} KiB"
    return data, None


def _helpers_beside(files: dict[str, bytes], module: str, chosen: str) -> dict[str, bytes]:
    """The other ``.py`` files of the chosen module's folder (``rel`` paths to bytes)."""
    folder = chosen.rpartition("/")[0]
    out = {}
    for rel, data in sorted(files.items()):
        if rel == chosen or rel.rpartition("/")[0] != folder:
            continue
        name = rel.rpartition("/")[2]
        if (name.endswith(".py") and not _is_test(name) and near_module(name, module) is None
                and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*\.py", name) and len(out) < MAX_HELPERS):
            out[name] = data
    return out


def _read_zip(path, module: str, skeleton: bytes | None = None
              ) -> tuple[bytes | None, str | None, dict[str, bytes], list[str]]:
    """The module inside a zip (a path or an open binary file), never extracted:
    (content, error, helper modules, notes)."""
    notes: list[str] = []
    try:
        with zipfile.ZipFile(path) as zf:
            members = [m for m in zf.infolist() if not m.is_dir()
                       and "__MACOSX" not in m.filename
                       and not m.filename.rsplit("/", 1)[-1].startswith(".")]
            pys = [m for m in members if module_stem(m.filename.rsplit("/", 1)[-1])]
            named = [m for m in pys if near_module(m.filename.rsplit("/", 1)[-1], module) is not None]
            chosen_members = named or [m for m in pys if m.filename.endswith(".py")
                                       and not _is_test(m.filename.rsplit("/", 1)[-1])]
            if not chosen_members:
                inner = [m for m in members if m.filename.lower().endswith(".zip")]
                if inner:
                    return None, _inner_zip(zf, inner[0], module), {}, notes
                shown = ", ".join(readable(m.filename) for m in members[:5]) or "nothing"
                return None, f"the zip holds no {module}.py (it holds: {shown})", {}, notes
            if not named and len(chosen_members) > 1:
                names = ", ".join(readable(m.filename) for m in chosen_members[:5])
                return (None, f"the zip holds several candidate modules ({names}); keep one "
                        f"{module}.py", {}, notes)
            files: dict[str, bytes] = {}
            found = []
            for member in chosen_members + [m for m in pys if m not in chosen_members]:
                parts = member.filename.replace("\\", "/").split("/")
                candidate = member in chosen_members
                unsafe = (member.filename.startswith(("/", "\\")) or ".." in parts
                          or ":" in parts[0])
                link = stat.S_ISLNK(member.external_attr >> 16)
                if not candidate and (unsafe or link or member.file_size > MAX_MODULE_BYTES):
                    continue  # not the module: such a helper is simply not copied
                if unsafe:
                    return None, f"unsafe path in the zip: {readable(member.filename)!r}", {}, notes
                if link:
                    return None, f"{readable(member.filename)} in the zip is a symbolic link", {}, notes
                if member.file_size > MAX_MODULE_BYTES:
                    return (None, f"{readable(member.filename)} is larger than "
                            f"{MAX_MODULE_BYTES >> 10} KiB", {}, notes)
                with zf.open(member) as f:
                    data = f.read(MAX_MODULE_BYTES + 1)
                if len(data) > MAX_MODULE_BYTES:
                    return (None, f"{readable(member.filename)} is larger than "
                            f"{MAX_MODULE_BYTES >> 10} KiB", {}, notes)
                rel = readable(member.filename.replace("\\", "/"))
                files[rel] = data
                if member in chosen_members:
                    exact = near_module(rel.rsplit("/", 1)[-1], module) is not False
                    found.append(_Found(rel, rel.count("/"), exact, data, None, {}))
            best = _choose(found, module, skeleton, notes)
            return best.data, None, _helpers_beside(files, module, best.rel), notes
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        return None, f"unreadable zip: {exc}", {}, notes


def _inner_zip(zf: zipfile.ZipFile, member: zipfile.ZipInfo, module: str) -> str:
    """What a zip inside the zip holds, for the message."""
    what = "an unreadable zip"
    try:
        if member.file_size <= 64 * MAX_MODULE_BYTES:
            with zipfile.ZipFile(io.BytesIO(zf.read(member))) as inner:
                names = [readable(n) for n in inner.namelist() if not n.endswith("/")]
            what = "; ".join(names[:6]) or "nothing"
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        pass
    return (f"the zip holds no {module}.py but another zip, {readable(member.filename)}, which "
            f"holds: {what}; submit that inner zip (or its {module}.py) itself")


def _student_name(path: Path, module: str) -> str:
    name = readable(path.name or path.resolve().name)
    if name.lower().endswith((".zip", ".ipynb")):
        name = name.rsplit(".", 1)[0]
    else:
        found = module_stem(name)
        if found:
            name = found[0]
    if (near_module(readable(path.name), module) is not None or name == module) and path.parent.name:
        name = readable(path.parent.resolve().name)
    return name


def read_submission(path: Path, module: str, skeleton: bytes | None = None,
                    decode: bool = False) -> Submission:
    """One submission: a .py file, a .zip, or a folder holding the module.

    A submission that is a symbolic link, or a folder holding one (at any depth), is
    refused: a link could point anywhere on the grader's machine. ``skeleton`` (the
    lesson's untouched module) lets the choice among several candidates prefer the one
    the student edited; ``decode`` converts UTF-16 and cp1252 files to UTF-8.
    """
    sub = Submission(_student_name(path, module), path, entry=display(path))
    if path.is_symlink():
        sub.error = "the submission is a symbolic link; submit the files themselves"
        return sub
    if not path.exists():
        sub.error = "no such file or folder"
        return sub
    if path.name.lower().endswith(".zip") and path.is_file():
        try:
            fd = _open_beneath(path.parent, path)
        except OSError as exc:
            sub.error = f"cannot read {display(Path(path.name))}: {exc.strerror}"
            return sub
        with os.fdopen(fd, "rb") as f:
            sub.content, sub.error, sub.helpers, notes = _read_zip(f, module, skeleton)
        sub.notes += notes
    elif path.is_dir():
        named, others, links = _candidates_in_dir(path, module)
        if links:
            shown = ", ".join(display(p.relative_to(path)) for p in links[:3])
            sub.error = (f"the folder holds symbolic links ({shown}), which could point "
                         "anywhere; submit the files themselves")
        elif not named and not others:
            sub.error = f"no {module}.py in the folder"
        elif not named and len(others) > 1:
            sub.error = (f"several candidate modules in the folder "
                         f"({', '.join(display(p.relative_to(path)) for p in others[:5])}); "
                         f"keep one {module}.py")
        else:
            found = []
            for p in named or others:
                data, error = (_read_notebook if p.suffix == ".ipynb" else _read_file)(p, path)
                rel = display(p.relative_to(path))
                found.append(_Found(rel, len(p.relative_to(path).parts) - 1,
                                    near_module(p.name, module) is not False, data, error, {}))
            best = _choose(found, module, skeleton, sub.notes)
            sub.content, sub.error = best.data, best.error
            if best.data is not None:
                folder = path / best.rel.rpartition("/")[0] if "/" in best.rel else path
                files = {}
                for p in others:
                    if p.parent == folder and len(files) < MAX_HELPERS:
                        data, error = _read_file(p, path)
                        if data is not None:
                            files[display(p.relative_to(path))] = data
                sub.helpers = _helpers_beside(files, module, best.rel)
    elif path.name.lower().endswith(".ipynb") and _notebooks() is not None:
        sub.content, sub.error = _read_notebook(path)
    elif module_stem(path.name):
        sub.content, sub.error = _read_file(path)
        if near_module(path.name, module) is False or not path.name.endswith(".py"):
            sub.notes.append(f"graded {display(Path(path.name))} as {module}.py")
    else:
        sub.error = "not a .py file, a .zip or a folder"
    return prepare(sub, decode)


# ------------------------------------------------------------------ classes

_GRADABLE = "a .py file, a .zip or a folder"


def _why_not_gradable(path: Path) -> str | None:
    """None if ``path`` (an entry of a class folder) is a submission, else why not."""
    name = readable(path.name or path.resolve().name)
    if path.is_symlink() or path.is_dir():
        return None  # a link becomes a refused submission: it is reported in the gradebook
    if name.startswith("."):
        return "a hidden file"
    if name.lower().endswith(".zip") or module_stem(name):
        return None
    if name.lower().endswith(".ipynb") and _notebooks() is not None:
        return None
    if name.lower().endswith(".ipynb"):
        return "a notebook: export it as a .py file (File > Download as > Python) to grade it"
    return f"not {_GRADABLE}"


def is_class(path: Path, module: str) -> bool:
    """Whether the folder ``path`` is a class (each entry a submission) rather than one
    submission: it is one submission when it holds the module (or a near miss) itself,
    or when its only gradable entry is one folder (``student_c/lab03/embedding.py``)."""
    if not path.is_dir() or path.is_symlink():
        return False
    entries = [p for p in path.iterdir() if not p.name.startswith((".", "__MACOSX"))]
    if any(near_module(p.name, module) is not None for p in entries if p.is_file()):
        return False
    gradable = [p for p in entries if _why_not_gradable(p) is None]
    if len(gradable) == 1 and gradable[0].is_dir() and not gradable[0].is_symlink():
        return False
    return True


def gather(paths: list[Path], module: str, skeleton: bytes | None = None,
           decode: bool = False) -> Intake:
    """Every submission among ``paths``, every entry skipped with why, and notes.

    A folder is a class unless :func:`is_class` says it is one submission; each entry of
    a class (a .py file, a .zip or a folder) is one submission, anything else is skipped
    with its reason. Names come from the file or folder name (readable, NFC). Names are
    distinct and stable: when several entries map to one name (``alice/``, ``alice.py``),
    the first in path order keeps it, the others get the first free ``-2``, ``-3``, ...
    and the collision is reported in the notes.
    """
    intake = Intake([])
    for path in paths:
        path = Path(path)
        if is_class(path, module):
            entries = sorted(path.iterdir(), key=lambda p: readable(p.name))
            count = 0
            for p in entries:
                if p.name.startswith("__MACOSX") or p.name in (".DS_Store",):
                    intake.skipped.append((display(p), "a file a zip tool added"))
                    continue
                why = _why_not_gradable(p)
                if why:
                    intake.skipped.append((display(p), why))
                    continue
                intake.submissions.append(read_submission(p, module, skeleton, decode))
                count += 1
            intake.notes.append(f"{display(path)} taken as a class folder: "
                                f"{count} submission{'s' * (count != 1)}, "
                                f"{len(entries) - count} entr{'ies' if len(entries) - count != 1 else 'y'} skipped")
            continue
        if path.is_dir() and not path.is_symlink():
            intake.notes.append(f"{display(path)} taken as one submission, named "
                                f"{readable(path.name)!r}")
        intake.submissions.append(read_submission(path, module, skeleton, decode))
    unique_names(intake.submissions, intake.notes)
    return intake


def find_submissions(paths: list[Path], module: str, skeleton: bytes | None = None,
                     decode: bool = False) -> list[Submission]:
    """Every submission among ``paths`` (see :func:`gather`)."""
    return gather(paths, module, skeleton, decode).submissions


def unique_names(subs: list[Submission], notes: list[str] | None = None) -> list[Submission]:
    """Give every submission a name no other one has (see :func:`gather`)."""
    taken_by_base = {s.student for s in subs}
    used: dict[str, Submission] = {}
    for sub in subs:
        name = sub.student
        if name in used:
            k = 2
            while f"{sub.student}-{k}" in used or f"{sub.student}-{k}" in taken_by_base:
                k += 1
            name = f"{sub.student}-{k}"
            if notes is not None:
                first = used[sub.student]
                notes.append(f"two entries map to the student {sub.student!r}: {first.entry} "
                             f"(graded as {first.student}) and {sub.entry} (graded as {name}); "
                             "a re-upload? --name-pattern keeps the latest attempt")
        used[name] = sub
        sub.student = name
    return subs


# ------------------------------------------------------------------ LMS bulk downloads

PRESETS = {
    # Canvas: lastfirst[_LATE]_userid_submissionid_file(-1 for re-uploads)
    "canvas": r"^(?P<id>[^_]+)_(?:LATE_)?(?P<uid>\d+)_(?P<attempt>\d+)_",
    # Moodle: "Full Name_123456_assignsubmission_file_" folders
    "moodle": r"^(?P<id>.+?)_\d+_assignsubmission_",
    # Blackboard: Assignment_user_attempt_YYYY-MM-DD-HH-MM-SS_file
    "blackboard": r"^.*?_(?P<id>[^_]+)_attempt_(?P<attempt>\d{4}(?:-\d\d){5})",
}


def _attempt_key(sub: Submission, match: re.Match) -> tuple:
    attempt = match.groupdict().get("attempt")
    try:
        mtime = os.lstat(sub.source).st_mtime
    except OSError:
        mtime = 0.0
    number = int(re.sub(r"\D", "", attempt)) if attempt and re.search(r"\d", attempt) else -1
    return (number, mtime, sub.entry)


def apply_name_pattern(intake: Intake, pattern: str) -> Intake:
    """Names from ``pattern`` (a regular expression or a preset name) applied to each
    entry's name: group ``id`` (else group 1, else the whole match) is the student. Of
    several attempts of one student the latest is kept (group ``attempt``, else the file's
    time); the others are set aside and listed in ``intake.skipped``."""
    regex = re.compile(PRESETS.get(pattern, pattern))
    by_id: dict[str, list[tuple[tuple, Submission]]] = {}
    kept: list[Submission] = []
    for sub in intake.submissions:
        name = readable(Path(sub.source).name)
        m = regex.search(name)
        if not m:
            intake.skipped.append((sub.entry, f"its name does not match --name-pattern {pattern}"))
            continue
        groups = m.groupdict()
        sid = groups.get("id") or (m.group(1) if regex.groups else m.group(0))
        by_id.setdefault(unicodedata.normalize("NFC", sid.strip()), []).append(
            (_attempt_key(sub, m), sub))
    for sid, attempts in by_id.items():
        attempts.sort(key=lambda a: a[0])
        latest = attempts[-1][1]
        latest.student = sid
        kept.append(latest)
        for _, older in attempts[:-1]:
            intake.skipped.append((older.entry, f"an earlier attempt of {sid} (kept {latest.entry})"))
    intake.submissions = sorted(kept, key=lambda s: s.entry)
    return intake


def shard_of(student: str, count: int) -> int:
    """The shard (0-based, of ``count``) grading ``student``: stable across machines."""
    return int.from_bytes(hashlib.sha256(student.encode("utf-8")).digest()[:8], "big") % count
