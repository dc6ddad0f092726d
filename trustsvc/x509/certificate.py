"""A parsed certificate with the derived facts path building and validation need, computed once."""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import cached_property

from asn1crypto import keys, x509

from trustsvc.errors import InputFormatError


# SKI, keyUsage, basicConstraints, AKI (RFC 5280 4.2.1.1-3, 4.2.1.9): cheap to parse in full at load, and a
# malformed one would otherwise raise ValueError deep inside path building (found by tests/fuzz).
_EAGER_EXTENSIONS = frozenset({"2.5.29.14", "2.5.29.15", "2.5.29.19", "2.5.29.35"})


class Certificate:
    """An immutable, fully parsed X.509 certificate (asn1crypto underneath) with cached derived facts."""

    __slots__ = ("der", "asn1", "__dict__")

    def __init__(self, der: bytes, asn1: x509.Certificate) -> None:
        self.der = der
        self.asn1 = asn1

    @classmethod
    def from_der(cls, der: bytes) -> "Certificate":
        from trustsvc.x509.load import MAX_CERT_BYTES

        if len(der) > MAX_CERT_BYTES:
            raise InputFormatError(f"certificate: {len(der)} bytes exceeds the {MAX_CERT_BYTES}-byte limit")
        try:
            cert = x509.Certificate.load(der, strict=True)
            # Force the full parse of the fields we rely on so malformed input fails here, typed.
            tbs = cert["tbs_certificate"]
            tbs["version"].native
            tbs["serial_number"].native
            tbs["subject"].native
            tbs["issuer"].native
            tbs["validity"].native
            tbs["subject_public_key_info"]["algorithm"].native
            cert["signature_algorithm"].native
            cert["signature_value"].native
            for ext in tbs["extensions"]:
                parsed = ext["extn_value"].parsed
                if parsed is not None and ext["extn_id"].dotted in _EAGER_EXTENSIONS:
                    parsed.native  # small values read on every path step parse lazily too (tests/fuzz)
        except (ValueError, TypeError, KeyError, OverflowError, AttributeError, IndexError) as exc:  # IndexError: fuzz
            raise InputFormatError(f"certificate: malformed DER ({exc})") from None
        return cls(der, cert)

    # --- identity -----------------------------------------------------------------------
    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.der).hexdigest()

    @cached_property
    def subject(self) -> x509.Name:
        return self.asn1.subject

    @cached_property
    def issuer(self) -> x509.Name:
        return self.asn1.issuer

    @cached_property
    def subject_str(self) -> str:
        return self.subject.human_friendly

    @cached_property
    def issuer_str(self) -> str:
        return self.issuer.human_friendly

    @cached_property
    def serial_number(self) -> int:
        return self.asn1.serial_number

    @cached_property
    def self_issued(self) -> bool:
        # RFC 5280 6.1: self-issued = subject and issuer names match (name comparison rules of 7.1)
        return self.asn1.self_issued

    # --- keys and signature ----------------------------------------------------------------
    @cached_property
    def spki(self) -> keys.PublicKeyInfo:
        return self.asn1.public_key

    @cached_property
    def spki_der(self) -> bytes:
        return self.spki.dump()

    @cached_property
    def tbs_der(self) -> bytes:
        return self.asn1["tbs_certificate"].dump()

    @cached_property
    def signature_algorithm(self):
        return self.asn1["signature_algorithm"]

    @cached_property
    def signature(self) -> bytes:
        return self.asn1["signature_value"].native

    @cached_property
    def ski(self) -> bytes | None:
        return self.asn1.key_identifier

    @cached_property
    def aki(self) -> bytes | None:
        return self.asn1.authority_key_identifier


    # --- extensions (RFC 5280 4.2), parsed once ----------------------------------------------
    @cached_property
    def version(self) -> int:
        return self.asn1["tbs_certificate"]["version"].native and int(self.asn1["tbs_certificate"]["version"].native[1:]) or 1

    @cached_property
    def extensions(self) -> dict[str, tuple[bool, object]]:
        """Extension OID (dotted) -> (critical, parsed value)."""
        out: dict[str, tuple[bool, object]] = {}
        for ext in self.asn1["tbs_certificate"]["extensions"]:
            out[ext["extn_id"].dotted] = (bool(ext["critical"].native), ext["extn_value"].parsed)
        return out

    @cached_property
    def critical_extension_oids(self) -> frozenset[str]:
        return frozenset(oid for oid, (crit, _v) in self.extensions.items() if crit)

    def ext(self, oid: str):
        """The parsed value of extension `oid`, or None."""
        item = self.extensions.get(oid)
        return None if item is None else item[1]

    @cached_property
    def is_ca(self) -> bool:
        bc = self.ext("2.5.29.19")
        return bool(bc is not None and bc["ca"].native)

    @cached_property
    def path_len_constraint(self) -> int | None:
        bc = self.ext("2.5.29.19")
        return None if bc is None else bc["path_len_constraint"].native

    @cached_property
    def key_usage(self) -> frozenset[str] | None:
        ku = self.ext("2.5.29.15")
        return None if ku is None else frozenset(ku.native)

    @cached_property
    def extended_key_usage(self) -> frozenset[str] | None:
        eku = self.ext("2.5.29.37")
        return None if eku is None else frozenset(p.dotted for p in eku)

    @cached_property
    def policies(self) -> dict[str, list] | None:
        """certificatePolicies: policy OID -> qualifiers (native), or None when absent."""
        cp = self.ext("2.5.29.32")
        if cp is None:
            return None
        out: dict[str, list] = {}
        for info in cp:
            quals = info["policy_qualifiers"]
            out[info["policy_identifier"].dotted] = quals.native if quals else []
        return out

    @cached_property
    def policy_mappings(self) -> list[tuple[str, str]] | None:
        pm = self.ext("2.5.29.33")
        if pm is None:
            return None
        return [(m["issuer_domain_policy"].dotted, m["subject_domain_policy"].dotted) for m in pm]

    @cached_property
    def policy_constraints(self) -> tuple[int | None, int | None]:
        """(requireExplicitPolicy, inhibitPolicyMapping) skip counts."""
        pc = self.ext("2.5.29.36")
        if pc is None:
            return (None, None)
        return (pc["require_explicit_policy"].native, pc["inhibit_policy_mapping"].native)

    @cached_property
    def inhibit_any_policy(self) -> int | None:
        v = self.ext("2.5.29.54")
        return None if v is None else v.native

    @cached_property
    def name_constraints(self):
        return self.ext("2.5.29.30")

    @cached_property
    def subject_alt_names(self) -> list:
        san = self.ext("2.5.29.17")
        return [] if san is None else list(san)

    @cached_property
    def crl_distribution_points(self) -> list | None:
        cdp = self.ext("2.5.29.31")
        return None if cdp is None else list(cdp)

    @cached_property
    def subject_key(self) -> str:
        """Normalised subject name (RFC 5280 7.1 comparison), for indexes."""
        return self.subject.hashable

    @cached_property
    def issuer_key(self) -> str:
        return self.issuer.hashable

    # --- validity -------------------------------------------------------------------------
    @cached_property
    def not_before(self) -> datetime:
        return self.asn1["tbs_certificate"]["validity"]["not_before"].native

    @cached_property
    def not_after(self) -> datetime:
        return self.asn1["tbs_certificate"]["validity"]["not_after"].native

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Certificate) and other.der == self.der

    def __hash__(self) -> int:
        return hash(self.der)

    def __repr__(self) -> str:
        return f"<Certificate {self.subject_str!r} serial={self.serial_number:x}>"
