"""TS 119 612 5.5.9.2 Qualifications: qualifiers that apply to the certificates a CriteriaList selects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography import x509 as cx509

from trustsvc.x509.certificate import Certificate

SVCINFOEXT = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/"
# TS 119 612 5.5.9.2.3: KeyUsageBit names -> the names trustsvc's Certificate.key_usage uses (RFC 5280 4.2.1.3).
KEY_USAGE_BITS = {
    "digitalSignature": "digital_signature", "nonRepudiation": "non_repudiation",
    "contentCommitment": "non_repudiation", "keyEncipherment": "key_encipherment",
    "dataEncipherment": "data_encipherment", "keyAgreement": "key_agreement", "keyCertSign": "key_cert_sign",
    "crlSign": "crl_sign", "encipherOnly": "encipher_only", "decipherOnly": "decipher_only",
}
ASSERTIONS = ("all", "atLeastOne", "none")


def _subject_attribute_oids(cert: Certificate) -> frozenset[str]:
    try:
        name = cx509.load_der_x509_certificate(cert.der).subject
    except ValueError:
        return frozenset()
    return frozenset(a.oid.dotted_string for a in name)


@dataclass(frozen=True)
class CriteriaList:
    """A CriteriaList (TS 119 612 5.5.9.2.1): `assert_` all / atLeastOne / none over its criteria.

    `key_usage` holds one entry per KeyUsage criterion: (bit, value) pairs that must all hold.
    `policy_sets` one entry per PolicySet: OIDs the certificate must all carry. `extended_key_usage` and
    `subject_dn_attributes` come from otherCriteriaList (TS 119 612 Annex D additional types). An element
    we do not know is kept in `unknown`: such a list selects no certificate (fail closed)."""

    assert_: str = "all"
    key_usage: tuple[tuple[tuple[str, bool], ...], ...] = ()
    policy_sets: tuple[tuple[str, ...], ...] = ()
    extended_key_usage: tuple[tuple[str, ...], ...] = ()
    subject_dn_attributes: tuple[tuple[str, ...], ...] = ()
    sublists: tuple["CriteriaList", ...] = ()
    description: str | None = None
    unknown: tuple[str, ...] = ()

    def _results(self, cert: Certificate) -> list[bool]:
        out = []
        ku = cert.key_usage or frozenset()
        for bits in self.key_usage:
            out.append(all((KEY_USAGE_BITS.get(b, b) in ku) == v for b, v in bits))
        policies = set(cert.policies or ())
        for oids in self.policy_sets:
            out.append(all(o in policies for o in oids))
        eku = cert.extended_key_usage or frozenset()
        for oids in self.extended_key_usage:
            out.append(all(o in eku for o in oids))
        if self.subject_dn_attributes:
            present = _subject_attribute_oids(cert)
            for oids in self.subject_dn_attributes:
                out.append(all(o in present for o in oids))
        out.extend(s.matches(cert) for s in self.sublists)
        return out

    def matches(self, cert: Certificate) -> bool:
        if self.unknown or self.assert_ not in ASSERTIONS:
            return False
        results = self._results(cert)
        if self.assert_ == "all":
            return all(results)
        if self.assert_ == "atLeastOne":
            return any(results)
        return not any(results)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"assert": self.assert_}
        if self.key_usage:
            d["key_usage"] = [[{"bit": b, "value": v} for b, v in bits] for bits in self.key_usage]
        for name in ("policy_sets", "extended_key_usage", "subject_dn_attributes"):
            if getattr(self, name):
                d[name] = [list(x) for x in getattr(self, name)]
        if self.sublists:
            d["sublists"] = [s.to_dict() for s in self.sublists]
        if self.description:
            d["description"] = self.description
        if self.unknown:
            d["unknown"] = list(self.unknown)
        return d

    @classmethod
    def from_dict(cls, d: Any) -> "CriteriaList":
        if not isinstance(d, dict):
            raise ValueError("criteria list: expected an object")
        return cls(
            assert_=str(d.get("assert", "all")),
            key_usage=tuple(tuple((str(e["bit"]), bool(e["value"])) for e in bits) for bits in d.get("key_usage", ())),
            policy_sets=tuple(tuple(map(str, x)) for x in d.get("policy_sets", ())),
            extended_key_usage=tuple(tuple(map(str, x)) for x in d.get("extended_key_usage", ())),
            subject_dn_attributes=tuple(tuple(map(str, x)) for x in d.get("subject_dn_attributes", ())),
            sublists=tuple(cls.from_dict(s) for s in d.get("sublists", ())),
            description=d.get("description"),
            unknown=tuple(map(str, d.get("unknown", ()))),
        )


@dataclass(frozen=True)
class Qualification:
    """A QualificationElement: these qualifier URIs (QCWithQSCD, QCForESig, NotQualified, ...) apply to the
    certificates the criteria select (TS 119 612 5.5.9.2)."""

    qualifiers: tuple[str, ...]
    criteria: CriteriaList

    def to_dict(self) -> dict[str, Any]:
        return {"qualifiers": list(self.qualifiers), "criteria": self.criteria.to_dict()}

    @classmethod
    def from_dict(cls, d: Any) -> "Qualification":
        if not isinstance(d, dict):
            raise ValueError("qualification: expected an object")
        return cls(tuple(map(str, d.get("qualifiers", ()))), CriteriaList.from_dict(d.get("criteria") or {}))


def qualifiers_for(qualifications: tuple[Qualification, ...], cert: Certificate) -> tuple[str, ...]:
    """Short names of the qualifiers whose criteria select `cert`, in list order."""
    out: list[str] = []
    for q in qualifications:
        if q.criteria.matches(cert):
            out.extend(u[len(SVCINFOEXT):] if u.startswith(SVCINFOEXT) else u for u in q.qualifiers
                       if u not in out)
    return tuple(dict.fromkeys(out))


__all__ = ["CriteriaList", "KEY_USAGE_BITS", "Qualification", "SVCINFOEXT", "qualifiers_for"]
