"""The entry of a trust-list history in force at a time (TS 119 612 5.5.4 / 5.6 service history, and the
equivalence history of an MRA): histories are kept oldest first, each entry in force from its `start`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol, TypeVar


class _Started(Protocol):
    @property
    def start(self) -> datetime: ...


T = TypeVar("T", bound=_Started)


def in_force_at(history: Iterable[T], at: datetime) -> T | None:
    """The latest entry that started at or before `at`; None before the first one."""
    current = None
    for entry in history:
        if entry.start <= at:
            current = entry
    return current


__all__ = ["in_force_at"]
