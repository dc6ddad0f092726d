"""The console in real headless Chromium: pages load clean and offline, and the four flows work end to end."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from trustsvc.cms.builder import LocalTSA, load_private_key, sign_cms
from trustsvc.x509.load import load_certificate

# Screenshots land in docs/console/ when TRUSTSVC_SCREENSHOTS is set (how the committed ones were made).
SHOTS = os.environ.get("TRUSTSVC_SCREENSHOTS")


def _drain(driver) -> tuple[list[str], list[dict]]:
    """Request URLs and console entries since the last call."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls, driver.get_log("browser")


def _assert_clean(driver, base: str) -> None:
    urls, console = _drain(driver)
    outside = [u for u in urls if urlparse(u).scheme in ("http", "https", "ws", "wss")
               and not u.startswith(base)]
    assert not outside, f"requests left 127.0.0.1: {outside}"
    errors = [e for e in console if e["level"] == "SEVERE"]
    assert not errors, f"console errors: {errors}"


def _shot(driver, name: str, tmp_path: Path) -> None:
    folder = Path(SHOTS) if SHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(folder / f"{name}.png"))
    assert (folder / f"{name}.png").stat().st_size > 1000


def _wait(driver, css: str, timeout: float = 60):
    return WebDriverWait(driver, timeout).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


@pytest.mark.parametrize("page", ["/", "/verify", "/opening", "/operator", "/?lang=zh-Hans", "/?lang=zh-Hant"])
def test_page_loads_without_errors_or_external_requests(browser, live_console, page, tmp_path):
    base = live_console[0]
    _drain(browser)
    browser.get(base + page)
    _wait(browser, "main h1")
    _assert_clean(browser, base)
    if page == "/":
        assert browser.find_elements(By.CSS_SELECTOR, "svg.map .node")  # the recognition map is drawn
        assert browser.find_elements(By.CSS_SELECTOR, "svg.timeline rect.granted")  # and the status timelines
        assert "HK" in browser.find_element(By.ID, "list-HK").text
        _shot(browser, "trust-lists", tmp_path)
    if page == "/?lang=zh-Hans":
        assert "信任列表" in browser.find_element(By.TAG_NAME, "h1").text


@pytest.mark.parametrize("page, ready", [("/docs", ".swagger-ui .info"), ("/redoc", "[role=search], .api-content")])
def test_api_docs_work_offline(browser, live_console, page, ready, tmp_path):
    base = live_console[0]
    _drain(browser)
    browser.get(base + page)
    _wait(browser, ready)
    _assert_clean(browser, base)
    _shot(browser, page.strip("/"), tmp_path)


def test_verify_a_certificate_draws_the_path(browser, live_console, tmp_path):
    base, demo, *_ = live_console
    _drain(browser)
    browser.get(base + "/verify")
    browser.find_element(By.ID, "file").send_keys(str(demo / "certs" / "hk-leaf.pem"))
    browser.find_element(By.ID, "intermediates").send_keys(str(demo / "certs" / "hk-ca.pem"))
    browser.find_element(By.CSS_SELECTOR, "#usage option[value=e-tendering]").click()
    browser.find_element(By.ID, "verify-submit").click()
    assert _wait(browser, "#indication").text == "PASSED"
    links = browser.find_elements(By.CSS_SELECTOR, "#chain g.link")
    assert len(links) >= 3  # anchor -> CA -> leaf
    assert "anchor" in links[0].get_attribute("class") and "leaf" in links[-1].get_attribute("class")
    assert "HK" in browser.find_element(By.ID, "recognition").text
    assert browser.find_element(By.ID, "download-jws").get_attribute("href").startswith("data:application/jose")
    _assert_clean(browser, base)
    _shot(browser, "verify-certificate", tmp_path)


