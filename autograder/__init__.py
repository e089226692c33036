"""makemore, autograded: the course's harness, data loader, builder and grader.

This package is imported by the student's checks and by the grading sandbox, so it
stays light: importing it loads nothing but the standard library.
"""

from pathlib import Path

__version__ = "0.1.0"

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent

NOT_INSTALLED = (
    "The course is not installed in this Python: activate its virtual environment first "
    "(. .venv/bin/activate; on Windows .venv\\Scripts\\activate), or install it with "
    "pip install -e .  from the course folder; then run the command again.")
