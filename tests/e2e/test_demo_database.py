"""The offline demo keeps its database in its --out folder (issue 11): a newcomer can run
`planerka digest` (or `db copy`) on it afterwards."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from demo.run import GROUP

ROOT = Path(__file__).resolve().parents[2]


def _planerka(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_demo_database_stays_in_the_out_folder_and_the_digest_reads_it(tmp_path):
    unset = ("BOT_TOKEN", "DATABASE_URL", "REDIS_URL")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    out = tmp_path / "demo-output"
    done = _planerka("demo", "--out", str(out), env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    # issue 13's "done when": Ольга opens the dashboard from the digest's link, sees the 13
    # weeks, opens a member and closes a task, and the bot tells the group
    said = done.stdout + done.stderr
    assert "taps «📊 Открыть дашборд» under the digest: https://t.me/" in said
    assert "closes «" in said
    if "Screenshots skipped" not in said:  # what the browser saw (CI installs Chromium)
        assert "× 13 weeks" in said and "By the agenda's topics:" in said
        shots = {p.name for p in out.glob("dashboard*.png")}
        assert {"dashboard.png", "dashboard-topics.png", "dashboard-member.png"} <= shots
        assert "dashboard-tasks.png" in shots
    database = out / "planerka.sqlite3"
    assert database.is_file()
    with sqlite3.connect(database) as db:
        assert db.execute("select count(*) from answers").fetchone()[0] > 0
        assert db.execute("select chat_id from teams").fetchone()[0] == GROUP
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{database}"
    preview = tmp_path / "preview"
    shown = _planerka(
        "digest", "--chat", str(GROUP), "--out", str(preview), "--period", "2026-11-16", env=env
    )
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert "Итоги недели" in (preview / "digest.txt").read_text(encoding="utf-8")
    # a second run starts again from an empty team rather than piling onto the first
    del env["DATABASE_URL"]
    again = _planerka("demo", "--out", str(out), env=env)
    assert again.returncode == 0, again.stderr[-2000:]
    with sqlite3.connect(database) as db:
        assert db.execute("select count(*) from teams").fetchone()[0] == 1
