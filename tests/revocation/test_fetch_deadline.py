"""Issue 14: the fetch deadline is wall-clock for the whole exchange, even against a server that drips the status
line or the headers one byte at a time (each read would meet its own time-out)."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from trustsvc.revocation.fetch import Fetcher, FetchTimeout
from trustsvc.revocation.ssrf import LOOPBACK_NETWORKS, SSRFGuard


def _dripping_server(payload: bytes, every: float) -> tuple[int, threading.Event]:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    stop = threading.Event()

    def serve() -> None:
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            with conn:
                try:
                    conn.recv(65536)
                    for b in payload:
                        if stop.is_set():
                            break
                        conn.sendall(bytes([b]))
                        time.sleep(every)
                except OSError:
                    pass
        srv.close()

    threading.Thread(target=serve, daemon=True).start()
    return srv.getsockname()[1], stop


@pytest.mark.parametrize("payload", [
    b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",  # the status line itself, one byte per 0.2 s
    b"HTTP/1.1 200 OK\r\n" + b"X-Pad: " + b"a" * 200 + b"\r\n\r\n",  # endless headers
    b"HTTP/1.0 200 OK\r\n\r\n" + b"z" * 500,  # a close-delimited body, dripped
])
def test_slow_drip_is_cut_at_the_deadline(payload):
    port, stop = _dripping_server(payload, 0.2)
    fetcher = Fetcher(guard=SSRFGuard.allowing(LOOPBACK_NETWORKS), timeout=1.0, deadline=1.5)
    started = time.monotonic()
    try:
        with pytest.raises(FetchTimeout):
            fetcher.get(f"http://127.0.0.1:{port}/crl")
    finally:
        stop.set()
    assert time.monotonic() - started < 3.0  # was 60 s for a 2 s deadline


def test_ipv6_literal_urls_keep_their_brackets():
    from asn1crypto import x509 as ax

    from tests.cms.pki import issue, new_key
    from trustsvc.revocation.online import crl_urls, ocsp_urls
    from trustsvc.x509.certificate import Certificate

    ent = issue("v6 CA", new_key("ecdsa"), None, ca=True)
    tbs = ax.TbsCertificate.load(ent.cert.asn1["tbs_certificate"].dump())
    crl, ocsp = "http://[2001:db8::1]:8080/ca.crl", "http://[2001:db8::2]/ocsp"
    tbs["extensions"] = [*tbs["extensions"],
                         {"extn_id": "crl_distribution_points", "critical": False, "extn_value": [
                             {"distribution_point": {"full_name": [_gn_uri(crl)]}}]},
                         {"extn_id": "authority_information_access", "critical": False, "extn_value": [
                             {"access_method": "ocsp", "access_location": _gn_uri(ocsp)}]}]
    cert = ax.Certificate({"tbs_certificate": tbs, "signature_algorithm": ent.cert.asn1["signature_algorithm"],
                           "signature_value": ent.cert.asn1["signature_value"]})
    parsed = Certificate.from_der(cert.dump())
    assert crl_urls(parsed) == [[crl]]
    assert ocsp_urls(parsed) == [ocsp]


def _gn_uri(url: str):
    """GeneralName [6] IA5String built from the raw bytes (asn1crypto's own IRI handling fails on IPv6 literals)."""
    from asn1crypto import x509 as ax

    raw = url.encode("ascii")
    return ax.GeneralName.load(bytes([0x86, len(raw)]) + raw)
