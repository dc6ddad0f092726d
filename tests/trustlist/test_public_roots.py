"""trust_lists/public/ matches the certifi bundle it was taken from, with the documented fingerprints."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustsvc.x509 import load_certificate, load_certificates

PUBLIC = Path(__file__).resolve().parents[2] / "trust_lists" / "public"
EXPECTED = {
    "gdca-trustauth-r5-root.pem": ("GDCA TrustAUTH R5 ROOT",
                                   "bfff8fd04433487d6a8aa60c1a29767a9fc2bbb05e420f713a13b992891d3893"),
    "hongkong-post-root-ca-3.pem": ("Hongkong Post Root CA 3",
                                    "5a2fc03f0c83b090bbfa40604b0988446c7636183df9846e17101a447fb8efd6"),
}


@pytest.mark.parametrize("file_name", sorted(EXPECTED))
def test_public_root_fingerprint(file_name):
    cn, sha256 = EXPECTED[file_name]
    cert = load_certificate((PUBLIC / file_name).read_bytes())
    assert cert.subject.native["common_name"] == cn and cert.sha256 == sha256
    assert sha256 in (PUBLIC.parent / "README.md").read_text().replace(":", "").lower()


def test_public_roots_are_in_certifi():
    certifi = pytest.importorskip("certifi")
    bundle = {c.sha256 for c in load_certificates(Path(certifi.where()).read_bytes())}
    assert {sha for _, sha in EXPECTED.values()} <= bundle
