"""`trustsvc extend SIG --level B-LT|B-LTA`: add validation data and archive timestamps (EN 319 122-1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from trustsvc.cli import app
from trustsvc.cli.inputs import (
    RESULT_LONG_OPTION, TSA_CERT_OPTION, TSA_ID_OPTION, TSA_KEY_OPTION, TSA_URL_OPTION, TextOrJson, emit, fail, read_input,
)


_fail = fail


def _read(path: Path, what: str) -> bytes:
    return read_input(path, what) or b""


def timestamper_from(tsa_url: str | None, tsa_cert: Path | None, tsa_key: Path | None) -> Any:
    """A TSA from the command line: an RFC 3161 URL, or a local certificate and key."""
    if tsa_url and (tsa_cert or tsa_key):
        _fail("give --tsa-url or --tsa-cert/--tsa-key, not both")
    if tsa_url:
        from trustsvc.tsa_client import HttpTSA

        return HttpTSA(tsa_url)
    if tsa_cert or tsa_key:
        if not (tsa_cert and tsa_key):
            _fail("--tsa-cert and --tsa-key go together")
        from trustsvc.cms.builder import LocalTSA, load_private_key
        from trustsvc.x509 import load_certificate

        return LocalTSA(load_certificate(_read(tsa_cert, "TSA certificate")), load_private_key(_read(tsa_key, "TSA key")))
    return None


def revocation_material(crl: list[Path], ocsp: list[Path]) -> tuple[list[bytes], list[bytes]]:
    from asn1crypto import pem

    def der(p: Path, what: str) -> bytes:
        data = _read(p, what)
        return pem.unarmor(data)[2] if pem.detect(data) else data

    return [der(p, "CRL") for p in crl], [der(p, "OCSP response") for p in ocsp]


def fetching_source(fetch: bool, demo: Path | None) -> Any:
    """With --fetch: a network source (the demo responder's, on loopback, when --demo is given)."""
    if not fetch:
        return None
    if demo is not None:
        import json

        from trustsvc.demo.ocsp_responder import demo_revocation_source

        try:  # where `trustsvc demo init` pointed the demo certificates (and where its responder listens)
            base_url = json.loads((demo / "revocation.json").read_text()).get("base_url")
        except (OSError, ValueError, AttributeError):
            base_url = None
        return demo_revocation_source(demo, base_url or "http://127.0.0.1:8081")
    from trustsvc.revocation.online import FetchingRevocationSource

    return FetchingRevocationSource()


def extend_bytes(sig: bytes, *, level: str, content: bytes | None, timestamper: Any, anchors: list[bytes],
                 store: Any, certs: list[bytes], crls: list[bytes], ocsp: list[bytes], source: Any) -> bytes:
    from trustsvc.errors import TrustsvcError
    from trustsvc.validation.extend import extend_signature

    try:
        return extend_signature(sig, level=level, content=content, timestamper=timestamper, trust=store,
                                trust_anchors=anchors, other_certs=certs, crls=crls, ocsp_responses=ocsp,
                                revocation_source=source)
    except TrustsvcError as exc:
        _fail(str(exc))
    raise AssertionError


@app.command("extend")
def extend_cmd(
    signature: Path = typer.Argument(..., help="CMS / CAdES signature to extend (DER or PEM)"),
    level: str = typer.Option(..., "--level", help="B-LT | B-LTA"),
    content: Optional[Path] = typer.Option(None, "--content", help="the signed file, for a detached signature"),
    tsa_url: Optional[str] = TSA_URL_OPTION,
    tsa_cert: Optional[Path] = TSA_CERT_OPTION,
    tsa_key: Optional[Path] = TSA_KEY_OPTION,
    demo: Optional[Path] = typer.Option(None, "--demo", help="demo directory: its roots are anchors; --tsa picks a demo TSA"),
    tsa: Optional[str] = TSA_ID_OPTION,
    trust_list: Optional[Path] = typer.Option(None, "--trust-list", "--trust-lists", help="trust-list directory"),
    anchor: list[Path] = typer.Option([], "--anchor", help="a trust-anchor certificate (repeatable)"),
    cert: list[Path] = typer.Option([], "--cert", help="extra certificates (intermediates; repeatable)"),
    crl: list[Path] = typer.Option([], "--crl", help="a CRL to embed when it covers a certificate (repeatable)"),
    ocsp: list[Path] = typer.Option([], "--ocsp", help="an OCSP response to embed (repeatable)"),
    fetch: bool = typer.Option(False, "--fetch/--no-fetch", help="fetch missing CRLs / OCSP responses over the network"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="output file (default: overwrite SIG)"),
    pem_out: bool = typer.Option(False, "--pem", help="write PEM instead of DER"),
    output: TextOrJson = RESULT_LONG_OPTION,
) -> None:
    """Extend a signature to B-LT (certificate and revocation values) or B-LTA (and an archive timestamp).

    The TSA (for the archive timestamp, or a missing signature timestamp) is --tsa-url, --tsa-cert/--tsa-key,
    or with --demo a demo TSA (--tsa ID; by default the one of the signature's algorithm family)."""
    from asn1crypto import pem

    from trustsvc.cli.verify_documents import _certs, _trust
    from trustsvc.cms.levels import SHORT

    if level not in ("B-LT", "B-LTA"):
        _fail(f"--level must be B-LT or B-LTA, not {level!r}")
    sig = _read(signature, "signature")
    data = _read(content, "content") if content is not None else None
    timestamper = timestamper_from(tsa_url, tsa_cert, tsa_key)
    anchors_paths = list(anchor)
    if demo is not None:
        timestamper = timestamper or _demo_tsa(demo, tsa, sig)
        anchors_paths += _demo_roots(demo)
    store, anchors = _trust(trust_list, anchors_paths, None)
    crls, ocsps = revocation_material(crl, ocsp)
    der = extend_bytes(sig, level=level, content=data, timestamper=timestamper, anchors=anchors, store=store,
                       certs=_certs(cert), crls=crls, ocsp=ocsps, source=fetching_source(fetch, demo))
    target = out or signature
    target.write_bytes(pem.armor("CMS", der) if pem_out else der)
    emit(output, {"file": str(target), "level": level, "signature_level": SHORT[level], "size": len(der)},
         f"wrote {target} ({SHORT[level]})")


def _demo_tsa(demo: Path, tsa: str | None, sig: bytes) -> Any:
    import json

    from trustsvc.cms.builder import LocalTSA, load_private_key
    from trustsvc.x509 import load_certificate

    try:
        index = json.loads((demo / "pki.json").read_text())
        eid = tsa or _tsa_for(sig)
        ent = index["entities"][eid]
        return LocalTSA(load_certificate((demo / ent["cert"]).read_bytes()), load_private_key((demo / ent["key"]).read_bytes()))
    except (OSError, ValueError, KeyError) as exc:
        _fail(f"{demo}: no demo TSA ({exc})")


def _tsa_for(sig: bytes) -> str:
    from trustsvc.cms.signed_data import parse_signed_data

    alg = parse_signed_data(sig).signers[0].digest_algorithm
    return "gd-tsa" if alg == "sm3" else "hk-tsa"


def _demo_roots(demo: Path) -> list[Path]:
    import json

    try:
        index = json.loads((demo / "pki.json").read_text())
    except (OSError, ValueError) as exc:
        _fail(f"{demo}/pki.json: {exc}")
    return [demo / e["cert"] for e in index["entities"].values() if e.get("role") in ("root", "bridge")]


def extend_to(der: bytes, *, level: str, content: bytes, timestamper: Any, demo: Path | None, crl: list[Path],
              ocsp: list[Path], fetch: bool, anchors: list[bytes] = ()) -> bytes:
    """`trustsvc sign --level B-LT|B-LTA`: the freshly made signature extended in the same run."""
    roots = [_read(p, "anchor") for p in _demo_roots(demo)] if demo is not None else []
    from trustsvc.x509 import load_certificate

    crls, ocsps = revocation_material(crl, ocsp)
    return extend_bytes(der, level=level, content=content, timestamper=timestamper,
                        anchors=[load_certificate(a).der for a in [*roots, *anchors]], store=None, certs=[],
                        crls=crls, ocsp=ocsps, source=fetching_source(fetch, demo))
