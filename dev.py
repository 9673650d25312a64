#!/usr/bin/env python3
"""Bootstrap with nothing but Python 3.11: `python3 dev.py start` runs the bot (the offline demo
without BOT_TOKEN), `python3 dev.py test` runs every test. Creates .venv and installs exactly the
versions of requirements-dev.lock into it (hash-checked) on first use and whenever the lock or
pyproject.toml changes; `python3 dev.py lock` refreshes the lock files on purpose."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".planerka-installed"
DEV_LOCK = ROOT / "requirements-dev.lock"
LOCK = ROOT / "requirements.lock"
# Every optional extra goes into the production lock; dev adds the test tools.
EXTRAS = ("postgres", "redis", "xlsx")


def ensure_venv() -> Path:
    python = BIN / "python"
    if not python.exists():
        print("dev.py: creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes() + DEV_LOCK.read_bytes()
    ).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != digest:
        print(f"dev.py: installing {DEV_LOCK.name} into .venv", flush=True)
        pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        subprocess.run([*pip, "--require-hashes", "-r", str(DEV_LOCK)], check=True)
        subprocess.run([*pip, "--no-deps", "--no-build-isolation", "-e", str(ROOT)], check=True)
        STAMP.write_text(digest)
    return python


def lock(args: list[str]) -> int:
    """Re-resolve both lock files from pyproject.toml's ranges, keeping the pins already there;
    `lock --upgrade` takes the newest versions the ranges allow."""
    compile_ = [
        str(BIN / "uv"),
        "pip",
        "compile",
        "pyproject.toml",
        "--quiet",
        "--generate-hashes",
        "--universal",
        "--python-version",
        "3.11",
        *args,
    ]
    extras = [arg for extra in EXTRAS for arg in ("--extra", extra)]
    for target, more in ((LOCK, []), (DEV_LOCK, ["--extra", "dev"])):
        if subprocess.call([*compile_, *extras, *more, "-o", target.name], cwd=ROOT) != 0:
            return 1
        print(f"dev.py: wrote {target.name}", flush=True)
    return 0


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by an older python3
        print("dev.py: Python 3.11 or newer is needed", file=sys.stderr)
        return 2
    command, rest = (argv[0], argv[1:]) if argv else ("start", [])
    python = str(ensure_venv())
    if command == "start":
        return subprocess.call([python, "-m", "bot", *rest], cwd=ROOT)
    if command == "test":
        return subprocess.call([python, "-m", "pytest", *rest], cwd=ROOT)
    if command == "lock":
        return lock(rest)
    if command == "bench":
        for bench in sorted((ROOT / "bench").glob("bench_*.py")):
            print(f"== {bench.relative_to(ROOT)}", flush=True)
            if subprocess.call([python, str(bench), *rest], cwd=ROOT) != 0:
                return 1
        return 0
    print("usage: python3 dev.py [start|test|bench|lock] [args...]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
