"""Which usages a listed service serves: ours as declared, the EU's read from type + AdditionalServiceInformation.

GBA lists declare their usages (`urn:trustsvc:usage:e-tendering`, ...): those are authoritative. A list that
declares none (a real EU trusted list) is read the eIDAS way (TS 119 612 5.5.1 and 5.5.9.4):
- `e-signature`: a CA/QC (or NationalRootCA-QC) whose AdditionalServiceInformation says ForeSignatures, or
  that names no For* purpose at all (before eIDAS, Directive 1999/93/EC qualified certificates were for
  signatures only);
- `e-seal`: a CA/QC with ForeSeals;
- `timestamping`: TSA, TSA/QTST and the TSS types.
The type and AdditionalServiceInformation used are those in force at the validation time (ServiceHistory).
"""

from __future__ import annotations

from typing import Iterable

from trustsvc.trustlist.criteria import SVCINFOEXT
from trustsvc.trustlist.model import SVCTYPE, TSA_TYPES, Service, StatusChange
from trustsvc.trustlist.tsl_xml import USAGE_URI

FOR_ESIGNATURES = SVCINFOEXT + "ForeSignatures"
FOR_ESEALS = SVCINFOEXT + "ForeSeals"
FOR_WEBSITES = SVCINFOEXT + "ForWebSiteAuthentication"
QC_CA_TYPES = frozenset(SVCTYPE + s for s in ("CA/QC", "NationalRootCA-QC"))
_PURPOSES = frozenset((FOR_ESIGNATURES, FOR_ESEALS, FOR_WEBSITES))


def usages_of_kind(service_type: str, additional_info: Iterable[str]) -> tuple[str, ...]:
    """The usages a service type with these AdditionalServiceInformation URIs serves (eIDAS reading, and
    our usage URIs where an equivalence speaks in them)."""
    infos = set(additional_info)
    out = [i[len(USAGE_URI):] for i in infos if i.startswith(USAGE_URI)]
    if service_type in QC_CA_TYPES:
        if FOR_ESIGNATURES in infos or not infos & _PURPOSES:
            out.append("e-signature")
        if FOR_ESEALS in infos:
            out.append("e-seal")
    if service_type in TSA_TYPES:
        out.append("timestamping")
    return tuple(dict.fromkeys(out))


def usages_at(service: Service, change: StatusChange) -> tuple[str, ...]:
    """The usages `service` serves while `change` is its status."""
    if service.usages:
        return service.usages
    return usages_of_kind(service.type_at(change), service.additional_info_at(change))


__all__ = ["FOR_ESEALS", "FOR_ESIGNATURES", "QC_CA_TYPES", "usages_at", "usages_of_kind"]
