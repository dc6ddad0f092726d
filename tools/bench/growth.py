"""How validation cost grows with chain length and with cross-certificates in the pool: trustsvc vs the anchors, one run.

    python tools/bench/growth.py [--seconds 0.5] [--lengths 2,3,4,5,6,7,8] [--pools 0,10,50,100,500]
                                 [--write docs/benchmarks/growth.md] [--json FILE] [--plots docs/benchmarks]

Chain length: linear ECDSA P-256 chains of 2..8 certificates (root, n-2 CAs, a distinct leaf each call),
validated by the implementations of `chain.py` with its conventions (DER bytes in, parsed inside every call;
warm = trustsvc's CA-signature and parse caches hot; cold = every trustsvc cache cleared before each call).
Every call gets a leaf never seen before in the process (a cell stops at --seconds or when its leaves run out).

Cross-certificates: a 3-level ECDSA chain whose intermediates pool also holds k extra certificates, either
  - unrelated: k CAs with other names issued by CAs that are not in the pool (indexing cost), or
  - cross: k cross-certificates of the issuing CA itself (same subject and key, each issued by a different
    untrusted bridge that is not in the pool): every one is a dead-end candidate the builder must reject.
The genuine CA certificate comes last in the pool (worst case for a builder that takes the first match).
The pool is held parsed in memory by every implementation (as a service would), the leaf arrives as DER;
warm only. "rejects" marks an implementation that did not accept the (valid) chain.

Also plots throughput vs number of items and vs workers from numbers `run_all.py` collects (`plot_items`,
`plot_workers`). Every figure is a ratio to anchors measured in the same run; never compare across runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import chain  # noqa: E402  (the chain benchmark's implementations and clock: same configuration as chain.md)

NOW, AT = chain.NOW, chain.AT
LEAVES = 200  # distinct leaves per fixture; main() raises it so that no cell runs out before --seconds
ANCHORS = ("pyca", "pyhanko-certvalidator", "pyOpenSSL")
ORDER = ("trustsvc", *ANCHORS)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "growth"), x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _cert(subject: str, skey, issuer: str, ikey, *, ca: bool, serial: int | None = None) -> bytes:
    """One certificate with the extensions every anchor's default policy expects (RFC 5280 4.2.1.1-4.2.1.3, 4.2.1.9)."""
    b = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer)).public_key(skey.public_key())
         .serial_number(serial or x509.random_serial_number()).not_valid_before(NOW - timedelta(days=1))
         .not_valid_after(NOW + timedelta(days=365))
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(skey.public_key()), critical=False)
         .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ikey.public_key()), critical=False))
    if ca:
        b = (b.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
             .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True))
    else:
        b = (b.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
             .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
             .add_extension(x509.SubjectAlternativeName([x509.DNSName("leaf.growth.example")]), critical=False)
             .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False))
    return b.sign(ikey, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def linear_chain(length: int) -> dict:
    """root -> CA 1 -> ... -> CA (length-2) -> leaf, in the `chain.py` fixture shape."""
    keys = [_key() for _ in range(length - 1)]
    root = _cert("root", keys[0], "root", keys[0], ca=True)
    inter = [_cert(f"ca {i}", keys[i], "root" if i == 1 else f"ca {i - 1}", keys[i - 1], ca=True) for i in range(1, length - 1)]
    issuer = "root" if length == 2 else f"ca {length - 2}"
    leaf_key = _key()
    leaves = [_cert(f"leaf {i}", leaf_key, issuer, keys[-1], ca=False, serial=1000 + i) for i in range(LEAVES)]
    return {"root": root, "inter": inter[::-1], "leaves": leaves, "policy": None}


def pool_chain(k: int, kind: str) -> dict:
    """3-level chain plus k unrelated CAs or k cross-certificates of the issuing CA; the genuine CA last."""
    rk, ck, lk = _key(), _key(), _key()
    root = _cert("root", rk, "root", rk, ca=True)
    ca = _cert("issuing ca", ck, "root", rk, ca=True)
    extra = []
    for i in range(k):
        bridge = _key()
        if kind == "cross":
            extra.append(_cert("issuing ca", ck, f"bridge {i}", bridge, ca=True))
        else:
            extra.append(_cert(f"other ca {i}", _key(), f"other root {i}", bridge, ca=True))
    leaves = [_cert(f"leaf {i}", lk, "issuing ca", ck, ca=False, serial=1000 + i) for i in range(LEAVES)]
    return {"root": root, "inter": [*extra, ca], "leaves": leaves, "policy": None}


# --- pool held parsed in memory: each returns a callable(leaf_der) -> bool ------------------------
def _trustsvc_pooled(fx: dict) -> Callable[[bytes], bool]:
    from trustsvc.validation.certificate import validate_certificate
    from trustsvc.x509 import load_certificate

    pool, anchors = [load_certificate(d) for d in fx["inter"]], [load_certificate(fx["root"])]
    chain.note_subjects(fx["leaves"])

    def run(leaf: bytes) -> bool:
        r = validate_certificate(leaf, intermediates=pool, trust_anchors=anchors, at=AT, revocation="off")
        chain.forget_leaf(leaf)  # parsed every call, like the other implementations
        return r.indication.value == "PASSED"
    return run


def _pyca_pooled(fx: dict) -> Callable[[bytes], bool]:
    from cryptography.x509.verification import ExtensionPolicy, PolicyBuilder, Store

    pool = [x509.load_der_x509_certificate(d) for d in fx["inter"]]
    verifier = (PolicyBuilder().store(Store([x509.load_der_x509_certificate(fx["root"])])).time(AT).extension_policies(
        ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ExtensionPolicy.permit_all()).build_client_verifier())

    def run(leaf: bytes) -> bool:
        try:
            verifier.verify(x509.load_der_x509_certificate(leaf), pool)
            return True
        except Exception:  # noqa: BLE001  (any refusal counts as "rejects")
            return False
    return run


def _pyhanko_pooled(fx: dict) -> Callable[[bytes], bool]:
    from asn1crypto import x509 as ax
    from pyhanko_certvalidator import CertificateValidator, ValidationContext

    loop = asyncio.new_event_loop()
    pool, root = [ax.Certificate.load(d) for d in fx["inter"]], ax.Certificate.load(fx["root"])
    for c in (*pool, root):
        _ = c.subject.hashable, c.key_identifier  # parse once, as a resident pool would be

    def run(leaf: bytes) -> bool:
        ctx = ValidationContext(trust_roots=[root], moment=AT, allow_fetching=False, revocation_mode="soft-fail")
        v = CertificateValidator(ax.Certificate.load(leaf), intermediate_certs=pool, validation_context=ctx)
        try:
            loop.run_until_complete(v.async_validate_path())
            return True
        except Exception:  # noqa: BLE001
            return False
    return run


def _openssl_pooled(fx: dict) -> Callable[[bytes], bool]:
    from OpenSSL import crypto

    store = crypto.X509Store()
    store.add_cert(crypto.X509.from_cryptography(x509.load_der_x509_certificate(fx["root"])))
    store.set_time(AT.replace(tzinfo=None))
    pool = [crypto.X509.from_cryptography(x509.load_der_x509_certificate(d)) for d in fx["inter"]]

    def run(leaf: bytes) -> bool:
        ctx = crypto.X509StoreContext(store, crypto.X509.from_cryptography(x509.load_der_x509_certificate(leaf)), pool)
        try:
            ctx.verify_certificate()
            return True
        except crypto.X509StoreContextError:
            return False
    return run


POOLED = {"trustsvc": _trustsvc_pooled, "pyca": _pyca_pooled, "pyhanko-certvalidator": _pyhanko_pooled,
          "pyOpenSSL": _openssl_pooled}


def measure(fn: Callable[[bytes], bool], leaves: list[bytes], seconds: float, windows: int = 3) -> tuple[float, bool]:
    """Microseconds per validation (median of `windows` windows, GC on) and whether every call accepted.

    One warm-up call, then each leaf at most once: a repeated leaf would hit trustsvc's parse and signature
    caches and measure a lookup, not a validation.
    """
    ok = fn(leaves[0])
    it = iter(leaves[1:])
    costs = []
    for _ in range(windows):
        n, start = 0, time.perf_counter()
        for leaf in it:
            ok = fn(leaf) and ok
            n += 1
            if time.perf_counter() - start >= seconds / windows:
                break
        if n:
            costs.append((time.perf_counter() - start) / n * 1e6)
    return statistics.median(costs), ok


def run_lengths(lengths: list[int], seconds: float) -> dict:
    out: dict = {"warm": {}, "cold": {}}
    for n in lengths:
        fx = linear_chain(n)
        for mode in ("warm", "cold"):
            row = {}
            for name in ORDER:
                fn = chain.IMPLS[name](fx, mode == "cold")  # ECDSA only: every implementation has one
                us, ok = measure(fn, fx["leaves"], seconds)
                row[name] = {"us": round(us, 1), "ok": ok}
            out[mode][n] = row
            print(f"length {n} {mode}: " + ", ".join(f"{k} {v['us']:.0f} us{'' if v['ok'] else ' (rejects)'}"
                                                     for k, v in row.items()), flush=True)
    return out


def run_pools(pools: list[int], seconds: float) -> dict:
    out: dict = {"unrelated": {}, "cross": {}}
    for kind in out:
        for k in pools:
            fx = pool_chain(k, kind)
            row = {}
            for name in ORDER:
                us, ok = measure(POOLED[name](fx), fx["leaves"], seconds)
                row[name] = {"us": round(us, 1), "ok": ok}
            out[kind][k] = row
            print(f"pool {kind} {k}: " + ", ".join(f"{k2} {v['us']:.0f} us{'' if v['ok'] else ' (rejects)'}"
                                                  for k2, v in row.items()), flush=True)
    return out


# --- plots ----------------------------------------------------------------------------------------
def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _cost_axes(ax, series: dict, xlabel: str, title: str, symlog: bool = False) -> None:
    xs = sorted(series, key=int)
    for name in ORDER:
        ys = [series[x][name]["us"] for x in xs]
        line, = ax.plot([int(x) for x in xs], ys, marker="o", label=name)
        bad = [(int(x), series[x][name]["us"]) for x in xs if not series[x][name]["ok"]]
        if bad:
            ax.scatter(*zip(*bad), s=120, facecolors="none", edgecolors=line.get_color(), linewidths=1.5)
    ax.set_yscale("log")
    if symlog:
        ax.set_xscale("symlog", linthresh=10)
        ax.set_xlim(-1, max(int(x) for x in xs) * 1.4)
    ax.set_xticks([int(x) for x in xs], [str(x) for x in xs])
    ax.set_xlabel(xlabel)
    ax.set_ylabel("µs per validation (log)")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)


