"""Structured logs: one JSON object per line (python-json-logger), each carrying the request id.

A request's id is the caller's `X-Request-ID` (when it is a sane token) or a fresh one; the API returns it
in `X-Request-ID`, puts it in problem+json bodies, and every log line written while the request is served
carries it (a context variable, so worker threads of the same request see it too). `trustsvc serve` logs
JSON by default (`TRUSTSVC_LOG_FORMAT=text` for people at a terminal).
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from typing import Any

REQUEST_ID_HEADER = "x-request-id"
_SANE = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("trustsvc_request_id", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


def bind_request_id(incoming: bytes | str | None) -> tuple[str, contextvars.Token[str | None]]:
    """The id for this request (the caller's, if sane, else a new one), bound for the request's log lines."""
    if isinstance(incoming, bytes):
        incoming = incoming.decode("latin-1")
    rid = incoming if incoming and _SANE.fullmatch(incoming) else uuid.uuid4().hex
    return rid, _request_id.set(rid)


def reset_request_id(token: contextvars.Token[str | None]) -> None:
    _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (or None outside a request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        return True


def log_config(level: str = "info", fmt: str = "json") -> dict[str, Any]:
    """A logging.dictConfig for uvicorn and trustsvc: JSON lines (or plain text) with the request id.

    uvicorn's own access log is replaced by `trustsvc.access` lines written by the API middleware (they
    know the request id, route and duration)."""
    level = level.upper()
    if fmt == "json":
        formatter: dict[str, Any] = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "timestamp": False,
        }
    else:
        formatter = {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    handler = {"class": "logging.StreamHandler", "formatter": "default", "filters": ["request_id"],
               "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"default": formatter},
        "handlers": {"default": handler},
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "trustsvc": {"handlers": ["default"], "level": level, "propagate": False},
        },
    }


access_log = logging.getLogger("trustsvc.access")

__all__ = ["REQUEST_ID_HEADER", "access_log", "bind_request_id", "current_request_id", "log_config",
           "reset_request_id"]
