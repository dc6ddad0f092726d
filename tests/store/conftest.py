"""Store fixtures: a fresh database per test on SQLite and, when TRUSTSVC_TEST_DATABASE_URL is set, on PostgreSQL
(one schema per test, dropped afterwards, so reruns and parallel runs never collide)."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, text

from trustsvc.trustlist.jws import SigningKey, sign_list
from trustsvc.trustlist.model import (
    SERVICE_TYPES, DigitalIdentity, Pointer, Service, StatusChange, TrustList, status_uri,
)
from trustsvc.trustlist.operator_keys import generate_operator_key, issue_operator_certificate
from trustsvc.x509.certificate import Certificate

PG_URL = os.environ.get("TRUSTSVC_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def _pg_schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"  # type: ignore[operator]
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'trustsvc.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(PG_URL)  # type: ignore[arg-type]
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_schema_url(schema)
    finally:
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@dataclass
class Lists:
    """Signed GBA list of lists + HK lists (#1, #2) and a list signed by an unpinned key."""

    gba_pin: Certificate
    lotl: bytes
    hk1: bytes
    hk2: bytes
    hk_rogue: bytes
    ops: dict[str, tuple[SigningKey, Certificate]]
    now: datetime

    def hk(self, seq: int, *, key: str = "HK") -> bytes:
        k, c = self.ops[key]
        return sign_list(_hk_list(self.ops, seq, self.now), k, c)


def _hk_list(ops, seq: int, now: datetime) -> TrustList:
    _, tsa_like = ops["HK"]  # any certificate will do as a listed identity here
    svc = Service(name=f"HK CA v{seq}", provider="HK demo", type=SERVICE_TYPES["CA/PKC"],
                  identities=(DigitalIdentity.of(tsa_like),),
                  history=(StatusChange(status_uri("granted"), now - timedelta(days=10)),), usages=("e-tendering",))
    return TrustList("HK", "HK demo list", "HK operator", seq, now - timedelta(hours=1), now + timedelta(days=30),
                     services=(svc,))


@pytest.fixture(scope="session")
def lists() -> Lists:
    now = datetime.now(timezone.utc).replace(microsecond=0)

    def op(name: str, territory: str):
        key = generate_operator_key("ES256")
        return key, issue_operator_certificate(key, name=name, territory=territory,
                                               not_before=now - timedelta(days=30), not_after=now + timedelta(days=365))

    ops = {"GBA": op("GBA op", "GBA"), "HK": op("HK op", "HK"), "ROGUE": op("Rogue", "HK")}
    lotl = TrustList("GBA", "GBA list of lists", "GBA op", 1, now - timedelta(hours=1), now + timedelta(days=30),
                     pointers=(Pointer("GBA", "https://tl.example/gba.json", "GBA op", (ops["GBA"][1],)),
                               Pointer("HK", "https://tl.example/hk.json", "HK op", (ops["HK"][1],))))
    lotl_doc = sign_list(lotl, *ops["GBA"])
    result = Lists(ops["GBA"][1], lotl_doc, b"", b"", b"", ops, now)
    result.hk1 = result.hk(1)
    result.hk2 = result.hk(2)
    result.hk_rogue = result.hk(3, key="ROGUE")
    return result
