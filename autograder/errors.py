"""The one base class of the harness's errors.

Every error the course's own code raises derives from :class:`AutograderError` (and,
where callers catch it by a standard kind, from that kind too: ``BuildError`` is also a
``ValueError``), so a command can tell the harness's refusals from a bug in one clause.
Standard library only: the student's kernel and the grading sandbox import it.
"""


class AutograderError(Exception):
    """An error of the course's harness (build, checks, data, grading, notebooks)."""
