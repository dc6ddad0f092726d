"""The minutes of a bid opening: one printable document per batch, in en, zh-Hans or zh-Hant.

Tender id, deadline, trust snapshot, one row per bid (bidder, territory, certificate issuer, genTime
in the platform zone, verdict, reason), totals per verdict and per reason, and the service's report
signature: an ES256 JWS (the same report key as `?signed=true`) over the tender, the totals and the
SHA-256 of the per-bid results, so the printed page can be tied to the archived results. HTML here;
`bidopening/pdf.py` prints the same HTML to PDF.
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable

from trustsvc.bidopening.batch import Summary, verdict_of
from trustsvc.validation.messages import normalise_lang
from trustsvc.validation.times import local_iso, utc_iso

# Which script a bidder's name is in follows its territory; the page's own language is the reader's.
SCRIPT_OF_TERRITORY = {"CN": "zh-Hans", "HK": "zh-Hant", "MO": "zh-Hant", "TW": "zh-Hant"}

LABELS: dict[str, dict[str, str]] = {
    "title": {"en": "Minutes of the bid opening", "zh-Hans": "开标记录", "zh-Hant": "開標記錄"},
    "tender": {"en": "Tender", "zh-Hans": "招标项目编号", "zh-Hant": "招標項目編號"},
    "deadline": {"en": "Bid deadline", "zh-Hans": "投标截止时间", "zh-Hant": "投標截止時間"},
    "opened_at": {"en": "Opened at", "zh-Hans": "开标时间", "zh-Hant": "開標時間"},
    "zone": {"en": "Platform time zone", "zh-Hans": "平台时区", "zh-Hant": "平台時區"},
    "snapshot": {"en": "Trust-list snapshot", "zh-Hans": "信任列表快照", "zh-Hant": "信任清單快照"},
    "no": {"en": "No.", "zh-Hans": "序号", "zh-Hant": "序號"},
    "file": {"en": "Bid", "zh-Hans": "投标文件", "zh-Hant": "投標文件"},
    "bidder": {"en": "Bidder", "zh-Hans": "投标人", "zh-Hant": "投標人"},
    "territory": {"en": "Territory", "zh-Hans": "地区", "zh-Hant": "地區"},
    "issuer": {"en": "Certificate issuer", "zh-Hans": "证书签发机构", "zh-Hant": "憑證簽發機構"},
    "gen_time": {"en": "Time-stamped", "zh-Hans": "时间戳时间", "zh-Hant": "時間戳記時間"},
    "verdict": {"en": "Verdict", "zh-Hans": "结论", "zh-Hant": "結論"},
    "reason": {"en": "Reason", "zh-Hans": "原因", "zh-Hant": "原因"},
    "totals": {"en": "Totals", "zh-Hans": "合计", "zh-Hant": "合計"},
    "total": {"en": "bids", "zh-Hans": "份投标", "zh-Hant": "份投標"},
    "passed": {"en": "passed", "zh-Hans": "通过", "zh-Hant": "通過"},
    "failed": {"en": "failed", "zh-Hans": "未通过", "zh-Hant": "未通過"},
    "indeterminate": {"en": "indeterminate", "zh-Hans": "无法确定", "zh-Hant": "無法確定"},
    "per_reason": {"en": "Not passed, per reason", "zh-Hans": "未通过原因统计", "zh-Hant": "未通過原因統計"},
    "signature": {"en": "Report signature (ES256, the service's report key; verify with `trustsvc report verify`)",
                  "zh-Hans": "报告签名（ES256，服务的报告密钥；以 `trustsvc report verify` 验证）",
                  "zh-Hant": "報告簽章（ES256，服務的報告金鑰；以 `trustsvc report verify` 驗證）"},
    "committee": {"en": "Bid opening committee (name, signature, date)", "zh-Hans": "开标委员会（姓名、签名、日期）",
                  "zh-Hant": "開標委員會（姓名、簽名、日期）"},
    "none": {"en": "none", "zh-Hans": "无", "zh-Hant": "無"},
    "in_time": {"en": "Submitted in time", "zh-Hans": "按时递交", "zh-Hant": "準時遞交"},
    "valid": {"en": "Signature valid", "zh-Hans": "签名有效", "zh-Hant": "簽章有效"},
}


def label(key: str, lang: str) -> str:
    return LABELS[key].get(lang, LABELS[key]["en"])


@dataclass
class MinutesRow:
    number: int
    item: str
    bidder: str
    bidder_lang: str
    territory: str
    issuer: str
    gen_time: str  # in the platform zone when one is set, else UTC
    verdict: str  # passed | failed | indeterminate
    indication: str
    sub_indication: str | None
    reason: str


@dataclass
class Minutes:
    tender_id: str
    deadline: datetime | None
    platform_timezone: str | None
    snapshot_id: str | None
    lang: str
    opened_at: datetime
    rows: list[MinutesRow] = field(default_factory=list)
    summary: Summary = field(default_factory=Summary)
    results_sha256: str = ""
    signature: str | None = None  # compact JWS over `signed_payload()`

    def signed_payload(self) -> dict[str, Any]:
        return {"kind": "bid-opening-minutes", "tender_id": self.tender_id,
                "deadline": utc_iso(self.deadline) if self.deadline else None, "snapshot_id": self.snapshot_id,
                "opened_at": utc_iso(self.opened_at), "totals": self.summary.to_dict(),
                "results_sha256": self.results_sha256}

    def time(self, t: datetime | None) -> str:
        if t is None:
            return "—"
        local = local_iso(t, self.platform_timezone)
        return f"{local} ({utc_iso(t)})" if local else utc_iso(t)


def _first_signer(report: dict[str, Any]) -> dict[str, Any]:
    signers = report.get("signers") or [{}]
    return signers[0] or {}


def _gen_time(signer: dict[str, Any], zone: str | None) -> str:
    stamps = [t for t in signer.get("timestamps") or () if t.get("gen_time")]
    passing = [t for t in stamps if t.get("indication") == "TOTAL-PASSED"] or stamps
    if not passing:
        return "—"
    t = datetime.fromisoformat(passing[0]["gen_time"])
    return local_iso(t, zone) or utc_iso(t)


def row_of(number: int, result: dict[str, Any], zone: str | None, lang: str = "en") -> MinutesRow:
    """One row from one batch result (the API batch envelope)."""
    report = result.get("report") or {}
    signer = _first_signer(report)
    cert = signer.get("signer") or {}
    rec = signer.get("recognition") or report.get("recognition") or {}
    country = cert.get("subject_country") or ""
    territory = rec.get("territory") or country or "—"
    reasons = report.get("reasons") or []
    error = (result.get("error") or {}).get("detail")
    if verdict_of(result.get("indication")) == "passed":
        # The genTime column already says when; a passed row needs no more than the verdict's name.
        reason = label("in_time" if report.get("deadline") else "valid", lang)
    else:
        reason = error or (reasons[-1] if reasons else "")
    return MinutesRow(
        number=number, item=str(result.get("source") or result.get("id") or number),
        bidder=cert.get("subject_common_name") or cert.get("subject_organization") or cert.get("subject") or "—",
        bidder_lang=SCRIPT_OF_TERRITORY.get(country.upper(), ""), territory=territory,
        issuer=cert.get("issuer_common_name") or cert.get("issuer") or "—", gen_time=_gen_time(signer, zone),
        verdict=verdict_of(result.get("indication")), indication=str(result.get("indication")),
        sub_indication=result.get("sub_indication"), reason=reason[:400])


def build_minutes(results: Iterable[dict[str, Any]], *, tender_id: str, deadline: datetime | None,
                  platform_timezone: str | None, snapshot_id: str | None, lang: str,
                  opened_at: datetime | None = None, sign: Any = None) -> Minutes:
    """Minutes from batch results; `sign(payload) -> compact JWS` (the report key) signs them."""
    lang = normalise_lang(lang)
    m = Minutes(tender_id, deadline, platform_timezone, snapshot_id, lang,
                opened_at or datetime.now(timezone.utc).replace(microsecond=0))
    digest = hashlib.sha256()
    for n, result in enumerate(results, 1):
        digest.update(json.dumps(result, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8") + b"\n")
        m.summary.add(result)
        m.rows.append(row_of(n, result, platform_timezone, lang))
    m.results_sha256 = digest.hexdigest()
    if sign is not None:
        m.signature = sign(m.signed_payload())
    return m


_CSS = """
@page { size: A4 landscape; margin: 14mm 12mm 16mm 12mm;
        @bottom-left { content: "%(footer)s"; font-size: 7pt; color: #555; }
        @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; } }