def plot_lengths(data: dict, path: Path) -> None:
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    for ax, mode in zip(axes, ("warm", "cold")):
        _cost_axes(ax, data[mode], "certificates in the chain (root .. leaf)", f"{mode}: ECDSA P-256 linear chain")
    axes[0].legend(fontsize=8)
    fig.suptitle("Validation cost vs chain length (one run; circled = implementation rejected the chain)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_pools(data: dict, path: Path) -> None:
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    titles = {"unrelated": "k unrelated CAs in the pool", "cross": "k cross-certificates of the issuing CA (dead ends)"}
    for ax, kind in zip(axes, ("unrelated", "cross")):
        _cost_axes(ax, data[kind], "k extra certificates among the intermediates", titles[kind], symlog=True)
    axes[0].legend(fontsize=8)
    fig.suptitle("Validation cost vs cross-certificates in the pool (warm, one run; circled = rejected)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_items(series: dict[str, dict[int, float]], path: Path) -> None:
    """series: label -> {number of items: items/s}."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for label, pts in series.items():
        xs = sorted(pts)
        if xs:
            ax.plot(xs, [pts[x] for x in xs], marker="o", label=label)
    ax.set_xscale("log")
    ticks = sorted({x for pts in series.values() for x in pts})
    ax.set_xticks(ticks, [f"{x:,}" for x in ticks])
    ax.minorticks_off()
    ax.set_xlabel("items in the batch (log)")
    ax.set_ylabel("items per second")
    ax.set_ylim(bottom=0)
    ax.set_title("Throughput vs number of items (one run)", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_workers(rows: list[dict], path: Path) -> None:
    """rows: {"workers", "trustsvc", "ceiling", "p99_ms"} from the HTTP benchmark of the same run."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 4.2))
    ws = [r["workers"] for r in rows]
    width = 0.35
    ax.bar([w - width / 2 for w in ws], [r["ceiling"] for r in rows], width, label="FastAPI constant response (ceiling)")
    bars = ax.bar([w + width / 2 for w in ws], [r["trustsvc"] for r in rows], width, label="trustsvc POST /v1/verify/certificate")
    for b, r in zip(bars, rows):
        ax.annotate(f"{r['trustsvc'] / r['ceiling']:.2f}x ceiling\np99 {r['p99_ms']} ms", (b.get_x() + b.get_width() / 2, b.get_height()),
                    ha="center", va="bottom", fontsize=8)
    ax.set_xticks(ws)
    ax.set_xlabel("uvicorn workers")
    ax.set_ylabel("requests per second")
    ax.set_title("HTTP certificate verify vs workers (one run; client shares the machine)", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    ax.margins(y=0.2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# --- markdown ------------------------------------------------------------------------------------
def _cell(v: dict) -> str:
    return f"{v['us']:,.0f}" + ("" if v["ok"] else " (rejects)")


def _table(series: dict, first: str) -> list[str]:
    xs = sorted(series, key=int)
    lines = [f"| {first} | " + " | ".join(f"{n} µs" for n in ORDER) + " | " + " | ".join(f"vs {a}" for a in ANCHORS)
             + " | trustsvc cost vs first row |", "|---" * (len(ORDER) + len(ANCHORS) + 2) + "|"]
    base = series[xs[0]]["trustsvc"]["us"]
    for x in xs:
        row = series[x]
        t = row["trustsvc"]["us"]
        lines.append(f"| {x} | " + " | ".join(_cell(row[n]) for n in ORDER) + " | "
                     + " | ".join(f"{row[a]['us'] / t:.2f}x" for a in ANCHORS) + f" | {t / base:.2f}x |")
    return lines


def markdown(data: dict, seconds: float, images: str = ".") -> str:
    """The section; `images` = the plots directory relative to the markdown file."""
    lens, pools = data["lengths"], data["pools"]
    body = [
        "# How cost grows: chain length and cross-certificates (`tools/bench/growth.py`)", "",
        f"Python {platform.python_version()}, {platform.machine()}, one process, {seconds:.2f} s per cell (median of 3 windows, GC on), ECDSA P-256, "
        "revocation off. Cells are µs per validation (lower is better); \"vs X\" = X's cost / trustsvc's cost, i.e. how many "
        "times faster trustsvc is (>= 1.00x: trustsvc faster). \"rejects\" = that implementation did not accept the valid chain.",
        "", f"![cost vs chain length]({images}/growth-chain-length.png)", "",
        "## Chain length", "",
        "Linear chains root -> CA 1 -> ... -> leaf, a leaf never seen before each call (no leaf is ever repeated: "
        "a repeated leaf would be a cache lookup for trustsvc, not a validation), implementations and conventions of "
        "`chain.py` (DER bytes in, parsed inside every call; cold = every trustsvc cache cleared before each call).", "",
        "### Warm", "", *_table(lens["warm"], "certificates"), "",
        "### Cold", "", *_table(lens["cold"], "certificates"), "",
        "## Cross-certificates in the intermediates pool", "",
        "A 3-level chain plus k extra certificates among the intermediates, the genuine CA last; the pool is held parsed "
        "by every implementation (only the leaf is parsed per call), warm. *Unrelated*: k CAs with other names. "
        "*Cross*: k cross-certificates of the issuing CA (same name and key, each issued by a different bridge CA that is "
        "not available), so each is a candidate issuer that leads nowhere.", "",
        f"![cost vs cross-certificates]({images}/growth-cross-certs.png)", "",
        "### Unrelated CAs", "", *_table(pools["unrelated"], "k"), "",
        "### Cross-certificates of the issuing CA", "", *_table(pools["cross"], "k"), "",
    ]
    return "\n".join(body)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=0.5)
    ap.add_argument("--lengths", default="2,3,4,5,6,7,8")
    ap.add_argument("--pools", default="0,10,50,100,500")
    ap.add_argument("--write", type=Path, default=None, help="markdown section to write")
    ap.add_argument("--json", type=Path, default=None, help="machine-readable results")
    ap.add_argument("--plots", type=Path, default=Path("docs/benchmarks"), help="directory for the PNGs")
    args = ap.parse_args(argv)
    global LEAVES
    LEAVES = max(LEAVES, min(8000, int(args.seconds / 80e-6)))  # pyca's fastest cell is ~100 us per validation
    data = {"seconds": args.seconds,
            "lengths": run_lengths([int(x) for x in args.lengths.split(",")], args.seconds),
            "pools": run_pools([int(x) for x in args.pools.split(",")], args.seconds)}
    args.plots.mkdir(parents=True, exist_ok=True)
    plot_lengths(data["lengths"], args.plots / "growth-chain-length.png")
    plot_pools(data["pools"], args.plots / "growth-cross-certs.png")
    if args.json:
        args.json.write_text(json.dumps(data, indent=1))
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(markdown(data, args.seconds, os.path.relpath(args.plots.resolve(), args.write.parent.resolve())))
        print(f"wrote {args.write}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
