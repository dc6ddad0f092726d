"""The console pages through the ASGI app (no browser): languages, detection, pairing, operator checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from trustsvc.api.app import create_app
from trustsvc.api.settings import Settings
from trustsvc.console import i18n
from trustsvc.console.pages import detect_kind, pair_bids
from trustsvc.store import operators


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    from trustsvc.demo.init import init_demo

    out = tmp_path_factory.mktemp("console-demo")
    init_demo(out)
    return out


@pytest.fixture(scope="module")
def client(demo, tmp_path_factory):
    db = tmp_path_factory.mktemp("console-db") / "t.db"
    settings = Settings(database_url=f"sqlite:///{db}", demo_dir=demo, data_dir=db.parent, poll_interval=0)
    with TestClient(create_app(settings)) as c:
        yield c


def test_language_follows_the_choice_then_accept_language():
    assert i18n.pick("zh-Hant") == "zh-Hant"
    assert i18n.pick(None, "zh-HK,zh;q=0.8") == "zh-Hant"
    assert i18n.pick(None, "zh-CN") == "zh-Hans"
    assert i18n.pick("xx", "fr-FR") == "en"
    for lang in i18n.LANGS:  # every phrase exists in every language
        assert all(i18n.phrases(lang).values())


def test_kinds_are_detected_from_the_bytes(demo):
    assert detect_kind((demo / "certs" / "hk-leaf.pem").read_bytes()) == "certificate"
    assert detect_kind((demo / "bids" / "hk-bid.p7s").read_bytes()) == "signature"
    assert detect_kind(b"garbage") == "certificate"  # the certificate reader then says why it is unreadable


def test_bids_pair_with_their_content():
    pairs = pair_bids([("a.p7s", b"S1"), ("a.txt", b"C1"), ("dir/b.p7s", b"S2"), ("dir/b", b"C2"), ("c.p7s", b"S3"),
                       ("notes.txt", b"x")])
    assert pairs == [("a", b"S1", b"C1"), ("c", b"S3", None), ("b", b"S2", b"C2")]


@pytest.mark.parametrize("page", ["/", "/verify", "/opening", "/operator"])
@pytest.mark.parametrize("lang, word", [("en", "trustsvc"), ("zh-Hans", "信任列表"), ("zh-Hant", "驗證")])
def test_pages_render_in_each_language(client, page, lang, word):
    r = client.get(page, params={"lang": lang})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert f'lang="{lang}"' in r.text and word in r.text
    assert "https://" not in r.text.replace("https://trustsvc.example", "")  # no CDN, no external asset


def test_offline_docs_reference_only_local_assets(client):
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        assert "cdn.jsdelivr" not in html and "fonts.googleapis" not in html and "/docs-assets/" in html
    assert b"cdn.redoc.ly" not in client.get("/docs-assets/redoc-offline.js").content
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200


def test_verify_page_renders_a_report_without_javascript(client, demo):
    r = client.post("/verify", data={"usage": "e-tendering", "lang": "zh-Hant"},
                    files=[("file", ("leaf.pem", (demo / "certs" / "mo-leaf.pem").read_bytes())),
                           ("intermediates", ("ca.pem", (demo / "certs" / "mo-ca.pem").read_bytes()))])
    assert r.status_code == 200
    assert 'id="indication">PASSED' in r.text and "憑證路徑" in r.text


def test_verify_page_shows_an_unreadable_file_as_a_refusal(client):
    r = client.post("/verify", data={"kind": "certificate"}, files=[("file", ("x.pem", b"not a certificate"))])
    assert r.status_code == 422 and 'id="error"' in r.text


def test_bid_opening_without_javascript_streams_the_table(client, demo):
    files = [("bids", (p.name, p.read_bytes())) for p in sorted((demo / "bids").glob("*-bid.*"))]
    r = client.post("/opening", data={"tender": "GD-2026-0001", "deadline": "2099-01-01T00:00:00Z"}, files=files)
    assert r.status_code == 200
    assert r.text.count("<tr class=\"passed\">") == 3 and 'id="totals"' in r.text and "3 / 3" in r.text
    assert 'id="minutes-html" download="minutes.html" href="data:text/html;base64,' in r.text  # the signed minutes


def test_operator_check_shows_the_diff_and_the_rejection(client, demo):
    app = client.app
    with app.state.svc.sessions() as s:
        _, token = operators.add_operator(s, "HK", "HK operator (test)")
    same = (demo / "trust_lists" / "hk.json").read_bytes()
    r = client.post("/operator", data={"territory": "HK", "token": token, "action": "check"},
                    files=[("list", ("hk.json", same))])
    assert r.status_code == 422 and "rollback" in r.text  # the same sequence number again
    r = client.post("/operator", data={"territory": "HK", "token": "wrong", "action": "upload"},
                    files=[("list", ("hk.json", same))])
    assert r.status_code == 401
    r = client.post("/operator", data={"territory": "MO", "token": token, "action": "upload"},
                    files=[("list", ("mo.json", same))])
    assert r.status_code == 403
