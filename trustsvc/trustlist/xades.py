"""The enveloped XAdES signature of a TS 119 612 list (5.7), checked against the certificates a pointer gives.

Real lists sign two references (the list through the enveloped-signature transform, and the XAdES
SignedProperties), our own exports three (also the KeyInfo): any number is accepted, but one reference must
cover the whole document (URI "" or "#<root Id>" with the enveloped-signature transform), and only what it
covers is returned (no signature wrapping). A list carries exactly one signature (TS 119 612 5.7.1; EU DSS
refuses 0 or 2 the same way). The algorithms are judged by the algorithm policy (ETSI TS 119 312 style) at
the time the list was signed: an RSA-SHA1 list of 2012 verifies, one dated 2020 does not. signxml does the
XML-DSig work (RSA PKCS#1 v1.5 and PSS/MGF1, ECDSA on any curve cryptography knows, brainpool included); the
certificate must be valid at `at` (the list's issue time: when it was signed).

Failures are `XmlSignatureError`s carrying a typed `Failure` with the EN 319 102-1 sub-indication EU DSS
reports for the same case: HASH_FAILURE (a reference digest does not match: the list was altered),
SIG_CRYPTO_FAILURE, NO_CERTIFICATE_CHAIN_FOUND (none of the given certificates signed it),
CRYPTO_CONSTRAINTS_FAILURE (algorithm not acceptable at the signing time), FORMAT_FAILURE (not one signature).
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Sequence

from lxml import etree

from trustsvc.errors import InvalidSignatureError, TrustsvcError
from trustsvc.failures import Failure
from trustsvc.reports import SubIndication
from trustsvc.x509.algorithm_policy import DEFAULT_POLICY, AlgorithmPolicy
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.signature import SignatureAlgorithm, load_public_key

DS = "http://www.w3.org/2000/09/xmldsig#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
SIGNED_PROPERTIES = "http://uri.etsi.org/01903#SignedProperties"
_NS = {"ds": DS}

_MORE = "http://www.w3.org/2001/04/xmldsig-more#"
_MORE07 = "http://www.w3.org/2007/05/xmldsig-more#"
# XMLDSig signature method URI -> (hash, scheme) (RFC 6931 2.3; XMLDSig 1.1 6.4).
SIGNATURE_METHODS: dict[str, tuple[str, str]] = {
    DS + "rsa-sha1": ("sha1", "rsa"),
    _MORE + "rsa-sha224": ("sha224", "rsa"),
    _MORE + "rsa-sha256": ("sha256", "rsa"),
    _MORE + "rsa-sha384": ("sha384", "rsa"),
    _MORE + "rsa-sha512": ("sha512", "rsa"),
    _MORE + "ecdsa-sha1": ("sha1", "ecdsa"),
    _MORE + "ecdsa-sha224": ("sha224", "ecdsa"),
    _MORE + "ecdsa-sha256": ("sha256", "ecdsa"),
    _MORE + "ecdsa-sha384": ("sha384", "ecdsa"),
    _MORE + "ecdsa-sha512": ("sha512", "ecdsa"),
    _MORE07 + "sha1-rsa-MGF1": ("sha1", "rsassa_pss"),
    _MORE07 + "sha224-rsa-MGF1": ("sha224", "rsassa_pss"),
    _MORE07 + "sha256-rsa-MGF1": ("sha256", "rsassa_pss"),
    _MORE07 + "sha384-rsa-MGF1": ("sha384", "rsassa_pss"),
    _MORE07 + "sha512-rsa-MGF1": ("sha512", "rsassa_pss"),
    _MORE07 + "sha3-256-rsa-MGF1": ("sha3_256", "rsassa_pss"),
    _MORE07 + "sha3-384-rsa-MGF1": ("sha3_384", "rsassa_pss"),
    _MORE07 + "sha3-512-rsa-MGF1": ("sha3_512", "rsassa_pss"),
    DS + "dsa-sha1": ("sha1", "dsa"),
    "http://www.w3.org/2009/xmldsig11#dsa-sha256": ("sha256", "dsa"),
}
# XMLDSig / XML Encryption digest method URI -> hash.
DIGEST_METHODS: dict[str, str] = {
    DS + "sha1": "sha1",
    _MORE + "sha224": "sha224",
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
    _MORE + "sha384": "sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
    _MORE07 + "sha3-256": "sha3_256",
    _MORE07 + "sha3-384": "sha3_384",
    _MORE07 + "sha3-512": "sha3_512",
}


class XmlSignatureError(InvalidSignatureError):
    """The list's XML signature did not verify; `failure` says why, with the EN 319 102-1 sub-indication."""

    def __init__(self, failure: Failure) -> None:
        sub = failure.sub_indication.value if failure.sub_indication is not None else failure.indication.value
        super().__init__(f"{sub}: {failure.detail}")
        self.failure = failure


