"""Trust lists (ETSI TS 119 612 model), the GBA list of lists and the trust store."""

from trustsvc.trustlist.loader import (
    DEFAULT_GRACE, AcceptedList, TrustListRejected, TrustState, accept_all, accept_list, check_signed, list_health,
)
from trustsvc.trustlist.model import Service, TrustList, TrustListFormatError
from trustsvc.trustlist.store import Recognition, TrustStore, load_trust_store

__all__ = [
    "DEFAULT_GRACE", "AcceptedList", "Recognition", "Service", "TrustList", "TrustListFormatError",
    "TrustListRejected", "TrustState", "TrustStore", "accept_all", "accept_list", "check_signed", "list_health",
    "load_trust_store",
]
