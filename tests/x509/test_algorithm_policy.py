"""The algorithm policy judges algorithms and key sizes at the time the signature was made."""

from datetime import datetime, timezone

from trustsvc.x509 import AlgorithmPolicy, DEFAULT_POLICY
from trustsvc.x509.signature import SignatureAlgorithm


def at(y: int) -> datetime:
    return datetime(y, 6, 1, tzinfo=timezone.utc)


def test_sha1_accepted_before_2016_rejected_after():
    used = SignatureAlgorithm("sha1_rsa", "sha1", "rsa", 2048)
    assert DEFAULT_POLICY.check(used, at(2011)) is None
    reason = DEFAULT_POLICY.check(used, at(2017))
    assert reason and "sha1" in reason and "2016-01-01" in reason


def test_rsa_1024_rejected_after_its_date_2048_accepted():
    assert DEFAULT_POLICY.check(SignatureAlgorithm("sha256_rsa", "sha256", "rsa", 1024), at(2011)) is None
    assert "RSA-1024" in DEFAULT_POLICY.check(SignatureAlgorithm("sha256_rsa", "sha256", "rsa", 1024), at(2026))
    assert DEFAULT_POLICY.check(SignatureAlgorithm("sha256_rsa", "sha256", "rsa", 2048), at(2026)) is None


def test_md5_and_unknown_hash_rejected():
    assert DEFAULT_POLICY.check(SignatureAlgorithm("md5_rsa", "md5", "rsa", 2048), at(2011))
    assert "not allowed" in DEFAULT_POLICY.check(SignatureAlgorithm("x", "whirlpool", "rsa", 2048), at(2011))


def test_sm2_ed25519_accepted():
    assert DEFAULT_POLICY.check(SignatureAlgorithm("sm2_sm3", "sm3", "sm2", 256), at(2026)) is None
    assert DEFAULT_POLICY.check(SignatureAlgorithm("ed25519", None, "ed25519", 256), at(2026)) is None


def test_policy_is_configurable():
    strict = AlgorithmPolicy(hash_until={"sha256": None}, key_size_until={"ec": ((384, None),)})
    assert strict.check(SignatureAlgorithm("sha256_ecdsa", "sha256", "ec", 256), at(2026))
    assert strict.check(SignatureAlgorithm("sha256_ecdsa", "sha256", "ec", 384), at(2026)) is None
