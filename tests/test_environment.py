"""The installed environment is the lock, and the lock is requirements.txt resolved.

requirements.txt names the direct dependencies (edited by hand); `make lock` resolves them into
requirements.lock (every package, exact version, hashes); `make install` installs the lock.
"""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
#: Installed by `python -m venv` itself, not by the lock (pip installs the lock).
VENV_TOOLS = {"pip"}
#: This repository's own package, installed editable from code/ (not from an index).
OWN_PACKAGE = "softmax-derivative"


def locked() -> dict[str, tuple[str, list[str]]]:
    """Package name to (version, hashes), from requirements.lock."""
    text = LOCK.read_text().replace("\\\n", " ")
    entries = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        spec, *options = line.split(" --hash=")
        requirement = Requirement(spec.strip())
        (pin,) = requirement.specifier
        assert pin.operator == "==", f"requirements.lock: {spec} is not an exact pin"
        entries[canonicalize_name(requirement.name)] = (pin.version, [o.strip() for o in options])
    return entries


def installed() -> dict[str, str]:
    return {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}


def direct_requirements() -> list[Requirement]:
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    specs = [line.split("#", 1)[0].strip() for line in lines]
    return [Requirement(spec) for spec in specs if spec and not spec.startswith("-")]


def test_the_lock_pins_every_package_with_hashes():
    entries = locked()
    assert len(entries) > 100, "requirements.lock holds only a few packages: run make lock"
    unhashed = sorted(name for name, (_, hashes) in entries.items() if not hashes)
    assert not unhashed, f"requirements.lock has packages without hashes: {unhashed}"
    for name, (_, hashes) in entries.items():
        assert all(re.fullmatch(r"sha256:[0-9a-f]{64}", h) for h in hashes), name


def test_the_lock_is_requirements_txt_resolved():
    entries = locked()
    stale = []
    for requirement in direct_requirements():
        name = canonicalize_name(requirement.name)
        version = entries.get(name, (None,))[0]
        if version is None or not requirement.specifier.contains(version, prereleases=True):
            stale.append(f"{requirement} (locked: {version})")
    assert not stale, f"requirements.txt changed since the lock: run make lock: {stale}"
    assert OWN_PACKAGE not in entries, "the book's own package is installed from code/"


def test_every_locked_package_is_installed_at_its_version():
    have = installed()
    wrong = {
        name: f"locked {version}, installed {have.get(name)}"
        for name, (version, _) in locked().items()
        if have.get(name) != version
    }
    assert not wrong, f"the environment differs from requirements.lock (make install): {wrong}"


def test_nothing_is_installed_that_the_lock_does_not_hold():
    extra = set(installed()) - set(locked()) - VENV_TOOLS - {OWN_PACKAGE}
    assert not extra, f"installed but not in requirements.lock: {sorted(extra)}"


def test_the_book_package_is_installed_editable_from_code():
    distribution = metadata.distribution(OWN_PACKAGE)
    direct_url = distribution.read_text("direct_url.json") or ""
    assert '"editable": true' in direct_url, direct_url
    assert (ROOT / "code").as_uri() in direct_url, direct_url


def test_pip_finds_no_broken_dependency():
    result = subprocess.run(
        [sys.executable, "-m", "pip", "check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
