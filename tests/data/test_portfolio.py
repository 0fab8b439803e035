"""Portfolio: construction, access, derivation, immutability, round trips."""

from __future__ import annotations

import datetime as dt
import json
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import successkit as sk
from strategies import permutation, portfolios


@pytest.fixture
def pf() -> sk.Portfolio:
    return sk.Portfolio.from_columns(
        {
            "id": ["acme", "globex", "initech"],
            "login_rate": [0.62, None, 0.1],
            "tier": ["high", "low", None],
            "renewal": ["2027-01-31", None, "2026-12-01"],
            "nps_responded": [True, None, False],
        },
        as_of="2026-10-01",
        kinds={"renewal": "date"},
    )


def test_columns_have_kinds_and_user_facing_arrays(pf: sk.Portfolio) -> None:
    assert dict(pf.schema) == {
        "login_rate": "number",
        "tier": "category",
        "renewal": "date",
        "nps_responded": "boolean",
    }
    assert np.isnan(pf["login_rate"][1])
    assert pf["renewal"].dtype == np.dtype("datetime64[D]")
    assert np.isnat(pf["renewal"][1])
    tier = pf["tier"]
    assert isinstance(tier, np.ma.MaskedArray)
    assert tier.mask.tolist() == [False, False, True]
    assert tier.compressed().tolist() == ["high", "low"]
    assert pf["nps_responded"].mask.tolist() == [False, True, False]
    assert pf.as_of == dt.date(2026, 10, 1)
    assert pf.names == ("login_rate", "tier", "renewal", "nps_responded")


def test_account_lookup_and_iteration(pf: sk.Portfolio) -> None:
    acct = pf.account("initech")
    assert acct == sk.Account(
        "initech",
        {"login_rate": 0.1, "tier": None, "renewal": dt.date(2026, 12, 1), "nps_responded": False},
        as_of="2026-10-01",
    )
    assert [a.id for a in pf] == ["acme", "globex", "initech"]
    assert list(pf)[2] == acct
    assert "acme" in pf
    assert acct in pf
    assert "nobody" not in pf
    assert 3 not in pf


def test_a_name_with_no_close_column_is_told_the_columns_and_where_ids_are() -> None:
    pf = sk.Portfolio.from_columns({"account": ["a", "b"], "arr": [5.0, 7.0], "plan": ["x", "y"]},
                                   id="account")
    with pytest.raises(sk.DataError) as info:
        pf.column("acct")
    assert str(info.value) == ("column 'acct': no such column; the columns are 'arr', "
                               "'plan' (account ids are Portfolio.ids, not a column)")
    with pytest.raises(sk.DataError, match="there are no columns"):
        sk.Portfolio.from_columns({"id": ["a"]})["arr"]
    wide = sk.Portfolio.from_columns({"id": ["a"], **{f"m{j:02d}": [1.0] for j in range(20)}})
    with pytest.raises(sk.DataError, match=r"there are 20 columns, listed in Portfolio\.names"):
        wide["zzz"]


def test_the_id_column_is_named_as_such_wherever_the_portfolio_goes() -> None:
    table = {"account": ["a", "b", "c"], "arr": [5.0, 7.0, 9.0]}
    pf = sk.Portfolio.from_columns(table, id="account")
    derived = [pf, pf.take([2, 0]), pf.reindex(["c", "a"]), pf.with_columns(x=[1, 2, 3]),
               pf.without_columns("arr"), pf.with_as_of("2026-01-01"),
               pickle.loads(pickle.dumps(pf)),
               sk.Portfolio.from_records([{"account": "a", "arr": 5.0}], id="account"),
               sk.History.from_columns({**table, "as_of": ["2026-01-01"] * 3},
                                       id="account", as_of="as_of").latest]
    for each in derived:
        assert each.id_column == "account"
        with pytest.raises(sk.DataError, match="'account': is the id column"):
            each.column("account")
    assert pickle.loads(pickle.dumps(pf)) == pf
    with pytest.raises(sk.DataError, match="is the id column"):
        sk.fit_card(pf, [True, False, True], columns=["account", "arr"])
    pd = pytest.importorskip("pandas")
    assert pf.to_frame().index.name == "account"
    assert isinstance(pf.to_frame(), pd.DataFrame)


