"""RFC 5280 6.1 basic path validation of one candidate path (trust anchor first), without revocation.

The state variables of 6.1.2 live in one small object; 6.1.3 (basic certificate processing), 6.1.4 (preparation
for the next certificate) and 6.1.5 (wrap-up) are one function each. The trust anchor's own constraints
(RFC 5937: validity, basicConstraints, keyUsage, nameConstraints, pathLenConstraint, critical extensions) and
the RFC 5280 4.1/4.2 profile of every certificate (`path/profile.py`) are enforced on the way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from trustsvc.errors import PathError
from trustsvc.failures import Failure
from trustsvc.path.budget import Budget
from trustsvc.path.name_constraints import NameConstraints, NameConstraintViolation, certificate_names
from trustsvc.path.policy_graph import ANY_POLICY, PolicyGraph, PolicyGraphTooLarge
from trustsvc.path.profile import Profile, findings
from trustsvc.path.signatures import SignatureError, certificate_key, dsa_params_of, verify_certificate_signature
from trustsvc.reports import Indication, SubIndication
from trustsvc.x509.algorithm_policy import DEFAULT_POLICY, AlgorithmPolicy
from trustsvc.x509.certificate import Certificate
from trustsvc.x509.signature import PublicKey

# RFC 5280 6.1.4 (o) / 6.1.5 (f): the extensions this engine processes.
KNOWN_EXTENSIONS = frozenset({
    "2.5.29.14", "2.5.29.15", "2.5.29.17", "2.5.29.18", "2.5.29.19", "2.5.29.30", "2.5.29.31", "2.5.29.32",
    "2.5.29.33", "2.5.29.35", "2.5.29.36", "2.5.29.37", "2.5.29.46", "2.5.29.54", "2.5.29.9",
    "1.3.6.1.5.5.7.1.1", "1.3.6.1.5.5.7.1.11", "1.3.6.1.5.5.7.48.1.5",
})


_DSA_OID = "1.2.840.10040.4.1"


class PathValidationError(PathError):
    """A candidate path is not valid: carries the EN 319 102-1 outcome and the certificate position."""

    def __init__(self, indication: Indication, sub: SubIndication, reason: str, position: int | None = None) -> None:
        super().__init__(reason)
        self.indication, self.sub_indication, self.reason, self.position = indication, sub, reason, position

    @property
    def failure(self) -> Failure:
        """This error as the core's typed failure value."""
        return Failure(self.indication, self.sub_indication, self.reason, position=self.position)


class PathKeys(Sequence[PublicKey]):
    """The working key of every position of a valid path, the end entity's own key last. That one is loaded on
    first read of the last position: revocation of the path's certificates needs only the issuers' keys, and a
    busy service validates a new leaf on almost every call (RFC 5280 6.1.4 (d)-(f) for DSA parameters)."""

    __slots__ = ("_issuers", "_end_entity", "_params", "_own")

    def __init__(self, issuers: list[PublicKey], end_entity: Certificate | None, params: object) -> None:
        self._issuers, self._end_entity, self._params = issuers, end_entity, params
        self._own: PublicKey | None = None

    def _end_entity_key(self) -> PublicKey:
        if self._own is None:
            try:
                self._own = certificate_key(self._end_entity, self._params)  # type: ignore[arg-type]
            except SignatureError:
                self._own = self._issuers[-1]  # an end-entity key we cannot load is not a path problem
        return self._own

    def __len__(self) -> int:
        return len(self._issuers) + (self._end_entity is not None)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("path key index out of range")
        return self._issuers[i] if i < len(self._issuers) else self._end_entity_key()


@dataclass
class PathResult:
    """What a valid path yields: per-position working keys (for CRL checks) and the policy outputs."""

    issuer_keys: list[PublicKey]  # working keys of positions 0 .. n-1
    authority_constrained_policy_set: set[str]
    user_constrained_policy_set: set[str]
    user_notices: list[str] = field(default_factory=list)
    end_entity_time_problem: PathValidationError | None = None
    end_entity: Certificate | None = None
    end_entity_params: object = None
    warnings: list[str] = field(default_factory=list)  # profile slips tolerated under `lenient`

    @cached_property
    def keys(self) -> PathKeys:
        """Working keys of every position, the end entity's last (loaded only when read)."""
        return PathKeys(self.issuer_keys, self.end_entity, self.end_entity_params)


