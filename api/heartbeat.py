"""Vercel's entry: this file is served at /api/heartbeat, the path vercel.json's cron calls.

Vercel's Python runtime loads the top-level ``app`` (ASGI) and hands it the full request path,
which ``vercel_app`` answers. The cron sends GET with ``Authorization: Bearer $CRON_SECRET``.
"""

from __future__ import annotations

import sys
from importlib.util import find_spec
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
if find_spec("worksinprod") is None:
    # Vercel installs pyproject.toml's dependencies; whether it also installs this project
    # (src layout) is up to its builder. The deployment carries src/, so fall back to it.
    sys.path.insert(0, str(_ROOT / "src"))
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))  # functions/ sits at the top of the deployment

from functions.heartbeat.main import vercel_app as app  # noqa: E402

__all__ = ["app"]
