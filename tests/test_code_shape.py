"""House style, measured: no function in the validation, path or revocation layers runs over 80 lines.

A reviewer checks these layers against RFC 5280 / EN 319 102-1 step by step; a function that does not fit on
a screen hides its steps. Lines are counted from the `def` to the function's last line (decorators aside).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import trustsvc

MAX_LINES = 80
PACKAGE = Path(trustsvc.__file__).parent
LAYERS = ("validation", "path", "revocation")


def _functions(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node.lineno, node.end_lineno - node.lineno + 1


@pytest.mark.parametrize("layer", LAYERS)
def test_no_function_over_80_lines(layer):
    files = sorted((PACKAGE / layer).rglob("*.py"))
    assert files, f"trustsvc/{layer} has no modules"
    too_long = [f"{p.relative_to(PACKAGE)}:{line} {name} ({n} lines)"
                for p in files for name, line, n in _functions(p) if n > MAX_LINES]
    assert not too_long, "functions over 80 lines:\n" + "\n".join(too_long)
