"""The installed environment is the lock, and the lock is requirements.txt resolved
(requirements.txt by hand; `make lock` resolves it; `make install` installs the lock)."""

import subprocess
import sys
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import ROOT

OWN_PACKAGE = "softmax-derivative"  # installed editable from code/, not from the lock


def locked() -> dict[str, str]:
    """Package name to version, from requirements.lock (whose exact pins and hashes
    `make install` requires: pip's --require-hashes)."""
    entries = {}
    for line in (ROOT / "requirements.lock").read_text().replace("\\\n", " ").splitlines():
        if spec := line.split("#", 1)[0].split("--hash=", 1)[0].strip():
            requirement = Requirement(spec)
            (pin,) = requirement.specifier
            entries[canonicalize_name(requirement.name)] = pin.version
    return entries


def test_the_lock_is_requirements_txt_resolved():
    entries = locked()
    lines = [line.split("#", 1)[0].strip() for line in (ROOT / "requirements.txt").open()]
    stale = []
    for r in map(Requirement, (s for s in lines if s and not s.startswith("-"))):
        version = entries.get(canonicalize_name(r.name))
        if version is None or not r.specifier.contains(version, prereleases=True):
            stale.append(f"{r} (locked: {version})")
    assert not stale, f"requirements.txt changed since the lock: run make lock: {stale}"
    assert OWN_PACKAGE not in entries, "the book's own package is installed from code/"


def test_the_environment_is_the_lock():
    have = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    lock = locked()
    wrong = {
        n: f"locked {v}, installed {have.get(n)}" for n, v in lock.items() if have.get(n) != v
    }
    assert not wrong, f"the environment differs from requirements.lock (make install): {wrong}"
    extra = set(have) - set(lock) - {"pip", OWN_PACKAGE}  # pip comes with `python -m venv`
    assert not extra, f"installed but not in requirements.lock: {sorted(extra)}"


def test_the_book_package_is_installed_editable_from_code():
    direct_url = metadata.distribution(OWN_PACKAGE).read_text("direct_url.json") or ""
    assert '"editable": true' in direct_url and (ROOT / "code").as_uri() in direct_url, direct_url


def test_pip_finds_no_broken_dependency():
    result = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
