"""worksinprod schedule pg-cron against a real pg_cron (Debian's postgresql-15-cron).

pg_net is not packaged for Debian, and Supabase Vault needs pgsodium; neither can run here. So
each test installs a stand-in ``net.http_post`` (same signature as pg_net's) that records the
call instead of sending it, and one test a stand-in Vault (same function signatures as
supabase_vault 0.3). They let the job be created and its command run; the recorded request is
then replayed against the real function on 127.0.0.1, which must accept it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, LiteralString, cast

import httpx
import psycopg
import pytest
from functions.heartbeat.main import app as function_app
from typer.testing import CliRunner

from worksinprod import pg_cron
from worksinprod.cli import app
from worksinprod.migrations import migrate
from worksinprod.seed import load_demo_stack

from . import pgcron_server
from .servers import serve

SECRET = "pg-cron-s3cret"
runner = CliRunner()

NET_STAND_IN = """
create schema net;
create table net.calls (url text, body jsonb, headers jsonb, timeout_milliseconds integer);
create function net.http_post(
  url text, body jsonb default '{}', params jsonb default '{}', headers jsonb default '{}',
  timeout_milliseconds integer default 5000
) returns bigint language sql as $$
  insert into net.calls values (url, body, headers, timeout_milliseconds);
  select 1::bigint
$$;
"""

VAULT_STAND_IN = """
create schema vault;
create table vault.secrets (
  id uuid primary key default gen_random_uuid(), name text unique, description text,
  secret text not null
);
create function vault.create_secret(
  new_secret text, new_name text default null, new_description text default '',
  new_key_id uuid default null
) returns uuid language sql as $$
  insert into vault.secrets (secret, name, description)
  values (new_secret, new_name, new_description) returning id
$$;
create function vault.update_secret(
  secret_id uuid, new_secret text default null, new_name text default null,
  new_description text default null, new_key_id uuid default null
) returns void language sql as $$
  update vault.secrets set secret = coalesce(new_secret, secret) where id = secret_id
$$;
create view vault.decrypted_secrets as
  select id, name, description, secret, secret as decrypted_secret from vault.secrets;
"""

needs_pg_cron = pytest.mark.skipif(
    not pgcron_server.available(),
    reason="Debian's postgresql-15 and postgresql-15-cron are not installed (see .ci/run)",
)


@pytest.fixture(scope="module")
def cluster_url() -> Iterator[str]:
    """A migrated database with the demo stack, where pg_cron runs its jobs."""
    if not pgcron_server.available():
        pytest.skip("Debian's postgresql-15 and postgresql-15-cron are not installed")
    with pgcron_server.pg_cron_cluster() as url:
        migrate(url)
        load_demo_stack(url)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("create extension pg_cron")
        yield url


@pytest.fixture
def cron_url(cluster_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The cluster with a stand-in pg_net and no job; CRON_SECRET and DATABASE_URL set."""
    monkeypatch.chdir("/")  # no stray .env from the working tree
    for name in ("SUPABASE_URL", "SUPABASE_SERVICE_ROLE_KEY", "SUPABASE_ANON_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", cluster_url)
    monkeypatch.setenv("CRON_SECRET", SECRET)
    with psycopg.connect(cluster_url, autocommit=True) as conn:
        conn.execute(NET_STAND_IN)
    try:
        yield cluster_url
    finally:
        with psycopg.connect(cluster_url, autocommit=True) as conn:
            conn.execute("delete from cron.job")
            conn.execute("drop schema if exists net cascade")
            conn.execute("drop schema if exists vault cascade")


def wip(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["schedule", "pg-cron", *args])
    return result.exit_code, result.stdout, result.stderr


def jobs(url: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "select jobid, jobname, schedule, command, active from cron.job order by jobid"
        ).fetchall()