def test_unknown_names_are_data_errors_with_suggestions(pf: sk.Portfolio) -> None:
    with pytest.raises(sk.DataError, match="column 'login_rat': no such column; did you mean 'login_rate'"):
        pf["login_rat"]
    with pytest.raises(sk.DataError, match=r"account 'acmee': no such account.*did you mean 'acme'"):
        pf.account("acmee")
    with pytest.raises(sk.DataError, match="account has no value 'tierr'; did you mean 'tier'"):
        pf.account("acme")["tierr"]


def test_arrays_are_read_only(pf: sk.Portfolio) -> None:
    with pytest.raises(ValueError, match="read-only"):
        pf["login_rate"][0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        pf.ids[0] = "x"
    with pytest.raises(ValueError, match="read-only"):
        pf.column("tier").values[0] = 3
    with pytest.raises(ValueError, match="read-only"):
        pf["tier"][0] = "low"
    with pytest.raises(TypeError):
        pf.columns["new"] = pf.column("tier")  # type: ignore[index]


def test_input_arrays_are_not_frozen_or_aliased() -> None:
    values = np.array([1.0, 2.0])
    pf = sk.Portfolio.from_columns({"id": ["a", "b"], "x": values})
    values[0] = 99.0
    assert values.flags.writeable
    # The portfolio may share memory with the caller's array only read-only; a later write
    # by the caller must not be possible through the portfolio.
    assert not pf["x"].flags.writeable


def test_portfolio_cannot_be_mutated(pf: sk.Portfolio) -> None:
    import attrs

    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        pf.as_of = None  # type: ignore[misc]


@given(order=st.permutations(list(range(6))))
def test_with_columns_matches_values_keyed_by_id_by_id(order: list[int]) -> None:
    pd = pytest.importorskip("pandas")
    ids = [f"acct-{i}" for i in range(6)]
    pf = sk.Portfolio.from_columns({"id": ids, "x": np.arange(6.0)})
    seats = {ids[i]: float(10 * i) for i in order}  # any order of the keys
    expected = [10.0 * i for i in range(6)]
    assert pf.with_columns(seats=seats)["seats"].tolist() == expected
    series = pd.Series(list(seats.values()), index=list(seats))
    assert pf.with_columns(seats=series)["seats"].tolist() == expected
    frame = pd.DataFrame({"seats": series, "plan": [f"p{k[-1]}" for k in seats]}, index=list(seats))
    both = pf.with_columns(frame)
    assert both["seats"].tolist() == expected
    assert both["plan"].tolist() == [f"p{i}" for i in range(6)]
    # Plain values (a default index) are in the accounts' order, as always.
    assert pf.with_columns(seats=pd.Series(expected))["seats"].tolist() == expected


def test_with_columns_refuses_keys_that_are_not_the_accounts() -> None:
    pd = pytest.importorskip("pandas")
    pf = sk.Portfolio.from_columns({"id": ["a", "b", "c"]})
    with pytest.raises(sk.DataError, match="none of which is an account id"):
        pf.with_columns(seats=pd.Series([1.0, 2.0, 3.0], index=[10, 11, 12]))  # row numbers
    with pytest.raises(sk.DataError, match=r"no value for 1 account ids, e\.g\. \['c'\]"):
        pf.with_columns(seats={"a": 1, "b": 2})
    with pytest.raises(sk.DataError, match="not among the accounts"):
        pf.with_columns(seats={"a": 1, "b": 2, "c": 3, "zz": 4})


def test_with_columns_returns_a_new_portfolio(pf: sk.Portfolio) -> None:
    more = pf.with_columns({"D-3 Login Rate": [0.1, 0.2, 0.3]}, churned=[False, True, False])
    assert more.names[-2:] == ("D-3 Login Rate", "churned")
    assert "churned" not in pf.names
    replaced = pf.with_columns(tier=["a", "b", "c"])
    assert replaced["tier"].tolist() == ["a", "b", "c"]
    dated = pf.with_columns({"start": ["2020-01-01"] * 3}, kinds={"start": "date"})
    assert dated.schema["start"] is sk.Kind.DATE
    with pytest.raises(sk.DataError, match="column 'x': has 2 values but the portfolio has 3"):
        pf.with_columns(x=[1, 2])
    assert pf.without_columns("tier").names == ("login_rate", "renewal", "nps_responded")
    with pytest.raises(sk.DataError, match="no such column"):
        pf.without_columns("nope")


def test_index_of_reindex_and_take(pf: sk.Portfolio) -> None:
    assert pf.index_of(["initech", "nobody", "acme"]).tolist() == [2, -1, 0]
    aligned = pf.reindex(["initech", "new", "acme"])
    assert aligned.ids.tolist() == ["initech", "new", "acme"]
    assert aligned["tier"].mask.tolist() == [True, True, False]
    assert aligned.column("nps_responded").to_list() == [False, None, True]
    assert pf.take([2, 0]).ids.tolist() == ["initech", "acme"]
    assert pf.take(np.array([True, False, True])).ids.tolist() == ["acme", "initech"]
    with pytest.raises(sk.DataError, match="row positions"):
        pf.take([5])
    with pytest.raises(sk.DataError, match="row mask needs 3 entries"):
        pf.take(np.array([True]))


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"id": ["a", "b", "a"]}, "column 'id', account 'a': duplicate account id (rows 0 and 2)"),
        ({"ID": ["a"]}, "column 'id': no id column 'id' (columns: 'ID'); did you mean 'ID'?"),
        ({"id": ["a", "b"], "x": [1]}, "column 'x': has 1 values but the id column 'id' has 2"),
        ({"id": ["a", "b"], "x": [1, "oops"]}, "column 'x', account 'b': non-numeric value 'oops'"),
        ({"id": ["a", "b"], "x": ["a", 2]}, "column 'x', account 'b': mixed types"),
        ({"id": ["a", "b"], "x": [1.0, float("-inf")]}, "column 'x', account 'b': infinite value"),
        ({"id": ["a", None]}, "column 'id', row 1: missing account id"),
        ({"id": ["a"], 3: [1]}, "column names must be text"),
    ],
)
def test_bad_input_names_column_and_first_account(columns: dict, message: str) -> None:
    with pytest.raises(sk.DataError) as info:
        sk.Portfolio.from_columns(columns)
    assert message in str(info.value)


