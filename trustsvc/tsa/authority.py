"""A time-stamping authority (RFC 3161): a certificate, its key, a clock and a serial source answer requests.

`TimeStampAuthority.respond(request_der) -> TimeStampResp DER` never raises for a bad request: it
answers with status rejection and the PKIFailureInfo bit RFC 3161 2.4.2 names. The serial numbers
come from an injected source (the service database in `trustsvc tsa serve` and the API's /tsa), so
they stay unique and increasing across restarts and worker processes.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Sequence

from trustsvc.cms.builder import DEMO_TSA_POLICY, load_private_key, make_timestamp_token
from trustsvc.cms.timestamp import tsa_certificate_problem
from trustsvc.errors import InputFormatError
from trustsvc.tsa.protocol import TSARejection, granted, parse_request, rejection
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.load import load_certificate, load_certificates

log = logging.getLogger(__name__)

# serial_source(tsa_sha256, gen_time, hash_name, imprint, policy) -> serial number
SerialSource = Callable[[str, datetime, str, bytes, str], int]


class _MemorySerials:
    """Serials for tests and one-process use: increasing from 1 within the process, nothing kept."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0

    def __call__(self, *_args: Any) -> int:
        with self._lock:
            self._last += 1
            return self._last


@dataclass
class TimeStampAuthority:
    cert: Certificate
    key: Any
    chain: Sequence[Certificate] = ()
    policy: str = DEMO_TSA_POLICY
    accuracy_seconds: int = 1
    serials: SerialSource = field(default_factory=_MemorySerials)
    clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)

    def __post_init__(self) -> None:
        # RFC 3161 2.3: a TSA certificate has exactly one, critical, extended key usage: timeStamping.
        problem = tsa_certificate_problem(self.cert)
        if problem:
            raise InputFormatError(f"TSA certificate {self.cert.subject_str}: {problem}")

    @classmethod
    def from_files(cls, cert: Path, key: Path, chain: Sequence[Path] = (), **kw: Any) -> "TimeStampAuthority":
        certs = [c for p in chain for c in load_certificates(Path(p).read_bytes())]
        tsa_cert = load_certificate(Path(cert).read_bytes())
        return cls(tsa_cert, load_private_key(Path(key).read_bytes()),
                   chain=[c for c in certs if c != tsa_cert and not c.self_issued], **kw)

    def respond(self, request_der: bytes) -> bytes:
        """One TimeStampReq in, one TimeStampResp out (granted, or rejection with the reason)."""
        try:
            query = parse_request(request_der, accepted_policies=(self.policy,))
        except TSARejection as rej:
            return rejection(rej.fail_info, rej.text)
        gen_time = self.clock().astimezone(timezone.utc).replace(microsecond=0)
        try:
            serial = self.serials(self.cert.sha256, gen_time, query.hash_name, query.digest, self.policy)
            token = make_timestamp_token(
                query.digest, query.hash_name, self.cert, self.key, gen_time=gen_time, serial=serial,
                policy=self.policy, nonce=query.nonce, chain=self.chain, include_certs=query.cert_req,
                accuracy={"seconds": self.accuracy_seconds})
        except Exception:  # the database or the signing key failed: the client is told, the log has the cause
            log.exception("timestamp not issued")
            return rejection("system_failure", "the TSA could not issue a timestamp now")
        return granted(token)


def database_serials(engine: Any) -> SerialSource:
    """Serials from the service database's issued-token log (trustsvc/store/tsa.py)."""
    from trustsvc.store.tsa import next_serial

    def allocate(tsa_sha256: str, gen_time: datetime, hash_name: str, imprint: bytes, policy: str) -> int:
        return next_serial(engine, tsa_sha256=tsa_sha256, gen_time=gen_time, imprint_algorithm=hash_name,
                           imprint=imprint, policy=policy)

    return allocate


__all__ = ["SerialSource", "TimeStampAuthority", "database_serials"]
