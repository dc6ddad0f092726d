"""Differential test: random small chains, trustsvc and `openssl verify` must agree on pass / fail."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.path.pki import NOW, issue, key, name
from trustsvc.reports import Indication
from trustsvc.validation.certificate import validate_certificate

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI not available")

P1, P2 = "1.3.6.1.4.1.55555.1.1", "1.3.6.1.4.1.55555.1.2"
ANY = "2.5.29.32.0"


@pytest.fixture(scope="session")
def keys():
    return [key() for _ in range(4)]


def _pem(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _crl(issuer_cn: str, issuer_key, revoked: list[int]):
    b = (x509.CertificateRevocationListBuilder().issuer_name(name(issuer_cn)).last_update(NOW - timedelta(days=1))
         .next_update(NOW + timedelta(days=30)).add_extension(x509.CRLNumber(1), critical=False))
    for serial in revoked:
        b = b.add_revoked_certificate(x509.RevokedCertificateBuilder().serial_number(serial)
                                      .revocation_date(NOW - timedelta(hours=12)).build())
    return b.sign(issuer_key, hashes.SHA256())


chains = st.fixed_dictionaries({
    "depth": st.integers(1, 2),
    "path_len": st.sampled_from([None, 0, 1]),
    "ca_policy": st.sampled_from([None, P1, ANY]),
    "leaf_policy": st.sampled_from([None, P1, P2]),
    "leaf_time": st.sampled_from(["valid", "expired", "future"]),
    "revoked": st.booleans(),
    "explicit": st.booleans(),
    "initial": st.sampled_from([None, P1]),
})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=chains)
def test_trustsvc_agrees_with_openssl_verify(keys, spec, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("diff")
    rk = keys[0]
    root = issue("Diff Root", rk, "Diff Root", rk)
    cas, crls, parent, pkey = [], [], "Diff Root", rk
    for i in range(spec["depth"]):
        ck = keys[i + 1]
        pols = [spec["ca_policy"]] if spec["ca_policy"] else None
        cas.append(issue(f"Diff CA {i}", ck, parent, pkey, path_len=spec["path_len"] if i == 0 else None, policies=pols))
        crls.append(_crl(parent, pkey, []))
        parent, pkey = f"Diff CA {i}", ck
    times = {"valid": (NOW - timedelta(days=1), NOW + timedelta(days=30)),
             "expired": (NOW - timedelta(days=30), NOW - timedelta(days=1)),
             "future": (NOW + timedelta(days=1), NOW + timedelta(days=30))}[spec["leaf_time"]]
    leaf = issue("Diff Leaf", keys[3], parent, pkey, ca=False, serial=4242, not_before=times[0], not_after=times[1],
                 policies=[spec["leaf_policy"]] if spec["leaf_policy"] else None)
    crls.append(_crl(parent, pkey, [4242] if spec["revoked"] else []))

    (tmp / "root.pem").write_bytes(_pem(root))
    (tmp / "untrusted.pem").write_bytes(b"".join(_pem(c) for c in cas))
    (tmp / "leaf.pem").write_bytes(_pem(leaf))
    (tmp / "crls.pem").write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in crls))
    cmd = ["openssl", "verify", "-attime", str(int(NOW.timestamp())), "-CAfile", str(tmp / "root.pem"),
           "-untrusted", str(tmp / "untrusted.pem"), "-crl_check_all", "-CRLfile", str(tmp / "crls.pem"), "-policy_check"]
    if spec["explicit"]:
        cmd.append("-explicit_policy")
    if spec["initial"]:
        cmd += ["-policy", spec["initial"]]
    elif spec["explicit"]:
        # OpenSSL treats "no -policy" as an EMPTY user-initial-policy-set (error 43 under -explicit_policy),
        # where RFC 5280 6.1.1 (c) defaults it to {anyPolicy}: say anyPolicy explicitly.
        cmd += ["-policy", ANY]
    cmd.append(str(tmp / "leaf.pem"))
    openssl_ok = subprocess.run(cmd, capture_output=True).returncode == 0

    der = lambda c: c.public_bytes(serialization.Encoding.DER)  # noqa: E731
    report = validate_certificate(der(leaf), intermediates=[der(c) for c in reversed(cas)], trust_anchors=[der(root)],
                                  at=NOW, crls=[c.public_bytes(serialization.Encoding.DER) for c in crls],
                                  initial_policy_set=[spec["initial"]] if spec["initial"] else None,
                                  explicit_policy=spec["explicit"], revocation="require")
    assert (report.indication is Indication.PASSED) == openssl_ok, (spec, report.reasons)
