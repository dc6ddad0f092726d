"""`trustsvc sign`: make CMS / CAdES signatures (optionally timestamped by a local demo TSA) for test data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from trustsvc.cli import app
from trustsvc.cli.inputs import (
    RESULT_LONG_OPTION, TSA_CERT_OPTION, SignLevel, TSA_ID_OPTION, TSA_KEY_OPTION, TSA_URL_OPTION, TextOrJson, emit, fail, read_input,
)


_fail = fail


def _read(path: Path, what: str) -> bytes:
    return read_input(path, what) or b""


def _demo_entity(demo: Path, ident: str) -> tuple[Path, Path]:
    try:
        index = json.loads((demo / "pki.json").read_text())
        ent = index["entities"][ident]
    except (OSError, ValueError, KeyError):
        _fail(f"{demo}/pki.json has no entity {ident!r} (run `trustsvc demo init {demo}`)")
        raise
    return demo / ent["cert"], demo / ent["key"]


@app.command("sign")
def sign_cmd(
    file: Path = typer.Argument(..., help="the file to sign"),
    cert: Optional[Path] = typer.Option(None, "--cert", help="signer certificate (PEM/DER)"),
    key: Optional[Path] = typer.Option(None, "--key", help="signer private key (PEM: RSA, EC, Ed25519, SM2)"),
    demo: Optional[Path] = typer.Option(None, "--demo", help="demo directory; with --as, sign as a demo entity"),
    as_entity: Optional[str] = typer.Option(None, "--as", help="demo entity id, e.g. gd-leaf, hk-leaf, mo-bank"),
    chain: list[Path] = typer.Option([], "--chain", help="the signer's CA certificates to include (repeatable); "
                                     "self-signed roots are left out: the verifier has its own anchors"),
    no_chain: bool = typer.Option(False, "--no-chain", help="include only the signer's certificate"),
    detached: bool = typer.Option(True, "--detached/--attached", help="detached (default) or content inside"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="output file (default FILE.p7s)"),
    timestamp: bool = typer.Option(False, "--timestamp", help="add a signature timestamp (CAdES-T)"),
    tsa_cert: Optional[Path] = TSA_CERT_OPTION,
    tsa_key: Optional[Path] = TSA_KEY_OPTION,
    tsa: Optional[str] = TSA_ID_OPTION,
    tsa_url: Optional[str] = TSA_URL_OPTION,
    gmt_oids: bool = typer.Option(False, "--gmt-oids", help="use the GM/T 0010 content-type OIDs"),
    pss: bool = typer.Option(False, "--pss", help="RSA-PSS instead of PKCS#1 v1.5"),
    pem_out: bool = typer.Option(False, "--pem", help="write PEM instead of DER"),
    level_choice: Optional[SignLevel] = typer.Option(None, "--level", help="CAdES baseline level (EN 319 122-1)"),
    crl: list[Path] = typer.Option([], "--crl", help="a CRL to embed for B-LT / B-LTA (repeatable)"),
    ocsp: list[Path] = typer.Option([], "--ocsp", help="an OCSP response to embed for B-LT / B-LTA (repeatable)"),
    fetch: bool = typer.Option(False, "--fetch/--no-fetch", help="fetch revocation data for B-LT / B-LTA"),
    output: TextOrJson = RESULT_LONG_OPTION,
) -> None:
    """Sign FILE as CMS SignedData (CAdES-B, or CAdES-T with --timestamp / --tsa-url; --level up to B-LTA).

    The signature timestamp comes from --tsa-url (which implies --timestamp), --tsa-cert/--tsa-key, or a demo
    TSA (--demo DIR, --tsa ID; by default the demo TSA of the signer's algorithm family).

    The signer's chain up to (not including) the self-signed root goes in the signature by default,
    from --chain files or, signing as a demo entity, from the demo PKI: a verifier then needs only its
    trust anchors (the trust lists)."""
    from asn1crypto import pem

    from trustsvc.cms.builder import LocalTSA, load_private_key, sign_cms
    from trustsvc.x509 import load_certificate, load_certificates, load_public_key

    if as_entity is not None:
        if demo is None:
            _fail("--as needs --demo DIR")
        cert, key = _demo_entity(demo, as_entity)
    if cert is None or key is None:
        _fail("give --cert and --key (or --demo DIR --as ENTITY)")
    content = _read(file, "file")
    signer_cert = load_certificate(_read(cert, "certificate"))
    signer_key = load_private_key(_read(key, "key"))
    extra = [] if no_chain else _signer_chain(signer_cert, [c for p in chain for c in load_certificates(_read(p, "chain"))],
                                              demo)
    level = level_choice.value if level_choice is not None else None
    timestamp = timestamp or tsa_url is not None or level in ("B-T", "B-LT", "B-LTA")
    timestamper = None
    if timestamp and tsa_url:
        from trustsvc.tsa_client import HttpTSA

        timestamper = HttpTSA(tsa_url)
    elif timestamp:
        if tsa_cert is None and demo is not None:
            tsa_id = tsa or ("gd-tsa" if load_public_key(signer_cert.spki_der).family == "sm2" else "hk-tsa")
            tsa_cert, tsa_key = _demo_entity(demo, tsa_id)
        if tsa_cert is None or tsa_key is None:
            _fail("--timestamp needs --tsa-cert and --tsa-key, or --demo DIR [--tsa ID]")
        timestamper = LocalTSA(load_certificate(_read(tsa_cert, "TSA certificate")),
                               load_private_key(_read(tsa_key, "TSA key")))
    der = sign_cms(content, signer_cert, signer_key, detached=detached, extra_certs=extra, gmt_oids=gmt_oids,
                   pss=pss, timestamper=timestamper, signing_time=_now())
    if level in ("B-LT", "B-LTA"):
        from trustsvc.cli.extend import extend_to

        der = extend_to(der, level=level, content=content, timestamper=timestamper, demo=demo, crl=crl, ocsp=ocsp,
                        fetch=fetch)
    target = out or file.with_name(file.name + ".p7s")
    target.write_bytes(pem.armor("CMS", der) if pem_out else der)
    emit(output, {"file": str(target), "detached": detached, "timestamped": timestamp, "level": level,
                  "format": "pem" if pem_out else "der", "size": len(der)},
         f"wrote {target} ({'detached' if detached else 'attached'}{', timestamped' if timestamp else ''}"
         f"{', ' + level if level else ''})")


def _signer_chain(signer, given: list, demo: Path | None) -> list:
    """The CA certificates between the signer and its root: the --chain files' non-self-signed certificates,
    else, when the signer is a demo entity, its issuers from the demo index (roots excluded)."""
    if given:
        return [c for c in given if not c.self_issued and c != signer]
    if demo is None:
        return []
    from trustsvc.demo.bids import _chain
    from trustsvc.x509 import load_certificate

    try:
        index = json.loads((demo / "pki.json").read_text())
    except (OSError, ValueError):
        return []
    for ident, ent in index.get("entities", {}).items():
        try:
            if load_certificate((demo / ent["cert"]).read_bytes()) == signer:
                return _chain(demo, index, ident)
        except (OSError, ValueError, KeyError):
            continue
    return []


def _now():
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).replace(microsecond=0)
