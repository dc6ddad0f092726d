"""Demo revocation material: OCSP responder certificates, CRLs and OCSP responses signed with SM2, RSA or ECDSA."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from asn1crypto import algos, core, crl as asn1_crl, keys, ocsp, x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from trustsvc.revocation.ocsp import OCSP_NOCHECK, OCSP_SIGNING_EKU, cert_id
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.sm2 import SM2_CURVE_OID, SM2_WITH_SM3_OID, SM2PrivateKey

# id-ecPublicKey with the SM2 curve (GM/T 0015)
_SM2_SPKI_ALG = {"algorithm": "ec", "parameters": ("named", SM2_CURVE_OID)}
DEMO_REVOKED = ("hk-leaf-revoked",)
RESPONDERS = {"gd-ocsp": ("gd-ca", "sm2"), "hk-ocsp": ("hk-ca", "rsa"), "mo-ocsp": ("mo-ca", "ecdsa")}
CRL_ISSUERS = ("gd-root", "gd-ca", "hk-root", "hk-ca", "mo-root", "mo-ca", "bridge")


# --- keys and signing (demo and test material only) ------------------------------------------------
def load_private_key(pem: bytes) -> Any:
    """A cryptography private key, or an SM2PrivateKey for SM2 PEM keys."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
        if isinstance(key, ec.EllipticCurvePrivateKey) or not hasattr(key, "curve"):
            return key
    except (ValueError, TypeError, Exception):  # cryptography refuses the SM2 curve
        pass
    return SM2PrivateKey.from_pem(pem)


def generate_key(algorithm: str) -> Any:
    if algorithm == "sm2":
        return SM2PrivateKey.generate()
    if algorithm == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if algorithm == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    return ec.generate_private_key(ec.SECP256R1())


def key_to_pem(key: Any) -> bytes:
    if isinstance(key, SM2PrivateKey):
        return key.to_pem()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def public_key_info(key: Any) -> keys.PublicKeyInfo:
    if isinstance(key, SM2PrivateKey):
        return keys.PublicKeyInfo({"algorithm": _SM2_SPKI_ALG, "public_key": key.public_point})
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return keys.PublicKeyInfo.load(der)


def signature_algorithm(key: Any) -> algos.SignedDigestAlgorithm:
    """The AlgorithmIdentifier `sign` uses for `key`."""
    if isinstance(key, SM2PrivateKey):
        return algos.SignedDigestAlgorithm({"algorithm": SM2_WITH_SM3_OID})
    if isinstance(key, rsa.RSAPrivateKey):
        return algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa", "parameters": core.Null()})
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"})
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return algos.SignedDigestAlgorithm({"algorithm": "ed25519"})
    raise TypeError(f"cannot sign with {type(key).__name__}")


def sign(key: Any, data: bytes) -> tuple[algos.SignedDigestAlgorithm, bytes]:
    """Sign `data`; return the AlgorithmIdentifier and signature (SM2-with-SM3, sha256 RSA/ECDSA, Ed25519)."""
    if isinstance(key, SM2PrivateKey):
        return algos.SignedDigestAlgorithm({"algorithm": SM2_WITH_SM3_OID}), key.sign(data)
    if isinstance(key, rsa.RSAPrivateKey):
        return (algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa", "parameters": core.Null()}),
                key.sign(data, padding.PKCS1v15(), hashes.SHA256()))
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}), key.sign(data, ec.ECDSA(hashes.SHA256()))
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return algos.SignedDigestAlgorithm({"algorithm": "ed25519"}), key.sign(data)
    raise TypeError(f"cannot sign with {type(key).__name__}")


def _name(cn: str, o: str | None = None) -> asn1_x509.Name:
    attrs = {"common_name": cn}
    if o:
        attrs = {"organization_name": o, "common_name": cn}
    return asn1_x509.Name.build(attrs)


