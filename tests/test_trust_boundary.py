"""The trust boundary of grading: what the student's process can reach, and how much.

Beside tests/test_adversarial.py (a lesson-03 class full of attacks): forged helper
results on lessons 01 and 04 get the fair score; the sandbox shows only the given code
of earlier lessons, no keyring, no nested user namespace, a /proc of its own and a
bounded disk; memory is accounted per submission; uid slots always come back; and an
attacker among correct neighbours (--jobs 2) costs them nothing, with every result
written; lesson 09's E01 is trained by the grader, so a module that fakes the loss in
its own process gains nothing; and a grader killed outright leaves no submission
running. The tests run as whoever runs pytest (root in CI, with its own uid per
sandbox); the killed-grader test also runs its grader as uid 65534 (user namespaces).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import pytest
import torch

from autograder import REPO_ROOT
from autograder.grading import atomic, formats
from autograder.grading.grade import Grader, GradeOptions, Sandbox
from autograder.grading.intake import find_submissions
from autograder.grading.submission import Submission
from autograder.lessons import get_lesson
from autograder.runner import collect

L01, L03, L04, L09 = get_lesson("01"), get_lesson("03"), get_lesson("04"), get_lesson("09")


def _source(lesson, extra: str) -> str:
    """The lesson's reference solution with ``extra`` appended (later defs win)."""
    return lesson.solution.read_text() + "\n" + extra


# a forgery of the helper table by every route that used to work: import, attribute,
# any module in sys.modules that holds a HELPERS dict
FORGE_TABLE = '''
import sys as _sys

def _forge(name, fake):
    try:
        import autograder.helpers as _h
        _h.HELPERS[name] = fake
        setattr(_h, name, fake)
    except Exception:
        pass
    try:
        import autograder
        autograder.student_side.helpers.HELPERS[name] = fake
    except Exception:
        pass
    for _m in list(_sys.modules.values()):
        _t = getattr(_m, "HELPERS", None)
        if isinstance(_t, dict):
            _t[name] = fake
'''

L01_FAKE_FIGURE = FORGE_TABLE + '''
def _fake_figure_info(fn, N, itos):
    V = N.shape[0]
    texts = [itos[i] + itos[j] for i in range(V) for j in range(V)]
    texts += [str(int(c)) for c in N.flatten()]
    axis = {"images": [N.clone()], "texts": texts, "text_positions": [(0.0, 0.0)] * len(texts),
            "title": "", "xlabel": "", "ylabel": "", "xscale": "linear", "yscale": "linear",
            "xticks": 0, "yticks": 0, "lines": [], "collections": []}
    return {"type": "Figure", "axes": [axis]}

_forge("figure_info", _fake_figure_info)

def plot_counts(N, itos):
    return None
'''

L01_FIGURE_CLASS = '''
import matplotlib.figure

class _Ax:
    def __init__(self, N, itos):
        self.N, self.itos = N, itos
    def get_images(self): return []

class FakeFigure:
    pass

matplotlib.figure.Figure = FakeFigure  # the helper's `type(fig) is Figure` must not care

def plot_counts(N, itos):
    return FakeFigure()
'''

L04_SUBCLASS = '''
class _Lie(torch.Tensor):
    def untyped_storage(self):
        return self._source.untyped_storage()

def flatten_context(emb):
    out = emb.reshape(emb.shape[0], -1).clone().as_subclass(_Lie)  # a copy
    out._source = emb
    return out
'''

L04_PATCHED_METHOD = '''
_real_storage = torch.Tensor.untyped_storage

def _lying_storage(self):
    return _real_storage(getattr(self, "_claimed", self))

torch.Tensor.untyped_storage = _lying_storage

def flatten_context(emb):
    out = emb.reshape(emb.shape[0], -1).clone()  # a copy that claims emb's storage
    out._claimed = emb
    return out
'''

L04_MODE = '''
from torch.overrides import TorchFunctionMode

class _Answers(TorchFunctionMode):  # entered for good: sees every torch call after import
    def __torch_function__(self, func, types, args=(), kwargs=None):
        if getattr(func, "__name__", "") == "untyped_storage":
            args = (getattr(args[0], "_claimed", args[0]),)
        return func(*args, **(kwargs or {}))

_Answers().__enter__()

def flatten_context(emb):
    out = emb.reshape(emb.shape[0], -1).clone()
    out._claimed = emb
    return out
'''

