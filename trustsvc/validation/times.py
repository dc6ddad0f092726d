"""Times a caller gives, and times a report shows: every time carries a zone, or the platform's zone applies.

A bid deadline written `2026-12-05T07:00:00` means Beijing time on a Guangdong platform and UTC
nowhere; reading it as UTC let a bid stamped at 07:15:51 Beijing time (23:15:51 UTC the day
before) through. So a time without an offset is an error naming its field, unless the platform
has configured its zone (`TRUSTSVC_PLATFORM_TIMEZONE=Asia/Shanghai`, CLI `--timezone`), in which
case it is read in that zone. Reports show each time in UTC and, when a zone is configured, in it.
"""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from trustsvc.errors import InputFormatError

ENV_VAR = "TRUSTSVC_PLATFORM_TIMEZONE"


class NaiveTimeError(InputFormatError):
    """A time without a UTC offset and no platform zone to read it in."""

    def __init__(self, field: str, value: object) -> None:
        super().__init__(f"{field} {value!s} has no UTC offset: write it with one (e.g. "
                         f"2026-12-05T07:00:00+08:00 or ...Z) or configure the platform time zone "
                         f"({ENV_VAR}, CLI --timezone)")
        self.field = field


class UnknownZoneError(InputFormatError):
    """A platform time zone name that is not in the IANA database."""


def zone_of(name: str | tzinfo | None) -> tzinfo | None:
    """The zone for an IANA name (`Asia/Shanghai`, `UTC`), a tzinfo as is, or None."""
    if name is None or isinstance(name, tzinfo):
        return name
    name = name.strip()
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownZoneError(f"time zone {name!r} is not an IANA time zone name such as Asia/Shanghai") from None


def zone_name(zone: tzinfo | None) -> str | None:
    if zone is None:
        return None
    return getattr(zone, "key", None) or str(zone)


def parse_time(value: datetime | str | None, field: str, zone: str | tzinfo | None = None) -> datetime | None:
    """An aware datetime from ISO 8601 text or a datetime; a naive one is read in `zone`, else NaiveTimeError."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            t = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text)
        except ValueError:
            raise InputFormatError(f"{field} {value!r} is not an ISO 8601 time") from None
    elif isinstance(value, datetime):
        t = value
    else:
        raise InputFormatError(f"{field} must be an ISO 8601 time, not {type(value).__name__}")
    if t.tzinfo is None or t.utcoffset() is None:
        z = zone_of(zone)
        if z is None:
            raise NaiveTimeError(field, value)
        # PEP 495: fold=0 picks the earlier of two readings of an ambiguous local time.
        t = t.replace(tzinfo=z)
    # Year 1 with a positive offset or 9999 with a negative one has no UTC reading (OverflowError -> 500 before),
    # and validation adds and subtracts days: refuse the extremes as bad input (issue 14).
    try:
        u = t.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        u = None
    if u is None or not 2 <= u.year <= 9998:
        raise InputFormatError(f"{field} {value!s} is outside the supported range (years 2..9998)")
    return t


def utc_iso(t: datetime) -> str:
    return t.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def local_iso(t: datetime | None, zone: str | tzinfo | None) -> str | None:
    """`t` in the platform zone with its offset (`2026-12-05T07:15:51+08:00`), or None without a zone."""
    z = zone_of(zone)
    if t is None or z is None:
        return None
    return t.astimezone(z).isoformat()


def fmt_time(t: datetime, zone: str | tzinfo | None = None) -> str:
    """UTC, and the platform zone beside it: `2026-12-04T23:15:51Z (2026-12-05T07:15:51+08:00 Asia/Shanghai)`."""
    z = zone_of(zone)
    if z is None:
        return utc_iso(t)
    return f"{utc_iso(t)} ({t.astimezone(z).isoformat()} {zone_name(z)})"


__all__ = ["ENV_VAR", "NaiveTimeError", "UnknownZoneError", "fmt_time", "local_iso", "parse_time", "utc_iso",
           "zone_name", "zone_of"]
