"""HTTP(S) fetching of CRLs and OCSP responses with httpx: SSRF guard, pinning, time-outs, size limits."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin

import httpx

from trustsvc.errors import TrustsvcError
from trustsvc.revocation.ssrf import FetchRefused, ResolvedTarget, SSRFGuard

__all__ = ["FetchError", "FetchFailed", "FetchRefused", "FetchTimeout", "FetchTooLarge", "Fetcher", "MAX_CRL_BYTES",
           "MAX_OCSP_BYTES"]

MAX_CRL_BYTES = 10 * 1024 * 1024
MAX_OCSP_BYTES = 64 * 1024


class FetchError(TrustsvcError):
    """A revocation fetch that produced no usable bytes; `reason` is shown in reports."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"fetching {url}: {reason}")
        self.url = url
        self.reason = reason


class FetchTimeout(FetchError):
    """The server did not answer (or finish answering) within the time-out."""


class FetchTooLarge(FetchError):
    """The body exceeded the size limit (announced or streamed)."""


class FetchFailed(FetchError):
    """Connection refused, HTTP error status, too many redirects, ..."""


class _Watchdog:
    """A wall-clock deadline for the whole exchange (connect, status line, headers, body): each read has its
    own time-out, so a server dripping one byte per read would otherwise hold the fetch indefinitely. At the
    deadline the connection's socket is shut down, which wakes the blocked read (httpcore trace events hand
    us the socket)."""

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, seconds), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def trace(self, event: str, info: dict) -> None:
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if sock is not None:
                with self._lock:
                    self._sockets.append(sock)
                if self.fired:
                    self._shutdown()

    def _fire(self) -> None:
        self.fired = True
        self._shutdown()

    def _shutdown(self) -> None:
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cancel(self) -> None:
        self._timer.cancel()


@dataclass
class Fetcher:
    """Fetch bytes over http(s), one guarded and pinned connection per request.

    DNS-rebinding: the host is resolved ONCE by the guard, and the connection goes to that
    address (the URL is rewritten to the IP; the Host header and, for https, the TLS SNI and
    certificate hostname check keep the original name). Every redirect hop is re-checked.
    `timeout` bounds each connect/read and `deadline` the whole exchange (a slow drip of bytes
    cannot keep a worker busy forever).
    """

    guard: SSRFGuard = field(default_factory=SSRFGuard)
    timeout: float = 5.0
    deadline: float = 10.0
    max_redirects: int = 3
    user_agent: str = "trustsvc-revocation/1"
    transport: httpx.BaseTransport | None = None  # tests may inject one

    def get(self, url: str, *, max_bytes: int = MAX_CRL_BYTES, accept: str | None = None) -> bytes:
        return self._request("GET", url, None, None, max_bytes, accept)

    def post(self, url: str, body: bytes, *, content_type: str, max_bytes: int = MAX_OCSP_BYTES,
             accept: str | None = None) -> bytes:
        return self._request("POST", url, body, content_type, max_bytes, accept)

    def _request(self, method: str, url: str, body: bytes | None, content_type: str | None, max_bytes: int,
                 accept: str | None) -> bytes:
        started = time.monotonic()
        current = url
        for _hop in range(self.max_redirects + 1):
            target = self.guard.check(current)
            status, location, data = self._one(method, target, body, content_type, max_bytes, accept, started)
            if status in (301, 302, 303, 307, 308) and location:
                current = urljoin(current, location)
                if status == 303:
                    method, body, content_type = "GET", None, None
                continue
            if status != 200:
                raise FetchFailed(url, f"HTTP {status}")
            return data
        raise FetchFailed(url, f"more than {self.max_redirects} redirects")

    def _one(self, method: str, target: ResolvedTarget, body: bytes | None, content_type: str | None,
             max_bytes: int, accept: str | None, started: float) -> tuple[int, str | None, bytes]:
        parts = target.parts
        ip_host = f"[{target.address}]" if ":" in target.address else target.address
        default_port = 443 if parts.scheme == "https" else 80
        netloc = ip_host if target.port == default_port else f"{ip_host}:{target.port}"
        pinned = parts._replace(netloc=netloc).geturl()
        host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
        if ":" in target.host:
            host_header = f"[{target.host}]" + ("" if target.port == default_port else f":{target.port}")
        # identity: the size limit counts the bytes on the wire (no decompression bombs)
        headers = {"Host": host_header, "User-Agent": self.user_agent, "Accept-Encoding": "identity"}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        extensions: dict = {"sni_hostname": target.host} if parts.scheme == "https" else {}
        remaining = self.deadline - (time.monotonic() - started)
        if remaining <= 0:
            raise FetchTimeout(target.url, f"exceeded the {self.deadline}s deadline")
        timeout = httpx.Timeout(min(self.timeout, remaining))
        watchdog = _Watchdog(remaining)
        extensions["trace"] = watchdog.trace
        try:
            result = self._exchange(method, pinned, headers, body, extensions, timeout, target, max_bytes, started)
            if watchdog.fired:  # a close-delimited body cut at the deadline looks complete: it is not
                raise FetchTimeout(target.url, f"exceeded the {self.deadline}s deadline for the whole exchange")
            return result
        except (FetchFailed, FetchTimeout) as exc:
            if watchdog.fired:  # the connection was cut at the deadline, whatever the read made of it
                raise FetchTimeout(target.url, f"exceeded the {self.deadline}s deadline for the whole exchange") from None
            raise exc
        finally:
            watchdog.cancel()

    def _exchange(self, method: str, pinned: str, headers: dict, body: bytes | None, extensions: dict,
                  timeout: httpx.Timeout, target: ResolvedTarget, max_bytes: int,
                  started: float) -> tuple[int, str | None, bytes]:
        try:
            with httpx.Client(transport=self.transport, timeout=timeout, follow_redirects=False,
                              trust_env=False) as client:
                request = client.build_request(method, pinned, headers=headers, content=body, extensions=extensions)
                response = client.send(request, stream=True)
                try:
                    if response.status_code in (301, 302, 303, 307, 308):
                        return response.status_code, response.headers.get("location"), b""
                    if response.status_code != 200:
                        return response.status_code, None, b""
                    announced = response.headers.get("content-length")
                    if announced is not None and announced.isdigit() and int(announced) > max_bytes:
                        raise FetchTooLarge(target.url, f"announced {announced} bytes, limit {max_bytes}")
                    chunks: list[bytes] = []
                    size = 0
                    for chunk in response.iter_raw():
                        size += len(chunk)
                        if size > max_bytes:
                            raise FetchTooLarge(target.url, f"body exceeds the {max_bytes}-byte limit")
                        if time.monotonic() - started > self.deadline:
                            raise FetchTimeout(target.url, f"exceeded the {self.deadline}s deadline")
                        chunks.append(chunk)
                    return 200, None, b"".join(chunks)
                finally:
                    response.close()
        except httpx.TimeoutException as exc:
            raise FetchTimeout(target.url, f"timed out after {timeout.read:.2f}s ({type(exc).__name__})") from None
        except httpx.HTTPError as exc:
            raise FetchFailed(target.url, f"{type(exc).__name__}: {exc}") from None

