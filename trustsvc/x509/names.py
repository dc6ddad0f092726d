"""RFC 5280 7.1 name keys and display strings from cryptography's parsed names, identical to asn1crypto's."""

from __future__ import annotations

import re

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.x509.name import _ASN1Type

# The comparison key must be the exact string asn1crypto's `Name.hashable` gives (CRLs, trust lists
# and OCSP compare against it), so this module only takes the cases it can reproduce bit for bit
# and answers None for everything else; callers then fall back to asn1crypto.

_NAME_OF = dict(asn1_x509.NameType._map)  # dotted OID -> asn1crypto attribute name
_LABEL_OF = {oid: asn1_x509.NameType(name).human_friendly for oid, name in _NAME_OF.items()}

# Attribute types whose asn1crypto spec is DirectoryString (RFC 5280 4.1.2.4) and the string types
# that decode to the same text in both libraries. T61String is decoded differently (cp1252 vs
# latin-1) outside ASCII, UniversalString is rare: both go to the fallback.
_DIRECTORY_STRING = frozenset(
    oid for oid, name in _NAME_OF.items()
    if asn1_x509.NameTypeAndValue._oid_specs.get(name) is asn1_x509.DirectoryString
)
# Tuples, not sets: membership then compares enum members by identity, where a set would call Enum.__hash__.
_SAME_TEXT = (_ASN1Type.PrintableString, _ASN1Type.UTF8String, _ASN1Type.IA5String, _ASN1Type.BMPString,
              _ASN1Type.T61String)
_ASCII_ONLY = (_ASN1Type.PrintableString, _ASN1Type.IA5String, _ASN1Type.T61String)

# RFC 4518 2 string preparation restricted to ASCII: map (controls removed, whitespace to space),
# case fold (A-Z only), NFKC and the prohibit/bidi steps are no-ops on ASCII.
_ASCII_PREP = {c: None for c in [*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F]}
_ASCII_PREP.update({c: " " for c in (0x09, 0x0A, 0x0B, 0x0C, 0x0D)})
_ASCII_PREP.update({c: c + 32 for c in range(0x41, 0x5B)})
_SPACES = re.compile(" +")
_full_prep = asn1_x509.NameTypeAndValue._ldap_string_prep


def _prep(value: str) -> str:
    """RFC 4518 insignificant-space and case handling, exactly as asn1crypto's `prepped_value`."""
    if value.isascii():
        # Printable ASCII has nothing to map but A-Z: lower() is the whole of steps 2-3.
        v = value.lower() if value.isprintable() else value.translate(_ASCII_PREP)
        v = v.strip()
        return " " + (_SPACES.sub("  ", v) if "  " in v else v.replace(" ", "  ")) + " "
    return _full_prep(None, value)


# dotted OID -> asn1crypto attribute name, for the DirectoryString attribute types only
_DIRECTORY_STRING_NAME = {oid: _NAME_OF[oid] for oid in _DIRECTORY_STRING}


def name_facts(name: x509.Name) -> tuple[str, list[str], list[list[tuple[str, str]]]] | None:
    """(comparison key, per-RDN keys, values for `display`) of `name`, or None to use asn1crypto instead."""
    rdn_keys = []
    values = []
    for rdn in name.rdns:
        atvs = []
        prepped = {}
        for atv in rdn:
            oid = atv.oid.dotted_string
            kind = atv._type
            value = atv.value
            attr = _DIRECTORY_STRING_NAME.get(oid)
            if attr is None or kind not in _SAME_TEXT or not isinstance(value, str):
                return None
            if kind in _ASCII_ONLY and not value.isascii():
                return None
            atvs.append((oid, value))
            # asn1crypto RelativeDistinguishedName.hashable: one prepared value per type, sorted by type
            prepped[attr] = _prep(value)
        values.append(atvs)
        if len(prepped) == 1:
            ((k, v),) = prepped.items()
            rdn_keys.append(k + ": " + v)
        else:
            rdn_keys.append("\x1f".join(f"{k}: {prepped[k]}" for k in sorted(prepped)))
    return "\x1e".join(rdn_keys), rdn_keys, values


def display(values: list[list[tuple[str, str]]]) -> str:
    """asn1crypto `Name.human_friendly` of the values `name_facts` returned: labels in order of first
    use, repeated types grouped."""
    data: dict[str, object] = {}
    last = None
    for atvs in values:
        for oid, v in atvs:
            label = last = _LABEL_OF[oid]
            if label in data:
                data[label] = [data[label], v]
            else:
                data[label] = v
    keys = list(data)
    if last == "Country":
        keys.reverse()
    parts = [f"{k}: {_humanize(data[k])}" for k in keys]
    sep = "; " if any("," in p for p in parts) else ", "
    return sep.join(parts[::-1])


def _humanize(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(reversed([_humanize(v) for v in value]))
    return str(value)


def asn1_rdn_keys(name: asn1_x509.Name) -> list[str]:
    """[RelativeDistinguishedName.hashable, ...] of an asn1crypto name, with the ASCII fast path of `_prep`."""
    out = []
    for rdn in name.chosen:
        prepped = {}
        for ntv in rdn:
            value = ntv["value"].native
            if not isinstance(value, str):
                return [r.hashable for r in name.chosen]  # asn1crypto's own answer (or its error)
            prepped[ntv["type"].native] = _prep(value)
        out.append("\x1f".join(f"{k}: {prepped[k]}" for k in sorted(prepped)))
    return out
