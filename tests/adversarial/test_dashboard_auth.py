"""Sessions that end, throttled sign-in, the Host header, Secure cookies, HEAD, hostile forms.

Inputs tried, per entry point (each refused with a 4xx naming the problem, nothing changed):
- POST /signin: 6 (a saved cookie replayed after sign-out, a pre-sign-in CSRF token, 3
  non-ASCII/NUL CSRF values, 40 wrong tokens from one address against the throttle);
- Host header: 6 (evil.example, a rebinding name with a port, an IPv6 literal, empty, and 2
  allowed names that must pass);
- admin forms: 6 fields x 3 hostile values (NUL, NUL in the CSRF field, a 10k string);
- HEAD: 3 pages.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx
import psycopg
import pytest
import trustme

from worksinprod import ConfigError, Settings
from worksinprod.web.sessions import Sessions, SignInThrottle

from .conftest import TOKEN, Start, csrf_of, sign_in


def test_a_cookie_saved_while_signed_in_is_worthless_after_sign_out(start: Start) -> None:
    base = start()
    with httpx.Client() as http:
        assert sign_in(http, base).status_code == 303
        saved = dict(http.cookies)
        csrf = csrf_of(http.get(base + "/tools/new"))
        assert http.post(base + "/signout", data={"csrf": csrf}).status_code == 303
    with httpx.Client(cookies=saved) as thief:
        response = thief.post(base + "/tools/segment/delete", data={"csrf": csrf})
    assert response.status_code == 403
    assert "sign in" in response.text
    with httpx.Client() as http:
        assert http.get(base + "/tools/segment").status_code == 200  # still there


def test_signing_in_rotates_the_csrf_token(start: Start) -> None:
    base = start()
    with httpx.Client() as http:
        before = csrf_of(http.get(base + "/signin"))
        http.post(base + "/signin", data={"token": TOKEN, "csrf": before})
        after = csrf_of(http.get(base + "/tools/new"))
        assert after != before
        refused = http.post(base + "/tools/segment/delete", data={"csrf": before})
        assert refused.status_code == 403


def test_sessions_expire_and_end() -> None:
    now = [0.0]
    sessions = Sessions(lifetime=100, clock=lambda: now[0])
    first, second = sessions.start(), sessions.start()
    assert sessions.is_live(first)
    assert sessions.is_live(second)
    sessions.end(first)
    assert not sessions.is_live(first)
    now[0] = 100.0
    assert not sessions.is_live(second)
    assert not sessions.is_live(None)
    assert not sessions.is_live(5)


def test_wrong_tokens_are_throttled_per_address_and_overall() -> None:
    now = [0.0]
    throttle = SignInThrottle(per_address=3, overall=5, window=60, clock=lambda: now[0])
    for _ in range(3):
        throttle.check("a")
        throttle.failed("a")
    with pytest.raises(Exception, match="too many wrong tokens") as caught:
        throttle.check("a")
    assert getattr(caught.value, "http_status", None) == 429
    throttle.check("b")  # another address is not held back by a's failures...
    throttle.failed("b")
    throttle.failed("c")
    with pytest.raises(Exception, match="too many wrong tokens"):
        throttle.check("d")  # ...until everyone's together pass the overall limit
    now[0] = 61.0
    throttle.check("a")


def test_a_flood_of_wrong_tokens_gets_429_with_retry_after(start: Start) -> None:
    base = start()
    statuses = []
    with httpx.Client() as http:
        for _ in range(40):
            statuses.append(sign_in(http, base, token="wrong-token-guess-000").status_code)
        right = sign_in(http, base)
    assert statuses[:5] == [401] * 5
    assert set(statuses[5:]) == {429}
    assert right.status_code == 429  # even the right token waits: the guesser cannot tell
    assert int(right.headers["retry-after"]) >= 1


@pytest.mark.parametrize("value", ["é-not-ascii", "\u202e\u202d", "nul\x00byte"])
def test_a_hostile_csrf_value_is_a_403_not_a_500(start: Start, value: str) -> None:
    base = start()
    with httpx.Client() as http:
        http.get(base + "/signin")
        response = http.post(base + "/signin", data={"token": TOKEN, "csrf": value})
    assert response.status_code == 403
    assert "form expired" in response.text


@pytest.mark.parametrize("field", ["name", "slug", "category", "vendor", "owner", "description"])
def test_a_nul_byte_in_any_admin_field_is_a_422_naming_it(
    start: Start, seeded: str, field: str
) -> None:
    base = start()
    form = {"name": "Nul Tool", "category": "CRM", "owner": "Ops"}
    form[field] = "bad\x00value"
    with httpx.Client() as http:
        sign_in(http, base)
        csrf = csrf_of(http.get(base + "/tools/new"))
        response = http.post(base + "/tools/new", data={**form, "csrf": csrf})
    assert response.status_code == 422
    # beside its field, by the reason alone (the form names the field)
    assert f'id="{field}-error">must not contain a NUL byte</p>' in response.text
    with psycopg.connect(seeded) as conn:
        assert conn.execute("select count(*) from tools where name like 'Nul%'").fetchone() == (0,)


def test_a_short_admin_token_is_refused_at_start() -> None:
    with pytest.raises(ConfigError, match="at least 16"):
        Settings(admin_token="short")
    with pytest.raises(ConfigError, match="at least 16"):
        Settings.from_env({"WIP_ADMIN_TOKEN": "fifteen-chars!!"})
    assert Settings(admin_token="x" * 16).admin_token == "x" * 16


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("evil.example", 400),
        ("rebound.attacker.test:8000", 400),
        ("[fe80::1]:8000", 400),
        ("", 400),
        ("localhost:1234", 200),
        ("[::1]:8000", 200),
    ],
)
def test_only_allowed_hosts_are_answered(start: Start, host: str, status: int) -> None:
    base = start()
    response = httpx.get(base + "/stack", headers={"Host": host})
    assert response.status_code == status
    if status == 400:
        assert "WIP_ALLOWED_HOSTS" in response.text


def test_allowed_hosts_come_from_the_setting(start: Start) -> None:
    base = start(allowed_hosts=("wip.example.com",))
    assert httpx.get(base + "/stack", headers={"Host": "wip.example.com"}).status_code == 200
    assert httpx.get(base + "/stack").status_code == 400  # 127.0.0.1 is no longer listed
    with pytest.raises(ConfigError, match="WIP_ALLOWED_HOSTS entry"):
        Settings.from_env({"WIP_ALLOWED_HOSTS": "ok.example, http://bad.example/"})


def test_over_https_the_session_cookie_is_secure(start: Start, tmp_path: Path) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    cert.private_key_and_cert_chain_pem.write_to_path(str(tmp_path / "cert.pem"))
    cert.private_key_pem.write_to_path(str(tmp_path / "key.pem"))
    base = start(
        server={
            "ssl_certfile": str(tmp_path / "cert.pem"),
            "ssl_keyfile": str(tmp_path / "key.pem"),
        }
    )
    context = ssl.create_default_context()
    ca.configure_trust(context)
    with httpx.Client(verify=context) as http:
        cookie = http.get(base + "/signin").headers["set-cookie"]
    assert "wip_session=" in cookie
    assert "secure" in cookie.lower()


def test_over_http_the_cookie_is_not_marked_secure(start: Start) -> None:
    # A Secure cookie over plain HTTP would never come back: loopback use must keep working.
    cookie = httpx.get(start() + "/signin").headers["set-cookie"]
    assert "secure" not in cookie.lower()


@pytest.mark.parametrize("path", ["/", "/stack", "/api/tools"])
def test_head_answers_like_get_without_a_body(start: Start, path: str) -> None:
    base = start()
    response = httpx.head(base + path)
    assert response.status_code == httpx.get(base + path).status_code
    assert response.content == b""
