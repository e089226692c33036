"""What a check's run ends with: a :class:`CheckResult` of plain data and its
:class:`Status`. Standard library only, so the commands that only read results (the
class report, summaries) stay light."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum
from typing import Any


class Status(str, Enum):
    """How a check ended. Its value is the word reports and JSON files show."""

    PASSED = "passed"
    FAILED = "failed"  # a wrong answer
    ERROR = "error"  # the student's code raised, crashed or could not be imported
    TIMEOUT = "timeout"
    NOT_RUN = "not run"  # data missing, or the submission's time was spent: no verdict

    __str__ = str.__str__
    __format__ = str.__format__


IMPORT_FAILED = "ImportFailed"  # the exc_type of a result whose module could not be imported


@dataclass
class CheckResult:
    name: str
    todo: int
    max_points: int
    points: int
    status: Status
    message: str = ""
    exc_type: str | None = None
    seconds: float = 0.0
    student_side: bool = False  # the verdict rests on a helper run next to the student's code
    file: str = ""  # the student's file a result is about (the module that did not import)

    def __post_init__(self) -> None:
        self.status = Status(self.status)

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED

    @property
    def ran(self) -> bool:
        """Whether the check gave a verdict (a not-run check counts for nothing)."""
        return self.status is not Status.NOT_RUN

    @property
    def import_failed(self) -> bool:
        return self.exc_type == IMPORT_FAILED

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status.value}


STATUSES = tuple(s.value for s in Status)


def score(results: list[CheckResult]) -> tuple[int, int]:
    """(points earned, points possible)."""
    return sum(r.points for r in results), sum(r.max_points for r in results)
