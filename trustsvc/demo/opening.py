"""A demo bid opening: N signed, timestamped bids from bidders of the three territories, for `verify batch`.

`trustsvc demo bids DEMO_DIR OUT --count 1000` issues a few bidder certificates with their names in
their own script (Simplified Chinese in Guangdong, Traditional in Hong Kong and Macao, one English
name each) under the demo issuing CAs, and writes OUT/bid-0001.txt + OUT/bid-0001.p7s, ... (detached
CAdES-T, round robin over the bidders), plus OUT/opening.json (tender id, deadline). `late` of the
bids are stamped after the deadline, so the minutes have something to say.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from trustsvc.cms.builder import LocalTSA, load_private_key, sign_cms
from trustsvc.demo.pki import NAMESPACES, POLICIES
from trustsvc.x509.builder import Signer, build_certificate
from trustsvc.x509.load import load_certificate

# territory -> (issuing CA, TSA, key algorithm, bidder names in the territory's script)
BIDDERS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "CN-GD": ("gd-ca", "gd-tsa", "sm2", ("广州示范建设工程有限公司", "深圳示范智能科技有限公司",
                                          "佛山示范建材有限公司", "Zhuhai Demo Marine Engineering Co., Ltd.")),
    "HK": ("hk-ca", "hk-tsa", "rsa", ("香港示範工程有限公司", "九龍示範建築有限公司",
                                       "Victoria Harbour Demo Contractors Ltd.")),
    "MO": ("mo-ca", "mo-tsa", "ecdsa-p256", ("澳門示範貿易有限公司", "氹仔示範工程有限公司",
                                              "Macao Demo Trading Lda.")),
}
TENDER_ID = "GD-2026-0001"


def _bidders(demo: Path, index: dict, now: datetime) -> list[tuple[str, object, object, LocalTSA, list]]:
    """(territory, certificate, key, TSA, chain) per bidder: fresh keys, certificates under the demo CAs."""
    out = []
    for territory, (ca_id, tsa_id, alg, names) in BIDDERS.items():
        ca = index["entities"][ca_id]
        ca_cert = load_certificate((demo / ca["cert"]).read_bytes())
        ca_signer = Signer.from_key(load_private_key((demo / ca["key"]).read_bytes()))
        tsa = index["entities"][tsa_id]
        timestamper = LocalTSA.from_files(demo / tsa["cert"], demo / tsa["key"], chain=[ca_cert])
        for name in names:
            key = Signer.generate(alg)
            subject = {**NAMESPACES[territory], "organizational_unit_name": "Bidders", "common_name": name}
            cert = build_certificate(subject=subject, issuer=ca_cert.subject, public_key_info=key.public_key_info,
                                     signer=ca_signer, not_before=now - timedelta(days=1),
                                     not_after=now + timedelta(days=730), policies=[POLICIES[territory]],
                                     key_usage={"digital_signature", "non_repudiation"})
            out.append((territory, cert, key, timestamper, [ca_cert]))
    return out


def write_opening(demo: Path, out: Path, count: int, *, deadline: datetime | None = None, late: int = 0,
                  tender_id: str = TENDER_ID, now: datetime | None = None) -> dict:
    """Write `count` bids into `out`; the first `count - late` are stamped before `deadline`, the rest after."""
    demo, out = Path(demo), Path(out)
    index = json.loads((demo / "pki.json").read_text())
    now = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    deadline = deadline or now
    bidders = _bidders(demo, index, now)
    out.mkdir(parents=True, exist_ok=True)
    width = max(4, len(str(count)))
    for i in range(count):
        territory, cert, key, tsa, chain = bidders[i % len(bidders)]
        is_late = i >= count - late
        stamped = deadline + timedelta(minutes=15, seconds=51) if is_late else deadline - timedelta(hours=2, seconds=i % 3600)
        tsa.clock = lambda t=stamped: t
        content = (f"Tender {tender_id}: bid {i + 1} from {cert.subject_str}\n"
                   f"Price: {1_000_000 + 137 * i:,}.00 CNY\n").encode("utf-8")
        stem = f"bid-{i + 1:0{width}d}"
        (out / f"{stem}.txt").write_bytes(content)
        (out / f"{stem}.p7s").write_bytes(sign_cms(content, cert, key, detached=True, signing_time=stamped,
                                                   timestamper=tsa, extra_certs=chain))
    meta = {"tender_id": tender_id, "deadline": deadline.isoformat().replace("+00:00", "Z"), "count": count,
            "late": late, "bidders": [c.subject_str for _t, c, *_ in bidders]}
    (out / "opening.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return meta


__all__ = ["BIDDERS", "TENDER_ID", "write_opening"]
