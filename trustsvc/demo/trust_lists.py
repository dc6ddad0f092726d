"""Demo trust lists: signed CN-GD, HK and MO lists and the GBA list of lists over the generated demo PKI."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from asn1crypto import pem

from trustsvc.trustlist.directory import LOTL_FILE, PINS_DIR, member_file_name
from trustsvc.trustlist.jws import SigningKey, sign_list
from trustsvc.trustlist.model import (
    SERVICE_TYPES, Criteria, DigitalIdentity, Pointer, Service, StatusChange, TrustList, status_uri,
)
from trustsvc.trustlist.mra import ENACTED, Equivalence, EquivalenceState, MutualRecognition, ServiceKind
from trustsvc.trustlist.operator_keys import generate_operator_key, issue_operator_certificate, key_to_pem
from trustsvc.trustlist.tsl_xml import USAGE_URI
from trustsvc.trustlist.ts119612 import export_xml
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.load import load_certificate

BASE_URL = "https://tl.gba.example/"
# Hongkong Post's mutual-recognition certificates sit under this policy arc.
HK_MR_POLICY = "2.16.344.8.2.2008.810.2"
# Macao's list speaks its own vocabulary for banks that issue electronic guarantees (an
# AdditionalServiceInformation URI of its scheme, as a third country's list would); the GBA list of
# lists says, as MRA equivalences on the MO pointer, that such a granted CA counts as a GBA e-guarantee
# issuer. Without the equivalence the MO bank CA serves no e-guarantee.
MO_GUARANTEE_ASI = "https://tl.gov.mo.example/TrstSvc/SvcInfoExt/ForElectronicGuarantees"
GBA_LEGISLATION = "GBA mutual recognition arrangement on electronic certificates (demo)"

OPERATORS = {  # territory -> (entity id, name, JWS alg)
    "GBA": ("gba-operator", "GBA Trust List Scheme Operator (demo)", "ES256"),
    "CN-GD": ("gd-operator", "Guangdong Trust List Scheme Operator (demo)", "SM2-SM3"),
    "HK": ("hk-operator", "Hong Kong Trust List Scheme Operator (demo)", "RS256"),
    "MO": ("mo-operator", "Macao Trust List Scheme Operator (demo)", "ES256"),
}
SCHEMES = {
    "CN-GD": ("Guangdong electronic certification trust list (demo)", "cn-gd.json"),
    "HK": ("Hong Kong recognised CA trust list (demo)", "hk.json"),
    "MO": ("Macao electronic signature trust list (demo)", "mo.json"),
}
# entity id -> (territory, service type, usages, provider)
SERVICES = {
    "gd-root": ("CN-GD", "CA/PKC", ("e-tendering", "e-guarantee", "e-signature"), "Guangdong demo CA"),
    "gd-tsa": ("CN-GD", "TSA/QTST", ("timestamping",), "Guangdong demo CA"),
    "gd-ocsp": ("CN-GD", "Certstatus/OCSP", (), "Guangdong demo CA"),
    "hk-root": ("HK", "CA/QC", ("e-tendering", "e-signature"), "Hongkong Post (demo)"),
    "hk-tsa": ("HK", "TSA/QTST", ("timestamping",), "Hongkong Post (demo)"),
    "hk-ocsp": ("HK", "Certstatus/OCSP", (), "Hongkong Post (demo)"),
    "mo-root": ("MO", "CA/PKC", ("e-tendering", "e-signature"), "Macao demo CA"),  # + e-guarantee via the MRA
    "mo-tsa": ("MO", "TSA/QTST", ("timestamping",), "Macao demo CA"),
}


def _created_at(index: dict) -> datetime:
    value = index.get("created_at")
    if value:
        t = datetime.fromisoformat(str(value))
        return (t if t.tzinfo else t.replace(tzinfo=timezone.utc)).replace(microsecond=0)
    return datetime.now(timezone.utc).replace(microsecond=0)


def _write_cert(out_dir: Path, ident: str, cert: Certificate) -> tuple[str, str]:
    (out_dir / "certs").mkdir(parents=True, exist_ok=True)
    (out_dir / "certs" / f"{ident}.pem").write_bytes(pem.armor("CERTIFICATE", cert.der))
    (out_dir / "certs" / f"{ident}.der").write_bytes(cert.der)
    return f"certs/{ident}.pem", f"certs/{ident}.der"


def _operator(out_dir: Path, index: dict, territory: str, now: datetime) -> tuple[SigningKey, Certificate]:
    ident, name, alg = OPERATORS[territory]
    key = generate_operator_key(alg)
    cert = issue_operator_certificate(key, name=name, territory=territory, not_before=now - timedelta(days=1),
                                      not_after=now + timedelta(days=5 * 365))
    (out_dir / "keys").mkdir(parents=True, exist_ok=True)
    (out_dir / "keys" / f"{ident}.key.pem").write_bytes(key_to_pem(key))
    cert_pem, cert_der = _write_cert(out_dir, ident, cert)
    index.setdefault("entities", {})[ident] = {
        "cert": cert_pem, "cert_der": cert_der, "key": f"keys/{ident}.key.pem",
        "algorithm": {"SM2-SM3": "sm2", "RS256": "rsa"}.get(alg, "ecdsa"), "territory": territory,
        "role": "operator", "issuer": ident, "subject": cert.subject_str,
    }
    return key, cert


def _member_list(out_dir: Path, index: dict, territory: str, now: datetime) -> TrustList:
    services = []
    granted_since = now - timedelta(days=30)
    for ident, (terr, type_, usages, provider) in SERVICES.items():
        entity = index.get("entities", {}).get(ident)
        if terr != territory or entity is None:
            continue
        cert = load_certificate((out_dir / entity["cert"]).read_bytes())
        criteria = None
        if ident == "hk-root":
            hk_policy = index.get("policies", {}).get("HK", HK_MR_POLICY)
            criteria = Criteria((HK_MR_POLICY if hk_policy.startswith(HK_MR_POLICY) else hk_policy,))
        services.append(Service(
            name=cert.subject.native.get("common_name") or ident, provider=provider, type=SERVICE_TYPES[type_],
            identities=(DigitalIdentity.of(cert),),
            history=(StatusChange(status_uri("granted"), granted_since),),
            usages=usages, criteria=criteria,
            additional_info=(MO_GUARANTEE_ASI,) if ident == "mo-root" else ()))
    name, _ = SCHEMES[territory]
    return TrustList(territory, name, OPERATORS[territory][1], 1, now, now + timedelta(days=90),
                     services=tuple(services))


def _equivalence(name: str, since: datetime, pointed: ServiceKind, pointing: ServiceKind) -> Equivalence:
    granted = status_uri("granted")
    return Equivalence(name, (EquivalenceState(
        ENACTED, since, pointing_kinds=(pointing,), pointed_kinds=(pointed,),
        pointing_valid_statuses=(granted,), pointed_valid_statuses=(granted,),
        pointing_invalid_statuses=(status_uri("withdrawn"),), pointed_invalid_statuses=(status_uri("withdrawn"),)),))


def mutual_recognition(territory: str, since: datetime) -> MutualRecognition | None:
    """The equivalences the GBA list of lists declares on its pointer to `territory` (TS 119 612 MRA)."""
    ca_pkc, ca_qc = SERVICE_TYPES["CA/PKC"], SERVICE_TYPES["CA/QC"]
    if territory == "MO":
        return MutualRecognition((_equivalence(
            "GBA e-guarantee issuer (MO)", since, ServiceKind(ca_pkc, MO_GUARANTEE_ASI),
            ServiceKind(ca_pkc, USAGE_URI + "e-guarantee")),), GBA_LEGISLATION,
            "Macao electronic documents and signatures law (demo)")
    if territory == "CN-GD":
        # A GD e-tendering CA counts as a recognised CA of the GBA for e-tendering (as HK's CA/QC does).
        return MutualRecognition((_equivalence(
            "GBA e-tendering CA (CN-GD)", since, ServiceKind(ca_pkc, USAGE_URI + "e-tendering"),
            ServiceKind(ca_qc, USAGE_URI + "e-tendering")),), GBA_LEGISLATION,
            "PRC Electronic Signature Law (demo)")
    return None


def write(out_dir: Path, index: dict) -> None:
    """Called by `init_demo` after the PKI exists; writes `trust_lists/` and updates `index`."""
    out_dir = Path(out_dir)
    now = _created_at(index)
    tl_dir = out_dir / "trust_lists"
    (tl_dir / PINS_DIR).mkdir(parents=True, exist_ok=True)
    (tl_dir / "xml").mkdir(exist_ok=True)
    ops = {t: _operator(out_dir, index, t, now) for t in OPERATORS}
    pointers = [Pointer("GBA", BASE_URL + LOTL_FILE, OPERATORS["GBA"][1], (ops["GBA"][1],))]
    record: dict = {"dir": "trust_lists", "lotl": f"trust_lists/{LOTL_FILE}", "lists": {}, "xml": {},
                    "pins": [f"trust_lists/{PINS_DIR}/gba-operator.pem"]}
    for territory, (_, file_name) in SCHEMES.items():
        tl = _member_list(out_dir, index, territory, now)
        key, cert = ops[territory]
        (tl_dir / file_name).write_bytes(sign_list(tl, key, cert))
        record["lists"][territory] = f"trust_lists/{file_name}"
        xml_name = file_name.replace(".json", ".xml")
        # XMLDSig has no SM2 method: the Guangdong XML is exported unsigned (its JSON form is SM2-signed).
        signed_xml = key.alg != "SM2-SM3"
        (tl_dir / "xml" / xml_name).write_bytes(export_xml(tl, key=key if signed_xml else None,
                                                           cert=cert if signed_xml else None))
        record["xml"][territory] = f"trust_lists/xml/{xml_name}"
        pointers.append(Pointer(territory, BASE_URL + file_name, OPERATORS[territory][1], (cert,),
                                mutual_recognition=mutual_recognition(territory, now - timedelta(days=30))))
    lotl = TrustList("GBA", "GBA list of trust lists (demo)", OPERATORS["GBA"][1], 1, now,
                     now + timedelta(days=90), pointers=tuple(pointers))
    key, cert = ops["GBA"]
    assert member_file_name(BASE_URL + LOTL_FILE) == LOTL_FILE
    (tl_dir / LOTL_FILE).write_bytes(sign_list(lotl, key, cert))
    (tl_dir / "xml" / "gba-lotl.xml").write_bytes(export_xml(lotl, key=key, cert=cert))
    record["xml"]["GBA"] = "trust_lists/xml/gba-lotl.xml"
    (tl_dir / PINS_DIR / "gba-operator.pem").write_bytes(pem.armor("CERTIFICATE", cert.der))
    index["trust_lists"] = record
