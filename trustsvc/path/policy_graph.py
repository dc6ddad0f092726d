"""RFC 5280 6.1 certificate policy processing as a graph (RFC 9618), bounded against hostile input."""

from __future__ import annotations

from dataclasses import dataclass, field

from trustsvc.errors import PathError

ANY_POLICY = "2.5.29.32.0"
MAX_POLICY_NODES = 10_000  # RFC 9618 bounds the graph linearly; we also cap it outright


class PolicyGraphTooLarge(PathError):
    """The policy graph exceeded MAX_POLICY_NODES (a hostile or absurd certificate path)."""


@dataclass(eq=False)
class _Node:
    policy: str
    expected: set[str]
    parents: list["_Node"] = field(default_factory=list)
    qualifiers: list = field(default_factory=list)
    children: int = 0


class PolicyGraph:
    """valid_policy_graph of RFC 9618 section 4: one level per certificate, nodes shared by policy."""

    def __init__(self) -> None:
        root = _Node(ANY_POLICY, {ANY_POLICY})
        self.levels: list[dict[str, _Node]] = [{ANY_POLICY: root}]
        self.null = False
        self._count = 1

    def _add(self, level: dict[str, _Node], node: _Node) -> None:
        self._count += 1
        if self._count > MAX_POLICY_NODES:
            raise PolicyGraphTooLarge(f"policy graph exceeds {MAX_POLICY_NODES} nodes")
        for p in node.parents:
            p.children += 1
        level[node.policy] = node

    def process_certificate(self, policies: dict[str, list] | None, *, any_allowed: bool) -> None:
        """RFC 5280 6.1.3 (d)/(e) with RFC 9618 4.2 for one certificate's certificatePolicies."""
        if self.null:
            return
        if policies is None:  # RFC 5280 6.1.3 (e)
            self.null = True
            self.levels.append({})
            return
        prev = self.levels[-1]
        level: dict[str, _Node] = {}
        prev_any = prev.get(ANY_POLICY)
        for oid, quals in policies.items():  # RFC 5280 6.1.3 (d)(1)
            if oid == ANY_POLICY:
                continue
            parents = [n for n in prev.values() if oid in n.expected]
            if not parents and prev_any is not None:  # (d)(1)(ii)
                parents = [prev_any]
            if parents:
                self._add(level, _Node(oid, {oid}, parents, quals))
        if ANY_POLICY in policies and any_allowed:  # RFC 5280 6.1.3 (d)(2)
            quals = policies[ANY_POLICY]
            for n in list(prev.values()):
                for p in n.expected:
                    if p in level:
                        continue
                    parents = [m for m in prev.values() if p in m.expected]
                    self._add(level, _Node(p, {p}, parents, quals))
            if prev_any is not None and ANY_POLICY not in level:
                self._add(level, _Node(ANY_POLICY, {ANY_POLICY}, [prev_any], quals))
        self.levels.append(level)
        self._prune()

    def apply_mappings(self, mappings: list[tuple[str, str]], *, mapping_allowed: bool) -> None:
        """RFC 5280 6.1.4 (b) at the current depth."""
        if self.null or not mappings:
            return
        level = self.levels[-1]
        by_issuer: dict[str, list[str]] = {}
        for issuer_p, subject_p in mappings:
            targets = by_issuer.setdefault(issuer_p, [])
            if subject_p not in targets:
                targets.append(subject_p)
        for issuer_p, subject_ps in by_issuer.items():
            node = level.get(issuer_p)
            if mapping_allowed:  # (b)(1)
                if node is not None:
                    node.expected = set(subject_ps)
                elif ANY_POLICY in level:
                    anynode = level[ANY_POLICY]
                    self._add(level, _Node(issuer_p, set(subject_ps), list(anynode.parents), anynode.qualifiers))
            elif node is not None:  # (b)(2)
                for p in node.parents:
                    p.children -= 1
                del level[issuer_p]
        self._prune()

    def _prune(self) -> None:
        """Delete nodes above the current depth that have no children (RFC 5280 6.1.3 (d)(3))."""
        for depth in range(len(self.levels) - 2, -1, -1):
            level = self.levels[depth]
            for oid in [o for o, n in level.items() if n.children == 0]:
                for p in level[oid].parents:
                    p.children -= 1
                del level[oid]
        if not self.levels[-1] or not self.levels[0]:
            self.null = True

    def outputs(self, user_initial: set[str]) -> tuple[set[str], set[str]]:
        """(authority-constrained, user-constrained) policy sets, RFC 9618 4.4 / RFC 5280 6.1.5 (g)."""
        if self.null:
            return set(), set()
        valid: set[str] = set()
        for level in self.levels[1:]:
            for n in level.values():
                if n.policy != ANY_POLICY and len(n.parents) == 1 and n.parents[0].policy == ANY_POLICY:
                    valid.add(n.policy)
        if ANY_POLICY in self.levels[-1]:
            valid.add(ANY_POLICY)
        authority = set(valid)
        if user_initial == {ANY_POLICY}:
            return authority, set(authority)
        user = {p for p in authority if p in user_initial}
        if ANY_POLICY in authority:
            user |= user_initial
        return authority, user

    def user_notices(self) -> list[str]:
        """explicitText of user notices on the surviving nodes (RFC 5280 4.2.1.4), leaf level first."""
        out: list[str] = []
        for level in reversed(self.levels[1:]):
            for n in level.values():
                for q in n.qualifiers or []:
                    if q.get("policy_qualifier_id") == "user_notice":
                        text = (q.get("qualifier") or {}).get("explicit_text")
                        if text and text not in out:
                            out.append(text)
        return out
