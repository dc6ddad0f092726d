"""A real HTTP OCSP responder and CRL server for the demo PKI on 127.0.0.1, with fault knobs for tests."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from asn1crypto import ocsp

from trustsvc.demo.revocation import (
    CRL_ISSUERS, RESPONDERS, Revoked, generate_key, issue_certificate, load_private_key, make_crl,
    make_ocsp_response, ocsp_error_response,
)
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.sm2 import SM2PrivateKey

__all__ = ["CAEntry", "ResponderKnobs", "OCSPResponderServer", "demo_revocation_source", "load_demo_cas",
           "start_demo_responder"]

MAX_REQUEST_BYTES = 16 * 1024


@dataclass
class CAEntry:
    """A CA the server answers for: its certificate and key, and an optional delegated responder."""

    cert: Certificate
    key: Any
    responder: Certificate | None = None
    responder_key: Any = None


@dataclass
class ResponderKnobs:
    """Behaviour switches, changeable while the server runs (tests flip them between requests)."""

    revoked: dict[int, Revoked] = field(default_factory=dict)  # serial -> revocation
    unknown: set[int] = field(default_factory=set)
    stale: bool = False  # thisUpdate/nextUpdate a week in the past
    wrong_key: bool = False  # sign with a key that is not the responder's
    no_eku: bool = False  # delegated responder certificate without id-kp-OCSPSigning
    delay: float = 0.0  # seconds before answering (time-out tests)
    down: bool = False  # drop the connection without an answer
    try_later: bool = False  # OCSPResponseStatus tryLater
    crl_padding: int = 0  # extra CRL entries (oversized CRL tests)
    validity: timedelta = timedelta(hours=1)  # nextUpdate - thisUpdate


def _key_hash(cert: Certificate, name: str) -> bytes:
    return hashlib.new(name, bytes(cert.spki["public_key"].contents[1:])).digest()


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet by default
        if self.server.owner.verbose:
            super().log_message(format, *args)

    def _prelude(self) -> bool:
        owner = self.server.owner
        owner._count(self.path)
        knobs = owner.knobs
        if knobs.delay:
            time.sleep(knobs.delay)
        if knobs.down:
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass
            return False
        return True

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass

    def do_GET(self) -> None:  # noqa: N802
        if not self._prelude():
            return
        owner = self.server.owner
        path = self.path.split("?", 1)[0]
        if path.startswith("/crl/") and path.endswith(".crl"):
            der = owner.crl(path[len("/crl/"):-len(".crl")])
            if der is None:
                self._send(404, b"no such CRL\n", "text/plain")
            else:
                self._send(200, der, "application/pkix-crl")
            return
        if path.startswith("/ocsp/") and len(path) > len("/ocsp/"):
            # RFC 6960 A.1: GET {url}/{url-encoding of base-64 encoding of the DER OCSPRequest}
            try:
                request = base64.b64decode(unquote(path[len("/ocsp/"):]), validate=False)
            except ValueError:
                self._send(400, b"bad request\n", "text/plain")
                return
            self._send(200, owner.answer(request), "application/ocsp-response")
            return
        self._send(404, b"not found\n", "text/plain")

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BYTES:
            self._send(413, b"too large\n", "text/plain")
            return
        body = self.rfile.read(length)
        if not self._prelude():
            return
        if not self.path.split("?", 1)[0].rstrip("/").startswith("/ocsp"):
            self._send(404, b"not found\n", "text/plain")
            return
        self._send(200, self.server.owner.answer(body), "application/ocsp-response")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: "OCSPResponderServer"

    def handle_error(self, request: Any, client_address: Any) -> None:
        # clients that time out or connections we drop on purpose ("down") are not news
        if self.owner.verbose:
            super().handle_error(request, client_address)


class OCSPResponderServer:
    """Serve `POST /ocsp`, `GET /ocsp/{b64}` (RFC 6960 A.1) and `GET /crl/{ca_id}.crl` for `cas`.

    `port=0` picks a free port (tests); `url` is then e.g. http://127.0.0.1:54321. `requests`
    counts requests per path (the single-flight test asserts on it).
    """

    def __init__(self, cas: dict[str, CAEntry], *, host: str = "127.0.0.1", port: int = 0,
                 knobs: ResponderKnobs | None = None, verbose: bool = False) -> None:
        self.cas = cas
        self.knobs = knobs or ResponderKnobs()
        self.verbose = verbose
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._httpd = _Server((host, port), _Handler)
        self._httpd.owner = self
        self._thread: threading.Thread | None = None
        self._no_eku_cache: dict[str, tuple[Certificate, Any]] = {}

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def crl_url(self, ca_id: str) -> str:
        return f"{self.url}/crl/{ca_id}.crl"

    def ocsp_url(self) -> str:
        return f"{self.url}/ocsp"

    def _count(self, path: str) -> None:
        with self._lock:
            self.requests[path.split("?", 1)[0]] += 1

    def start(self) -> "OCSPResponderServer":
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="ocsp-responder", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> "OCSPResponderServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- content --------------------------------------------------------------------------------
    def _times(self) -> tuple[datetime, datetime]:
        now = datetime.now(timezone.utc).replace(microsecond=0)
        if self.knobs.stale:
            now -= timedelta(days=7)
        return now, now + self.knobs.validity

    def crl(self, ca_id: str) -> bytes | None:
        ca = self.cas.get(ca_id)
        if ca is None:
            return None
        this_update, next_update = self._times()
        mine = [r for r in self.knobs.revoked.values()]
        return make_crl(ca.cert, ca.key, mine, this_update=this_update, next_update=next_update,
                        padding_entries=self.knobs.crl_padding)

    def _signer(self, ca_id: str, ca: CAEntry) -> tuple[Certificate, Any]:
        if self.knobs.no_eku:
            if ca_id not in self._no_eku_cache:
                key = generate_key("sm2" if isinstance(ca.key, SM2PrivateKey) else "ecdsa")
                now = datetime.now(timezone.utc)
                cert = issue_certificate(f"{ca.cert.subject_str} responder without EKU", key, ca.cert, ca.key,
                                         not_before=now - timedelta(days=30), not_after=now + timedelta(days=30),
                                         ocsp_signing=False, nocheck=True)
                self._no_eku_cache[ca_id] = (cert, key)
            return self._no_eku_cache[ca_id]
        if ca.responder is not None:
            return ca.responder, ca.responder_key
        return ca.cert, ca.key

    def answer(self, request_der: bytes) -> bytes:
        """The DER OCSPResponse for a DER OCSPRequest (first request in the list)."""
        if self.knobs.try_later:
            return ocsp_error_response("try_later")
        try:
            req = ocsp.OCSPRequest.load(request_der)
            tbs = req["tbs_request"]
            cid = tbs["request_list"][0]["req_cert"]
            hash_name = cid["hash_algorithm"]["algorithm"].native
            nonce = None
            for ext in tbs["request_extensions"] or []:
                if ext["extn_id"].native == "nonce":
                    nonce = ext["extn_value"].parsed.native
        except (ValueError, TypeError, KeyError, IndexError):
            return ocsp_error_response("malformed_request")
        for ca_id, ca in self.cas.items():
            try:
                ok = (cid["issuer_name_hash"].native == hashlib.new(hash_name, ca.cert.subject.dump()).digest()
                      and cid["issuer_key_hash"].native == _key_hash(ca.cert, hash_name))
            except (ValueError, TypeError):
                return ocsp_error_response("malformed_request")
            if not ok:
                continue
            serial = cid["serial_number"].native
            responder, key = self._signer(ca_id, ca)
            if self.knobs.wrong_key:
                key = generate_key("sm2" if isinstance(key, SM2PrivateKey) else "ecdsa")
            this_update, next_update = self._times()
            rev = self.knobs.revoked.get(serial)
            status = "unknown" if serial in self.knobs.unknown else ("revoked" if rev else "good")
            return make_ocsp_response(
                serial, ca.cert, responder, key, status=status, revocation_time=rev.time if rev else None,
                reason=rev.reason if rev else None, this_update=this_update, next_update=next_update,
                produced_at=this_update, nonce=nonce, cert_id_override=cid)
        return ocsp_error_response("unauthorized")  # RFC 6960 2.3: not authoritative for this CA


def load_demo_cas(demo_dir: Path) -> tuple[dict[str, CAEntry], ResponderKnobs]:
    """The CAs of a `trustsvc demo init` directory, their delegated responders and revocation.json."""
    demo_dir = Path(demo_dir)
    index = json.loads((demo_dir / "pki.json").read_text())
    entities = index["entities"]

    def load(eid: str) -> tuple[Certificate, Any]:
        e = entities[eid]
        return (Certificate.from_der((demo_dir / e["cert_der"]).read_bytes()),
                load_private_key((demo_dir / e["key"]).read_bytes()))

    cas: dict[str, CAEntry] = {}
    for ca_id in CRL_ISSUERS:
        if ca_id in entities:
            cert, key = load(ca_id)
            cas[ca_id] = CAEntry(cert, key)
    for rid, (ca_id, _alg) in RESPONDERS.items():
        if rid in entities and ca_id in cas:
            cas[ca_id].responder, cas[ca_id].responder_key = load(rid)
    knobs = ResponderKnobs()
    rev_file = demo_dir / "revocation.json"
    if rev_file.exists():
        data = json.loads(rev_file.read_text())
        for item in data.get("revoked", []):
            serial = int(str(item["serial"]), 0) if isinstance(item["serial"], str) else int(item["serial"])
            when = datetime.fromisoformat(item.get("time", "2026-01-01T00:00:00+00:00"))
            knobs.revoked[serial] = Revoked(serial, when, item.get("reason", "key_compromise"))
        knobs.unknown = {int(str(s), 0) if isinstance(s, str) else int(s) for s in data.get("unknown", [])}
    return cas, knobs


def demo_revocation_source(demo_dir: Path, base_url: str = "http://127.0.0.1:8081", **kwargs: Any):
    """The demo configuration: a FetchingRevocationSource that ALLOWS LOOPBACK and knows the demo responder.

    The demo CAs are given trust-list-style supply points on `base_url` (OCSP at /ocsp, CRLs at
    /crl/<ca>.crl), so demo certificates get fresh status even without AIA / CDP extensions.
    """
    from trustsvc.revocation.online import FetchingRevocationSource

    demo_dir = Path(demo_dir)
    index = json.loads((demo_dir / "pki.json").read_text())
    by_subject: dict[bytes, str] = {}
    for ca_id in CRL_ISSUERS:
        e = index["entities"].get(ca_id)
        if e:
            by_subject[Certificate.from_der((demo_dir / e["cert_der"]).read_bytes()).subject.dump()] = ca_id

    def supply_points(cert: Certificate, issuer: Certificate | None, kind: str) -> list[str]:
        ca_id = by_subject.get(cert.issuer.dump())
        if ca_id is None:
            return []
        return [f"{base_url}/ocsp"] if kind == "ocsp" else [f"{base_url}/crl/{ca_id}.crl"]

    kwargs.setdefault("allow_networks", ["127.0.0.0/8", "::1/128"])
    return FetchingRevocationSource(supply_points=supply_points, **kwargs)


def start_demo_responder(demo_dir: Path) -> tuple[OCSPResponderServer | None, str]:
    """Start the demo responder in a background thread where the demo certificates point (revocation.json
    `base_url`, a loopback URL such as http://127.0.0.1:8081). Returns (server or None, what happened)."""
    from urllib.parse import urlsplit

    demo_dir = Path(demo_dir)
    rev_file = demo_dir / "revocation.json"
    if not (demo_dir / "pki.json").exists() or not rev_file.exists():
        return None, f"no demo revocation data in {demo_dir}"
    base_url = json.loads(rev_file.read_text()).get("base_url") or "http://127.0.0.1:8081"
    parts = urlsplit(base_url)
    if parts.hostname not in ("127.0.0.1", "localhost") or parts.port is None:
        return None, f"demo responder URL {base_url} is not a loopback host:port; start it yourself"
    cas, knobs = load_demo_cas(demo_dir)
    try:
        server = OCSPResponderServer(cas, port=parts.port, knobs=knobs).start()
    except OSError as exc:  # e.g. `trustsvc demo ocsp-responder` already serves this port
        return None, f"demo responder not started on {base_url}: {exc.strerror or exc} (already running?)"
    return server, f"demo OCSP responder and CRLs on {base_url} ({len(knobs.revoked)} revoked serials)"