def test_bad_dates_and_kinds() -> None:
    with pytest.raises(sk.DataError, match="column 'd', account 'b': unparseable date 'soon'"):
        sk.Portfolio.from_columns({"id": ["a", "b"], "d": ["2026-01-01", "soon"]}, kinds={"d": "date"})
    with pytest.raises(sk.DataError, match="kinds names a column that is not in the data"):
        sk.Portfolio.from_columns({"id": ["a"]}, kinds={"d": "date"})
    with pytest.raises(sk.DataError, match="unknown kind 'when'"):
        sk.Portfolio.from_columns({"id": ["a"], "d": [None]}, kinds={"d": "when"})
    with pytest.raises(sk.DataError, match="as_of 'yesterday' is not an ISO date"):
        sk.Portfolio.from_columns({"id": ["a"]}, as_of="yesterday")
    with pytest.raises(sk.DataError, match="expected a mapping"):
        sk.Portfolio.from_columns([("id", ["a"])])


def test_from_records_and_from_accounts() -> None:
    pf = sk.Portfolio.from_records(
        [{"id": "a", "arr": 10, "tier": "high"}, {"id": "b", "nps": 9}], as_of="2026-10-01"
    )
    assert pf.names == ("arr", "tier", "nps")
    assert pf.column("nps").to_list() == [None, 9.0]
    with pytest.raises(sk.DataError, match="row 1: record has no account id"):
        sk.Portfolio.from_records([{"id": "a"}, {"arr": 2}])
    with pytest.raises(sk.DataError, match="no record has an id field 'key'"):
        sk.Portfolio.from_records([{"id": "a"}], id="key")

    accounts = [sk.Account("a", {"arr": 1}), sk.Account("b", {"tier": "low"})]
    pf2 = sk.Portfolio.from_accounts(accounts, kinds={"tier": "category"})
    assert pf2.account("b") == sk.Account("b", {"arr": None, "tier": "low"})
    with pytest.raises(sk.DataError, match="different dates"):
        sk.Portfolio.from_accounts(
            [sk.Account("a", as_of="2026-01-01"), sk.Account("b", as_of="2026-02-01")]
        )
    with pytest.raises(sk.DataError, match="duplicate account id"):
        sk.Portfolio.from_accounts([sk.Account("a"), sk.Account("a")])
    with pytest.raises(sk.DataError, match="expected Account objects"):
        sk.Portfolio.from_accounts([{"id": "a"}])  # type: ignore[list-item]


