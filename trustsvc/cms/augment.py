"""Augment a CAdES signature without touching what it signs (EN 319 122-1 B-LT and B-LTA).

Only unsigned parts change: SignedData.certificates, SignedData.crls (OCSP responses as
RevocationInfoChoice `other`, RFC 5940) and each SignerInfo's unsignedAttrs. The eContent,
the signed attributes and the signature value keep their received octets, so the original
signature (and every signature timestamp, which covers only the signature value) still verifies.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Sequence

from asn1crypto import core

from trustsvc.cms.archive import archive_v3_input, hash_index_v3
from trustsvc.cms.layout import RawAttribute, RawSignedData, RawSignerInfo, read_layout
from trustsvc.cms.signed_data import CMSFormatError, compute_digest, parse_signed_data
from trustsvc.cms.validation_data import (
    ID_AA_ATS_HASH_INDEX_V3, ID_AA_ETS_ARCHIVE_TIMESTAMP_V3, from_signed_data, ocsp_revocation_choice,
)

Timestamper = Callable[[bytes, str], bytes]  # (message imprint, hash name) -> TimeStampToken DER
_ARCHIVE_HASHES = ("sha256", "sha384", "sha512", "sm3", "sha3_256", "sha3_384", "sha3_512")


def add_validation_data(signature: bytes, *, certificates: Sequence[bytes] = (), crls: Sequence[bytes] = (),
                        ocsp_responses: Sequence[bytes] = ()) -> bytes:
    """Add certificates, CRLs and OCSP responses the signature does not hold yet (EN 319 122-1 B-LT)."""
    layout = read_layout(signature)
    have = from_signed_data(layout)
    certs = list(layout.certificates or ())
    for c in certificates:
        if bytes(c) not in certs:
            certs.append(bytes(c))
    revocation = list(layout.crls or ())
    for crl in crls:
        if bytes(crl) not in revocation:
            revocation.append(bytes(crl))
    for resp in ocsp_responses:
        if bytes(resp) not in have.ocsp:
            revocation.append(ocsp_revocation_choice(bytes(resp)))
            have.ocsp.append(bytes(resp))
    new = replace(layout, certificates=tuple(certs) if certs or layout.certificates is not None else None,
                  crls=tuple(revocation) if revocation or layout.crls is not None else None)
    return new.der() if new != layout else bytes(signature)


def archive_hash_for(digest_algorithm: str) -> str:
    """The archive timestamp's hash: the signer's own when it is a strong one, else SHA-256."""
    return digest_algorithm if digest_algorithm in _ARCHIVE_HASHES else "sha256"


def add_archive_timestamp(signature: bytes, timestamper: Timestamper, *, content: bytes | None = None,
                          hash_name: str | None = None) -> bytes:
    """Add an archive-time-stamp-v3 to every signer, covering everything the signature holds now (EN 319 122-1 5.5.3).

    The ats-hash-index-v3 is computed before the attribute is added and is put in the timestamp
    token's own unsigned attributes (EN 319 122-1 5.5.2). A detached signature needs `content`.
    """
    sd = parse_signed_data(signature)
    data = sd.econtent if sd.econtent is not None else content
    if data is None:
        raise CMSFormatError("CMS: a detached signature needs its content to be archive-timestamped")
    layout = read_layout(signature)
    signers = []
    for parsed, raw in zip(sd.signers, layout.signers):
        alg = hash_name or archive_hash_for(parsed.digest_algorithm)
        signers.append(_timestamped(layout, raw, timestamper, alg, compute_digest(alg, data)))
    return replace(layout, signers=tuple(signers)).der()


def _timestamped(layout: RawSignedData, signer: RawSignerInfo, timestamper: Timestamper, alg: str,
                 content_digest: bytes) -> RawSignerInfo:
    index = hash_index_v3(layout, signer, alg)
    imprint = compute_digest(alg, archive_v3_input(layout, signer, content_digest, index))
    token = _with_hash_index(timestamper(imprint, alg), index)
    attr = RawAttribute.build(core.ObjectIdentifier(ID_AA_ETS_ARCHIVE_TIMESTAMP_V3).dump(), [token])
    return signer.with_unsigned([*(signer.unsigned or ()), attr])


def _with_hash_index(token: bytes, index: bytes) -> bytes:
    tst = read_layout(token)
    if len(tst.signers) != 1:
        raise CMSFormatError("timestamp: a token has exactly one signer (RFC 3161 2.4.2)")
    (si,) = tst.signers
    attr = RawAttribute.build(core.ObjectIdentifier(ID_AA_ATS_HASH_INDEX_V3).dump(), [index])
    return replace(tst, signers=(si.with_unsigned([*(si.unsigned or ()), attr]),)).der()
