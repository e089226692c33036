"""Finding and reading submissions: module files, folders holding one, and zips.

Only the lesson's module is taken from a submission (``embedding.py`` for lesson 03);
everything else in it is ignored. Nothing is ever extracted: the module's bytes are
read and copied into a fresh folder, so ``../`` paths cannot write anything. No
symbolic link is ever followed: a submission that is a link, or holds one on the way to
its module (as unpacking a student's tar or zip can give), is refused, and files are
opened one path component at a time with ``O_NOFOLLOW``, so nothing outside the
submitted tree is read, whatever changes under the grader's feet.
"""

from __future__ import annotations

import errno
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


NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
DIRECTORY = getattr(os, "O_DIRECTORY", 0)


def _candidates_in_dir(folder: Path, module: str) -> tuple[list[Path], list[Path]]:
    """(candidate modules, symbolic links met) under ``folder``; no link is followed."""
    named, others, links = [], [], []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for d in dirnames:
            if os.path.islink(os.path.join(dirpath, d)):
                links.append(Path(dirpath) / d)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__MACOSX"))
                             and not os.path.islink(os.path.join(dirpath, d)))
        for name in sorted(filenames):
            if os.path.islink(os.path.join(dirpath, name)):
                links.append(Path(dirpath) / name)
                continue
            if name.endswith(".py") and not name.startswith((".", "test_", "conftest")):
                (named if name == f"{module}.py" else others).append(Path(dirpath) / name)
            elif name == f"{module}.ipynb":  # a notebook, e.g. nbgrader's submitted/<student>/
                named.append(Path(dirpath) / name)
    return (named if named else others), links


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
        return None, f"{path.name} is a symbolic link; submit the file itself"
    try:
        fd = _open_beneath(root or path.parent, path)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
            return None, (f"{path.name} is reached through a symbolic link; submit the "
                          "files themselves")
        return None, f"cannot read {path.name}: {exc.strerror}"
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            return None, f"{path.name} is not a regular file"
        data = f.read(MAX_MODULE_BYTES + 1)
    if len(data) > MAX_MODULE_BYTES:
        return None, f"{path.name} is larger than {MAX_MODULE_BYTES >> 10} KiB"
    return data, None


def _read_zip(path, module: str) -> tuple[bytes | None, str | None]:
    """The module inside a zip (a path or an open binary file), never extracted."""
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


def _read_notebook(path: Path, root: Path | None = None) -> tuple[bytes | None, str | None]:
    from autograder.notebooks.extract import NotebookFormatError, module_source

    data, error = _read_file(path, root)
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
    """One submission: a .py file, a .zip, or a folder holding the module.

    A submission that is a symbolic link, or a folder holding one (at any depth), is
    refused: a link could point anywhere on the grader's machine.
    """
    student = _student_name(path, module)
    if path.is_symlink():
        return Submission(student, path, error="the submission is a symbolic link; submit "
                                               "the files themselves")
    if not path.exists():
        return Submission(student, path, error="no such file or folder")
    if path.suffix == ".zip" and path.is_file():
        try:
            fd = _open_beneath(path.parent, path)
        except OSError as exc:
            return Submission(student, path, error=f"cannot read {path.name}: {exc.strerror}")
        with os.fdopen(fd, "rb") as f:
            content, error = _read_zip(f, module)
    elif path.is_dir():
        found, links = _candidates_in_dir(path, module)
        if links:
            shown = ", ".join(str(p.relative_to(path)) for p in links[:3])
            content, error = None, (f"the folder holds symbolic links ({shown}), which could "
                                    "point anywhere; submit the files themselves")
        elif not found:
            content, error = None, f"no {module}.py in the folder"
        elif len(found) > 1:
            content, error = None, (f"several candidate modules in the folder "
                                    f"({', '.join(p.name for p in found[:5])}); keep one {module}.py")
        elif found[0].suffix == ".ipynb":
            content, error = _read_notebook(found[0], path)
        else:
            content, error = _read_file(found[0], path)
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
    come from the file or folder name. Names are distinct and stable: when several
    submissions map to one name (``alice/``, ``alice.py``), the first in path order keeps
    it and the others get the first free ``-2``, ``-3``, ... that no other submission
    is called (``alice-2.py`` keeps ``alice-2``).
    """
    subs: list[Submission] = []
    for path in paths:
        path = Path(path)
        if (path.is_dir() and not path.is_symlink()  # a link is refused, never followed
                and not (path / f"{module}.py").exists()):
            entries = sorted(p for p in path.iterdir()
                             if not p.name.startswith((".", "__MACOSX"))
                             and (p.is_symlink() or p.is_dir()
                                  or p.suffix in (".py", ".zip", ".ipynb")))
            if entries:
                subs.extend(read_submission(p, module) for p in entries)
                continue
        subs.append(read_submission(path, module))
    return unique_names(subs)


def unique_names(subs: list[Submission]) -> list[Submission]:
    """Give every submission a name no other one has (see :func:`find_submissions`)."""
    taken_by_base = {s.student for s in subs}
    used: set[str] = set()
    for sub in subs:
        name = sub.student
        if name in used:
            k = 2
            while f"{sub.student}-{k}" in used or f"{sub.student}-{k}" in taken_by_base:
                k += 1
            name = f"{sub.student}-{k}"
        used.add(name)
        sub.student = name
    return subs
