"""Trusted lists shaped like the published ones, signed the way their publishers sign them.

An independent minimal XAdES-BES enveloped signer (lxml C14N + cryptography, not signxml): two references
(the list through enveloped-signature + exclusive C14N, and the SignedProperties), the signer certificate in
KeyInfo, any signature method TS 119 612 lists use (RSA PKCS#1 v1.5 with SHA-1..SHA-512, RSA-PSS/MGF1, ECDSA
on NIST and brainpool curves). Tests vary what real lists vary (prefixes, BOM, whitespace, algorithms,
signature count, empty optional elements) and check the importer against it.
"""

from __future__ import annotations

import base64
import copy
from datetime import datetime, timedelta, timezone

from cryptography import x509 as cx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from lxml import etree

from trustsvc.x509 import Certificate, load_certificate

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
MORE = "http://www.w3.org/2001/04/xmldsig-more#"
MORE07 = "http://www.w3.org/2007/05/xmldsig-more#"
HASHES = {"sha1": (hashes.SHA1, DS + "sha1"), "sha256": (hashes.SHA256, "http://www.w3.org/2001/04/xmlenc#sha256"),
          "sha384": (hashes.SHA384, MORE + "sha384"),
          "sha512": (hashes.SHA512, "http://www.w3.org/2001/04/xmlenc#sha512")}


def method_uri(scheme: str, hash_name: str) -> str:
    if scheme == "rsa":
        return DS + "rsa-sha1" if hash_name == "sha1" else f"{MORE}rsa-{hash_name}"
    if scheme == "ecdsa":
        return f"{MORE}ecdsa-{hash_name}"
    return f"{MORE07}{hash_name}-rsa-MGF1"  # RSA-PSS, RFC 6931 2.3.10


def make_key(kind: str):
    if kind.startswith("rsa"):
        return rsa.generate_private_key(65537, int(kind[3:] or 2048))
    return ec.generate_private_key({"p256": ec.SECP256R1(), "p384": ec.SECP384R1(),
                                    "bp256": ec.BrainpoolP256R1(), "bp384": ec.BrainpoolP384R1()}[kind])


def make_cert(key, cn: str = "TL signer", *, not_before=datetime(2010, 1, 1, tzinfo=timezone.utc),
              years: int = 25) -> Certificate:
    name = cx.Name([cx.NameAttribute(NameOID.COUNTRY_NAME, "ZZ"), cx.NameAttribute(NameOID.COMMON_NAME, cn)])
    der = (cx.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
           .serial_number(cx.random_serial_number()).not_valid_before(not_before)
           .not_valid_after(not_before + timedelta(days=365 * years))
           .add_extension(cx.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
           .sign(key, hashes.SHA256()).public_bytes(Encoding.DER))
    return load_certificate(der)


def _c14n(node) -> bytes:
    return etree.tostring(node, method="c14n", exclusive=True, with_comments=False)


def _digest(data: bytes, hash_name: str) -> str:
    h = hashes.Hash(HASHES[hash_name][0]())
    h.update(data)
    return base64.b64encode(h.finalize()).decode()


def _sign_bytes(key, scheme: str, hash_name: str, data: bytes) -> bytes:
    algo = HASHES[hash_name][0]()
    if scheme == "ecdsa":
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(algo)))
        size = (key.curve.key_size + 7) // 8
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")  # XMLDSig: r || s, not DER
    if scheme == "pss":
        return key.sign(data, padding.PSS(mgf=padding.MGF1(algo), salt_length=algo.digest_size), algo)
    return key.sign(data, padding.PKCS1v15(), algo)


def _e(parent, ns: str, tag: str, text: str | None = None, **attrib):
    e = etree.SubElement(parent, f"{{{ns}}}{tag}", attrib)
    e.text = text
    return e


