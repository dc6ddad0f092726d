"""A certificate factory that can break any RFC 5280 profile rule (built with asn1crypto, signed with fresh EC keys).

`Node` = a certificate and its key. `root()`, `ca()` and `leaf()` give conforming certificates in the shape
public suites use (root -> [intermediates] -> leaf); keyword overrides break one thing at a time:
`exts={"key_identifier": None}` drops an extension, `exts={"basic_constraints": ({"ca": True}, False)}` replaces
one, `extra=[...]` appends raw extensions (duplicates, unknown OIDs, undecodable values).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from asn1crypto import algos, core, keys
from asn1crypto import x509 as ax
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
_ALG = {"algorithm": "sha256_ecdsa"}


@dataclass
class Node:
    der: bytes
    key: ec.EllipticCurvePrivateKey
    name: ax.Name
    spki: keys.PublicKeyInfo


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def spki_of(key) -> keys.PublicKeyInfo:
    return keys.PublicKeyInfo.load(key.public_key().public_bytes(serialization.Encoding.DER,
                                                                 serialization.PublicFormat.SubjectPublicKeyInfo))


def key_id(spki: keys.PublicKeyInfo) -> bytes:
    return spki.sha1


def dn(cn: str | None) -> ax.Name:
    return ax.Name.build({} if cn is None else {"common_name": cn})


def raw_ext(oid: str, value: bytes, critical: bool = False) -> ax.Extension:
    """An extension whose extnValue octets are exactly `value` (any OID, any bytes)."""
    body = core.ObjectIdentifier(oid).dump() + (b"\x01\x01\xff" if critical else b"")
    body += b"\x04" + _length(len(value)) + value
    return ax.Extension.load(b"\x30" + _length(len(body)) + body)


def _time(when: datetime, kind: str | None = None):
    if kind == "generalized" or (kind is None and when.year >= 2050):
        return ax.Time(name="general_time", value=when)
    return ax.Time(name="utc_time", value=when)


def build(subject: str | None, issuer: Node | None, *, ca: bool, key=None, serial: int = 0x1234, version: str = "v3",
          not_before: datetime | None = None, not_after: datetime | None = None, exts: dict | None = None,
          extra: list | None = None, issuer_name: ax.Name | None = None, subject_name: ax.Name | None = None,
          pathlen: int | None = None, san: list | None = None, inner_alg: dict | None = None,
          time_kind: str | None = None, raw_times: tuple[bytes, bytes] | None = None,
          sig_alg: str = "sha256_ecdsa") -> Node:
    """One certificate: `issuer` None = self-signed. Defaults follow RFC 5280 (and public suites' builders)."""
    key = key or new_key()
    spki = spki_of(key)
    signer_key = issuer.key if issuer else key
    signer_spki = issuer.spki if issuer else spki
    sname = subject_name if subject_name is not None else dn(subject)
    iname = issuer_name if issuer_name is not None else (issuer.name if issuer else sname)
    d: dict[str, tuple[Any, bool]] = {}
    if ca:
        bc: dict = {"ca": True}
        if pathlen is not None:
            bc["path_len_constraint"] = pathlen
        d["basic_constraints"] = (bc, True)
        d["key_usage"] = ({"key_cert_sign", "crl_sign"}, True)
    else:
        d["basic_constraints"] = ({"ca": False}, True)
        d["key_usage"] = ({"digital_signature"}, True)
        d["extended_key_usage"] = (["server_auth"], False)
        d["subject_alt_name"] = ([gn("dns_name", "example.com")] if san is None else san, False)
    if ca and san is not None:
        d["subject_alt_name"] = (san, False)
    d["key_identifier"] = (key_id(spki), False)
    d["authority_key_identifier"] = ({"key_identifier": key_id(signer_spki)}, False)
    for k, v in (exts or {}).items():
        if v is None:
            d.pop(k, None)
        else:
            d[k] = v
    ext_list = [ax.Extension({"extn_id": k, "critical": c, "extn_value": v}) for k, (v, c) in d.items()]
    ext_list.extend(extra or [])
    nb = not_before or NOW - timedelta(days=30)
    na = not_after or NOW + timedelta(days=365)
    tbs_fields = {
        "version": version,
        "serial_number": serial,
        "signature": inner_alg or {"algorithm": sig_alg},
        "issuer": iname,
        "validity": {"not_before": _time(nb, time_kind), "not_after": _time(na, time_kind)},
        "subject": sname,
        "subject_public_key_info": spki,
    }
    if ext_list:
        tbs_fields["extensions"] = ext_list
    tbs = ax.TbsCertificate(tbs_fields)
    tbs_der = tbs.dump()
    if raw_times is not None:
        validity = tbs["validity"].dump()
        nb_raw, na_raw = raw_times  # UTCTime contents exactly as given
        body = bytes([0x17, len(nb_raw)]) + nb_raw + bytes([0x17, len(na_raw)]) + na_raw
        tbs_der = tbs_der.replace(validity, bytes([0x30, len(body)]) + body)
        tbs_der = bytes([0x30]) + _length(len(_content(tbs_der))) + _content(tbs_der)
    digest = {"sha256_ecdsa": hashes.SHA256(), "sha1_ecdsa": hashes.SHA1(), "sha384_ecdsa": hashes.SHA384()}[sig_alg]
    sig = signer_key.sign(tbs_der, ec.ECDSA(digest))
    cert_body = tbs_der + algos.SignedDigestAlgorithm({"algorithm": sig_alg}).dump() + _bitstring(sig)
    der = bytes([0x30]) + _length(len(cert_body)) + cert_body
    return Node(der, key, sname, spki)


def _bitstring(data: bytes) -> bytes:
    content = b"\x00" + data
    return bytes([0x03]) + _length(len(content)) + content


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    octets = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


def _content(der: bytes) -> bytes:
    """The contents octets of a DER TLV whose length may be stale (after an in-place edit)."""
    first = der[1]
    start = 2 if first < 0x80 else 2 + (first & 0x7F)
    return der[start:]


def root(cn: str = "Root", **kw) -> Node:
    return build(cn, None, ca=True, **kw)


def ca(parent: Node, cn: str = "Intermediate", **kw) -> Node:
    return build(cn, parent, ca=True, **kw)


def leaf(parent: Node, cn: str = "example.com", **kw) -> Node:
    return build(cn, parent, ca=False, **kw)


def nc(permitted: list | None = None, excluded: list | None = None) -> dict:
    """A NameConstraints value from asn1crypto GeneralName dicts, e.g. [{"dns_name": "example.com"}]."""
    out: dict = {}
    if permitted is not None:
        out["permitted_subtrees"] = [{"base": g} for g in permitted]
    if excluded is not None:
        out["excluded_subtrees"] = [{"base": g} for g in excluded]
    return out


def ip(octets: bytes) -> ax.GeneralName:
    """An iPAddress GeneralName holding exactly `octets` (4/16 = address, 8/32 = address + mask, or anything)."""
    return ax.GeneralName.load(b"\x87" + bytes([len(octets)]) + octets)


def gn(kind: str, value: str) -> ax.GeneralName:
    """A GeneralName of an IA5String form (dns_name, rfc822_name, uniform_resource_identifier) holding `value`
    as given, without asn1crypto's normalisation."""
    tag = {"rfc822_name": 0x81, "dns_name": 0x82, "uniform_resource_identifier": 0x86}[kind]
    data = value.encode("ascii")
    return ax.GeneralName.load(bytes([tag]) + _length(len(data)) + data)
