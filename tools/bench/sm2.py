"""SM2 verify/s: trustsvc's certificate-signature check vs the C library raw and cryptography's P-256, in one run.

    python tools/bench/sm2.py [--seconds 2] [--write docs/benchmarks/sm2.md]
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from tongsuopy.crypto import hashes as thashes
from tongsuopy.crypto.asymciphers import ec as tec

from trustsvc.x509 import load_certificate, verify_signature


def rate(fn, seconds: float) -> float:
    """Calls per second of `fn`, best of three windows (machines here are noisy)."""
    best = 0.0
    for _ in range(3):
        n, start = 0, time.perf_counter()
        deadline = start + seconds / 3
        while time.perf_counter() < deadline:
            for _ in range(50):
                fn()
            n += 50
        best = max(best, n / (time.perf_counter() - start))
    return best


def make_sm2_cert(tmp: Path) -> bytes:
    run = lambda *a: subprocess.run(a, cwd=tmp, check=True, capture_output=True)  # noqa: E731
    run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2", "-out", "k.pem")
    run("openssl", "req", "-x509", "-new", "-key", "k.pem", "-subj", "/CN=bench", "-days", "2", "-sm3",
        "-sigopt", "distid:1234567812345678", "-outform", "DER", "-out", "c.der")
    return (tmp / "c.der").read_bytes()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--write", type=Path, default=None)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as d:
        der = make_sm2_cert(Path(d))
    cert = load_certificate(der)
    tbs, sig, alg, spki = cert.tbs_der, cert.signature, cert.signature_algorithm, cert.spki

    # The C library raw: tongsuopy's own DigestVerify (default GM/T 0009 ID) on the same TBS.
    raw_key = tec.EllipticCurvePublicKey.from_encoded_point(tec.SM2(), bytes(spki["public_key"].native))
    raw_key.verify(sig, tbs, tec.ECDSA(thashes.SM3()))

    p256 = ec.generate_private_key(ec.SECP256R1())
    p256_sig = p256.sign(tbs, ec.ECDSA(hashes.SHA256()))
    p256_pub = p256.public_key()

    results = {
        "tongsuopy raw SM2 verify (C, DigestVerify)": rate(lambda: raw_key.verify(sig, tbs, tec.ECDSA(thashes.SM3())), args.seconds),
        "trustsvc SM2 certificate-signature check": rate(lambda: verify_signature(spki, alg, sig, tbs), args.seconds),
        "cryptography ECDSA P-256 verify": rate(lambda: p256_pub.verify(p256_sig, tbs, ec.ECDSA(hashes.SHA256())), args.seconds),
    }
    raw = results["tongsuopy raw SM2 verify (C, DigestVerify)"]
    ours = results["trustsvc SM2 certificate-signature check"]
    lines = [
        "| measure | verify/s | ratio to raw SM2 |",
        "|---|---:|---:|",
        *(f"| {k} | {v:,.0f} | {v / raw:.2f}x |" for k, v in results.items()),
        "",
        f"trustsvc SM2 check costs {raw / ours:.2f}x the library's raw verify (goal <= 1.3x).",
        f"Machine: {platform.machine()}, Python {platform.python_version()}; one run, best of 3 windows of {args.seconds / 3:.1f}s.",
    ]
    print("\n".join(lines))
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text("## SM2 verification (issue 3)\n\nCommand: `python tools/bench/sm2.py --write docs/benchmarks/sm2.md`\n\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
