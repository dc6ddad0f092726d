"""API fixtures: a trust_lists/ directory with freshly signed lists, app factories over a temp database."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from asn1crypto import pem
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from trustsvc.api.app import create_app
from trustsvc.api.settings import Settings
from trustsvc.store import db, operators
from trustsvc.trustlist.jws import SigningKey, sign_list
from trustsvc.trustlist.model import SERVICE_TYPES, DigitalIdentity, Pointer, Service, StatusChange, TrustList, status_uri
from trustsvc.trustlist.operator_keys import generate_operator_key, issue_operator_certificate
from trustsvc.x509.certificate import Certificate


@dataclass
class Ops:
    keys: dict[str, tuple[SigningKey, Certificate]]
    now: datetime

    def hk(self, seq: int, *, signer: str = "HK", next_update_days: float = 30) -> bytes:
        _, listed = self.keys["HK"]
        svc = Service(name=f"HK CA v{seq}", provider="HK demo", type=SERVICE_TYPES["CA/PKC"],
                      identities=(DigitalIdentity.of(listed),),
                      history=(StatusChange(status_uri("granted"), self.now - timedelta(days=10)),),
                      usages=("e-tendering",))
        tl = TrustList("HK", "HK demo list", "HK operator", seq, self.now - timedelta(hours=2),
                       self.now + timedelta(days=next_update_days), services=(svc,))
        return sign_list(tl, *self.keys[signer])


@pytest.fixture(scope="session")
def ops() -> Ops:
    now = datetime.now(timezone.utc).replace(microsecond=0)

    def op(name: str, territory: str):
        key = generate_operator_key("ES256")
        return key, issue_operator_certificate(key, name=name, territory=territory,
                                               not_before=now - timedelta(days=30), not_after=now + timedelta(days=365))

    return Ops({"GBA": op("GBA op", "GBA"), "HK": op("HK op", "HK"), "ROGUE": op("Rogue", "HK")}, now)


@pytest.fixture(scope="session")
def lists_dir(ops, tmp_path_factory) -> Path:
    """trust_lists/ layout: pins/, gba-lotl.json, hk.json (#1)."""
    d = tmp_path_factory.mktemp("lists") / "trust_lists"
    (d / "pins").mkdir(parents=True)
    (d / "pins" / "gba-operator.pem").write_bytes(pem.armor("CERTIFICATE", ops.keys["GBA"][1].der))
    lotl = TrustList("GBA", "GBA list of lists", "GBA op", 1, ops.now - timedelta(hours=1), ops.now + timedelta(days=30),
                     pointers=(Pointer("GBA", "https://tl.example/gba-lotl.json", "GBA op", (ops.keys["GBA"][1],)),
                               Pointer("HK", "https://tl.example/hk.json", "HK op", (ops.keys["HK"][1],))))
    (d / "gba-lotl.json").write_bytes(sign_list(lotl, *ops.keys["GBA"]))
    (d / "hk.json").write_bytes(ops.hk(1))
    return d


PG_URL = os.environ.get("TRUSTSVC_TEST_DATABASE_URL")


@pytest.fixture(params=["sqlite"] + (["postgresql"] if PG_URL else []))
def db_url(request, tmp_path):
    """A fresh database: a SQLite file, or a throw-away PostgreSQL schema (dropped afterwards)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'trustsvc.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(PG_URL)  # type: ignore[arg-type]
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def make_settings(tmp_path, lists_dir):
    def make(**overrides) -> Settings:
        base = dict(database_url=f"sqlite:///{tmp_path / 'trustsvc.db'}", trust_lists_dir=lists_dir,
                    data_dir=tmp_path / "data", poll_interval=0.2, batch_concurrency=4)
        base.update(overrides)
        return Settings(**base)
    return make


@pytest.fixture
def client(make_settings):
    with TestClient(create_app(make_settings()), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def operator_token():
    """operator_token(settings, territory) -> a fresh bearer token (as `trustsvc operator add` makes)."""
    def add(settings: Settings, territory: str, name: str = "op") -> str:
        engine = db.make_engine(settings.database_url)
        db.upgrade(engine)
        with db.session_factory(engine)() as s:
            _, token = operators.add_operator(s, territory, name)
        engine.dispose()
        return token
    return add
