"""Benchmark bid opening: verify N distinct detached CAdES-T bids (1 MiB each, SM2 / RSA / ECDSA) vs the floor.

Usage: python tools/bench/bids.py [--count N] [--size BYTES] [--out docs/benchmarks/bids.md]

Setup (not timed): a demo GBA PKI and its signed trust lists (`init_demo`), then N bids with
deterministic distinct contents, signed round-robin by gd-leaf (SM2), hk-leaf (RSA) and mo-leaf
(ECDSA P-256) and timestamped by gd-tsa / hk-tsa / mo-tsa.

Timed, in the same run:
- full: `validate_signature(sig, content=..., trust=store, usage="e-tendering", deadline=...)` per bid
  (parse, message digest, signer signature, signing-certificate-v2, timestamp token with its own
  signature and imprint, both certificate paths at genTime, trust-list recognition, deadline);
- floor: the irreducible work: hashing the content (SHA-256 or SM3) plus the two raw signature
  verifications (signer's, over the signed attributes; the TSA's, over its signed attributes).
Goal: full <= 1.5 x floor.
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from trustsvc.cms.attributes import signature_timestamp_tokens
from trustsvc.cms.builder import LocalTSA, load_private_key, sign_cms
from trustsvc.cms.signed_data import compute_digest, parse_signed_data
from trustsvc.cms.timestamp import parse_timestamp_token
from trustsvc.demo.init import init_demo
from trustsvc.reports import SignatureIndication
from trustsvc.trustlist import load_trust_store
from trustsvc.validation.signature import validate_signature
from trustsvc.x509 import load_certificate, verify_signature

SIGNERS = (("gd-leaf", "gd-tsa", "SM2"), ("hk-leaf", "hk-tsa", "RSA"), ("mo-leaf", "mo-tsa", "ECDSA"))


def content_for(i: int, size: int) -> bytes:
    """Deterministic, distinct pseudo-random content for bid i."""
    return hashlib.shake_256(f"bid-{i}".encode()).digest(size)


def _entity(demo: Path, index: dict, ident: str):
    e = index["entities"][ident]
    return load_certificate((demo / e["cert"]).read_bytes()), load_private_key((demo / e["key"]).read_bytes())


def _chain(demo: Path, index: dict, ident: str) -> list:
    issuer = index["entities"][ident]["issuer"]
    return [load_certificate((demo / index["entities"][issuer]["cert"]).read_bytes())]


def floor_one(sig: bytes, content: bytes) -> None:
    """Hashing + the two raw signature verifications, with keys taken from the (pre-parsed) structures."""
    sd, signer, cert, token, tsa_signer, tsa_cert = _PARSED[sig]
    compute_digest(signer.digest_algorithm, content)
    verify_signature(cert.spki_der, signer.signature_algorithm, signer.signature, signer.signed_attrs_der,
                     digest_algorithm=signer.digest_algorithm)
    verify_signature(tsa_cert.spki_der, tsa_signer.signature_algorithm, tsa_signer.signature,
                     tsa_signer.signed_attrs_der, digest_algorithm=tsa_signer.digest_algorithm)


_PARSED: dict[bytes, tuple] = {}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--size", type=int, default=1 << 20)
    ap.add_argument("--repeat", type=int, default=3, help="passes of each kind; the fastest is kept")
    ap.add_argument("--out", type=Path, default=None, help="write the markdown result here")
    args = ap.parse_args(argv)

    t_setup = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="bench-bids-"))
    now = datetime.now(timezone.utc).replace(microsecond=0)
    index = init_demo(tmp / "demo", now=now - timedelta(hours=1))
    demo = tmp / "demo"
    store = load_trust_store(demo / "trust_lists", at=now)
    signers = []
    for leaf_id, tsa_id, label in SIGNERS:
        cert, key = _entity(demo, index, leaf_id)
        tsa_cert, tsa_key = _entity(demo, index, tsa_id)
        tsa = LocalTSA(tsa_cert, tsa_key, clock=lambda: now - timedelta(minutes=30))
        signers.append((cert, key, tsa, _chain(demo, index, leaf_id), label))
    print(f"signing {args.count} bids of {args.size} bytes ...", file=sys.stderr)
    bids = []
    for i in range(args.count):
        cert, key, tsa, chain, label = signers[i % len(signers)]
        content = content_for(i, args.size)
        sig = sign_cms(content, cert, key, detached=True, signing_time=now - timedelta(minutes=31),
                       timestamper=tsa, extra_certs=chain)
        bids.append((sig, content, label))
        sd = parse_signed_data(sig)
        s = sd.signers[0]
        token = parse_timestamp_token(signature_timestamp_tokens(s)[0])
        ts = token.signed_data.signers[0]
        _PARSED[sig] = (sd, s, s.find_certificate(sd.certificates), token, ts,
                        ts.find_certificate(token.signed_data.certificates))
    deadline = now
    setup = time.perf_counter() - t_setup

    # Warm-up (imports, key caches) on a few bids, then time both passes on all of them.
    for sig, content, _ in bids[:3]:
        floor_one(sig, content)
        validate_signature(sig, content=content, trust=store, usage="e-tendering", deadline=deadline, at=now)

    # The machine is shared (CI, other test runs): both passes are repeated, alternating, and the
    # fastest pass of each kind is kept, so load spikes do not decide the ratio.
    floors, fulls = [], []
    per_alg: dict[str, list[float]] = {}
    failures: list = []
    for rep in range(args.repeat):
        t0 = time.perf_counter()
        for sig, content, _ in bids:
            floor_one(sig, content)
        floors.append(time.perf_counter() - t0)
        per_alg_rep: dict[str, list[float]] = {}
        failures = []
        t0 = time.perf_counter()
        for sig, content, label in bids:
            t = time.perf_counter()
            report = validate_signature(sig, content=content, trust=store, usage="e-tendering", deadline=deadline, at=now)
            per_alg_rep.setdefault(label, []).append(time.perf_counter() - t)
            if report.indication is not SignatureIndication.TOTAL_PASSED:
                failures.append((label, report.sub_indication, report.reasons[:2]))
        fulls.append(time.perf_counter() - t0)
        if fulls[-1] == min(fulls):
            per_alg = per_alg_rep
    floor, full = min(floors), min(fulls)

    ratio = full / floor
    lines = [
        f"- bids: {args.count} distinct detached CAdES-T, {args.size} bytes each, SM2/RSA-2048/ECDSA P-256 round-robin; "
        f"best of {args.repeat} passes each (all passes: floor {', '.join(f'{x:.3f}' for x in floors)} s; "
        f"full {', '.join(f'{x:.3f}' for x in fulls)} s)",
        f"- floor (hash content + signer and TSA signature verifications): {floor:.3f} s "
        f"({floor / args.count * 1000:.2f} ms/bid)",
        f"- full validate_signature (trust lists, both paths at genTime, deadline): {full:.3f} s "
        f"({full / args.count * 1000:.2f} ms/bid, {args.count / full:.0f} bids/s)",
        f"- ratio full / floor: **{ratio:.2f}x** (goal <= 1.5x): {'met' if ratio <= 1.5 else 'NOT met'}",
        f"- not TOTAL-PASSED: {len(failures)}" + (f" (first: {failures[0]})" if failures else ""),
        "- per algorithm (mean ms/bid, full): " + ", ".join(
            f"{k} {sum(v) / len(v) * 1000:.2f}" for k, v in sorted(per_alg.items())),
        f"- setup (demo PKI, trust lists, signing + timestamping the bids; not timed in the ratio): {setup:.1f} s",
        f"- machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}",
    ]
    print("\n".join(lines))
    if args.out:
        cmd = "python tools/bench/bids.py" + (f" --count {args.count}" if args.count != 1000 else "")
        args.out.write_text(
            "# Bid opening benchmark (CMS / CAdES-T)\n\n"
            f"Command: `{cmd}` (run {now.date().isoformat()}; `--count N` for a quick run).\n\n"
            + "\n".join(lines) + "\n\n" + _NOTES)
    return 0 if not failures else 1


_NOTES = """## What is measured

The floor is what no verifier can avoid: hashing each 1 MiB bid (SHA-256 for RSA/ECDSA, SM3 for SM2)
and two public-key verifications per bid (the bidder's signature over its signed attributes, and
the TSA's over the timestamp token). `validate_signature` does that plus parsing, the
signing-certificate-v2 binding, the message imprint, both certificate paths validated at genTime,
trust-list recognition of the CA and TSA services, and the deadline check. Certificate-path work is
shared across bids because the path engine caches the verification of CA certificates by
(issuer key, certificate), as a real service would. What is *not* shared: each bid pays its own parse,
both document signatures, its signer's certificate signature (end-entity signatures are memoised per
call only), its signing-certificate-v2 binding, the TSTInfo and the deadline. The TSA's ESSCertID
binding is memoised per (attribute, TSA certificate): every token of a TSA carries the same one.
The TSA certificates are service identities in the trust lists (anchors), so they need no signature
check. Honesty note: the bench has three bidder certificates, so parsed `Certificate` objects (memoised
by DER) are reused; a service with a distinct bidder per bid also pays one certificate parse per bid.
"""

if __name__ == "__main__":
    raise SystemExit(main())
