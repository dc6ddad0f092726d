"""Reasons the long-term validation step adds (EN 319 102-1 5.6), in the three report languages."""

from __future__ import annotations

from trustsvc.validation.messages import MESSAGES, normalise_lang

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
    "archives_skipped": {
        "en": "The signature carries {count} archive timestamps, more than the {limit} validated: none of them was "
              "validated or used as a proof of existence",
        "zh-Hans": "签名带有 {count} 个归档时间戳，超过可验证的 {limit} 个：均未验证，也未用作存在证明",
        "zh-Hant": "簽章帶有 {count} 個歸檔時間戳記，超過可驗證的 {limit} 個：均未驗證，也未用作存在證明",
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


# Who gives a proof of existence (EN 319 102-1 5.6.2.3), by POE `source_type`.
POE_SOURCES: dict[str, dict[str, str]] = {
    "signature-timestamp": {"en": "signature timestamp #{n} ({time})", "zh-Hans": "签名时间戳 #{n}（{time}）",
                            "zh-Hant": "簽章時間戳記 #{n}（{time}）"},
    "archive-timestamp": {"en": "archive timestamp #{n} ({time})", "zh-Hans": "归档时间戳 #{n}（{time}）",
                          "zh-Hant": "歸檔時間戳記 #{n}（{time}）"},
    "sig-and-refs-timestamp": {"en": "sig-and-refs timestamp #{n} ({time})", "zh-Hans": "签名及引用时间戳 #{n}（{time}）",
                               "zh-Hant": "簽章及參照時間戳記 #{n}（{time}）"},
}


def poe_source(source_type: str, n: int, time: str, lang: str) -> str:
    """The POE source for people, in the report's language (English when the language is not one of ours)."""
    table = POE_SOURCES[source_type]
    return table.get(normalise_lang(lang), table["en"]).format(n=n, time=time)


def register() -> None:
    """Add these messages to the shared table (kept here so the long-term step stays one module)."""
    for key, table in LONG_TERM_MESSAGES.items():
        MESSAGES.setdefault(key, table)
