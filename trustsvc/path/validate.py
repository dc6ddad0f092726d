"""RFC 5280 6.1 basic path validation of one candidate path (trust anchor first), without revocation."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime

from trustsvc.errors import PathError
from trustsvc.failures import Failure
from trustsvc.path.budget import Budget
from trustsvc.path.name_constraints import NameConstraints, NameConstraintViolation, certificate_names
from trustsvc.path.policy_graph import ANY_POLICY, PolicyGraph, PolicyGraphTooLarge
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

    @cached_property
    def keys(self) -> list[PublicKey]:
        """Working keys of every position, the end entity's last (loaded only when revocation needs it)."""
        if self.end_entity is None:
            return list(self.issuer_keys)
        try:
            own = certificate_key(self.end_entity, self.end_entity_params)
        except SignatureError:
            own = self.issuer_keys[-1]  # an end-entity key we cannot load is not a path problem
        return [*self.issuer_keys, own]


def _who(i: int, cert: Certificate) -> str:
    return f"certificate {i} ({cert.subject_str})"


def _own_dsa_params(cert: Certificate):
    """DSA domain parameters in `cert`'s own key, if it is a DSA key that carries them (RFC 3279 2.3.2)."""
    return dsa_params_of(cert.spki) if cert.key_algorithm_oid == _DSA_OID else None


