"""The fork server: this process imports the heavy libraries once and forks a child per task, each in a slot
with its own scratch files, work copy and timeout.

A child writes its outcome (a JSON dict) to ``result-<slot>.json`` and its output to ``slot-<slot>.log`` in the
scratch folder; :func:`extend_deadline` lets it replace its timeout once it knows its work.
"""
from __future__ import annotations

import importlib
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from tools.mutation.mutants import PROJECT_PACKAGES, ROOT

#: Imported once by the server and shared by every forked child.
HEAVY_LIBRARIES = ("mpmath", "numba", "numpy", "scipy.integrate", "scipy.linalg", "scipy.optimize", "sympy")

_DEADLINE_FILE: list[Path] = []


def import_heavy_libraries() -> None:
    """Import :data:`HEAVY_LIBRARIES` here, before forking, so that no child pays for them."""
    for name in HEAVY_LIBRARIES:
        importlib.import_module(name)


def make_workcopy(dest: Path, root: Path = ROOT) -> Path:
    """A scratch copy of the repository's sources (no virtualenv, caches, reports or notebooks)."""
    shutil.copytree(root, dest, ignore=shutil.ignore_patterns(
        ".venv", ".git", "__pycache__", "*.egg-info", "reports", "notebooks", ".hypothesis", ".pytest_cache"))
    return dest


def fresh_project(work: Path) -> None:
    """Forget every imported module of :data:`PROJECT_PACKAGES` and import them from ``work`` from now on
    (in a child: the repository's own folder leaves ``sys.path``)."""
    for name in list(sys.modules):
        if name.split(".")[0] in PROJECT_PACKAGES:
            del sys.modules[name]
    sys.path[:] = [str(work)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT.resolve()]
    importlib.invalidate_caches()


def extend_deadline(seconds: float) -> None:
    """From inside a child of :func:`run_forked`: replace its timeout by ``seconds`` from now."""
    if _DEADLINE_FILE:
        _DEADLINE_FILE[0].write_text(repr(float(seconds)), encoding="utf-8")


@dataclass
class Job:
    """A running child: its task, slot, start, deadline (``time.monotonic``) and result file."""

    task: object
    slot: int
    start: float
    deadline: float
    result: Path


def run_forked(tasks: Iterable[object], child: Callable[[object, int], dict], done: Callable[[object, int, dict], None],
               workers: int = 1, timeout: Callable[[object], float] = lambda t: 3600.0,
               scratch: Path | None = None, poll: float = 0.05) -> None:
    """Run ``child(task, slot)`` in a forked process per task, at most ``workers`` at once; call
    ``done(task, slot, outcome)`` in this process with the dict the child returned, or
    ``{"status": "timeout"}`` (killed after ``timeout(task)`` seconds) or ``{"status": "crash", ...}``."""
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    scratch = Path(scratch or tempfile.mkdtemp(prefix="mutation-"))
    queue, free, running = list(tasks), list(range(workers)), {}
    sys.stdout.flush()
    sys.stderr.flush()
    while queue or running:
        while queue and free:
            task, slot = queue.pop(0), free.pop(0)
            pid = _fork(task, slot, child, scratch)
            now = time.monotonic()
            running[pid] = Job(task, slot, now, now + timeout(task), scratch / f"result-{slot}.json")
        time.sleep(poll)
        for pid, job in list(running.items()):
            outcome = _outcome(pid, job, scratch)
            if outcome is not None:
                del running[pid]
                free.append(job.slot)
                done(job.task, job.slot, outcome)


def _fork(task: object, slot: int, child: Callable[[object, int], dict], scratch: Path) -> int:
    """Start ``child(task, slot)`` in a new process group; its pid."""
    result, deadline = scratch / f"result-{slot}.json", scratch / f"deadline-{slot}"
    result.unlink(missing_ok=True)
    deadline.unlink(missing_ok=True)
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            os.setpgid(0, 0)
            log = os.open(scratch / f"slot-{slot}.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(log, 1)
            os.dup2(log, 2)
            _DEADLINE_FILE[:] = [deadline]
            result.write_text(json.dumps(child(task, slot)), encoding="utf-8")
        except BaseException as exc:  # noqa: BLE001 - any failure is reported, never raised
            try:
                result.write_text(json.dumps({"status": "crash", "error": f"{type(exc).__name__}: {exc}"[:200]}))
            except BaseException:  # noqa: BLE001
                pass
        finally:
            sys.stdout.flush()
            os._exit(0)
    try:
        os.setpgid(pid, pid)
    except OSError:
        pass
    return pid


def _outcome(pid: int, job: Job, scratch: Path) -> dict | None:
    """The outcome of a child that finished or overran its deadline (then killed), else None."""
    finished, _ = os.waitpid(pid, os.WNOHANG)
    new_deadline = scratch / f"deadline-{job.slot}"
    if new_deadline.exists():
        try:
            job.deadline = new_deadline.stat().st_mtime - time.time() + time.monotonic() \
                + float(new_deadline.read_text(encoding="utf-8"))
            new_deadline.unlink()
        except (OSError, ValueError):
            pass  # being written: read it at the next poll
    if not finished and time.monotonic() > job.deadline:
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        outcome = {"status": "timeout", "seconds": round(time.monotonic() - job.start, 1)}
    elif not finished:
        return None
    elif job.result.exists():
        outcome = json.loads(job.result.read_text(encoding="utf-8"))
    else:
        outcome = {"status": "crash", "error": "the child died without a result"}
    outcome.setdefault("seconds", round(time.monotonic() - job.start, 1))
    return outcome