def run_job(url: str) -> dict[str, Any]:
    """Run the job's command as pg_cron would; return the call the stand-in recorded."""
    ((_, _, _, command, _),) = jobs(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("truncate net.calls")
        conn.execute(cast(LiteralString, command))
        (row,) = conn.execute("select url, body, headers, timeout_milliseconds from net.calls")
    return dict(zip(("url", "body", "headers", "timeout"), row, strict=True))


@needs_pg_cron
def test_apply_schedules_one_hourly_job_whose_call_the_function_accepts(cron_url: str) -> None:
    with serve(function_app) as function_url:
        code, out, err = wip("--url", function_url + "/", "--apply")
        assert code == 0, err
        assert "scheduled the job works-in-prod-heartbeat (0 * * * *)" in out
        assert "no Supabase Vault" in out
        [(_, name, schedule, command, active)] = jobs(cron_url)
        assert (name, schedule, active) == ("works-in-prod-heartbeat", "0 * * * *", True)
        assert command.startswith("select net.http_post(")
        call = run_job(cron_url)
        assert call["url"] == function_url + "/"
        assert call["headers"] == {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {SECRET}",
        }
        assert (call["body"], call["timeout"]) == ({}, 30000)
        answer = httpx.post(call["url"], headers=call["headers"], json=call["body"], timeout=60)
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] in ("recorded", "already recorded")


@needs_pg_cron
def test_a_rerun_replaces_the_job_and_remove_removes_it_once(cron_url: str) -> None:
    assert wip("--url", "https://old.example.com/", "--apply")[0] == 0
    code, out, _ = wip("--url", "https://new.example.com/", "--apply")
    assert code == 0
    assert "replaced the job" in out
    [(_, _, _, command, _)] = jobs(cron_url)
    assert "https://new.example.com/" in command
    assert "old.example.com" not in command
    code, out, _ = wip("--remove", "--apply")
    assert (code, out.strip()) == (0, "removed the job works-in-prod-heartbeat")
    assert jobs(cron_url) == []
    code, out, _ = wip("--remove", "--apply")
    assert (code, out.strip()) == (0, "no job works-in-prod-heartbeat to remove")


