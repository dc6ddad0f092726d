"""Read a TS 119 612 (v5 and v6) TrustServiceStatusList into the model: as published, real EU lists included.

Everything the spec defines is read; what we do not interpret stays as data (service types, statuses and
AdditionalServiceInformation URIs are kept as URIs). An unknown *critical* ServiceInformationExtension makes
that service unusable, not the list (TS 119 612 5.5.9). A certificate we cannot read in a digital identity
is skipped rather than failing the list; the service then simply matches fewer certificates.
"""

from __future__ import annotations

import base64
import binascii
from copy import deepcopy
from datetime import datetime, timezone

from lxml import etree

from trustsvc.errors import TrustsvcError
from trustsvc.trustlist.criteria import CriteriaList, Qualification
from trustsvc.trustlist.model import (
    TERRITORY_PATTERN, USAGES, Criteria, DigitalIdentity, Pointer, Service, StatusChange, TrustList,
    TrustListFormatError, parse_time, service_type_uri, status_uri, territory_code,
)
from trustsvc.trustlist.mra import (
    MRA_NS, ContentEquivalence, Equivalence, EquivalenceState, MutualRecognition, ServiceKind,
)
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.load import load_certificate

TSL = "http://uri.etsi.org/02231/v2#"
DS = "http://www.w3.org/2000/09/xmldsig#"
TSLX = "http://uri.etsi.org/02231/v2/additionaltypes#"
SIE = "http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
GBA = "urn:trustsvc:trust-list:1"  # our private extensions (usages ride in standard AdditionalServiceInformation)
NSMAP = {"tsl": TSL, "ds": DS, "tslx": TSLX, "gba": GBA, "sie": SIE, "xades": XADES, "mra": MRA_NS}
USAGE_URI = "urn:trustsvc:usage:"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def xml_time(text: str, what: str) -> datetime:
    """An xsd:dateTime of the list. TS 119 612 5.3.14 wants UTC; a value written without a zone is read as UTC
    (as the lists that omit it mean it) rather than refusing the whole list."""
    text = text.strip()
    try:
        naive = datetime.fromisoformat(text.replace("Z", "+00:00")).tzinfo is None
    except ValueError:
        naive = False
    return parse_time(text + "Z" if naive else text, what)