def _who(i: int, cert: Certificate) -> str:
    return "trust anchor" + f" ({cert.subject_str})" if i == 0 else f"certificate {i} ({cert.subject_str})"


def _own_dsa_params(cert: Certificate):
    """DSA domain parameters in `cert`'s own key, if it is a DSA key that carries them (RFC 3279 2.3.2)."""
    return dsa_params_of(cert.spki) if cert.key_algorithm_oid == _DSA_OID else None


def _fail(sub: SubIndication, reason: str, i: int, ind: Indication = Indication.INDETERMINATE) -> PathValidationError:
    return PathValidationError(ind, sub, reason, i)


@dataclass(slots=True)
class _State:
    """RFC 5280 6.1.2 state variables (plus the inputs every step reads); slots: built once per candidate path."""

    n: int
    at: datetime
    budget: Budget
    algorithm_policy: AlgorithmPolicy
    sm2_id: bytes | None
    profile: Profile
    end_entity_expiry_fatal: bool
    graph: PolicyGraph
    explicit: int
    inhibit_any: int
    mapping: int
    working_key: PublicKey
    working_issuer: str
    params: object
    max_path_length: int
    keys: list[PublicKey]
    constraints: list[NameConstraints]
    warnings: list[str]
    deferred: list[tuple[int, str]]
    ee_time_problem: PathValidationError | None = None


def check_profile(cert: Certificate, i: int, profile: Profile, warnings: list[str],
                  deferred: list[tuple[int, str]] | None = None) -> None:
    """RFC 5280 4.1 / 4.2: raise FORMAT_FAILURE for a finding `profile` does not tolerate; note the rest.
    Findings that hold only if the path ends with a valid policy go to `deferred` (judged by `_judge_deferred`)."""
    found = findings(cert)
    if not found:
        return
    for f in found:
        if f.slip and profile is Profile.LENIENT:
            warnings.append(f"{_who(i, cert)}: {f.render()} [tolerated by the lenient profile]")
            continue
        if f.unless_policy and i != 0 and deferred is not None:
            deferred.append((i, f"{_who(i, cert)}: {f.render()} [profile {profile.value}, rule {f.rule}]"))
            continue
        if f.tolerated or (f.anchor_only and i != 0):
            warnings.append(f"{_who(i, cert)}: {f.render()} [tolerated]")
            continue
        raise _fail(SubIndication.FORMAT_FAILURE, f"{_who(i, cert)}: {f.render()} [profile {profile.value}, rule {f.rule}]", i)


def target_profile_problem(cert: Certificate, profile: Profile | str | None) -> str | None:
    """Why the strict (or given) profile refuses `cert` as the target of a path, or None: for a target no path
    could be built to, so the report names the rule it breaks (an empty issuer name chains to nothing)."""
    try:
        check_profile(cert, 1, Profile.of(profile), [], [])
    except PathValidationError as exc:
        return exc.reason.replace(_who(1, cert), f"end entity ({cert.subject_str})", 1)
    return None


def _judge_deferred(s: "_State", authority: set[str]) -> None:
    """RFC 5280 4.2.1.11 (pc-critical outside the anchor): tolerated with a warning when the path ends with a valid
    policy (the constraint held); FORMAT_FAILURE naming the certificate when it ends with none."""
    for i, text in s.deferred:
        if not authority:
            raise _fail(SubIndication.FORMAT_FAILURE, f"{text}; the path carries no valid policy", i)
        s.warnings.append(f"{text.partition(' [profile')[0]} [tolerated: the path carries a valid policy]")


def _unknown_critical(cert: Certificate, i: int) -> None:
    # RFC 5280 6.1.4 (o) / 6.1.5 (f) / RFC 5937 3: unrecognised critical extensions
    unknown = cert.critical_extension_oids - KNOWN_EXTENSIONS
    if unknown:
        raise _fail(SubIndication.CHAIN_CONSTRAINTS_FAILURE,
                    f"{_who(i, cert)}: unrecognised critical extension(s) {sorted(unknown)} (RFC 5280 6.1.4 (o))", i)


