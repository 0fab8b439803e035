"""Reading event logs: fast paths, lookups and every DataError case."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import successkit as sk
from successkit.data.events import Events

BASE = {"account_id": ["a", "b"], "at": ["2026-01-01", "2026-01-02"], "event": ["x", "y"]}


def test_reads_names_and_codes_the_same() -> None:
    names = Events.from_columns(BASE)
    codes = Events.from_columns({"account_id": np.array([0, 1]), "at": BASE["at"],
                                 "event": np.array([0, 1])}, accounts=["a", "b"],
                                types=["x", "y"])
    assert names.accounts == codes.accounts
    assert names.type.tolist() == codes.type.tolist()
    assert names.account.tolist() == codes.account.tolist()
    assert not names.day.flags.writeable


def test_duplicated_rows_are_counted_as_given() -> None:
    ev = Events.from_columns({k: v * 2 for k, v in BASE.items()})
    assert len(ev) == 4


@pytest.mark.parametrize(("changes", "kwargs", "match"), [
    ({"at": ["2026-01-01", "soon"]}, {}, "column 'at', row 1: unparseable"),
    ({"at": ["2026-01-01", None]}, {}, "column 'at', row 1: the event has no date"),
    ({"n": [1, -2]}, {"count": "n"}, "column 'n', row 1: negative count -2"),
    ({"n": [1, 2]}, {}, "pass count='n'"),
    ({"event": ["x", "yy"]}, {"types": ["x", "y"]}, "row 1: unknown event type 'yy'; did you"),
    ({"at": [dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 1, 2)]}, {},
     "column 'at', row 1: time-zone-aware and naive"),
    ({"account_id": ["a", None]}, {}, "column 'account_id', row 1: missing account id"),
    ({}, {"user": "person"}, "no column 'person'"),
    # One text where a list of names belongs is not read as its letters.
    ({}, {"types": "login"}, r"types must be a sequence of names, not one text: \['login'\]"),
    ({}, {"accounts": "ab"}, "accounts must be a sequence of names, not one text"),
    ({}, {"keep": "event"}, "keep must be a sequence of names, not one text"),
    ({}, {"count": True}, "count is the name of a column of counts, or False"),
])
def test_bad_input_names_column_and_row(changes: dict, kwargs: dict, match: str) -> None:
    with pytest.raises(sk.DataError, match=match):
        Events.from_columns({**BASE, **changes}, **kwargs)


def test_count_false_silences_and_unknown_columns_are_ignored() -> None:
    ev = Events.from_columns({**BASE, "n": [1, 2], "colour": ["r", "g"]}, count=False)
    assert ev.count is None
    assert ev.total().tolist() == [1, 1]


def test_integer_code_outside_lookup() -> None:
    with pytest.raises(sk.DataError, match="row 1: event type code 5"):
        Events.from_columns({"account_id": ["a", "b"], "at": BASE["at"],
                             "event": np.array([0, 5])}, types=["x"])


def test_numpy_datetime_fast_path() -> None:
    days = np.array(["2026-01-01T10:00", "2026-01-02T23:59"], dtype="datetime64[m]")
    ev = Events.from_columns({**BASE, "at": days})
    assert ev.day.tolist() == [dt.date(2026, 1, 1), dt.date(2026, 1, 2)]


@pytest.mark.parametrize("library", ["pandas", "polars", "pyarrow"])
def test_frames_read_like_plain_columns(library: str) -> None:
    lib = pytest.importorskip(library)
    data = {"account_id": ["b", "a", "b", None], "at": ["2026-01-02"] * 4,
            "event": ["x", "y", "x", "y"], "n": [1, 2, 3, 4]}
    plain = {k: v[:3] for k, v in data.items()}
    frame_of = {"pandas": lambda d: lib.DataFrame(d), "polars": lambda d: lib.DataFrame(d),
                "pyarrow": lambda d: lib.table(d)}[library]
    want = Events.from_columns(plain, count="n")
    got = Events.from_columns(frame_of(plain), count="n")
    assert (got.accounts, got.types) == (want.accounts, want.types)
    assert got.account.tolist() == want.account.tolist()
    assert got.type.tolist() == want.type.tolist()
    assert got.day.tolist() == want.day.tolist()
    assert got.total().tolist() == want.total().tolist()
    with pytest.raises(sk.DataError, match="column 'account_id', row 3: missing account id"):
        Events.from_columns(frame_of(data), count="n")
    with pytest.raises(sk.DataError, match="row 1: unknown event type 'y'"):
        Events.from_columns(frame_of(plain), count="n", types=["x", "z"])


def test_big_text_columns_take_the_hashed_path() -> None:
    rng = np.random.default_rng(1)
    labels = np.array([f"acct{i}" for i in range(300)])
    accounts = labels[rng.integers(0, 300, 120_000)]
    ev = Events.from_columns({"account_id": accounts, "at": np.full(120_000, "2026-01-01",
                                                                     dtype="datetime64[D]"),
                              "event": np.full(120_000, "x")})
    assert (np.asarray(ev.accounts)[ev.account] == accounts).all()
    assert ev.accounts == tuple(sorted(set(accounts.tolist())))


def test_typed_numpy_columns_are_read_without_copies() -> None:
    days = np.array(["2026-01-01", "2026-01-02"], dtype="datetime64[D]")
    counts = np.array([3, 4], dtype=np.int32)
    codes = np.array([1, 0], dtype=np.int32)
    ev = Events.from_columns({"account_id": codes, "at": days, "event": ["x", "y"],
                              "n": counts}, accounts=["a", "b"], count="n")
    for mine, theirs in ((ev.day, days), (ev.count, counts), (ev.account, codes)):
        assert np.shares_memory(mine, theirs)
        assert not mine.flags.writeable
        assert theirs.flags.writeable  # the caller's own array is left as it was
    assert ev.total().tolist() == [3, 4]
    unsorted = Events.from_columns({"account_id": codes, "at": days, "event": ["x", "y"]},
                                   accounts=["b", "a"])
    assert unsorted.accounts == ("a", "b")
    assert unsorted.account.tolist() == [0, 1]


def _text_frames(column: list[str | None]) -> dict[str, object]:
    """The same text column as polars String / Categorical / Enum and pyarrow dictionary
    columns (one chunk, and two chunks with their own dictionaries)."""
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    present = sorted({v for v in column if v is not None})
    half = len(column) // 2
    return {
        "polars String": pl.Series(column, dtype=pl.String),
        "polars Categorical": pl.Series(column, dtype=pl.String).cast(pl.Categorical),
        "polars Enum": pl.Series(column, dtype=pl.String).cast(
            pl.Enum([*present[::-1], "unused"])),
        "pyarrow dictionary": pa.array(column, pa.string()).dictionary_encode(),
        "pyarrow dictionary chunks": pa.chunked_array(
            [pa.array(column[:half], pa.string()).dictionary_encode(),
             pa.array(column[half:], pa.string()).dictionary_encode()],
            pa.dictionary(pa.int32(), pa.string())),
    }


_LABELS = st.lists(st.one_of(st.sampled_from(["acme", "b", "7", "Zed", "é", " ", ""]),
                             st.none()), min_size=1, max_size=30)


@given(accounts=_LABELS, data=st.data())
def test_polars_and_arrow_dictionary_text_read_like_plain_lists(
        accounts: list[str | None], data: st.DataObject) -> None:
    n = len(accounts)
    types = data.draw(st.lists(st.sampled_from(["login", "export", "x"]), min_size=n,
                               max_size=n))
    users = data.draw(st.lists(st.one_of(st.sampled_from(["u1", "u2", "u3"]), st.none()),
                               min_size=n, max_size=n))
    at = np.full(n, "2026-01-01", dtype="datetime64[D]")
    try:
        want: Events | str = Events.from_columns(
            {"account_id": accounts, "at": at, "event": types, "user": users}, user="user")
    except sk.DataError as exc:
        want = str(exc)
    frames = {name: (column, _text_frames(types)[name], _text_frames(users)[name])
              for name, column in _text_frames(accounts).items()}
    for name, (account, kind, user) in frames.items():
        try:
            got: Events | str = Events.from_columns(
                {"account_id": account, "at": at, "event": kind, "user": user}, user="user")
        except sk.DataError as exc:
            got = str(exc)
        if isinstance(want, str) or isinstance(got, str):
            assert got == want, name
            continue
        assert (got.accounts, got.types, got.users) == (want.accounts, want.types,
                                                        want.users), name
        for field in ("account", "type", "user", "day"):
            assert np.array_equal(getattr(got, field), getattr(want, field)), (name, field)


def test_a_missing_id_in_a_polars_or_arrow_dictionary_column_names_its_row() -> None:
    frames = _text_frames(["a", "b", None, "a", None])
    for column in frames.values():
        with pytest.raises(sk.DataError,
                           match="column 'account_id', row 2: missing account id"):
            Events.from_columns({"account_id": column, "at": ["2026-01-01"] * 5,
                                 "event": ["x"] * 5})
        with pytest.raises(sk.DataError, match="column 'event', row 2: the event has no"):
            Events.from_columns({"account_id": ["a"] * 5, "at": ["2026-01-01"] * 5,
                                 "event": column})
    pl = pytest.importorskip("polars")
    with pytest.raises(sk.DataError, match="column 'event', row 1: unknown event type 'c'"):
        Events.from_columns(pl.DataFrame({"account_id": ["a", "b"], "at": ["2026-01-01"] * 2,
                                          "event": pl.Series(["a", "c"], dtype=pl.Categorical)}),
                            types=["a", "b"])
