"""ETSI TS 119 612 XML export/import of trust lists, with an enveloped XML signature (signxml, XAdES)."""

from __future__ import annotations

import base64
from datetime import datetime
from dataclasses import replace
from typing import Iterable, Sequence

from lxml import etree

from trustsvc.errors import InvalidSignatureError, TrustsvcError
from trustsvc.trustlist.jws import SigningKey
from trustsvc.trustlist.model import DigitalIdentity, Service, TrustList, TrustListFormatError, format_time, parse_time
from trustsvc.trustlist.tsl_xml import DS, GBA, NSMAP, TSL, TSLX, USAGE_URI, trust_list_from_xml, xml_time
from trustsvc.trustlist.mra_xml import mra_to_xml
from trustsvc.reports import SubIndication
from trustsvc.trustlist.xades import XmlSignatureError, claimed_signing_time, the_signature, verify_enveloped
from trustsvc.x509.certificate import Certificate

_ROOT_NSMAP = {"tsl": TSL, "tslx": TSLX, "gba": GBA}
TSL_TAG = "http://uri.etsi.org/19612/TSLTag"
TSL_MIME = "application/vnd.etsi.tsl+xml"
STATUS_DETERMINATION = "http://uri.etsi.org/TrstSvc/TrustedList/StatusDetn/appropriate"
COMMUNITY_RULES = "http://uri.etsi.org/TrstSvc/TrustedList/schemerules/"
MAX_XML_BYTES = 16 * 1024 * 1024


def _tsl_type(territory: str) -> str:
    # TS 119 612 v2.2 5.3.3: non-EU lists use .../TSLType/CClist and CClistofthelists.
    kind = "listofthelists" if territory == "GBA" else "list"
    return f"http://uri.etsi.org/TrstSvc/TrustedList/TSLType/{territory}{kind}"


def _el(parent, ns: str, tag: str, text: str | None = None, **attrib):
    e = etree.SubElement(parent, f"{{{ns}}}{tag}", attrib)
    if text is not None:
        e.text = text
    return e


def _names(parent, tag: str, value: str, ns: str = TSL) -> None:
    wrapper = _el(parent, ns, tag)
    _el(wrapper, TSL, "Name", value, **{"{http://www.w3.org/XML/1998/namespace}lang": "en"})


def _uri(parent, value: str, tag: str = "URI") -> None:
    _el(parent, TSL, tag, value, **{"{http://www.w3.org/XML/1998/namespace}lang": "en"})


def _b64(der: bytes) -> str:
    return base64.b64encode(der).decode("ascii")


def _digital_identity(parent, identities: Iterable[DigitalIdentity]) -> None:
    sdi = _el(parent, TSL, "ServiceDigitalIdentity")
    for ident in identities:
        if ident.certificate is not None:
            _el(_el(sdi, TSL, "DigitalId"), TSL, "X509Certificate", _b64(ident.certificate.der))
        else:
            if ident.subject:
                _el(_el(sdi, TSL, "DigitalId"), TSL, "X509SubjectName", ident.subject)
            if ident.ski:
                _el(_el(sdi, TSL, "DigitalId"), TSL, "X509SKI", _b64(ident.ski))