@needs_pg_cron
def test_with_vault_the_secret_lives_in_vault_and_never_in_the_job(
    cron_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with psycopg.connect(cron_url, autocommit=True) as conn:
        conn.execute(VAULT_STAND_IN)
    code, out, _ = wip("--url", "https://fn.example.com/", "--apply")
    assert code == 0
    assert "in Supabase Vault as wip_cron_secret" in out
    monkeypatch.setenv("CRON_SECRET", "rotated-s3cret")
    assert wip("--url", "https://fn.example.com/", "--apply")[0] == 0
    [(_, _, _, command, _)] = jobs(cron_url)
    assert SECRET not in command
    assert "rotated" not in command
    with psycopg.connect(cron_url) as conn:
        secrets = conn.execute("select name, secret from vault.secrets").fetchall()
    assert secrets == [("wip_cron_secret", "rotated-s3cret")]
    assert run_job(cron_url)["headers"]["Authorization"] == "Bearer rotated-s3cret"


@needs_pg_cron
def test_the_printed_sql_pasted_does_what_apply_does(cron_url: str) -> None:
    with psycopg.connect(cron_url, autocommit=True) as conn:
        conn.execute(VAULT_STAND_IN)
    code, script, err = wip("--url", "https://fn.example.com/")
    assert code == 0
    assert "holds CRON_SECRET" in err
    assert jobs(cron_url) == []  # printing changes nothing
    with psycopg.connect(cron_url, autocommit=True) as conn:
        conn.execute(script)  # as a SQL editor runs it: all statements
        conn.execute(script)
    [(_, name, schedule, _, _)] = jobs(cron_url)
    assert (name, schedule) == (pg_cron.JOB_NAME, pg_cron.SCHEDULE)
    assert run_job(cron_url)["headers"]["Authorization"] == f"Bearer {SECRET}"
    code, removal, _ = wip("--remove")
    with psycopg.connect(cron_url, autocommit=True) as conn:
        conn.execute(removal)
        conn.execute(removal)
    assert jobs(cron_url) == []


@needs_pg_cron
def test_quotes_and_dollar_tags_in_the_url_stay_inside_it(cron_url: str) -> None:
    url = "https://fn.example.com/$job$');drop%20table%20tools;--?q='x'"
    assert wip("--url", url, "--apply")[0] == 0
    assert run_job(cron_url)["url"] == url
    with psycopg.connect(cron_url) as conn:
        assert conn.execute("select to_regclass('public.tools')").fetchone() == ("tools",)


@needs_pg_cron
def test_without_pg_net_apply_refuses_and_schedules_nothing(cron_url: str) -> None:
    with psycopg.connect(cron_url, autocommit=True) as conn:
        conn.execute("drop schema net cascade")
    code, out, err = wip("--url", "https://fn.example.com/", "--apply")
    assert code == 1
    assert "pg_net is not enabled" in err
    assert "Traceback" not in out + err
    assert jobs(cron_url) == []


def test_without_pg_cron_apply_says_how_to_enable_it(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir("/")
    monkeypatch.setenv("CRON_SECRET", SECRET)
    monkeypatch.setenv("DATABASE_URL", database_url)
    code, _, err = wip("--url", "https://fn.example.com/", "--apply")
    assert code == 1
    assert "pg_cron is not enabled on this database" in err
    assert wip("--remove", "--apply")[1].strip() == "no job works-in-prod-heartbeat to remove"


def test_apply_needs_a_database_named_on_purpose(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir("/")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CRON_SECRET", SECRET)
    code, _, err = wip("--url", "https://fn.example.com/", "--apply")
    assert code == 1
    assert "--apply needs DATABASE_URL" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "--url is required"),
        (("--url", ""), "--url must be printable ASCII"),
        (("--url", "https://fn.example.com/\x00"), "--url must be printable ASCII"),
        (("--url", "https://fn.example.com/\r\nX-Evil: 1"), "--url must be printable ASCII"),
        (("--url", "https://fn.example.com/ é"), "--url must be printable ASCII"),
        (("--url", "https://fn.example.com/" + "a" * 5000), "--url is too long"),
        (("--url", "javascript:alert(1)"), "--url must be an http(s) URL"),
        (("--url", "<script>alert(1)</script>"), "--url must be an http(s) URL"),
        (("--url", "file:///etc/passwd"), "--url must be an http(s) URL"),
        (("--url", "https://[::1/"), "--url is not a valid URL"),
        (("--url", "https://user:pw@fn.example.com/"), "--url must not carry credentials"),
        (("--url", "http://fn.example.com/"), "--url must be https"),
        (("--remove", "--url", "https://fn.example.com/"), "--remove takes no --url"),
    ],
)
def test_hostile_urls_are_refused_naming_the_option(
    args: tuple[str, ...], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir("/")
    monkeypatch.setenv("CRON_SECRET", SECRET)
    code, out, err = wip(*args)
    assert code == 1
    assert message in err
    assert len(err.strip().splitlines()) <= 2  # one line, maybe wrapped by the terminal width
    assert "Traceback" not in out + err
    assert out == ""


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        (None, "CRON_SECRET is not set"),
        ("with space", "CRON_SECRET must be printable ASCII"),
        ("tab\there", "CRON_SECRET must be printable ASCII"),
        ("line\r\nX-Evil: 1", "CRON_SECRET must be printable ASCII"),
        ("ctrl\x01", "CRON_SECRET must be printable ASCII"),
        ("s" * 2000, "CRON_SECRET is too long"),
    ],
)
def test_hostile_secrets_are_refused_naming_cron_secret(
    secret: str | None, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir("/")
    if secret is None:
        monkeypatch.delenv("CRON_SECRET", raising=False)
    else:
        monkeypatch.setenv("CRON_SECRET", secret)
    code, out, err = wip("--url", "https://fn.example.com/")
    assert code == 1
    assert message in err
    assert "Traceback" not in out + err
    assert out == ""


def test_http_is_accepted_only_for_this_host() -> None:
    for url in ("http://127.0.0.1:8080/", "http://localhost/", "http://[::1]:9/"):
        assert pg_cron.check_url(url) == url
    assert "'https://fn.example.com/'" in pg_cron.schedule_script("https://fn.example.com/", "t")
