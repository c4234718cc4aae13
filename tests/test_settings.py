"""Settings are read once, validated once, and every part of the program reads them the same way."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest

import worksinprod
from worksinprod import (
    AuthError,
    ConfigError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    Settings,
    StoreError,
    TransientError,
    ValidationError,
    WorksInProdError,
)
from worksinprod.cli.run import parse_interval
from worksinprod.runtime import Runtime
from worksinprod.trigger import authorize
from worksinprod.web.about import DEFAULT_NAME, About

_VARS = (
    "DATABASE_URL",
    "SUPABASE_URL",
    "SUPABASE_SERVICE_ROLE_KEY",
    "SUPABASE_ANON_KEY",
    "CRON_SECRET",
    "WIP_ADMIN_TOKEN",
    "WIP_ABOUT_NAME",
    "WIP_ABOUT_ETHOS",
    "WIP_ABOUT_LINKS",
)


@pytest.fixture
def in_folder_with_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in _VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path / ".env"


def test_about_settings_come_from_the_dotenv_file(in_folder_with_env: Path) -> None:
    in_folder_with_env.write_text(
        "WIP_ABOUT_NAME=Jerusha Gray\nWIP_ABOUT_LINKS=Site=https://example.com,Mail=mailto:a@b.c\n"
    )
    about = About.from_settings(Settings.from_env())
    assert about.name == "Jerusha Gray"
    assert about.links == [("Site", "https://example.com"), ("Mail", "mailto:a@b.c")]


def test_about_defaults_when_nothing_is_set(in_folder_with_env: Path) -> None:
    assert About.from_settings(Settings.from_env()).name == DEFAULT_NAME


def test_a_bad_about_link_fails_when_settings_are_read(in_folder_with_env: Path) -> None:
    in_folder_with_env.write_text("WIP_ABOUT_LINKS=Evil=javascript:alert(1)\n")
    with pytest.raises(ConfigError, match="WIP_ABOUT_LINKS"):
        Settings.from_env()


def test_the_cron_secret_is_trimmed_once_for_every_reader(
    in_folder_with_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRON_SECRET", "  s3cret-value \t")
    secret = Settings.from_env().cron_secret
    assert secret == "s3cret-value"
    authorize("Bearer s3cret-value", secret)
    with pytest.raises(AuthError):
        authorize("Bearer   s3cret-value \t", secret)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"database_url": "mysql://x"}, "DATABASE_URL is not a postgres URL"),
        ({"supabase_url": "ftp://x", "supabase_key": "k"}, "SUPABASE_URL is not an http"),
        ({"supabase_url": "https://x.supabase.co"}, "no key is"),
    ],
)
def test_every_settings_object_is_valid_however_it_was_made(
    kwargs: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings(**kwargs)  # type: ignore[arg-type]


def test_a_flag_names_itself_in_the_error() -> None:
    with pytest.raises(ConfigError, match="--database-url is not a postgres URL"):
        Settings().with_database_url("http://x", "--database-url")


def test_a_direct_url_wins_over_a_supabase_project() -> None:
    settings = Settings(supabase_url="https://x.supabase.co/", supabase_key="k")
    assert settings.supabase_url == "https://x.supabase.co"
    direct = settings.with_database_url("postgresql://u@localhost/db")
    assert (direct.backend, direct.supabase_url) == ("postgres", None)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (WorksInProdError("x"), 500),
        (ConfigError("x"), 500),
        (StoreError("x"), 500),
        (ValidationError("x"), 422),
        (ConflictError("x"), 422),
        (NotFoundError("x"), 404),
        (PermissionDeniedError("x"), 403),
        (AuthError("x"), 401),
        (TransientError("x"), 503),
    ],
)
def test_each_error_carries_its_http_status(error: WorksInProdError, status: int) -> None:
    assert error.http_status == status


def test_the_bearer_check_is_an_auth_error_not_a_sqlstate() -> None:
    with pytest.raises(AuthError) as caught:
        authorize("Bearer wrong", "right")
    assert caught.value.code is None


def test_the_version_has_one_source() -> None:
    assert worksinprod.__version__ == importlib.metadata.version("worksinprod")
    from worksinprod.web.app import create_app

    app = create_app(Settings(database_url="postgresql://u@localhost/db"))
    assert app.version == worksinprod.__version__


def test_a_runtime_makes_its_client_once(database_url: str) -> None:
    run = Runtime(Settings(database_url=database_url))
    try:
        first = run.client
        assert run.client is first
        assert run.direct_url() == database_url
    finally:
        run.close()
    assert run._client is None


@pytest.mark.parametrize("text", ["2d", "25h", "999999999d"])
def test_a_heartbeat_slot_longer_than_a_day_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    """A run is recorded at its slot's start, up to a slot ago: past the shortest retention
    (a day) every run would be refused, with a message naming ran_at, not the setting."""
    monkeypatch.setenv("WIP_HEARTBEAT_EVERY", text)
    with pytest.raises(ConfigError, match="WIP_HEARTBEAT_EVERY must be from one second to one"):
        Settings.from_env()
    with pytest.raises(ConfigError, match="--every must be from one second to one day"):
        parse_interval(text)


@pytest.mark.parametrize("text", ["1d", "24h", "1s", "15m"])
def test_a_slot_up_to_a_day_is_taken(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setenv("WIP_HEARTBEAT_EVERY", text)
    assert Settings.from_env().heartbeat_every == parse_interval(text)


def test_an_interval_with_too_many_digits_is_refused() -> None:
    with pytest.raises(ConfigError, match="--every takes a duration"):
        parse_interval("99999999999999999999d")


@pytest.mark.parametrize(
    ("url", "secrets"),
    [
        ("postgresql://postgres:Tr0ub@dor-secret@127.0.0.1:5432/wip", ["Tr0ub", "dor-secret"]),
        ("postgresql://postgres:Sec/ret99@127.0.0.1/wip", ["Sec", "ret99"]),
        ("host=127.0.0.1 port=5432 password=Secret99", ["Secret99", "Secre"]),
        ("mysql://root:Secret99@db/x", ["Secret99", "root"]),
    ],
)
def test_a_bad_database_url_is_refused_without_a_word_of_its_password(
    url: str, secrets: list[str]
) -> None:
    with pytest.raises(ConfigError) as refused:
        Settings(database_url=url)
    for secret in secrets:
        assert secret not in str(refused.value)
