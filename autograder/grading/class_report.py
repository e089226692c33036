"""The class report: what a class's results.json says about the class as a whole.

``autograder report results.json`` prints the summary; ``--html report.html`` also writes
one self-contained page (figures drawn with matplotlib, embedded as SVG): the score
histogram, each check's failure rate (which TODOs the class found hard), the most
frequent hints (the class's typical mistakes, with counts), the submissions that errored
or timed out, and the grading time.
"""

from __future__ import annotations

import html
import io
import json
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.grading.atomic import write_atomically
from autograder.grading.kinds import SubmissionStatus
from autograder.results import Status
from autograder.errors import AutograderError


class ReportError(AutograderError, RuntimeError):
    """A results.json that is not a class results.json."""


def load_results(path: Path) -> dict[str, dict[str, Any]]:
    """The entries of a class results.json (``grade --json`` or ``merge --json``).

    Raises ReportError for a missing or unreadable file, or one student's Gradescope
    file (which has no class to report on).
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ReportError(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict) or ("tests" in data and "score" in data):
        raise ReportError(f"{path} is not a class results.json (an object keyed by student, "
                          "as `autograder grade --json` writes)")
    if not data:
        raise ReportError(f"{path} holds no student")
    return data


@dataclass
class CheckStats:
    name: str
    todo: int
    points: int
    failed: int = 0  # wrong answers
    errors: int = 0  # raised, crashed, timed out, not run
    total: int = 0

    @property
    def rate(self) -> float:
        return (self.failed + self.errors) / self.total if self.total else 0.0


@dataclass
class ClassSummary:
    students: int
    max_score: int
    scores: dict[str, int]
    checks: list[CheckStats]
    hints: list[tuple[str, int]]
    problems: list[tuple[str, str, str]]  # student, status, reason
    times: dict[str, float]
    full_marks: int = 0
    zero: int = 0
    notes: Counter = field(default_factory=Counter)


_HINT = re.compile(r"^\s*hint:\s*(.+)$", re.M | re.I)


def _hint_of(message: str) -> str:
    m = _HINT.search(message or "")
    text = m.group(1) if m else (message or "").strip().splitlines()[0:1]
    if isinstance(text, list):
        text = text[0] if text else "(no message)"
    text = " ".join(text.split())
    return text if len(text) <= 160 else text[:157] + "..."


def summarize(entries: dict[str, dict[str, Any]]) -> ClassSummary:
    """Counts and rates over the class."""
    checks: dict[str, CheckStats] = {}
    hints: Counter = Counter()
    problems = []
    scores, times = {}, {}
    max_score = 0
    notes: Counter = Counter()
    for student, entry in entries.items():
        extra = entry.get("extra_data") or {}
        scores[student] = int(entry.get("score", 0))
        max_score = max(max_score, int(entry.get("max_score", 0)))
        times[student] = float(entry.get("execution_time", 0.0))
        rows = extra.get("checks") or [[t.get("name"), 0, t.get("score"), t.get("max_score"),
                                        t.get("status")] for t in entry.get("tests", [])]
        tests = entry.get("tests", [])
        mine: set[str] = set()  # a hint counts once per student
        for i, (name, todo, _points, maximum, status) in enumerate(rows):
            stats = checks.setdefault(name, CheckStats(name, int(todo or 0), int(maximum or 0)))
            stats.total += 1
            if status == Status.FAILED:
                stats.failed += 1
                if i < len(tests):
                    mine.add(_hint_of(tests[i].get("output", "")))
            elif status != Status.PASSED:
                stats.errors += 1
        hints.update(mine)
        state = extra.get("status", SubmissionStatus.GRADED)
        if any(r[4] == Status.TIMEOUT for r in rows):
            state = Status.TIMEOUT.value
        if state != SubmissionStatus.GRADED:
            problems.append((student, state, extra.get("problem", "")))
        for note in extra.get("notes", []):
            notes[note.split(" (")[0].split(":")[0]] += 1
    return ClassSummary(
        students=len(entries), max_score=max_score, scores=scores,
        checks=list(checks.values()), hints=hints.most_common(10), problems=problems,
        times=times, full_marks=sum(1 for s in scores.values() if s == max_score and max_score),
        zero=sum(1 for s in scores.values() if s == 0), notes=notes)


def terminal_summary(entries: dict[str, dict[str, Any]]) -> str:
    """The class report as plain text."""
    s = summarize(entries)
    values = list(s.scores.values())
    lines = [f"class report: {s.students} student{'s' * (s.students != 1)}, out of {s.max_score} "
             f"points: mean {statistics.mean(values):.1f}, median {statistics.median(values):g}, "
             f"{s.full_marks} with full marks, {s.zero} with zero", "", "scores:"]
    for low, high, count in _bins(values, s.max_score):
        label = f"{low}" if low == high else f"{low}-{high}"
        lines.append(f"  {label:>7}  {'#' * count} {count}")
    lines += ["", "checks the class found hard (failure rate: wrong answers + errors):"]
    for c in sorted(s.checks, key=lambda c: -c.rate):
        lines.append(f"  {c.rate:6.0%}  TODO {c.todo}: {c.name} ({c.failed} wrong, "
                     f"{c.errors} errors of {c.total})")
    lines += ["", "most frequent hints (typical mistakes):"]
    lines += [f"  {n:>4} x {text}" for text, n in s.hints] or ["  none: every check passed"]
    lines += ["", f"submissions that errored or timed out: {len(s.problems)}"]
    lines += [f"  {student}: {state}: {why}" for student, state, why in s.problems[:20]]
    if len(s.problems) > 20:
        lines.append(f"  ... and {len(s.problems) - 20} more")
    t = list(s.times.values())
    lines += ["", f"grading time: {sum(t):.1f} s in all (one core), {statistics.mean(t):.2f} s "
                  f"per submission on average, {max(t):.2f} s the longest"]
    return "\n".join(lines)


def _bins(values: list[int], max_score: int) -> list[tuple[int, int, int]]:
    """(low, high, count) score bins: one per point up to 20 points, 20 bins above."""
    width = max(1, -(-(max_score + 1) // 20))
    out = []
    for low in range(0, max_score + 1, width):
        high = min(max_score, low + width - 1)
        out.append((low, high, sum(1 for v in values if low <= v <= high)))
    return out


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    text = buf.getvalue()
    return text[text.index("<svg"):]


def figures(s: ClassSummary) -> dict[str, str]:
    """The report's figures as inline SVG: "scores" and "checks"."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.rcParams["svg.fonttype"] = "none"  # text stays text (searchable, crisp)
    out = {}
    fig, ax = plt.subplots(figsize=(7, 3.2))
    bins = _bins(list(s.scores.values()), s.max_score)
    span = bins[0][1] - bins[0][0] + 1
    ax.bar([(b[0] + b[1]) / 2 for b in bins], [b[2] for b in bins], width=0.8 * span,
           color="#3b6ea8")
    ax.set_xlabel(f"points (out of {s.max_score})")
    ax.set_ylabel("students")
    ax.set_title("Score distribution")
    ax.set_xlim(-0.6, s.max_score + 0.6)
    ax.yaxis.get_major_locator().set_params(integer=True)
    out["scores"] = _svg(fig)
    plt.close(fig)

    checks = list(s.checks)
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(checks) + 1.2))
    labels = [f"TODO {c.todo}: {c.name}" for c in checks]
    wrong = [c.failed / c.total * 100 if c.total else 0 for c in checks]
    errs = [c.errors / c.total * 100 if c.total else 0 for c in checks]
    y = range(len(checks))
    ax.barh(y, wrong, color="#d08c2f", label="wrong answer")
    ax.barh(y, errs, left=wrong, color="#b03a2e", label="error / time limit")
    ax.set_yticks(list(y), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of the class failing the check")
    ax.set_title("Which checks the class found hard")
    ax.legend(loc="lower right", fontsize=8)
    out["checks"] = _svg(fig)
    plt.close(fig)
    return out


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
.cards{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0}
.card{background:#f4f6f9;border-radius:6px;padding:.5rem .8rem;min-width:6.5rem;flex:1}
.card b{display:block;font-size:1.4rem}
table{border-collapse:collapse;width:100%;font-size:.92rem}
td,th{border-bottom:1px solid #e4e4e4;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f6f9}td.n{text-align:right;white-space:nowrap}
figure{margin:1rem 0}figure svg{max-width:100%;height:auto}
.muted{color:#666;font-size:.9rem}
"""


def html_page(entries: dict[str, dict[str, Any]], title: str | None = None) -> str:
    """The report as one self-contained HTML page (no outside files or scripts)."""
    s = summarize(entries)
    e = html.escape
    values = list(s.scores.values())
    figs = figures(s)
    title = title or "Class report"
    t = list(s.times.values())
    cards = [("students", s.students), ("mean score", f"{statistics.mean(values):.1f} / {s.max_score}"),
             ("median", f"{statistics.median(values):g}"), ("full marks", s.full_marks),
             ("zero", s.zero), ("errored or timed out", len(s.problems))]
    parts = [f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{e(title)}</title>"
             f"<style>{_CSS}</style></head><body>",
             f"<h1>{e(title)}</h1><p class=muted>from the grader's results.json; "
             f"{s.students} students</p>",
             "<div class=cards>" + "".join(f"<div class=card><b>{e(str(v))}</b>{e(k)}</div>"
                                          for k, v in cards) + "</div>",
             "<h2>Scores</h2><figure>" + figs["scores"] + "</figure>",
             "<h2>Which TODOs the class found hard</h2><figure>" + figs["checks"] + "</figure>",
             "<table><tr><th>check</th><th>TODO</th><th>points</th><th>wrong</th><th>errors</th>"
             "<th>failure rate</th></tr>"]
    for c in sorted(s.checks, key=lambda c: -c.rate):
        parts.append(f"<tr><td>{e(c.name)}</td><td class=n>{c.todo}</td><td class=n>{c.points}</td>"
                     f"<td class=n>{c.failed}</td><td class=n>{c.errors}</td>"
                     f"<td class=n>{c.rate:.0%}</td></tr>")
    parts.append("</table><h2>Most frequent hints: the class's typical mistakes</h2>")
    if s.hints:
        parts.append("<table><tr><th>students</th><th>hint (the first line of the failure when none)</th></tr>" + "".join(
            f"<tr><td class=n>{n}</td><td>{e(text)}</td></tr>" for text, n in s.hints) + "</table>")
    else:
        parts.append("<p>None: every check passed.</p>")
    parts.append(f"<h2>Submissions that errored or timed out ({len(s.problems)})</h2>")
    if s.problems:
        parts.append("<table><tr><th>student</th><th>status</th><th>first problem</th></tr>"
                     + "".join(f"<tr><td>{e(st)}</td><td>{e(state)}</td><td>{e(why)}</td></tr>"
                               for st, state, why in s.problems) + "</table>")
    else:
        parts.append("<p>None.</p>")
    slow = sorted(s.times.items(), key=lambda kv: -kv[1])[:5]
    parts.append(f"<h2>Grading time</h2><p>{sum(t):.1f} s of grading in all, "
                 f"{statistics.mean(t):.2f} s per submission on average, {max(t):.2f} s the "
                 "longest. Slowest: " + ", ".join(f"{e(k)} ({v:.1f} s)" for k, v in slow)
                 + ".</p>")
    parts.append("<p class=muted>Written by <code>autograder report</code>.</p></body></html>\n")
    return "\n".join(parts)


def write_html(entries: dict[str, dict[str, Any]], path: Path, title: str | None = None) -> None:
    write_atomically(Path(path), html_page(entries, title))
