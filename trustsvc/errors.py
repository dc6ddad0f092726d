"""The small hierarchy of typed errors raised by the trustsvc core."""

from __future__ import annotations


class TrustsvcError(Exception):
    """Base of every error trustsvc raises on purpose."""


class InputFormatError(TrustsvcError, ValueError):
    """Bytes that are not what they claim to be (garbage DER, wrong PEM label, bad base64)."""


class UnsupportedAlgorithmError(TrustsvcError):
    """A signature or key algorithm trustsvc does not know; carries the OID."""

    def __init__(self, oid: str, what: str = "algorithm") -> None:
        super().__init__(f"unsupported {what} {oid}")
        self.oid = oid


class InvalidSignatureError(TrustsvcError):
    """A signature that does not verify under the given key."""


class UnusableKeyError(TrustsvcError):
    """A public key that cannot be used (malformed point, missing DSA parameters, ...)."""


KeyError_ = UnusableKeyError  # the old name, kept for callers outside the package


class PathError(TrustsvcError):
    """Base of the path layer's own exceptions: a candidate path failed (`PathValidationError`), a name is outside
    the constraints, the policy graph or the work budget ran out. Each carries enough to become a `Failure`."""


def reason_of(exc: BaseException, what: str) -> str:
    """The message of `exc` without a leading "`what`: ": loaders name their field themselves, and callers that name
    it again (API problem details, CLI errors) would otherwise say "certificate: certificate: ..."."""
    return str(exc).removeprefix(f"{what}: ")
