"""Reading the log a test captured (pytest's caplog)."""

from __future__ import annotations

import logging

import pytest


def problems(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Log records that would mean an update was not handled cleanly: errors, tracebacks."""
    return [
        f"{r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.levelno >= logging.ERROR or r.exc_info or "Traceback" in r.getMessage()
    ]
