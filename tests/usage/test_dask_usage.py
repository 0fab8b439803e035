"""successkit.dask.usage_history: partition by partition equals the single-machine result."""

from __future__ import annotations

import numpy as np
import pytest

dd = pytest.importorskip("dask.dataframe")
pd = pytest.importorskip("pandas")

import successkit as sk  # noqa: E402
import successkit.dask as skd  # noqa: E402
from successkit.data.calendar import calendar  # noqa: E402
from successkit.data.events import Events  # noqa: E402
from successkit.datasets import make_portfolio  # noqa: E402
from successkit.usage import UsageModel, usage_history  # noqa: E402

MODEL = UsageModel.from_text("""
metric logins = count(login, 28d)
metric exports = count({export, share}, 1mo)
metric users = distinct_users(*, 28d)
metric days = active_days(*, 28d)
metric since = days_since_last(export)
metric observed = days_observed(90d)
metric per_seat = per_seat(logins, seats)
metric trend = relative_change(logins)
""")


@pytest.fixture(scope="module")
def log() -> tuple[pd.DataFrame, sk.Portfolio]:
    sample = make_portfolio(80, months=4, seed=11)
    ev = sample.usage
    names = np.asarray(ev.accounts)
    frame = pd.DataFrame({"account_id": names[ev.account], "at": ev.day,
                          "event": np.asarray(ev.types)[ev.type],
                          "user": np.asarray(ev.users)[ev.user]})
    table = sample.portfolio.take(np.arange(0, len(sample.portfolio), 2))  # half the accounts
    return frame, table


def _by_account(frame: pd.DataFrame, parts: int) -> dd.DataFrame:
    # A sorted index keeps each account's rows in one partition.
    return dd.from_pandas(frame.set_index("account_id"), npartitions=parts).reset_index()


@pytest.mark.parametrize("parts", [1, 3])
@pytest.mark.parametrize("members", ["events", "table"])
def test_partitions_equal_one_machine(log: tuple, parts: int, members: str) -> None:
    frame, table = log
    dates = calendar("2026-03-01", "2026-06-01")
    whole = usage_history(Events.from_columns(frame, user="user"), MODEL, dates,
                          accounts=table, members=members, unmatched="drop")
    split = skd.usage_history(_by_account(frame, parts), MODEL, dates, accounts=table,
                              members=members, unmatched="drop", user="user")
    assert split == whole
    assert len(whole.latest) > 0


def test_without_an_account_table(log: tuple) -> None:
    frame, _ = log
    model = UsageModel(MODEL.metrics[:-2])
    whole = usage_history(Events.from_columns(frame, user="user"), model, ["2026-05-01"])
    split = skd.usage_history(_by_account(frame, 4), model, ["2026-05-01"], user="user")
    assert split == whole


def test_an_account_split_over_partitions_is_refused(log: tuple) -> None:
    frame, _ = log
    model = UsageModel(MODEL.metrics[:1])
    shuffled = dd.from_pandas(frame.sample(frac=1.0, random_state=1), npartitions=3,
                              sort=False)
    with pytest.raises(sk.DataError, match="has events in two partitions"):
        skd.usage_history(shuffled, model, ["2026-05-01"], user="user")


def test_unmatched_events_raise_from_the_partition(log: tuple) -> None:
    frame, table = log
    with pytest.raises(sk.DataError, match="not in the account table"):
        skd.usage_history(_by_account(frame, 2), MODEL, ["2026-05-01"], accounts=table,
                          user="user")
