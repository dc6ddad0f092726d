"""Every certificate the demo GBA PKI issues conforms to the strict RFC 5280 profile (path/profile.py)."""

from __future__ import annotations

from trustsvc.path.profile import findings
from trustsvc.x509 import load_certificate


def test_demo_certificates_conform_to_the_strict_profile(demo_pki):
    d, index = demo_pki
    problems = {}
    for ident, e in index["entities"].items():
        cert = load_certificate((d / e["cert_der"]).read_bytes())
        bad = [f.render() for f in findings(cert) if not f.tolerated]
        if bad:
            problems[ident] = bad
    assert not problems, problems
    assert len(index["entities"]) >= 19