def issue_certificate(subject: str | asn1_x509.Name, subject_key: Any, issuer: Certificate | None, issuer_key: Any, *,
                      not_before: datetime, not_after: datetime, ca: bool = False, serial: int | None = None,
                      ocsp_signing: bool = False, nocheck: bool = False, crl_urls: Sequence[str] = (),
                      ocsp_urls: Sequence[str] = ()) -> Certificate:
    """A small X.509 v3 certificate builder over asn1crypto (signs SM2 too)."""
    spki = public_key_info(subject_key)
    subj = subject if isinstance(subject, asn1_x509.Name) else _name(subject)
    iss_name = subj if issuer is None else issuer.subject
    iss_spki = spki if issuer is None else issuer.spki
    ski = hashlib.sha1(bytes(spki["public_key"].contents[1:])).digest()
    aki = hashlib.sha1(bytes(iss_spki["public_key"].contents[1:])).digest() if issuer is None else (issuer.ski or ski)
    exts: list[dict] = [
        {"extn_id": "basic_constraints", "critical": True, "extn_value": {"ca": ca}},
        {"extn_id": "key_identifier", "critical": False, "extn_value": ski},
        {"extn_id": "authority_key_identifier", "critical": False, "extn_value": {"key_identifier": aki}},
        {"extn_id": "key_usage", "critical": True,
         "extn_value": {"key_cert_sign", "crl_sign"} if ca else {"digital_signature", "non_repudiation"}},
    ]
    if ocsp_signing:
        exts.append({"extn_id": "extended_key_usage", "critical": False, "extn_value": [OCSP_SIGNING_EKU]})
    if nocheck:
        exts.append({"extn_id": OCSP_NOCHECK, "critical": False, "extn_value": core.Null()})
    if crl_urls:
        exts.append({"extn_id": "crl_distribution_points", "critical": False, "extn_value": [
            {"distribution_point": asn1_x509.DistributionPointName(
                {"full_name": [asn1_x509.GeneralName({"uniform_resource_identifier": u}) for u in crl_urls]})}]})
    if ocsp_urls:
        exts.append({"extn_id": "authority_information_access", "critical": False, "extn_value": [
            {"access_method": "ocsp", "access_location": asn1_x509.GeneralName({"uniform_resource_identifier": u})} for u in ocsp_urls]})
    alg = signature_algorithm(issuer_key)
    tbs = asn1_x509.TbsCertificate({
        "version": "v3", "serial_number": serial or int.from_bytes(os.urandom(15), "big"),
        "signature": alg, "issuer": iss_name,
        "validity": {"not_before": asn1_x509.Time({"utc_time": not_before}),
                     "not_after": asn1_x509.Time({"utc_time": not_after})},
        "subject": subj, "subject_public_key_info": spki, "extensions": exts,
    })
    alg, sig = sign(issuer_key, tbs.dump())
    cert = asn1_x509.Certificate({"tbs_certificate": tbs, "signature_algorithm": alg, "signature_value": sig})
    return Certificate.from_der(cert.dump())


# --- CRLs and OCSP responses -------------------------------------------------------------------------
@dataclass(frozen=True)
class Revoked:
    serial: int
    time: datetime
    reason: str | None = "key_compromise"  # asn1crypto CRLReason name


def make_crl(issuer: Certificate, key: Any, revoked: Iterable[Revoked], *, this_update: datetime,
             next_update: datetime | None, number: int = 1, padding_entries: int = 0) -> bytes:
    """A signed v2 CRL (RFC 5280 5.1). `padding_entries` adds fake entries (oversized-CRL tests)."""
    entries = []
    for r in revoked:
        entry: dict = {"user_certificate": r.serial, "revocation_date": asn1_x509.Time({"utc_time": r.time})}
        if r.reason:
            entry["crl_entry_extensions"] = [{"extn_id": "crl_reason", "critical": False, "extn_value": r.reason}]
        entries.append(entry)
    for i in range(padding_entries):
        entries.append({"user_certificate": 10**30 + i, "revocation_date": asn1_x509.Time({"utc_time": this_update})})
    exts = [{"extn_id": "crl_number", "critical": False, "extn_value": number}]
    if issuer.ski:
        exts.append({"extn_id": "authority_key_identifier", "critical": False,
                     "extn_value": {"key_identifier": issuer.ski}})
    alg = signature_algorithm(key)
    tbs: dict = {"version": "v2", "signature": alg, "issuer": issuer.subject,
                 "this_update": asn1_x509.Time({"utc_time": this_update}), "crl_extensions": exts}
    if next_update is not None:
        tbs["next_update"] = asn1_x509.Time({"utc_time": next_update})
    if entries:
        tbs["revoked_certificates"] = entries
    tbs_list = asn1_crl.TbsCertList(tbs)
    alg, sig = sign(key, tbs_list.dump())
    return asn1_crl.CertificateList({"tbs_cert_list": tbs_list, "signature_algorithm": alg,
                                     "signature": sig}).dump()


