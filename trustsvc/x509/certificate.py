"""A parsed certificate with the derived facts path building and validation need, computed once."""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable
from datetime import datetime

from asn1crypto import keys, x509
from asn1crypto import parser as asn1_parser
from cryptography import x509 as cx509
from cryptography.utils import CryptographyDeprecationWarning

from trustsvc import tlv
from trustsvc.cache import BoundedCache
from trustsvc.errors import InputFormatError
from trustsvc.x509.names import asn1_rdn_keys, display, name_facts
from trustsvc.x509.sm2 import SM2_CURVE_OID, normalise_sm2_spki

# SKI, keyUsage, basicConstraints, AKI (RFC 5280 4.2.1.1-3, 4.2.1.9): cheap to parse in full at load, and a
# malformed one would otherwise raise ValueError deep inside path building (found by tests/fuzz).
_EAGER_EXTENSIONS = frozenset({"2.5.29.14", "2.5.29.15", "2.5.29.19", "2.5.29.35"})
_PARSE_ERRORS = (ValueError, TypeError, KeyError, OverflowError, AttributeError, IndexError)  # IndexError: fuzz

# RFC 5280 4.1.2.2 wants positive serials, but such certificates exist and are judged, not refused.
warnings.filterwarnings("ignore", message="Parsed a serial number which wasn't positive",
                        category=CryptographyDeprecationWarning, module=__name__)
# cryptography warns on non-ASN.1 text in policy notices (real EU CA certificates): judged, not refused.
warnings.filterwarnings("ignore", message="Invalid ASN.1", category=CryptographyDeprecationWarning, module=__name__)
# cryptography warns on a wrong-length countryName (RFC 5280 A.1: 2 letters); the name is still compared by 7.1.
warnings.filterwarnings("ignore", message="Attribute's length must be", category=UserWarning, module=__name__)

# asn1crypto names of the keyUsage bits (RFC 5280 4.2.1.3), read from cryptography's KeyUsage.
_KU_BITS = (("digital_signature", "digital_signature"), ("content_commitment", "non_repudiation"),
            ("key_encipherment", "key_encipherment"), ("data_encipherment", "data_encipherment"),
            ("key_agreement", "key_agreement"), ("key_cert_sign", "key_cert_sign"), ("crl_sign", "crl_sign"))
_EXT_SPECS = {oid: x509.Extension._oid_specs[name] for oid, name in x509.ExtensionId._map.items()
              if name in x509.Extension._oid_specs}
_DSA_OID = "1.2.840.10040.4.1"


# RFC 5280 7.1 facts of a name by its DER: every leaf of a CA repeats the CA's subject as its issuer, so a
# busy service reads each issuer name once. Bounded (least recently used names go first).
_NAME_FACTS_MAX = 8192
_NAME_FACTS: BoundedCache[bytes, tuple | None] = BoundedCache("x509.name_facts", _NAME_FACTS_MAX)


def _name_facts_by_der(der: bytes, name: Callable[[], cx509.Name], keep: bool = True) -> tuple | None:
    """`name_facts` of the name encoded as `der`, memoised (when `keep`); `name()` builds cryptography's Name on a
    miss. The lists inside are shared between certificates: read-only."""
    facts = _NAME_FACTS.get(der)
    if facts is None:
        facts = name_facts(name())
        if facts is not None and keep:
            _NAME_FACTS.put(der, facts)
    return facts


def _tbs_fields(der: bytes) -> tuple[bytes, list[tlv.Tlv]]:
    """(TBSCertificate as received, its fields from serialNumber on: serialNumber, signature, issuer, validity,
    subject, subjectPublicKeyInfo, ...), split by asn1crypto's parser (RFC 5280 4.1); the DER was already accepted
    by cryptography."""
    tbs = asn1_parser.parse(asn1_parser.parse(der)[4], strict=False)
    fields = tlv.children(tbs[4])
    if fields and fields[0][0] == tlv.CONTEXT and fields[0][2] == 0:  # [0] EXPLICIT version
        fields = fields[1:]
    return tbs[3] + tbs[4], fields


