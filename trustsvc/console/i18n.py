"""The console's own words in zh-Hans, zh-Hant and en; reports carry their reasons in the same language."""

from __future__ import annotations

from typing import Mapping

LANGS = ("en", "zh-Hans", "zh-Hant")
LANG_NAMES = {"en": "English", "zh-Hans": "简体中文", "zh-Hant": "繁體中文"}

# One row per phrase: en, zh-Hans, zh-Hant.
_PHRASES: dict[str, tuple[str, str, str]] = {
    "title": ("trustsvc console", "trustsvc 控制台", "trustsvc 控制台"),
    "nav.lists": ("Trust lists", "信任列表", "信任列表"),
    "nav.verify": ("Verify a file", "验证文件", "驗證檔案"),
    "nav.opening": ("Bid opening", "开标", "開標"),
    "nav.operator": ("Operators", "运营者", "營運者"),
    "nav.api": ("API docs", "API 文档", "API 文件"),
    "skip": ("Skip to content", "跳到内容", "跳到內容"),
    "lang": ("Language", "语言", "語言"),
    "lists.heading": ("Trust lists in force", "现行信任列表", "現行信任列表"),
    "lists.snapshot": ("Trust snapshot", "信任快照", "信任快照"),
    "lists.loaded": ("loaded", "加载于", "載入於"),
    "lists.lotl": ("GBA list of lists", "大湾区列表之列表", "大灣區列表之列表"),
    "lists.territory": ("Territory", "地区", "地區"),
    "lists.operator": ("Scheme operator", "方案运营者", "方案營運者"),
    "lists.sequence": ("Sequence number", "序号", "序號"),
    "lists.issued": ("Issued", "签发", "簽發"),
    "lists.next_update": ("Next update", "下次更新", "下次更新"),
    "lists.signature": ("Signature", "签名", "簽名"),
    "lists.signed_by": ("verified, signed by", "已验证，签名者", "已驗證，簽署者"),
    "lists.health": ("Health", "状态", "狀態"),
    "lists.services": ("Services", "服务", "服務"),
    "lists.none": ("No trust list has been accepted yet.", "尚未接受任何信任列表。", "尚未接受任何信任清單。"),
    "svc.name": ("Service", "服务", "服務"),
    "svc.type": ("Type", "类型", "類型"),
    "svc.status": ("Status", "状态", "狀態"),
    "svc.usages": ("Usages", "用途", "用途"),
    "svc.subject": ("Certificate subject", "证书主体", "憑證主體"),
    "svc.validity": ("Certificate validity", "证书有效期", "憑證有效期"),
    "svc.timeline": ("Status timeline", "状态时间线", "狀態時間線"),
    "svc.since": ("since", "自", "自"),
    "map.heading": ("Recognition map", "互认关系图", "互認關係圖"),
    "map.pointer": ("points to", "指向", "指向"),
    "verify.heading": ("Verify a certificate, a signed bid or a timestamp", "验证证书、签名标书或时间戳",
                       "驗證憑證、已簽署標書或時間戳"),
    "verify.file": ("File (certificate, CMS signature or RFC 3161 token)", "文件（证书、CMS 签名或 RFC 3161 时间戳）",
                    "檔案（憑證、CMS 簽名或 RFC 3161 時間戳）"),
    "verify.intermediates": ("Intermediate certificates", "中间证书", "中繼憑證"),
    "verify.content": ("Detached content (the signed bid or guarantee)", "分离内容（被签名的标书或保函）",
                       "分離內容（被簽署的標書或保函）"),
    "verify.kind": ("What is it?", "文件类型", "檔案類型"),
    "verify.kind.auto": ("Detect", "自动识别", "自動識別"),
    "verify.kind.certificate": ("Certificate", "证书", "憑證"),
    "verify.kind.signature": ("Signed document (CMS / CAdES)", "签名文件（CMS / CAdES）", "簽署文件（CMS / CAdES）"),
    "verify.kind.timestamp": ("Timestamp token", "时间戳", "時間戳"),
    "verify.usage": ("Usage", "用途", "用途"),
    "verify.usage.any": ("(any)", "（不限）", "（不限）"),
    "verify.deadline": ("Deadline (with offset, e.g. 2026-12-05T07:00:00+08:00)",
                        "截止时间（含时区，例如 2026-12-05T07:00:00+08:00）",
                        "截止時間（含時區，例如 2026-12-05T07:00:00+08:00）"),
    "verify.submit": ("Verify", "验证", "驗證"),
    "verify.drop": ("Drop a file here or choose one", "将文件拖到此处或选择文件", "將檔案拖到此處或選擇檔案"),
    "report.verdict": ("Verdict", "结论", "結論"),
    "report.reasons": ("Reasons", "原因", "原因"),
    "report.warnings": ("Warnings", "警告", "警告"),
    "report.path": ("Certification path", "证书路径", "憑證路徑"),
    "report.anchor": ("trust anchor", "信任锚", "信任錨"),
    "report.recognised_by": ("Recognised by", "认可来源", "認可來源"),
    "report.not_recognised": ("Not recognised by the trust lists", "未获信任列表认可", "未獲信任列表認可"),
    "report.revocation": ("Revocation evidence", "撤销状态证据", "撤銷狀態證據"),
    "report.timestamps": ("Timestamps", "时间戳", "時間戳"),
    "report.validation_time": ("Validation time", "验证时间", "驗證時間"),
    "report.signer": ("Signer", "签名者", "簽署者"),
    "report.download_jws": ("Download the signed report (JWS)", "下载已签名报告（JWS）", "下載已簽署報告（JWS）"),
    "report.download_json": ("Download the report (JSON)", "下载报告（JSON）", "下載報告（JSON）"),
    "report.print": ("Print / save as PDF", "打印 / 另存为 PDF", "列印 / 另存為 PDF"),
    "report.none": ("none", "无", "無"),
    "error.heading": ("The request was refused", "请求被拒绝", "請求被拒絕"),
    "opening.heading": ("Bid opening", "开标", "開標"),
    "opening.files": ("Bids: .p7s files with their content (X.p7s + X.txt), or one ZIP",
                      "标书：.p7s 文件及其内容（X.p7s + X.txt），或一个 ZIP",
                      "標書：.p7s 檔案及其內容（X.p7s + X.txt），或一個 ZIP"),
    "opening.tender": ("Tender id", "招标编号", "招標編號"),
    "opening.start": ("Open the bids", "开始开标", "開始開標"),
    "opening.progress": ("Progress", "进度", "進度"),
    "opening.results": ("Results", "结果", "結果"),
    "opening.bid": ("Bid", "标书", "標書"),
    "opening.bidder": ("Bidder", "投标人", "投標人"),
    "opening.issuer": ("Certificate issuer", "证书签发者", "憑證簽發者"),
    "opening.gen_time": ("Time-stamped at", "时间戳时间", "時間戳時間"),
    "opening.reason": ("Reason", "原因", "原因"),
    "opening.totals": ("Totals", "合计", "合計"),
    "opening.minutes": ("Printable minutes", "可打印的开标记录", "可列印的開標記錄"),
    "opening.none": ("No bid found in the upload.", "上传中没有找到标书。", "上傳中沒有找到標書。"),
    "operator.heading": ("Upload a signed trust list", "上传已签名的信任列表", "上傳已簽署的信任清單"),
    "operator.territory": ("Territory", "地区", "地區"),
    "operator.token": ("Operator token", "运营者令牌", "營運者權杖"),
    "operator.file": ("Signed list (JSON)", "已签名列表（JSON）", "已簽署清單（JSON）"),
    "operator.check": ("Check (no upload)", "检查（不上传）", "檢查（不上傳）"),
    "operator.upload": ("Upload", "上传", "上傳"),
    "operator.diff": ("Changes against the current version", "与现行版本的差异", "與現行版本的差異"),
    "operator.no_diff": ("No difference", "没有差异", "沒有差異"),
    "operator.result": ("Result", "结果", "結果"),
    "operator.accepted": ("Accepted", "已接受", "已接受"),
    "operator.would_accept": ("Would be accepted", "可以接受", "可以接受"),
    "operator.rejected": ("Rejected", "已拒绝", "已拒絕"),
    "operator.current": ("Current version", "现行版本", "現行版本"),
}
_INDEX = {lang: i for i, lang in enumerate(LANGS)}


def pick(requested: str | None, accept_language: str = "") -> str:
    """The caller's language: an explicit choice, else the first supported Accept-Language entry, else English."""
    if requested in LANGS:
        return requested  # type: ignore[return-value]
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag in ("zh-hant", "zh-tw", "zh-hk", "zh-mo"):
            return "zh-Hant"
        if tag.startswith("zh"):
            return "zh-Hans"
        if tag.startswith("en"):
            return "en"
    return "en"


def phrases(lang: str) -> Mapping[str, str]:
    i = _INDEX.get(lang, 0)
    return {key: row[i] for key, row in _PHRASES.items()}


__all__ = ["LANGS", "LANG_NAMES", "phrases", "pick"]
