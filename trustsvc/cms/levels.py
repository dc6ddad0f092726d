"""Which CAdES level a signature has (EN 319 122-1 clause 6 baseline levels; TS 101 733 / EN 319 122-2 forms)."""

from __future__ import annotations

from trustsvc.cms.attributes import (
    ID_AA_SIGNATURE_TIMESTAMP, ID_AA_SIGNING_CERTIFICATE, ID_AA_SIGNING_CERTIFICATE_V2,
)
from trustsvc.cms.layout import RawSignedData, RawSignerInfo
from trustsvc.cms.signed_data import SignerInfo
from trustsvc.cms.validation_data import (
    ID_AA_ETS_ARCHIVE_TIMESTAMP_V2, ID_AA_ETS_ARCHIVE_TIMESTAMP_V3, ID_AA_ETS_CERT_CRL_TIMESTAMP,
    ID_AA_ETS_CERTIFICATE_REFS, ID_AA_ETS_ESC_TIMESTAMP, ID_AA_ETS_REVOCATION_REFS, embedded,
)

B, T, LT, LTA = "CAdES-BASELINE-B", "CAdES-BASELINE-T", "CAdES-BASELINE-LT", "CAdES-BASELINE-LTA"
LEVELS = (B, T, LT, LTA)
# The short names `trustsvc sign/extend --level` takes.
SHORT = {"B-B": B, "B-T": T, "B-LT": LT, "B-LTA": LTA}


def signature_level(layout: RawSignedData, raw: RawSignerInfo, signer: SignerInfo) -> str:
    """The highest level whose attributes the signer has, named as DSS and EN 319 102-1 reports name it.

    B: signed attributes with signing-certificate(-v2); T: a signature timestamp; LT: embedded
    revocation values (SignedData.crls or revocation-values); LTA: an archive-time-stamp-v3.
    Signatures with CAdES-C/-X reference attributes or only v2 archive timestamps are the older
    TS 101 733 forms and are named as such (CAdES-C, CAdES-X, CAdES-XL, CAdES-A).
    """
    unsigned = {a.oid for a in raw.unsigned or ()}
    signed = {a.oid for a in signer.signed or ()}
    if not signed & {ID_AA_SIGNING_CERTIFICATE, ID_AA_SIGNING_CERTIFICATE_V2}:
        return "CMS" if signer.signed is None else "CAdES-BES" if ID_AA_SIGNATURE_TIMESTAMP not in unsigned else "CAdES-T"
    has_t = ID_AA_SIGNATURE_TIMESTAMP in unsigned
    has_lt = has_t and embedded(layout, raw).has_revocation
    legacy = unsigned & {ID_AA_ETS_CERTIFICATE_REFS, ID_AA_ETS_REVOCATION_REFS}
    if legacy:
        if ID_AA_ETS_ARCHIVE_TIMESTAMP_V2 in unsigned or ID_AA_ETS_ARCHIVE_TIMESTAMP_V3 in unsigned:
            return "CAdES-A"
        x = unsigned & {ID_AA_ETS_ESC_TIMESTAMP, ID_AA_ETS_CERT_CRL_TIMESTAMP}
        return ("CAdES-XL" if has_lt else "CAdES-X") if x else "CAdES-C"
    if ID_AA_ETS_ARCHIVE_TIMESTAMP_V3 in unsigned and has_lt:
        return LTA
    if ID_AA_ETS_ARCHIVE_TIMESTAMP_V2 in unsigned:
        return "CAdES-A"
    if has_lt:
        return LT
    return T if has_t else B