L04_TABLE = FORGE_TABLE + '''
def _fake_call_with_storage(fn, *args):
    return {"result": fn(*args), "shares": [True for _ in args]}

_forge("call_with_storage", _fake_call_with_storage)

def flatten_context(emb):
    return emb.reshape(emb.shape[0], -1).clone()
'''


def _checks(lesson, todos: set[int]):
    return [c for c in collect(lesson.checks) if c.todo in todos and not c.info.slow]


def _points(checks, todos: set[int]) -> int:
    return sum(c.points for c in checks if c.todo in todos)


def _grade(lesson, checks, cases: dict[str, str], **options):
    opts = GradeOptions(**{"jobs": 2, "timeout": 20, "total_timeout": 120,
                           "isolation": "full", **options})
    subs = [Submission(name, Path(f"{name}.py"), source.encode())
            for name, source in cases.items()]
    with Sandbox(opts) as sandbox:
        results = Grader(lesson, sandbox, checks=checks).grade_all(subs)
    return {r.student: r for r in results}


def test_forged_helpers_get_the_fair_score():
    """Lesson 01's plot and lesson 04's storage checks rest on helpers: a module that
    replaces the helper table, the Figure class or untyped_storage wins nothing."""
    checks01 = _checks(L01, {1, 8})
    got01 = _grade(L01, checks01, {
        "solution": L01.solution.read_text(),
        "given_import": "from autograder.given.lesson01_bigram import *\n",
        "table": _source(L01, L01_FAKE_FIGURE),
        "figure_class": _source(L01, L01_FIGURE_CLASS),
    })
    fair01 = {"solution": _points(checks01, {1, 8}), "given_import": 0,
              "table": _points(checks01, {1}), "figure_class": _points(checks01, {1})}
    assert {k: r.score for k, r in got01.items()} == fair01, {
        k: [(c.name, c.message[:150]) for c in r.results if not c.passed] for k, r in got01.items()}
    assert "No module named 'autograder.given.lesson01_bigram'" in got01["given_import"].results[0].message

    checks04 = _checks(L04, {1, 5})
    got04 = _grade(L04, checks04, {
        "solution": L04.solution.read_text(),
        "subclass": _source(L04, L04_SUBCLASS),
        "patched_method": _source(L04, L04_PATCHED_METHOD),
        "table": _source(L04, L04_TABLE),
        "torch_function_mode": _source(L04, L04_MODE),
    })
    fair04 = {"solution": _points(checks04, {1, 5}), "subclass": _points(checks04, {5}),
              "patched_method": _points(checks04, {5}), "table": _points(checks04, {5}),
              "torch_function_mode": _points(checks04, {5})}
    assert {k: r.score for k, r in got04.items()} == fair04, {
        k: [(c.name, c.message[:150]) for c in r.results if not c.passed] for k, r in got04.items()}

    # the report says which verdicts rest on data computed next to the student's code
    marked = {c.name for c in got01["solution"].results + got04["solution"].results
              if c.student_side}
    # (test_build_vocab_small asks call_unmodified whether the words were left alone)
    assert marked == {"test_build_vocab_small", "test_plot_counts_small",
                      "test_plot_counts_names", *[c.name for c in checks04]}, marked
    tests = formats.gradescope_json(got01["solution"])["tests"]
    assert [t.get("tags") for t in tests if "plot_counts" in t["name"]] == \
        [["student-side helper"]] * 2
    assert all("tags" not in t for t in tests if "build_vocab_names" in t["name"])


