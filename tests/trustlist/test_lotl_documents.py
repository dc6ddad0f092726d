"""A LOTL set as a directory really holds it: several copies or issues of a list, some damaged, any file names.

The list a pointer names is the first candidate that verifies with the pointer's certificates (the one named
as the pointer's location first, then the other lists of that territory, newest first); among copies of the
newest LOTL issue, one that verifies is taken. Pivots are found by content, whatever their file names.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from trustsvc.trustlist.loader import TrustListRejected
from trustsvc.trustlist.lotl import load_lotl
from trustsvc.x509.load import load_certificates

DATA = Path(__file__).resolve().parents[1] / "data" / "interop" / "trust-lists"


def _read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def _latest():
    return load_certificates(_read("lotl-signer-latest.cert.pem"))


def test_a_damaged_copy_of_a_national_list_does_not_hide_the_good_one():
    damaged = _read("tsl-be-v6.xml").replace(b"Zetes TSP PKI certification authority",
                                             b"Zetes TSP PKI certification authoritx", 1)
    result = load_lotl([("eu-lotl.xml", _read("eu-lotl.xml")), ("aaa-be-copy.xml", damaged),
                        ("belgium.xml", _read("tsl-be-v6.xml")), ("tsl-ee.xml", _read("tsl-ee.xml"))],
                       signers=_latest())
    assert set(result.lists) == {"BE", "EE"} and result.problems == ()


def test_only_damaged_copies_leave_the_territory_out_with_the_reason():
    damaged = _read("tsl-ee.xml").replace(b"</TrustServiceProviderList>", b"</TrustServiceProviderList> ", 1)
    damaged = damaged.replace(b"Estonian", b"Estonlan", 1)
    result = load_lotl([("eu-lotl.xml", _read("eu-lotl.xml")), ("ee.xml", damaged)], signers=_latest())
    assert "EE" not in result.lists
    assert any(p.startswith("EE ") and "HASH_FAILURE" in p for p in result.problems)


def test_a_damaged_copy_of_the_lotl_does_not_hide_the_authentic_one():
    damaged = _read("eu-lotl.xml").replace(b"European Commission", b"Europeam Commission", 1)
    result = load_lotl([("copy-of-lotl.xml", damaged), ("eu-lotl.xml", _read("eu-lotl.xml")),
                        ("tsl-ee.xml", _read("tsl-ee.xml"))], signers=_latest())
    assert result.lotl.trust_list.sequence_number == 388 and set(result.lists) == {"EE"}


def test_pivots_are_found_by_content_under_any_file_name():
    boot = load_certificates(_read("lotl-signer-bootstrap-0.cert.pem"))
    pivots = [(f"tl_pivot_{n}_mp.xml", _read(f"eu-lotl-pivot-{n}.xml")) for n in (282, 300, 335, 341)]
    result = load_lotl([("eu-lotl.xml", _read("eu-lotl.xml")), *pivots], signers=boot)
    assert result.pivots == (282, 300, 335, 341)
    # Saved as EU_LOTL_PIVOT_300.XML and the like: the pivot URIs find them by name, none "not available".
    saved = [(f"EU_LOTL_PIVOT_{n}.XML", _read(f"eu-lotl-pivot-{n}.xml")) for n in (282, 300, 335, 341)]
    result = load_lotl([("eu-lotl.xml", _read("eu-lotl.xml")), *saved], signers=boot)
    assert result.pivots == (282, 300, 335, 341)
    assert [p for p in result.problems if "not available" in p] == [
        p for p in result.problems if "pivot-378" in p]


@pytest.mark.parametrize("edit", ["altered", "two signatures"])
def test_an_altered_or_doubly_signed_lotl_is_rejected_without_walking_pivots(edit):
    lotl = _read("eu-lotl.xml")
    if edit == "altered":
        lotl = lotl.replace(b"European Commission", b"Europeam Commission", 1)
        expected = "HASH_FAILURE"
    else:
        i, j = lotl.index(b"<ds:Signature"), lotl.index(b"</ds:Signature>") + len(b"</ds:Signature>")
        lotl = lotl[:j] + lotl[i:j] + lotl[j:]
        expected = "FORMAT_FAILURE"
    pivots = [(f"eu-lotl-pivot-{n}.xml", _read(f"eu-lotl-pivot-{n}.xml")) for n in (282, 300, 335, 341)]
    with pytest.raises(TrustListRejected) as exc:
        load_lotl([("eu-lotl.xml", lotl), *pivots], signers=_latest())
    assert exc.value.code == "bad_signature" and expected in str(exc.value) and "pivot" not in str(exc.value)


def test_a_lotl_that_does_not_parse_is_malformed():
    with pytest.raises(TrustListRejected) as exc:
        load_lotl([("eu-lotl.xml", _read("eu-lotl.xml")[:50000])], signers=_latest())
    assert exc.value.code in ("malformed", "no_lotl")
