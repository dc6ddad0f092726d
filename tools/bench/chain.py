"""Chain validation throughput: trustsvc vs pyca cryptography, pyhanko-certvalidator and pyOpenSSL (warm and cold).

Run: python tools/bench/chain.py [--seconds 1.0] [--write docs/benchmarks/run/chain.md] [--profile]
Every implementation gets the same inputs as DER bytes and parses inside each call; warm = CA and
cross-certificate signature results cached, a distinct leaf each call; cold = every cache cleared
(signature results, parsed certificates, public keys, name facts).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from trustsvc.cache import clear_all  # noqa: E402
from trustsvc.validation import certificate as vc  # noqa: E402
from trustsvc.x509 import certificate as certmod  # noqa: E402

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
AT = NOW + timedelta(days=30)
LEAVES = 400


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "bench"), x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject, skey, issuer, ikey, ca, serial=None):
    b = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer)).public_key(skey.public_key())
         .serial_number(serial or x509.random_serial_number()).not_valid_before(NOW - timedelta(days=1))
         .not_valid_after(NOW + timedelta(days=365))
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(skey.public_key()), critical=False)
         .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ikey.public_key()), critical=False))
    if ca:
        b = b.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        b = b.add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
    else:
        b = (b.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
             .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
             .add_extension(x509.SubjectAlternativeName([x509.DNSName(f"{subject.lower().replace(' ', '')}.example")]), critical=False)
             .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False))
    return b.sign(ikey, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def three_level(kind: str):
    gen = (lambda: rsa.generate_private_key(65537, 2048)) if kind == "rsa" else (lambda: ec.generate_private_key(ec.SECP256R1()))
    rk, ck, lk = gen(), gen(), gen()
    root = _cert(f"{kind} root", rk, f"{kind} root", rk, True)
    ca = _cert(f"{kind} ca", ck, f"{kind} root", rk, True)
    leaves = [_cert(f"{kind} leaf {i}", lk, f"{kind} ca", ck, False, serial=1000 + i) for i in range(LEAVES)]  # distinct bidders
    return {"root": root, "inter": [ca], "leaves": leaves, "policy": None}


def bridge_chain(anchor_root: str = "mo-root", policy: str = "MO"):
    """Demo GBA PKI: <anchor root> -> bridge-by-<root> -> hk-root-by-bridge -> hk-ca -> HK leaf.

    The relying party's policy is required (explicit) and reaches the HK policy only through the two
    policy mappings of the cross-certificates (RFC 5280 6.1.4 (b)); name constraints apply too.
    The MO root is ECDSA and the HK chain RSA, so every implementation can check the signatures;
    the GD root is SM2, which only trustsvc and OpenSSL verify.
    """
    from trustsvc.demo.pki import POLICIES, DemoPKI
    from trustsvc.x509.builder import build_certificate

    pki = DemoPKI(NOW)
    e = pki.entities
    hk_ca, hk_leaf = e["hk-ca"], e["hk-leaf"]
    leaves = []
    for i in range(LEAVES):
        c = build_certificate(subject=hk_leaf.certificate.subject, issuer=hk_ca.certificate.subject,
                              public_key_info=hk_leaf.signer.public_key_info, signer=hk_ca.signer,
                              not_before=NOW - timedelta(days=1), not_after=NOW + timedelta(days=365), serial=5000 + i,
                              policies=[POLICIES["HK"]], key_usage={"digital_signature"})
        leaves.append(c.der)
    inter = [e[k].certificate.der for k in ("hk-ca", "hk-root-by-bridge", f"bridge-by-{anchor_root}")]
    return {"root": e[anchor_root].certificate.der, "inter": inter, "leaves": leaves, "policy": POLICIES[policy],
            "sm2": anchor_root == "gd-root"}


# --- implementations: each returns a callable(leaf_der) -> bool ------------------------------
_SUBJECT_DER: dict[bytes, bytes] = {}


def note_subjects(leaves) -> None:
    """Record each leaf's subject name DER (outside the timed calls) for `forget_leaf`."""
    from asn1crypto import x509 as ax

    for leaf in leaves:
        _SUBJECT_DER.setdefault(leaf, ax.Certificate.load(leaf).subject.dump())


def forget_leaf(leaf: bytes) -> None:
    """Make `leaf` new to trustsvc again: the bench cycles its leaves, a bid opening sees each bidder once.

    Drops the leaf from the parse cache and its subject name from the name-facts memo (the issuer name, the
    CA's, stays: every leaf of a CA repeats it)."""
    vc._parsed.discard(leaf)
    certmod._NAME_FACTS.discard(_SUBJECT_DER[leaf])


