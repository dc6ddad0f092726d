"""Human-readable reasons for signature and timestamp reports, in English, Simplified and Traditional Chinese."""

from __future__ import annotations

LANGS = ("en", "zh-Hans", "zh-Hant")

# key -> {lang: template}; templates use str.format fields.
MESSAGES: dict[str, dict[str, str]] = {
    "format": {
        "en": "The input is not a readable CMS signature: {detail}",
        "zh-Hans": "输入不是可读取的 CMS 签名：{detail}",
        "zh-Hant": "輸入不是可讀取的 CMS 簽章：{detail}",
    },
    "trailing_data": {
        "en": "{count} bytes after the end of the CMS signature were ignored",
        "zh-Hans": "已忽略 CMS 签名结尾之后的 {count} 个字节",
        "zh-Hant": "已忽略 CMS 簽章結尾之後的 {count} 個位元組",
    },
    "digest_algorithm_mismatch": {
        "en": "The supplied digest is a {given} digest but a {expected} digest is needed: the content could not be checked",
        "zh-Hans": "所提供的摘要为 {given} 摘要，但需要 {expected} 摘要：无法核对内容",
        "zh-Hant": "所提供的摘要為 {given} 摘要，但需要 {expected} 摘要：無法核對內容",
    },
    "ts_format": {
        "en": "The input is not a readable timestamp token: {detail}",
        "zh-Hans": "输入不是可读取的时间戳令牌：{detail}",
        "zh-Hant": "輸入不是可讀取的時間戳記憑證：{detail}",
    },
    "no_content": {
        "en": "The signature is detached and no signed content was supplied",
        "zh-Hans": "签名为分离式签名，但未提供被签名的内容",
        "zh-Hant": "簽章為分離式簽章，但未提供被簽署的內容",
    },
    "no_signer_cert": {
        "en": "Signer {index}: the signing certificate is not in the signature nor among the supplied certificates",
        "zh-Hans": "签名者 {index}：签名中及所提供的证书中都找不到签名证书",
        "zh-Hant": "簽署者 {index}：簽章中及所提供的憑證中都找不到簽署憑證",
    },
    "hash_failure": {
        "en": "Signer {index}: the content does not match the signed digest ({detail})",
        "zh-Hans": "签名者 {index}：内容与签名的摘要不符（{detail}）",
        "zh-Hant": "簽署者 {index}：內容與簽署的摘要不符（{detail}）",
    },
    "sig_crypto_failure": {
        "en": "Signer {index}: the signature value does not verify under the signer's key ({detail})",
        "zh-Hans": "签名者 {index}：签名值无法用签名者公钥验证（{detail}）",
        "zh-Hant": "簽署者 {index}：簽章值無法以簽署者公鑰驗證（{detail}）",
    },
    "signer_format": {
        "en": "Signer {index}: malformed or unsupported signer information ({detail})",
        "zh-Hans": "签名者 {index}：签名者信息格式错误或不受支持（{detail}）",
        "zh-Hant": "簽署者 {index}：簽署者資訊格式錯誤或不受支援（{detail}）",
    },
    "cert_binding": {
        "en": "Signer {index}: the signing-certificate attribute does not identify the signer's certificate ({detail})",
        "zh-Hans": "签名者 {index}：签名证书属性与签名者证书不符（{detail}）",
        "zh-Hant": "簽署者 {index}：簽署憑證屬性與簽署者憑證不符（{detail}）",
    },
    "signature_ok": {
        "en": "Signer {index} ({signer}): signature intact and certificate valid at {time} ({source})",
        "zh-Hans": "签名者 {index}（{signer}）：签名完整，证书在 {time}（{source}）有效",
        "zh-Hant": "簽署者 {index}（{signer}）：簽章完整，憑證在 {time}（{source}）有效",
    },
    "cert_invalid": {
        "en": "Signer {index}: the certificate is not valid at {time} ({source}): {detail}",
        "zh-Hans": "签名者 {index}：证书在 {time}（{source}）无效：{detail}",
        "zh-Hant": "簽署者 {index}：憑證在 {time}（{source}）無效：{detail}",
    },
    "key_usage": {
        "en": "Signer {index}: the certificate's key usage does not allow signing documents",
        "zh-Hans": "签名者 {index}：证书的密钥用法不允许签署文件",
        "zh-Hant": "簽署者 {index}：憑證的金鑰用途不允許簽署文件",
    },
    "timestamp_invalid": {
        "en": "Signer {index}: the signature timestamp is not acceptable: {detail}",
        "zh-Hans": "签名者 {index}：签名时间戳不可接受：{detail}",
        "zh-Hant": "簽署者 {index}：簽章時間戳記不可接受：{detail}",
    },
    "timestamp_before_signing_claim": {
        "en": "Signer {index}: the timestamp time {gen_time} is before the claimed signing time {claim}",
        "zh-Hans": "签名者 {index}：时间戳时间 {gen_time} 早于声称的签名时间 {claim}",
        "zh-Hant": "簽署者 {index}：時間戳記時間 {gen_time} 早於聲稱的簽署時間 {claim}",
    },
    "revoked_no_poe": {
        "en": "Signer {index}: the signing certificate was revoked at {revoked_at} and nothing proves the signature existed before then (no valid signature timestamp): {detail}",
        "zh-Hans": "签名者 {index}：签名证书已于 {revoked_at} 被撤销，且没有证据（有效的签名时间戳）证明签名在此之前已存在：{detail}",
        "zh-Hant": "簽署者 {index}：簽署憑證已於 {revoked_at} 被撤銷，且沒有證據（有效的簽章時間戳記）證明簽章在此之前已存在：{detail}",
    },
    "revoked_ca_no_poe": {
        "en": "Signer {index}: a CA certificate of the signer's path was revoked at {revoked_at} and nothing proves the signature existed before then (no valid signature timestamp): {detail}",
        "zh-Hans": "签名者 {index}：签名者证书路径中的 CA 证书已于 {revoked_at} 被撤销，且没有证据（有效的签名时间戳）证明签名在此之前已存在：{detail}",
        "zh-Hant": "簽署者 {index}：簽署者憑證路徑中的 CA 憑證已於 {revoked_at} 被撤銷，且沒有證據（有效的簽章時間戳記）證明簽章在此之前已存在：{detail}",
    },
    "revoked_before_poe": {
        "en": "Signer {index}: the certificate was revoked at {revoked_at}, before the signature timestamp {gen_time}: {detail}",
        "zh-Hans": "签名者 {index}：证书已于 {revoked_at} 被撤销，早于签名时间戳 {gen_time}：{detail}",
        "zh-Hant": "簽署者 {index}：憑證已於 {revoked_at} 被撤銷，早於簽章時間戳記 {gen_time}：{detail}",
    },
    "timestamp_order_failure": {
        "en": "Signer {index}: the claimed signing time {claim} is after the signature timestamp {gen_time} (EN 319 102-1 timestamp order)",
        "zh-Hans": "签名者 {index}：声称的签名时间 {claim} 晚于签名时间戳 {gen_time}（EN 319 102-1 时间顺序检查）",
        "zh-Hant": "簽署者 {index}：聲稱的簽署時間 {claim} 晚於簽章時間戳記 {gen_time}（EN 319 102-1 時間順序檢查）",
    },
    "deadline_missed": {
        "en": "Submitted too late: timestamp time {gen_time} is after the deadline {deadline}",
        "zh-Hans": "递交逾期：时间戳时间 {gen_time} 晚于截止时间 {deadline}",
        "zh-Hant": "遞交逾期：時間戳記時間 {gen_time} 晚於截止時間 {deadline}",
    },
    "deadline_met": {
        "en": "Submitted in time: timestamp time {gen_time} is not after the deadline {deadline}",
        "zh-Hans": "按时递交：时间戳时间 {gen_time} 不晚于截止时间 {deadline}",
        "zh-Hant": "準時遞交：時間戳記時間 {gen_time} 不晚於截止時間 {deadline}",
    },
    "deadline_no_poe": {
        "en": "A deadline {deadline} was set but there is no valid timestamp proving when the signature existed",
        "zh-Hans": "设定了截止时间 {deadline}，但没有有效的时间戳证明签名的存在时间",
        "zh-Hant": "設定了截止時間 {deadline}，但沒有有效的時間戳記證明簽章的存在時間",
    },
    "deadline_timestamp_failed": {
        "en": "A deadline {deadline} was set and the signature timestamp meant to prove it failed: {detail}",
        "zh-Hans": "设定了截止时间 {deadline}，但用于证明的签名时间戳验证失败：{detail}",
        "zh-Hant": "設定了截止時間 {deadline}，但用於證明的簽章時間戳記驗證失敗：{detail}",
    },
    "countersignature_invalid": {
        "en": "Signer {index}: countersignature {number} is not valid: {detail}",
        "zh-Hans": "签名者 {index}：副署签名 {number} 无效：{detail}",
        "zh-Hant": "簽署者 {index}：副署簽章 {number} 無效：{detail}",
    },
    "imprint_mismatch": {
        "en": "The timestamp's message imprint does not match the data ({detail})",
        "zh-Hans": "时间戳的消息摘要与数据不符（{detail}）",
        "zh-Hant": "時間戳記的訊息摘要與資料不符（{detail}）",
    },
    "imprint_unchecked": {
        "en": "No data or digest was supplied, so the timestamp's message imprint could not be checked",
        "zh-Hans": "未提供数据或摘要，无法检查时间戳的消息摘要",
        "zh-Hant": "未提供資料或摘要，無法檢查時間戳記的訊息摘要",
    },
    "tsa_constraints": {
        "en": "The TSA certificate is not a timestamping certificate: {detail}",
        "zh-Hans": "时间戳机构证书不是时间戳证书：{detail}",
        "zh-Hant": "時間戳記機構憑證不是時間戳記憑證：{detail}",
    },
    "tsa_not_recognised": {
        "en": "The TSA is not recognised as a timestamping service at {time}: {detail}",
        "zh-Hans": "时间戳机构在 {time} 未被认可为时间戳服务：{detail}",
        "zh-Hant": "時間戳記機構在 {time} 未被認可為時間戳記服務：{detail}",
    },
    "tsa_cert_invalid": {
        "en": "The TSA certificate is not valid at {time}: {detail}",
        "zh-Hans": "时间戳机构证书在 {time} 无效：{detail}",
        "zh-Hant": "時間戳記機構憑證在 {time} 無效：{detail}",
    },
    "timestamp_ok": {
        "en": "Timestamp by {tsa} at {gen_time}: intact, TSA valid and recognised at that time",
        "zh-Hans": "由 {tsa} 于 {gen_time} 签发的时间戳：完整，时间戳机构当时有效且获认可",
        "zh-Hant": "由 {tsa} 於 {gen_time} 簽發的時間戳記：完整，時間戳記機構當時有效且獲認可",
    },
    "eguarantee_invalid": {
        "en": "The e-guarantee payload is not valid: {detail}",
        "zh-Hans": "电子保函内容无效：{detail}",
        "zh-Hant": "電子保函內容無效：{detail}",
    },
    "eguarantee_mismatch": {
        "en": "The e-guarantee field '{field}' is {actual!r}, expected {expected!r}",
        "zh-Hans": "电子保函字段“{field}”为 {actual!r}，预期为 {expected!r}",
        "zh-Hant": "電子保函欄位「{field}」為 {actual!r}，預期為 {expected!r}",
    },
    "eguarantee_expired": {
        "en": "The e-guarantee is not in force at {time} (valid {valid_from} to {valid_until})",
        "zh-Hans": "电子保函在 {time} 不在有效期内（有效期 {valid_from} 至 {valid_until}）",
        "zh-Hant": "電子保函在 {time} 不在有效期內（有效期 {valid_from} 至 {valid_until}）",
    },
    # One key per TermFailure rule (validation/eguarantee.py), each naming the term.
    "eguarantee_term_expired": {
        "en": "The e-guarantee term '{term}' is not met: the guarantee expired at {actual}, before the validation time {expected}",
        "zh-Hans": "电子保函条款“{term}”不符：保函已于 {actual} 失效，早于验证时间 {expected}",
        "zh-Hant": "電子保函條款「{term}」不符：保函已於 {actual} 失效，早於驗證時間 {expected}",
    },
    "eguarantee_term_not_in_force_yet": {
        "en": "The e-guarantee term '{term}' is not met: the guarantee is in force only from {actual}, after the validation time {expected}",
        "zh-Hans": "电子保函条款“{term}”不符：保函自 {actual} 起才生效，晚于验证时间 {expected}",
        "zh-Hant": "電子保函條款「{term}」不符：保函自 {actual} 起才生效，晚於驗證時間 {expected}",
    },
    "eguarantee_term_minimum": {
        "en": "The e-guarantee term '{term}' is not met: {actual} is below the required minimum {expected}",
        "zh-Hans": "电子保函条款“{term}”不符：{actual} 低于要求的最低值 {expected}",
        "zh-Hant": "電子保函條款「{term}」不符：{actual} 低於要求的最低值 {expected}",
    },
    "eguarantee_term_maximum": {
        "en": "The e-guarantee term '{term}' is not met: {actual} is later than the required {expected}",
        "zh-Hans": "电子保函条款“{term}”不符：{actual} 晚于要求的 {expected}",
        "zh-Hant": "電子保函條款「{term}」不符：{actual} 晚於要求的 {expected}",
    },
    "eguarantee_term_exact": {
        "en": "The e-guarantee term '{term}' is not met: it is {actual!r}, expected {expected!r}",
        "zh-Hans": "电子保函条款“{term}”不符：内容为 {actual!r}，预期为 {expected!r}",
        "zh-Hant": "電子保函條款「{term}」不符：內容為 {actual!r}，預期為 {expected!r}",
    },
    "eguarantee_term_unknown": {
        "en": "The expected field '{term}' is not an e-guarantee term (expected {expected!r})",
        "zh-Hans": "预期字段“{term}”不是电子保函条款（预期为 {expected!r}）",
        "zh-Hant": "預期欄位「{term}」不是電子保函條款（預期為 {expected!r}）",
    },
    "eguarantee_term_unreadable": {
        "en": "The expected value {expected!r} of the e-guarantee term '{term}' is not readable",
        "zh-Hans": "电子保函条款“{term}”的预期值 {expected!r} 无法读取",
        "zh-Hant": "電子保函條款「{term}」的預期值 {expected!r} 無法讀取",
    },
    "eguarantee_ok": {
        "en": "The e-guarantee payload matches every expected field",
        "zh-Hans": "电子保函内容与所有预期字段相符",
        "zh-Hant": "電子保函內容與所有預期欄位相符",
    },
    # Revocation (revocation/modes.Objection), rendered from CertificateStatus for the reader's language.
    "revocation_revoked": {
        "en": "{name}: revoked at {time}{why}",
        "zh-Hans": "{name}：已于 {time} 被吊销{why}",
        "zh-Hant": "{name}：已於 {time} 被廢止{why}",
    },
    "revocation_reason": {
        "en": " (reason: {reason})",
        "zh-Hans": "（吊销原因：{reason}）",
        "zh-Hant": "（廢止原因：{reason}）",
    },
    "revocation_on_hold": {
        "en": "{name}: on hold (suspended) since {time}; its status is not final",
        "zh-Hans": "{name}：自 {time} 起被暂停（证书冻结），状态尚未最终确定，请稍后再试",
        "zh-Hant": "{name}：自 {time} 起被暫停（憑證凍結），狀態尚未最終確定，請稍後再試",
    },
    "revocation_not_established": {
        "en": "{name}: revocation status not established ({count} source(s) unusable or missing)",
        "zh-Hans": "{name}：无法确定吊销状态（{count} 项吊销信息无法使用或缺失），请稍后再试",
        "zh-Hant": "{name}：無法確定廢止狀態（{count} 項廢止資訊無法使用或缺失），請稍後再試",
    },
    "revocation_refuted": {
        "en": "{name}: a supplied CRL covering the certificate cannot be used (signature, issuer or CRL profile, {rule})",
        "zh-Hans": "{name}：所提供的涵盖此证书的 CRL 无法使用（签名、签发者或 CRL 格式不符合 {rule}）",
        "zh-Hant": "{name}：所提供的涵蓋此憑證的 CRL 無法使用（簽章、簽發者或 CRL 格式不符合 {rule}）",
    },
}

