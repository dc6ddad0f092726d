"""Inputs that crashed a parser before its guard (docs/reliability.md, "Crashes found and fixed")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from trustsvc.errors import InputFormatError, InvalidSignatureError
from trustsvc.x509 import load_certificate

from tests.fuzz.targets import run_one

HERE = Path(__file__).parent / "regressions"


@pytest.mark.parametrize("path", sorted(HERE.glob("*.bin")), ids=lambda p: p.name)
def test_saved_crashing_certificate_is_a_typed_error(path):
    # Mutated certificates whose DER made asn1crypto raise IndexError inside the forced parse.
    with pytest.raises(InputFormatError):
        load_certificate(path.read_bytes())


def test_xml_list_with_unknown_named_curve_in_key_value_is_rejected_typed(corpus):
    # signxml raised KeyError for an unknown dsig11:NamedCurve URI in KeyInfo.
    target = corpus.targets["trustlist.import_xml_pinned"]
    xml = re.sub(rb'NamedCurve URI="[^"]*"', b'NamedCurve URI="urn:oid:1.2.840.1.7"', target.seeds[0])
    assert xml != target.seeds[0]
    with pytest.raises(InvalidSignatureError):
        target.call(xml)
    assert run_one(target, xml) is None


def test_saved_inputs_pass_through_their_targets(corpus):
    for path in sorted(HERE.glob("*.bin")):
        name = path.name.split("-", 1)[0]
        assert run_one(corpus.targets[name], path.read_bytes()) is None


@pytest.mark.parametrize("path", sorted((HERE / "tokens").glob("*.bin")), ids=lambda p: p.name)
def test_saved_crashing_timestamp_tokens_pass_through(corpus, path):
    # Mutated tokens: an Accuracy asn1crypto could not read (AttributeError from the TLV reader) and a TSA
    # certificate with a constructed `critical` BOOLEAN (ValueError from asn1crypto's extension map).
    assert run_one(corpus.targets["validate_timestamp"], path.read_bytes()) is None