def test_single_account_portfolio_matches_the_batch_row(pf: sk.Portfolio) -> None:
    one = sk.Portfolio.from_accounts([pf.account("acme")], kinds=dict(pf.schema))
    assert one == pf.take([0])


def test_empty_portfolio() -> None:
    pf = sk.Portfolio.from_columns({"id": [], "x": []})
    assert len(pf) == 0
    assert pf.index_of(["a"]).tolist() == [-1]
    assert list(pf) == []
    assert sk.Portfolio.from_dict(pf.to_dict()) == pf


def test_account_validation() -> None:
    with pytest.raises(sk.DataError, match="non-empty text"):
        sk.Account("")
    with pytest.raises(sk.DataError, match="value names must be text"):
        sk.Account("a", {1: 2})  # type: ignore[dict-item]
    assert sk.Account("a", {"x": 1}).get("y", 5) == 5


def test_to_dict_is_plain_json(pf: sk.Portfolio) -> None:
    data = pf.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["columns"]["renewal"] == {"kind": "date", "values": ["2027-01-31", None, "2026-12-01"]}
    with pytest.raises(sk.DataError, match="unsupported portfolio version"):
        sk.Portfolio.from_dict({**data, "version": 99})


def test_repr_and_html(pf: sk.Portfolio) -> None:
    assert repr(pf) == "Portfolio(3 accounts × 4 columns, as_of=2026-10-01)"
    html = pf.with_columns(tier=["<b>", "x", "y"])._repr_html_()
    assert "&lt;b&gt;" in html
    assert "<b>" not in html.replace("<b>", "", 0) or html.count("<b>") == 0


@given(portfolios())
def test_to_dict_round_trips(pf: sk.Portfolio) -> None:
    data = json.loads(json.dumps(pf.to_dict()))
    assert sk.Portfolio.from_dict(data) == pf


@given(portfolios(min_size=1))
def test_accounts_round_trip(pf: sk.Portfolio) -> None:
    again = sk.Portfolio.from_accounts(list(pf), as_of=pf.as_of, kinds=dict(pf.schema))
    assert again == pf


@given(st.data())
def test_permuting_rows_permutes_every_column(data: st.DataObject) -> None:
    pf = data.draw(portfolios(min_size=1))
    order = data.draw(st.builds(lambda: None)) or permutation(data.draw, len(pf))
    shuffled = pf.take(order)
    assert shuffled.ids.tolist() == pf.ids[order].tolist()
    for name in pf.names:
        assert shuffled.column(name).to_list() == [pf.column(name).to_list()[i] for i in order]
    # Aligning the shuffled portfolio back by id gives the original.
    assert shuffled.reindex(pf.ids) == pf
    assert shuffled.schema == pf.schema


