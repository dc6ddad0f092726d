"""The ETSI TS 119 102-2 validation report (XML) for a signature, timestamp or certificate report.

Built with pyHanko's xsdata bindings of the TS 119 102-2 schema (`pyhanko.generated.etsi`,
namespace http://uri.etsi.org/19102/v1.2.1#) rather than by hand; our JSON report stays the
primary one and this is a rendering of it: one SignatureValidationReport per signer (or per
token / certificate), the validation objects it refers to (certificates, timestamps, CRLs and
OCSP responses with their POE), and the EN 319 102-1 indications as TS 119 102-2 URIs.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any

MEDIA_TYPE = "application/vnd.etsi.validationreport+xml"
_NS = "http://uri.etsi.org/19102/v1.2.1#"
_MAIN = {"TOTAL-PASSED": "total-passed", "TOTAL-FAILED": "total-failed", "INDETERMINATE": "indeterminate",
         "PASSED": "total-passed", "FAILED": "total-failed"}
_SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
_PROCESS = {
    "basic": "urn:etsi:019102:validationprocess:Basic",
    "with-time": "urn:etsi:019102:validationprocess:LTVM",
    "long-term": "urn:etsi:019102:validationprocess:LTA",
}
_OBJECT = "urn:etsi:019102:validationObject:"


class ETSIReportUnavailable(RuntimeError):
    """pyHanko's generated bindings (and xsdata) are not installed."""


def _bindings() -> tuple[Any, Any, Any, Any]:
    try:
        from pyhanko.generated.etsi import ts_11910202 as vr
        from pyhanko.generated.etsi import xades
        from pyhanko.generated.w3c import xmldsig_core as ds
        from xsdata.models.datatype import XmlDateTime
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ETSIReportUnavailable(f"TS 119 102-2 report needs pyHanko's ETSI bindings ({exc})") from None
    return vr, xades, ds, XmlDateTime


def _value(x: Any) -> str | None:
    return None if x is None else getattr(x, "value", x)


