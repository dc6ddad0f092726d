"""Benchmark: trust list signing/acceptance per operator algorithm, TrustStore.recognise, XML round trip."""

from __future__ import annotations

import statistics
import sys
import time
from datetime import datetime, timedelta, timezone

from cryptography import x509 as cx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from trustsvc.trustlist.jws import sign_list
from trustsvc.trustlist.loader import TrustState, accept_list
from trustsvc.trustlist.model import SERVICE_TYPES, DigitalIdentity, Pointer, Service, StatusChange, TrustList, status_uri
from trustsvc.trustlist.operator_keys import generate_operator_key, issue_operator_certificate
from trustsvc.trustlist.store import TrustStore
from trustsvc.trustlist.ts119612 import export_xml, import_xml
from trustsvc.x509 import load_certificate

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def timeit(fn, n: int) -> float:
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1000


def ca(i: int):
    key = ec.generate_private_key(ec.SECP256R1())
    name = cx.Name([cx.NameAttribute(NameOID.COMMON_NAME, f"CA {i}")])
    cert = (cx.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(i + 1).not_valid_before(NOW - timedelta(days=1)).not_valid_after(NOW + timedelta(days=900))
            .add_extension(cx.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return load_certificate(cert.public_bytes(Encoding.DER))


def main(n_services: int = 200) -> None:
    certs = [ca(i) for i in range(n_services)]
    services = tuple(Service(f"CA {i}", "P", SERVICE_TYPES["CA/PKC"], (DigitalIdentity.of(c),),
                             (StatusChange(status_uri("granted"), NOW - timedelta(days=1)),), ("e-tendering",))
                     for i, c in enumerate(certs))
    print(f"| operator alg | sign list ({n_services} services) ms | accept_list ms | document KiB |")
    print("|---|---|---|---|")
    gba_key = generate_operator_key("ES256")
    gba_cert = issue_operator_certificate(gba_key, name="GBA", territory="GBA", not_before=NOW - timedelta(days=1),
                                          not_after=NOW + timedelta(days=900))
    for alg in ("ES256", "RS256", "EdDSA", "SM2-SM3"):
        key = generate_operator_key(alg)
        cert = issue_operator_certificate(key, name=alg, territory="HK", not_before=NOW - timedelta(days=1),
                                          not_after=NOW + timedelta(days=900))
        lotl = TrustList("GBA", "L", "GBA", 1, NOW, NOW + timedelta(days=90),
                         pointers=(Pointer("HK", "hk.json", "HK", (cert,)), Pointer("GBA", "l.json", "G", (gba_cert,))))
        state = TrustState((gba_cert,))
        state = state.with_list(accept_list(state, sign_list(lotl, gba_key, gba_cert), at=NOW))
        tl = TrustList("HK", "HK", "HK", 1, NOW, NOW + timedelta(days=90), services=services)
        doc = sign_list(tl, key, cert)
        print(f"| {alg} | {timeit(lambda: sign_list(tl, key, cert), 5):.1f} | "
              f"{timeit(lambda: accept_list(state, doc, at=NOW), 5):.1f} | {len(doc) / 1024:.0f} |")
    accepted = accept_list(state, doc, at=NOW)
    store = TrustStore.from_lists([state.lotl, accepted], at_loaded=NOW)
    path = [certs[-1]]
    us = timeit(lambda: store.recognise(path, usage="e-tendering", at=NOW), 2000) * 1000
    miss = timeit(lambda: store.recognise([gba_cert], usage="e-tendering", at=NOW), 2000) * 1000
    print(f"\nTrustStore.recognise over {n_services} services: {us:.1f} us (hit), {miss:.1f} us (miss)")
    key = generate_operator_key("ES256")
    cert = issue_operator_certificate(key, name="x", territory="HK", not_before=NOW, not_after=NOW + timedelta(days=9))
    xml = export_xml(tl, key=key, cert=cert)
    print(f"XML export+XAdES sign: {timeit(lambda: export_xml(tl, key=key, cert=cert), 3):.1f} ms; "
          f"import+verify: {timeit(lambda: import_xml(xml, pinned=[cert], at=NOW), 3):.1f} ms ({len(xml) / 1024:.0f} KiB)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
