"""Localised to the bottom: what a non-English report says is rendered from typed values, never from English text.

The path, revocation and trust-list layers explain themselves in English strings (kept in the
report as `technical_details` for engineers). A zh-Hans / zh-Hant reader gets each failure from its
typed form instead: the EN 319 102-1 sub-indication, the certificate it concerns (its name with the
attribute labels in the reader's language), and the recognition outcome.
"""

from __future__ import annotations

from asn1crypto import x509

from trustsvc.reports import SubIndication
from trustsvc.revocation.checker import CertificateStatus
from trustsvc.revocation.modes import Objection
from trustsvc.x509.certificate import Certificate
from trustsvc.validation import times
from trustsvc.validation.report import CertificateReport
from trustsvc.validation.messages import REVOCATION_REASONS, message, normalise_lang

# EN 319 102-1 sub-indications, for people (table 5 / 6 meanings).
SUB_INDICATIONS: dict[str, dict[str, str]] = {
    "FORMAT_FAILURE": {"en": "the input is not in the expected format",
                       "zh-Hans": "格式错误，无法处理", "zh-Hant": "格式錯誤，無法處理"},
    "HASH_FAILURE": {"en": "the signed data does not match its digest",
                     "zh-Hans": "被签名数据与摘要不符", "zh-Hant": "被簽署資料與摘要不符"},
    "SIG_CRYPTO_FAILURE": {"en": "the signature value does not verify",
                           "zh-Hans": "签名值验证失败", "zh-Hant": "簽章值驗證失敗"},
    "REVOKED": {"en": "the certificate is revoked", "zh-Hans": "证书已被吊销", "zh-Hant": "憑證已被廢止"},
    "EXPIRED": {"en": "the certificate has expired", "zh-Hans": "证书已过期", "zh-Hant": "憑證已過期"},
    "NOT_YET_VALID": {"en": "the certificate is not yet valid", "zh-Hans": "证书尚未生效", "zh-Hant": "憑證尚未生效"},
    "SIG_CONSTRAINTS_FAILURE": {"en": "a signature constraint is not met",
                                "zh-Hans": "不符合签名约束条件", "zh-Hant": "不符合簽章限制條件"},
    "CHAIN_CONSTRAINTS_FAILURE": {"en": "a certification path constraint is not met",
                                  "zh-Hans": "不符合证书路径约束条件", "zh-Hant": "不符合憑證路徑限制條件"},
    "CERTIFICATE_CHAIN_GENERAL_FAILURE": {"en": "the certification path could not be validated",
                                          "zh-Hans": "证书路径无法验证", "zh-Hant": "憑證路徑無法驗證"},
    "CRYPTO_CONSTRAINTS_FAILURE": {"en": "an algorithm or key size is no longer acceptable",
                                   "zh-Hans": "算法或密钥长度已不可接受", "zh-Hant": "演算法或金鑰長度已不可接受"},
    "CRYPTO_CONSTRAINTS_FAILURE_NO_POE": {"en": "an algorithm is no longer acceptable and no proof of existence "
                                                "predates that",
                                          "zh-Hans": "算法已不可接受，且没有更早的存在证明",
                                          "zh-Hant": "演算法已不可接受，且沒有更早的存在證明"},
    "POLICY_PROCESSING_ERROR": {"en": "certificate policy processing failed",
                                "zh-Hans": "证书策略处理失败", "zh-Hant": "憑證政策處理失敗"},
    "SIGNATURE_POLICY_NOT_AVAILABLE": {"en": "the signature policy is not available",
                                       "zh-Hans": "无法取得签名策略", "zh-Hant": "無法取得簽章政策"},
    "TIMESTAMP_ORDER_FAILURE": {"en": "the time-stamps are not in the required order",
                                "zh-Hans": "时间戳顺序不符合要求", "zh-Hant": "時間戳記順序不符合要求"},
    "NO_SIGNING_CERTIFICATE_FOUND": {"en": "the signing certificate was not found",
                                     "zh-Hans": "找不到签名证书", "zh-Hant": "找不到簽署憑證"},
    "NO_CERTIFICATE_CHAIN_FOUND": {"en": "no certification path to a trusted or recognised authority",
                                   "zh-Hans": "找不到通往受信任或获认可机构的证书路径",
                                   "zh-Hant": "找不到通往受信任或獲認可機構的憑證路徑"},
    "REVOKED_NO_POE": {"en": "the certificate is revoked and nothing proves the signature came before",
                       "zh-Hans": "证书已被吊销，且无法证明签名早于吊销",
                       "zh-Hant": "憑證已被廢止，且無法證明簽章早於廢止"},
    "REVOKED_CA_NO_POE": {"en": "a CA certificate on the path is revoked and nothing proves the signature came before",
                          "zh-Hans": "路径上的 CA 证书已被吊销，且无法证明签名早于吊销",
                          "zh-Hant": "路徑上的 CA 憑證已被廢止，且無法證明簽章早於廢止"},
    "OUT_OF_BOUNDS_NO_POE": {"en": "the certificate was outside its validity period and nothing proves an earlier "
                                   "signature",
                             "zh-Hans": "证书不在有效期内，且无法证明签名更早",
                             "zh-Hant": "憑證不在有效期內，且無法證明簽章更早"},
    "OUT_OF_BOUNDS_NOT_REVOKED": {"en": "the certificate was outside its validity period (not revoked)",
                                  "zh-Hans": "证书不在有效期内（未被吊销）", "zh-Hant": "憑證不在有效期內（未被廢止）"},
    "REVOCATION_OUT_OF_BOUNDS_NO_POE": {"en": "the revocation information is out of bounds",
                                        "zh-Hans": "吊销信息超出有效范围", "zh-Hant": "廢止資訊超出有效範圍"},
    "NO_POE": {"en": "nothing proves when the signature existed",
               "zh-Hans": "没有证明签名存在时间的证据", "zh-Hant": "沒有證明簽章存在時間的證據"},
    "TRY_LATER": {"en": "revocation status is not available now; try later",
                  "zh-Hans": "暂时无法取得吊销状态，请稍后再试", "zh-Hant": "暫時無法取得廢止狀態，請稍後再試"},
    "SIGNED_DATA_NOT_FOUND": {"en": "the signed data was not supplied", "zh-Hans": "未提供被签名的数据",
                              "zh-Hant": "未提供被簽署的資料"},
    "GENERIC": {"en": "the validation could not be completed", "zh-Hans": "无法完成验证", "zh-Hant": "無法完成驗證"},
}