@given(portfolios(min_size=1))
def test_every_array_is_read_only(pf: sk.Portfolio) -> None:
    assert not pf.ids.flags.writeable
    for name in pf.names:
        column = pf.column(name)
        assert not column.values.flags.writeable
        assert not column.missing.flags.writeable
        assert not pf[name].flags.writeable


def test_equality_and_hash(pf: sk.Portfolio) -> None:
    same = sk.Portfolio.from_dict(pf.to_dict())
    assert same == pf
    assert hash(same) == hash(pf)
    assert pf != pf.with_as_of("2026-10-02")
    assert pf != pf.take([1, 0, 2])
    assert pf != pf.with_columns(login_rate=[0.62, None, 0.2])
    assert pf.__eq__(3) is NotImplemented


@given(portfolios())
def test_portfolios_and_accounts_pickle(pf: sk.Portfolio) -> None:
    again = pickle.loads(pickle.dumps(pf))
    assert again == pf
    assert not again.ids.flags.writeable
    for name in again.names:
        assert not again.column(name).values.flags.writeable
    for account in pf:
        assert pickle.loads(pickle.dumps(account)) == account


def _entry_points() -> list[tuple[str, object]]:
    """Public calls that take a Portfolio, each as a function of what is passed instead."""
    from successkit.datasets import make_portfolio
    from successkit.outcomes import calibrate, fit, fit_card, stability

    sample = make_portfolio(300, seed=2)
    model = sk.HealthModel([sk.Metric("login_rate", scheme=sk.Percentile())])
    roadmap = sk.Roadmap([sk.Stage("new"), sk.Stage("live", entry="login_rate > 0.5")])
    playbook = sk.Playbook.parse("when login_rate < 0.2 then contact_admin")
    return [
        ("fit_card", lambda t: fit_card(t, sample.churned)),
        ("fit", lambda t: fit(model, t, sample.churned)),
        ("calibrate", lambda t: calibrate(model, t, sample.churned)),
        ("score", lambda t: model.score(t)),
        ("roadmap", lambda t: roadmap.score(t)),
        ("stability", lambda t: stability(model, t, sample.portfolio)),
        ("playbook", lambda t: playbook.evaluate(t)),
    ]


@pytest.mark.parametrize(
    "name", ["fit_card", "fit", "calibrate", "score", "roadmap", "stability", "playbook"])
def test_a_table_where_a_portfolio_belongs_is_told_how_to_make_one(name: str) -> None:
    """A newcomer passes the table itself; every call names what it got and the remedy."""
    call = dict(_entry_points())[name]
    columns = {"id": ["a", "b"], "login_rate": [0.1, 0.9]}
    with pytest.raises(sk.DataError, match=r"got dict: make one with "
                       r"Portfolio\.from_columns\(table, id=\.\.\.\)"):
        call(columns)  # type: ignore[operator]
    pd = pytest.importorskip("pandas")
    with pytest.raises(sk.DataError, match=r"got DataFrame: make one with Portfolio"):
        call(pd.DataFrame(columns))  # type: ignore[operator]
    with pytest.raises(sk.DataError, match=r"got int$"):
        call(3)  # type: ignore[operator]


@pytest.mark.parametrize("name", ["score_history", "backtest", "replay"])
def test_a_table_where_a_history_belongs_is_told_how_to_make_one(name: str) -> None:
    from successkit.datasets import make_portfolio
    from successkit.outcomes import backtest

    sample = make_portfolio(200, seed=2)
    model = sk.HealthModel([sk.Metric("login_rate", scheme=sk.Percentile())])
    playbook = sk.Playbook.parse("when login_rate < 0.2 then contact_admin")
    call = {
        "score_history": lambda t: model.score_history(t),
        "backtest": lambda t: backtest(model, t, sample.churn_dates, train_until="2026-01-01"),
        "replay": lambda t: playbook.replay(t, outcome=sample.churn_dates),
    }[name]
    long = {"id": ["a", "a"], "as_of": ["2026-01-01", "2026-02-01"], "login_rate": [0.1, 0.2]}
    with pytest.raises(sk.DataError, match=r"got dict: make one with "
                       r"History\.from_columns\(table, id=\.\.\., as_of=\.\.\.\)"):
        call(long)
    with pytest.raises(sk.DataError, match=r"got int$"):
        call(3)