FACTS = '''
import ctypes, os, platform, sys

def facts(disk):
    out = {}
    import autograder
    package = os.path.dirname(autograder.__file__)
    out["package"] = sorted(os.listdir(package))
    out["given"] = sorted(os.listdir(os.path.join(package, "given")))
    out["modules"] = sorted(m for m in sys.modules if m.startswith("autograder"))
    libc = ctypes.CDLL(None, use_errno=True)
    out["unshare_user"] = libc.unshare(0x10000000) == 0
    out["add_key"] = (platform.machine() == "x86_64"
                      and libc.syscall(248, b"user", b"k", b"v", 1, -4) >= 0)
    out["pids"] = sorted(p for p in os.listdir("/proc") if p.isdigit())
    written = {}
    for folder in ("/submission", "/tmp"):
        n = 0
        for i in range(4 * disk >> 20):
            try:
                with open(f"{folder}/fill{i}", "wb") as f:
                    f.write(b"x" * (1 << 20))
                n += 1 << 20
            except OSError:
                break
        written[folder] = n
    out["written"] = written
    return out

def hold(count, mib):
    """Fork ``count`` children that each hold ``mib`` MiB; how many held at once.

    A child that reported may still be killed afterwards (the OOM killer picks any
    member of the cgroup), so "held" counts the reporters alive once all have settled."""
    import select, signal, time, torch
    r, w = os.pipe()
    pids = []
    for _ in range(count):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            torch.ones(mib << 20, dtype=torch.uint8).add_(1)
            os.write(w, b"1")
            time.sleep(60)
            os._exit(0)
        pids.append(pid)
    held, end, gone = 0, time.monotonic() + 20, set()
    while held < len(pids) and time.monotonic() < end:
        ready, _, _ = select.select([r], [], [], 0.2)
        if ready:
            held += len(os.read(r, 64))
            continue
        gone.update(p for p in pids if p not in gone and os.waitpid(p, os.WNOHANG)[0])
        if held + len(gone) >= len(pids):  # each has either reported or died
            break
    time.sleep(0.5)  # let an OOM kill that a late allocation caused take effect
    alive = [p for p in pids if p not in gone and not os.waitpid(p, os.WNOHANG)[0]]
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass
    return {"forked": len(pids), "reported": held, "held": min(held, len(alive))}
'''


def _sandbox_call(sandbox, lesson: int, name: str, *args):
    with sandbox.submission("facts.py", FACTS.encode(), "facts", lesson) as impl:
        impl.begin_check(60, None)
        return impl.call(name, args, {}), impl.output()


# E01: a one-step configuration from a module that, in its own process, makes every loss 0
L09_FAKE_TRAINING = '''
import torch.nn.functional as _F

_F.cross_entropy = lambda *args, **kwargs: torch.zeros((), requires_grad=True)

def e01_config():
    return {"block_size": 3, "n_embd": 10, "n_hidden": 200, "steps": 1, "batch_size": 32,
            "optimizer": "sgd", "lr": 0.1, "schedule": "constant", "seed": 1}
'''


def test_e01_is_trained_by_the_grader_not_the_student():
    """`autograder grade --lesson 09`: the configuration crosses as plain data and the
    course's trainer runs in the grader, so the student's process cannot fake the loss."""
    checks = [c for c in collect(L09.checks) if c.todo == 4]
    assert any(c.info.slow for c in checks)
    got = _grade(L09, checks, {"solution": L09.solution.read_text(),
                               "fake_loss": _source(L09, L09_FAKE_TRAINING)}, timeout=120)
    assert got["solution"].score == _points(checks, {4}), [
        (c.name, c.message[:200]) for c in got["solution"].results if not c.passed]
    trained = {c.name: c for c in got["fake_loss"].results}["test_e01_config_trains"]
    assert not trained.passed and "the dev loss is at most 2.2" in trained.message, trained
    assert got["fake_loss"].score == _points(checks, {4}) - trained.max_points


def test_inside_the_sandbox():
    disk = 4 << 20
    with Sandbox(GradeOptions(jobs=1, isolation="full", disk=disk)) as sandbox:
        for lesson, given in ((1, []), (2, ["lesson01_bigram.py"]),
                              (3, ["lesson01_bigram.py", "lesson02_dataset.py"])):
            facts, output = _sandbox_call(sandbox, lesson, "facts", disk)
            assert facts["package"] == ["__init__.py", "given"]
            assert facts["given"] == ["__init__.py", *given], lesson
            assert facts["modules"] == ["autograder"]
        assert facts["unshare_user"] is False and facts["add_key"] is False
        assert facts["pids"] == ["1"], "the sandbox should have a /proc of its own"
        assert "cpuinfo" not in output
        for folder, written in facts["written"].items():
            assert written <= disk, (folder, written)
        # the slot came back each time
        assert len(sandbox._slots) == 1


