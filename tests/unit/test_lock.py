"""The environment the tests run in is exactly requirements-dev.lock (what `dev.py` installs)."""

import re
from importlib.metadata import distributions
from pathlib import Path

from packaging.markers import Marker
from packaging.utils import canonicalize_name

LOCK = Path(__file__).resolve().parents[2] / "requirements-dev.lock"
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def locked() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in LOCK.read_text().splitlines():
        match = PIN.match(line)
        if match and (match[3] is None or Marker(match[3]).evaluate()):
            pins[canonicalize_name(match[1])] = match[2]
    return pins


def test_every_installed_package_is_the_locked_version() -> None:
    pins = locked()
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in distributions()}
    installed.pop("planerka", None)
    installed.pop("pip", None)  # the venv's own installer, not a dependency
    assert len(pins) > 40
    assert {name: installed.get(name) for name in pins} == pins
    assert sorted(set(installed) - set(pins)) == []
