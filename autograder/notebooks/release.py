"""Student notebooks, released by nbgrader itself (``generate_assignment``).

The source notebooks are copied into a temporary nbgrader course and released there
with the course's own configuration (``.nbgrader/nbgrader_config.py``: its code stub,
its include patterns), so ``lessons/NN/<module>.ipynb`` is exactly what an instructor's
``nbgrader generate_assignment NN`` gives.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import tempfile
from pathlib import Path

from autograder.errors import AutograderError

CONFIG = Path(".nbgrader") / "nbgrader_config.py"


class ReleaseError(AutograderError, RuntimeError):
    """nbgrader is missing or refused a notebook."""


def nbgrader_available() -> bool:
    try:
        import nbgrader  # noqa: F401
    except ImportError:
        return False
    return True


def course_config(root: Path, course: Path):
    """The course's nbgrader configuration, pointed at a temporary course folder."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    path = Path(root) / CONFIG
    if not path.is_file():
        raise ReleaseError(f"{path} does not exist: the course's nbgrader configuration")
    config = Config(PyFileConfigLoader(path.name, str(path.parent)).load_config())
    config.CourseDirectory.root = str(course)
    config.CourseDirectory.source_directory = "source"
    config.CourseDirectory.release_directory = "release"
    config.CourseDirectory.db_url = f"sqlite:///{course / 'gradebook.db'}"
    return config


def release(sources: dict[str, str], root: Path) -> dict[str, str]:
    """Release source notebooks: ``{"03/embedding.ipynb": json text}`` -> the student
    notebooks under the same keys, as nbgrader writes them."""
    if not nbgrader_available():
        raise ReleaseError("nbgrader is not installed: pip install -e '.[nbgrader]' "
                           "(Python 3.11 or newer)")
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.converters.base import NbGraderException

    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="autograder-release-") as tmp:
        course = Path(tmp)
        for rel, text in sources.items():
            target = course / "source" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        config = course_config(root, course)
        log = logging.getLogger("autograder.nbgrader")
        log.propagate = False
        messages = io.StringIO()
        handler = logging.StreamHandler(messages)
        log.addHandler(handler)
        # nbgrader's gradebook runs the `alembic` command of this Python's environment:
        # find it there even when the environment is not activated (.venv/bin/autograder)
        path = os.environ.get("PATH", "")
        bindir = os.path.dirname(sys.executable)
        if bindir not in path.split(os.pathsep):
            os.environ["PATH"] = bindir + os.pathsep + path
        try:
            coursedir = CourseDirectory(config=config)
            converter = GenerateAssignment(coursedir=coursedir, config=config, log=log)
            converter.force = True
            for assignment in sorted({rel.split("/")[0] for rel in sources}):
                coursedir.assignment_id = assignment
                with contextlib.redirect_stdout(io.StringIO()):
                    converter.start()
        except NbGraderException as exc:
            raise ReleaseError(f"nbgrader generate_assignment failed: {exc}\n"
                               f"{messages.getvalue()}") from None
        finally:
            log.removeHandler(handler)
        for rel in sources:
            released = course / "release" / rel
            if not released.is_file():
                raise ReleaseError(f"nbgrader did not release {rel}:\n{messages.getvalue()}")
            out[rel] = released.read_text(encoding="utf-8")
    return out