def _check_anchor(anchor: Certificate, n: int, at: datetime) -> None:
    """RFC 5280 6.1.1 (d) with RFC 5937: the constraints an anchor given as a certificate puts on the path."""
    # Validity at the validation time: an expired root is not an anchor then (RFC 5937 3.1).
    if at < anchor.not_before:
        raise _fail(SubIndication.NOT_YET_VALID,
                    f"{_who(0, anchor)} is not valid before {anchor.not_before.isoformat()} (RFC 5937 3.1)", 0)
    if at > anchor.not_after:
        raise _fail(SubIndication.OUT_OF_BOUNDS_NO_POE,
                    f"{_who(0, anchor)} expired at {anchor.not_after.isoformat()} (RFC 5937 3.1)", 0)
    _unknown_critical(anchor, 0)
    if n == 0:
        return  # the target itself is trusted: it vouches for nothing below it
    # RFC 5280 4.2.1.9 / 6.1.4 (k) on the anchor: a v3 anchor must be a CA
    if anchor.version >= 3 and not anchor.is_ca:
        raise _fail(SubIndication.CHAIN_CONSTRAINTS_FAILURE,
                    f"{_who(0, anchor)} is not a CA certificate (basicConstraints, RFC 5937 3.2)", 0)
    # RFC 5280 4.2.1.3 / 6.1.4 (n) on the anchor
    if anchor.key_usage is not None and "key_cert_sign" not in anchor.key_usage:
        raise _fail(SubIndication.CHAIN_CONSTRAINTS_FAILURE, f"{_who(0, anchor)}: keyUsage lacks keyCertSign (RFC 5937 3.2)", 0)


def _initialise(path: list[Certificate], *, at: datetime, explicit_policy: bool, policy_mapping_inhibit: bool,
                any_policy_inhibit: bool, budget: Budget, algorithm_policy: AlgorithmPolicy, sm2_id: bytes | None,
                profile: Profile, end_entity_expiry_fatal: bool) -> _State:
    """RFC 5280 6.1.2 initialisation, with the anchor's own constraints (RFC 5937) folded in."""
    anchor = path[0]
    n = len(path) - 1
    warnings: list[str] = []
    check_profile(anchor, 0, profile, warnings)
    _check_anchor(anchor, n, at)
    try:
        working_key = certificate_key(anchor, None)
    except SignatureError as exc:
        raise _fail(SubIndication.NO_CERTIFICATE_CHAIN_FOUND, f"trust anchor key unusable: {exc}", 0) from None
    max_path_length = n
    plc = anchor.path_len_constraint if n else None
    if plc is not None:
        max_path_length = min(n, plc)  # RFC 5937 3.2: the anchor's pathLenConstraint bounds the path
    state = _State(
        n=n, at=at, budget=budget, algorithm_policy=algorithm_policy, sm2_id=sm2_id, profile=profile,
        end_entity_expiry_fatal=end_entity_expiry_fatal, graph=PolicyGraph(),
        explicit=0 if explicit_policy else n + 1, inhibit_any=0 if any_policy_inhibit else n + 1,
        mapping=0 if policy_mapping_inhibit else n + 1, working_key=working_key, working_issuer=anchor.subject_key,
        params=_own_dsa_params(anchor), max_path_length=max_path_length, keys=[working_key], constraints=[],
        warnings=warnings, deferred=[])
    if n and anchor.has_extension("2.5.29.30"):
        state.constraints.append(NameConstraints.of(anchor))  # RFC 5937 3.3: the anchor's nameConstraints apply
    return state


