"""Shared constants for the revocation tests (a uniquely named module, unlike `conftest`)."""

from __future__ import annotations

from datetime import datetime, timezone

NOW = datetime.now(timezone.utc).replace(microsecond=0)
