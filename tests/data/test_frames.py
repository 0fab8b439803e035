"""pandas, polars and pyarrow tables give the same portfolio as plain columns."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

import successkit as sk

COLUMNS: dict[str, list[Any]] = {
    "id": ["acme", "globex", "initech", "umbrella"],
    "arr": [1200.0, None, 560.5, 80.0],
    "seats": [10, 20, None, 5],
    "tier": ["high", "low", None, "tech"],
    "nps_responded": [True, None, False, True],
    "renewal_date": [dt.date(2027, 1, 31), None, dt.date(2026, 12, 1), dt.date(2027, 3, 1)],
}


@pytest.fixture
def expected() -> sk.Portfolio:
    return sk.Portfolio.from_columns(COLUMNS, as_of="2026-10-01")


def test_plain_columns(expected: sk.Portfolio) -> None:
    assert dict(expected.schema) == {
        "arr": "number",
        "seats": "number",
        "tier": "category",
        "nps_responded": "boolean",
        "renewal_date": "date",
    }


def test_pandas(expected: sk.Portfolio) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "id": COLUMNS["id"],
            "arr": COLUMNS["arr"],
            "seats": pd.array(COLUMNS["seats"], dtype="Int64"),
            "tier": pd.Categorical(COLUMNS["tier"]),
            "nps_responded": pd.array(COLUMNS["nps_responded"], dtype="boolean"),
            "renewal_date": pd.to_datetime(COLUMNS["renewal_date"]),
        }
    )
    assert sk.Portfolio.from_columns(frame, as_of="2026-10-01") == expected
    # Object columns (the pandas default) read the same.
    plain = pd.DataFrame(COLUMNS)
    assert sk.Portfolio.from_columns(plain, as_of="2026-10-01") == expected


def test_polars(expected: sk.Portfolio) -> None:
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame(
        {
            "id": COLUMNS["id"],
            "arr": COLUMNS["arr"],
            "seats": pl.Series(COLUMNS["seats"], dtype=pl.Int64),
            "tier": pl.Series(COLUMNS["tier"], dtype=pl.Categorical),
            "nps_responded": COLUMNS["nps_responded"],
            "renewal_date": COLUMNS["renewal_date"],
        }
    )
    assert sk.Portfolio.from_columns(frame, as_of="2026-10-01") == expected


def test_pyarrow(expected: sk.Portfolio) -> None:
    pa = pytest.importorskip("pyarrow")
    table = pa.table(
        {
            "id": COLUMNS["id"],
            "arr": COLUMNS["arr"],
            "seats": pa.array(COLUMNS["seats"], type=pa.int64()),
            "tier": pa.array(COLUMNS["tier"]).dictionary_encode(),
            "nps_responded": COLUMNS["nps_responded"],
            "renewal_date": pa.array(COLUMNS["renewal_date"], type=pa.date32()),
        }
    )
    assert sk.Portfolio.from_columns(table, as_of="2026-10-01") == expected
    chunked = pa.concat_tables([table.slice(0, 2), table.slice(2)])
    assert sk.Portfolio.from_columns(chunked, as_of="2026-10-01") == expected


def test_to_frame_round_trips_through_pandas(expected: sk.Portfolio) -> None:
    pytest.importorskip("pandas")
    frame = expected.to_frame()
    assert frame.index.name == "id"
    assert list(frame.columns) == list(expected.names)
    assert str(frame["tier"].dtype) == "category"
    assert str(frame["nps_responded"].dtype) == "boolean"
    back = sk.Portfolio.from_columns(frame.reset_index(), as_of="2026-10-01")
    assert back == expected


def test_frames_agree_with_each_other_on_a_large_random_table() -> None:
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    rng = np.random.default_rng(7)
    n = 5000
    x = rng.normal(size=n)
    x[rng.random(n) < 0.1] = np.nan
    tiers = np.array(["high", "low", "tech"], dtype=object)[rng.integers(0, 3, n)]
    tiers[rng.random(n) < 0.05] = None
    columns = {"id": [f"a{i}" for i in range(n)], "x": x, "tier": tiers}
    expected = sk.Portfolio.from_columns(columns)
    assert sk.Portfolio.from_columns(pd.DataFrame(columns)) == expected
    assert sk.Portfolio.from_columns(pl.DataFrame(columns)) == expected
    assert sk.Portfolio.from_columns(pa.table(columns)) == expected


def test_to_frame_without_pandas_names_the_extra(
    expected: sk.Portfolio, monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins

    real_import = builtins.__import__

    def no_pandas(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("no pandas here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    monkeypatch.delitem(__import__("sys").modules, "pandas", raising=False)
    with pytest.raises(ImportError, match=r"pip install 'successkit\[pandas\]'"):
        expected.to_frame()
