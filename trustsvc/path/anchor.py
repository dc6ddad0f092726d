"""Trust anchors: the certificates a path may end at (given explicitly or from trust lists)."""

from __future__ import annotations

from dataclasses import dataclass

from trustsvc.x509.certificate import Certificate


@dataclass(frozen=True)
class TrustAnchor:
    """A trusted name + key, carried as a certificate (RFC 5280 6.1.1 (d)).

    Its signature is not validated (trust comes from the list that names it), but the constraints it carries are
    (RFC 5937: validity, basicConstraints, keyUsage, nameConstraints, pathLenConstraint; see path/validate.py).
    """

    certificate: Certificate
    source: str = "explicit"  # "explicit" | "trust-list"
    label: str | None = None  # e.g. "HK / Hongkong Post Root CA 3" for reports
    # "lenient" when the trust list declares the CA needs the lenient RFC 5280 profile (path/profile.py); the
    # operator's decision, applied to every path ending here and named in the report's warnings.
    profile: str | None = None
