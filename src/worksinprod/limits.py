"""How long each text field may be: the numbers of the migrations' CHECK constraints, for the
forms, the API's parameters and the CLI. A test checks them against the database."""

from __future__ import annotations

from typing import Final

FIELD_LIMITS: Final = {
    "slug": 64,
    "name": 120,
    "category": 60,
    "vendor": 120,
    "owner": 120,
    "description": 2000,
    "flow": 120,
}
"""Longest accepted value, in characters, per field of a tool or an integration."""

LONGEST: Final = max(FIELD_LIMITS.values())
