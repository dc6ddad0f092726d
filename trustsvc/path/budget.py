"""Explicit work budgets for path building and validation, so hostile input costs bounded work."""

from __future__ import annotations

from dataclasses import dataclass, field


class BudgetExhausted(Exception):
    """A budget ran out: the answer is INDETERMINATE, never an unbounded search."""


@dataclass
class Budget:
    """Counters decremented as work is done (rustls-webpki `Budget` shape); any reaching zero stops."""

    signatures: int = 400
    build_calls: int = 20_000
    depth: int = 16
    name_comparisons: int = 250_000
    candidate_paths: int = 64
    revocation_depth: int = 6
    # Per-call memo of end-entity signature results (the global cache keeps only CA certificates).
    verified: dict = field(default_factory=dict, repr=False)

    def signature(self) -> None:
        self.signatures -= 1
        if self.signatures < 0:
            raise BudgetExhausted("signature-check budget exhausted")

    def build_call(self) -> None:
        self.build_calls -= 1
        if self.build_calls < 0:
            raise BudgetExhausted("path-building budget exhausted (too many candidate issuers)")

    def name_comparison(self) -> None:
        self.name_comparisons -= 1
        if self.name_comparisons < 0:
            raise BudgetExhausted("name-constraint comparison budget exhausted")

    def candidate_path(self) -> None:
        self.candidate_paths -= 1
        if self.candidate_paths < 0:
            raise BudgetExhausted("candidate-path budget exhausted")
