"""Trust anchors: the certificates a path may end at (given explicitly or from trust lists)."""

from __future__ import annotations

from dataclasses import dataclass

from trustsvc.x509.certificate import Certificate


@dataclass(frozen=True)
class TrustAnchor:
    """A trusted name + key, carried as a certificate (RFC 5280 6.1.1 (d)); not itself validated."""

    certificate: Certificate
    source: str = "explicit"  # "explicit" | "trust-list"
    label: str | None = None  # e.g. "HK / Hongkong Post Root CA 3" for reports
