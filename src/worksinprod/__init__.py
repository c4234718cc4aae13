"""Works in Prod: the inventory and health of a marketing-technology stack."""

from __future__ import annotations

__version__ = "0.1.0"