def sign(xml: bytes, key, cert: Certificate, *, scheme: str = "rsa", hash_name: str = "sha256",
         signing_time: str = "2019-09-04T08:00:00Z", cert_text: str | None = None,
         chain: tuple[Certificate, ...] = (), props_transform: bool = True) -> bytes:
    """Enveloped XAdES-BES over `xml` as published lists are signed (two references, exclusive C14N)."""
    root = etree.fromstring(xml)
    sig = _e(root, DS, "Signature", Id="sig-1")
    si = _e(sig, DS, "SignedInfo")
    _e(si, DS, "CanonicalizationMethod", Algorithm=EXC_C14N)
    _e(si, DS, "SignatureMethod", Algorithm=method_uri(scheme, hash_name))
    ref = _e(si, DS, "Reference", Id="ref-list", URI="")
    tr = _e(ref, DS, "Transforms")
    _e(tr, DS, "Transform", Algorithm=DS + "enveloped-signature")
    _e(tr, DS, "Transform", Algorithm=EXC_C14N)
    _e(ref, DS, "DigestMethod", Algorithm=HASHES[hash_name][1])
    list_digest = _e(ref, DS, "DigestValue")
    pref = _e(si, DS, "Reference", Type="http://uri.etsi.org/01903#SignedProperties", URI="#xades-sig-1")
    if props_transform:
        _e(_e(pref, DS, "Transforms"), DS, "Transform", Algorithm=EXC_C14N)
    _e(pref, DS, "DigestMethod", Algorithm=HASHES[hash_name][1])
    props_digest = _e(pref, DS, "DigestValue")
    value = _e(sig, DS, "SignatureValue")
    b64 = base64.b64encode(cert.der).decode()
    _e(_e(_e(sig, DS, "KeyInfo"), DS, "X509Data"), DS, "X509Certificate", cert_text or b64)
    qp = etree.SubElement(_e(sig, DS, "Object"), f"{{{XADES}}}QualifyingProperties", {"Target": "#sig-1"},
                          nsmap={"xades": XADES})
    sp = _e(qp, XADES, "SignedProperties", Id="xades-sig-1")
    ssp = _e(sp, XADES, "SignedSignatureProperties")
    _e(ssp, XADES, "SigningTime", signing_time)
    xcert = _e(_e(ssp, XADES, "SigningCertificate"), XADES, "Cert")
    c = _e(xcert, XADES, "CertDigest")
    _e(c, DS, "DigestMethod", Algorithm=HASHES["sha256"][1])
    _e(c, DS, "DigestValue", _digest(cert.der, "sha256"))
    serial = _e(xcert, XADES, "IssuerSerial")
    _e(serial, DS, "X509IssuerName", "CN=TL signer,C=ZZ")
    _e(serial, DS, "X509SerialNumber", str(cert.serial_number))
    for issuer in chain:  # XAdES SigningCertificate may name the issuers too (EN 319 132-1 5.2.2)
        extra = _e(_e(ssp.find(f"{{{XADES}}}SigningCertificate"), XADES, "Cert"), XADES, "CertDigest")
        _e(extra, DS, "DigestMethod", Algorithm=HASHES["sha256"][1])
        _e(extra, DS, "DigestValue", _digest(issuer.der, "sha256"))
    # TS 119 612 5.7.1 / XMLDSig 6.6.4: the list's digest is over the document without its signature.
    unsigned = copy.deepcopy(root)
    unsigned.remove(unsigned.find(f"{{{DS}}}Signature"))
    list_digest.text = _digest(_c14n(unsigned), hash_name)
    # XMLDSig 4.3.3.2: a reference without transforms is canonicalised with inclusive C14N 1.0, which renders
    # the namespaces in scope (the list's default namespace included).
    props = _c14n(sp) if props_transform else etree.tostring(sp, method="c14n", exclusive=False)
    props_digest.text = _digest(props, hash_name)
    value.text = base64.b64encode(_sign_bytes(key, scheme, hash_name, _c14n(si))).decode()
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def national_list(*, issued: str = "2019-09-04T08:00:00Z", territory: str | None = "ZZ", prefix: str = "",
                  version: int = 5, service_cert: Certificate | None = None, extra_service: str = "",
                  next_update: str | None = "2030-03-04T00:00:00Z", zoneless: bool = True,
                  backup_pointer: bool = True) -> bytes:
    """A national trusted list shaped like the published ones (default namespace unless `prefix`)."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="http://uri.etsi.org/02231/v2#"' if prefix else 'xmlns="http://uri.etsi.org/02231/v2#"'
    cert_b64 = base64.b64encode(service_cert.der).decode() if service_cert else ""
    territory_xml = f"<{p}SchemeTerritory>{territory}</{p}SchemeTerritory>" if territory else ""
    pointers = (f"<{p}PointersToOtherTSL><{p}OtherTSLPointer><{p}TSLLocation>http://backup.example.zz/tl.xml"
                f"</{p}TSLLocation><{p}AdditionalInformation><{p}TextualInformation xml:lang=\"en\">backup"
                f"</{p}TextualInformation></{p}AdditionalInformation></{p}OtherTSLPointer></{p}PointersToOtherTSL>"
                if backup_pointer else "")
    next_xml = (f"<{p}NextUpdate><{p}dateTime>{next_update}</{p}dateTime></{p}NextUpdate>" if next_update
                else f"<{p}NextUpdate/>")
    doc = f"""<?xml version="1.0" encoding="UTF-8"?>
