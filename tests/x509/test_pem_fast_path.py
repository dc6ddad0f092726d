"""The one-certificate PEM fast path (x509/load.py) agrees with the general PEM reader on every input it accepts.

The fast path decodes a lone, header-less CERTIFICATE block without the line reader (issue 21: the HTTP path
reads every leaf from PEM). Whatever it accepts, the general reader (`x509/armor.py`) must read as exactly one
CERTIFICATE block with the same DER; anything else the fast path must leave to the general path (None).
Mutations of real PEM certificates, derandomized so every run checks the same inputs.
"""

from __future__ import annotations

import base64

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustsvc.x509 import armor
from trustsvc.x509.load import _one_plain_certificate, load_certificate
from tests.x509.test_names import DERS

PEMS = [b"-----BEGIN CERTIFICATE-----\n" + b"\n".join(base64.b64encode(d)[i:i + 64]
                                                      for i in range(0, len(base64.b64encode(d)), 64))
        + b"\n-----END CERTIFICATE-----\n" for d in DERS[:40]]
_NOISE = [b"\r\n", b"\n", b" ", b"\t", b"=", b"-", b"-----", b"A", b"*", b":", b"\x00", b"\xff",
          b"-----END CERTIFICATE-----\n", b"-----BEGIN CERTIFICATE-----\n", b"Proc-Type: 4,ENCRYPTED\n"]


def _general(data: bytes) -> list[tuple[str, bytes]] | None:
    try:
        return list(armor.unarmor(data))
    except ValueError:
        return None


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(PEMS)))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(("insert", "delete", "replace", "truncate", "crlf")))
        if kind == "insert":
            data[at:at] = draw(st.sampled_from(_NOISE))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 8))]
        elif kind == "replace" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif kind == "truncate":
            del data[at:]
        elif kind == "crlf":
            data = bytearray(bytes(data).replace(b"\n", b"\r\n"))
    return bytes(data)


@settings(max_examples=400, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutated())
def test_fast_path_agrees_with_the_general_reader(data):
    fast = _one_plain_certificate(data)
    if fast is None:
        return  # left to the general path: nothing to agree on
    assert _general(data) == [("CERTIFICATE", fast)]


def test_every_unmutated_certificate_takes_the_fast_path():
    for pem, der in zip(PEMS, DERS):
        assert _one_plain_certificate(pem) == der
        assert _one_plain_certificate(pem.replace(b"\n", b"\r\n")) == der


def test_what_the_fast_path_leaves_is_still_read_or_refused_by_the_general_path():
    bundle = PEMS[0] + PEMS[1]
    assert _one_plain_certificate(bundle) is None  # two blocks: the bundle reader's job
    headers = PEMS[0].replace(b"-----\n", b"-----\nProc-Type: 4,ENCRYPTED\n\n", 1)
    assert _one_plain_certificate(headers) is None
    assert _one_plain_certificate(b"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n") is None
    assert load_certificate(PEMS[0].decode()).der == DERS[0]