def _process_certificate(cert: Certificate, i: int, s: _State) -> None:
    """RFC 5280 6.1.3 basic certificate processing of certificate i."""
    last = i == s.n
    check_profile(cert, i, s.profile, s.warnings, s.deferred)
    # 6.1.3 (a)(1) signature
    try:
        used = verify_certificate_signature(cert, s.working_key, s.budget, sm2_id=s.sm2_id)
    except SignatureError as exc:
        raise _fail(SubIndication.SIG_CRYPTO_FAILURE,
                    f"{_who(i, cert)}: signature invalid: {exc} (RFC 5280 6.1.3 (a)(1))", i, Indication.FAILED) from None
    problem = s.algorithm_policy.check(used, s.at)
    if problem:
        raise _fail(SubIndication.CRYPTO_CONSTRAINTS_FAILURE, f"{_who(i, cert)}: {problem}", i)
    # 6.1.3 (a)(2) validity
    err = None
    if s.at < cert.not_before:
        err = _fail(SubIndication.NOT_YET_VALID,
                    f"{_who(i, cert)} is not valid before {cert.not_before.isoformat()} (RFC 5280 6.1.3 (a)(2))", i)
    elif s.at > cert.not_after:
        err = _fail(SubIndication.OUT_OF_BOUNDS_NO_POE,
                    f"{_who(i, cert)} expired at {cert.not_after.isoformat()} (RFC 5280 6.1.3 (a)(2))", i)
    if err is not None:
        if not last or s.end_entity_expiry_fatal:
            raise err
        s.ee_time_problem = err
    # 6.1.3 (a)(4) name chaining
    if cert.issuer_key != s.working_issuer:
        raise _fail(SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
                    f"{_who(i, cert)}: issuer name does not chain (RFC 5280 6.1.3 (a)(4))", i)
    # 6.1.3 (b), (c) name constraints (not for self-issued intermediates)
    if s.constraints and (last or not cert.self_issued):
        names = certificate_names(cert)
        for nc in s.constraints:
            nc.check(names, s.budget)
    # 6.1.3 (d), (e) certificate policies
    s.graph.process_certificate(cert.policies, any_allowed=s.inhibit_any > 0 or (not last and cert.self_issued))
    # 6.1.3 (f)
    if s.explicit == 0 and s.graph.null:
        raise _fail(SubIndication.CHAIN_CONSTRAINTS_FAILURE,
                    f"{_who(i, cert)}: no valid policy and explicit policy required (RFC 5280 6.1.3 (f))", i)


def _prepare_next(cert: Certificate, i: int, s: _State) -> None:
    """RFC 5280 6.1.4 preparation for certificate i + 1."""
    # 6.1.4 (a) / (b) policy mappings
    mappings = cert.policy_mappings
    if mappings:
        if any(ANY_POLICY in m for m in mappings):
            raise _fail(SubIndication.CHAIN_CONSTRAINTS_FAILURE,
                        f"{_who(i, cert)}: policy mapping to or from anyPolicy (RFC 5280 6.1.4 (a))", i)
        s.graph.apply_mappings(mappings, mapping_allowed=s.mapping > 0)
    # 6.1.4 (c)-(f) working issuer name, key and parameters
    s.working_issuer = cert.subject_key
    own = _own_dsa_params(cert)
    if own is not None:
        s.params = own
    elif cert.key_algorithm_oid != _DSA_OID:
        s.params = None
    try:
        s.working_key = certificate_key(cert, s.params)
    except SignatureError as exc:
        raise _fail(SubIndication.CHAIN_CONSTRAINTS_FAILURE, f"{_who(i, cert)}: public key unusable: {exc}", i) from None
    s.keys.append(s.working_key)
    # 6.1.4 (g) name constraints
    if cert.has_extension("2.5.29.30"):
        s.constraints.append(NameConstraints.of(cert))
    # 6.1.4 (h)
    if not cert.self_issued:
        s.explicit = max(s.explicit - 1, 0)
        s.mapping = max(s.mapping - 1, 0)
        s.inhibit_any = max(s.inhibit_any - 1, 0)
    # 6.1.4 (i), (j)
    req, inh = cert.policy_constraints
    if req is not None:
        s.explicit = min(s.explicit, req)
    if inh is not None:
        s.mapping = min(s.mapping, inh)
    if cert.inhibit_any_policy is not None:
        s.inhibit_any = min(s.inhibit_any, cert.inhibit_any_policy)
    # 6.1.4 (k) basicConstraints
    if not cert.is_ca:
        raise _fail(SubIndication.CHAIN_CONSTRAINTS_FAILURE,
                    f"{_who(i, cert)} is not a CA certificate (basicConstraints, RFC 5280 6.1.4 (k))", i)
    # 6.1.4 (l), (m) path length
    if not cert.self_issued:
        if s.max_path_length <= 0:
            raise _fail(SubIndication.CHAIN_CONSTRAINTS_FAILURE,
                        f"{_who(i, cert)}: path length constraint exceeded (RFC 5280 6.1.4 (l))", i)
        s.max_path_length -= 1
    plc = cert.path_len_constraint
    if plc is not None and plc < s.max_path_length:
        s.max_path_length = plc
    # 6.1.4 (n) keyUsage
    if cert.key_usage is not None and "key_cert_sign" not in cert.key_usage:
        raise _fail(SubIndication.CHAIN_CONSTRAINTS_FAILURE,
                    f"{_who(i, cert)}: keyUsage lacks keyCertSign (RFC 5280 6.1.4 (n))", i)


