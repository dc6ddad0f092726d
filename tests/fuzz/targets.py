"""Fuzz targets over every parser/validator entry, shared by the CI fuzz tests and `tools/fuzz/run.py`.

A target takes bytes and returns normally (a report/result that names its failure) or raises a
`TrustsvcError`; anything else is a crash. `mutate` turns a valid sample into a near miss (bit
flips, truncation, DER length-byte corruption, splices), which reaches far deeper than random bytes.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

from trustsvc.errors import TrustsvcError

# DER tags whose following byte is a length: SEQUENCE, SET, INTEGER, BIT/OCTET STRING, OID, [0]..[3].
_DER_TAGS = {0x30, 0x31, 0x02, 0x03, 0x04, 0x06, 0xA0, 0xA1, 0xA2, 0xA3, 0x17, 0x18, 0x0C, 0x13}
_LENGTH_VALUES = (0x00, 0x01, 0x7F, 0x80, 0x81, 0x82, 0x83, 0x84, 0x88, 0xFF)


def mutate(data: bytes, rnd: random.Random, rounds: int = 1) -> bytes:
    """A near miss of `data`: `rounds` of bit flips, truncations, length-byte corruption, splices, repeats."""
    buf = bytearray(data)
    for _ in range(rounds):
        if not buf:
            buf = bytearray(rnd.randbytes(rnd.randint(1, 64)))
            continue
        op = rnd.randrange(7)
        i = rnd.randrange(len(buf))
        if op == 0:  # bit flip
            buf[i] ^= 1 << rnd.randrange(8)
        elif op == 1:  # truncation
            del buf[i:]
        elif op == 2:  # DER length-byte corruption
            tags = [j for j in range(len(buf) - 1) if buf[j] in _DER_TAGS]
            j = rnd.choice(tags) if tags else i
            if j + 1 < len(buf):
                buf[j + 1] = rnd.choice(_LENGTH_VALUES)
        elif op == 3:  # random byte
            buf[i] = rnd.randrange(256)
        elif op == 4:  # delete a short run
            del buf[i:i + rnd.randint(1, 16)]
        elif op == 5:  # insert junk
            buf[i:i] = rnd.randbytes(rnd.randint(1, 16))
        else:  # duplicate a slice (nested / repeated structures)
            j = rnd.randrange(i, len(buf) + 1)
            buf[i:i] = buf[i:j][:4096]
    return bytes(buf)


def mutate_json(doc: bytes, rnd: random.Random) -> bytes:
    """Structure-aware JSON mutation: replace one value somewhere with a hostile one, re-serialise."""
    try:
        obj = json.loads(doc)
    except ValueError:
        return mutate(doc, rnd)
    hostile = [None, 0, -1, 2**70, 1e308, "", "x" * 300, [], {}, True, "not-base64!", "2026-13-45T99:99:99Z",
               "A" * 17, [None], {"a": None}]
    paths: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                paths.append((node, k))
                walk(v)
        elif isinstance(node, list):
            for k, v in enumerate(node):
                paths.append((node, k))
                walk(v)

    walk(obj)
    if paths:
        parent, key = rnd.choice(paths)
        if rnd.random() < 0.15 and isinstance(parent, dict):
            del parent[key]
        else:
            parent[key] = rnd.choice(hostile)
    return json.dumps(obj).encode()


@dataclass
class Target:
    name: str
    seeds: list[bytes]
    call: Callable[[bytes], Any]
    check: Callable[[Any], None] = lambda result: None
    json_aware: bool = False


@dataclass
class Corpus:
    """Valid samples and the trust context from one demo PKI (`trustsvc demo init`)."""

    root: Path
    at: datetime
    targets: dict[str, Target] = field(default_factory=dict)


def _report_check(names: set[str]) -> Callable[[Any], None]:
    def check(report: Any) -> None:
        ind = getattr(report.indication, "name", str(report.indication))
        assert ind in names, f"unexpected indication {report.indication!r}"
        if ind not in {"PASSED", "TOTAL_PASSED"}:
            assert report.sub_indication is not None or report.reasons, "a failure must carry a sub-indication or reason"
    return check


def build_corpus(root: Path) -> Corpus:
    """Generate a demo PKI in `root` and wire every fuzz target to it."""
    from asn1crypto import pem

    from trustsvc.cms.attributes import signature_timestamp_tokens
    from trustsvc.cms.builder import load_private_key
    from trustsvc.cms.signed_data import parse_signed_data
    from trustsvc.demo.init import init_demo
    from trustsvc.demo.revocation import make_ocsp_response
    from trustsvc.revocation.ocsp import check_ocsp_response
    from trustsvc.trustlist.directory import load_directory
    from trustsvc.trustlist.loader import TrustState, accept_list
    from trustsvc.trustlist.store import TrustStore
    from trustsvc.trustlist.ts119612 import import_xml
    from trustsvc.validation.certificate import validate_certificate
    from trustsvc.validation.signature import validate_signature
    from trustsvc.validation.timestamp import validate_timestamp
    from trustsvc.x509 import load_certificate, load_certificates, load_crl

    at = datetime.now(timezone.utc).replace(microsecond=0)
    index = init_demo(root, now=at)
    ent = index["entities"]

    def der(eid: str) -> bytes:
        return (root / ent[eid]["cert_der"]).read_bytes()

    def cert(eid: str):
        return load_certificate(der(eid))

    state = load_directory(root / "trust_lists", at=at)
    store = TrustStore(state.lists.values(), at_loaded=at)
    pins = tuple(load_certificates((root / "trust_lists/pins/gba-operator.pem").read_bytes()))
    lotl_only = TrustState(pins).with_list(state.lists["GBA"])
    corpus = Corpus(root, at)
    certs = [der(e) for e in ("gd-leaf", "hk-leaf", "mo-leaf", "gd-ca", "hk-root", "bridge-by-gd-root")]
    crls = [(root / p).read_bytes() for p in index["revocation"]["crls"].values()]
    bids = index["bids"]
    sigs = [(root / b["signature"]).read_bytes() for b in bids.values()]
    content = {b["signature"]: (root / b["content"]).read_bytes() for b in bids.values()}
    tokens = []
    for s in sigs:
        for si in parse_signed_data(s).signers:
            tokens.extend(t.dump() for t in signature_timestamp_tokens(si))
    # OCSP: a fresh good response from the HK responder for hk-leaf.
    hk_ocsp_key = load_private_key((root / ent["hk-ocsp"]["key"]).read_bytes())
    leaf, issuer = cert("hk-leaf"), cert("hk-ca")
    ocsp_seed = make_ocsp_response(leaf.serial_number, issuer, cert("hk-ocsp"), hk_ocsp_key,
                                   this_update=at - timedelta(minutes=5), next_update=at + timedelta(days=1))
    chains = {"gd-leaf": [der("gd-ca")], "hk-leaf": [der("hk-ca")], "mo-leaf": [der("mo-ca")]}
    json_lists = [(root / p).read_bytes() for p in index["trust_lists"]["lists"].values()]
    xml_lists = [(root / p).read_bytes() for p in index["trust_lists"]["xml"].values()]
    cert_report = _report_check({"PASSED", "FAILED", "INDETERMINATE"})
    sig_report = _report_check({"TOTAL_PASSED", "TOTAL_FAILED", "INDETERMINATE"})

    def t(name: str, seeds: list[bytes], call: Callable[[bytes], Any], check=lambda r: None, json_aware=False):
        corpus.targets[name] = Target(name, seeds, call, check, json_aware)

    t("load_certificate", certs + [pem.armor("CERTIFICATE", certs[0])], lambda b: load_certificate(b).subject_str)
    t("load_crl", crls, lambda b: load_crl(b).native)
    t("validate_certificate.ee", [der("hk-leaf"), der("gd-leaf"), der("mo-leaf")],
      lambda b: validate_certificate(b, intermediates=chains["hk-leaf"] + chains["gd-leaf"] + chains["mo-leaf"],
                                     trust=store, usage="e-tendering", at=at), cert_report)
    t("validate_certificate.intermediate", [der("hk-ca"), der("hk-root"), der("bridge-by-hk-root")],
      lambda b: validate_certificate(der("hk-leaf"), intermediates=[b], trust=store, usage="e-tendering", at=at),
      cert_report)
    t("validate_certificate.crl", crls,
      lambda b: validate_certificate(der("mo-leaf"), intermediates=chains["mo-leaf"], trust=store, at=at, crls=[b],
                                     revocation="hard-fail"), cert_report)

    def ocsp_call(b: bytes):
        r = check_ocsp_response(leaf, issuer, b, at=at)
        assert r.status in {"good", "revoked", "unknown", "invalid"}
        return r
    t("check_ocsp_response", [ocsp_seed], ocsp_call)
    t("validate_certificate.ocsp", [ocsp_seed],
      lambda b: validate_certificate(der("hk-leaf"), intermediates=chains["hk-leaf"], trust=store, at=at,
                                     ocsp_responses=[b]), cert_report)
    first = list(content)
    t("validate_signature", sigs,
      lambda b: validate_signature(b, content=content[first[0]], trust=store, at=at), sig_report)
    from trustsvc.cms.timestamp import parse_timestamp_token
    imprint = parse_timestamp_token(tokens[0]).imprint
    t("validate_timestamp", tokens[:1], lambda b: validate_timestamp(b, digest=imprint, trust=store), sig_report)
    t("trustlist.accept_json", json_lists,
      lambda b: accept_list(lotl_only, b, at=at), json_aware=True)
    t("trustlist.accept_lotl_json", [(root / "trust_lists/gba-lotl.json").read_bytes()],
      lambda b: accept_list(TrustState(pins), b, at=at, territory="GBA"), json_aware=True)
    from trustsvc.trustlist.jws import SigningKey
    from trustsvc.trustlist.ts119612 import export_xml
    gba_key = SigningKey.from_pem((root / ent["gba-operator"]["key"]).read_bytes())
    signed_xml = export_xml(state.lists["GBA"].trust_list, key=gba_key, cert=pins[0])
    t("trustlist.import_xml_pinned", [signed_xml], lambda b: import_xml(b, pinned=list(pins), at=at))
    t("trustlist.import_xml_unpinned", xml_lists, lambda b: import_xml(b, pinned=None))
    return corpus


def run_one(target: Target, data: bytes) -> BaseException | None:
    """Run `target` on `data`: None if it behaved (result checked, or a TrustsvcError), else the crash."""
    try:
        result = target.call(data)
    except TrustsvcError:
        return None
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 — anything else is exactly what we are looking for
        return exc
    try:
        target.check(result)
    except AssertionError as exc:
        return exc
    return None


def sample(target: Target, rnd: random.Random) -> bytes:
    """One fuzz input: random bytes (10%), a JSON-aware mutation (where useful), or DER/byte mutations."""
    r = rnd.random()
    if r < 0.1:
        return rnd.randbytes(rnd.randint(0, 512))
    seed = rnd.choice(target.seeds)
    if target.json_aware and r < 0.5:
        return mutate_json(seed, rnd)
    return mutate(seed, rnd, rounds=rnd.choice((1, 1, 1, 2, 3, 8)))
