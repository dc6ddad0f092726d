"""Explicit work budgets for path building and validation, so hostile input costs bounded work.

Two layers: `Budget` counts the work of one certificate validation (deterministic: the same input
always stops at the same point), and `Limits` is what the caller allows one whole request (a
wall-clock deadline, a CPU-time limit, a cancel flag set when the client goes away). Every budget
point checks the limits now and then, so a request that is over its time or abandoned stops at the
next point instead of running on in a worker.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from trustsvc.errors import PathError


class BudgetExhausted(PathError):
    """A budget ran out: the answer is INDETERMINATE, never an unbounded search."""


class Cancelled(BudgetExhausted):
    """The request's time limit passed or its client went away: stop at the next budget point."""


@dataclass(frozen=True)
class Limits:
    """What one request may spend: `deadline` on time.monotonic(), `cpu_deadline` on time.thread_time()."""

    deadline: float | None = None
    cpu_deadline: float | None = None
    cancel: threading.Event | None = None
    seconds: float | None = None
    cpu_seconds: float | None = None

    def check(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled("verification cancelled: the client went away or the request was stopped")
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise Cancelled(f"time limit of {self.seconds:g} s for one request reached")
        if self.cpu_deadline is not None and time.thread_time() > self.cpu_deadline:
            raise Cancelled(f"CPU-time limit of {self.cpu_seconds:g} s for one request reached")


_current: ContextVar[Limits | None] = ContextVar("trustsvc_limits", default=None)


def current_limits() -> Limits | None:
    """The limits set by the innermost `limits()` block in this thread / task, if any."""
    return _current.get()


@contextmanager
def limits(*, seconds: float | None = None, cpu_seconds: float | None = None,
           cancel: threading.Event | None = None) -> Iterator[Limits]:
    """Run the validations inside the block under a time limit, a CPU-time limit (of this thread) and a cancel flag.

    Use it in the thread that runs the verification: CPU time is the calling thread's.
    """
    lim = Limits(deadline=time.monotonic() + seconds if seconds else None,
                 cpu_deadline=time.thread_time() + cpu_seconds if cpu_seconds else None,
                 cancel=cancel, seconds=seconds, cpu_seconds=cpu_seconds)
    token = _current.set(lim)
    try:
        yield lim
    finally:
        _current.reset(token)


def check_limits() -> None:
    """Raise Cancelled if the current request is over its limits (for loops outside path building)."""
    lim = _current.get()
    if lim is not None:
        lim.check()


# Limits are read every this many budget steps (a clock read is cheap, but not free).
_CHECK_EVERY = 32


@dataclass
class Budget:
    """Counters decremented as work is done (rustls-webpki `Budget` shape); any reaching zero stops.

    `signatures` counts signature checks that succeeded (each one can extend the search);
    `rejected_signatures` those that failed, which end their candidate at once, so a flood of
    forged issuers costs one check each without starving the genuine one. `steps` counts every
    other unit of path-building work: candidate lookups, candidates considered, loop checks.
    """

    signatures: int = 400
    rejected_signatures: int = 1024
    build_calls: int = 20_000
    steps: int = 200_000
    depth: int = 16
    name_comparisons: int = 250_000
    candidate_paths: int = 64
    revocation_depth: int = 6
    # Per-call memo of end-entity signature results (the global cache keeps only CA certificates).
    verified: dict = field(default_factory=dict, repr=False)
    limits: Limits | None = field(default_factory=current_limits, repr=False)
    _ticks: int = field(default=0, repr=False)

    def _tick(self) -> None:
        self._ticks += 1
        if self.limits is not None and self._ticks % _CHECK_EVERY == 0:
            self.limits.check()

    def check_limits(self) -> None:
        """Check the request's limits now (before work that is expensive in itself)."""
        if self.limits is not None:
            self.limits.check()

    def signature(self) -> None:
        """One signature check is about to run (charged as accepted; `rejected` moves it if it fails)."""
        self.check_limits()
        self.signatures -= 1
        if self.signatures < 0:
            raise BudgetExhausted("signature-check budget exhausted")

    def rejected(self) -> None:
        """The check charged by `signature()` failed: it costs the rejected-signature budget instead."""
        self.signatures += 1
        self.rejected_signatures -= 1
        if self.rejected_signatures < 0:
            raise BudgetExhausted("budget for signatures that do not verify exhausted (too many forged issuers)")

    def build_call(self) -> None:
        self._tick()
        self.build_calls -= 1
        if self.build_calls < 0:
            raise BudgetExhausted("path-building budget exhausted (too many candidate issuers)")

    def step(self, n: int = 1) -> None:
        """`n` units of path-building work (a candidate lookup, a candidate considered, a loop check)."""
        self._tick()
        self.steps -= n
        if self.steps < 0:
            raise BudgetExhausted("path-building step budget exhausted (too many candidate issuers)")

    def name_comparison(self) -> None:
        self._tick()
        self.name_comparisons -= 1
        if self.name_comparisons < 0:
            raise BudgetExhausted("name-constraint comparison budget exhausted")

    def candidate_path(self) -> None:
        self.check_limits()
        self.candidate_paths -= 1
        if self.candidate_paths < 0:
            raise BudgetExhausted("candidate-path budget exhausted")