def _fail(sub: SubIndication, detail: str, certificate: Certificate | None = None) -> XmlSignatureError:
    if sub in (SubIndication.NO_CERTIFICATE_CHAIN_FOUND, SubIndication.CRYPTO_CONSTRAINTS_FAILURE,
               SubIndication.OUT_OF_BOUNDS_NO_POE):
        return XmlSignatureError(Failure.indeterminate(sub, detail, certificate=certificate))
    return XmlSignatureError(Failure.failed(sub, detail, certificate=certificate))


def the_signature(root) -> etree._Element:
    """The list's one enveloped ds:Signature (TS 119 612 5.7.1: a child of the root), or FORMAT_FAILURE."""
    found = list(root.iter(f"{{{DS}}}Signature"))
    if len(found) != 1:
        what = "not signed" if not found else "signed more than once"
        raise _fail(SubIndication.FORMAT_FAILURE, f"XML: the list is {what}: a trusted list carries exactly one "
                                                  f"signature, found {len(found)} (TS 119 612 5.7.1)")
    if found[0].getparent() is not root:
        raise _fail(SubIndication.FORMAT_FAILURE, "XML: the signature is not enveloped in the list's root element "
                                                  "(TS 119 612 5.7.1)")
    return found[0]


XADES = "http://uri.etsi.org/01903/v1.3.2#"
_SIGNING_TIME = "xades:SignedSignatureProperties/xades:SigningTime"


def _signing_time_of(signed_properties_parent, path: str) -> datetime | None:
    from trustsvc.trustlist.tsl_xml import xml_time

    found = signed_properties_parent.find(path, {"ds": DS, "xades": XADES})
    if found is None or not (found.text or "").strip():
        return None
    try:
        return xml_time(found.text, "SigningTime")
    except TrustsvcError:
        return None


def claimed_signing_time(signature) -> datetime | None:
    """The XAdES SigningTime as received (not yet verified: `verify_enveloped(..., signing_time=)` checks it)."""
    return _signing_time_of(signature, "ds:Object/xades:QualifyingProperties/xades:SignedProperties/" + _SIGNING_TIME)


def _whole_document_reference(signature, root) -> int:
    """Index of the SignedInfo reference that covers the whole list, or raise."""
    ids = {"", *(f"#{root.get(a)}" for a in ("Id", "ID", "id") if root.get(a))}
    for i, ref in enumerate(signature.findall("ds:SignedInfo/ds:Reference", _NS)):
        transforms = [t.get("Algorithm") for t in ref.findall("ds:Transforms/ds:Transform", _NS)]
        if ref.get("URI") in ids and ENVELOPED in transforms:
            return i
    raise _fail(SubIndication.FORMAT_FAILURE, "XML signature: no reference covers the whole list (TS 119 612 "
                                              "5.7.1 wants an enveloped signature over the document)")


def key_info_certificates(signature) -> list[Certificate]:
    """The certificates the signature carries in KeyInfo (for a self-check; they authenticate nothing)."""
    return _key_info_certificates(signature)


def _key_info_certificates(signature) -> list[Certificate]:
    from trustsvc.x509.load import load_certificate

    out = []
    for e in signature.findall("ds:KeyInfo/ds:X509Data/ds:X509Certificate", _NS):
        try:
            out.append(load_certificate(base64.b64decode("".join((e.text or "").split()))))
        except (ValueError, TrustsvcError):
            continue
    return out


def _algorithms(signature, covering: int) -> tuple[str, tuple[str, str], list[tuple[str, str]], list[str]]:
    """The signature method, every reference's digest method, and the digests that must resist collisions.

    Unknown algorithms are CRYPTO_CONSTRAINTS_FAILURE. The digests of the reference over the list and of the
    XAdES SignedProperties protect content and are judged by the policy; a digest of KeyInfo (a certificate
    the signature names, never trusted from there) needs no collision resistance, as TS 119 312 distinguishes,
    so an SHA-1 KeyInfo reference next to SHA-256 content references does not fail a list."""
    method = signature.find("ds:SignedInfo/ds:SignatureMethod", _NS)
    uri = (method.get("Algorithm") or "").strip() if method is not None else ""
    if uri not in SIGNATURE_METHODS:
        raise _fail(SubIndication.CRYPTO_CONSTRAINTS_FAILURE, f"XML signature: signature method {uri or '(none)'} "
                                                               "is not supported")
    digests, judged = [], []
    for i, ref in enumerate(signature.findall("ds:SignedInfo/ds:Reference", _NS)):
        dm = ref.find("ds:DigestMethod", _NS)
        d = (dm.get("Algorithm") or "").strip() if dm is not None else ""
        if d not in DIGEST_METHODS:
            raise _fail(SubIndication.CRYPTO_CONSTRAINTS_FAILURE, f"XML signature: digest method {d or '(none)'} is "
                                                                   "not supported")
        digests.append((d, DIGEST_METHODS[d]))
        if i == covering or ref.get("Type") == SIGNED_PROPERTIES:
            judged.append(DIGEST_METHODS[d])
    return uri, SIGNATURE_METHODS[uri], digests, judged