def _fail(sub: SubIndication, reason: str, i: int, ind: Indication = Indication.INDETERMINATE) -> PathValidationError:
    return PathValidationError(ind, sub, reason, i)


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
) -> PathResult:
    """Run RFC 5280 6.1.2-6.1.5 over `path` = [anchor, cert 1, ..., cert n]; raise PathValidationError."""
    budget = budget or Budget()
    algorithm_policy = algorithm_policy or DEFAULT_POLICY
    user_initial = set(initial_policy_set) if initial_policy_set else {ANY_POLICY}
    anchor = path[0]
    n = len(path) - 1
    # RFC 5280 6.1.2 initialisation
    graph = PolicyGraph()
    explicit = 0 if explicit_policy else n + 1
    inhibit_any = 0 if any_policy_inhibit else n + 1
    mapping = 0 if policy_mapping_inhibit else n + 1
    params = _own_dsa_params(anchor)
    try:
        working_key = certificate_key(anchor, None)
    except SignatureError as exc:
        raise _fail(SubIndication.NO_CERTIFICATE_CHAIN_FOUND, f"trust anchor key unusable: {exc}", 0) from None
    keys = [working_key]
    working_issuer = anchor.subject_key
    max_path_length = n
    constraints: list[NameConstraints] = []
    ee_time_problem = None
    try:
        for i in range(1, n + 1):
            cert = path[i]
            last = i == n
            # 6.1.3 (a)(1) signature
            try:
                used = verify_certificate_signature(cert, working_key, budget, sm2_id=sm2_id)
            except SignatureError as exc:
                raise _fail(SubIndication.SIG_CRYPTO_FAILURE, f"{_who(i, cert)}: signature invalid: {exc}", i, Indication.FAILED) from None
            problem = algorithm_policy.check(used, at)
            if problem:
                raise _fail(SubIndication.CRYPTO_CONSTRAINTS_FAILURE, f"{_who(i, cert)}: {problem}", i)
            # 6.1.3 (a)(2) validity
            if at < cert.not_before:
                err = _fail(SubIndication.NOT_YET_VALID, f"{_who(i, cert)} is not valid before {cert.not_before.isoformat()}", i)
                if not last or end_entity_expiry_fatal:
                    raise err
                ee_time_problem = err
            elif at > cert.not_after:
                err = _fail(SubIndication.OUT_OF_BOUNDS_NO_POE, f"{_who(i, cert)} expired at {cert.not_after.isoformat()}", i)
                if not last or end_entity_expiry_fatal:
                    raise err
                ee_time_problem = err
            # 6.1.3 (a)(4) name chaining
            if cert.issuer_key != working_issuer:
                raise _fail(SubIndication.NO_CERTIFICATE_CHAIN_FOUND, f"{_who(i, cert)}: issuer name does not chain", i)
            # 6.1.3 (b), (c) name constraints (not for self-issued intermediates)
            if constraints and (last or not cert.self_issued):
                names = certificate_names(cert)
                for nc in constraints:
                    nc.check(names, budget)
            # 6.1.3 (d), (e) certificate policies
            graph.process_certificate(cert.policies, any_allowed=inhibit_any > 0 or (not last and cert.self_issued))
            # 6.1.3 (f)
            if explicit == 0 and graph.null:
                raise _fail(SubIndication.CHAIN_CONSTRAINTS_FAILURE, f"{_who(i, cert)}: no valid policy and explicit policy required", i)
            if not last:
                # 6.1.4 (a) / (b) policy mappings
                mappings = cert.policy_mappings
                if mappings:
                    if any(ANY_POLICY in m for m in mappings):
                        raise _fail(SubIndication.CHAIN_CONSTRAINTS_FAILURE, f"{_who(i, cert)}: policy mapping to or from anyPolicy", i)
                    graph.apply_mappings(mappings, mapping_allowed=mapping > 0)
                # 6.1.4 (c)-(f) working issuer name, key and parameters
                working_issuer = cert.subject_key
                own = _own_dsa_params(cert)
                if own is not None:
                    params = own
                elif cert.key_algorithm_oid != _DSA_OID:
                    params = None
                try:
                    working_key = certificate_key(cert, params)
                except SignatureError as exc:
                    raise _fail(SubIndication.CHAIN_CONSTRAINTS_FAILURE, f"{_who(i, cert)}: public key unusable: {exc}", i) from None
                keys.append(working_key)
                # 6.1.4 (g) name constraints
                if cert.has_extension("2.5.29.30"):
                    constraints.append(NameConstraints.of(cert))
                # 6.1.4 (h)
                if not cert.self_issued:
                    explicit = max(explicit - 1, 0)
                    mapping = max(mapping - 1, 0)
                    inhibit_any = max(inhibit_any - 1, 0)
                # 6.1.4 (i), (j)
                req, inh = cert.policy_constraints
                if req is not None:
                    explicit = min(explicit, req)
                if inh is not None:
                    mapping = min(mapping, inh)
                if cert.inhibit_any_policy is not None:
                    inhibit_any = min(inhibit_any, cert.inhibit_any_policy)
                # 6.1.4 (k) basicConstraints
                if not cert.is_ca:
                    raise _fail(SubIndication.CHAIN_CONSTRAINTS_FAILURE, f"{_who(i, cert)} is not a CA certificate (basicConstraints)", i)
                # 6.1.4 (l), (m) path length
                if not cert.self_issued:
                    if max_path_length <= 0:
                        raise _fail(SubIndication.CHAIN_CONSTRAINTS_FAILURE, f"{_who(i, cert)}: path length constraint exceeded", i)
                    max_path_length -= 1
                plc = cert.path_len_constraint
                if plc is not None and plc < max_path_length:
                    max_path_length = plc
                # 6.1.4 (n) keyUsage
                if cert.key_usage is not None and "key_cert_sign" not in cert.key_usage:
                    raise _fail(SubIndication.CHAIN_CONSTRAINTS_FAILURE, f"{_who(i, cert)}: keyUsage lacks keyCertSign", i)
            else:
                # 6.1.5 (a), (b)
                if explicit != 0:
                    explicit -= 1
                if cert.policy_constraints[0] == 0:
                    explicit = 0
            # 6.1.4 (o) / 6.1.5 (f) unrecognised critical extensions
            unknown = cert.critical_extension_oids - KNOWN_EXTENSIONS
            if unknown:
                raise _fail(SubIndication.CHAIN_CONSTRAINTS_FAILURE, f"{_who(i, cert)}: unrecognised critical extension(s) {sorted(unknown)}", i)
    except NameConstraintViolation as exc:
        raise _fail(SubIndication.CHAIN_CONSTRAINTS_FAILURE, f"certificate {i} ({path[i].subject_str}): name constraints: {exc}", i) from None
    except PolicyGraphTooLarge as exc:
        raise _fail(SubIndication.POLICY_PROCESSING_ERROR, str(exc), i) from None
    # 6.1.5 (g)
    authority, user = graph.outputs(user_initial)
    if explicit == 0 and not user:
        raise _fail(SubIndication.CHAIN_CONSTRAINTS_FAILURE, "explicit policy required but the user-constrained policy set is empty", n)
    return PathResult(keys, authority, user, graph.user_notices(), ee_time_problem, path[n] if n else None, params)
