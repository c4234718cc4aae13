"""tools playbook SLUG: print a tool's playbook, edit it in $EDITOR, replace it from a file,
list its history, restore an earlier revision."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..client import Client
from ..errors import ConfigError, ValidationError
from ..models import Playbook
from .app import console, err_console, runtime
from .show import JsonFlag, print_json
from .tools import tools_app

Opt = typer.Option


@tools_app.command("playbook")
def playbook(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="The tool whose playbook to show or change.")],
    edit: Annotated[bool, Opt("--edit", help="Open it in $EDITOR (a template if new).")] = False,
    file: Annotated[
        str | None, Opt("--file", help="Replace it with this Markdown file ('-': stdin).")
    ] = None,
    history: Annotated[bool, Opt("--history", help="List every saved version.")] = False,
    restore: Annotated[
        int | None, Opt("--restore", help="Make this earlier revision current again.")
    ] = None,
    revision: Annotated[int | None, Opt("--revision", help="Print this revision.")] = None,
    author: Annotated[
        str | None, Opt("--author", help="Who is writing (default: your login name).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Print a tool's playbook (Markdown), or edit, replace, list or restore it."""
    chosen = [edit, file is not None, history, restore is not None, revision is not None]
    if sum(chosen) > 1:
        raise ConfigError("choose one of --edit, --file, --history, --restore, --revision")
    if edit:
        _check_interactive()
    client = runtime(ctx).client
    if edit:
        _edit(client, slug, author)
    elif file is not None:
        text = _read(file)
        opened = client.playbook(slug).revision
        _report(opened, client.set_playbook(slug, text, expected_revision=opened, author=author))
    elif history:
        _history(client, slug, as_json)
    elif restore is not None:
        restored = client.restore_playbook(slug, restore, author=author)
        console.print(
            f"restored revision {restore} of [bold]{escape(slug)}[/] "
            f"as revision {restored.revision}"
        )
    else:
        _print(client, slug, revision, as_json)


def _print(client: Client, slug: str, revision: int | None, as_json: bool) -> None:
    if revision is None:
        current = client.playbook(slug)
        if as_json:
            print_json(current.model_dump(mode="json"))
        elif current.exists:
            typer.echo(
                current.body if current.body.endswith("\n") else current.body + "\n", nl=False
            )
        else:
            err_console.print(
                f"{escape(slug)} has no playbook yet. Write one, starting from a template: "
                f"worksinprod tools playbook {escape(slug)} --edit",
                highlight=False,
                soft_wrap=True,
            )
        return
    found = [r for r in client.playbook_history(slug) if r.revision == revision]
    if not found:
        raise ConfigError(f'--revision: the playbook of "{slug}" has no revision {revision}')
    if as_json:
        print_json(found[0].model_dump(mode="json"))
    else:
        typer.echo(found[0].body)


def _history(client: Client, slug: str, as_json: bool) -> None:
    revisions = client.playbook_history(slug)
    if as_json:
        print_json([r.model_dump(mode="json") for r in revisions])
        return
    if not revisions:
        console.print(f"Suspiciously quiet. ({escape(slug)} has no playbook yet)")
        return
    table = Table()
    for column in ("revision", "saved (UTC)", "by", "characters", "note"):
        table.add_column(column)
    for r in revisions:
        note = f"restored from {r.restored_from}" if r.restored_from else ""
        table.add_row(
            str(r.revision),
            r.created_at.strftime("%Y-%m-%d %H:%M"),
            Text(r.author),
            str(len(r.body)),
            note if r.body else "cleared",
        )
    console.print(table)


def _check_interactive() -> None:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise ConfigError(
            "--edit needs a terminal: use --file PATH instead (or --file - to read standard input)"
        )
    if not (os.environ.get("VISUAL") or os.environ.get("EDITOR")):
        raise ConfigError(
            "--edit needs an editor: set EDITOR (e.g. EDITOR=nano), or use --file PATH instead"
        )


def _edit(client: Client, slug: str, author: str | None) -> None:
    current = client.playbook(slug)
    opened = current.body if current.exists else client.playbook_template(slug)
    editor = shlex.split(os.environ.get("VISUAL") or os.environ.get("EDITOR") or "")
    # A private file (mode 0600) that outlives a failed save, so an edit is never lost.
    handle, name = tempfile.mkstemp(prefix=f"playbook-{slug}-", suffix=".md")
    path = Path(name)
    with os.fdopen(handle, "w", encoding="utf-8") as draft:
        draft.write(opened)
    try:
        status = subprocess.run([*editor, str(path)], check=False).returncode
    except OSError as exc:
        path.unlink()
        raise ConfigError(f"cannot start the editor {editor[0]!r}: {exc.strerror}") from exc
    if status != 0:
        raise ConfigError(
            f"the editor exited with status {status}; nothing saved (your text: {path})"
        )
    text = path.read_text(encoding="utf-8")
    if text == opened:
        path.unlink()
        console.print("no changes; nothing saved")
        return
    try:
        saved = client.set_playbook(slug, text, expected_revision=current.revision, author=author)
    except ValidationError as exc:
        raise type(exc)(
            f"{exc.message}. Your text is kept in {path}",
            code=exc.code,
            details=exc.details,
            hint=exc.hint,
        ) from exc
    path.unlink()
    _report(current.revision, saved)


def _read(file: str) -> str:
    try:
        if file == "-":
            return sys.stdin.read()
        return Path(file).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"--file: {file} is not UTF-8 text") from exc
    except OSError as exc:
        raise ConfigError(f"--file: cannot read {file}: {exc.strerror}") from exc


def _report(opened: int, saved: Playbook) -> None:
    if saved.revision == opened:
        console.print(f"unchanged: {escape(saved.slug)} stays at revision {saved.revision}")
    else:
        console.print(f"saved revision {saved.revision} of [bold]{escape(saved.slug)}[/]")