class _Builder:
    """Collects validation objects (ids VO-...) while rendering the per-signature reports."""

    def __init__(self) -> None:
        self.vr, self.xades, self.ds, self._dt = _bindings()
        self.objects: dict[str, Any] = {}

    def time(self, t: datetime) -> Any:
        return self._dt.from_datetime(t.astimezone(timezone.utc).replace(microsecond=0))

    def status(self, indication: Any, sub: Any, data: tuple = ()) -> Any:
        main = _MAIN.get(_value(indication) or "", "indeterminate")
        subs = (f"urn:etsi:019102:subindication:{_value(sub)}",) if sub is not None else ()
        return self.vr.ValidationStatusType(main_indication=f"urn:etsi:019102:mainindication:{main}",
                                            sub_indication=subs, associated_validation_report_data=data)

    def ref(self, *ids: str) -> Any:
        return self.vr.VOReferenceType(voreference=tuple(ids))

    def digest(self, data: bytes) -> Any:
        return self.xades.DigestAlgAndValueType(digest_method=self.ds.DigestMethod(algorithm=_SHA256),
                                                digest_value=self.ds.DigestValue(value=hashlib.sha256(data).digest()))

    def add(self, kind: str, der: bytes, poe: Any = None, report: Any = None) -> str:
        vid = "VO-" + kind[:1].upper() + "-" + hashlib.sha256(der).hexdigest()[:16]
        if vid not in self.objects:
            rep = self.vr.ValidationObjectRepresentationType(base64=der)
            self.objects[vid] = self.vr.ValidationObjectType(
                id=vid, object_type=_OBJECT + kind, validation_object_representation=rep, poe=poe,
                validation_report=report)
        return vid

    def poe(self, t: datetime, proof: str = "validation", obj: str | None = None) -> Any:
        return self.vr.POEType(poetime=self.time(t), type_of_proof=f"urn:etsi:019102:poetype:{proof}",
                               poeobject=self.ref(obj) if obj else None)

    # --- pieces -----------------------------------------------------------------------------------
    def chain(self, path: list[Any], signer: Any) -> Any:
        ids = [self.add("certificate", c.der) for c in path]
        if not ids:
            return None
        # Our paths run anchor first; TS 119 102-2 names the signing certificate first.
        return self.vr.CertificateChainType(signing_certificate=self.ref(ids[-1]),
                                            intermediate_certificate=tuple(self.ref(i) for i in ids[1:-1]),
                                            trust_anchor=self.ref(ids[0]) if len(ids) > 1 else None)

    def report_data(self, path: list[Any], signer: Any) -> tuple:
        chain = self.chain(path, signer)
        if chain is None:
            return ()
        return (self.vr.ValidationReportDataType(trust_anchor=chain.trust_anchor, certificate_chain=chain),)

    def timestamp(self, ts: Any, poe_time: datetime | None) -> str | None:
        der = getattr(ts, "der", None)
        key = der or f"{_value(ts.indication)}{ts.gen_time}{ts.serial_number}".encode()
        sub = self.signature_report(ts, kind="timestamp")
        poe = self.poe(poe_time, "validation") if poe_time is not None else None
        return self.add("timestamp", key, poe=poe, report=sub)

    def signature_report(self, r: Any, *, kind: str = "signature", level: str | None = None,
                         process: str | None = None, at: datetime | None = None, best: datetime | None = None,
                         signature_value: bytes | None = None, attributes: Any = None) -> Any:
        vr = self.vr
        path = list(getattr(r, "path", []) or [])
        signer_cert = getattr(r, "signer", None) or getattr(r, "tsa", None)
        info = None
        if signer_cert is not None:
            info = vr.SignerInformationType(signer_certificate=self.ref(self.add("certificate", signer_cert.der)),
                                            signer=signer_cert.subject_str)
        time_info = None
        if at is not None:
            time_info = vr.ValidationTimeInfoType(validation_time=self.time(at),
                                                  best_signature_time=self.poe(best or at))
        ident = None
        if signature_value is not None:
            ident = vr.SignatureIdentifierType(digest_alg_and_value=self.digest(signature_value), hash_only=False,
                                               doc_hash_only=False)
        return vr.SignatureValidationReportType(
            signature_identifier=ident, validation_time_info=time_info, signature_attributes=attributes,
            signer_information=info,
            signature_quality=vr.SignatureQualityType(signature_quality_information=(
                f"urn:trustsvc:signature-level:{level}",)) if level else None,
            signature_validation_process=vr.SignatureValidationProcessType(
                signature_validation_process_id=_PROCESS[process]) if process in _PROCESS else None,
            signature_validation_status=self.status(r.indication, r.sub_indication,
                                                    self.report_data(path, signer_cert)))

    def signer(self, s: Any, now: datetime) -> Any:
        vr = self.vr
        stamps, archives = [], []
        for ts in s.timestamps:
            poe = next((p.time for p in getattr(s, "poe", []) if ts.kind == "signature"
                        and p.element == "signature-timestamps"), None)
            vid = self.timestamp(ts, poe)
            if ts.gen_time is None or vid is None:
                continue
            sa = vr.SATimestampType(time_stamp_value=self.time(ts.gen_time), attribute_object=(self.ref(vid),),
                                    signed=False)
            (archives if ts.kind == "archive" else stamps).append(sa)
        signing_time = ()
        if s.signing_time_claim is not None:
            signing_time = (vr.SASigningTimeType(time=self.time(s.signing_time_claim), signed=True),)
        attrs = vr.SignatureAttributesType(signing_time=signing_time, signature_time_stamp=tuple(stamps),
                                           archive_time_stamp=tuple(archives))
        return self.signature_report(s, level=getattr(s, "level", None), process=getattr(s, "validation_process", None),
                                     at=now, best=s.validation_time, attributes=attrs,
                                     signature_value=getattr(s, "signature_value", None))

    def document(self, reports: list[Any]) -> Any:
        objects = self.vr.ValidationObjectListType(validation_object=tuple(self.objects.values())) if self.objects else None
        return self.vr.ValidationReport(signature_validation_report=tuple(reports), signature_validation_objects=objects)


def etsi_validation_report(report: Any, *, now: datetime | None = None) -> bytes:
    """The TS 119 102-2 ValidationReport XML (UTF-8) for a SignatureReport, TimestampReport or CertificateReport."""
    from xsdata.formats.dataclass.serializers import XmlSerializer
    from xsdata.formats.dataclass.serializers.config import SerializerConfig

    b = _Builder()
    now = now or datetime.now(timezone.utc)
    if hasattr(report, "signers"):
        reports = [b.signer(s, now) for s in report.signers]
        if not reports:  # unreadable input: one report carrying the overall status
            reports = [b.signature_report(report, at=now)]
    elif hasattr(report, "gen_time"):
        reports = [b.signature_report(report, kind="timestamp", at=report.validation_time or now)]
    else:
        reports = [b.signature_report(report, at=getattr(report, "validation_time", None) or now)]
    doc = b.document(reports)
    xml = XmlSerializer(config=SerializerConfig(indent="  ")).render(
        doc, ns_map={"vr": _NS, "ds": "http://www.w3.org/2000/09/xmldsig#", "XAdES": "http://uri.etsi.org/01903/v1.3.2#"})
    return xml.encode("utf-8")


__all__ = ["ETSIReportUnavailable", "MEDIA_TYPE", "etsi_validation_report"]