# RFC 5280 5.3.1 CRLReason (asn1crypto's spelling) for people.
REVOCATION_REASONS: dict[str, dict[str, str]] = {
    "unspecified": {"en": "unspecified", "zh-Hans": "未指明", "zh-Hant": "未指明"},
    "key_compromise": {"en": "key compromise", "zh-Hans": "密钥泄露", "zh-Hant": "金鑰洩露"},
    "ca_compromise": {"en": "CA compromise", "zh-Hans": "CA 密钥泄露", "zh-Hant": "CA 金鑰洩露"},
    "affiliation_changed": {"en": "affiliation changed", "zh-Hans": "隶属关系变更", "zh-Hant": "隸屬關係變更"},
    "superseded": {"en": "superseded", "zh-Hans": "证书已被取代", "zh-Hant": "憑證已被取代"},
    "cessation_of_operation": {"en": "cessation of operation", "zh-Hans": "停止运营", "zh-Hant": "停止營運"},
    "certificate_hold": {"en": "certificate hold", "zh-Hans": "证书冻结", "zh-Hant": "憑證凍結"},
    "privilege_withdrawn": {"en": "privilege withdrawn", "zh-Hans": "权限撤销", "zh-Hant": "權限撤銷"},
    "aa_compromise": {"en": "AA compromise", "zh-Hans": "属性机构密钥泄露", "zh-Hant": "屬性機構金鑰洩露"},
}