def ber_problem(data: bytes, _depth: int = 0) -> str | None:
    """Why `data` is BER but not DER at the TLV level (indefinite or non-minimal lengths, a BOOLEAN other than
    00/FF, trailing bytes), or None. A cheap walk (X.690 10.1, 11.1): a re-encoding of a certificate must not
    pass as the certificate (other bytes, other hash, same signature)."""
    pos, end = 0, len(data)
    while pos < end:
        if _depth > 32:
            return "nested too deeply"
        tag = data[pos]
        pos += 1
        if tag & 0x1F == 0x1F:  # high tag number form
            while pos < end and data[pos] & 0x80:
                pos += 1
            pos += 1
        if pos >= end:
            return "truncated header"
        first = data[pos]
        pos += 1
        if first == 0x80:
            return "indefinite length"
        if first & 0x80:
            n = first & 0x7F
            raw = data[pos:pos + n]
            if len(raw) != n or n == 0:
                return "truncated length"
            length = int.from_bytes(raw, "big")
            if raw[0] == 0 or length < 0x80:
                return "length not in its shortest form"
            pos += n
        else:
            length = first
        if pos + length > end:
            return "length beyond the data"
        value = data[pos:pos + length]
        if tag == 0x01 and value not in (b"\x00", b"\xff"):
            return "BOOLEAN not 00 or FF"
        if tag & 0x20:
            inner = ber_problem(value, _depth + 1)
            if inner is not None:
                return inner
        pos += length
        if _depth == 0 and pos != end:
            return "bytes after the certificate"
    return None


class _lazy:  # noqa: N801 - functools.cached_property without its per-class lock (Python < 3.12): hot path
    """A computed attribute stored in the instance __dict__ on first access."""

    def __init__(self, fn) -> None:
        self.fn = fn
        self.name = fn.__name__
        self.__doc__ = fn.__doc__

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.fn(obj)
        return value