def _t(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _text(node, path: str, what: str) -> str:
    found = node.find(path, NSMAP)
    if found is None or not (found.text or "").strip():
        raise TrustListFormatError(f"XML: missing {what} ({path})")
    return found.text.strip()


def _opt_text(node, path: str) -> str | None:
    found = node.find(path, NSMAP)
    return found.text.strip() if found is not None and found.text and found.text.strip() else None


def _multilang(node, path: str) -> str | None:
    """A TS 119 612 multilingual string: the English value, else the first one."""
    values = node.findall(path, NSMAP)
    for v in values:
        if v.get(_XML_LANG, "").lower().startswith("en") and (v.text or "").strip():
            return v.text.strip()
    for v in values:
        if (v.text or "").strip():
            return v.text.strip()
    return None


def _cert_b64(text: str, what: str) -> Certificate:
    try:
        return load_certificate(base64.b64decode("".join(text.split()), validate=True))
    except (ValueError, TrustsvcError) as exc:
        raise TrustListFormatError(f"XML: {what}: {exc}") from None


def _certs_lenient(nodes) -> list[Certificate]:
    out = []
    for e in nodes:
        try:
            out.append(_cert_b64(e.text or "", "X509Certificate"))
        except TrustListFormatError:
            continue
    return out


def _identities(sdi) -> tuple[DigitalIdentity, ...]:
    """TS 119 612 5.5.3: certificates, else a subject name with an SKI."""
    if sdi is None:
        return ()
    certs = _certs_lenient(sdi.findall("tsl:DigitalId/tsl:X509Certificate", NSMAP))
    if certs:
        return tuple(DigitalIdentity.of(c) for c in certs)
    subject = _opt_text(sdi, "tsl:DigitalId/tsl:X509SubjectName")
    ski_text = _opt_text(sdi, "tsl:DigitalId/tsl:X509SKI")
    if not ski_text:
        return ()
    try:
        return (DigitalIdentity(None, subject, base64.b64decode("".join(ski_text.split()), validate=True)),)
    except (ValueError, binascii.Error):
        raise TrustListFormatError(f"XML: X509SKI {ski_text!r} is not base64") from None


def _oid(node) -> str | None:
    """A xades:ObjectIdentifier's Identifier (OIDAsURN `urn:oid:1.2.3` or a bare OID)."""
    ident = node.find("xades:Identifier", NSMAP)
    if ident is None or not (ident.text or "").strip():
        return None
    value = ident.text.strip()
    return value[len("urn:oid:"):] if value.lower().startswith("urn:oid:") else value


def _criteria(node) -> CriteriaList:
    """TS 119 612 5.5.9.2.1 CriteriaList (and the MRA schema's declarations, which share its type)."""
    ku, policies, eku, dn, subs, unknown = [], [], [], [], [], []
    description = None
    for child in node:
        if not isinstance(child.tag, str):
            continue
        local = etree.QName(child).localname
        if local == "KeyUsage":
            ku.append(tuple((b.get("name", ""), (b.text or "").strip().lower() in ("true", "1"))
                            for b in child if isinstance(b.tag, str)))
        elif local == "PolicySet":
            policies.append(tuple(o for o in (_oid(p) for p in child if isinstance(p.tag, str)) if o))
        elif local == "CriteriaList":
            subs.append(_criteria(child))
        elif local == "Description":
            description = (child.text or "").strip() or None
        elif local == "otherCriteriaList":
            for other in child:
                if not isinstance(other.tag, str):
                    continue
                olocal = etree.QName(other).localname
                oids = tuple(o for o in (_oid(x) for x in other if isinstance(x.tag, str)) if o)
                if olocal == "ExtendedKeyUsage":
                    eku.append(oids)
                elif olocal == "CertSubjectDNAttribute":
                    dn.append(oids)
                else:
                    unknown.append(other.tag)
        else:
            unknown.append(child.tag)
    return CriteriaList(node.get("assert", "all"), tuple(ku), tuple(policies), tuple(eku), tuple(dn), tuple(subs),
                        description, tuple(unknown))


def _qualifications(node) -> tuple[Qualification, ...]:
    out = []
    for el in node.findall("sie:QualificationElement", NSMAP):
        quals = tuple(q.get("uri", "") for q in el.findall("sie:Qualifiers/sie:Qualifier", NSMAP) if q.get("uri"))
        crit = el.find("sie:CriteriaList", NSMAP)
        out.append(Qualification(quals, _criteria(crit) if crit is not None else CriteriaList(unknown=("none",))))
    return tuple(out)


class _Extensions:
    """What one ServiceInformationExtensions element says (TS 119 612 5.5.9)."""

    def __init__(self, node, where: str) -> None:
        self.usages: list[str] = []
        self.additional_info: list[str] = []
        self.qualifications: tuple[Qualification, ...] = ()
        self.taken_over_by: str | None = None
        self.expired_revinfo: datetime | None = None
        self.policy: list[str] = []
        self.key_usage: list[str] = []
        self.has_criteria = False
        self.sm2_id: str | None = None
        self.unusable: str | None = None
        self.other: list[str] = []
        if node is None:
            return
        for ext in node.findall("tsl:Extension", NSMAP):
            critical = ext.get("Critical", "false").strip().lower() in ("true", "1")
            oid = _opt_text(ext, "tsl:ExtensionOID")
            if oid is not None:  # TS 102 231 style: an OID and its value, ours to keep, not to interpret
                if critical and self.unusable is None:
                    self.unusable = f"critical service information extension {oid} is not understood"
                self.other.append(f"{oid}={_opt_text(ext, 'tsl:ExtensionValue') or ''}")
                continue
            for child in ext:
                if isinstance(child.tag, str):
                    self._one(child, critical, where)

    def _one(self, child, critical: bool, where: str) -> None:
        tag = child.tag
        if tag == _t(TSL, "AdditionalServiceInformation"):
            uri = _opt_text(child, "tsl:URI") or ""
            if uri.startswith(USAGE_URI):
                usage = uri[len(USAGE_URI):]
                if usage not in USAGES:  # our own namespace: a typo is an error, not data
                    raise TrustListFormatError(f"{where}: unknown usage {usage!r}; use one of {', '.join(USAGES)}")
                self.usages.append(usage)
            elif uri:
                self.additional_info.append(uri)
        elif tag == _t(SIE, "Qualifications"):
            self.qualifications = self.qualifications + _qualifications(child)
        elif tag == _t(TSLX, "TakenOverBy"):
            parts = [_opt_text(child, "tslx:URI"), _multilang(child, "tslx:TSPName/tsl:Name"),
                     _opt_text(child, "tsl:SchemeTerritory")]
            self.taken_over_by = " / ".join(p for p in parts if p) or "(unnamed)"
        elif tag == _t(TSL, "ExpiredCertsRevocationInfo"):
            self.expired_revinfo = xml_time(child.text or "", f"{where} ExpiredCertsRevocationInfo")
        elif tag == _t(GBA, "Criteria"):
            self.has_criteria = True
            self.policy += [e.text.strip() for e in child.findall("gba:PolicyOIDPrefix", NSMAP) if e.text]
            self.key_usage += [e.text.strip() for e in child.findall("gba:KeyUsage", NSMAP) if e.text]
        elif tag == _t(GBA, "SM2SignerID"):
            self.sm2_id = child.text or ""
        else:
            # TS 119 612 5.5.9: a relying party that does not understand a critical extension shall not use
            # the service; the other services of the list are unaffected. A non-critical one is kept as data.
            if critical and self.unusable is None:
                self.unusable = f"critical service information extension {tag} is not understood"
            self.other.append(f"{etree.QName(child).localname}={' '.join((child.text or '').split())[:200]}")


def _history_change(inst, where: str, current_type: str) -> StatusChange:
    exts = inst.find("tsl:ServiceInformationExtensions", NSMAP)
    stype = service_type_uri(_text(inst, "tsl:ServiceTypeIdentifier", "ServiceTypeIdentifier"))
    return StatusChange(
        status_uri(_text(inst, "tsl:ServiceStatus", "ServiceStatus")),
        xml_time(_text(inst, "tsl:StatusStartingTime", "StatusStartingTime"), where),
        None if stype == current_type else stype,
        tuple(_Extensions(exts, where).additional_info) if exts is not None else None,
    )


def service_from_xml(node, provider: str) -> Service:
    info = node.find("tsl:ServiceInformation", NSMAP)
    if info is None:
        raise TrustListFormatError("XML: TSPService without ServiceInformation")
    name = _multilang(info, "tsl:ServiceName/tsl:Name")
    if not name:
        raise TrustListFormatError("XML: missing ServiceName")
    ext = _Extensions(info.find("tsl:ServiceInformationExtensions", NSMAP), f"service {name!r}")
    current = StatusChange(status_uri(_text(info, "tsl:ServiceStatus", "ServiceStatus")),
                           xml_time(_text(info, "tsl:StatusStartingTime", "StatusStartingTime"), name))
    stype = service_type_uri(_text(info, "tsl:ServiceTypeIdentifier", "type"))
    past = [_history_change(inst, f"service {name!r} history", stype)
            for inst in node.findall("tsl:ServiceHistory/tsl:ServiceHistoryInstance", NSMAP)]
    # TS 119 612 5.6: history instances are the states before the current one; keep those that started
    # before it, oldest first (a list that repeats the current state in its history keeps one copy).
    past = sorted((c for c in past if c.start < current.start), key=lambda c: c.start)
    identities = _identities(info.find("tsl:ServiceDigitalIdentity", NSMAP))
    return Service(
        name=name, provider=provider, type=stype,
        identities=identities, history=tuple(past) + (current,), usages=tuple(ext.usages),
        supply_points=tuple(e.text.strip() for e in info.findall("tsl:ServiceSupplyPoints/tsl:ServiceSupplyPoint",
                                                                 NSMAP) if e.text and e.text.strip()),
        criteria=Criteria(tuple(ext.policy), tuple(ext.key_usage)) if ext.has_criteria else None,
        sm2_signer_id=ext.sm2_id, additional_info=tuple(ext.additional_info), qualifications=ext.qualifications,
        taken_over_by=ext.taken_over_by, expired_certs_revocation_info=ext.expired_revinfo,
        other_extensions=tuple(ext.other),
        unusable=ext.unusable or (None if identities else "no digital identity this service can be matched by"),
    )


def _kinds(node) -> tuple[ServiceKind, ...]:
    out = []
    for k in node.findall("mra:TrustServiceTSLType", NSMAP) if node is not None else ():
        stype = _opt_text(k, "tsl:ServiceTypeIdentifier")
        if stype:
            out.append(ServiceKind(stype, _opt_text(k, "tsl:AdditionalServiceInformation/tsl:URI")))
    return tuple(out)


def _statuses(node, path: str) -> tuple[str, ...]:
    return tuple(e.text.strip() for e in node.findall(path + "/tsl:ServiceStatus", NSMAP) if e.text) \
        if node is not None else ()


def _equivalence_state(node, where: str) -> EquivalenceState:
    types = node.find("mra:TrustServiceTSLTypeEquivalenceList", NSMAP)
    status = node.find("mra:TrustServiceTSLStatusEquivalenceList", NSMAP)
    content = []
    for c in node.findall("mra:CertificateContentReferencesEquivalenceList/"
                          "mra:CertificateContentReferenceEquivalence", NSMAP):
        pointing = c.find("mra:CertificateContentDeclarationPointingParty", NSMAP)
        pointed = c.find("mra:CertificateContentDeclarationPointedParty", NSMAP)
        content.append(ContentEquivalence(_opt_text(c, "mra:CertificateContentReferenceEquivalenceContext") or "",
                                          _criteria(pointing) if pointing is not None else None,
                                          _criteria(pointed) if pointed is not None else None))
    qualifiers = []
    for q in node.findall("mra:TrustServiceTSLQualificationExtensionEquivalenceList/mra:QualifierEquivalenceList/"
                          "mra:QualifierEquivalence", NSMAP):
        a, b = q.find("mra:QualifierPointingParty", NSMAP), q.find("mra:QualifierPointedParty", NSMAP)
        if a is not None and b is not None:
            qualifiers.append((a.get("uri", ""), b.get("uri", "")))
    start = _opt_text(node, "mra:TrustServiceEquivalenceStatusStartingTime")
    return EquivalenceState(
        status=_opt_text(node, "mra:TrustServiceEquivalenceStatus") or "",
        start=xml_time(start, where) if start else datetime.min.replace(tzinfo=timezone.utc),
        pointing_kinds=_kinds(types.find("mra:TrustServiceTSLTypeListPointingParty", NSMAP)
                              if types is not None else None),
        pointed_kinds=_kinds(types.find("mra:TrustServiceTSLTypeListPointedParty", NSMAP)
                             if types is not None else None),
        pointing_valid_statuses=_statuses(status, "mra:TrustServiceTSLStatusValidEquivalence/"
                                                  "mra:TrustServiceTSLStatusListPointingParty"),
        pointed_valid_statuses=_statuses(status, "mra:TrustServiceTSLStatusValidEquivalence/"
                                                 "mra:TrustServiceTSLStatusListPointedParty"),
        pointing_invalid_statuses=_statuses(status, "mra:TrustServiceTSLStatusInvalidEquivalence/"
                                                    "mra:TrustServiceTSLStatusListPointingParty"),
        pointed_invalid_statuses=_statuses(status, "mra:TrustServiceTSLStatusInvalidEquivalence/"
                                                   "mra:TrustServiceTSLStatusListPointedParty"),
        content=tuple(content), qualifiers=tuple(qualifiers),
    )


def _in_mra_namespace(node):
    """The MRA element with its own elements in the schema namespace we read: the EU pilot lists (and EU DSS's
    test lists) wrote the same structure under `http://mra.europa.eu/v1#`, the LOTL under the v2 schema URI."""
    ns = etree.QName(node).namespace
    if ns == MRA_NS:
        return node
    copy = deepcopy(node)
    for e in copy.iter():
        if isinstance(e.tag, str) and etree.QName(e).namespace == ns:
            e.tag = _t(MRA_NS, etree.QName(e).localname)
    return copy


def mutual_recognition_from_xml(node) -> MutualRecognition:
    node = _in_mra_namespace(node)
    equivalences = []
    for info in node.findall("mra:TrustServiceEquivalenceInformation", NSMAP):
        legal = _opt_text(info, "mra:TrustServiceLegalIdentifier") or "(unnamed)"
        states = [_equivalence_state(info, f"equivalence {legal!r}")]
        for inst in info.findall("mra:TrustServiceEquivalenceHistory/mra:TrustServiceEquivalenceHistoryInstance",
                                 NSMAP):
            states.append(_equivalence_state(inst, f"equivalence {legal!r} history"))
        equivalences.append(Equivalence(legal, tuple(sorted(states, key=lambda s: s.start))))
    return MutualRecognition(tuple(equivalences), node.get("pointingContractingPartyLegislation"),
                             node.get("pointedContractingPartyLegislation"))


def _pointer(p) -> Pointer | None:
    other: dict[str, object] = {}
    for oi in p.findall("tsl:AdditionalInformation/tsl:OtherInformation", NSMAP):
        for child in oi:
            if isinstance(child.tag, str):
                other.setdefault(etree.QName(child).localname, child)
    def val(key: str) -> str | None:
        node = other.get(key)
        return node.text.strip() if node is not None and node.text and node.text.strip() else None  # type: ignore

    territory = (val("SchemeTerritory") or "").upper()
    if not TERRITORY_PATTERN.match(territory):
        # TS 102 231 generic pointers (e.g. to a backup location) name no scheme, and a pointer whose territory
        # is no territory code cannot be matched to a list either: nothing to chain, the list itself still reads.
        return None
    operator = other.get("SchemeOperatorName")
    mra = other.get("MutualRecognitionAgreementInformation")
    return Pointer(
        territory=territory,
        location=_text(p, "tsl:TSLLocation", "TSLLocation"),
        scheme_operator=(_multilang(operator, "tsl:Name") if operator is not None else None) or "",
        signing_certificates=tuple(_certs_lenient(p.findall(
            "tsl:ServiceDigitalIdentities/tsl:ServiceDigitalIdentity/tsl:DigitalId/tsl:X509Certificate", NSMAP))),
        tsl_type=val("TSLType"), mime_type=val("MimeType"),
        mutual_recognition=mutual_recognition_from_xml(mra) if mra is not None else None,
    )


def _territory(si) -> str:
    """SchemeTerritory (TS 119 612 5.3.10). Lists of the TS 102 231 generation (TSLVersionIdentifier 3) may omit
    it: their scheme operator's country (SchemeOperatorAddress, 5.3.5) is then the territory."""
    value = _opt_text(si, "tsl:SchemeTerritory")
    if value is None:
        value = _opt_text(si, "tsl:SchemeOperatorAddress/tsl:PostalAddresses/tsl:PostalAddress/tsl:CountryName")
    if value is None:
        raise TrustListFormatError("XML: missing SchemeTerritory (tsl:SchemeTerritory)")
    # ISO 3166 codes are upper case: a list writing "lu" means LU (anything else is refused as written).
    return territory_code(value.upper() if TERRITORY_PATTERN.match(value.upper()) else value)


def trust_list_from_xml(root) -> TrustList:
    if root.tag != _t(TSL, "TrustServiceStatusList"):
        raise TrustListFormatError(f"XML: root element is {root.tag}, not tsl:TrustServiceStatusList")
    si = root.find("tsl:SchemeInformation", NSMAP)
    if si is None:
        raise TrustListFormatError("XML: missing SchemeInformation")
    try:
        seq = int(_text(si, "tsl:TSLSequenceNumber", "TSLSequenceNumber"))
        version_text = _opt_text(si, "tsl:TSLVersionIdentifier")
        version = int(version_text) if version_text else None
    except ValueError:
        raise TrustListFormatError("XML: TSLSequenceNumber / TSLVersionIdentifier is not an integer") from None
    if seq < 1:
        raise TrustListFormatError(f"XML: TSLSequenceNumber must be positive, got {seq}")
    services = []
    for tsp in root.findall("tsl:TrustServiceProviderList/tsl:TrustServiceProvider", NSMAP):
        provider = _multilang(tsp, "tsl:TSPInformation/tsl:TSPName/tsl:Name")
        if not provider:
            raise TrustListFormatError("XML: missing TSPName")
        for svc in tsp.findall("tsl:TSPServices/tsl:TSPService", NSMAP):
            services.append(service_from_xml(svc, provider))
    issued = xml_time(_text(si, "tsl:ListIssueDateTime", "ListIssueDateTime"), "ListIssueDateTime")
    # TS 119 612 5.3.15: an empty NextUpdate means the scheme closed the list: it is stale at once.
    next_text = _opt_text(si, "tsl:NextUpdate/tsl:dateTime")
    scheme_name = _multilang(si, "tsl:SchemeName/tsl:Name")
    operator = _multilang(si, "tsl:SchemeOperatorName/tsl:Name")
    if not scheme_name or not operator:
        raise TrustListFormatError("XML: missing SchemeName or SchemeOperatorName")
    return TrustList(
        territory=_territory(si),
        scheme_name=scheme_name,
        scheme_operator=operator,
        scheme_operator_uri=_opt_text(si, "tsl:SchemeOperatorAddress/tsl:ElectronicAddress/tsl:URI"),
        sequence_number=seq,
        issued_at=issued,
        next_update=xml_time(next_text, "NextUpdate") if next_text else issued,
        services=tuple(services),
        pointers=tuple(p for p in (_pointer(e) for e in si.findall("tsl:PointersToOtherTSL/tsl:OtherTSLPointer",
                                                                   NSMAP)) if p is not None),
        announced_signing_certificates=tuple(
            _cert_b64(e.text or "", "announced certificate")
            for e in si.findall("tsl:SchemeExtensions/tsl:Extension/gba:AnnouncedSigningCertificate", NSMAP)),
        tsl_type=_opt_text(si, "tsl:TSLType"),
        version=version,
        scheme_information_uris=tuple(e.text.strip() for e in si.findall("tsl:SchemeInformationURI/tsl:URI", NSMAP)
                                      if e.text and e.text.strip()),
    )


__all__ = ["NSMAP", "USAGE_URI", "mutual_recognition_from_xml", "service_from_xml", "trust_list_from_xml"]
