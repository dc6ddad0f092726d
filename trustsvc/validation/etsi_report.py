"""The ETSI TS 119 102-2 validation report (XML) for a signature, timestamp or certificate report.

Built with pyHanko's xsdata bindings of the TS 119 102-2 schema (`pyhanko.generated.etsi`,
namespace http://uri.etsi.org/19102/v1.2.1#) rather than by hand; our JSON report stays the
primary one and this is a rendering of it:

* one SignatureValidationReport per signer (or per token / certificate): the SignatureIdentifier
  (digest of the signature value, TS 119 102-2 4.3.2), the validation time and best signature time
  with the timestamp that proves it (4.3.4), the signing time and each timestamp by type (signature /
  archive, 4.3.5), the signature level as the ETSI TS 119 192 URI (4.3.7), the validation process
  applied (EN 319 102-1 5.3 / 5.5 / 5.6, 4.3.8) and the EN 319 102-1 indications as URIs (4.3.9);
* SignatureValidationObjects (4.4): every certificate, CRL, OCSP response and timestamp token used
  or embedded, each with its earliest proof of existence (POE) and, for timestamps, what they prove
  (POEProvisioning) and their own validation report.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

MEDIA_TYPE = "application/vnd.etsi.validationreport+xml"
_NS = "http://uri.etsi.org/19102/v1.2.1#"
_MAIN = {"TOTAL-PASSED": "total-passed", "TOTAL-FAILED": "total-failed", "INDETERMINATE": "indeterminate",
         "PASSED": "total-passed", "FAILED": "total-failed"}
_SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
# TS 119 102-2 5.1 (table of SignatureValidationProcessID) for EN 319 102-1 5.3, 5.5 and 5.6.
_PROCESS = {
    "basic": "urn:etsi:019102:validationprocess:Basic",
    "with-time": "urn:etsi:019102:validationprocess:LTVM",
    "long-term": "urn:etsi:019102:validationprocess:LTA",
}
# ETSI TS 119 192 4.2.1 (baseline levels, EN 319 122-1) and 4.2.3 (extended levels, EN 319 122-2).
_LEVEL_URI = {
    "CAdES-BASELINE-B": "http://uri.etsi.org/ades/191x2/level/baseline/B-B#",
    "CAdES-BASELINE-T": "http://uri.etsi.org/ades/191x2/level/baseline/B-T#",
    "CAdES-BASELINE-LT": "http://uri.etsi.org/ades/191x2/level/baseline/B-LT#",
    "CAdES-BASELINE-LTA": "http://uri.etsi.org/ades/191x2/level/baseline/B-LTA#",
    "CAdES-BES": "http://uri.etsi.org/ades/191x2/level/extended/E-BES#",
    "CAdES-T": "http://uri.etsi.org/ades/191x2/level/extended/E-T#",
    "CAdES-A": "http://uri.etsi.org/ades/191x2/level/extended/E-A#",
}
LEVEL_URN = "urn:trustsvc:signature-level:"  # the level as named in our JSON report (CAdES-BASELINE-LTA, CAdES-X...)
# TS 119 102-2 4.4.2 ObjectType URIs.
_OBJECT = "urn:etsi:019102:validationObject:"
_OBJECT_TYPE = {"certificate": "certificate", "crl": "CRL", "ocsp": "OCSPResponse", "timestamp": "timestamp"}
# TS 119 102-2 4.3.5 SignatureAttributes element per timestamp type (EN 319 122-1 5.3, 5.5.3; RFC 5126 6.3.5/6.3.6).
_TIMESTAMP_ATTRIBUTE = {"signature": "signature_time_stamp", "archive": "archive_time_stamp",
                        "sig-and-refs": "sig_and_refs_time_stamp", "refs-only": "refs_only_time_stamp"}
_ID_LETTER = {"certificate": "C", "crl": "R", "ocsp": "O", "timestamp": "T"}


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


@dataclass
class _Object:
    """A validation object being collected; the bindings are frozen, so it is built once at the end."""

    kind: str
    sha256: str
    der: bytes | None = None
    poe: tuple[datetime, str | None] | None = None  # earliest POE: (time, id of the timestamp giving it)
    provisioning: tuple[datetime, list[str], bytes | None] | None = None  # timestamps: genTime, covered, sig value
    report: Any = None


@dataclass
class _Builder:
    """Collects validation objects (ids VO-<kind letter>-<sha256 prefix>) while rendering the reports."""

    now: datetime
    objects: dict[str, _Object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.vr, self.xades, self.ds, self._dt = _bindings()

    def time(self, t: datetime) -> Any:
        return self._dt.from_datetime(t.astimezone(timezone.utc).replace(microsecond=0))

    def status(self, indication: Any, sub: Any, data: tuple = ()) -> Any:
        main = _MAIN.get(_value(indication) or "", "indeterminate")
        subs = (f"urn:etsi:019102:subindication:{_value(sub)}",) if sub is not None else ()
        return self.vr.ValidationStatusType(main_indication=f"urn:etsi:019102:mainindication:{main}",
                                            sub_indication=subs, associated_validation_report_data=data)

    def ref(self, *ids: str) -> Any:
        return self.vr.VOReferenceType(voreference=tuple(ids))

    def digest(self, value: bytes) -> Any:
        return self.xades.DigestAlgAndValueType(digest_method=self.ds.DigestMethod(algorithm=_SHA256),
                                                digest_value=self.ds.DigestValue(value=value))

    # --- validation objects -----------------------------------------------------------------------
    def add(self, kind: str, der: bytes | None = None, sha256: str | None = None) -> str:
        """The id of the object (`der`, or known only by its SHA-256 hex); added once."""
        sha = hashlib.sha256(der).hexdigest() if der is not None else (sha256 or "")
        vid = f"VO-{_ID_LETTER.get(kind, 'X')}-{sha[:24]}"
        obj = self.objects.setdefault(vid, _Object(kind, sha))
        obj.der = obj.der or der
        return vid

    def prove(self, vid: str, t: datetime, by: str | None) -> None:
        """Record a POE of object `vid` at `t` (EN 319 102-1 5.6.2.3); the earliest one is kept."""
        obj = self.objects.get(vid)
        if obj is not None and (obj.poe is None or t < obj.poe[0]):
            obj.poe = (t, by)

    def poe(self, t: datetime, obj: str | None = None) -> Any:
        return self.vr.POEType(poetime=self.time(t), type_of_proof="urn:etsi:019102:poetype:validation",
                               poeobject=self.ref(obj) if obj else None)

    def _object(self, vid: str, o: _Object) -> Any:
        vr = self.vr
        rep = (vr.ValidationObjectRepresentationType(base64=o.der) if o.der is not None
               else vr.ValidationObjectRepresentationType(digest_alg_and_value=self.digest(bytes.fromhex(o.sha256))))
        # Without a POE from a timestamp, an object is proven to exist at the validation time (EN 319 102-1 5.6.2.3).
        t, by = o.poe if o.poe is not None else (self.now, None)
        provisioning = None
        if o.provisioning is not None:
            gen, covered, sig_value = o.provisioning
            sig_refs = ()
            if sig_value is not None:
                sig_refs = (vr.SignatureReferenceType(digest_method=_SHA256,
                                                      digest_value=hashlib.sha256(sig_value).digest()),)
            provisioning = vr.POEProvisioningType(poetime=self.time(gen),
                                                  validation_object=tuple(self.ref(c) for c in covered if c != vid),
                                                  signature_reference=sig_refs)
        return vr.ValidationObjectType(id=vid, object_type=_OBJECT + _OBJECT_TYPE.get(o.kind, "other"),
                                       validation_object_representation=rep, poe=self.poe(t, by),
                                       poeprovisioning=provisioning, validation_report=o.report)

    # --- pieces -----------------------------------------------------------------------------------
    def chain(self, path: list[Any]) -> Any:
        ids = [self.add("certificate", c.der) for c in path]
        if not ids:
            return None
        # Our paths run anchor first; TS 119 102-2 names the signing certificate first.
        return self.vr.CertificateChainType(signing_certificate=self.ref(ids[-1]),
                                            intermediate_certificate=tuple(self.ref(i) for i in ids[1:-1]),
                                            trust_anchor=self.ref(ids[0]) if len(ids) > 1 else None)

    def evidence(self, items: list[Any], embedded: dict[str, tuple[str, bytes]]) -> list[str]:
        """The CRLs and OCSP responses used, as objects (with their DER when the signature embeds them)."""
        out = []
        for e in items:
            sha = getattr(e, "sha256", None)
            kind = getattr(e, "kind", None)
            if not sha or kind not in ("crl", "ocsp"):
                continue
            der = embedded.get(sha, ("", None))[1]
            out.append(self.add(kind, der, sha256=sha))
        return out

    def report_data(self, r: Any, embedded: dict[str, tuple[str, bytes]]) -> tuple:
        chain = self.chain(list(getattr(r, "path", []) or []))
        related = self.evidence(list(getattr(r, "revocation_evidence", []) or []), embedded)
        if chain is None and not related:
            return ()
        return (self.vr.ValidationReportDataType(trust_anchor=chain.trust_anchor if chain else None,
                                                 certificate_chain=chain,
                                                 related_validation_object=tuple(self.ref(v) for v in related)),)

    def signature_report(self, r: Any, *, embedded: dict[str, tuple[str, bytes]] | None = None,
                         level: str | None = None, process: str | None = None, at: datetime | None = None,
                         best: Any = None, ident: Any = None, attributes: Any = None) -> Any:
        vr = self.vr
        signer_cert = getattr(r, "signer", None) or getattr(r, "tsa", None)
        info = None
        if signer_cert is not None:
            info = vr.SignerInformationType(signer_certificate=self.ref(self.add("certificate", signer_cert.der)),
                                            signer=signer_cert.subject_str)
        time_info = None
        if at is not None:
            time_info = vr.ValidationTimeInfoType(validation_time=self.time(at), best_signature_time=best or self.poe(at))
        quality = None
        if level:
            quality = vr.SignatureQualityType(signature_quality_information=tuple(
                u for u in (LEVEL_URN + level, _LEVEL_URI.get(level)) if u))
        return vr.SignatureValidationReportType(
            signature_identifier=ident, validation_time_info=time_info, signature_attributes=attributes,
            signer_information=info, signature_quality=quality,
            signature_validation_process=vr.SignatureValidationProcessType(
                signature_validation_process_id=_PROCESS[process]) if process in _PROCESS else None,
            signature_validation_status=self.status(r.indication, r.sub_indication, self.report_data(r, embedded or {})))

    def timestamp(self, ts: Any, s: Any, embedded: dict[str, tuple[str, bytes]]) -> str:
        """The timestamp token as an object: its own report, and what it proves existed at genTime."""
        der = getattr(ts, "der", None)
        key = der if der is not None else f"{_value(ts.indication)}{ts.gen_time}{ts.serial_number}".encode()
        vid = self.add("timestamp", key)
        obj = self.objects[vid]
        obj.report = self.signature_report(ts, embedded=embedded, at=ts.validation_time or ts.gen_time)
        if ts.passed and ts.gen_time is not None:
            covered = [self.add(k, d) for sha, (k, d) in embedded.items() if _proved_by(s, sha, der)]
            obj.provisioning = (ts.gen_time, covered, getattr(s, "signature_value", None))
        return vid

    def identifier(self, s: Any) -> Any:
        value = getattr(s, "signature_value", None)
        if value is None:
            return None
        digest = hashlib.sha256(value).digest()
        return self.vr.SignatureIdentifierType(
            id=f"SIG-{s.index}-{digest.hex()[:24]}", digest_alg_and_value=self.digest(digest),
            signature_value=self.ds.SignatureValue(value=value), hash_only=False, doc_hash_only=False)

    def signer(self, s: Any) -> Any:
        vr = self.vr
        embedded = dict(getattr(s, "embedded_values", {}) or {})
        for sha, (kind, der) in embedded.items():
            self.add(kind, der)
        by_kind: dict[str, list] = {k: [] for k in _TIMESTAMP_ATTRIBUTE.values()}
        by_token: dict[str, str] = {}
        for ts in s.timestamps:
            vid = self.timestamp(ts, s, embedded)
            if ts.der is not None:
                by_token[hashlib.sha256(ts.der).hexdigest()] = vid
            if ts.gen_time is None:
                continue
            sa = vr.SATimestampType(time_stamp_value=self.time(ts.gen_time), attribute_object=(self.ref(vid),),
                                    signed=False)
            by_kind[_TIMESTAMP_ATTRIBUTE.get(ts.kind or "signature", "signature_time_stamp")].append(sa)
        for p in getattr(s, "poe", []) or []:
            sha = getattr(p, "sha256", None)
            if sha and sha in embedded:
                kind, der = embedded[sha]
                self.prove(self.add(kind, der), p.time, by_token.get(getattr(p, "token_sha256", None) or ""))
        signing_time = ()
        if s.signing_time_claim is not None:
            signing_time = (vr.SASigningTimeType(time=self.time(s.signing_time_claim), signed=True),)
        # TS 119 102-2 4.3.5: the certificate-values / revocation-values attributes and the objects they hold.
        values = {name: (vr.AttributeBaseType(attribute_object=tuple(
            self.ref(self.add(*embedded[sha])) for sha in shas if sha in embedded), signed=False),)
            for name, shas in (getattr(s, "value_attributes", {}) or {}).items()}
        attrs = vr.SignatureAttributesType(signing_time=signing_time, **{k: tuple(v) for k, v in by_kind.items()},
                                           **values)
        return self.signature_report(s, embedded=embedded, level=getattr(s, "level", None),
                                     process=getattr(s, "validation_process", None), at=self.now,
                                     best=self.best_time(s, by_token), ident=self.identifier(s), attributes=attrs)

    def best_time(self, s: Any, by_token: dict[str, str]) -> Any:
        """TS 119 102-2 4.3.4: the best signature time, with the timestamp that proves it."""
        t = s.validation_time or self.now
        source_ts = next((ts for ts in s.timestamps if ts.passed and ts.gen_time == s.validation_time
                          and ts.der is not None and s.validation_time_source != "now"), None)
        obj = by_token.get(hashlib.sha256(source_ts.der).hexdigest()) if source_ts is not None else None
        return self.poe(t, obj)

    def document(self, reports: list[Any]) -> Any:
        objects = None
        if self.objects:
            objects = self.vr.ValidationObjectListType(
                validation_object=tuple(self._object(vid, o) for vid, o in self.objects.items()))
        return self.vr.ValidationReport(signature_validation_report=tuple(reports), signature_validation_objects=objects)


def _proved_by(s: Any, sha: str, token_der: bytes | None) -> bool:
    """Does the POE list say the token `token_der` proves the object with hash `sha`?"""
    if token_der is None:
        return False
    token_sha = hashlib.sha256(token_der).hexdigest()
    return any(getattr(p, "sha256", None) == sha and getattr(p, "token_sha256", None) == token_sha
               for p in getattr(s, "poe", []) or [])


def etsi_validation_report(report: Any, *, now: datetime | None = None) -> bytes:
    """The TS 119 102-2 ValidationReport XML (UTF-8) for a SignatureReport, TimestampReport or CertificateReport."""
    from xsdata.formats.dataclass.serializers import XmlSerializer
    from xsdata.formats.dataclass.serializers.config import SerializerConfig

    now = now or datetime.now(timezone.utc)
    b = _Builder(now)
    if hasattr(report, "signers"):
        reports = [b.signer(s) for s in report.signers]
        if not reports:  # unreadable input: one report carrying the overall status
            reports = [b.signature_report(report, at=now, best=b.poe(now))]
    elif hasattr(report, "gen_time"):
        at = report.validation_time or now
        reports = [b.signature_report(report, at=at, best=b.poe(report.gen_time or at))]
    else:
        at = getattr(report, "validation_time", None) or now
        reports = [b.signature_report(report, at=at, best=b.poe(at))]
    doc = b.document(reports)
    xml = XmlSerializer(config=SerializerConfig(indent="  ")).render(
        doc, ns_map={"vr": _NS, "ds": "http://www.w3.org/2000/09/xmldsig#", "XAdES": "http://uri.etsi.org/01903/v1.3.2#"})
    return xml.encode("utf-8")


__all__ = ["ETSIReportUnavailable", "LEVEL_URN", "MEDIA_TYPE", "etsi_validation_report"]
