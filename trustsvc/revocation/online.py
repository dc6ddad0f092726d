"""FetchingRevocationSource: supplied material first, then trust-list supply points, then CDP / AIA URLs."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from asn1crypto import ocsp as asn1_ocsp

from trustsvc.errors import TrustsvcError
from trustsvc.revocation.cache import RevocationCache
from trustsvc.path.budget import check_limits
from trustsvc.revocation.fetch import MAX_CRL_BYTES, MAX_OCSP_BYTES, FetchError, Fetcher
from trustsvc.revocation.ocsp import build_ocsp_request
from trustsvc.revocation.ssrf import FetchRefused, SSRFGuard, system_resolver
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.load import load_crl

__all__ = ["FetchingRevocationSource", "Fetched", "SupplyPoints", "FetchProblem"]

# (cert, issuer, kind "crl"|"ocsp") -> URLs published for that issuer in the trust lists (preferred).
SupplyPoints = Callable[[Certificate, "Certificate | None", str], Sequence[str]]


@dataclass(frozen=True)
class FetchProblem:
    """Why revocation material for a certificate could not be obtained from one URL."""

    kind: str  # "crl" | "ocsp"
    url: str
    reason: str

    def __str__(self) -> str:
        return f"{self.kind.upper()} {self.url}: {self.reason}"


class Fetched(bytes):
    """DER bytes fetched from `source` (a URL): the report names where each piece of evidence came from."""

    source: str

    def __new__(cls, der: bytes, source: str) -> "Fetched":
        obj = super().__new__(cls, der)
        obj.source = source
        return obj


def _now() -> datetime:
    return datetime.now(timezone.utc)


def crl_urls(cert: Certificate) -> list[list[str]]:
    """The URLs of each CRL distribution point of `cert` (RFC 5280 4.2.1.13), one list per point."""
    out: list[list[str]] = []
    try:
        for dp in cert.asn1.crl_distribution_points:
            name = dp["distribution_point"]
            if name.name != "full_name":
                continue
            urls = [_uri(g) for g in name.chosen if g.name == "uniform_resource_identifier"]
            if urls:
                out.append(urls)
    except (ValueError, TypeError, KeyError):
        return out
    return out


def ocsp_urls(cert: Certificate) -> list[str]:
    """AIA id-ad-ocsp URLs (RFC 5280 4.2.2.1)."""
    try:
        aia = cert.asn1.authority_information_access_value
        if aia is None:
            return []
        return [_uri(d["access_location"]) for d in aia
                if d["access_method"].native == "ocsp" and d["access_location"].name == "uniform_resource_identifier"]
    except (ValueError, TypeError, KeyError):
        return []


def _uri(general_name) -> str:
    """A GeneralName URI as written (IA5String, RFC 5280 4.2.1.6): asn1crypto's IRI decoding drops the brackets of
    an IPv6 literal (RFC 3986 3.2.2) or fails on it."""
    return general_name.chosen.contents.decode("ascii", "replace")


class FetchingRevocationSource:
    """A `RevocationSource` that supplies CRLs / OCSP responses from the request, trust lists or the network.

    Order (DESIGN "Revocation"): material supplied with the request (or embedded in CMS) first;
    if none fits the certificate, the trust-list supply points for the issuer (`supply_points`),
    then the certificate's own CRL distribution points / AIA OCSP URLs. Every URL goes through
    the SSRF guard (`allow_networks` opens e.g. 127.0.0.0/8 for the demo responder). What could
    not be fetched is recorded per certificate: `problems_for(cert)` gives the reasons the
    validator reports as "revocation evidence missing". Fetched material is cached (parsed,
    until nextUpdate) and concurrent validations fetch each URL once.

    The source only gathers bytes; validating them (signatures, freshness at `at`) is the path
    engine's job (`check_ocsp_response`, `revocation/crl.py`).
    """

    def __init__(self, *, crls: Iterable[bytes] = (), ocsp_responses: Iterable[bytes] = (),
                 supply_points: SupplyPoints | None = None, fetcher: Fetcher | None = None,
                 cache: RevocationCache | None = None, allow_networks: Iterable[str] = (),
                 timeout: float = 5.0, deadline: float | None = None, max_crl_bytes: int = MAX_CRL_BYTES,
                 max_ocsp_bytes: int = MAX_OCSP_BYTES, fetch_crls: bool = True, fetch_ocsp: bool = True,
                 ocsp_hash: str = "sha1", resolver=None, clock: Callable[[], datetime] | None = None) -> None:
        self._supplied_crls = [bytes(c) for c in crls]
        self._supplied_ocsp = [bytes(o) for o in ocsp_responses]
        self._supply_points = supply_points
        self.fetcher = fetcher or Fetcher(guard=SSRFGuard.allowing(allow_networks, resolver or system_resolver),
                                          timeout=timeout, deadline=deadline if deadline is not None else 2 * timeout)
        self.cache = cache if cache is not None else RevocationCache(clock=clock)
        self.max_crl_bytes = max_crl_bytes
        self.max_ocsp_bytes = max_ocsp_bytes
        self.fetch_crls = fetch_crls
        self.fetch_ocsp = fetch_ocsp
        self.ocsp_hash = ocsp_hash
        self._clock = clock or _now
        self._problems: OrderedDict[str, list[FetchProblem]] = OrderedDict()
        self._problems_lock = threading.Lock()
        self._parsed_supplied_crls = None

    # --- problems (evidence missing, with reasons) ------------------------------------------
    def _record(self, cert: Certificate, problem: FetchProblem) -> None:
        with self._problems_lock:
            lst = self._problems.setdefault(cert.sha256, [])
            if problem not in lst:
                lst.append(problem)
            self._problems.move_to_end(cert.sha256)
            while len(self._problems) > 4096:
                self._problems.popitem(last=False)

    def problems_for(self, cert: Certificate) -> list[FetchProblem]:
        """Why revocation material for `cert` could not be fetched (SSRF refusals, time-outs, sizes...)."""
        with self._problems_lock:
            return list(self._problems.get(cert.sha256, ()))

    def reasons_for(self, cert: Certificate) -> list[str]:
        return [str(p) for p in self.problems_for(cert)]

    def _urls(self, cert: Certificate, issuer: Certificate | None, kind: str) -> list[str]:
        if self._supply_points is None:
            return []
        try:
            return list(self._supply_points(cert, issuer, kind))
        except Exception as exc:  # a broken supply-point callback must not break validation
            self._record(cert, FetchProblem(kind, "(trust-list supply points)", f"{type(exc).__name__}: {exc}"))
            return []

    # --- CRLs ---------------------------------------------------------------------------------
    def begin(self, cert: Certificate) -> None:
        """Forget what was refused for `cert` before: a validation about to fetch records it afresh."""
        with self._problems_lock:
            self._problems.pop(cert.sha256, None)

    def crls_for(self, cert: Certificate, issuer: Certificate | None) -> list[bytes]:
        parsed = self._supplied_crl_list()
        mine = [(der, crl) for der, crl in parsed if crl["tbs_cert_list"]["issuer"] == cert.issuer]
        if any(self._crl_fresh(crl, self._clock()) for _, crl in mine):
            return [der for der, _ in mine]  # a fresh supplied CRL from the issuer: no network
        out = [der for der, _ in mine] + [der for der, _ in parsed if (der, _) not in mine]
        if not self.fetch_crls:
            return out
        groups = [[u] for u in self._urls(cert, issuer, "crl")] + crl_urls(cert)
        seen: set[str] = set()
        for urls in groups:
            for url in urls:
                if url in seen:
                    continue
                seen.add(url)
                der = self._fetch_crl(cert, url)
                if der is not None:
                    if der not in out:
                        out.append(der)
                    break  # one URL per distribution point is enough
        return out

    def _supplied_crl_list(self):
        if self._parsed_supplied_crls is None:
            parsed = []
            for der in self._supplied_crls:
                try:
                    parsed.append((der, load_crl(der)))
                except (TrustsvcError, ValueError):
                    continue  # the path engine reports unusable supplied CRLs itself
            self._parsed_supplied_crls = parsed
        return self._parsed_supplied_crls

    @staticmethod
    def _crl_fresh(crl, now: datetime) -> bool:
        nu = crl["tbs_cert_list"]["next_update"].native
        return nu is not None and nu > now

    def _fetch_crl(self, cert: Certificate, url: str) -> bytes | None:
        if not url.lower().startswith(("http://", "https://")):
            self._record(cert, FetchProblem("crl", url, "only http(s) distribution points are fetched"))
            return None

        def load() -> tuple[tuple[bytes, object], datetime | None]:
            check_limits()  # a certificate may name any number of URLs: the request's limits stop the next fetch
            der = self.fetcher.get(url, max_bytes=self.max_crl_bytes, accept="application/pkix-crl")
            try:
                crl = load_crl(der)
            except (TrustsvcError, ValueError) as exc:
                raise FetchError(url, f"not a CRL ({exc})") from None
            return (der, crl), crl["tbs_cert_list"]["next_update"].native

        try:
            der, _crl = self.cache.get_or_load(("crl", url), load)
            return Fetched(der, url)
        except (FetchError, FetchRefused) as exc:
            self._record(cert, FetchProblem("crl", url, exc.reason))
        except TimeoutError as exc:
            self._record(cert, FetchProblem("crl", url, str(exc)))
        return None

    # --- OCSP ---------------------------------------------------------------------------------
    def ocsp_for(self, cert: Certificate, issuer: Certificate) -> list[bytes]:
        supplied = [der for der in self._supplied_ocsp if _mentions_serial(der, cert.serial_number)]
        if supplied or not self.fetch_ocsp:
            return supplied
        urls = list(dict.fromkeys(self._urls(cert, issuer, "ocsp") + ocsp_urls(cert)))
        for url in urls:
            der = self._fetch_ocsp(cert, issuer, url)
            if der is not None:
                return [der]
        return []

    def _fetch_ocsp(self, cert: Certificate, issuer: Certificate, url: str) -> bytes | None:
        if not url.lower().startswith(("http://", "https://")):
            self._record(cert, FetchProblem("ocsp", url, "only http(s) OCSP responders are contacted"))
            return None
        key_hash = hashlib.sha1(bytes(issuer.spki["public_key"].contents[1:])).hexdigest()

        def load() -> tuple[bytes, datetime | None]:
            # No nonce: responses stay cacheable (RFC 5019 2.1.1); freshness is judged on thisUpdate.
            request, _ = build_ocsp_request(cert, issuer, hash_algorithm=self.ocsp_hash, nonce=None)
            check_limits()  # as for CRLs: never one fetch deadline per URL past the request's limits
            der = self.fetcher.post(url, request, content_type="application/ocsp-request",
                                    max_bytes=self.max_ocsp_bytes, accept="application/ocsp-response")
            return der, _ocsp_next_update(url, der)

        try:
            return Fetched(self.cache.get_or_load(("ocsp", url, key_hash, cert.serial_number), load), url)
        except (FetchError, FetchRefused) as exc:
            self._record(cert, FetchProblem("ocsp", url, exc.reason))
        except TimeoutError as exc:
            self._record(cert, FetchProblem("ocsp", url, str(exc)))
        return None


def _ocsp_next_update(url: str, der: bytes) -> datetime | None:
    """Parse enough to cache: a successful basic response; its earliest nextUpdate (or None)."""
    try:
        resp = asn1_ocsp.OCSPResponse.load(der, strict=True)
        status = resp["response_status"].native
        if status != "successful":
            raise FetchError(url, f"OCSP responder said {status}")
        basic = resp["response_bytes"]["response"].parsed
        nexts = [s["next_update"].native for s in basic["tbs_response_data"]["responses"]]
    except FetchError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise FetchError(url, f"not an OCSP response ({exc})") from None
    nexts = [n for n in nexts if n is not None]
    return min(nexts) if nexts else None


def _mentions_serial(der: bytes, serial: int) -> bool:
    try:
        basic = asn1_ocsp.OCSPResponse.load(der)["response_bytes"]["response"].parsed
        return any(s["cert_id"]["serial_number"].native == serial for s in basic["tbs_response_data"]["responses"])
    except (ValueError, TypeError, KeyError, AttributeError):
        return False
