"""worksinprod tools playbook: print, --file, --edit (in a real terminal), --history, --restore."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

import worksinprod
from worksinprod.cli import app
from worksinprod.seed import load_demo_stack

runner = CliRunner()


def wip(url: str, *args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--database-url", url, *args], input=input)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def demo(database_url: str) -> str:
    load_demo_stack(database_url)
    return database_url


def history(url: str, slug: str) -> list[tuple[int, str]]:
    with worksinprod.connect(database_url=url) as client:
        return [(r.revision, r.body) for r in client.playbook_history(slug)]


def test_file_replaces_it_print_shows_it_and_history_lists_every_version(
    demo: str, tmp_path: Path
) -> None:
    code, _, err = wip(demo, "tools", "playbook", "amplitude")
    assert code == 0
    assert "amplitude has no playbook yet" in err
    assert "worksinprod tools playbook amplitude --edit" in err

    source = tmp_path / "amplitude.md"
    source.write_text("# Amplitude is down\n\nRing Ravi.\n", encoding="utf-8")
    code, out, _ = wip(
        demo, "tools", "playbook", "amplitude", "--file", str(source), "--author", "R"
    )
    assert (code, out.strip()) == (0, "saved revision 1 of amplitude")
    assert wip(demo, "tools", "playbook", "amplitude")[1] == "# Amplitude is down\n\nRing Ravi.\n"

    code, out, _ = wip(demo, "tools", "playbook", "amplitude", "--file", "-", input="# v2\n")
    assert (code, out.strip()) == (0, "saved revision 2 of amplitude")
    code, out, _ = wip(demo, "tools", "playbook", "amplitude", "--file", "-", input="# v2\n")
    assert out.strip() == "unchanged: amplitude stays at revision 2"

    code, out, _ = wip(demo, "tools", "playbook", "amplitude", "--history")
    assert code == 0
    assert "restored" not in out
    assert out.index("│ 2 ") < out.index("│ 1 ")
    listed = json.loads(wip(demo, "tools", "playbook", "amplitude", "--history", "--json")[1])
    assert [(r["revision"], r["author"]) for r in listed][1] == (1, "R")
    assert wip(demo, "tools", "playbook", "amplitude", "--revision", "1")[1].startswith(
        "# Amplitude"
    )

    code, out, _ = wip(demo, "tools", "playbook", "amplitude", "--restore", "1", "--author", "D")
    assert (code, out.strip()) == (0, "restored revision 1 of amplitude as revision 3")
    assert history(demo, "amplitude")[0] == (3, "# Amplitude is down\n\nRing Ravi.\n")
    current = json.loads(wip(demo, "tools", "playbook", "amplitude", "--json")[1])
    assert (current["revision"], current["restored_from"], current["author"]) == (3, 1, "D")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--edit"], "--edit needs a terminal: use --file PATH instead"),
        (["--file", "/nonexistent/x.md"], "--file: cannot read /nonexistent/x.md"),
        (["--file", "-", "--history"], "choose one of --edit, --file, --history"),
        (["--revision", "9"], 'the playbook of "amplitude" has no revision 9'),
        (["--restore", "9"], 'the playbook of "amplitude" has no revision 9'),
        (["--restore", "-1"], "revision: must be a whole revision number"),
        (["--file", "-", "--author", ""], "author: must not be empty"),
    ],
)
def test_mistakes_are_one_line_and_change_nothing(demo: str, args: list[str], message: str) -> None:
    code, _, err = wip(demo, "tools", "playbook", "amplitude", *args, input="# new\n")
    assert code == 1
    assert message in err
    assert len(err.strip().splitlines()) <= 2  # one line, soft-wrapped at most
    assert "Traceback" not in err
    assert history(demo, "amplitude") == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe not utf-8", "is not UTF-8 text"),
        (b"nul \x00 byte", "body: must not contain NUL bytes"),
        (b"bell \x07", "body: must not contain control characters (found U+0007"),
        (b"x" * 50_001, "body: must be at most 50000 characters"),
    ],
)
def test_a_hostile_file_is_refused_naming_the_problem(
    demo: str, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "hostile.md"
    path.write_bytes(content)
    code, _, err = wip(demo, "tools", "playbook", "amplitude", "--file", str(path))
    assert code == 1
    assert message in err.replace("\n", " ")
    assert history(demo, "amplitude") == []


def test_an_unknown_tool_is_one_red_line(demo: str) -> None:
    code, _, err = wip(demo, "tools", "playbook", "nope")
    assert code == 1
    assert err.strip() == 'error: no tool with slug "nope"'


EDITOR = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    path = Path(sys.argv[1])
    Path(sys.argv[0]).with_suffix(".seen").write_text(path.read_text())
    path.write_text({replacement!r})
    """
)


def run_in_terminal(url: str, editor: Path, slug: str) -> tuple[int, str]:
    """The real command in a pseudo-terminal (so --edit sees a terminal), with ``editor``."""
    primary, secondary = pty.openpty()
    env = {**os.environ, "EDITOR": f"{sys.executable} {editor}", "TERM": "dumb"}
    env.pop("VISUAL", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "worksinprod",
            "--database-url",
            url,
            "tools",
            "playbook",
            slug,
            "--edit",
            "--author",
            "Terminal",
        ],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=env,
        close_fds=True,
    )
    os.close(secondary)
    output = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # EIO: the terminal closed when the command ended
            break
        if not chunk:
            break
        output += chunk
    os.close(primary)
    return process.wait(timeout=60), output.decode(errors="replace")


def test_edit_opens_the_template_in_the_editor_then_saves_what_was_written(
    demo: str, tmp_path: Path
) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text(EDITOR.format(replacement="# Written in the editor\n"))
    code, output = run_in_terminal(demo, editor, "hightouch")
    assert code == 0, output
    assert "saved revision 1 of hightouch" in output
    seen = editor.with_suffix(".seen").read_text()
    assert "## Vendor contacts" in seen
    assert "Braze" in seen
    assert history(demo, "hightouch") == [(1, "# Written in the editor\n")]

    editor.write_text(EDITOR.format(replacement="# Written in the editor\n"))
    code, output = run_in_terminal(demo, editor, "hightouch")
    assert (code, "no changes; nothing saved" in output) == (0, True)
    assert editor.with_suffix(".seen").read_text() == "# Written in the editor\n"


def test_edit_keeps_the_text_when_the_save_is_refused(demo: str, tmp_path: Path) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text(EDITOR.format(replacement="bell \x07 in my edit"))
    code, output = run_in_terminal(demo, editor, "braze")
    assert code == 1
    assert "must not contain control characters" in output
    kept = output.split("Your text is kept in ")[1].split()[0]
    assert Path(kept).read_text() == "bell \x07 in my edit"
    Path(kept).unlink()
    assert history(demo, "braze") == []


def test_edit_without_an_editor_says_how_to_set_one(demo: str, tmp_path: Path) -> None:
    primary, secondary = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("EDITOR", "VISUAL")}
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "worksinprod",
            "--database-url",
            demo,
            "tools",
            "playbook",
            "amplitude",
            "--edit",
        ],
        stdin=secondary,
        stdout=secondary,
        stderr=subprocess.PIPE,
        env=env,
        check=False,
        text=True,
        timeout=60,
    )
    os.close(secondary)
    os.close(primary)
    assert process.returncode == 1
    assert "--edit needs an editor: set EDITOR" in process.stderr
    assert history(demo, "amplitude") == []
