"""Flows.between keeps only the integrations between the tools a map read (an edit between the
map's two reads), in the order they were read in every index, and never changes the shared Flows
(found by review)."""

from __future__ import annotations

from worksinprod.web.graph import Flow, Flows


def test_between_keeps_each_tools_integrations_in_their_order() -> None:
    # x is gone from the map: a -> x is dropped, the rest keep the order they were read in
    flows = [Flow("a", "x", "1"), Flow("b", "c", "2"), Flow("a", "c", "3")]
    shared = Flows.index(flows)
    kept = shared.between(dict.fromkeys("abc"))
    assert kept.fed_by["c"] == [Flow("b", "c", "2"), Flow("a", "c", "3")]
    assert kept.feeds == {"b": [Flow("b", "c", "2")], "a": [Flow("a", "c", "3")]}
    assert kept.out == {"b": ["c"], "a": ["c"]}
    assert shared.fed_by["c"] == [Flow("b", "c", "2"), Flow("a", "c", "3")]  # unchanged
    assert shared.feeds["a"] == [Flow("a", "x", "1"), Flow("a", "c", "3")]
    assert shared.between(dict.fromkeys("abcx")) is shared