body { font-family: "Noto Sans CJK SC", "Noto Sans CJK TC", "Noto Sans", "DejaVu Sans", sans-serif; font-size: 8.5pt; }
:lang(zh-Hant) { font-family: "Noto Sans CJK TC", "Noto Sans CJK HK", "Noto Sans CJK SC", sans-serif; }
:lang(zh-Hans) { font-family: "Noto Sans CJK SC", "Noto Sans CJK TC", sans-serif; }
h1 { font-size: 15pt; margin: 0 0 4mm 0; }
table.meta td { padding: 0.5mm 4mm 0.5mm 0; vertical-align: top; }
table.bids { border-collapse: collapse; width: 100%%; margin-top: 4mm; }
table.bids { table-layout: fixed; }
table.bids th, table.bids td { border: 0.4pt solid #888; padding: 0.8mm 1.2mm; vertical-align: top; text-align: left; }
col.no { width: 9mm; } col.file { width: 21mm; } col.bidder { width: 63mm; } col.territory { width: 12mm; }
col.issuer { width: 33mm; } col.gen_time { width: 42mm; } col.verdict { width: 40mm; }
td.nowrap, th { white-space: nowrap; }
table.bids th { background: #eee; }
table.bids thead { display: table-header-group; }
tr { page-break-inside: avoid; }
.passed { color: #0a6b1f; } .failed { color: #b00020; font-weight: bold; } .indeterminate { color: #9a6400; }
.reason { font-size: 7.5pt; }
.sig { font-family: "DejaVu Sans Mono", monospace; font-size: 6.5pt; word-break: break-all; overflow-wrap: anywhere; }
.committee td { height: 12mm; border-bottom: 0.4pt solid #888; width: 33%%; }
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def render_html(m: Minutes) -> str:
    """The minutes as one self-contained HTML page (no external resources), printable as it is."""
    L = lambda key: _e(label(key, m.lang))  # noqa: E731
    s = m.summary
    meta = [("tender", _e(m.tender_id)), ("deadline", _e(m.time(m.deadline))), ("opened_at", _e(m.time(m.opened_at))),
            ("zone", _e(m.platform_timezone or "UTC")), ("snapshot", f"<code>{_e(m.snapshot_id or '—')}</code>")]
    head = "".join(f"<tr><td><b>{L(k)}</b></td><td>{v}</td></tr>" for k, v in meta)
    cols = ("no", "file", "bidder", "territory", "issuer", "gen_time", "verdict", "reason")
    rows = []
    for r in m.rows:
        lang_attr = f' lang="{r.bidder_lang}"' if r.bidder_lang else ""
        sub = f" / {_e(r.sub_indication)}" if r.sub_indication else ""
        rows.append(
            f"<tr><td>{r.number}</td><td>{_e(r.item)}</td><td class=\"nowrap\"{lang_attr}>{_e(r.bidder)}</td>"
            f"<td class=\"nowrap\">{_e(r.territory)}</td><td>{_e(r.issuer)}</td><td class=\"nowrap\">{_e(r.gen_time)}</td>"
            f'<td class="{r.verdict}">{L(r.verdict)} <small>{_e(r.indication)}{sub}</small></td>'
            f'<td class="reason">{_e(r.reason)}</td></tr>')
    colgroup = "".join(f'<col class="{c}">' for c in cols)
    reasons = "".join(f"<li><code>{_e(k)}</code>: {v}</li>" for k, v in s.reasons.most_common()) or f"<li>{L('none')}</li>"
    totals = (f"{s.total} {L('total')}: <span class='passed'>{s.verdicts['passed']} {L('passed')}</span>, "
              f"<span class='failed'>{s.verdicts['failed']} {L('failed')}</span>, "
              f"<span class='indeterminate'>{s.verdicts['indeterminate']} {L('indeterminate')}</span>")
    css = _CSS % {"footer": f"{label('title', m.lang)} · {m.tender_id} · sha256 {m.results_sha256[:16]}…".replace('"', "'")}
    return (
        f'<!DOCTYPE html>\n<html lang="{_e(m.lang)}"><head><meta charset="utf-8">'
        f"<title>{L('title')} {_e(m.tender_id)}</title><style>{css}</style></head><body>"
        f"<h1>{L('title')}</h1><table class=\"meta\">{head}</table>"
        f"<table class=\"bids\"><colgroup>{colgroup}</colgroup>"
        f"<thead><tr>{''.join(f'<th>{L(c)}</th>' for c in cols)}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        f"<h2>{L('totals')}</h2><p>{totals}</p><h3>{L('per_reason')}</h3><ul>{reasons}</ul>"
        f"<h3>{L('signature')}</h3><p class=\"sig\">{_e(m.signature or '—')}</p>"
        f"<p class=\"sig\">results sha256 {_e(m.results_sha256)}</p>"
        f"<h3>{L('committee')}</h3><table class=\"committee\" style=\"width:100%\"><tr><td></td><td></td><td></td></tr>"
        f"<tr><td></td><td></td><td></td></tr></table>"
        "</body></html>\n")


__all__ = ["LABELS", "Minutes", "MinutesRow", "build_minutes", "render_html", "row_of"]
