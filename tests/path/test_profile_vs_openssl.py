"""Differential test: our strict profile against `openssl verify -x509_strict` on the generated chains of
tests/path/test_profile.py and tests/path/test_name_constraints_complete.py.

Where the two disagree the case is listed in KNOWN (and in docs/path.md) with the reason ours is right; any other
disagreement fails the test.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.path import test_name_constraints_complete as nct
from tests.path import test_profile as pt
from tests.path.rawpki import NOW, leaf

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI not installed")

# case id -> why openssl -x509_strict (3.0) accepts what RFC 5280 forbids (or refuses what it allows)
KNOWN = {
    "serial-zero": "openssl does not check serial numbers",
    "serial-negative": "openssl does not check serial numbers",
    "serial-22-octets": "openssl does not check serial length",
    "eku-empty": "openssl accepts an empty extKeyUsage",
    "san-underscore": "openssl does not check dNSName syntax",
    "san-empty-label": "openssl does not check dNSName syntax",
    "san-mailbox-bad": "openssl does not check rfc822Name syntax outside name constraints",
    "san-uri-relative": "openssl does not check URI syntax",
    "nc-in-end-entity": "openssl ignores nameConstraints in an end entity",
    "nc-non-critical": "openssl does not check nameConstraints criticality",
    "nc-bad-mailbox": "openssl does not check rfc822Name constraint syntax",
    "pc-empty": "openssl accepts an empty policyConstraints",
    "pc-anchor-non-critical": "openssl does not check policyConstraints criticality",
    "cp-duplicate": "openssl accepts a policy OID repeated in certificatePolicies",
    "nc-ip-without-mask": "openssl does not check the length of an iPAddress constraint it never compares",
    "nc-empty": "openssl accepts a nameConstraints with no subtrees",
    "dns-malformed-san": "openssl matches `.example.com` as a name within example.com (RFC 1034: not a host name)",
    "email-malformed-san": "openssl matches `bad@address@example.com` by its last `@` (RFC 5322: not a mailbox)",
    "wildcard-excluded-by-child": "openssl matches a wildcard SAN only as a literal name against excluded subtrees",
}


def _pem(der: bytes) -> str:
    b64 = base64.b64encode(der).decode()
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(b64[i:i + 64] for i in range(0, len(b64), 64)) + \
        "\n-----END CERTIFICATE-----\n"


def openssl_accepts(tmp: Path, target, inter, anchors) -> bool:
    (tmp / "ca.pem").write_text("".join(_pem(a.der) for a in anchors))
    (tmp / "inter.pem").write_text("".join(_pem(c.der) for c in inter))
    (tmp / "leaf.pem").write_text(_pem(target.der))
    args = ["openssl", "verify", "-x509_strict", "-CAfile", str(tmp / "ca.pem"), "-attime", str(int(NOW.timestamp()))]
    if inter:
        args += ["-untrusted", str(tmp / "inter.pem")]
    out = subprocess.run([*args, str(tmp / "leaf.pem")], capture_output=True, text=True, timeout=30)
    return out.returncode == 0


def _profile_cases():
    for case_id, make, expected in pt.CASES:
        yield case_id, make, expected is None


def _nc_cases():
    for case_id, nc_kw, leaf_kw, expected in nct.CASES:
        def make(nc_kw=nc_kw, leaf_kw=dict(leaf_kw)):
            r = nct.constrained_root(**nc_kw)
            kw = dict(leaf_kw)
            cn = kw.pop("cn", "leaf")
            return leaf(r, cn, **kw), [], [r]
        yield case_id, make, expected == "pass" and not case_id.endswith(("-malformed-san", "-san-with-mask"))


ALL = [*_profile_cases(), *_nc_cases()]


@pytest.mark.parametrize("case", ALL, ids=[c[0] for c in ALL])
def test_agrees_with_openssl_x509_strict_or_is_a_known_difference(case, tmp_path) -> None:
    case_id, make, we_accept = case
    target, inter, anchors = make()
    ours = pt.passes(pt.run(target, inter=inter, anchors=anchors))
    assert ours is we_accept
    theirs = openssl_accepts(tmp_path, target, inter, anchors)
    if case_id in KNOWN and KNOWN[case_id]:
        assert theirs is not ours, f"{case_id}: openssl now agrees; drop it from KNOWN and docs/path.md"
    else:
        assert theirs is ours, f"{case_id}: ours {ours}, openssl -x509_strict {theirs}"