def trustsvc_impl(fx, cold: bool):
    note_subjects(fx["leaves"])

    def run(leaf):
        if cold:
            clear_all()
        r = vc.validate_certificate(leaf, intermediates=fx["inter"], trust_anchors=[fx["root"]], at=AT, revocation="off",
                                    initial_policy_set=[fx["policy"]] if fx["policy"] else None,
                                    explicit_policy=bool(fx["policy"]))
        forget_leaf(leaf)  # warm too: the leaf is new to the service every call, so it is parsed every call
        return r.indication.value == "PASSED"
    return run


def pyca_impl(fx, cold: bool):
    """pyca's Rust verifier does no RFC 5280 policy processing: on the bridge it runs without the policy."""
    from cryptography.x509.verification import ExtensionPolicy, PolicyBuilder, Store

    if fx.get("sm2"):
        return None  # no SM2 in cryptography

    def run(leaf):
        store = Store([x509.load_der_x509_certificate(fx["root"])])
        inter = [x509.load_der_x509_certificate(d) for d in fx["inter"]]
        v = (PolicyBuilder().store(store).time(AT).extension_policies(
            ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ExtensionPolicy.permit_all()).build_client_verifier())
        try:
            v.verify(x509.load_der_x509_certificate(leaf), inter)
            return True
        except Exception:  # noqa: BLE001
            return False
    return run


def pyhanko_impl(fx, cold: bool):
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.policy_decl import PKIXValidationParams
    from asn1crypto import x509 as ax

    if fx.get("sm2"):
        return None  # pyhanko-certvalidator verifies through cryptography: no SM2
    loop = asyncio.new_event_loop()
    params = PKIXValidationParams(user_initial_policy_set=frozenset([fx["policy"]]), initial_explicit_policy=True) if fx["policy"] else None

    def run(leaf):
        ctx = ValidationContext(trust_roots=[ax.Certificate.load(fx["root"])], moment=AT, allow_fetching=False,
                                revocation_mode="soft-fail")
        v = CertificateValidator(ax.Certificate.load(leaf), intermediate_certs=[ax.Certificate.load(d) for d in fx["inter"]],
                                 validation_context=ctx, pkix_params=params)
        try:
            loop.run_until_complete(v.async_validate_path())
            return True
        except Exception:  # noqa: BLE001
            return False
    return run


def openssl_impl(fx, cold: bool):
    from OpenSSL import crypto

    def run(leaf):
        store = crypto.X509Store()
        store.add_cert(crypto.X509.from_cryptography(x509.load_der_x509_certificate(fx["root"])))
        store.set_time(AT.replace(tzinfo=None))
        chain = [crypto.X509.from_cryptography(x509.load_der_x509_certificate(d)) for d in fx["inter"]]
        ctx = crypto.X509StoreContext(store, crypto.X509.from_cryptography(x509.load_der_x509_certificate(leaf)), chain)
        try:
            ctx.verify_certificate()
            return True
        except crypto.X509StoreContextError:
            return False
    return run


IMPLS = {"trustsvc": trustsvc_impl, "pyca": pyca_impl, "pyhanko-certvalidator": pyhanko_impl, "pyOpenSSL": openssl_impl}


def measure(fns: dict, leaves, seconds: float, rounds: int = 5) -> dict:
    """name -> (validations/s, accepted every leaf) or None; implementations interleaved round by round.

    The machine is shared: measuring each implementation in `rounds` short slices, alternating, and
    taking the median slice exposes all of them to the same background load.
    """
    live = {k: f for k, f in fns.items() if f is not None}
    ok = {k: bool(f(leaves[0])) and bool(f(leaves[1])) for k, f in live.items()}  # warm-up and acceptance
    rates: dict[str, list[float]] = {k: [] for k in live}
    pos = dict.fromkeys(live, 2)
    for _ in range(rounds):
        for k, fn in live.items():
            n, i, start = 0, pos[k], time.perf_counter()
            while time.perf_counter() - start < seconds / rounds:
                ok[k] = bool(fn(leaves[i % len(leaves)])) and ok[k]
                i += 1
                n += 1
            rates[k].append(n / (time.perf_counter() - start))
            pos[k] = i
    return {k: (statistics.median(rates[k]), ok[k]) if k in live else None for k in fns}


def _profile(fx, cold: bool, n: int = 300) -> str:
    """cProfile of `n` trustsvc validations, by own time."""
    fn = trustsvc_impl(fx, cold)
    fn(fx["leaves"][0])
    prof = cProfile.Profile()
    prof.enable()
    for leaf in fx["leaves"][:n]:
        fn(leaf)
    prof.disable()
    s = io.StringIO()
    pstats.Stats(prof, stream=s).sort_stats("tottime").print_stats(18)
    return s.getvalue().strip()