<{p}TrustServiceStatusList {xmlns} xmlns:ns3="http://uri.etsi.org/01903/v1.3.2#" xmlns:ns4="http://uri.etsi.org/02231/v2/additionaltypes#" xmlns:ns5="http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/#" Id="TL-ZZ" TSLTag="http://uri.etsi.org/19612/TSLTag">
  <{p}SchemeInformation>
    <{p}TSLVersionIdentifier>{version}</{p}TSLVersionIdentifier>
    <{p}TSLSequenceNumber> 42 </{p}TSLSequenceNumber>
    <{p}TSLType>http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric</{p}TSLType>
    <{p}SchemeOperatorName><{p}Name xml:lang="fr">Autorité ZZ</{p}Name><{p}Name xml:lang="en">ZZ Supervisory Body</{p}Name></{p}SchemeOperatorName>
    <{p}SchemeOperatorAddress><{p}PostalAddresses><{p}PostalAddress xml:lang="en"><{p}StreetAddress>1 Main St</{p}StreetAddress><{p}Locality>Zedville</{p}Locality><{p}CountryName>zz</{p}CountryName></{p}PostalAddress></{p}PostalAddresses>
      <{p}ElectronicAddress><{p}URI xml:lang="en">mailto:tl@example.zz</{p}URI></{p}ElectronicAddress></{p}SchemeOperatorAddress>
    <{p}SchemeName><{p}Name xml:lang="en">ZZ:Trusted list including information related to the qualified trust service providers</{p}Name></{p}SchemeName>
    <{p}SchemeInformationURI><{p}URI xml:lang="en">https://example.zz/tl</{p}URI></{p}SchemeInformationURI>
    <{p}StatusDeterminationApproach>http://uri.etsi.org/TrstSvc/TrustedList/StatusDetn/EUappropriate</{p}StatusDeterminationApproach>
    <{p}SchemeTypeCommunityRules><{p}URI xml:lang="en">http://uri.etsi.org/TrstSvc/TrustedList/schemerules/EUcommon</{p}URI></{p}SchemeTypeCommunityRules>
    {territory_xml}
    <{p}PolicyOrLegalNotice><{p}TSLLegalNotice xml:lang="en">Legal notice</{p}TSLLegalNotice></{p}PolicyOrLegalNotice>
    <{p}HistoricalInformationPeriod>65535</{p}HistoricalInformationPeriod>
    {pointers}
    <{p}ListIssueDateTime>{issued}</{p}ListIssueDateTime>
    {next_xml}
    <{p}DistributionPoints><{p}URI>https://example.zz/tl.xml</{p}URI></{p}DistributionPoints>
  </{p}SchemeInformation>
  <{p}TrustServiceProviderList>
    <{p}TrustServiceProvider>
      <{p}TSPInformation><{p}TSPName><{p}Name xml:lang="de">Zed Vertrauensdienste</{p}Name></{p}TSPName><{p}TSPTradeName><{p}Name xml:lang="en">VATZZ-123</{p}Name></{p}TSPTradeName><{p}TSPAddress><{p}PostalAddresses/><{p}ElectronicAddress/></{p}TSPAddress><{p}TSPInformationURI/></{p}TSPInformation>
      <{p}TSPServices>
        <{p}TSPService>
          <{p}ServiceInformation>
            <{p}ServiceTypeIdentifier>
              http://uri.etsi.org/TrstSvc/Svctype/CA/QC
            </{p}ServiceTypeIdentifier>
            <{p}ServiceName><{p}Name xml:lang="en">Zed Qualified CA</{p}Name></{p}ServiceName>
            <{p}ServiceDigitalIdentity><{p}DigitalId><{p}X509Certificate>{cert_b64}</{p}X509Certificate></{p}DigitalId></{p}ServiceDigitalIdentity>
            <{p}ServiceStatus>http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted</{p}ServiceStatus>
            <{p}StatusStartingTime>2016-07-01T00:00:00{"" if zoneless else "Z"}</{p}StatusStartingTime>
            <{p}ServiceSupplyPoints/>
            <{p}ServiceInformationExtensions>
              <{p}Extension Critical="true"><ns5:Qualifications><ns5:QualificationElement><ns5:Qualifiers><ns5:Qualifier uri="http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/QCWithQSCD"/></ns5:Qualifiers><ns5:CriteriaList assert="atLeastOne"><ns5:PolicySet><ns5:PolicyIdentifier><ns3:Identifier Qualifier="OIDAsURN">urn:oid:1.2.3.4</ns3:Identifier></ns5:PolicyIdentifier></ns5:PolicySet></ns5:CriteriaList></ns5:QualificationElement></ns5:Qualifications></{p}Extension>
              <{p}Extension Critical="false"><{p}AdditionalServiceInformation><{p}URI xml:lang="en">http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/ForeSignatures</{p}URI></{p}AdditionalServiceInformation></{p}Extension>
              <{p}Extension Critical="false"><{p}ExtensionOID>1.2.276.0.76.4.74</{p}ExtensionOID><{p}ExtensionValue>oid_hba_enc</{p}ExtensionValue></{p}Extension>
            </{p}ServiceInformationExtensions>
          </{p}ServiceInformation>
          <{p}ServiceHistory>
            <{p}ServiceHistoryInstance>
              <{p}ServiceTypeIdentifier>http://uri.etsi.org/TrstSvc/Svctype/CA/QC</{p}ServiceTypeIdentifier>
              <{p}ServiceName><{p}Name xml:lang="en">Zed Qualified CA</{p}Name></{p}ServiceName>
              <{p}ServiceDigitalIdentity><{p}DigitalId><{p}X509SubjectName>CN=Zed</{p}X509SubjectName></{p}DigitalId></{p}ServiceDigitalIdentity>
              <{p}ServiceStatus>http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/undersupervision</{p}ServiceStatus>
              <{p}StatusStartingTime>2012-01-01T00:00:00Z</{p}StatusStartingTime>
            </{p}ServiceHistoryInstance>
          </{p}ServiceHistory>
        </{p}TSPService>
        <{p}TSPService>
          <{p}ServiceInformation>
            <{p}ServiceTypeIdentifier>http://example.zz/TrstSvc/Svctype/national-thing</{p}ServiceTypeIdentifier>
            <{p}ServiceName><{p}Name xml:lang="en">Zed national service</{p}Name></{p}ServiceName>
            <{p}ServiceDigitalIdentity><{p}DigitalId><{p}X509Certificate>{cert_b64}</{p}X509Certificate></{p}DigitalId></{p}ServiceDigitalIdentity>
            <{p}ServiceStatus>http://example.zz/Svcstatus/inaccord</{p}ServiceStatus>
            <{p}StatusStartingTime>2018-01-01T00:00:00Z</{p}StatusStartingTime>
            <{p}ServiceInformationExtensions>
              <{p}Extension Critical="true"><{p}ExtensionOID>1.2.3.99</{p}ExtensionOID></{p}Extension>
            </{p}ServiceInformationExtensions>
          </{p}ServiceInformation>
        </{p}TSPService>
        {extra_service}
      </{p}TSPServices>
    </{p}TrustServiceProvider>
  </{p}TrustServiceProviderList>
