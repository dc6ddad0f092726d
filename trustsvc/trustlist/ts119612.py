"""ETSI TS 119 612 XML export/import of trust lists, with an enveloped XML signature (signxml, XAdES)."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Iterable, Sequence

from lxml import etree

from trustsvc.errors import InvalidSignatureError, TrustsvcError
from trustsvc.trustlist.jws import SigningKey
from trustsvc.trustlist.model import (
    Criteria, DigitalIdentity, Pointer, Service, StatusChange, TrustList, TrustListFormatError, format_time,
    parse_time, service_type_uri, status_uri,
)
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.load import load_certificate

TSL = "http://uri.etsi.org/02231/v2#"
DS = "http://www.w3.org/2000/09/xmldsig#"
TSLX = "http://uri.etsi.org/02231/v2/additionaltypes#"
GBA = "urn:trustsvc:trust-list:1"  # our private extensions (usages ride in standard AdditionalServiceInformation)
NSMAP = {"tsl": TSL, "ds": DS, "tslx": TSLX, "gba": GBA}
_ROOT_NSMAP = {"tsl": TSL, "tslx": TSLX, "gba": GBA}
TSL_TAG = "http://uri.etsi.org/19612/TSLTag"
USAGE_URI = "urn:trustsvc:usage:"
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
    _el(si, TSL, "TSLType", _tsl_type(tl.territory))
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
            _el(_el(add, TSL, "OtherInformation"), TSL, "TSLType", _tsl_type(p.territory))
            _names(_el(add, TSL, "OtherInformation"), "SchemeOperatorName", p.scheme_operator)
            _uri(_el(_el(add, TSL, "OtherInformation"), TSL, "SchemeTypeCommunityRules"),
                 COMMUNITY_RULES + p.territory)
            _el(_el(add, TSL, "OtherInformation"), TSL, "SchemeTerritory", p.territory)
            _el(_el(add, TSL, "OtherInformation"), TSLX, "MimeType", TSL_MIME)
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
def _parse_hardened(data: bytes) -> etree._Element:
    """No DTD, no entities, no network, bounded size (XXE and billion-laughs defences)."""
    if len(data) > MAX_XML_BYTES:
        raise TrustListFormatError(f"XML: {len(data)} bytes exceeds the {MAX_XML_BYTES}-byte limit")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise TrustListFormatError("XML: DOCTYPE/ENTITY declarations are not allowed")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                             remove_comments=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise TrustListFormatError(f"XML: not well formed ({exc})") from None
    if root.getroottree().docinfo.doctype:
        raise TrustListFormatError("XML: DOCTYPE is not allowed")
    return root


def _text(node, path: str, what: str) -> str:
    found = node.find(path, NSMAP)
    if found is None or not (found.text or "").strip():
        raise TrustListFormatError(f"XML: missing {what} ({path})")
    return found.text.strip()


def _opt_text(node, path: str) -> str | None:
    found = node.find(path, NSMAP)
    return found.text.strip() if found is not None and found.text else None


def _cert_b64(text: str, what: str) -> Certificate:
    try:
        return load_certificate(base64.b64decode("".join(text.split()), validate=True))
    except (ValueError, TrustsvcError) as exc:
        raise TrustListFormatError(f"XML: {what}: {exc}") from None


def _identities(sdi) -> tuple[DigitalIdentity, ...]:
    if sdi is None:
        raise TrustListFormatError("XML: service without ServiceDigitalIdentity")
    certs = [_cert_b64(e.text or "", "X509Certificate") for e in sdi.findall("tsl:DigitalId/tsl:X509Certificate",
                                                                               NSMAP)]
    if certs:
        return tuple(DigitalIdentity.of(c) for c in certs)
    subject = _opt_text(sdi, "tsl:DigitalId/tsl:X509SubjectName")
    ski_text = _opt_text(sdi, "tsl:DigitalId/tsl:X509SKI")
    if not ski_text:
        raise TrustListFormatError("XML: digital identity needs an X509Certificate or an X509SKI")
    return (DigitalIdentity(None, subject, base64.b64decode(ski_text)),)


def _service_from_xml(node, provider: str) -> Service:
    info = node.find("tsl:ServiceInformation", NSMAP)
    if info is None:
        raise TrustListFormatError("XML: TSPService without ServiceInformation")
    name = _text(info, "tsl:ServiceName/tsl:Name", "ServiceName")
    changes = [StatusChange(status_uri(_text(info, "tsl:ServiceStatus", "ServiceStatus")),
                            parse_time(_text(info, "tsl:StatusStartingTime", "StatusStartingTime"), name))]
    for inst in node.findall("tsl:ServiceHistory/tsl:ServiceHistoryInstance", NSMAP):
        changes.append(StatusChange(status_uri(_text(inst, "tsl:ServiceStatus", "ServiceStatus")),
                                    parse_time(_text(inst, "tsl:StatusStartingTime", "StatusStartingTime"), name)))
    current = changes[0]
    history = sorted(changes[1:], key=lambda c: c.start) + [current]
    usages, policy, ku, sm2_id, has_criteria = [], [], [], None, False
    for ext in info.findall("tsl:ServiceInformationExtensions/tsl:Extension", NSMAP):
        for child in ext:
            if child.tag == f"{{{TSL}}}AdditionalServiceInformation":
                uri = _opt_text(child, "tsl:URI") or ""
                if uri.startswith(USAGE_URI):
                    usages.append(uri[len(USAGE_URI):])
            elif child.tag == f"{{{GBA}}}Criteria":
                has_criteria = True
                policy += [e.text.strip() for e in child.findall("gba:PolicyOIDPrefix", NSMAP) if e.text]
                ku += [e.text.strip() for e in child.findall("gba:KeyUsage", NSMAP) if e.text]
            elif child.tag == f"{{{GBA}}}SM2SignerID":
                sm2_id = child.text or ""
            elif ext.get("Critical") in ("true", "1"):
                raise TrustListFormatError(f"XML: service {name!r} has a critical extension {child.tag} we "
                                           "do not understand")
    return Service(
        name=name, provider=provider, type=service_type_uri(_text(info, "tsl:ServiceTypeIdentifier", "type")),
        identities=_identities(info.find("tsl:ServiceDigitalIdentity", NSMAP)), history=tuple(history),
        usages=tuple(usages),
        supply_points=tuple(e.text.strip() for e in info.findall("tsl:ServiceSupplyPoints/tsl:ServiceSupplyPoint",
                                                                 NSMAP) if e.text),
        criteria=Criteria(tuple(policy), tuple(ku)) if has_criteria else None, sm2_signer_id=sm2_id,
    )


def from_xml_tree(root) -> TrustList:
    """The TrustList an XML tree describes, validated by the same rules as the JSON form."""
    try:
        tl = _from_xml_tree(root)
    except TrustListFormatError:
        raise
    except (ValueError, TypeError, AttributeError, etree.LxmlError) as exc:  # e.g. bad base64 in an SKI
        raise TrustListFormatError(f"XML: malformed content ({type(exc).__name__}: {exc})") from None
    return TrustList.from_dict(tl.to_dict())


def _from_xml_tree(root) -> TrustList:
    if root.tag != f"{{{TSL}}}TrustServiceStatusList":
        raise TrustListFormatError(f"XML: root element is {root.tag}, not tsl:TrustServiceStatusList")
    si = root.find("tsl:SchemeInformation", NSMAP)
    if si is None:
        raise TrustListFormatError("XML: missing SchemeInformation")
    try:
        seq = int(_text(si, "tsl:TSLSequenceNumber", "TSLSequenceNumber"))
    except ValueError:
        raise TrustListFormatError("XML: TSLSequenceNumber is not an integer") from None
    pointers = []
    for p in si.findall("tsl:PointersToOtherTSL/tsl:OtherTSLPointer", NSMAP):
        pointers.append(Pointer(
            territory=_text(p, "tsl:AdditionalInformation/tsl:OtherInformation/tsl:SchemeTerritory", "territory"),
            location=_text(p, "tsl:TSLLocation", "TSLLocation"),
            scheme_operator=_opt_text(
                p, "tsl:AdditionalInformation/tsl:OtherInformation/tsl:SchemeOperatorName/tsl:Name") or "",
            signing_certificates=tuple(_cert_b64(e.text or "", "pointer certificate") for e in p.findall(
                "tsl:ServiceDigitalIdentities/tsl:ServiceDigitalIdentity/tsl:DigitalId/tsl:X509Certificate", NSMAP)),
        ))
    services = []
    for tsp in root.findall("tsl:TrustServiceProviderList/tsl:TrustServiceProvider", NSMAP):
        provider = _text(tsp, "tsl:TSPInformation/tsl:TSPName/tsl:Name", "TSPName")
        for svc in tsp.findall("tsl:TSPServices/tsl:TSPService", NSMAP):
            services.append(_service_from_xml(svc, provider))
    return TrustList(
        territory=_text(si, "tsl:SchemeTerritory", "SchemeTerritory"),
        scheme_name=_text(si, "tsl:SchemeName/tsl:Name", "SchemeName"),
        scheme_operator=_text(si, "tsl:SchemeOperatorName/tsl:Name", "SchemeOperatorName"),
        scheme_operator_uri=_opt_text(si, "tsl:SchemeOperatorAddress/tsl:ElectronicAddress/tsl:URI"),
        sequence_number=seq,
        issued_at=parse_time(_text(si, "tsl:ListIssueDateTime", "ListIssueDateTime"), "ListIssueDateTime"),
        next_update=parse_time(_text(si, "tsl:NextUpdate/tsl:dateTime", "NextUpdate"), "NextUpdate"),
        services=tuple(services),
        pointers=tuple(pointers),
        announced_signing_certificates=tuple(
            _cert_b64(e.text or "", "announced certificate")
            for e in si.findall("tsl:SchemeExtensions/tsl:Extension/gba:AnnouncedSigningCertificate", NSMAP)),
    )


def import_xml(data: bytes, *, pinned: Sequence[Certificate] | None, at: datetime | None = None) -> TrustList:
    """Parse TS 119 612 XML. With `pinned`, the enveloped signature must verify under one of them and only
    the signed content is used (no signature wrapping); `pinned=None` skips the check (caller's choice).
    `at` is when the pinned certificate must be valid (None: now, for the outermost caller only)."""
    root = _parse_hardened(data)
    if pinned is None:
        sig = root.find("ds:Signature", NSMAP)
        if sig is not None:
            root.remove(sig)
        return from_xml_tree(root)
    if not pinned:
        raise InvalidSignatureError("XML: no certificate to verify the signature with")
    from cryptography import x509 as cx509
    from signxml.exceptions import SignXMLException
    from signxml.xades import XAdESSignatureConfiguration, XAdESVerifier

    config = XAdESSignatureConfiguration(expect_references=3, verification_time=at)

    last: Exception | None = None
    signed = None
    for cert in pinned:
        try:
            # Enveloped XAdES (TS 119 612 5.7.1): the list, the SignedProperties and the KeyInfo are signed.
            results = XAdESVerifier().verify(etree.tostring(root), x509_cert=cx509.load_der_x509_certificate(
                cert.der), expect_config=config)
            signed = results[0].signed_xml
            break
        except (SignXMLException, etree.LxmlError, ValueError, TypeError, KeyError) as exc:  # malformed (fuzz)
            last = exc
    if signed is None:
        raise InvalidSignatureError(f"XML signature does not verify with a pinned certificate: {last}")
    # Use only what the signature covers (no signature wrapping): the first reference is the list.
    return from_xml_tree(signed)

__all__ = ["MAX_XML_BYTES", "export_xml", "from_xml_tree", "import_xml", "to_xml_tree"]
