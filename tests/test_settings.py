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
