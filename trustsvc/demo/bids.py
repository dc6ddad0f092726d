"""Demo signed bids (SM2 from GD, RSA from HK, ECDSA from MO), timestamped, and a signed Macau e-guarantee."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from trustsvc.cms.builder import LocalTSA, load_private_key, sign_cms
from trustsvc.validation.eguarantee import build_payload
from trustsvc.x509.load import load_certificate

# territory -> (signer entity, preferred TSA entities in order)
BIDDERS = {
    "CN-GD": ("gd-leaf", ("gd-tsa",)),
    "HK": ("hk-leaf", ("hk-tsa",)),
    "MO": ("mo-leaf", ("mo-tsa", "hk-tsa")),
}
TENDER_ID = "GD-2026-0001"
BENEFICIARY = "Guangdong Public Resources Trading Centre (demo)"


def _created_at(index: dict) -> datetime:
    value = index.get("created_at")
    if value:
        t = datetime.fromisoformat(str(value))
        return (t if t.tzinfo else t.replace(tzinfo=timezone.utc)).replace(microsecond=0)
    return datetime.now(timezone.utc).replace(microsecond=0)


def _load(out_dir: Path, index: dict, ident: str):
    ent = index["entities"][ident]
    cert = load_certificate((out_dir / ent["cert"]).read_bytes())
    key = load_private_key((out_dir / ent["key"]).read_bytes())
    return cert, key


def _chain(out_dir: Path, index: dict, ident: str) -> list:
    """Issuing CAs up to (not including) the self-signed root, so a relying party needs only the anchor."""
    out, seen = [], {ident}
    issuer = index["entities"][ident].get("issuer")
    while issuer and issuer not in seen and index["entities"].get(issuer, {}).get("role") not in (None, "root"):
        seen.add(issuer)
        out.append(load_certificate((out_dir / index["entities"][issuer]["cert"]).read_bytes()))
        issuer = index["entities"][issuer].get("issuer")
    return out


def _tsa(out_dir: Path, index: dict, candidates: tuple[str, ...], at: datetime) -> tuple[str, LocalTSA]:
    for ident in candidates:
        if ident in index.get("entities", {}):
            cert, key = _load(out_dir, index, ident)
            return ident, LocalTSA(cert, key, chain=_chain(out_dir, index, ident), clock=lambda: at)
    raise KeyError(f"none of the TSAs {candidates} is in the demo index")


def write(out_dir: Path, index: dict, *, now: datetime | None = None) -> dict:
    """Write bids/ (content, detached CAdES-T signature, expected fields); list them in index["bids"]; return index."""
    out_dir = Path(out_dir)
    bids_dir = out_dir / "bids"
    bids_dir.mkdir(parents=True, exist_ok=True)
    now = now.replace(microsecond=0) if now is not None else _created_at(index)
    deadline = now + timedelta(days=7)
    listing: dict[str, dict] = {}
    for territory, (signer_id, tsas) in BIDDERS.items():
        if signer_id not in index.get("entities", {}):
            continue
        cert, key = _load(out_dir, index, signer_id)
        tsa_id, tsa = _tsa(out_dir, index, tsas, now)
        slug = territory.lower()
        content = (f"Tender {TENDER_ID}: bid from {cert.subject_str}\n"
                   f"Price: 1,000,000.00 CNY\nSubmitted: {now.isoformat()}\n").encode()
        (bids_dir / f"{slug}-bid.txt").write_bytes(content)
        sig = sign_cms(content, cert, key, detached=True, signing_time=now, timestamper=tsa,
                       extra_certs=_chain(out_dir, index, signer_id))
        (bids_dir / f"{slug}-bid.p7s").write_bytes(sig)
        listing[slug] = {
            "kind": "bid", "territory": territory, "signer": signer_id, "tsa": tsa_id,
            "content": f"bids/{slug}-bid.txt", "signature": f"bids/{slug}-bid.p7s", "detached": True,
            "usage": "e-tendering", "tender_id": TENDER_ID, "deadline": deadline.isoformat().replace("+00:00", "Z"),
        }
    if "mo-bank" in index.get("entities", {}):
        cert, key = _load(out_dir, index, "mo-bank")
        fields = {
            "guarantee_number": "MOB-2026-000123", "issuer": cert.subject_str, "beneficiary": BENEFICIARY,
            "applicant": "Macao demo bidder", "tender_id": TENDER_ID, "amount": "500000.00", "currency": "CNY",
            "valid_from": now.isoformat().replace("+00:00", "Z"),
            "valid_until": (now + timedelta(days=180)).isoformat().replace("+00:00", "Z"),
        }
        payload = build_payload(**fields)
        (bids_dir / "mo-guarantee.json").write_bytes(payload)
        tsa_id, tsa = _tsa(out_dir, index, ("mo-tsa", "hk-tsa", "gd-tsa"), now)
        sig = sign_cms(payload, cert, key, detached=False, signing_time=now, timestamper=tsa,
                       extra_certs=_chain(out_dir, index, "mo-bank"))
        (bids_dir / "mo-guarantee.p7s").write_bytes(sig)
        expected = {k: fields[k] for k in ("guarantee_number", "beneficiary", "tender_id", "amount", "currency")}
        (bids_dir / "mo-guarantee.expected.json").write_text(json.dumps(expected, indent=2) + "\n")
        listing["mo-guarantee"] = {
            "kind": "e-guarantee", "territory": "MO", "signer": "mo-bank", "tsa": tsa_id,
            "content": "bids/mo-guarantee.json", "signature": "bids/mo-guarantee.p7s", "detached": False,
            "usage": "e-guarantee", "expected": "bids/mo-guarantee.expected.json",
        }
    index["bids"] = listing
    return index
