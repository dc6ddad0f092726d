"""Archive timestamps are validated each over everything added before it (EN 319 102-1 5.6.2.3), so the work
grows with the square of their number: 400 copies in one 1.2 MB signature cost 14 s of CPU, past the request's
limit. More than MAX_ARCHIVE_TIMESTAMPS are not validated at all, and the report says so."""

from __future__ import annotations

import base64
import resource

from asn1crypto import cms, core

from tests.api.test_verify import demo, demo_client, demo_settings, signed_bid  # noqa: F401  (fixtures)
from trustsvc.validation.longterm import MAX_ARCHIVE_TIMESTAMPS

ATS_V2 = "1.2.840.113549.1.9.16.2.48"


def _tlv(tag: int, body: bytes) -> bytes:
    n = len(body)
    length = bytes([n]) if n < 128 else bytes([0x80 | ((n.bit_length() + 7) // 8)]) + n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag]) + length + body


def _with_archive_copies(sig: bytes, n: int) -> bytes:
    """`sig` with `n` archive-timestamp-v2 attributes, each holding the signature timestamp token (raw DER edit)."""
    ci = cms.ContentInfo.load(sig)
    sd = ci["content"]
    si = sd["signer_infos"][0]
    attrs = list(si["unsigned_attrs"])
    token = next(a for a in attrs if a["type"].native == "signature_time_stamp_token")["values"][0].dump()
    one = _tlv(0x30, core.ObjectIdentifier(ATS_V2).dump() + _tlv(0x31, token))
    old = si["unsigned_attrs"].dump()
    new_si = _tlv(0x30, si.contents[:len(si.contents) - len(old)] + _tlv(0xA1, b"".join(a.dump() for a in attrs) + one * n))
    sis = sd["signer_infos"].dump()
    new_sd = _tlv(0x30, sd.contents[:len(sd.contents) - len(sis)] + _tlv(0x31, new_si))
    return _tlv(0x30, ci["content_type"].dump() + _tlv(0xA0, new_sd))


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def test_a_flood_of_archive_timestamps_is_bounded_and_named(demo_client, signed_bid):
    bid, sig, _ = signed_bid
    flooded = _with_archive_copies(sig, 300)  # ~8 s of CPU before
    start = _cpu()
    r = demo_client.post("/v1/verify/signature", files={"signature": ("bid.p7s", flooded), "content": ("bid", bid)},
                         data={"usage": "e-tendering"})
    assert _cpu() - start < 3.0
    assert r.status_code == 200
    body = r.json()
    assert body["indication"] == "TOTAL-PASSED", body["report"]["reasons"]  # unsigned padding changes nothing
    assert any(f"more than the {MAX_ARCHIVE_TIMESTAMPS} validated" in x for x in body["report"]["reasons"])


def test_archive_timestamps_within_the_cap_are_still_validated(demo_client, signed_bid):
    bid, sig, _ = signed_bid
    r = demo_client.post("/v1/verify/signature", json={"signature": base64.b64encode(_with_archive_copies(sig, 2)).decode(),
                                                       "content": base64.b64encode(bid).decode(), "usage": "e-tendering"})
    timestamps = [t for s in r.json()["report"]["signers"] for t in s.get("timestamps", [])]
    assert len(timestamps) == 3  # the signature timestamp and both archive timestamps, each validated
    assert not any("validated:" in x for x in r.json()["report"]["reasons"])
