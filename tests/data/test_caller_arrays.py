"""A portfolio and the results built on it never share memory with the caller's arrays."""

from __future__ import annotations

import numpy as np

import successkit as sk
from successkit.data.convert import convert_ids

AS_OF = "2026-10-01"


def test_portfolio_ids_are_not_the_callers_array() -> None:
    ids = np.array(["a", "b"])
    pf = sk.Portfolio.from_columns({"id": ids, "seats": [1, 1]}, as_of=AS_OF)
    direct = sk.Portfolio(ids)
    touch = sk.TouchModel.sansan().score(
        {"account_id": ["a"], "touchpoint": ["web_access"], "at": ["2026-09-01"]}, pf)
    stages = sk.Roadmap([sk.Stage("new")]).assign(pf)
    ids[0] = "z"
    for ours in (pf.ids, direct.ids, touch.ids, stages.ids):
        assert ours.tolist() == ["a", "b"]
    assert pf.index_of(["a", "b"]).tolist() == [0, 1]
    assert "a" in pf
    assert "z" not in pf


def test_portfolio_columns_are_not_the_callers_arrays() -> None:
    x = np.array([1.0, 2.0])
    flag = np.array([True, False])
    day = np.array(["2026-01-01", "2026-02-01"], dtype="datetime64[D]")
    label = np.array(["p", "q"])
    pf = sk.Portfolio.from_columns({"id": ["a", "b"], "x": x, "flag": flag, "day": day,
                                    "label": label}, as_of=AS_OF)
    x[0], flag[0], day[0], label[0] = 9.0, False, day[1], "q"
    assert pf["x"].tolist() == [1.0, 2.0]
    assert pf["flag"].tolist() == [True, False]
    assert pf.column("day").to_list()[0].isoformat() == "2026-01-01"
    assert pf.column("label").to_list() == ["p", "q"]


def test_a_portfolios_own_ids_are_not_copied_again() -> None:
    pf = sk.Portfolio.from_columns({"id": ["a", "b"], "x": [1, 2]}, as_of=AS_OF)
    assert not pf.ids.flags.writeable
    assert pf.with_as_of("2026-11-01").ids is pf.ids
    assert pf.with_columns({"y": [3, 4]}).ids is pf.ids
    assert convert_ids(pf.ids) is pf.ids
    taken = pf.take([1, 0])
    assert taken.ids.tolist() == ["b", "a"]
    assert not taken.ids.flags.writeable


def test_a_read_only_view_of_a_writeable_array_is_copied() -> None:
    ids = np.array(["a", "b"])
    view = ids.view()
    view.flags.writeable = False
    pf = sk.Portfolio(view)
    ids[0] = "z"
    assert pf.ids.tolist() == ["a", "b"]
