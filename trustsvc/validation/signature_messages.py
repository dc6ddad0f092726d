"""Warnings a signature report carries (validation/signature_report.py `SignatureWarning`), in the three report
languages, and the reasons of the counter-signature step (RFC 5652 11.4)."""

from __future__ import annotations

from trustsvc.validation.messages import MESSAGES

SIGNATURE_MESSAGES: dict[str, dict[str, str]] = {
    "warning_trailing_data": {
        "en": "{count} bytes after the end of the CMS signature were ignored",
        "zh-Hans": "已忽略 CMS 签名结尾之后的 {count} 个字节",
        "zh-Hant": "已忽略 CMS 簽章結尾之後的 {count} 個位元組",
    },
    "warning_signature_timestamp_failed": {
        "en": "Signer {index}: signature timestamp {number} is not valid and proves nothing ({sub_indication}): {detail}",
        "zh-Hans": "签名者 {index}：签名时间戳 {number} 无效，不能作为任何证明（{sub_indication}）：{detail}",
        "zh-Hant": "簽署者 {index}：簽章時間戳記 {number} 無效，不能作為任何證明（{sub_indication}）：{detail}",
    },
    "warning_countersignature_failed": {
        "en": "Signer {index}: counter-signature {number} did not pass ({indication} / {sub_indication}); "
              "the signature itself is judged on its own",
        "zh-Hans": "签名者 {index}：副署签名 {number} 未通过（{indication} / {sub_indication}）；签名本身单独判定",
        "zh-Hant": "簽署者 {index}：副署簽章 {number} 未通過（{indication} / {sub_indication}）；簽章本身單獨判定",
    },
    "warning_countersignatures_skipped": {
        "en": "Signer {index}: {count} counter-signatures beyond the limit of {limit} (or nested deeper than {depth}) "
              "were not validated",
        "zh-Hans": "签名者 {index}：超出上限 {limit} 个（或嵌套深于 {depth} 层）的 {count} 个副署签名未予验证",
        "zh-Hant": "簽署者 {index}：超出上限 {limit} 個（或巢狀深於 {depth} 層）的 {count} 個副署簽章未予驗證",
    },
    "countersignature_unreadable": {
        "en": "Signer {index}: counter-signature {number} is not a readable SignerInfo: {detail}",
        "zh-Hans": "签名者 {index}：副署签名 {number} 不是可读取的 SignerInfo：{detail}",
        "zh-Hant": "簽署者 {index}：副署簽章 {number} 不是可讀取的 SignerInfo：{detail}",
    },
    "timestamp_attribute_unreadable": {
        "en": "The signature-timestamp attribute cannot be read: {detail}",
        "zh-Hans": "无法读取签名时间戳属性：{detail}",
        "zh-Hant": "無法讀取簽章時間戳記屬性：{detail}",
    },
}


def register() -> None:
    for key, table in SIGNATURE_MESSAGES.items():
        MESSAGES.setdefault(key, table)


register()
