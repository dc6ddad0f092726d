"""The enveloped XAdES signature of a TS 119 612 list (5.7), checked against the certificates a pointer gives.

Real lists sign two references (the list through the enveloped-signature transform, and the XAdES
SignedProperties), our own exports three (also the KeyInfo): any number is accepted, but one reference must
cover the whole document (URI "" or "#<root Id>" with the enveloped-signature transform), and only what it
covers is returned (no signature wrapping). signxml does the XML-DSig work; the certificate must be valid
at `at` (the list's issue time: when it was signed).
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Sequence

from lxml import etree

from trustsvc.errors import InvalidSignatureError
from trustsvc.x509.certificate import Certificate

DS = "http://www.w3.org/2000/09/xmldsig#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
SIGNED_PROPERTIES = "http://uri.etsi.org/01903#SignedProperties"
_NS = {"ds": DS}


def _whole_document_reference(signature, root) -> int:
    """Index of the SignedInfo reference that covers the whole list, or raise."""
    ids = {"", *(f"#{root.get(a)}" for a in ("Id", "ID", "id") if root.get(a))}
    for i, ref in enumerate(signature.findall("ds:SignedInfo/ds:Reference", _NS)):
        transforms = [t.get("Algorithm") for t in ref.findall("ds:Transforms/ds:Transform", _NS)]
        if ref.get("URI") in ids and ENVELOPED in transforms:
            return i
    raise InvalidSignatureError("XML signature: no reference covers the whole list (TS 119 612 5.7.1 wants an "
                                "enveloped signature over the document)")


def _key_info_first(signature, certificates: Sequence[Certificate]) -> list[Certificate]:
    """The certificate the signature names in KeyInfo first (one verification instead of several)."""
    named = set()
    for e in signature.findall("ds:KeyInfo/ds:X509Data/ds:X509Certificate", _NS):
        try:
            named.add(base64.b64decode("".join((e.text or "").split())))
        except ValueError:
            continue
    return sorted(certificates, key=lambda c: c.der not in named)


def verify_enveloped(root, certificates: Sequence[Certificate], *, at: datetime | None):
    """Verify `root`'s enveloped signature with one of `certificates` valid at `at`.

    Returns (the signed document as covered by the enveloped reference, the certificate that verified it);
    raises InvalidSignatureError naming the last failure."""
    from cryptography import x509 as cx509
    from signxml import SignatureConfiguration, XMLVerifier
    from signxml.exceptions import SignXMLException
    from signxml.xades import XAdESSignatureConfiguration, XAdESVerifier

    signature = root.find("ds:Signature", _NS)
    if signature is None:
        raise InvalidSignatureError("XML: the list is not signed (no ds:Signature under the root element)")
    if not certificates:
        raise InvalidSignatureError("XML: no certificate to verify the signature with")
    index = _whole_document_reference(signature, root)
    xades = any(r.get("Type") == SIGNED_PROPERTIES for r in signature.findall("ds:SignedInfo/ds:Reference", _NS))
    data = etree.tostring(root)
    last: Exception | None = None
    for cert in _key_info_first(signature, certificates):
        try:
            x509_cert = cx509.load_der_x509_certificate(cert.der)
            if xades:
                config = XAdESSignatureConfiguration(expect_references=True, verification_time=at, location="./")
                results = XAdESVerifier().verify(data, x509_cert=x509_cert, expect_config=config)
            else:
                config = SignatureConfiguration(expect_references=True, verification_time=at, location="./")
                results = XMLVerifier().verify(data, x509_cert=x509_cert, expect_config=config)
        except (SignXMLException, etree.LxmlError, ValueError, TypeError, KeyError, AttributeError) as exc:
            last = exc
            continue
        results = results if isinstance(results, list) else [results]
        signed = results[index].signed_xml if index < len(results) else None
        if signed is None or signed.tag != root.tag:
            raise InvalidSignatureError("XML signature: the enveloped reference does not cover the list")
        return signed, cert
    raise InvalidSignatureError(f"XML signature does not verify with any of the {len(certificates)} "
                                f"certificate(s) given: {last}")


__all__ = ["verify_enveloped"]
