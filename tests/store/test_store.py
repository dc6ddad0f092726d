"""Store behaviour on SQLite and PostgreSQL: migrations, versions, operators, the hash-chained audit log."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text, update

from trustsvc.store import audit, db, operators
from trustsvc.store import trust_lists as versions_db
from trustsvc.store.models import AuditEntry
from trustsvc.trustlist.loader import TrustState, accept_list


@pytest.fixture
def sessions(db_url):
    engine = db.make_engine(db_url)
    db.upgrade(engine)
    yield db.session_factory(engine)
    engine.dispose()


def _head() -> str:
    """The newest migration (one head: migrations form a single line)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(db.MIGRATIONS))
    [head] = ScriptDirectory.from_config(cfg).get_heads()
    return head


def test_migrations_are_idempotent(db_url):
    engine = db.make_engine(db_url)
    db.upgrade(engine)
    db.upgrade(engine)
    with engine.connect() as c:
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == _head()
    engine.dispose()


def test_audit_chain_verifies(sessions):
    for i in range(5):
        audit.append(sessions, actor="t", action="a", outcome="ok", detail={"i": i, "text": "香港"})
    with sessions() as s:
        result = audit.verify_chain(s)
    assert result.ok and result.entries == 5
    with sessions() as s:
        assert audit.verify_chain(s, expected_head=result.head).ok


def test_audit_tampered_row_is_named(sessions):
    for i in range(5):
        audit.append(sessions, actor="t", action="a", outcome="ok", detail={"i": i})
    with sessions() as s:
        s.execute(update(AuditEntry).where(AuditEntry.id == 3).values(detail='{"i":99}'))
        s.commit()
        result = audit.verify_chain(s)
    assert not result.ok and result.first_bad_id == 3 and "modified" in result.reason
    assert result.entries == 2


def test_audit_removed_row_is_detected(sessions):
    for i in range(4):
        audit.append(sessions, actor="t", action="a", outcome="ok", detail={"i": i})
    with sessions() as s:
        s.execute(text("DELETE FROM audit_log WHERE id = 2"))
        s.commit()
        result = audit.verify_chain(s)
    assert not result.ok and result.first_bad_id == 3


def test_audit_truncation_detected_with_published_head(sessions):
    for i in range(3):
        audit.append(sessions, actor="t", action="a", outcome="ok", detail={"i": i})
    with sessions() as s:
        head = audit.verify_chain(s).head
        s.execute(text("DELETE FROM audit_log WHERE id = 3"))
        s.commit()
        assert not audit.verify_chain(s, expected_head=head).ok


def test_concurrent_appends_never_fork_the_chain(sessions):
    def worker(n: int) -> None:
        for i in range(5):
            audit.append(sessions, actor=f"w{n}", action="a", outcome="ok", detail={"i": i})

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with sessions() as s:
        result = audit.verify_chain(s)
    assert result.ok and result.entries == 20


def test_operator_token_is_stored_hashed_and_revocable(sessions):
    with sessions() as s:
        info, token = operators.add_operator(s, "HK", "HK operator")
        assert token.startswith("tsv_") and len(token) > 40
        stored = s.execute(text("SELECT token_hash FROM operators")).scalar_one()
        assert token not in stored and stored == operators.hash_token(token)
        assert operators.authenticate(s, token).id == info.id
        assert operators.authenticate(s, token + "x") is None
        assert operators.authenticate(s, "garbage") is None
        operators.revoke_operator(s, info.id)
        assert operators.authenticate(s, token) is None
        assert [o.active for o in operators.list_operators(s)] == [False]


def _accept_and_record(s, state, doc, territory, at):
    accepted = accept_list(state, doc, at=at, territory=territory)
    versions_db.record_version(s, accepted, actor="test")
    return state.with_list(accepted)


def test_versions_are_content_addressed_and_replayed(sessions, lists):
    at = datetime.now(timezone.utc)
    with sessions() as s:
        versions_db.add_pins(s, [lists.gba_pin])
        state = TrustState((lists.gba_pin,))
        state = _accept_and_record(s, state, lists.lotl, "GBA", at)
        state = _accept_and_record(s, state, lists.hk1, "HK", at + timedelta(seconds=1))
        state = _accept_and_record(s, state, lists.hk2, "HK", at + timedelta(seconds=2))
        loaded = versions_db.load_state(s)
        assert loaded.problems == []
        assert loaded.state.lists["HK"].sequence_number == 2
        vs = versions_db.versions(s, "HK")
        assert [v.sequence_number for v in vs] == [2, 1]
        assert versions_db.document(s, vs[0].sha256) == lists.hk2
        # The same sequence number twice (a race between two workers) is a conflict, not a second version.
        with pytest.raises(versions_db.VersionConflict):
            versions_db.record_version(s, accept_list(TrustState((lists.gba_pin,), {"GBA": state.lists["GBA"]}),
                                                      lists.hk2, at=at, territory="HK"), actor="test")
        before = versions_db.marker(s)
        assert before[0] == 3


def test_tampered_stored_version_is_refused_on_reload(sessions, lists):
    at = datetime.now(timezone.utc)
    with sessions() as s:
        versions_db.add_pins(s, [lists.gba_pin])
        state = _accept_and_record(s, TrustState((lists.gba_pin,)), lists.lotl, "GBA", at)
        _accept_and_record(s, state, lists.hk1, "HK", at + timedelta(seconds=1))
        sha = versions_db.versions(s, "HK")[0].sha256
        forged = lists.hk1.replace(b"HK CA v1", b"HK CA v9")
        s.execute(text("UPDATE trust_list_versions SET document = :d WHERE sha256 = :h"), {"d": forged, "h": sha})
        s.commit()
        loaded = versions_db.load_state(s)
    assert "HK" not in loaded.state.lists and len(loaded.problems) == 1


def test_report_archive_is_content_addressed(sessions):
    from trustsvc.store import reports

    with sessions() as s:
        d1 = reports.archive(s, "a.b.c", kind="certificate")
        assert reports.archive(s, "a.b.c", kind="certificate") == d1
        assert reports.fetch(s, d1) == "a.b.c" and reports.fetch(s, "0" * 64) is None
