"""Trust-list GETs as HTTP caches need them: an ETag per representation, 304 on If-None-Match (weak compare,
`*`, lists), Cache-Control until the list's NextUpdate, Vary: Accept, 406 problem+json for what cannot be served."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

from trustsvc.api.conditional import cache_control_until, none_match, parse_accept

PROBLEM = "application/problem+json"
XML = "application/vnd.etsi.tsl+xml"


def test_json_and_xml_have_distinct_etags_over_their_own_bytes(client):
    j = client.get("/v1/trust-lists/HK")
    x = client.get("/v1/trust-lists/HK", headers={"accept": XML})
    assert j.status_code == x.status_code == 200
    assert j.headers["etag"] == '"' + hashlib.sha256(j.content).hexdigest() + '"'
    assert x.headers["etag"] == '"' + hashlib.sha256(x.content).hexdigest() + '"'
    assert j.headers["etag"] != x.headers["etag"]
    # The XML is rendered the same way every time: its validator is stable across requests.
    assert client.get("/v1/trust-lists/HK", headers={"accept": XML}).headers["etag"] == x.headers["etag"]


def test_if_none_match_gives_304_for_the_same_representation_only(client):
    j = client.get("/v1/trust-lists/HK")
    x = client.get("/v1/trust-lists/HK", headers={"accept": XML})
    same = client.get("/v1/trust-lists/HK", headers={"if-none-match": j.headers["etag"]})
    assert same.status_code == 304 and same.content == b""
    assert same.headers["etag"] == j.headers["etag"] and same.headers["vary"] == "Accept"
    assert same.headers["cache-control"] == j.headers["cache-control"]
    # The JSON's tag does not validate the XML representation, and vice versa.
    cross = client.get("/v1/trust-lists/HK", headers={"accept": XML, "if-none-match": j.headers["etag"]})
    assert cross.status_code == 200 and cross.content == x.content
    xml_304 = client.get("/v1/trust-lists/HK", headers={"accept": XML, "if-none-match": x.headers["etag"]})
    assert xml_304.status_code == 304


def test_if_none_match_weak_star_and_lists(client):
    tag = client.get("/v1/trust-lists/HK").headers["etag"]
    for header in (f"W/{tag}", "*", f'"nope", {tag}', f'W/"other" ,W/{tag}'):
        r = client.get("/v1/trust-lists/HK", headers={"if-none-match": header})
        assert r.status_code == 304, header
    stale = client.get("/v1/trust-lists/HK", headers={"if-none-match": '"0000", W/"1111"'})
    assert stale.status_code == 200 and stale.headers["etag"] == tag


def test_cache_control_runs_until_next_update(client, ops):
    r = client.get("/v1/trust-lists/HK")
    assert r.headers["vary"] == "Accept"
    directives = dict(d.strip().partition("=")[::2] for d in r.headers["cache-control"].split(","))
    assert "public" in directives
    # ops.hk(1) is issued with NextUpdate 30 days after the fixture's clock.
    expected = ((ops.now + timedelta(days=30)) - datetime.now(timezone.utc)).total_seconds()
    assert abs(int(directives["max-age"]) - expected) < 120


def test_cache_control_after_next_update_is_no_cache():
    now = datetime(2026, 1, 2, tzinfo=timezone.utc)
    assert cache_control_until(now - timedelta(seconds=1), now) == "no-cache"
    assert cache_control_until(now, now) == "no-cache"
    assert cache_control_until(now + timedelta(hours=1), now) == "public, max-age=3600"


def test_accept_negotiation_with_q_values(client):
    def kind(accept: str) -> str:
        r = client.get("/v1/trust-lists/HK", headers={"accept": accept})
        assert r.status_code == 200, (accept, r.text)
        return "xml" if r.headers["content-type"].startswith(XML) else "json"

    assert kind("*/*") == "json"
    assert kind("application/*") == "json"
    assert kind("application/xml") == "xml"
    assert kind("text/xml") == "xml"
    assert kind(f"application/json;q=0.4, {XML}") == "xml"
    assert kind(f"application/json, {XML};q=0.9") == "json"
    # A browser's default Accept prefers XML over */*.
    assert kind("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8") == "xml"


def test_unservable_accept_is_406_problem(client):
    for accept in ("text/html", "image/png, text/plain;q=0.5", "application/json;q=0, */*;q=0"):
        r = client.get("/v1/trust-lists/HK", headers={"accept": accept})
        assert r.status_code == 406, accept
        assert r.headers["content-type"] == PROBLEM
        assert r.json()["type"].endswith("/not-acceptable") and "application/json" in r.json()["available"]


def test_stored_version_is_immutable_and_conditional(client):
    v = client.get("/v1/trust-lists/HK/versions").json()[0]["sha256"]
    r = client.get(f"/v1/trust-lists/HK/versions/{v}")
    assert r.headers["etag"] == f'"{v}"' and "immutable" in r.headers["cache-control"]
    assert client.get(f"/v1/trust-lists/HK/versions/{v}", headers={"if-none-match": f'W/"{v}"'}).status_code == 304


def test_accept_and_if_none_match_parsing_is_bounded_and_tolerant():
    assert [r.q for r in parse_accept("a/b;q=nan, c/d;q=2, e/f;q=0.5, junk")] == [0.0, 0.0, 0.5]
    assert len(parse_accept(", ".join(["a/b"] * 10_000))) == 64
    assert not none_match(None, '"x"') and not none_match('"y"', '"x"') and none_match(' "x" ', '"x"')


def test_list_index_revalidates_with_its_etag(client):
    r = client.get("/v1/trust-lists")
    assert r.status_code == 200 and {x["territory"] for x in r.json()["lists"]} == {"GBA", "HK"}
    assert r.headers["cache-control"] == "no-cache"  # list health changes with the clock: revalidate each time
    assert r.headers["etag"] == '"' + hashlib.sha256(r.content).hexdigest() + '"'
    assert client.get("/v1/trust-lists", headers={"if-none-match": r.headers["etag"]}).status_code == 304
