"""CTAs.to_frame(): fixed columns and dtypes, whatever the CTAs hold."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

import successkit as sk

pd = pytest.importorskip("pandas")

AS_OF = dt.date(2026, 10, 1)

TEXT = ("account_id", "rule", "action", "kind", "priority", "owner", "reason")
EXPECTED = {
    **{name: np.dtype(object) for name in TEXT},
    "arguments": np.dtype(object),
    "created": np.dtype("datetime64[s]"),
    "due": np.dtype("datetime64[s]"),
}
COLUMNS = ["account_id", "rule", "action", "arguments", "kind", "priority", "owner", "created",
           "due", "reason"]


def portfolio(as_of: Any = AS_OF) -> sk.Portfolio:
    return sk.Portfolio.from_columns(
        {"id": ["acme", "globex", "initech"], "x": [0.1, 0.9, 0.5]}, as_of=as_of
    )


def frame_of(text: str, pf: sk.Portfolio) -> Any:
    return sk.Playbook.parse(text).evaluate(pf).to_frame()


def assert_fixed_dtypes(frame: Any) -> None:
    assert list(frame.columns) == COLUMNS
    assert frame.dtypes.to_dict() == EXPECTED


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        ('when x < 30% then call(with = "sales", by = 2026-11-01) owner "csm" due 7d', 1),
        ("when x < 30% then call", 1),  # no owner, no due date anywhere
        ("when x > 2 then call", 0),  # nothing fires
        ("", 0),  # no rules
        ('rule a: when x < 30% then call owner "csm"\nrule b: when x > 80% then mail', 2),
    ],
)
def test_dtypes_do_not_depend_on_the_content(text: str, rows: int) -> None:
    frame = frame_of(text, portfolio())
    assert len(frame) == rows
    assert_fixed_dtypes(frame)


def test_an_empty_portfolio_gives_the_same_dtypes() -> None:
    assert_fixed_dtypes(frame_of("when x < 30% then call owner 'csm' due 1d",
                                 portfolio().take([])))


def test_values_text_none_and_dates() -> None:
    frame = frame_of(
        'rule a: when x < 30% then call(with = "sales", by = 2026-11-01) owner "csm" due 7d\n'
        "rule b: when x > 80% then mail",
        portfolio(),
    )
    records = frame.to_dict("records")
    assert [(r["account_id"], r["rule"], r["owner"]) for r in records] == [
        ("acme", "a", "csm"), ("globex", "b", None)
    ]
    assert records[0]["arguments"] == {"with": "sales", "by": "2026-11-01"}
    assert records[1]["arguments"] == {}
    assert all(type(v) is str for v in frame["reason"])
    assert frame["created"].tolist() == [pd.Timestamp(AS_OF)] * 2
    assert records[0]["due"] == pd.Timestamp("2026-10-08")
    assert pd.isna(records[1]["due"])


def test_no_clock_gives_missing_dates() -> None:
    frame = frame_of("when x < 30% then call due 7d", portfolio(as_of=None))
    assert_fixed_dtypes(frame)
    assert frame["created"].isna().all()
    assert frame["due"].isna().all()


def test_frames_of_several_evaluations_concatenate_with_their_dtypes() -> None:
    pf = portfolio()
    parts = [frame_of("when x > 2 then call", pf), frame_of("when x < 30% then call", pf),
             frame_of("when x < 30% then call owner 'csm' due 2w", pf)]
    whole = pd.concat(parts, ignore_index=True)
    assert_fixed_dtypes(whole)
    assert whole["owner"].tolist() == [None, "csm"]
