"""Finding and reading submissions: module files, folders holding one, and zips.

Only the lesson's module is taken from a submission (``embedding.py`` for lesson 03);
everything else in it is ignored. Nothing is ever extracted: the module's bytes are
read and copied into a fresh folder, so ``../`` paths and links cannot write or read
anything outside the submission.
"""

from __future__ import annotations

import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

MAX_MODULE_BYTES = 1 << 20


@dataclass
class Submission:
    student: str
    source: Path
    content: bytes | None = None  # the module's source, when it could be read
    error: str | None = None  # why it could not


def _candidates_in_dir(folder: Path, module: str) -> list[Path]:
    named, others = [], []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__MACOSX")))
        for name in sorted(filenames):
            if name.endswith(".py") and not name.startswith((".", "test_", "conftest")):
                (named if name == f"{module}.py" else others).append(Path(dirpath) / name)
            elif name == f"{module}.ipynb":  # a notebook, e.g. nbgrader's submitted/<student>/
                named.append(Path(dirpath) / name)
    return named if named else others


def _read_file(path: Path) -> tuple[bytes | None, str | None]:
    if path.is_symlink():
        return None, f"{path.name} is a symbolic link; submit the file itself"
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        return None, f"cannot read {path.name}: {exc.strerror}"
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            return None, f"{path.name} is not a regular file"
        data = f.read(MAX_MODULE_BYTES + 1)
    if len(data) > MAX_MODULE_BYTES:
        return None, f"{path.name} is larger than {MAX_MODULE_BYTES >> 10} KiB"
    return data, None


def _read_zip(path: Path, module: str) -> tuple[bytes | None, str | None]:
    try:
        with zipfile.ZipFile(path) as zf:
            members = [m for m in zf.infolist() if not m.is_dir()
                       and m.filename.endswith(".py") and "__MACOSX" not in m.filename]
            named = [m for m in members if m.filename.rsplit("/", 1)[-1] == f"{module}.py"]
            chosen = named or [m for m in members
                               if not m.filename.rsplit("/", 1)[-1].startswith(("test_", "."))]
            if not chosen:
                return None, f"the zip holds no {module}.py"
            if len(chosen) > 1:
                names = ", ".join(m.filename for m in chosen[:5])
                return None, f"the zip holds several candidate modules ({names}); keep one {module}.py"
            member = chosen[0]
            parts = member.filename.replace("\\", "/").split("/")
            if member.filename.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
                return None, f"unsafe path in the zip: {member.filename!r}"
            if stat.S_ISLNK(member.external_attr >> 16):
                return None, f"{member.filename} in the zip is a symbolic link"
            if member.file_size > MAX_MODULE_BYTES:
                return None, f"{member.filename} is larger than {MAX_MODULE_BYTES >> 10} KiB"
            with zf.open(member) as f:
                data = f.read(MAX_MODULE_BYTES + 1)
            if len(data) > MAX_MODULE_BYTES:
                return None, f"{member.filename} is larger than {MAX_MODULE_BYTES >> 10} KiB"
            return data, None
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        return None, f"unreadable zip: {exc}"


def _read_notebook(path: Path) -> tuple[bytes | None, str | None]:
    from autograder.notebooks.extract import NotebookFormatError, module_source

    data, error = _read_file(path)
    if data is None:
        return None, error
    try:
        return module_source(data, path.name).encode("utf-8"), None
    except NotebookFormatError as exc:
        return None, f"{path.name}: {exc}"


def _student_name(path: Path, module: str) -> str:
    name = path.name
    for suffix in (".zip", ".py", ".ipynb"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    if name == module and path.parent.name:
        name = path.parent.resolve().name
    return name


def read_submission(path: Path, module: str) -> Submission:
    """One submission: a .py file, a .zip, or a folder holding the module."""
    student = _student_name(path, module)
    if path.is_symlink() and not path.exists():
        return Submission(student, path, error="a broken symbolic link")
    if not path.exists():
        return Submission(student, path, error="no such file or folder")
    if path.suffix == ".zip" and path.is_file():
        content, error = _read_zip(path, module)
    elif path.is_dir():
        found = _candidates_in_dir(path, module)
        if not found:
            content, error = None, f"no {module}.py in the folder"
        elif len(found) > 1:
            content, error = None, (f"several candidate modules in the folder "
                                    f"({', '.join(p.name for p in found[:5])}); keep one {module}.py")
        elif found[0].suffix == ".ipynb":
            content, error = _read_notebook(found[0])
        else:
            content, error = _read_file(found[0])
    elif path.suffix == ".py":
        content, error = _read_file(path)
    elif path.suffix == ".ipynb":  # a notebook: its code cells as a module, nothing run
        content, error = _read_notebook(path)
    else:
        content, error = None, "not a .py file, a .ipynb notebook, a .zip or a folder"
    return Submission(student, path, content, error)


def find_submissions(paths: list[Path], module: str) -> list[Submission]:
    """Every submission among ``paths``.

    A folder that holds ``<module>.py`` directly is one submission; any other folder is a
    batch, each of its entries (a .py file, a .zip or a folder) one submission. Names
    come from the file or folder name; duplicates get a suffix (-2, -3, ...).
    """
    subs: list[Submission] = []
    for path in paths:
        path = Path(path)
        if (path.is_dir() and not path.is_symlink()
                and not (path / f"{module}.py").exists()):
            entries = sorted(p for p in path.iterdir()
                             if not p.name.startswith((".", "__MACOSX"))
                             and (p.is_dir() or p.suffix in (".py", ".zip", ".ipynb")))
            if entries:
                subs.extend(read_submission(p, module) for p in entries)
                continue
        subs.append(read_submission(path, module))
    seen: dict[str, int] = {}
    for sub in subs:
        count = seen.get(sub.student, 0) + 1
        seen[sub.student] = count
        if count > 1:
            sub.student = f"{sub.student}-{count}"
    return subs