class Certificate:
    """An immutable X.509 certificate with cached derived facts.

    The DER is checked and parsed by cryptography's Rust parser (fast, strict); facts it does not
    expose come from asn1crypto, parsed lazily. A certificate cryptography refuses is parsed fully
    by asn1crypto instead, so odd but readable certificates still validate and garbage fails typed.
    """

    __slots__ = ("der", "_rs", "__dict__")

    def __init__(self, der: bytes, asn1: x509.Certificate | None = None, rs: cx509.Certificate | None = None) -> None:
        self.der = der
        self._rs = rs
        if asn1 is not None:
            self.__dict__["asn1"] = asn1

    @classmethod
    def from_der(cls, der: bytes) -> "Certificate":
        from trustsvc.x509.load import MAX_CERT_BYTES

        if len(der) > MAX_CERT_BYTES:
            raise InputFormatError(f"certificate: {len(der)} bytes exceeds the {MAX_CERT_BYTES}-byte limit")
        try:
            rs = cx509.load_der_x509_certificate(der)
            cert = cls(der, rs=rs)
            cert._load_fast()
            return cert
        except Exception:  # noqa: BLE001 - any refusal by the strict parser: let asn1crypto judge the bytes
            return cls._from_asn1(der)

    def _load_fast(self) -> None:
        """Read every fact validation needs on each path step now, so a malformed one fails at load."""
        rs = self._rs
        d = self.__dict__
        exts = {}
        critical = []
        for e in rs.extensions:  # parses every extension cryptography knows; duplicates raise
            oid = e.oid.dotted_string
            exts[oid] = e
            if e.critical:
                critical.append(oid)
        d["_exts"] = exts
        d["critical_extension_oids"] = frozenset(critical)
        d["tbs_der"], fields = _tbs_fields(self.der)
        d["_serial"], d["spki_der"] = fields[0][4], tlv.der(fields[5])
        d["_tbs_fields"] = fields  # read again by the RFC 5280 profile check (path/profile.py), without a re-parse
        # A CA's subject recurs as the issuer of every certificate it signs: memoised. An end entity's subject
        # seldom recurs: kept out of the memo, whose thousands of bidder names would only lengthen the garbage
        # collector's full passes (issue 21).
        bc = exts.get("2.5.29.19")
        facts = _name_facts_by_der(tlv.der(fields[4]), lambda: rs.subject, keep=bc is not None and bc.value.ca)
        if facts is not None:
            d["subject_key"], d["_subject_rdn_keys"], d["_subject_values"] = facts
        else:
            d["subject_key"] = self._lenient_name_key("subject", tlv.der(fields[4]), rs.subject)
        facts = _name_facts_by_der(tlv.der(fields[2]), lambda: rs.issuer)
        if facts is not None:
            d["issuer_key"], d["_issuer_rdn_keys"], d["_issuer_values"] = facts
        else:
            d["issuer_key"] = self._lenient_name_key("issuer", tlv.der(fields[2]), rs.issuer)
        d["not_before"] = rs.not_valid_before_utc
        d["not_after"] = rs.not_valid_after_utc

    def _asn1_name_key(self, attr: str) -> str:
        """A name outside the cases `name_facts` reproduces: asn1crypto decides, and must be able to."""
        asn1_name = getattr(self.asn1, attr)
        asn1_name.native
        return asn1_name.hashable

    def _lenient_name_key(self, attr: str, name_der: bytes, rs_name: cx509.Name) -> str:
        """asn1crypto's key, or, when its schema refuses a string type cryptography accepted (a UTF8String
        telephoneNumber where X.520 says PrintableString: real EU trusted-list signer certificates carry
        such names), the name compared by its encoding (RFC 5280 7.1 allows binary comparison) and shown
        as RFC 4514 text."""
        try:
            return self._asn1_name_key(attr)
        except _PARSE_ERRORS:
            self.__dict__[f"{attr}_str"] = rs_name.rfc4514_string()
            return "der:" + name_der.hex()

    @classmethod
    def _from_asn1(cls, der: bytes) -> "Certificate":
        problem = ber_problem(der)
        if problem is not None:  # cryptography's parser is DER-strict; asn1crypto's also reads BER
            raise InputFormatError(f"certificate: malformed, not DER ({problem}; RFC 5280 4.1 requires DER)")
        try:
            cert = x509.Certificate.load(der, strict=True)
            # Force the full parse of the fields we rely on so malformed input fails here, typed.
            tbs = cert["tbs_certificate"]
            tbs["version"].native
            tbs["serial_number"].native
            tbs["subject"].native
            tbs["issuer"].native
            tbs["validity"].native
            keys.PublicKeyInfo.load(normalise_sm2_spki(tbs["subject_public_key_info"].dump()))["algorithm"].native
            cert["signature_algorithm"].native
            cert["signature_value"].native
            for ext in tbs["extensions"]:
                ext["critical"].native  # asn1crypto reads it for every extension on first use (tests/fuzz)
                parsed = ext["extn_value"].parsed
                if parsed is not None and ext["extn_id"].dotted in _EAGER_EXTENSIONS:
                    parsed.native  # small values read on every path step parse lazily too (tests/fuzz)
            out = cls(der, cert)
            out.subject_key, out.issuer_key  # noqa: B018 - RFC 4518 preparation may refuse a name
        except _PARSE_ERRORS as exc:
            raise InputFormatError(f"certificate: malformed DER ({exc})") from None
        return out

    @_lazy
    def asn1(self) -> x509.Certificate:
        """The asn1crypto view (lazy: only parts that are read get parsed)."""
        return x509.Certificate.load(self.der, strict=True)

    # --- identity -----------------------------------------------------------------------
    @_lazy
    def sha256(self) -> str:
        return hashlib.sha256(self.der).hexdigest()

    @_lazy
    def subject(self) -> x509.Name:
        return self.asn1.subject

    @_lazy
    def issuer(self) -> x509.Name:
        return self.asn1.issuer

    @_lazy
    def subject_str(self) -> str:
        values = self.__dict__.get("_subject_values")
        return self.subject.human_friendly if values is None else display(values)

    @_lazy
    def issuer_str(self) -> str:
        values = self.__dict__.get("_issuer_values")
        return self.issuer.human_friendly if values is None else display(values)

    @_lazy
    def subject_key(self) -> str:
        """Normalised subject name (RFC 5280 7.1 comparison), for indexes."""
        return self.subject.hashable

    @_lazy
    def issuer_key(self) -> str:
        return self.issuer.hashable

    @_lazy
    def subject_rdn_keys(self) -> list[str]:
        """Normalised RDNs of the subject, in order (directoryName constraints, RFC 5280 4.2.1.10)."""
        cached = self.__dict__.get("_subject_rdn_keys")
        return cached if cached is not None else asn1_rdn_keys(self.subject)

    @_lazy
    def subject_email_addresses(self) -> list[str]:
        """emailAddress attributes of the subject DN (RFC 5280 4.2.1.10 applies rfc822Name constraints to them)."""
        if "_subject_values" in self.__dict__:
            return []  # the fast name path only takes DirectoryString attributes: no emailAddress here
        return [str(atv["value"].native) for rdn in self.subject.chosen for atv in rdn
                if atv["type"].dotted == "1.2.840.113549.1.9.1"]

    def derived(self, key: str, compute):
        """A fact another layer derives from this certificate alone (e.g. parsed name constraints), computed once."""
        memo = self.__dict__.get("_derived")
        if memo is None:
            memo = self.__dict__["_derived"] = {}
        if key not in memo:
            memo[key] = compute(self)
        return memo[key]

    @_lazy
    def serial_number(self) -> int:
        if self._rs is None:
            return self.asn1.serial_number
        # RFC 5280 4.1.2.2, from the TBS split at load: cryptography's getter warns again on every read of the
        # non-positive serials PKITS has.
        return int.from_bytes(self._serial, "big", signed=True)

    @_lazy
    def self_issued(self) -> bool:
        # RFC 5280 6.1: self-issued = subject and issuer names match (name comparison rules of 7.1)
        return self.subject_key == self.issuer_key

    # --- keys and signature ----------------------------------------------------------------
    @_lazy
    def spki(self) -> keys.PublicKeyInfo:
        if self.key_algorithm_oid == SM2_CURVE_OID:
            # An SM2 key under the bare SM2 OID (Tongsuo / OpenSSL 1.1.1 style) is read as its GM/T 0015 form.
            return keys.PublicKeyInfo.load(normalise_sm2_spki(self.asn1["tbs_certificate"]["subject_public_key_info"].dump()))
        return self.asn1.public_key

    @_lazy
    def spki_der(self) -> bytes:
        return self.asn1["tbs_certificate"]["subject_public_key_info"].dump()  # as received

    @_lazy
    def key_algorithm_oid(self) -> str:
        if self._rs is not None:
            return self._rs.public_key_algorithm_oid.dotted_string
        # Read by TLV: asn1crypto's typed SPKI cannot be built for the bare SM2 OID.
        spki = asn1_parser.parse(self.asn1["tbs_certificate"]["subject_public_key_info"].dump())
        return tlv.oid(tlv.constructed(tlv.children(spki[4])[0], tlv.SEQUENCE)[0])

    @_lazy
    def public_key(self):
        """The subject's key as a trustsvc PublicKey (raises the signature module's typed errors).

        DSA keys may need parameters inherited from the issuer (RFC 5280 6.1.4 (f)): use
        `trustsvc.path.signatures.certificate_key` on a path.
        """
        from trustsvc.x509.signature import load_certificate_public_key

        return load_certificate_public_key(self)

    @_lazy
    def tbs_der(self) -> bytes:
        # The signed bytes (RFC 5280 4.1.1.3). For certificates cryptography parsed, `_load_fast` stores them as
        # received (split by asn1crypto's parser): cheaper than `tbs_certificate_bytes`, which re-encodes its parse.
        return self.asn1["tbs_certificate"].dump()

    @_lazy
    def signature_algorithm(self):
        return self.asn1["signature_algorithm"]

    @_lazy
    def signature_algorithm_oid(self) -> str:
        if self._rs is not None:
            return self._rs.signature_algorithm_oid.dotted_string
        return self.signature_algorithm["algorithm"].dotted

    @_lazy
    def signature(self) -> bytes:
        if self._rs is not None:
            return self._rs.signature
        return self.asn1["signature_value"].native

    @_lazy
    def ski(self) -> bytes | None:
        if self._rs is not None:
            e = self._exts.get("2.5.29.14")
            return None if e is None else e.value.digest
        return self.asn1.key_identifier

    @_lazy
    def aki(self) -> bytes | None:
        if self._rs is not None:
            e = self._exts.get("2.5.29.35")
            return None if e is None else e.value.key_identifier
        return self.asn1.authority_key_identifier

    # --- extensions (RFC 5280 4.2), parsed once ----------------------------------------------
    @_lazy
    def version(self) -> int:
        if self._rs is not None:
            return self._rs.version.value + 1
        return self.asn1["tbs_certificate"]["version"].native and int(self.asn1["tbs_certificate"]["version"].native[1:]) or 1

    @_lazy
    def extensions(self) -> dict[str, tuple[bool, object]]:
        """Extension OID (dotted) -> (critical, parsed asn1crypto value)."""
        out: dict[str, tuple[bool, object]] = {}
        for ext in self.asn1["tbs_certificate"]["extensions"]:
            out[ext["extn_id"].dotted] = (bool(ext["critical"].native), ext["extn_value"].parsed)
        return out

    def has_extension(self, oid: str) -> bool:
        return oid in (self._exts if self._rs is not None else self.extensions)

    @_lazy
    def critical_extension_oids(self) -> frozenset[str]:
        if self._rs is not None:
            return frozenset(oid for oid, e in self._exts.items() if e.critical)
        return frozenset(oid for oid, (crit, _v) in self.extensions.items() if crit)

    def ext(self, oid: str):
        """The parsed (asn1crypto) value of extension `oid`, or None."""
        if self._rs is None:
            item = self.extensions.get(oid)
            return None if item is None else item[1]
        e = self._exts.get(oid)
        if e is None:
            return None
        spec = _EXT_SPECS.get(oid)
        if isinstance(e.value, cx509.UnrecognizedExtension):  # cryptography keeps these as the signed bytes
            return spec.load(e.value.value) if spec is not None else None
        # Known to cryptography: read the signed bytes through asn1crypto rather than re-encode cryptography's
        # parse, which is not always faithful (e.g. it drops the `unused` bit of DistributionPoint reasons).
        return self._asn1_extensions[oid]["extn_value"].parsed

    @_lazy
    def _asn1_extensions(self) -> dict:
        return {ext["extn_id"].dotted: ext for ext in self.asn1["tbs_certificate"]["extensions"]}

    @_lazy
    def is_ca(self) -> bool:
        if self._rs is not None:
            e = self._exts.get("2.5.29.19")
            return e is not None and e.value.ca
        bc = self.ext("2.5.29.19")
        return bool(bc is not None and bc["ca"].native)

    @_lazy
    def path_len_constraint(self) -> int | None:
        if self._rs is not None:
            e = self._exts.get("2.5.29.19")
            return None if e is None else e.value.path_length
        bc = self.ext("2.5.29.19")
        return None if bc is None else bc["path_len_constraint"].native

    @_lazy
    def key_usage(self) -> frozenset[str] | None:
        if self._rs is not None:
            e = self._exts.get("2.5.29.15")
            if e is None:
                return None
            ku = e.value
            names = {name for attr, name in _KU_BITS if getattr(ku, attr)}
            if ku.key_agreement:  # encipherOnly / decipherOnly are defined only with keyAgreement
                names.update(n for n in ("encipher_only", "decipher_only") if getattr(ku, n))
            return frozenset(names)
        ku = self.ext("2.5.29.15")
        return None if ku is None else frozenset(ku.native)

    @_lazy
    def extended_key_usage(self) -> frozenset[str] | None:
        if self._rs is not None:
            e = self._exts.get("2.5.29.37")
            return None if e is None else frozenset(p.dotted_string for p in e.value)
        eku = self.ext("2.5.29.37")
        return None if eku is None else frozenset(p.dotted for p in eku)

    def crypto_extension(self, oid: str):
        """cryptography's parsed value of extension `oid`, or None (absent, or certificate parsed by asn1crypto)."""
        if self._rs is None:
            return None
        e = self._exts.get(oid)
        return None if e is None else e.value

    @_lazy
    def policies(self) -> dict[str, list] | None:
        """certificatePolicies: policy OID -> qualifiers (native), or None when absent."""
        if self._rs is not None:
            e = self._exts.get("2.5.29.32")
            if e is None:
                return None
            infos = e.value
            if all(info.policy_qualifiers is None for info in infos):  # qualifiers: asn1crypto's native form below
                return {info.policy_identifier.dotted_string: [] for info in infos}
        cp = self.ext("2.5.29.32")
        if cp is None:
            return None
        out: dict[str, list] = {}
        for info in cp:
            quals = info["policy_qualifiers"]
            out[info["policy_identifier"].dotted] = quals.native if quals else []
        return out

    @_lazy
    def policy_mappings(self) -> list[tuple[str, str]] | None:
        pm = self.ext("2.5.29.33")
        if pm is None:
            return None
        return [(m["issuer_domain_policy"].dotted, m["subject_domain_policy"].dotted) for m in pm]

    @_lazy
    def policy_constraints(self) -> tuple[int | None, int | None]:
        """(requireExplicitPolicy, inhibitPolicyMapping) skip counts."""
        if self._rs is not None:
            e = self._exts.get("2.5.29.36")
            return (None, None) if e is None else (e.value.require_explicit_policy, e.value.inhibit_policy_mapping)
        pc = self.ext("2.5.29.36")
        if pc is None:
            return (None, None)
        return (pc["require_explicit_policy"].native, pc["inhibit_policy_mapping"].native)

    @_lazy
    def inhibit_any_policy(self) -> int | None:
        if self._rs is not None:
            e = self._exts.get("2.5.29.54")
            return None if e is None else e.value.skip_certs
        v = self.ext("2.5.29.54")
        return None if v is None else v.native

    @_lazy
    def name_constraints(self):
        return self.ext("2.5.29.30")

    @_lazy
    def subject_alt_names(self) -> list:
        if self._rs is not None and "2.5.29.17" not in self._exts:
            return []
        san = self.ext("2.5.29.17")
        return [] if san is None else list(san)

    @_lazy
    def has_revocation_pointers(self) -> bool:
        """A non-empty cRLDistributionPoints (RFC 5280 4.2.1.13) or an authorityInfoAccess (4.2.2.1) extension."""
        if self._rs is not None:
            cdp = self._exts.get("2.5.29.31")  # parsed (and checked) by cryptography at load
            return (cdp is not None and len(cdp.value) > 0) or "1.3.6.1.5.5.7.1.1" in self._exts
        return bool(self.crl_distribution_points) or "1.3.6.1.5.5.7.1.1" in self.extensions

    @_lazy
    def crl_distribution_points(self) -> list | None:
        cdp = self.ext("2.5.29.31")
        return None if cdp is None else list(cdp)

    # --- validity -------------------------------------------------------------------------
    @_lazy
    def not_before(self) -> datetime:
        return self.asn1["tbs_certificate"]["validity"]["not_before"].native

    @_lazy
    def not_after(self) -> datetime:
        return self.asn1["tbs_certificate"]["validity"]["not_after"].native

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Certificate) and other.der == self.der

    def __hash__(self) -> int:
        return hash(self.der)

    def __repr__(self) -> str:
        return f"<Certificate {self.subject_str!r} serial={self.serial_number:x}>"