def _policy_problem(policy: AlgorithmPolicy, cert: Certificate, hash_name: str, scheme: str,
                    judged: list[str], at: datetime | None) -> str | None:
    """TS 119 312: the hash and key of the signature, and each reference digest, acceptable when signed."""
    if at is None:
        return None
    key = load_public_key(cert.spki)
    problem = policy.check(SignatureAlgorithm(f"{hash_name}_{scheme}", hash_name, key.family, key.bits), at)
    if problem:
        return problem
    for digest in judged:
        until = policy.hash_until.get(digest, at)
        if until is not None and at >= until:
            return f"{digest} reference digests are not accepted for a list signed at {at.isoformat()}"
    return None


def _xades_verifier():
    """signxml's XAdES verifier, binding the signature to the certificate the first xades:Cert names.

    EN 319 132-1 5.2.2 (and XAdES 1.3.2 SigningCertificate): the first Cert identifies the signing
    certificate; further ones may name its issuers, which a list's KeyInfo need not carry. signxml wants every
    one to match a certificate at hand, which refuses lists whose signing tool named the whole chain."""
    from base64 import b64decode

    from signxml.algorithms import DigestAlgorithm, digest_algorithm_implementations
    from signxml.exceptions import InvalidDigest, InvalidInput
    from signxml.xades import XAdESVerifier

    class _Verifier(XAdESVerifier):
        def _verify_cert_digests(self, verify_result) -> None:
            props = self._find(verify_result.signed_xml, "xades:SignedSignatureProperties")
            nodes = [n for n in (self._find(props, "xades:SigningCertificate", require=False),
                                 self._find(props, "xades:SigningCertificateV2", require=False)) if n is not None]
            if len(nodes) != 1:
                raise InvalidInput("expected exactly one xades:SigningCertificate or xades:SigningCertificateV2")
            digest = self._find(self._find(nodes[0], "xades:Cert"), "xades:CertDigest")
            algorithm = DigestAlgorithm(self._find(digest, "DigestMethod").get("Algorithm"))
            value = b64decode(self._find(digest, "DigestValue").text or "")
            signing_cert = self.x509_cert  # the certificate verifying the signature (we always give it)
            if signing_cert is None or isinstance(signing_cert, str):
                raise InvalidInput("no signing certificate to bind the signature to")
            if value != signing_cert.fingerprint(digest_algorithm_implementations[algorithm]()):
                raise InvalidDigest("Digest mismatch for signing certificate digest")

    return _Verifier()


def _verify_with(data: bytes, cert: Certificate, xades: bool, method_uri: str, digests: list[tuple[str, str]],
                 at: datetime | None):
    from cryptography import x509 as cx509
    from signxml import DigestAlgorithm, SignatureConfiguration, SignatureMethod, XMLVerifier
    from signxml.xades import XAdESSignatureConfiguration

    # The algorithms were judged against the policy at the signing time already: let signxml accept exactly them.
    options = dict(expect_references=True, verification_time=at, location="./",
                   signature_methods=frozenset({SignatureMethod(method_uri)}),
                   digest_algorithms=frozenset(DigestAlgorithm(d) for d, _ in digests),
                   # KeyValue / DEREncodedKeyValue next to the certificate are not used: the given certificate is.
                   ignore_ambiguous_key_info=True)
    x509_cert = cx509.load_der_x509_certificate(cert.der)
    # No XSD check of the signature element: EU DSS does not refuse a list for schema trivia in it either (and
    # what the verification needs is checked by the verification itself).
    if xades:
        return _xades_verifier().verify(data, x509_cert=x509_cert, validate_schema=False,
                                      expect_config=XAdESSignatureConfiguration(**options))
    return XMLVerifier().verify(data, x509_cert=x509_cert, validate_schema=False,
                                expect_config=SignatureConfiguration(**options))


