"""Where the lessons are: folders ``lessons/NN`` with a module and its checks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from autograder.errors import AutograderError
from autograder import REPO_ROOT, markers

LESSONS_DIR = REPO_ROOT / "lessons"
SOLUTIONS_DIR = REPO_ROOT / "solutions"


class LessonError(AutograderError, LookupError):
    """No lesson, or a lesson folder that does not follow the conventions."""


@dataclass(frozen=True)
class LessonFolder:
    """A lesson's folder and its files (the checks see the student's code through
    :class:`autograder.impl.Lesson`, a different thing)."""

    number: str  # "03"
    dir: Path  # lessons/03
    module: str  # "embedding"

    @property
    def checks(self) -> Path:
        return self.dir / f"test_{self.module}.py"

    @property
    def skeleton(self) -> Path:
        return self.dir / f"{self.module}.py"

    @property
    def solution(self) -> Path:
        return SOLUTIONS_DIR / self.number / f"{self.module}.py"

    @property
    def title(self) -> str:
        readme = self.dir / "README.md"
        if readme.is_file():
            for line in readme.read_text(encoding="utf-8").splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
        return self.module

    def todos(self, path: Path | None = None) -> dict[int, str]:
        """TODO number -> what to do: the whole ``# TODO k:`` comment of a module (the
        skeleton by default), read by :mod:`autograder.markers`."""
        return markers.todo_texts((path or self.skeleton).read_text(encoding="utf-8"))


def given_providers(package: str | Path | None = None) -> dict[str, tuple[str, str]]:
    """Which lesson gives each module of ``autograder/given`` (of the package folder
    ``package``; default: this one): name -> (lesson, its module), read from the
    ``PROVIDERS`` table that ``autograder build`` writes into ``given/__init__.py``."""
    import ast

    index = Path(package or Path(__file__).resolve().parent) / "given" / "__init__.py"
    try:
        tree = ast.parse(index.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return {}
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "PROVIDERS"):
            table = ast.literal_eval(node.value)
            return {str(k): (str(v[0]), str(v[1])) for k, v in table.items()}
    return {}


def lesson_in(folder: Path) -> LessonFolder:
    """The lesson whose folder is ``folder`` (it holds exactly one ``test_<module>.py``)."""
    folder = Path(folder).resolve()
    checks = sorted(folder.glob("test_*.py"))
    if not re.fullmatch(r"\d\d", folder.name) or len(checks) != 1:
        raise LessonError(f"{folder} is not a lesson folder (lessons/NN with one test_<module>.py)")
    return LessonFolder(number=folder.name, dir=folder, module=checks[0].stem[len("test_"):])


def get_lesson(number: str | int, root: Path = LESSONS_DIR) -> LessonFolder:
    key = f"{int(number):02d}" if str(number).isdigit() else str(number)
    folder = root / key
    if not folder.is_dir():
        known = ", ".join(info.number for info in all_lessons(root)) or "none"
        raise LessonError(f"there is no lesson {number!r} (lessons: {known})")
    return lesson_in(folder)


def all_lessons(root: Path = LESSONS_DIR) -> list[LessonFolder]:
    """Every lesson folder that has its checks (one ``test_<module>.py``)."""
    return [lesson_in(d) for d in sorted(root.glob("[0-9][0-9]"))
            if d.is_dir() and any(d.glob("test_*.py"))]
