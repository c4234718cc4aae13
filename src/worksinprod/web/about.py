"""The About page's content: set by whoever deploys the dashboard, through Settings."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Settings

DEFAULT_NAME = "the person who deployed this"
DEFAULT_ETHOS = (
    "I build systems that work — at least once. Ship it, test it, learn why it worked, and "
    "document everything. The humour isn't decoration; it's commentary on operational reality."
)


@dataclass(frozen=True)
class About:
    """WIP_ABOUT_NAME, WIP_ABOUT_ETHOS and WIP_ABOUT_LINKS, with the original's defaults."""

    name: str
    ethos: str
    links: list[tuple[str, str]]

    @classmethod
    def from_settings(cls, settings: Settings) -> About:
        return cls(
            name=settings.about_name or DEFAULT_NAME,
            ethos=settings.about_ethos or DEFAULT_ETHOS,
            links=list(settings.about_links),
        )
