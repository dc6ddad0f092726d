"""Fixtures: SM2 / RSA / ECDSA CAs with leaves pointing at a real local OCSP+CRL server on 127.0.0.1."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from trustsvc.demo.ocsp_responder import CAEntry, OCSPResponderServer, ResponderKnobs
from trustsvc.demo.revocation import generate_key, issue_certificate
from trustsvc.x509.certificate import Certificate

from tests.revocation.revocation_fixtures import NOW  # noqa: E402


@dataclass
class Jurisdiction:
    ca: Certificate
    ca_key: Any
    responder: Certificate
    responder_key: Any
    leaf: Certificate  # AIA + CDP point at the local server
    leaf2: Certificate


@dataclass
class Lab:
    server: OCSPResponderServer
    j: dict[str, Jurisdiction]


@pytest.fixture(scope="session")
def lab() -> Lab:
    server = OCSPResponderServer({}).start()
    j: dict[str, Jurisdiction] = {}
    for tag, alg in (("gd", "sm2"), ("hk", "rsa"), ("mo", "ecdsa")):
        key = generate_key(alg)
        ca = issue_certificate(f"{tag.upper()} Test CA", key, None, key, ca=True,
                               not_before=NOW - timedelta(days=30), not_after=NOW + timedelta(days=365))
        rkey = generate_key(alg)
        responder = issue_certificate(f"{tag.upper()} OCSP", rkey, ca, key, ocsp_signing=True, nocheck=True,
                                      not_before=NOW - timedelta(days=30), not_after=NOW + timedelta(days=365))
        leaves = []
        for n in (1, 2):
            lkey = generate_key("ecdsa")
            leaves.append(issue_certificate(
                f"{tag.upper()} bidder {n}", lkey, ca, key, not_before=NOW - timedelta(days=30),
                not_after=NOW + timedelta(days=365), crl_urls=[server.crl_url(tag)], ocsp_urls=[server.ocsp_url()]))
        j[tag] = Jurisdiction(ca, key, responder, rkey, leaves[0], leaves[1])
        server.cas[tag] = CAEntry(ca, key, responder, rkey)
    yield Lab(server, j)
    server.stop()


@pytest.fixture
def server(lab: Lab) -> OCSPResponderServer:
    lab.server.knobs = ResponderKnobs()
    lab.server.requests.clear()
    return lab.server