def test_verify_a_tampered_bid_fails_with_the_reason(browser, live_console, tmp_path):
    base, demo, *_ = live_console
    tampered = tmp_path / "hk-bid.txt"
    tampered.write_bytes((demo / "bids" / "hk-bid.txt").read_bytes().replace(b"1,000,000.00", b"9,000,000.00"))
    browser.get(base + "/verify?lang=en")
    browser.find_element(By.ID, "file").send_keys(str(demo / "bids" / "hk-bid.p7s"))
    browser.find_element(By.ID, "content").send_keys(str(tampered))
    browser.find_element(By.ID, "verify-submit").click()
    assert _wait(browser, "#indication").text == "TOTAL-FAILED"
    assert browser.find_element(By.ID, "sub-indication").text == "HASH_FAILURE"
    assert browser.find_element(By.ID, "reasons").text.strip()
    _shot(browser, "verify-tampered-bid", tmp_path)


def _fifty_bids(demo: Path, out: Path) -> list[Path]:
    index = json.loads((demo / "pki.json").read_text())

    def load(ident: str):
        ent = index["entities"][ident]
        return (load_certificate((demo / ent["cert"]).read_bytes()),
                load_private_key((demo / ent["key"]).read_bytes()))

    def chain(ident: str) -> list:
        out_, issuer = [], index["entities"][ident].get("issuer")
        while issuer and index["entities"][issuer].get("role") != "root":
            out_.append(load(issuer)[0])
            issuer = index["entities"][issuer].get("issuer")
        return out_

    tsa_cert, tsa_key = load("hk-tsa")
    signed_at = tsa_cert.not_before + timedelta(days=1)
    tsa = LocalTSA(tsa_cert, tsa_key, chain=chain("hk-tsa"), clock=lambda: signed_at)
    paths = []
    for i in range(50):
        signer = ("hk-leaf", "mo-leaf", "gd-leaf")[i % 3]
        cert, key = load(signer)
        content = f"Tender GD-2026-0001: bid {i:02d} from {cert.subject_str}\n".encode()
        (out / f"bid-{i:02d}.txt").write_bytes(content)
        (out / f"bid-{i:02d}.p7s").write_bytes(sign_cms(content, cert, key, detached=True, signing_time=signed_at,
                                                       timestamper=tsa, extra_certs=chain(signer)))
        paths += [out / f"bid-{i:02d}.p7s", out / f"bid-{i:02d}.txt"]
    return paths


def test_bid_opening_of_fifty_bids_shows_progress_and_the_table(browser, live_console, tmp_path):
    base, demo, *_ = live_console
    files = _fifty_bids(demo, tmp_path)
    _drain(browser)
    browser.get(base + "/opening")
    browser.find_element(By.ID, "tender").send_keys("GD-2026-0001")
    browser.find_element(By.ID, "deadline").send_keys("2099-01-01T00:00:00+08:00")
    browser.find_element(By.ID, "bids").send_keys("\n".join(str(p) for p in files))
    browser.find_element(By.ID, "opening-submit").click()
    _wait(browser, "#progress")
    _wait(browser, "#totals", timeout=300)
    rows = browser.find_elements(By.CSS_SELECTOR, "#results tbody tr")
    assert len(rows) == 50
    assert all("TOTAL-PASSED" in r.find_element(By.CSS_SELECTOR, ".verdict").text for r in rows)
    assert browser.find_element(By.ID, "progress").get_attribute("aria-valuenow") == "50"
    assert browser.find_element(By.ID, "minutes-html").get_attribute("href").startswith("data:text/html;base64,")
    assert "50 / 50" in browser.execute_script(
        "return getComputedStyle(document.getElementById('progress-count'), '::after').content")
    _assert_clean(browser, base)
    _shot(browser, "bid-opening", tmp_path)


def test_operator_upload_with_a_wrong_token_is_refused(browser, live_console, tmp_path):
    base, demo, *_ = live_console
    _drain(browser)
    browser.get(base + "/operator")
    browser.find_element(By.CSS_SELECTOR, "#territory option[value=HK]").click()
    browser.find_element(By.ID, "token").send_keys("not-a-token")
    browser.find_element(By.ID, "list").send_keys(str(demo / "trust_lists" / "hk.json"))
    browser.find_element(By.ID, "operator-check").click()
    error = _wait(browser, "#error")
    assert "401" in error.text and "token" in error.text
    _shot(browser, "operator-refused", tmp_path)
