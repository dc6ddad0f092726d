"""The demo GBA PKI: GD (SM2), HK (RSA) and MO (ECDSA) chains and a bridge CA cross-certified with each root."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from asn1crypto import pem

from trustsvc.x509.builder import Signer, build_certificate
from trustsvc.x509.certificate import Certificate

DEFAULT_BASE_URL = "http://127.0.0.1:8081"

# Certificate policies. HK uses the Hongkong Post mutual-recognition arc; the others sit under
# 2.999 (joint-iso-itu-t example, ITU-T X.660 A.2: never assigned, safe for demos) + 86 ("demo GBA").
POLICIES: dict[str, str] = {
    "CN-GD": "2.999.86.44.1",  # 44 = Guangdong's GB/T 2260 division code
    "HK": "2.16.344.8.2.2008.810.2.1",  # under Hongkong Post's 2.16.344.8.2.2008.810.2
    "MO": "2.999.86.446.1",  # 446 = Macao's ISO 3166 numeric code
    "GBA": "2.999.86.1.1",  # the GBA bridge's mutual-recognition policy
}

# Each jurisdiction's directory namespace: every certificate it issues has a subject under it
# (C then O as the first RDNs), so a directoryName subtree in nameConstraints can bound it.
NAMESPACES: dict[str, dict[str, str]] = {
    "CN-GD": {"country_name": "CN", "organization_name": "Guangdong Demo Certification Authority"},
    "HK": {"country_name": "HK", "organization_name": "Hongkong Post e-Cert (demo)"},
    "MO": {"country_name": "MO", "organization_name": "Macao eSign Demo CA"},
    "GBA": {"organization_name": "GBA Bridge (demo)"},
}

ROOT_YEARS, CA_YEARS, LEAF_YEARS = 20, 10, 2
_KEYGEN = {"sm2": "sm2", "rsa": "rsa", "ecdsa": "ecdsa-p256"}


@dataclass(frozen=True)
class EntitySpec:
    """One certificate of the demo PKI: who it is, who issues it, and its profile."""

    id: str
    algorithm: str  # "sm2" | "rsa" | "ecdsa" (the subject key)
    territory: str
    role: str  # "root" | "ca" | "leaf" | "tsa" | "bridge" | "cross"
    issuer: str
    common_name: str
    unit: str | None = None
    key_of: str | None = None  # cross-certificates certify another entity's name and key


def _territory_specs(t: str, prefix: str, alg: str, label: str) -> list[EntitySpec]:
    return [
        EntitySpec(f"{prefix}-root", alg, t, "root", f"{prefix}-root", f"{label} Root CA"),
        EntitySpec(f"{prefix}-ca", alg, t, "ca", f"{prefix}-root", f"{label} Issuing CA"),
    ]


SPECS: tuple[EntitySpec, ...] = (
    *_territory_specs("CN-GD", "gd", "sm2", "GD Demo"),
    EntitySpec("gd-leaf", "sm2", "CN-GD", "leaf", "gd-ca", "Guangzhou Demo Construction Co., Ltd.", "Bidders"),
    EntitySpec("gd-tsa", "sm2", "CN-GD", "tsa", "gd-ca", "GD Demo Time-Stamping Authority", "Time-Stamping"),
    *_territory_specs("HK", "hk", "rsa", "HK Demo"),
    EntitySpec("hk-leaf", "rsa", "HK", "leaf", "hk-ca", "Kowloon Demo Engineering Ltd.", "Organisational"),
    # Revoked at generation time (revocation.json, the demo CRLs and responder): the revocation demo.
    EntitySpec("hk-leaf-revoked", "rsa", "HK", "leaf", "hk-ca", "Revoked Demo Contractors Ltd.", "Organisational"),
    EntitySpec("hk-tsa", "rsa", "HK", "tsa", "hk-ca", "HK Demo Time-Stamping Authority", "Time-Stamping"),
    *_territory_specs("MO", "mo", "ecdsa", "MO Demo"),
    EntitySpec("mo-leaf", "ecdsa", "MO", "leaf", "mo-ca", "Macao Demo Trading Lda.", "Bidders"),
    EntitySpec("mo-bank", "ecdsa", "MO", "leaf", "mo-ca", "Banco Demo de Macau, S.A.", "e-Guarantee Issuers"),
    EntitySpec("mo-tsa", "ecdsa", "MO", "tsa", "mo-ca", "MO Demo Time-Stamping Authority", "Time-Stamping"),
    EntitySpec("bridge", "ecdsa", "GBA", "bridge", "bridge", "GBA Bridge CA"),
)
JURISDICTION_ROOTS = {"CN-GD": "gd-root", "HK": "hk-root", "MO": "mo-root"}


@dataclass(frozen=True)
class DemoEntity:
    """A generated certificate with its key and its pki.json metadata."""

    spec: EntitySpec
    certificate: Certificate
    signer: Signer

    def index_entry(self) -> dict:
        key_id = self.spec.key_of or self.spec.id
        return {
            "cert": f"certs/{self.spec.id}.pem",
            "cert_der": f"certs/{self.spec.id}.der",
            "key": f"keys/{key_id}.key.pem",
            "algorithm": self.spec.algorithm,
            "territory": self.spec.territory,
            "role": self.spec.role,
            "issuer": self.spec.issuer,
            "subject": self.certificate.subject_str,
        }


def subject_name(spec: EntitySpec) -> dict[str, str]:
    name = dict(NAMESPACES[spec.territory])
    if spec.unit:
        name["organizational_unit_name"] = spec.unit
    name["common_name"] = spec.common_name
    return name


class DemoPKI:
    """Generates the demo GBA PKI in memory (fresh keys every time) and writes it to a directory."""

    def __init__(self, now: datetime, *, base_url: str = DEFAULT_BASE_URL) -> None:
        self.now = now
        self.base_url = base_url.rstrip("/")
        self.start = now - timedelta(days=1)
        self.entities: dict[str, DemoEntity] = {}
        for spec in SPECS:
            self._issue(spec)
        for territory, root_id in JURISDICTION_ROOTS.items():
            self._cross_certify(territory, root_id)

    # --- profiles ----------------------------------------------------------------------------
    def _until(self, years: int) -> datetime:
        return self.start + timedelta(days=365 * years + years // 4)

    def _issue(self, spec: EntitySpec) -> None:
        signer = Signer.generate(_KEYGEN[spec.algorithm])
        self_signed = spec.issuer == spec.id
        issuer = self.entities[spec.issuer] if not self_signed else None
        issuer_name = issuer.certificate.subject if issuer else subject_name(spec)
        issuer_signer = issuer.signer if issuer else signer
        policy = POLICIES[spec.territory]
        common = dict(subject=subject_name(spec), issuer=issuer_name, public_key_info=signer.public_key_info,
                      signer=issuer_signer, not_before=self.start, policies=[policy])
        if spec.role in ("root", "bridge"):
            cert = build_certificate(**common, not_after=self._until(ROOT_YEARS), ca=True)
        elif spec.role == "ca":
            cert = build_certificate(**common, not_after=self._until(CA_YEARS), ca=True, path_length=0,
                                     crl_distribution_points=[self.crl_url(spec.issuer)])
        else:
            tsa = spec.role == "tsa"
            cert = build_certificate(
                **common, not_after=self._until(LEAF_YEARS),
                key_usage={"digital_signature", "non_repudiation"},
                # RFC 3161 2.3: a TSA certificate has exactly one, critical, EKU id-kp-timeStamping
                extended_key_usage=["time_stamping"] if tsa else None, extended_key_usage_critical=tsa,
                crl_distribution_points=[self.crl_url(spec.issuer)], ocsp_url=f"{self.base_url}/ocsp",
            )
        self.entities[spec.id] = DemoEntity(spec, cert, signer)

    def _cross_certify(self, territory: str, root_id: str) -> None:
        """Bridge <-> root, both ways, each with a policy mapping and name constraints (RFC 5280 4.2.1.5, 4.2.1.10)."""
        root, bridge = self.entities[root_id], self.entities["bridge"]
        others = [NAMESPACES[t] for t in JURISDICTION_ROOTS if t != territory]
        # bridge-by-X: X's root vouches for the bridge, maps X's policy to the GBA policy, and only
        # for names of the OTHER jurisdictions (the bridge may never speak for X's own names).
        spec = EntitySpec(f"bridge-by-{root_id}", "ecdsa", territory, "cross", root_id,
                          bridge.spec.common_name, key_of="bridge")
        cert = build_certificate(
            subject=bridge.certificate.subject, issuer=root.certificate.subject,
            public_key_info=bridge.signer.public_key_info, signer=root.signer,
            not_before=self.start, not_after=self._until(CA_YEARS), ca=True,
            policies=[POLICIES[territory]], policy_mappings=[(POLICIES[territory], POLICIES["GBA"])],
            permitted_subtrees=others, crl_distribution_points=[self.crl_url(root_id)],
        )
        self.entities[spec.id] = DemoEntity(spec, cert, bridge.signer)
        # X-by-bridge: the bridge vouches for X's root, maps the GBA policy to X's, only for X's names.
        spec = EntitySpec(f"{root_id}-by-bridge", root.spec.algorithm, "GBA", "cross", "bridge",
                          root.spec.common_name, key_of=root_id)
        cert = build_certificate(
            subject=root.certificate.subject, issuer=bridge.certificate.subject,
            public_key_info=root.signer.public_key_info, signer=bridge.signer,
            not_before=self.start, not_after=self._until(CA_YEARS), ca=True,
            policies=[POLICIES["GBA"]], policy_mappings=[(POLICIES["GBA"], POLICIES[territory])],
            permitted_subtrees=[NAMESPACES[territory]], crl_distribution_points=[self.crl_url("bridge")],
        )
        self.entities[spec.id] = DemoEntity(spec, cert, root.signer)

    def crl_url(self, ca_id: str) -> str:
        return f"{self.base_url}/crl/{ca_id}.crl"

    # --- output ------------------------------------------------------------------------------
    def write(self, out_dir: Path) -> dict:
        """Write certs/ID.{pem,der} and keys/ID.key.pem (PKCS#8, mode 0600); return the pki.json index."""
        certs, keys = out_dir / "certs", out_dir / "keys"
        certs.mkdir(parents=True, exist_ok=True)
        keys.mkdir(parents=True, exist_ok=True)
        os.chmod(keys, 0o700)
        for ident, entity in self.entities.items():
            (certs / f"{ident}.pem").write_bytes(pem.armor("CERTIFICATE", entity.certificate.der))
            (certs / f"{ident}.der").write_bytes(entity.certificate.der)
            if entity.spec.key_of is None:
                key_path = keys / f"{ident}.key.pem"
                fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "wb") as f:
                    f.write(entity.signer.private_key_pem())
        return {
            "version": 1,
            "created_at": self.now.isoformat(),
            "policies": dict(POLICIES),
            "entities": {ident: e.index_entry() for ident, e in self.entities.items()},
        }
