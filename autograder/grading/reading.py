"""Reading a submission's files without following any symbolic link; notebooks' code.

A file is opened one path component at a time beneath the submission's root with
``O_NOFOLLOW``, so a link anywhere on the way (or one swapped in meanwhile) is refused
and nothing outside the submitted tree is read, whatever changes under the grader's feet.
A notebook is read as a module of its code cells: nothing in it is run.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from autograder.grading.kinds import Problem, ProblemKind
from autograder.grading.names import display, readable

MAX_MODULE_BYTES = 1 << 20

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
DIRECTORY = getattr(os, "O_DIRECTORY", 0)


def open_beneath(root: Path, path: Path) -> int:
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


def read_file(path: Path, root: Path | None = None) -> tuple[bytes | None, Problem | None]:
    """The bytes of the module at ``path``, opened beneath ``root`` (default: its folder)."""
    name, rel = readable(path.name), display(path.relative_to(root or path.parent))
    if path.is_symlink():
        return None, Problem(ProblemKind.LINK,
                             f"{name} is a symbolic link; submit the file itself", rel)
    try:
        fd = open_beneath(root or path.parent, path)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
            return None, Problem(ProblemKind.LINK, f"{name} is reached through a symbolic "
                                 "link; submit the files themselves", rel)
        return None, Problem(ProblemKind.UNREADABLE_FILE, f"cannot read {name}: {exc.strerror}",
                             rel)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            return None, Problem(ProblemKind.UNREADABLE_FILE, f"{name} is not a regular file",
                                 rel)
        data = f.read(MAX_MODULE_BYTES + 1)
    if len(data) > MAX_MODULE_BYTES:
        return None, Problem(ProblemKind.TOO_LARGE,
                             f"{name} is larger than {MAX_MODULE_BYTES >> 10} KiB", rel)
    return data, None


def notebook_support():
    """``(module_source, NotebookFormatError)`` of the notebook support, or None where
    this installation has none: then a notebook entry is skipped with the reason."""
    try:
        from autograder.notebooks.extract import NotebookFormatError, module_source
    except ImportError:
        return None
    return module_source, NotebookFormatError


def read_notebook(path: Path, root: Path | None = None) -> tuple[bytes | None, Problem | None]:
    """A notebook's code cells as a module (nothing is run), or why not."""
    data, problem = read_file(path, root)
    support = notebook_support()
    if data is None or support is None:
        return None, problem or Problem(ProblemKind.NOT_GRADABLE,
                                        "notebooks cannot be graded by this installation",
                                        display(path.relative_to(root or path.parent)))
    module_source, NotebookFormatError = support
    try:
        return module_source(data, readable(path.name)).encode("utf-8"), None
    except NotebookFormatError as exc:
        return None, Problem(ProblemKind.BAD_NOTEBOOK, f"{readable(path.name)}: {exc}",
                             display(path.relative_to(root or path.parent)))
