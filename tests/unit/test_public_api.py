"""``worksinprod.__all__`` is honest: everything in it imports, everything public is in it."""

from __future__ import annotations

import inspect
import types
import typing

import pytest

import worksinprod


def test_every_name_in_all_imports() -> None:
    namespace: dict[str, object] = {}
    exec("from worksinprod import *", namespace)  # noqa: S102 (the import a user writes)
    assert set(worksinprod.__all__) <= set(namespace)
    for name in worksinprod.__all__:
        assert getattr(worksinprod, name) is not None


def test_every_public_symbol_is_in_all() -> None:
    public = {
        name
        for name, value in vars(worksinprod).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(worksinprod.__all__) - {"__version__"}


@pytest.mark.parametrize("name", ["Store", "Select", "MemoryStore", "Client"])
def test_what_a_user_injects_is_exported(name: str) -> None:
    assert name in worksinprod.__all__


def test_a_client_runs_on_the_exported_memory_store() -> None:
    with worksinprod.Client(worksinprod.MemoryStore()) as wip:
        wip.add_tool(name="Segment", category="CDP", owner="Ravi")
        rows = wip.store.select(worksinprod.Select("tools_current", columns=["slug"]))
    assert rows == [{"slug": "segment"}]


def test_every_type_a_client_method_returns_is_exported() -> None:
    """A reader of ``wip.sla_report(...)`` can name what it returns, as docs do."""
    missing = set()

    def walk(hint: object, method: str) -> None:
        for arg in typing.get_args(hint):
            walk(arg, method)
        ours = inspect.isclass(hint) and hint.__module__.startswith("worksinprod.")
        if ours and getattr(hint, "__name__", "") not in worksinprod.__all__:
            missing.add(f"{method} -> {getattr(hint, '__name__', hint)}")

    for name, method in inspect.getmembers(worksinprod.Client, inspect.isfunction):
        if not name.startswith("_"):
            walk(typing.get_type_hints(method).get("return"), name)
    assert missing == set()