SOURCES = {
    "now": {"en": "current time", "zh-Hans": "当前时间", "zh-Hant": "目前時間"},
    "signing-time-claim": {"en": "claimed signing time, not proven", "zh-Hans": "声称的签名时间，未经证明",
                           "zh-Hant": "聲稱的簽署時間，未經證明"},
    "timestamp": {"en": "proven by a timestamp", "zh-Hans": "由时间戳证明", "zh-Hant": "由時間戳記證明"},
}


def normalise_lang(lang: str | None) -> str:
    """Map 'zh-CN', 'zh_TW', 'zh-HK', ... to one of LANGS; default English."""
    if not lang:
        return "en"
    low = lang.replace("_", "-").lower()
    if low in ("zh-hant", "zh-tw", "zh-hk", "zh-mo") or low.startswith("zh-hant"):
        return "zh-Hant"
    if low.startswith("zh"):
        return "zh-Hans"
    return "en"


def message(key: str, lang: str = "en", **fields: object) -> str:
    """The message `key` in `lang`, with its fields filled in."""
    table = MESSAGES[key]
    return table.get(normalise_lang(lang), table["en"]).format(**fields)


def source_label(source: str, lang: str = "en") -> str:
    return SOURCES.get(source, {}).get(normalise_lang(lang), source)