def _service_xml(parent, svc: Service) -> None:
    node = _el(parent, TSL, "TSPService")
    info = _el(node, TSL, "ServiceInformation")
    _el(info, TSL, "ServiceTypeIdentifier", svc.type)
    _names(info, "ServiceName", svc.name)
    _digital_identity(info, svc.identities)
    _el(info, TSL, "ServiceStatus", svc.status.status)
    _el(info, TSL, "StatusStartingTime", format_time(svc.status.start))
    if svc.supply_points:
        sp = _el(info, TSL, "ServiceSupplyPoints")
        for p in svc.supply_points:
            _el(sp, TSL, "ServiceSupplyPoint", p)
    exts = _el(info, TSL, "ServiceInformationExtensions")
    for info in svc.additional_info:
        _uri(_el(_el(exts, TSL, "Extension", Critical="false"), TSL, "AdditionalServiceInformation"), info)
    for usage in svc.usages:
        # TS 119 612 5.5.9.4 AdditionalServiceInformation: what the service is recognised for.
        asi = _el(_el(exts, TSL, "Extension", Critical="false"), TSL, "AdditionalServiceInformation")
        _uri(asi, USAGE_URI + usage)
    if svc.criteria is not None:
        # Non-critical so generic EU tooling can still read the list; trustsvc always enforces it.
        crit = _el(_el(exts, TSL, "Extension", Critical="false"), GBA, "Criteria")
        for oid in svc.criteria.policy_oids:
            _el(crit, GBA, "PolicyOIDPrefix", oid)
        for ku in svc.criteria.key_usage:
            _el(crit, GBA, "KeyUsage", ku)
    if svc.sm2_signer_id is not None:
        _el(_el(exts, TSL, "Extension", Critical="false"), GBA, "SM2SignerID", svc.sm2_signer_id)
    if len(exts) == 0:
        info.remove(exts)
    if len(svc.history) > 1:
        hist = _el(node, TSL, "ServiceHistory")
        for change in reversed(svc.history[:-1]):  # TS 119 612 5.6: most recent first
            inst = _el(hist, TSL, "ServiceHistoryInstance")
            _el(inst, TSL, "ServiceTypeIdentifier", svc.type)
            _names(inst, "ServiceName", svc.name)
            _digital_identity(inst, svc.identities)
            _el(inst, TSL, "ServiceStatus", change.status)
            _el(inst, TSL, "StatusStartingTime", format_time(change.start))


def to_xml_tree(tl: TrustList) -> etree._Element:
    root = etree.Element(f"{{{TSL}}}TrustServiceStatusList", {"TSLTag": TSL_TAG, "Id": "tsl"}, nsmap=_ROOT_NSMAP)
    si = _el(root, TSL, "SchemeInformation")
    _el(si, TSL, "TSLVersionIdentifier", "5")
    _el(si, TSL, "TSLSequenceNumber", str(tl.sequence_number))
    _el(si, TSL, "TSLType", tl.tsl_type or _tsl_type(tl.territory))
    _names(si, "SchemeOperatorName", tl.scheme_operator)
    if tl.scheme_operator_uri:
        addr = _el(_el(si, TSL, "SchemeOperatorAddress"), TSL, "ElectronicAddress")
        _uri(addr, tl.scheme_operator_uri)
    _names(si, "SchemeName", tl.scheme_name)
    _uri(_el(si, TSL, "SchemeInformationURI"), f"urn:trustsvc:scheme:{tl.territory}")
    _el(si, TSL, "StatusDeterminationApproach", STATUS_DETERMINATION)
    _uri(_el(si, TSL, "SchemeTypeCommunityRules"), COMMUNITY_RULES + tl.territory)
    _el(si, TSL, "SchemeTerritory", tl.territory)
    _el(si, TSL, "HistoricalInformationPeriod", "65535")
    if tl.pointers:
        ptrs = _el(si, TSL, "PointersToOtherTSL")
        for p in tl.pointers:
            node = _el(ptrs, TSL, "OtherTSLPointer")
            sdis = _el(node, TSL, "ServiceDigitalIdentities")
            for cert in p.signing_certificates:
                _el(_el(_el(sdis, TSL, "ServiceDigitalIdentity"), TSL, "DigitalId"), TSL, "X509Certificate",
                    _b64(cert.der))
            _el(node, TSL, "TSLLocation", p.location)
            add = _el(node, TSL, "AdditionalInformation")
            _el(_el(add, TSL, "OtherInformation"), TSL, "TSLType", p.tsl_type or _tsl_type(p.territory))
            _names(_el(add, TSL, "OtherInformation"), "SchemeOperatorName", p.scheme_operator)
            _uri(_el(_el(add, TSL, "OtherInformation"), TSL, "SchemeTypeCommunityRules"),
                 COMMUNITY_RULES + p.territory)
            _el(_el(add, TSL, "OtherInformation"), TSL, "SchemeTerritory", p.territory)
            _el(_el(add, TSL, "OtherInformation"), TSLX, "MimeType", p.mime_type or TSL_MIME)
            if p.mutual_recognition is not None:
                mra_to_xml(_el(add, TSL, "OtherInformation"), p.mutual_recognition)
    _el(si, TSL, "ListIssueDateTime", format_time(tl.issued_at))
    _el(_el(si, TSL, "NextUpdate"), TSL, "dateTime", format_time(tl.next_update))
    if tl.announced_signing_certificates:
        ext = _el(_el(si, TSL, "SchemeExtensions"), TSL, "Extension", Critical="false")
        for cert in tl.announced_signing_certificates:
            _el(ext, GBA, "AnnouncedSigningCertificate", _b64(cert.der))
    if tl.services:
        tspl = _el(root, TSL, "TrustServiceProviderList")
        providers: dict[str, list[Service]] = {}
        for svc in tl.services:
            providers.setdefault(svc.provider, []).append(svc)
        for provider, services in providers.items():
            tsp = _el(tspl, TSL, "TrustServiceProvider")
            _names(_el(tsp, TSL, "TSPInformation"), "TSPName", provider)
            svcs = _el(tsp, TSL, "TSPServices")
            for svc in services:
                _service_xml(svcs, svc)
    return root