def test_a_frame_indexed_by_account_id_reads_its_index() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"customerID": ["c9", "c1", "c5"], "arr": [9.0, 1.0, 5.0],
                          "region": ["emea", "amer", "apac"]})
    flat = sk.Portfolio.from_columns(frame, id="customerID")
    indexed = sk.Portfolio.from_columns(frame.set_index("customerID"), id="customerID")
    assert indexed == flat
    # Every named level is read, as reset_index() would: none is passed over.
    both = sk.Portfolio.from_columns(frame.set_index(["customerID", "region"]),
                                     id="customerID")
    assert both.names == ("region", "arr")
    assert both["region"].tolist() == ["emea", "amer", "apac"]
    # An unnamed index (row numbers) is not data.
    assert sk.Portfolio.from_columns(frame.set_index("customerID").reset_index(),
                                     id="customerID") == flat


def test_an_index_level_and_a_column_that_disagree_are_refused() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"id": ["a", "b"], "x": [1.0, 2.0]})
    same = frame.set_index("id", drop=False)
    assert sk.Portfolio.from_columns(same) == sk.Portfolio.from_columns(frame)
    other = frame.set_index(pd.Index(["b", "a"], name="id"))
    with pytest.raises(sk.DataError, match="both an index level and a column") as info:
        sk.Portfolio.from_columns(other)
    assert info.value.column == "id"


def test_events_and_contracts_read_a_named_index_too() -> None:
    pd = pytest.importorskip("pandas")
    events = pd.DataFrame({"account_id": ["a", "b"], "at": ["2026-01-01", "2026-01-02"],
                           "event": ["login", "login"]})
    assert (sk.Events.from_columns(events.set_index("account_id")).accounts
            == sk.Events.from_columns(events).accounts)
    contracts = pd.DataFrame({"account_id": ["a", "b"], "start": ["2025-01-01"] * 2,
                              "end": ["2026-01-01", None], "plan": ["basic", "pro"]})
    with pytest.raises(sk.DataError, match="plan='plan'"):  # an unread level is refused too
        sk.Contracts.from_columns(contracts.set_index(["account_id", "plan"]))
    read = sk.Contracts.from_columns(contracts.set_index(["account_id", "plan"]), plan="plan")
    assert read == sk.Contracts.from_columns(contracts, plan="plan")


def test_a_history_indexed_by_account_and_date_reads_both_levels() -> None:
    pd = pytest.importorskip("pandas")
    long = pd.DataFrame({"id": ["a", "b", "a", "b"], "x": [1, 2, 3, 4],
                         "as_of": ["2026-01-01", "2026-01-01", "2026-02-01", "2026-02-01"]})
    indexed = sk.History.from_columns(long.set_index(["id", "as_of"]))
    flat = sk.History.from_columns(long)
    assert [p["x"].tolist() for p in indexed] == [p["x"].tolist() for p in flat]
    assert [p.as_of for p in indexed] == [p.as_of for p in flat]


@pytest.mark.parametrize(("value", "words"), [
    ("$29.85", "a number written with '\\$'; remove such marks first"),
    ("1,234.50", "',' separates thousands or is the decimal mark"),
    ("45%", "a number written with '%'"),
])
def test_a_formatted_number_says_how_to_read_it(value: str, words: str) -> None:
    with pytest.raises(sk.DataError, match=words) as info:
        sk.Portfolio.from_columns({"id": ["a", "b"], "x": ["1", value]},
                                  kinds={"x": "number"})
    assert (info.value.column, info.value.account) == ("x", "b")
    with pytest.raises(sk.DataError) as plain:  # not a number at all: no such advice
        sk.Portfolio.from_columns({"id": ["a"], "x": ["n/a"]}, kinds={"x": "number"})
    assert "written with" not in str(plain.value)
