"""Bad settings end the process with a short message naming the setting, status 2, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def run_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_", "TELEGRAM_"))
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"BOT_TOKEN": "not-a-token"}, "BOT_TOKEN"),
        (
            {"BOT_TOKEN": "123456:AAAAAAAAAAAAAAAA", "DEFAULT_TIMEZONE": "Mars/Base"},
            "DEFAULT_TIMEZONE",
        ),
        ({"BOT_TOKEN": "123456:AAAAAAAAAAAAAAAA", "DEFAULT_LOCALE": "de"}, "DEFAULT_LOCALE"),
        ({"BOT_TOKEN": "123456:AAAAAAAAAAAAAAAA", "LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ],
)
def test_malformed_settings_exit_2_naming_the_setting(tmp_path, env, named):
    result = run_cli(tmp_path, "run", **env)
    assert result.returncode == 2
    assert named in result.stderr
    assert "Traceback" not in result.stderr


def test_run_without_a_token_says_so(tmp_path):
    result = run_cli(tmp_path, "run")
    assert result.returncode == 2
    assert "BOT_TOKEN" in result.stderr and "Traceback" not in result.stderr


def test_a_database_that_cannot_be_opened_exits_2(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = run_cli(
        tmp_path,
        "migrate",
        BOT_TOKEN="123456:AAAAAAAAAAAAAAAA",
        DATABASE_URL=f"sqlite:///{blocker}/db.sqlite3",
    )
    assert result.returncode == 2
    assert "DATABASE_URL" in result.stderr and "Traceback" not in result.stderr


def test_the_token_is_never_shown():
    settings = Settings(_env_file=None, bot_token="123456:SECRETSECRETSECRET")
    assert "SECRETSECRET" not in repr(settings)
    assert "SECRETSECRET" not in str(settings.model_dump())


def test_plain_urls_get_async_drivers():
    settings = Settings(_env_file=None, database_url="postgresql://u@h/db")
    assert settings.database_url == "postgresql+asyncpg://u@h/db"
    assert Settings(_env_file=None).database_url.startswith("sqlite+aiosqlite:///")
