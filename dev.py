#!/usr/bin/env python3
"""Bootstrap with nothing but Python 3.11: `python3 dev.py start` runs the bot (the offline demo
without BOT_TOKEN), `python3 dev.py test` runs every test. Creates .venv and installs the
project into it on first use and whenever pyproject.toml changes."""

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


def ensure_venv() -> Path:
    python = BIN / "python"
    if not python.exists():
        print("dev.py: creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != digest:
        print("dev.py: installing planerka and its dependencies into .venv", flush=True)
        pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        subprocess.run([*pip, "-e", f"{ROOT}[dev]"], check=True)
        STAMP.write_text(digest)
    return python


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
    if command == "bench":
        for bench in sorted((ROOT / "bench").glob("bench_*.py")):
            print(f"== {bench.relative_to(ROOT)}", flush=True)
            if subprocess.call([python, str(bench), *rest], cwd=ROOT) != 0:
                return 1
        return 0
    print("usage: python3 dev.py [start|test|bench] [args...]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
