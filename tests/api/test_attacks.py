"""Issue 14 over HTTP: amplification, archive without a key, report size caps, batch line isolation."""

from __future__ import annotations

import base64
import json

from tests.path.pki import NOW, der, issue, key
from trustsvc.api.guard import cap_report

MIB = 1024 * 1024


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def _full_mesh(n: int = 8):
    """`n` CAs, every one cross-certified by every other (one key: every link verifies), none reaching the anchor."""
    keys = [key() for _ in range(n)]
    certs = [der(issue(f"Mesh CA {i}", keys[i], f"Mesh CA {j}", keys[j])) for i in range(n) for j in range(n) if i != j]
    leaf = der(issue("Mesh leaf", key(), "Mesh CA 0", keys[0], ca=False))
    rk = key()
    return leaf, certs, der(issue("Unrelated Root", rk, "Unrelated Root", rk))


def test_mesh_with_archive_and_no_key_is_refused_and_the_report_is_bounded(client):
    leaf, certs, root = _full_mesh()
    req = {"certificate": _b64(leaf), "intermediates": [_b64(c) for c in certs], "trust_anchors": [_b64(root)],
           "use_trust_lists": False, "at": NOW.isoformat()}
    r = client.post("/v1/verify/certificate?archive=true", json=req)
    assert r.status_code == 401, r.text  # no API key: nothing verified, nothing stored
    r = client.post("/v1/verify/certificate", json=req)
    assert r.status_code == 200
    assert len(r.content) <= MIB, len(r.content)  # was 8 MB with 17,140 candidate paths
    body = r.json()
    assert body["indication"] == "INDETERMINATE"
    assert len(body["report"]["candidate_paths"]) <= 50 and body["report"]["candidate_paths_total"] >= 50


def test_cap_report_summarises_any_oversized_report():
    attempts = [{"path": ["CA"] * 10, "reason": "x" * 300} for _ in range(20_000)]
    body = {"kind": "signature", "indication": "INDETERMINATE", "sub_indication": "NO_CERTIFICATE_CHAIN_FOUND",
            "report": {"indication": "INDETERMINATE", "reasons": ["no path"],
                       "signers": [{"certificate": {"candidate_paths": attempts}}] * 30}}
    capped = cap_report(body, MIB)
    assert len(json.dumps(capped).encode()) <= MIB and capped["truncated"] is True
    assert capped["indication"] == "INDETERMINATE"
    huge_strings = {"kind": "certificate", "indication": "PASSED", "report": {"reasons": ["y" * 5 * MIB]}}
    assert len(json.dumps(cap_report(huge_strings, MIB)).encode()) <= MIB
    small = {"kind": "certificate", "indication": "PASSED", "report": {}}
    assert cap_report(small, MIB) is small


def test_batch_line_with_a_list_as_type_gets_its_own_result_and_the_stream_goes_on(client):
    leaf, certs, root = _full_mesh(3)
    good = json.dumps({"type": "certificate", "id": "good", "certificate": _b64(leaf), "use_trust_lists": False,
                       "trust_anchors": [_b64(root)], "intermediates": [_b64(c) for c in certs]})
    hostile = ['{"type": []}', '{"type": {"a": 1}}', '{"type": null}', '{"id": {"x": []}, "type": "certificate"}',
               '{"id": [1], "type": 7}', '"just a string"', '{"type": "signature", "signature": []}']
    lines = [good, *hostile, good]
    r = client.post("/v1/verify/batch", content="\n".join(lines) + "\n",
                    headers={"content-type": "application/x-ndjson"})
    assert r.status_code == 200
    out = [json.loads(x) for x in r.text.splitlines()]
    assert [o["index"] for o in out] == list(range(len(lines)))
    assert out[0]["id"] == "good" and out[-1]["id"] == "good" and "report" in out[-1]
    for o in out[1:-1]:
        assert o["sub_indication"] in ("FORMAT_FAILURE", "GENERIC") and "error" in o, o
    metrics = client.get("/metrics").text
    assert "trustsvc_verifications_total" in metrics