def make_ocsp_response(cert_serial: int, issuer: Certificate, responder: Certificate, key: Any, *,
                       status: str = "good", revocation_time: datetime | None = None,
                       reason: str | None = None, this_update: datetime, next_update: datetime | None,
                       produced_at: datetime | None = None, nonce: bytes | None = None,
                       hash_algorithm: str = "sha1", include_responder: bool = True,
                       by_key: bool = True, cert_id_override: ocsp.CertId | None = None) -> bytes:
    """A signed BasicOCSPResponse (RFC 6960 4.2.1) for one serial under `issuer`."""
    class _Ser:  # cert_id() only needs .serial_number
        serial_number = cert_serial

    cid = cert_id_override or cert_id(_Ser(), issuer, hash_algorithm)  # type: ignore[arg-type]
    if status == "good":
        cert_status = ocsp.CertStatus({"good": core.Null()})
    elif status == "unknown":
        cert_status = ocsp.CertStatus({"unknown": core.Null()})
    else:
        info: dict = {"revocation_time": revocation_time}
        if reason:
            info["revocation_reason"] = reason
        cert_status = ocsp.CertStatus({"revoked": info})
    single: dict = {"cert_id": cid, "cert_status": cert_status, "this_update": this_update}
    if next_update is not None:
        single["next_update"] = next_update
    rid = ({"by_key": hashlib.sha1(bytes(responder.spki["public_key"].contents[1:])).digest()} if by_key
           else {"by_name": responder.subject})
    data: dict = {"responder_id": rid, "produced_at": produced_at or this_update, "responses": [single]}
    if nonce is not None:
        data["response_extensions"] = [{"extn_id": "nonce", "critical": False, "extn_value": nonce}]
    tbs = ocsp.ResponseData(data)
    alg, sig = sign(key, tbs.dump())
    basic: dict = {"tbs_response_data": tbs, "signature_algorithm": alg, "signature": sig}
    if include_responder and responder.der != issuer.der:
        basic["certs"] = [responder.asn1]
    return ocsp.OCSPResponse({"response_status": "successful", "response_bytes": {
        "response_type": "basic_ocsp_response", "response": ocsp.BasicOCSPResponse(basic)}}).dump()


def ocsp_error_response(status: str = "try_later") -> bytes:
    return ocsp.OCSPResponse({"response_status": status}).dump()


# --- demo init step ----------------------------------------------------------------------------------
def write(out_dir: Path, index: dict, *, now: datetime | None = None, base_url: str = "http://127.0.0.1:8081") -> dict:
    """Add OCSP responder certificates, initial CRLs and revocation.json to the demo PKI in `out_dir`."""
    out_dir = Path(out_dir)
    now = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    entities = index["entities"]
    (out_dir / "crl").mkdir(parents=True, exist_ok=True)
    (out_dir / "certs").mkdir(parents=True, exist_ok=True)
    (out_dir / "keys").mkdir(parents=True, exist_ok=True)

    def cert_of(eid: str) -> Certificate:
        return Certificate.from_der((out_dir / entities[eid]["cert_der"]).read_bytes())

    def key_of(eid: str) -> Any:
        return load_private_key((out_dir / entities[eid]["key"]).read_bytes())

    for rid, (ca_id, alg) in RESPONDERS.items():
        if ca_id not in entities:
            continue
        ca = cert_of(ca_id)
        key = generate_key(alg)
        cert = issue_certificate(_name(f"{ca.subject.native.get('common_name', ca_id)} OCSP Responder",
                                       ca.subject.native.get("organization_name")),
                                 key, ca, key_of(ca_id), not_before=now - timedelta(days=1),
                                 not_after=now + timedelta(days=365), ocsp_signing=True, nocheck=True)
        (out_dir / f"certs/{rid}.pem").write_bytes(_pem(cert.der))
        (out_dir / f"certs/{rid}.der").write_bytes(cert.der)
        (out_dir / f"keys/{rid}.key.pem").write_bytes(key_to_pem(key))
        os.chmod(out_dir / f"keys/{rid}.key.pem", 0o600)
        entities[rid] = {"cert": f"certs/{rid}.pem", "cert_der": f"certs/{rid}.der", "key": f"keys/{rid}.key.pem",
                         "algorithm": alg, "territory": entities[ca_id].get("territory"), "role": "ocsp",
                         "issuer": ca_id, "subject": cert.subject_str}
    # The demo's revoked bidder (DEMO_REVOKED): revoked an hour before generation, for key compromise.
    revoked: dict[str, list[Revoked]] = {}
    for eid in DEMO_REVOKED:
        if eid in entities:
            revoked.setdefault(entities[eid]["issuer"], []).append(
                Revoked(cert_of(eid).serial_number, now - timedelta(hours=1), "key_compromise"))
    crls = {}
    for ca_id in CRL_ISSUERS:
        if ca_id not in entities:
            continue
        der = make_crl(cert_of(ca_id), key_of(ca_id), revoked.get(ca_id, []), this_update=now,
                       next_update=now + timedelta(days=7))
        (out_dir / f"crl/{ca_id}.crl").write_bytes(der)
        crls[ca_id] = f"crl/{ca_id}.crl"
    rev_path = out_dir / "revocation.json"
    if not rev_path.exists():
        listed = [{"serial": hex(r.serial), "time": r.time.isoformat(), "reason": r.reason}
                  for rs in revoked.values() for r in rs]
        rev_path.write_text(json.dumps({"version": 1, "revoked": listed, "unknown": [], "base_url": base_url,
                                        "crls": crls, "responders": {r: c for r, (c, _) in RESPONDERS.items()}},
                                       indent=2) + "\n")
    index["revocation"] = {"file": "revocation.json", "crls": crls, "responders": list(RESPONDERS)}
    return index


def _pem(der: bytes) -> bytes:
    from asn1crypto import pem

    return pem.armor("CERTIFICATE", der)