def _classify(exc: Exception) -> SubIndication:
    from signxml.exceptions import InvalidCertificate, InvalidDigest

    if isinstance(exc, InvalidDigest):
        return SubIndication.HASH_FAILURE
    if isinstance(exc, InvalidCertificate):  # signxml: the certificate is not valid at the verification time
        return SubIndication.OUT_OF_BOUNDS_NO_POE
    return SubIndication.SIG_CRYPTO_FAILURE


def verify_enveloped(root, certificates: Sequence[Certificate], *, at: datetime | None,
                     policy: AlgorithmPolicy = DEFAULT_POLICY, signing_time: datetime | None = None):
    """Verify `root`'s enveloped signature with one of `certificates` valid at `at`.

    Returns (the signed document as covered by the enveloped reference, the certificate that verified it);
    raises XmlSignatureError (an InvalidSignatureError) with the typed failure. With `signing_time`, the
    verified XAdES SigningTime must be that time (the caller chose `at` from it before it was verified)."""
    from signxml.exceptions import SignXMLException

    signature = the_signature(root)
    index = _whole_document_reference(signature, root)
    method_uri, (hash_name, scheme), digests, judged = _algorithms(signature, index)
    if not certificates:
        raise _fail(SubIndication.NO_CERTIFICATE_CHAIN_FOUND, "XML: no certificate to verify the signature with")
    xades = any(r.get("Type") == SIGNED_PROPERTIES for r in signature.findall("ds:SignedInfo/ds:Reference", _NS))
    data = etree.tostring(root)
    named = {c.der for c in _key_info_certificates(signature)}
    failures: list[tuple[SubIndication, str, Certificate]] = []
    # The certificate the signature names in KeyInfo is tried first (one verification instead of several).
    for cert in sorted(certificates, key=lambda c: c.der not in named):
        problem = _policy_problem(policy, cert, hash_name, scheme, judged, at)
        if problem:
            failures.append((SubIndication.CRYPTO_CONSTRAINTS_FAILURE, f"XML signature ({method_uri}): {problem} "
                                                                       "(ETSI TS 119 312)", cert))
            continue
        try:
            results = _verify_with(data, cert, xades, method_uri, digests, at)
        except (SignXMLException, etree.LxmlError, ValueError, TypeError, KeyError, AttributeError) as exc:
            failures.append((_classify(exc), f"XML signature does not verify with '{cert.subject_str}': {exc}", cert))
            continue
        results = results if isinstance(results, list) else [results]
        signed = results[index].signed_xml if index < len(results) else None
        if signed is None or signed.tag != root.tag:
            raise _fail(SubIndication.FORMAT_FAILURE, "XML signature: the enveloped reference does not cover the list")
        if signing_time is not None and _verified_signing_time(results) != signing_time:
            raise _fail(SubIndication.FORMAT_FAILURE, "XML signature: the signed SigningTime differs from the one "
                                                      "received")
        return signed, cert
    raise _best(failures, named, len(certificates))


def _verified_signing_time(results) -> datetime | None:
    for result in results:
        props = getattr(result, "signed_properties", None)  # signxml's XAdESVerifyResult: SignedSignatureProperties
        if props is not None:
            return _signing_time_of(props, "xades:SigningTime")
    return None


def _best(failures: list[tuple[SubIndication, str, Certificate]], named: set[bytes], given: int) -> XmlSignatureError:
    """The failure that says most: an altered list (a digest fails under the right key) before a wrong key."""
    for sub in (SubIndication.HASH_FAILURE, SubIndication.CRYPTO_CONSTRAINTS_FAILURE,
                SubIndication.OUT_OF_BOUNDS_NO_POE, SubIndication.NO_CERTIFICATE_CHAIN_FOUND):
        for s, detail, cert in failures:
            if s == sub:
                return _fail(sub, detail, cert)
    for s, detail, cert in failures:
        if cert.der in named:  # the certificate the signature names does not verify its value: broken signature
            return _fail(SubIndication.SIG_CRYPTO_FAILURE, detail, cert)
    # Every given certificate failed the signature value itself: none of them signed the list.
    detail = failures[-1][1] if failures else "no certificate verified it"
    return _fail(SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
                 f"XML signature does not verify with any of the {given} certificate(s) given ({detail})")


__all__ = ["DIGEST_METHODS", "SIGNATURE_METHODS", "XmlSignatureError", "claimed_signing_time", "key_info_certificates",
           "the_signature", "verify_enveloped"]
