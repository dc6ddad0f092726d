"""Fixtures: a tiny ECDSA PKI (made with cryptography) and scheme-operator keys for trust list tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from cryptography import x509 as cx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from trustsvc.trustlist.jws import SigningKey, sign_list
from trustsvc.trustlist.loader import TrustState, accept_list
from trustsvc.trustlist.model import (
    SERVICE_TYPES, Criteria, DigitalIdentity, Pointer, Service, StatusChange, TrustList, status_uri,
)
from trustsvc.trustlist.operator_keys import generate_operator_key, issue_operator_certificate
from trustsvc.x509 import Certificate, load_certificate

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
HK_POLICY = "2.16.344.8.2.2008.810.2"


def _name(cn: str):
    return cx.Name([cx.NameAttribute(NameOID.COMMON_NAME, cn)])


def issue(subject: str, key, issuer_name: str, issuer_key, *, ca: bool, policies=(), days=3650) -> Certificate:
    b = (cx.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer_name))
         .public_key(key.public_key()).serial_number(cx.random_serial_number())
         .not_valid_before(T0 - timedelta(days=365)).not_valid_after(T0 + timedelta(days=days))
         .add_extension(cx.BasicConstraints(ca=ca, path_length=None), critical=True)
         .add_extension(cx.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
         # RFC 5280 4.2.1.1: the strict profile wants the issuer's key identifier in every certificate
         .add_extension(cx.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
         .add_extension(cx.KeyUsage(digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
                                    data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                                    encipher_only=False, decipher_only=False), critical=True))
    if policies:
        b = b.add_extension(cx.CertificatePolicies([cx.PolicyInformation(cx.ObjectIdentifier(p), None)
                                                    for p in policies]), critical=False)
    from cryptography.hazmat.primitives.serialization import Encoding
    return load_certificate(b.sign(issuer_key, hashes.SHA256()).public_bytes(Encoding.DER))


@dataclass
class Pki:
    hk_root: Certificate
    hk_ca: Certificate
    hk_leaf: Certificate
    hk_leaf_other_policy: Certificate
    mo_root: Certificate
    mo_leaf: Certificate
    ops: dict[str, tuple[SigningKey, Certificate]]
    gba_next: tuple[SigningKey, Certificate]
    hk_next: tuple[SigningKey, Certificate]
    rogue: tuple[SigningKey, Certificate]


@pytest.fixture(scope="session")
def pki() -> Pki:
    k = {n: ec.generate_private_key(ec.SECP256R1()) for n in ("hkr", "hkc", "hkl", "hkl2", "mor", "mol")}
    hk_root = issue("HK Root", k["hkr"], "HK Root", k["hkr"], ca=True)
    hk_ca = issue("HK CA", k["hkc"], "HK Root", k["hkr"], ca=True)
    hk_leaf = issue("HK bidder", k["hkl"], "HK CA", k["hkc"], ca=False, policies=(HK_POLICY + ".1",))
    hk_leaf2 = issue("HK other", k["hkl2"], "HK CA", k["hkc"], ca=False, policies=("2.16.344.8.2.2008.999",))
    mo_root = issue("MO Root", k["mor"], "MO Root", k["mor"], ca=True)
    mo_leaf = issue("MO bank", k["mol"], "MO Root", k["mor"], ca=False)

    def op(alg: str, name: str, territory: str):
        key = generate_operator_key(alg)
        return key, issue_operator_certificate(key, name=name, territory=territory, not_before=T0 - timedelta(days=30),
                                               not_after=T0 + timedelta(days=3650))

    ops = {"GBA": op("ES256", "GBA LOTL operator", "GBA"), "HK": op("ES256", "HK operator", "HK"),
           "MO": op("ES256", "MO operator", "MO"), "CN-GD": op("SM2-SM3", "GD operator", "CN-GD")}
    return Pki(hk_root, hk_ca, hk_leaf, hk_leaf2, mo_root, mo_leaf, ops, op("ES256", "GBA LOTL operator 2", "GBA"),
               op("ES256", "HK operator 2", "HK"), op("ES256", "Rogue", "HK"))


def svc(name: str, cert: Certificate, *history: tuple[str, datetime], usages=("e-tendering",), type_="CA/PKC",
        criteria: Criteria | None = None, provider="P") -> Service:
    return Service(name, provider, SERVICE_TYPES[type_], (DigitalIdentity.of(cert),),
                   tuple(StatusChange(status_uri(s), t) for s, t in history), tuple(usages), (), criteria)


def lotl(pki: Pki, seq: int = 1, *, hk_pins=None, gba_pins=None, announced=(), next_update=None) -> TrustList:
    pointers = [
        Pointer("GBA", "https://tl.gba.example/gba-lotl.json", "GBA", tuple(gba_pins or [pki.ops["GBA"][1]])),
        Pointer("HK", "https://tl.gba.example/hk.json", "HK", tuple(hk_pins or [pki.ops["HK"][1]])),
        Pointer("MO", "https://tl.gba.example/mo.json", "MO", (pki.ops["MO"][1],)),
        Pointer("CN-GD", "https://tl.gba.example/cn-gd.json", "GD", (pki.ops["CN-GD"][1],)),
    ]
    return TrustList("GBA", "GBA list of trust lists", "GBA operator", seq, T0, next_update or T0 + timedelta(days=180),
                     pointers=tuple(pointers), announced_signing_certificates=tuple(announced))


def hk_list(pki: Pki, seq: int = 1, *, services=None, next_update=None, announced=()) -> TrustList:
    if services is None:
        services = (svc("HK CA", pki.hk_root, ("granted", T0 - timedelta(days=100)), usages=("e-tendering",),
                        criteria=Criteria((HK_POLICY,))),)
    return TrustList("HK", "Hong Kong trust list", "HK operator", seq, T0, next_update or T0 + timedelta(days=180),
                     services=tuple(services), announced_signing_certificates=tuple(announced))


def signed(tl: TrustList, op: tuple[SigningKey, Certificate]) -> bytes:
    return sign_list(tl, op[0], op[1])


@pytest.fixture
def state(pki: Pki) -> TrustState:
    s = TrustState((pki.ops["GBA"][1],))
    return s.with_list(accept_list(s, signed(lotl(pki), pki.ops["GBA"]), at=T0))
