"""trustsvc: certificate mutual recognition and trust for the Guangdong-Hong Kong-Macau Greater Bay Area.

The public surface is small: `validate_certificate`, `validate_signature`, `validate_timestamp`
and the report types; everything else lives in sub-packages.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "validate_certificate": ("trustsvc.validation.certificate", "validate_certificate"),
    "validate_signature": ("trustsvc.validation.signature", "validate_signature"),
    "validate_timestamp": ("trustsvc.validation.timestamp", "validate_timestamp"),
    "TrustStore": ("trustsvc.trustlist.store", "TrustStore"),
    "ValidationContext": ("trustsvc.context", "ValidationContext"),
    "Failure": ("trustsvc.failures", "Failure"),
    "Indication": ("trustsvc.reports", "Indication"),
    "SignatureIndication": ("trustsvc.reports", "SignatureIndication"),
    "SubIndication": ("trustsvc.reports", "SubIndication"),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    # Lazy so that `import trustsvc` stays cheap for the CLI and for workers.
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'trustsvc' has no attribute {name!r}") from None
    import importlib

    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value