def test_memory_is_accounted_per_submission():
    """With a memory cgroup, --memory bounds all processes of a submission together;
    without one, each process gets --memory and there are at most a few processes."""
    memory = 1 << 30
    with Sandbox(GradeOptions(jobs=1, isolation="full", memory=memory)) as sandbox:
        if sandbox.config.cgroup:
            assert "memory cgroup" in sandbox.memory_accounting
            # 1.8 GiB asked in 6 processes, each within its own address-space limit: at
            # most about 1 GiB is held. (At most 4 rather than 3: in full-suite runs on a
            # cgroup-v1 VM, 4 x 300 MiB sometimes lived in the 1 GiB cgroup, its recorded
            # peak at 1012 MiB and no OOM kill; the kernel's accounting has that slack.)
            got, _ = _sandbox_call(sandbox, 3, "hold", 6, 300)
            assert got["forked"] == 6 and got["held"] <= 4, got
        else:
            nproc = sandbox.config.limits.nproc
            assert nproc <= 16 and f"at most {nproc}" in sandbox.memory_accounting
            got, _ = _sandbox_call(sandbox, 3, "hold", 40, 1)
            assert got["forked"] < nproc, got


def test_uid_slots_come_back_whatever_happens(monkeypatch):
    with Sandbox(GradeOptions(jobs=2, isolation="full")) as sandbox:
        before = sorted(map(str, sandbox._slots))
        with pytest.raises(TypeError):
            with sandbox.submission("x.py", None, "x", 3):  # writing the module fails
                pass
        import autograder.sandbox.sandbox as sandbox_module

        def broken(*args, **kwargs):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(sandbox_module.tempfile, "mkdtemp", broken)
        with pytest.raises(OSError):
            with sandbox.submission("x.py", b"", "x", 3):
                pass
        assert sorted(map(str, sandbox._slots)) == before


def test_results_writer_survives_a_full_disk(tmp_path, monkeypatch):
    target = tmp_path / "results.json"
    assert atomic.write_atomically(target, "first\n")
    scratch = tmp_path / "scratch"
    scratch.write_text("")

    def full_mkstemp(dir=None, prefix=None):  # every write lands on /dev/full: ENOSPC
        return os.open("/dev/full", os.O_WRONLY), str(scratch)

    monkeypatch.setattr(atomic.tempfile, "mkstemp", full_mkstemp)
    warnings: list[str] = []
    assert atomic.write_atomically(target, "second\n", warn=warnings.append) is False
    assert target.read_text() == "first\n", "what was written is kept"
    assert warnings and "No space left" in warnings[0]


CORRECT03 = L03.solution.read_text()


def test_attackers_cost_their_neighbours_nothing(tmp_path):
    """A class where attackers (disk, memory, forged replies, huge strings) sit among
    correct submissions, graded two at a time: every neighbour gets full marks and
    every result is written as it comes."""
    folder = tmp_path / "class"
    folder.mkdir()
    for i in range(4):
        (folder / f"correct{i}.py").write_text(CORRECT03)
    (folder / "fills_disk.py").write_text(CORRECT03 + '''
import os
for _folder in (".", "/tmp", "/dev/shm"):
    for _i in range(1000):
        try:
            with open(f"{_folder}/fill{_i}", "wb") as _f:
                _f.write(b"x" * (1 << 20))
        except OSError:
            break
''')
    (folder / "hogs_memory.py").write_text(CORRECT03 + '''
import os, time
for _ in range(6):
    if os.fork() == 0:
        try:
            _keep = torch.ones(250 << 20, dtype=torch.uint8).add_(1)
        finally:
            time.sleep(30)
            os._exit(0)
''')
    (folder / "huge_strings.py").write_text(CORRECT03 + '''
def embed(C, X):
    raise type("E" * 2_000_000, (Exception,), {})("M" * 2_000_000)
''')
    out = tmp_path / "results.json"
    options = GradeOptions(jobs=2, timeout=10, total_timeout=60, memory=1 << 30,
                           disk=8 << 20, isolation="full")
    written: list[str] = []
    with Sandbox(options) as sandbox:
        grader = Grader(L03, sandbox)
        subs = find_submissions([folder], L03.module)
        done = []

        def save(result) -> None:
            done.append(result)
            assert atomic.write_atomically(out, formats.results_json(done))
            written.append(result.student)

        results = {r.student: r for r in grader.grade_all(subs, on_result=save)}
    for i in range(4):
        r = results[f"correct{i}"]
        assert r.score == r.max_score, [(c.name, c.message[:200]) for c in r.results]
    assert results["fills_disk"].score == results["fills_disk"].max_score
    assert sorted(written) == sorted(results)
    data = json.loads(out.read_text())
    assert set(data) == set(results)
    assert out.stat().st_size < 200_000
    assert all(data[f"correct{i}"]["score"] == data[f"correct{i}"]["max_score"]
               for i in range(4))


