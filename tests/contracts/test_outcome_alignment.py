"""Outcomes keyed by account id are aligned by id, never by position (issue 13 item 4)."""

from __future__ import annotations

import numpy as np
import pytest

from successkit.errors import DataError
from successkit.scoring._outcome_inputs import read_outcome

IDS = np.array(["a", "b", "c"])


def test_series_in_a_different_order_is_aligned_by_index() -> None:
    pd = pytest.importorskip("pandas")
    series = pd.Series([True, False, False], index=["c", "a", "b"])
    assert read_outcome(series, 3, ids=IDS).tolist() == [False, False, True]


def test_mapping_is_aligned_by_key() -> None:
    assert read_outcome({"b": 1, "c": 0, "a": 0}, 3, ids=IDS).tolist() == [False, True, False]


def test_non_matching_ids_are_named() -> None:
    with pytest.raises(DataError, match=r"\['c'\]"):
        read_outcome({"a": 1, "b": 0, "z": 0}, 3, ids=IDS)


def test_default_index_stays_positional() -> None:
    pd = pytest.importorskip("pandas")
    assert read_outcome(pd.Series([1, 0, 1]), 3, ids=IDS).tolist() == [True, False, True]
