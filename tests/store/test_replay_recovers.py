"""Issue 14: versions stored out of order by the old upload race replay to the newest list, with no refusal, so
/readyz recovers after a restart (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from trustsvc.store import db
from trustsvc.store import trust_lists as versions_db
from trustsvc.trustlist.loader import TrustState, accept_list


def test_rows_stored_out_of_order_replay_to_the_newest_without_problems(db_url, lists):
    engine = db.make_engine(db_url)
    db.upgrade(engine)
    with db.session_factory(engine)() as s:
        versions_db.add_pins(s, [lists.gba_pin])
        state = TrustState((lists.gba_pin,))
        lotl = accept_list(state, lists.lotl, at=lists.now, territory="GBA")
        versions_db.record_version(s, lotl, actor="t")
        state = state.with_list(lotl)
        hk1 = accept_list(state, lists.hk1, at=lists.now + timedelta(seconds=1), territory="HK")
        versions_db.record_version(s, hk1, actor="t")
        state = state.with_list(hk1)
        # The old race: #3 and #2 both judged against #1, #3 stored with the earlier acceptance time.
        hk3 = accept_list(state, lists.hk(3), at=lists.now + timedelta(seconds=2), territory="HK")
        hk2 = accept_list(state, lists.hk(2), at=lists.now + timedelta(seconds=3), territory="HK")
        versions_db.record_version(s, hk3, actor="t")
        versions_db.record_version(s, hk2, actor="t")
        loaded = versions_db.load_state(s)
    engine.dispose()
    assert loaded.problems == []
    assert loaded.state.lists["HK"].sequence_number == 3