_XML_SIG_ALGS = {"ES256": "ecdsa-sha256", "ES384": "ecdsa-sha384", "RS256": "rsa-sha256"}


def export_xml(tl: TrustList, *, key: SigningKey | None = None, cert: Certificate | None = None) -> bytes:
    """Serialise to TS 119 612 XML; with `key` + `cert`, add the enveloped XAdES signature (TS 119 612 5.7)."""
    root = to_xml_tree(tl)
    if key is not None:
        if cert is None:
            raise TrustsvcError("XML signing needs the operator certificate too")
        if key.alg not in _XML_SIG_ALGS:
            raise TrustsvcError(f"XML signatures support RSA and ECDSA operator keys, not {key.alg} "
                                "(XMLDSig has no SM2 or Ed25519 method in signxml); sign the JSON form instead")
        from cryptography import x509 as cx509
        from signxml.xades import XAdESSigner

        # Canonical XML 1.1 (signxml's default); its exclusive c14n breaks the SignedProperties digest.
        signer = XAdESSigner(signature_algorithm=_XML_SIG_ALGS[key.alg], digest_algorithm="sha256")
        root = signer.sign(root, key=key.key, cert=[cx509.load_der_x509_certificate(cert.der)])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


# --- import -------------------------------------------------------------------------------
_UTF8_BOM = b"\xef\xbb\xbf"


def xml_start(data: bytes) -> bytes:
    """The document from its first markup on: a UTF-8 byte-order mark and whitespace before the XML declaration
    are dropped (published lists come with both; neither is part of what the signature covers)."""
    body = data[len(_UTF8_BOM):] if data.startswith(_UTF8_BOM) else data
    stripped = body.lstrip(b" \t\r\n")
    return stripped if stripped.startswith(b"<") else data


def looks_like_xml(data: bytes) -> bool:
    """True for a document that starts (after a BOM and whitespace) with markup, in UTF-8 or UTF-16."""
    return xml_start(data).startswith(b"<") or data[:2] in (b"\xff\xfe", b"\xfe\xff")


def parse_hardened(data: bytes) -> etree._Element:
    """No DTD, no entities, no network, bounded size (XXE and billion-laughs defences)."""
    data = xml_start(data)
    if not data.strip():
        raise TrustListFormatError("XML: the document is empty")
    if len(data) > MAX_XML_BYTES:
        raise TrustListFormatError(f"XML: {len(data)} bytes exceeds the {MAX_XML_BYTES}-byte limit")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise TrustListFormatError("XML: DOCTYPE/ENTITY declarations are not allowed")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                             remove_comments=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise TrustListFormatError(f"XML: not well formed ({' '.join(str(exc).split())})") from None
    if root.getroottree().docinfo.doctype:
        raise TrustListFormatError("XML: DOCTYPE is not allowed")
    return root


