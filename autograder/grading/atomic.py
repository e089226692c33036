"""Writing an output file in one step: the gradebook, results.json, the class report.

A crash never leaves half a file, a new version keeps the permissions of the one it
replaces, and a full disk costs a warning, never the grading.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Callable


def _warn(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _mode_for(path: Path) -> int:
    """The permissions a new version of ``path`` gets: those of the file it replaces, else
    what an ordinary new file gets (0666 less the umask), never mkstemp's 0600."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomically(path: Path, text: str,
                     warn: Callable[[str], None] | None = None) -> bool:
    """Replace ``path`` in one step, so a crash never leaves half a gradebook.

    The file keeps the permissions of the version it replaces (a new one gets the
    ordinary 0666 less the umask), so a TA group can read it. A full disk (or quota) does
    not stop grading: the previous version of the file stays as it was, the problem is
    reported through ``warn`` (default: standard error) and False is returned; the
    caller's next write tries again. True when written.
    """
    path = Path(path)
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = _mode_for(path)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        tmp = None
        return True
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO):
            raise
        (warn or _warn)(f"warning: could not write {path}: {exc.strerror}; its previous "
                        "version is kept, grading goes on and the next write tries again")
        return False
    finally:
        if tmp is not None and os.path.exists(tmp):
            try:
                os.unlink(tmp)
            except OSError:
                pass
