"""A trust-list service may declare `profile: lenient` (RFC 5280 profile, docs/path.md); paths to it are then judged
lenient and the report names the declaration."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.trustlist.conftest import T0, svc
from trustsvc.errors import TrustsvcError
from trustsvc.trustlist.model import _service_from_dict


def test_profile_round_trips_and_is_absent_by_default(pki):
    plain = svc("HK CA", pki.hk_root, ("granted", T0 - timedelta(days=1)))
    d = plain.to_dict()
    assert "profile" not in d  # lists signed before the field existed keep their canonical form
    assert _service_from_dict(d).profile is None
    lenient = _service_from_dict({**d, "profile": "lenient"})
    assert lenient.profile == "lenient" and lenient.to_dict()["profile"] == "lenient"


def test_unknown_profile_is_refused(pki):
    d = svc("HK CA", pki.hk_root, ("granted", T0 - timedelta(days=1))).to_dict()
    with pytest.raises(TrustsvcError, match="profile"):
        _service_from_dict({**d, "profile": "relaxed"})
