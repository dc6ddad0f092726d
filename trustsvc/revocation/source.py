"""Where revocation material comes from: an injected source (supplied data, or a fetcher at the edge)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

from trustsvc.x509.certificate import Certificate

__all__ = ["ExplainingRevocationSource", "RevocationSource", "SuppliedRevocationSource"]


@runtime_checkable
class RevocationSource(Protocol):
    """Yields candidate revocation data for a certificate; the path engine checks what it gets.

    Sources may return unrelated material: the engine matches CRLs to certificates by issuer,
    scope and distribution point (RFC 5280 6.3.3) and OCSP responses by CertID (RFC 6960 4.1.1).
    """

    def crls_for(self, cert: Certificate, issuer: Certificate | None) -> Sequence[bytes]:
        """Candidate DER CRLs (complete and delta) that may cover `cert`."""
        ...

    def ocsp_for(self, cert: Certificate, issuer: Certificate) -> Sequence[bytes]:
        """Candidate DER OCSPResponses for `cert` issued by `issuer`."""
        ...


@runtime_checkable
class ExplainingRevocationSource(RevocationSource, Protocol):
    """A source that can say what it tried and could not use (a fetching source: SSRF refusals, time-outs,
    size limits), so the report names it; `begin` is called before a certificate's material is asked for."""

    def begin(self, cert: Certificate) -> None:
        """Forget what was refused for `cert` before: what follows is recorded afresh."""
        ...

    def reasons_for(self, cert: Certificate) -> list[str]:
        """Why material for `cert` could not be obtained, one reason per URL tried."""
        ...


class SuppliedRevocationSource:
    """Revocation data supplied with the request (request body, CMS RevocationInfoChoices)."""

    def __init__(self, crls: Iterable[bytes] = (), ocsp_responses: Iterable[bytes] = ()) -> None:
        self._crls = [bytes(c) for c in crls]
        self._ocsp = [bytes(o) for o in ocsp_responses]

    def crls_for(self, cert: Certificate, issuer: Certificate | None) -> Sequence[bytes]:
        return self._crls

    def ocsp_for(self, cert: Certificate, issuer: Certificate) -> Sequence[bytes]:
        return self._ocsp
