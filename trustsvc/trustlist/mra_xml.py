"""MutualRecognitionAgreementInformation as XML (the EU MRA schema, `http://ec.europa.eu/tools/lotl/mra/schema/v2#`),
written on a list of lists' OtherTSLPointer; `tsl_xml.mutual_recognition_from_xml` reads it back."""

from __future__ import annotations

from lxml import etree

from trustsvc.trustlist.criteria import CriteriaList
from trustsvc.trustlist.model import format_time
from trustsvc.trustlist.mra import MRA_NS, EquivalenceState, MutualRecognition, ServiceKind
from trustsvc.trustlist.tsl_xml import SIE, TSL, XADES

_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _el(parent, ns: str, tag: str, text: str | None = None, **attrib):
    e = etree.SubElement(parent, f"{{{ns}}}{tag}", attrib)
    if text is not None:
        e.text = text
    return e


def criteria_to_xml(node, crit: CriteriaList) -> None:
    """A CriteriaList's content (TS 119 612 5.5.9.2.1) under `node`, which carries the `assert` attribute."""
    node.set("assert", crit.assert_)
    for bits in crit.key_usage:
        ku = _el(node, SIE, "KeyUsage")
        for name, value in bits:
            _el(ku, SIE, "KeyUsageBit", "true" if value else "false", name=name)
    for oids in crit.policy_sets:
        ps = _el(node, SIE, "PolicySet")
        for oid in oids:
            _el(_el(ps, SIE, "PolicyIdentifier"), XADES, "Identifier", oid)
    for sub in crit.sublists:
        criteria_to_xml(_el(node, SIE, "CriteriaList"), sub)
    if crit.description:
        _el(node, SIE, "Description", crit.description)


def _kinds(parent, tag: str, kinds: tuple[ServiceKind, ...]) -> None:
    lst = _el(parent, MRA_NS, tag)
    for k in kinds:
        t = _el(lst, MRA_NS, "TrustServiceTSLType")
        _el(t, TSL, "ServiceTypeIdentifier", k.type)
        if k.additional_info:
            _el(_el(t, TSL, "AdditionalServiceInformation"), TSL, "URI", k.additional_info, **{_LANG: "en"})


def _statuses(parent, which: str, pointing: tuple[str, ...], pointed: tuple[str, ...]) -> None:
    if not pointing and not pointed:
        return
    eq = _el(parent, MRA_NS, f"TrustServiceTSLStatus{which}Equivalence")
    for tag, values in (("TrustServiceTSLStatusListPointingParty", pointing),
                        ("TrustServiceTSLStatusListPointedParty", pointed)):
        lst = _el(eq, MRA_NS, tag)
        for v in values:
            _el(lst, TSL, "ServiceStatus", v)


def _state(node, st: EquivalenceState) -> None:
    types = _el(node, MRA_NS, "TrustServiceTSLTypeEquivalenceList")
    _kinds(types, "TrustServiceTSLTypeListPointingParty", st.pointing_kinds)
    _kinds(types, "TrustServiceTSLTypeListPointedParty", st.pointed_kinds)
    _el(node, MRA_NS, "TrustServiceEquivalenceStatus", st.status)
    _el(node, MRA_NS, "TrustServiceEquivalenceStatusStartingTime", format_time(st.start))
    status = _el(node, MRA_NS, "TrustServiceTSLStatusEquivalenceList")
    _statuses(status, "Valid", st.pointing_valid_statuses, st.pointed_valid_statuses)
    _statuses(status, "Invalid", st.pointing_invalid_statuses, st.pointed_invalid_statuses)
    if st.content:
        lst = _el(node, MRA_NS, "CertificateContentReferencesEquivalenceList")
        for c in st.content:
            e = _el(lst, MRA_NS, "CertificateContentReferenceEquivalence")
            _el(e, MRA_NS, "CertificateContentReferenceEquivalenceContext", c.context)
            for tag, crit in (("CertificateContentDeclarationPointingParty", c.pointing),
                              ("CertificateContentDeclarationPointedParty", c.pointed)):
                if crit is not None:
                    criteria_to_xml(_el(e, MRA_NS, tag), crit)
    if st.qualifiers:
        q = _el(_el(node, MRA_NS, "TrustServiceTSLQualificationExtensionEquivalenceList"), MRA_NS,
                "QualifierEquivalenceList")
        for pointing, pointed in st.qualifiers:
            eq = _el(q, MRA_NS, "QualifierEquivalence")
            _el(eq, MRA_NS, "QualifierPointingParty", uri=pointing)
            _el(eq, MRA_NS, "QualifierPointedParty", uri=pointed)


def mra_to_xml(parent, mra: MutualRecognition) -> None:
    attrib = {}
    if mra.pointing_legislation:
        attrib["pointingContractingPartyLegislation"] = mra.pointing_legislation
    if mra.pointed_legislation:
        attrib["pointedContractingPartyLegislation"] = mra.pointed_legislation
    root = etree.SubElement(parent, f"{{{MRA_NS}}}MutualRecognitionAgreementInformation", attrib,
                            nsmap={"mra": MRA_NS})
    for eq in mra.equivalences:
        info = _el(root, MRA_NS, "TrustServiceEquivalenceInformation")
        _el(info, MRA_NS, "TrustServiceLegalIdentifier", eq.legal_identifier)
        _state(info, eq.history[-1])
        if len(eq.history) > 1:
            hist = _el(info, MRA_NS, "TrustServiceEquivalenceHistory")
            for st in reversed(eq.history[:-1]):
                _state(_el(hist, MRA_NS, "TrustServiceEquivalenceHistoryInstance"), st)


__all__ = ["criteria_to_xml", "mra_to_xml"]