def test_names_are_distinct_and_stable(tmp_path):
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "embedding.py").write_text("a = 1\n")
    (tmp_path / "alice.py").write_text("a = 2\n")
    (tmp_path / "alice-2.py").write_text("a = 3\n")
    first = {s.student: s.content for s in find_submissions([tmp_path], "embedding")}
    again = {s.student: s.content for s in find_submissions([tmp_path], "embedding")}
    assert first == again and len(first) == 3
    assert first["alice-2"] == b"a = 3\n", "alice-2.py keeps its own name"
    assert first["alice"] == b"a = 1\n" and first["alice-3"] == b"a = 2\n"


def test_solutions_are_out_of_reach_of_a_linked_submission(tmp_path):
    (tmp_path / "bob").symlink_to(REPO_ROOT / "solutions" / "03", target_is_directory=True)
    (tmp_path / "carol").mkdir()
    (tmp_path / "carol" / "deep").mkdir()
    (tmp_path / "carol" / "deep" / "src").symlink_to(REPO_ROOT / "solutions" / "03",
                                                     target_is_directory=True)
    subs = {s.student: s for s in find_submissions([tmp_path], "embedding")}
    assert subs["bob"].content is None and "symbolic link" in subs["bob"].error
    assert subs["carol"].content is None and "symbolic link" in subs["carol"].error


@pytest.mark.parametrize("got,expected", [
    (torch.tensor([1.0, 2.0], dtype=torch.complex64), torch.tensor([1.0, 2.0])),  # complex/float
    (torch.tensor([1.0 + 5j, 2.0]), torch.tensor([1.0, 2.0])),  # the imaginary part matters
    (torch.tensor([1.0, 2.0]), torch.tensor([1, 2])),  # float for integer
    (torch.tensor([True, False]), torch.tensor([1, 0])),  # bool for a number
    (torch.tensor([1, 0]), torch.tensor([True, False])),  # a number for bool
])
def test_a_result_of_another_dtype_kind_fails_clearly(got, expected):
    from autograder.checking import CheckFailure, expect_close, expect_equal, matches

    assert not matches(got, expected)
    for expect in (expect_close, expect_equal):
        with pytest.raises(CheckFailure, match="wrong kind of dtype") as info:
            expect(got, expected, "f(x)", hint="the hint")
        assert "the hint" in str(info.value)
    assert matches(expected.clone(), expected)
    assert matches(torch.tensor([1.0 + 0j]), torch.tensor([1.0 + 1e-7j]))


SPIN = '''
import os

def spin():
    for _ in range(3):
        if os.fork() == 0:
            while True:
                pass
    while True:
        pass
'''

GRADER = '''
import sys
from autograder.grading.grade import GradeOptions, Sandbox
with Sandbox(GradeOptions(jobs=1, isolation=sys.argv[1])) as sandbox:
    with sandbox.submission("spin.py", sys.argv[2].encode(), "spin", 3) as impl:
        impl.begin_check(600, None)
        print("ready", flush=True)
        impl.call("spin", (), {})
'''