</{p}TrustServiceStatusList>"""
    return doc.encode()


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"


def sign_inclusive(xml: bytes, key, cert: Certificate, *, hash_name: str = "sha256",
                   key_info_hash: str = "sha1") -> bytes:
    """The other publisher shape (seen on the Peruvian list): inclusive C14N 1.0, three references (KeyInfo
    with its own digest method and no transform, SignedProperties with none, the list by its root Id with
    enveloped-signature + C14N), KeyValue next to the certificate, the XAdES namespace under another prefix."""
    root = etree.fromstring(xml)
    root_id = root.get("Id")
    sig = etree.SubElement(root, f"{{{DS}}}Signature", {"Id": "Signature-0"}, nsmap={"ds": DS, "etsi": XADES})
    si = _e(sig, DS, "SignedInfo", Id="Signature-SignedInfo-0")
    _e(si, DS, "CanonicalizationMethod", Algorithm=C14N)
    _e(si, DS, "SignatureMethod", Algorithm=method_uri("rsa", hash_name))
    kref = _e(si, DS, "Reference", URI="#signingCertificate-0")
    _e(kref, DS, "DigestMethod", Algorithm=HASHES[key_info_hash][1])
    key_info_digest = _e(kref, DS, "DigestValue")
    pref = _e(si, DS, "Reference", Type="http://uri.etsi.org/01903#SignedProperties", URI="#signedProperties-0")
    _e(pref, DS, "DigestMethod", Algorithm=HASHES[hash_name][1])
    props_digest = _e(pref, DS, "DigestValue")
    dref = _e(si, DS, "Reference", Id="refSignerDocument-0", URI=f"#{root_id}")
    tr = _e(dref, DS, "Transforms")
    _e(tr, DS, "Transform", Algorithm=DS + "enveloped-signature")
    _e(tr, DS, "Transform", Algorithm=C14N)
    _e(dref, DS, "DigestMethod", Algorithm=HASHES[hash_name][1])
    list_digest = _e(dref, DS, "DigestValue")
    value = _e(sig, DS, "SignatureValue", Id="signatureValue-0")
    key_info = _e(sig, DS, "KeyInfo", Id="signingCertificate-0")
    b64 = base64.b64encode(cert.der).decode()
    _e(_e(key_info, DS, "X509Data"), DS, "X509Certificate", "\n" + "\n".join(b64[i:i + 76] for i in range(0, len(b64), 76)) + "\n")
    numbers = key.public_key().public_numbers()
    rsa_value = _e(_e(key_info, DS, "KeyValue"), DS, "RSAKeyValue")
    _e(rsa_value, DS, "Modulus", base64.b64encode(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")).decode())
    _e(rsa_value, DS, "Exponent", base64.b64encode(numbers.e.to_bytes(3, "big")).decode())
    qp = _e(_e(sig, DS, "Object"), XADES, "QualifyingProperties", Target="#Signature-0")
    sp = _e(qp, XADES, "SignedProperties", Id="signedProperties-0")
    ssp = _e(sp, XADES, "SignedSignatureProperties")
    _e(ssp, XADES, "SigningTime", "2018-11-29T16:00:18-05:00")
    xcert = _e(_e(ssp, XADES, "SigningCertificate"), XADES, "Cert")
    c = _e(xcert, XADES, "CertDigest")
    _e(c, DS, "DigestMethod", Algorithm=HASHES["sha1"][1])
    _e(c, DS, "DigestValue", _digest(cert.der, "sha1"))
    serial = _e(xcert, XADES, "IssuerSerial")
    _e(serial, DS, "X509IssuerName", "CN=TL signer,C=ZZ")
    _e(serial, DS, "X509SerialNumber", str(cert.serial_number))

    def inclusive(node) -> bytes:
        return etree.tostring(node, method="c14n", exclusive=False, with_comments=False)

    unsigned = copy.deepcopy(root)
    unsigned.remove(unsigned.find(f"{{{DS}}}Signature"))
    list_digest.text = _digest(inclusive(unsigned), hash_name)
    key_info_digest.text = _digest(inclusive(key_info), key_info_hash)
    props_digest.text = _digest(inclusive(sp), hash_name)
    value.text = base64.b64encode(_sign_bytes(key, "rsa", hash_name, inclusive(si))).decode()
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
