"""Reasons the long-term validation step adds (EN 319 102-1 5.6), in the three report languages."""

from __future__ import annotations

from trustsvc.validation.messages import MESSAGES

LONG_TERM_MESSAGES: dict[str, dict[str, str]] = {
    "archive_index_mismatch": {
        "en": "The archive timestamp does not match the signature: {detail}",
        "zh-Hans": "归档时间戳与签名不符：{detail}",
        "zh-Hant": "歸檔時間戳記與簽章不符：{detail}",
    },
    "archive_invalid": {
        "en": "Archive timestamp #{n} is not valid: {detail}",
        "zh-Hans": "归档时间戳 #{n} 无效：{detail}",
        "zh-Hant": "歸檔時間戳記 #{n} 無效：{detail}",
    },
    "refs_timestamp_invalid": {
        "en": "A CAdES-X {kind} timestamp is not valid and proves nothing: {detail}",
        "zh-Hans": "CAdES-X {kind} 时间戳无效，不能作为存在证明：{detail}",
        "zh-Hant": "CAdES-X {kind} 時間戳記無效，不能作為存在證明：{detail}",
    },
    "embedded_unreadable": {
        "en": "Validation material embedded in the signature could not be used: {detail}",
        "zh-Hans": "签名中嵌入的验证数据无法使用：{detail}",
        "zh-Hant": "簽章中嵌入的驗證資料無法使用：{detail}",
    },
    "crypto_no_poe": {
        "en": "Signer {index}: the signature algorithm is no longer acceptable at its earliest proof of existence "
              "{time} ({source}): {detail}",
        "zh-Hans": "签名者 {index}：签名算法在其最早存在证明时间 {time}（{source}）已不再可接受：{detail}",
        "zh-Hant": "簽署者 {index}：簽章演算法在其最早存在證明時間 {time}（{source}）已不再可接受：{detail}",
    },
}


def register() -> None:
    """Add these messages to the shared table (kept here so the long-term step stays one module)."""
    for key, table in LONG_TERM_MESSAGES.items():
        MESSAGES.setdefault(key, table)