# X.520 attribute labels (RFC 5280 4.1.2.4 names), as people read them.
NAME_LABELS: dict[str, dict[str, str]] = {
    "common_name": {"en": "Common Name", "zh-Hans": "通用名称", "zh-Hant": "通用名稱"},
    "organization_name": {"en": "Organization", "zh-Hans": "组织", "zh-Hant": "組織"},
    "organizational_unit_name": {"en": "Organizational Unit", "zh-Hans": "组织单位", "zh-Hant": "組織單位"},
    "country_name": {"en": "Country", "zh-Hans": "国家或地区", "zh-Hant": "國家或地區"},
    "state_or_province_name": {"en": "State/Province", "zh-Hans": "省份", "zh-Hant": "省份"},
    "locality_name": {"en": "Locality", "zh-Hans": "城市", "zh-Hant": "城市"},
    "serial_number": {"en": "Serial Number", "zh-Hans": "序列号", "zh-Hant": "序號"},
    "email_address": {"en": "Email Address", "zh-Hans": "电子邮件", "zh-Hant": "電子郵件"},
    "organization_identifier": {"en": "Organization Identifier", "zh-Hans": "组织标识符", "zh-Hant": "組織識別碼"},
}

# The usages trust lists grant (trustlist/model.py); an unknown one is shown as it is written.
USAGES: dict[str, dict[str, str]] = {
    "e-tendering": {"en": "e-tendering", "zh-Hans": "电子招投标", "zh-Hant": "電子招投標"},
    "e-guarantee": {"en": "e-guarantee", "zh-Hans": "电子保函", "zh-Hant": "電子保函"},
    "e-signature": {"en": "e-signature", "zh-Hans": "电子签名", "zh-Hant": "電子簽章"},
    "timestamping": {"en": "timestamping", "zh-Hans": "时间戳服务", "zh-Hant": "時間戳記服務"},
}

PHRASES: dict[str, dict[str, str]] = {
    "not_recognised": {"en": "not recognised by the trust lists for {usage}",
                       "zh-Hans": "未获信任列表认可用于“{usage}”", "zh-Hant": "未獲信任清單認可用於「{usage}」"},
    "not_recognised_any": {"en": "not recognised by the trust lists", "zh-Hans": "未获信任列表认可",
                           "zh-Hant": "未獲信任清單認可"},
    "concerning": {"en": "{what} ({name})", "zh-Hans": "{what}（{name}）", "zh-Hant": "{what}（{name}）"},
    "unreadable": {"en": "unreadable", "zh-Hans": "无法读取", "zh-Hant": "無法讀取"},
}


def sub_indication_text(sub: SubIndication | str | None, lang: str) -> str:
    key = getattr(sub, "value", sub) or "GENERIC"
    table = SUB_INDICATIONS.get(str(key), SUB_INDICATIONS["GENERIC"])
    return table.get(normalise_lang(lang), table["en"])


