"""requirements.lock covers what pyproject.toml asks for at run time, pinned with hashes, and the image installs from it."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
EXTRAS = ("postgres", "etsi")  # the extras the image installs (Dockerfile, `make lock`)
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def _locked() -> dict[str, tuple[str, str]]:
    """name -> (version, the entry's text) for every pinned requirement of the lock."""
    text = (ROOT / "requirements.lock").read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text)
    out = {}
    for entry in entries:
        m = _PIN.match(entry)
        if m:
            out[canonicalize_name(m.group(1))] = (m.group(2), entry)
    return out


def _runtime_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    for extra in EXTRAS:
        reqs += [Requirement(r) for r in project["optional-dependencies"][extra]]
    return reqs


def test_lock_pins_every_runtime_dependency_within_its_bounds():
    locked = _locked()
    assert len(locked) > 30
    for req in _runtime_requirements():
        name = canonicalize_name(req.name)
        assert name in locked, f"{req.name} is not in requirements.lock: run `make lock`"
        version = locked[name][0]
        assert req.specifier.contains(version, prereleases=True), \
            f"{req.name}=={version} in requirements.lock is outside pyproject's {req.specifier}: run `make lock`"
        for dep in _extra_requirements(req):  # psycopg[binary], pyhanko[etsi]: the extra's packages too
            assert canonicalize_name(dep.name) in locked, f"{dep.name} ({req}) is not in requirements.lock"


def _extra_requirements(req: Requirement) -> list[Requirement]:
    """What `req`'s extras add, read from the installed distribution's metadata (none if it is not installed)."""
    try:
        declared = metadata.requires(req.name) or []
    except metadata.PackageNotFoundError:
        return []
    out = []
    for line in declared:
        dep = Requirement(line)
        if dep.marker is not None and any(dep.marker.evaluate({"extra": e}) for e in req.extras) \
                and not dep.marker.evaluate({"extra": ""}):
            out.append(dep)
    return out


def test_every_locked_package_carries_hashes():
    for name, (version, entry) in _locked().items():
        assert "--hash=sha256:" in entry, f"{name}=={version} has no hash"


def test_dockerfile_installs_from_the_lock_with_hashes_then_the_package_alone():
    docker = (ROOT / "Dockerfile").read_text()
    assert "COPY requirements.lock" in docker
    lock_install = docker.index("--require-hashes -r requirements.lock")
    package_install = docker.index("pip install --no-cache-dir --no-deps .")
    assert lock_install < package_install
    # Nothing else resolves dependencies in the image: no other `pip install` names a requirement.
    installs = re.findall(r"pip install[^\n&]*", docker)
    assert all("--require-hashes" in i or "--no-deps" in i or "--upgrade pip" in i for i in installs), installs