def _wrap_up(cert: Certificate, s: _State) -> None:
    """RFC 5280 6.1.5 (a), (b) on the target certificate."""
    if s.explicit != 0:
        s.explicit -= 1
    if cert.policy_constraints[0] == 0:
        s.explicit = 0


def validate_path(
    path: list[Certificate],
    *,
    at: datetime,
    initial_policy_set: set[str] | None = None,
    explicit_policy: bool = False,
    policy_mapping_inhibit: bool = False,
    any_policy_inhibit: bool = False,
    budget: Budget | None = None,
    algorithm_policy: AlgorithmPolicy | None = None,
    sm2_id: bytes | None = None,
    end_entity_expiry_fatal: bool = False,
    profile: Profile | str | None = None,
) -> PathResult:
    """Run RFC 5280 6.1.2-6.1.5 over `path` = [anchor, cert 1, ..., cert n]; raise PathValidationError."""
    user_initial = set(initial_policy_set) if initial_policy_set else {ANY_POLICY}
    # RFC 5280 4.1.2.5: validity has a granularity of one second, so compare at the validation time's second
    # (notAfter 00:00:00 still holds at 00:00:00.005; notBefore 00:00:01 does not yet at 00:00:00.999).
    at = at.replace(microsecond=0)
    s = _initialise(path, at=at, explicit_policy=explicit_policy, policy_mapping_inhibit=policy_mapping_inhibit,
                    any_policy_inhibit=any_policy_inhibit, budget=budget or Budget(),
                    algorithm_policy=algorithm_policy or DEFAULT_POLICY, sm2_id=sm2_id, profile=Profile.of(profile),
                    end_entity_expiry_fatal=end_entity_expiry_fatal)
    n = s.n
    i = 0
    try:
        for i in range(1, n + 1):
            cert = path[i]
            _process_certificate(cert, i, s)
            if i < n:
                _prepare_next(cert, i, s)
            else:
                _wrap_up(cert, s)
            _unknown_critical(cert, i)
    except NameConstraintViolation as exc:
        raise _fail(SubIndication.CHAIN_CONSTRAINTS_FAILURE,
                    f"{_who(i, path[i])}: name constraints: {exc} (RFC 5280 6.1.3 (b), (c))", i) from None
    except PolicyGraphTooLarge as exc:
        raise _fail(SubIndication.POLICY_PROCESSING_ERROR, str(exc), i) from None
    # 6.1.5 (g)
    authority, user = s.graph.outputs(user_initial)
    if s.deferred:
        _judge_deferred(s, authority)
    if s.explicit == 0 and not user:
        raise _fail(SubIndication.CHAIN_CONSTRAINTS_FAILURE,
                    "explicit policy required but the user-constrained policy set is empty (RFC 5280 6.1.5 (g))", n)
    return PathResult(s.keys, authority, user, s.graph.user_notices(), s.ee_time_problem, path[n] if n else None, s.params,
                      s.warnings)
