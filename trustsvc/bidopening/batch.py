"""Run a bid opening: every item through the same per-line code as `POST /v1/verify/batch`, in order.

Results come back in input order while a small thread pool works ahead (a bounded window, so memory
does not grow with the batch); `Summary` counts them per indication and per reason for the closing
lines and the minutes.
"""

from __future__ import annotations

import json
from collections import Counter, deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from trustsvc.bidopening.inputs import BatchItem, as_api_line

PASSED = ("PASSED", "TOTAL-PASSED")
FAILED = ("FAILED", "TOTAL-FAILED")


def verdict_of(indication: str | None) -> str:
    """passed | failed | indeterminate, for certificate and signature indications alike."""
    if indication in PASSED:
        return "passed"
    if indication in FAILED:
        return "failed"
    return "indeterminate"


@dataclass
class Summary:
    total: int = 0
    verdicts: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)  # sub-indication -> count, for the items not passed

    def add(self, result: dict[str, Any]) -> None:
        self.total += 1
        verdict = verdict_of(result.get("indication"))
        self.verdicts[verdict] += 1
        if verdict != "passed":
            self.reasons[result.get("sub_indication") or "GENERIC"] += 1

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "passed": self.verdicts["passed"], "failed": self.verdicts["failed"],
                "indeterminate": self.verdicts["indeterminate"], "reasons": dict(self.reasons.most_common())}


def _with_defaults(item: BatchItem, defaults: dict[str, Any]) -> BatchItem:
    kind = item.item.get("type", "certificate")
    allowed = {"certificate": ("usage", "lang", "profile"), "signature": ("usage", "deadline", "lang", "profile"),
               "timestamp": ("deadline", "lang", "profile")}.get(kind, ())
    for name in allowed:
        if defaults.get(name) is not None:
            item.item.setdefault(name, defaults[name])
    return item


def _error_result(index: int, item: BatchItem) -> dict[str, Any]:
    kind = item.item.get("type", "signature") if item.item else "signature"
    failed = "FAILED" if kind == "certificate" else "TOTAL-FAILED"
    return {"index": index, "id": item.id, "kind": kind, "indication": failed, "sub_indication": "FORMAT_FAILURE",
            "error": {"detail": item.error}}


def run_batch(items: Iterable[BatchItem], *, store: Any, defaults: dict[str, Any] | None = None,
              zone: str | None = None, workers: int = 2, window: int = 16,
              on_result: Callable[[dict[str, Any]], None] | None = None) -> Iterator[dict[str, Any]]:
    """Yield one result per item, in order: the API batch's envelope plus `source` (file or line)."""
    from trustsvc.api.routes_verify import _process

    defaults = defaults or {}

    def one(index: int, item: BatchItem) -> dict[str, Any]:
        if item.error is not None:
            out = _error_result(index, item)
        else:
            line = as_api_line(_with_defaults(item, defaults))
            out = json.loads(_process(index, line, store, None, lambda *_: None, zone=zone))
        out["source"] = item.source
        return out

    pending: deque[Future[dict[str, Any]]] = deque()
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="bid-opening") as pool:
        for index, item in enumerate(items):
            pending.append(pool.submit(one, index, item))
            while len(pending) >= window:
                result = pending.popleft().result()
                if on_result:
                    on_result(result)
                yield result
        while pending:
            result = pending.popleft().result()
            if on_result:
                on_result(result)
            yield result


__all__ = ["Summary", "run_batch", "verdict_of"]
