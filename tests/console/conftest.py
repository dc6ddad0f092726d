"""A live `trustsvc serve` over a fresh demo PKI, and a headless Debian Chromium driven by Selenium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.faults.server import free_port

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture(scope="session")
def live_console(tmp_path_factory):
    """(base URL, demo dir, env): `make run`'s flow on a free port."""
    cwd = tmp_path_factory.mktemp("console")
    port = free_port()
    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", ""),
           "TRUSTSVC_DATABASE_URL": "sqlite:///var/trustsvc.db", "TRUSTSVC_DEMO_DIR": "var/demo"}
    subprocess.run(["trustsvc", "demo", "init", "var/demo"], cwd=cwd, env=env, check=True, capture_output=True)
    server = subprocess.Popen(["trustsvc", "serve", "--host", "127.0.0.1", "--port", str(port),
                               "--log-level", "warning"], cwd=cwd, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            pytest.fail("trustsvc serve did not become ready")
        yield base, cwd / "var" / "demo", env, cwd
    finally:
        server.terminate()
        server.wait(timeout=15)


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """Debian's chromium + chromium-driver (never a downloaded browser); every host but 127.0.0.1 unreachable."""
    if not (CHROMIUM and CHROMEDRIVER):
        if os.environ.get("CI"):
            pytest.fail("chromium and chromium-driver must be installed in CI (.ci/run installs them)")
        pytest.skip("chromium / chromedriver not installed (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1366,1800", "--lang=en-US",
                # Anything that is not loopback fails to resolve: an external request shows up as an error.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(120)
    try:
        yield driver
    finally:
        driver.quit()
