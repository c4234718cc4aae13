"""The About page's content: set by whoever deploys the dashboard, through the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..errors import ConfigError

DEFAULT_ETHOS = (
    "I build systems that work — at least once. Ship it, test it, learn why it worked, and "
    "document everything. The humour isn't decoration; it's commentary on operational reality."
)


@dataclass(frozen=True)
class About:
    """WIP_ABOUT_NAME, WIP_ABOUT_ETHOS and WIP_ABOUT_LINKS ("Label=https://…, Label=https://…")."""

    name: str
    ethos: str
    links: list[tuple[str, str]]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> About:
        env = os.environ if env is None else env
        links = []
        for item in filter(None, (p.strip() for p in env.get("WIP_ABOUT_LINKS", "").split(","))):
            label, sep, url = item.partition("=")
            if not sep or urlsplit(url.strip()).scheme not in ("http", "https", "mailto"):
                raise ConfigError(
                    f"WIP_ABOUT_LINKS entry {item!r} is not Label=https://…: use http(s) or "
                    "mailto links, separated by commas"
                )
            links.append((label.strip(), url.strip()))
        return cls(
            name=env.get("WIP_ABOUT_NAME", "").strip() or "the person who deployed this",
            ethos=env.get("WIP_ABOUT_ETHOS", "").strip() or DEFAULT_ETHOS,
            links=links,
        )
