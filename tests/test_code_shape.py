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


def _public_annotations():
    """Every annotation of the public validation surface: the validate_* calls, extend_signature, the context's
    fields and methods, and the certificate report's fields."""
    import dataclasses
    import inspect

    from trustsvc.context import ValidationContext
    from trustsvc.validation.certificate import validate_certificate
    from trustsvc.validation.extend import extend_signature
    from trustsvc.validation.report import CertificateReport
    from trustsvc.validation.signature import validate_signature
    from trustsvc.validation.timestamp import validate_timestamp

    for fn in (validate_certificate, validate_signature, validate_timestamp, extend_signature):
        for name, text in fn.__annotations__.items():
            yield f"{fn.__name__}({name})", str(text)
    for cls in (ValidationContext, CertificateReport):
        for f in dataclasses.fields(cls):
            yield f"{cls.__name__}.{f.name}", str(f.type)
    for name, member in inspect.getmembers(ValidationContext, inspect.isfunction):
        if not name.startswith("_"):
            for arg, text in member.__annotations__.items():
                yield f"ValidationContext.{name}({arg})", str(text)


def test_no_any_in_public_signatures():
    import re

    annotations = list(_public_annotations())
    assert len(annotations) > 80  # the surface is really read
    loose = [where for where, text in annotations if re.search(r"\bAny\b", text)]
    assert not loose, f"Any in public signatures: {loose}"