def _processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, start time) of every process."""
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            out[int(entry)] = (int(fields[1]), fields[19])
    return out


def _descendants(root: int) -> dict[int, str]:
    """pid -> start time of every living descendant of ``root``."""
    children: dict[int, list[int]] = {}
    procs = _processes()
    for pid, (ppid, _) in procs.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = {}, [root]
    while todo:
        for pid in children.get(todo.pop(), []):
            found[pid] = procs[pid][1]
            todo.append(pid)
    return found


def _runs(prefix: list[str], python: str) -> bool:
    """Whether ``python`` run through ``prefix`` (another user) imports the course and torch."""
    probe = subprocess.run([*prefix, python, "-c", "import autograder.sandbox.zygote, torch"],
                           capture_output=True, timeout=120)
    return probe.returncode == 0


def _python_for(prefix: list[str], home: Path) -> str:
    """An interpreter that the user of ``prefix`` can run, with this environment's packages.

    A virtual environment's python links to the interpreter it was made from, which on a
    freshly made machine lies under /root (mode 0700): no other user can run it. Then a
    venv is made in ``home`` from a system interpreter of the same version, and a .pth
    file adds this environment's site-packages (the course's editable install included).
    LookupError says why, where there is no such interpreter."""
    if _runs(prefix, sys.executable):
        return sys.executable
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    tried = []
    for base in dict.fromkeys((f"/usr/bin/python{version}", f"/usr/local/bin/python{version}")):
        if not os.access(base, os.X_OK):
            continue
        tried.append(base)
        venv = home / "venv"
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True,
                       capture_output=True, timeout=120)
        site_dir = subprocess.run(
            [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            check=True, capture_output=True, text=True).stdout.strip()
        ours = [p for p in dict.fromkeys((sysconfig.get_path("purelib"), sysconfig.get_path("platlib")))]
        Path(site_dir, "course-env.pth").write_text(
            "".join(f"import site; site.addsitedir({p!r})\n" for p in ours))
        if _runs(prefix, str(venv / "bin" / "python")):
            return str(venv / "bin" / "python")
    raise LookupError(
        f"uid 65534 cannot run {sys.executable} (it lies under a folder closed to other users, "
        f"such as /root at mode 0700) and no system python{version} that it can run serves "
        f"this environment's packages (tried: {', '.join(tried) or 'none found'})")


@pytest.mark.parametrize("user", ["self", "nobody"])
@pytest.mark.parametrize("isolation", ["full", "basic"])
def test_a_killed_grader_leaves_no_submission_running(isolation, user):
    """A grader killed outright (SIGKILL: no clean-up runs) takes its submissions with
    it, even one busy in a loop with children of its own; as root and as an ordinary
    user (uid 65534, through setpriv, when the tests run as root)."""
    command = [sys.executable, "-c", GRADER, isolation, SPIN]
    if user == "nobody":
        if os.getuid() != 0 or not shutil.which("setpriv"):
            pytest.skip("runs as an ordinary user already" if os.getuid() else "no setpriv")
        home = tempfile.mkdtemp(prefix="autograder-nobody-")  # pytest's tmp is root's only
        os.chmod(home, 0o777)
        as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                     "env", f"HOME={home}", f"TMPDIR={home}"]
        try:
            python = _python_for(as_nobody, Path(home))
        except LookupError as exc:
            shutil.rmtree(home, ignore_errors=True)
            pytest.skip(str(exc))
        command = [*as_nobody, python, *command[1:]]
    grader = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    try:
        assert grader.stdout.readline().strip() == "ready", grader.stderr.read()
        family: dict[int, str] = {}
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # the zygote, supervisor, worker and 3 children
            family = _descendants(grader.pid)
            if len(family) >= 6:
                break
            time.sleep(0.1)
        assert len(family) >= 6, family
    finally:
        grader.send_signal(signal.SIGKILL)
        grader.wait()
        if user == "nobody":
            shutil.rmtree(home, ignore_errors=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        procs = _processes()
        left = {pid for pid, start in family.items() if procs.get(pid, (0, ""))[1] == start}
        if not left:
            break
        time.sleep(0.1)
    assert not left, {pid: Path(f"/proc/{pid}/cmdline").read_bytes() for pid in left}