NOTES = {
    "pyca": "pyca does no RFC 5280 policy processing, and it refuses critical directoryName name constraints "
            "(\"unsupported directoryName constraint\"), which the bridge cross-certificates carry: on the bridge rows it "
            "runs without the policy requirement and still rejects, so its figure is the cost of a rejection.",
    "pyOpenSSL": "pyOpenSSL cannot set the user-initial-policy-set; with POLICY_CHECK | EXPLICIT_POLICY (anyPolicy as "
                 "initial set) OpenSSL 3 reports \"no explicit policy\" on these chains, so on the bridge rows it runs without "
                 "policy checking (marked \"no policy\"); it accepts the chain then.",
    "pyhanko": "pyhanko-certvalidator verifies signatures through cryptography, which has no SM2: the GD (SM2) bridge row "
               "is trustsvc and OpenSSL only. The MO-rooted bridge (ECDSA/RSA) is the comparison row for the goal.",
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--write", type=Path)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--chains", default="rsa,ec,bridge-mo,bridge-gd",
                    help="which chains to run (rsa, ec, bridge-mo, bridge-gd; a partial run for working on one)")
    args = ap.parse_args()
    wanted = set(args.chains.split(","))
    makers = {"rsa": ("RSA-2048 3-level", lambda: three_level("rsa")),
              "ec": ("ECDSA P-256 3-level", lambda: three_level("ec")),
              "bridge-mo": ("bridge 5-cert + policy mapping (MO root, ECDSA/RSA)", lambda: bridge_chain("mo-root", "MO")),
              "bridge-gd": ("bridge 5-cert + policy mapping (GD root, SM2)", lambda: bridge_chain("gd-root", "CN-GD"))}
    fixtures = {label: make() for key, (label, make) in makers.items() if key in wanted}
    lines = ["| chain | mode | " + " | ".join(IMPLS) + " | vs pyca | vs pyhanko | vs OpenSSL |",
             "|---|---|" + "---|" * (len(IMPLS) + 3)]
    for label, fx in fixtures.items():
        for mode in ("warm", "cold"):
            rates = measure({name: impl(fx, mode == "cold") for name, impl in IMPLS.items()}, fx["leaves"], args.seconds)
            t = rates["trustsvc"][0]
            cells = []
            for name, got in rates.items():
                if got is None:
                    cells.append("n/a (no SM2)")
                    continue
                note = "" if got[1] else " (rejects)"
                if name in ("pyca", "pyOpenSSL") and fx["policy"]:
                    note += " (no policy)"
                cells.append(f"{got[0]:,.0f}/s{note}")
            ratios = ["-" if rates[k] is None else f"{t / rates[k][0]:.2f}x" for k in ("pyca", "pyhanko-certvalidator", "pyOpenSSL")]
            line = f"| {label} | {mode} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |"
            print(line, flush=True)
            lines.append(line)
    profiles = []
    if args.profile:
        for mode in ("cold", "warm"):
            if "ECDSA P-256 3-level" not in fixtures:
                break
            text = _profile(fixtures["ECDSA P-256 3-level"], mode == "cold")
            profiles += [f"## Profile (trustsvc {mode}, ECDSA 3-level, 300 validations, by own time)", "", "```", text, "```", ""]
            print(text)
    if args.write:
        import platform

        body = ["# Chain validation benchmark (`tools/bench/chain.py`)", "",
                f"Python {platform.python_version()}, {platform.machine()}, one process, {args.seconds:.1f} s per cell in 5 "
                "interleaved slices (median slice reported: the machine is shared); "
                "every implementation gets the same DER bytes and parses them inside every call; revocation off. "
                "trustsvc warm = CA/cross-certificate signature results and parsed CA certificates cached (a service "
                "sees the same intermediates again), the leaf new every call (never served from the parse cache); "
                "cold = every cache cleared before each call (signatures, parsed certificates, public keys). "
                "The bridge rows require the anchor's policy (explicit) and reach the HK leaf's policy only through "
                "the two policy mappings of the bridge cross-certificates; pyhanko-certvalidator runs them with "
                "PKIXValidationParams(user_initial_policy_set={policy}, initial_explicit_policy=True). "
                "\"rejects\" = that implementation did not accept the chain.", "",
                *(f"- {v}" for v in NOTES.values()), "",
                *lines, "", *profiles]
        args.write.write_text("\n".join(body))


if __name__ == "__main__":
    main()
