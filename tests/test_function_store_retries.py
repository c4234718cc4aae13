"""The scheduled function opens its store with the run's retries: a refused port is retried
(then 503), a database that comes up meanwhile is used, and a refusal that will not pass (a
wrong password, no such database, no schema) fails at once, unretried."""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest
from functions.heartbeat.main import app, handler

import worksinprod
from worksinprod import Settings
from worksinprod.embedded import EmbeddedPostgres
from worksinprod.errors import ConfigError, StoreError, TransientError
from worksinprod.seed import load_demo_stack
from worksinprod.trigger import record_ping, run_scheduled

from .servers import free_port, serve, tcp_forwarder

SECRET = "s3cret-cron-token"
RETRY = "retrying in"


def at_port(url: str, port: int, *, password: str | None = None) -> str:
    """``url`` with its host and port replaced by 127.0.0.1:``port``."""
    parts = urlsplit(url)
    user = parts.username or "postgres"
    secret = password if password is not None else parts.password
    login = f"{user}:{secret}" if secret else user
    return parts._replace(netloc=f"{login}@127.0.0.1:{port}").geturl()


def target_of(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.hostname is None or parts.port is None:
        pytest.skip("the test server is not on TCP (WIP_TEST_DATABASE_URL names a socket)")
    return parts.hostname, parts.port


def retries(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if RETRY in r.getMessage()]


@pytest.fixture
def function_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    load_demo_stack(database_url)
    for name in ("SUPABASE_URL", "SUPABASE_SERVICE_ROLE_KEY", "SUPABASE_ANON_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CRON_SECRET", SECRET)
    monkeypatch.chdir("/")  # no stray .env from the working tree
    return database_url


@pytest.fixture
def late_database(function_env: str, caplog: pytest.LogCaptureFixture) -> Iterator[str]:
    """A URL on a port where nothing listens until the first retry is announced; then the
    test database answers there."""
    port = free_port()
    target = target_of(function_env)
    with ExitStack() as held:

        class ComeUp(logging.Handler):
            started = False

            def emit(self, record: logging.LogRecord) -> None:
                if not self.started and RETRY in record.getMessage():
                    self.started = True
                    held.enter_context(tcp_forwarder(port, target))

        logger = logging.getLogger("worksinprod")
        come_up = ComeUp()
        logger.addHandler(come_up)
        held.callback(logger.removeHandler, come_up)
        caplog.set_level(logging.WARNING, logger="worksinprod")
        yield at_port(function_env, port)


def test_a_closed_port_is_retried_then_the_function_answers_503(
    function_env: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="worksinprod")
    monkeypatch.setenv("DATABASE_URL", at_port(function_env, free_port()))
    with serve(app) as url:
        response = httpx.post(url + "/", headers={"Authorization": f"Bearer {SECRET}"}, timeout=60)
    assert response.status_code == 503
    assert "cannot connect to the database" in response.json()["error"]
    # The budget docs/deploy.md states: four attempts, the same as each call of the run.
    assert [line.split("(")[-1] for line in retries(caplog)] == [
        "attempt 2 of 4)",
        "attempt 3 of 4)",
        "attempt 4 of 4)",
    ]


def test_a_scheduled_invocation_retries_a_closed_port_then_raises(
    function_env: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="worksinprod")
    monkeypatch.setenv("DATABASE_URL", at_port(function_env, free_port()))
    with pytest.raises(TransientError, match="cannot connect"):
        handler({"detail-type": "Scheduled Event"}, None)
    assert len(retries(caplog)) == 3


def test_a_database_that_comes_up_during_the_retries_records_the_run(
    late_database: str, function_env: str, caplog: pytest.LogCaptureFixture
) -> None:
    result = run_scheduled(Settings(database_url=late_database, cron_secret=SECRET))
    assert (result["status"], result["tools_checked"]) == ("recorded", 28)
    assert len(retries(caplog)) == 1  # one refusal, then the database answered
    with psycopg.connect(function_env) as conn:
        assert conn.execute("select count(*) from heartbeat_log").fetchone() == (1,)


def test_a_ping_waits_for_a_database_that_comes_up_too(
    late_database: str, function_env: str, caplog: pytest.LogCaptureFixture
) -> None:
    with worksinprod.connect(database_url=function_env) as wip:
        _, token = wip.set_check("census", "ping")
    answered = record_ping(Settings(database_url=late_database), f"/api/ping/{token}")
    assert answered == {"slug": "census", "ok": True}
    assert len(retries(caplog)) == 1


def test_no_such_database_fails_at_once_with_a_500(
    function_env: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="worksinprod")
    missing = urlsplit(function_env)._replace(path="/wip_no_such_database").geturl()
    monkeypatch.setenv("DATABASE_URL", missing)
    with serve(app) as url:
        response = httpx.post(url + "/", headers={"Authorization": f"Bearer {SECRET}"}, timeout=60)
    assert response.status_code == 500  # "fix the environment; retrying will not help"
    assert 'database "wip_no_such_database" does not exist' in response.json()["error"]
    assert retries(caplog) == []


def test_a_database_without_the_schema_fails_at_once(
    empty_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="worksinprod")
    with pytest.raises(StoreError, match="run `worksinprod migrate`") as raised:
        run_scheduled(Settings(database_url=empty_database_url))
    assert not isinstance(raised.value, TransientError)
    assert retries(caplog) == []


# -- a server that asks for a password ---------------------------------------------------------


@pytest.fixture(scope="module")
def password_server() -> Iterator[str]:
    """A server of its own whose role wip_probe must give its password (scram-sha-256) over
    TCP; its URL with the right password."""
    home = Path(tempfile.mkdtemp(prefix="wip-password-"))
    home.chmod(0o755)
    server = EmbeddedPostgres(home, tcp=True)
    url = server.start()
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("create role wip_probe login password 'right-password'")
            row = conn.execute("show hba_file").fetchone()
            assert row is not None
            Path(row[0]).write_text(
                "local all all trust\n"
                "host all postgres 127.0.0.1/32 trust\n"
                "host all all 127.0.0.1/32 scram-sha-256\n"
            )
            conn.execute("select pg_reload_conf()")
        _, port = target_of(url)
        yield f"postgresql://wip_probe:right-password@127.0.0.1:{port}/postgres"
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


def test_a_wrong_password_fails_at_once_unretried(
    password_server: str,
    function_env: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="worksinprod")
    with psycopg.connect(password_server) as conn:  # the right one is let in: the test is fair
        assert conn.execute("select current_user").fetchone() == ("wip_probe",)
    _, port = target_of(password_server)
    wrong = at_port(password_server, port, password="wrong-password")
    with pytest.raises(ConfigError, match='password authentication failed for user "wip_probe"'):
        run_scheduled(Settings(database_url=wrong))
    monkeypatch.setenv("DATABASE_URL", wrong)
    with serve(app) as url:
        response = httpx.post(url + "/", headers={"Authorization": f"Bearer {SECRET}"}, timeout=60)
    assert response.status_code == 500
    assert "password authentication failed" in response.json()["error"]
    assert "wrong-password" not in response.json()["error"]
    assert retries(caplog) == []
