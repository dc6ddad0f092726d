"""init_demo runs its steps in order (PKI, trust lists, bids, revocation) and writes what each adds to pki.json."""

from __future__ import annotations

import json


def test_every_step_adds_its_part_to_the_index_and_pki_json(demo_pki):
    out, index = demo_pki
    written = json.loads((out / "pki.json").read_text())
    assert written == index
    for part in ("entities", "trust_lists", "bids", "revocation"):
        assert index.get(part), part
    # What the index names exists on disk: the steps ran against the PKI the first step wrote.
    assert (out / index["trust_lists"]["lotl"]).is_file()
    assert (out / index["revocation"]["file"]).is_file()
    assert all((out / path).is_file() for path in index["trust_lists"]["lists"].values())
