"""Fuzz fixtures: one demo PKI per session and every parser/validator target wired to it."""

from __future__ import annotations

import pytest

from tests.fuzz.targets import Corpus, build_corpus


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> Corpus:
    return build_corpus(tmp_path_factory.mktemp("fuzz-demo"))