def _normalise_own(tl: TrustList) -> TrustList:
    """Drop what our own export writes by default (TSLType, version, scheme URI, pointer MIME type), so a list
    exported and imported again is the same list (its canonical JSON round-trips)."""
    pointers = tuple(
        replace(p, tsl_type=None if p.tsl_type == _tsl_type(p.territory) else p.tsl_type,
                mime_type=None if p.mime_type == TSL_MIME and p.tsl_type == _tsl_type(p.territory) else p.mime_type)
        for p in tl.pointers)
    if tl.tsl_type == _tsl_type(tl.territory) and tl.scheme_information_uris == (f"urn:trustsvc:scheme:{tl.territory}",):
        return replace(tl, tsl_type=None, version=None, scheme_information_uris=(), pointers=pointers)
    return replace(tl, pointers=pointers)


def from_xml_tree(root) -> TrustList:
    """The TrustList an XML tree describes (TS 119 612 v5/v6, ours or anyone's)."""
    try:
        return _normalise_own(trust_list_from_xml(root))
    except TrustListFormatError:
        raise
    except (ValueError, TypeError, AttributeError, KeyError, etree.LxmlError) as exc:  # e.g. bad base64
        raise TrustListFormatError(f"XML: malformed content ({type(exc).__name__}: {exc})") from None


def unverified_issue_time(root) -> datetime | None:
    """ListIssueDateTime as received (to choose the time a signature is checked at, before trusting it)."""
    text = root.findtext("tsl:SchemeInformation/tsl:ListIssueDateTime", namespaces=NSMAP)
    try:
        return xml_time(text, "ListIssueDateTime") if text and text.strip() else None
    except TrustListFormatError:
        return None


def import_signed_xml(data: bytes, pinned: Sequence[Certificate], *,
                      at: datetime | None = None) -> tuple[TrustList, Certificate]:
    """Verify the enveloped signature with one of `pinned` and parse only the signed content.

    The certificate must be valid at `at`, by default the list's issue time (when it was signed, as
    TS 119 612 5.7 and EN 319 102-1 5.2.6 judge a signer) or else its signed XAdES SigningTime; the signed
    issue time must be the one received."""
    root = parse_hardened(data)
    when = at or unverified_issue_time(root)
    try:
        signed, signer = verify_enveloped(root, pinned, at=when)
    except XmlSignatureError as exc:
        # EN 319 102-1 5.2.6 judges the signer at the (claimed) signing time: a list dated before it was signed,
        # by a certificate issued in between, is judged at its XAdES SigningTime, which must then verify.
        claimed = claimed_signing_time(the_signature(root)) if at is None else None
        if claimed is None or claimed == when or exc.failure.sub_indication is not SubIndication.OUT_OF_BOUNDS_NO_POE:
            raise
        signed, signer = verify_enveloped(root, pinned, at=claimed, signing_time=claimed)
    tl = from_xml_tree(signed)
    if at is None and when != tl.issued_at:
        raise InvalidSignatureError("XML: the signed ListIssueDateTime differs from the one received")
    return tl, signer


def import_xml(data: bytes, *, pinned: Sequence[Certificate] | None, at: datetime | None = None) -> TrustList:
    """Parse TS 119 612 XML. With `pinned`, the enveloped signature must verify under one of them and only
    the signed content is used (no signature wrapping); `pinned=None` skips the check (caller's choice).
    `at` is when the pinned certificate must be valid (None: the list's issue time)."""
    root = parse_hardened(data)
    if pinned is None:
        sig = root.find("ds:Signature", NSMAP)
        if sig is not None:
            root.remove(sig)
        return from_xml_tree(root)
    return import_signed_xml(data, pinned, at=at)[0]

__all__ = ["MAX_XML_BYTES", "export_xml", "from_xml_tree", "import_signed_xml", "import_xml", "looks_like_xml",
           "parse_hardened", "xml_start",
           "to_xml_tree", "unverified_issue_time"]