def name_text(name: x509.Name, lang: str) -> str:
    """A distinguished name with its labels in `lang` (most specific first, as certificates are read)."""
    lang = normalise_lang(lang)
    try:
        native = name.native
    except (ValueError, TypeError, AttributeError):
        return PHRASES["unreadable"][lang]
    parts = []
    for attr, value in reversed(list(native.items())):
        values = value if isinstance(value, list) else [value]
        label = NAME_LABELS.get(attr, {}).get(lang) or NAME_LABELS.get(attr, {}).get("en") or attr
        parts.extend(f"{label}: {v}" for v in values if isinstance(v, str))
    return "、".join(parts) if lang != "en" else ", ".join(parts)


def certificate_name(cert: Certificate | None, lang: str) -> str:
    if cert is None:
        return ""
    return name_text(cert.subject, lang) if lang != "en" else cert.subject_str


def revocation_failure(status: CertificateStatus, lang: str) -> str | None:
    """Why a certificate's revocation status failed its path, in `lang`, from the typed outcome (the objection,
    the revocation time and RFC 5280 reason, the certificate's name); None when there is no objection."""
    objection = status.outcome.objection
    if objection is None:
        return None
    name = certificate_name(status.certificate, lang)
    when = times.fmt_time(status.revocation_time) if status.revocation_time is not None else "?"
    if objection is Objection.REVOKED:
        reason = REVOCATION_REASONS.get(status.reason or "", {}).get(lang, status.reason)
        why = message("revocation_reason", lang, reason=reason) if reason else ""
        return message("revocation_revoked", lang, name=name, time=when, why=why)
    if objection is Objection.ON_HOLD:
        return message("revocation_on_hold", lang, name=name, time=when)
    if objection is Objection.REFUTED:
        rules = ", ".join(dict.fromkeys(f.rule for f in status.refuted_by if f.rule)) or "RFC 5280 6.3.3"
        return message("revocation_refuted", lang, name=name, rule=rules)
    return message("revocation_not_established", lang, name=name, count=max(1, len(status.refused)))


def certificate_failure(report: CertificateReport, lang: str) -> str:
    """Why a CertificateReport did not pass, in `lang`: from its sub-indication, recognition and path, or the
    typed revocation outcome when revocation failed the path.

    English keeps the layers' own detailed reasons; other languages are built from the typed parts.
    """
    lang = normalise_lang(lang)
    if lang == "en":
        return "; ".join(report.reasons) or sub_indication_text(report.sub_indication, lang)
    revoked = report.revoked
    if revoked is not None:
        text = revocation_failure(revoked, lang)
        if text is not None:
            return text
    rec = report.recognition
    recognised = rec.get("recognised") if isinstance(rec, dict) else getattr(rec, "recognised", None)
    if recognised is False:
        usage = report.usage
        shown = USAGES.get(str(usage), {}).get(lang, usage)
        what = PHRASES["not_recognised" if usage else "not_recognised_any"][lang].format(usage=shown)
    else:
        what = sub_indication_text(report.sub_indication, lang)
    path = report.path
    if not path:
        return what
    return PHRASES["concerning"][lang].format(what=what, name=certificate_name(path[-1], lang))


def localise_certificate_report(report: CertificateReport, lang: str) -> CertificateReport:
    """A CertificateReport for a `lang` reader: its reasons rendered from the typed outcome (sub-indication,
    recognition, the certificate concerned); the layers' English reasons move to `technical_details`."""
    lang = normalise_lang(lang)
    report.lang = lang
    if lang == "en" or not report.reasons:
        return report
    report.technical_details = list(report.reasons)
    report.reasons = [certificate_failure(report, lang)] if not report.passed else []
    return report


_CRYPTO_MESSAGES = {SubIndication.HASH_FAILURE: "hash_failure", SubIndication.SIG_CRYPTO_FAILURE: "sig_crypto_failure"}


def crypto_message_key(sub: SubIndication) -> str:
    """The messages.py key for a signer's failed cryptographic check (cms.signed_data.CryptoCheck.failure)."""
    return _CRYPTO_MESSAGES.get(sub, "signer_format")


def detail(english: str, sub: SubIndication | str | None, lang: str) -> str:
    """An English layer's detail for English readers; the sub-indication's meaning for everyone else."""
    return english if normalise_lang(lang) == "en" else sub_indication_text(sub, lang)


__all__ = ["NAME_LABELS", "SUB_INDICATIONS", "certificate_failure", "certificate_name", "detail",
           "crypto_message_key", "localise_certificate_report", "name_text", "revocation_failure",
           "sub_indication_text"]
