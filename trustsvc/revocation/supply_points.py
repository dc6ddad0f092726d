"""Trust-list supply points (ETSI TS 119 612 5.5.11 ServiceSupplyPoints) as a revocation source's first URLs."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from trustsvc.x509.certificate import Certificate

if TYPE_CHECKING:  # the trust lists sit beside revocation; only their type is named here
    from trustsvc.trustlist.store import TrustStore

__all__ = ["trust_list_supply_points"]


def _kind_of(url: str) -> str | None:
    """"ocsp" or "crl" for an http(s) supply point that names one, else None (a CA's web page, LDAP, ...)."""
    low = url.lower()
    if not low.startswith(("http://", "https://")):
        return None
    if "ocsp" in low:
        return "ocsp"
    if "crl" in low:
        return "crl"
    return None


def trust_list_supply_points(
        store_of: Callable[[], "TrustStore | None"]) -> Callable[[Certificate, Certificate | None, str], list[str]]:
    """A `SupplyPoints` callback over the current trust store (`store_of()`, re-read on every call so a
    reloaded store is used): the supply points of the listed services whose digital identity is the
    certificate's issuer, the ones that name OCSP for kind "ocsp" and CRLs for kind "crl"."""

    def points(cert: Certificate, issuer: Certificate | None, kind: str) -> list[str]:
        if issuer is None:
            return []
        store = store_of()
        if store is None:
            return []
        out: list[str] = []
        for accepted in store.lists.values():
            for svc in accepted.trust_list.services:
                if not svc.supply_points or not any(i.matches(issuer) for i in svc.identities):
                    continue
                out.extend(u for u in svc.supply_points if _kind_of(u) == kind and u not in out)
        return out

    return points
