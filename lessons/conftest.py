"""Loaded by pytest before any lesson's checks: say what to do when the course is not
installed in this Python (the usual cause: the virtual environment is not active)."""

import pytest

try:
    import torch  # noqa: F401

    import autograder.pytest_plugin  # noqa: F401
except ImportError as exc:
    try:
        from autograder import NOT_INSTALLED
    except ImportError:
        NOT_INSTALLED = ("The course is not installed in this Python: activate its virtual "
                         "environment first, then run pytest again.")
    raise pytest.UsageError(f"{exc}. {NOT_INSTALLED}") from None
