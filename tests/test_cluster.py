"""successkit.dask on a real cluster: worker processes, a worker killed mid-run, bad models.

The default scheduler runs partitions in this process, so it cannot show what a cluster
adds: models and partitions pickled to other processes, and partitions lost with a worker
and computed again. These tests start a ``LocalCluster`` of worker *processes* on the
loopback interface and compare every result with the single-machine one, bit for bit.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pd = pytest.importorskip("pandas")

import successkit as sk  # noqa: E402
import successkit.dask as skd  # noqa: E402
from successkit.datasets import make_portfolio  # noqa: E402

PLAYBOOK = sk.Playbook.parse("""
rule low_logins "Few users log in":
  when first_login_rate <= 30% then contact_admin as risk priority high due 7d
rule red_renewal: when health.band = "red" and days_until(renewal_date) < 120
  then exec_call priority high due 2w
rule tiered: when tier in ("high", "low") and nps >= 9 then ask_case_study as opportunity
""")


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=":0",  # any free port: 8787 may be taken
        silence_logs=50,
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


@pytest.fixture(scope="module")
def sample() -> sk.SampleData:
    return make_portfolio(1500, seed=3)


@pytest.fixture(scope="module")
def accounts(sample: sk.SampleData) -> Any:
    return sample.portfolio.to_frame().reset_index()


def assert_identical(got: Any, want: Any) -> None:
    """Bit for bit: same index, columns and values (NaN equal to NaN).

    Dask turns text into its own string dtype when it puts partitions together; text is
    compared as text, everything else exactly.
    """
    pd.testing.assert_frame_equal(_plain_text(got), _plain_text(want), check_exact=True)


def _plain_text(frame: Any) -> Any:
    frame = frame.copy()
    frame.index = frame.index.astype(object)
    for name in frame.columns:
        if pd.api.types.is_string_dtype(frame[name].dtype):
            frame[name] = frame[name].astype(object)
    return frame


def sorted_ctas(frame: Any) -> Any:
    keys = ["account_id", "rule", "action"]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


@pytest.mark.parametrize("npartitions", [1, 3, 8])
def test_scores_on_worker_processes_equal_the_single_machine(
    client: Any, sample: sk.SampleData, accounts: Any, npartitions: int
) -> None:
    model = sk.HealthModel.dear()
    frame = dd.from_pandas(accounts, npartitions=npartitions)
    got = client.compute(skd.score(model, frame, as_of=sample.portfolio.as_of)).result()
    assert_identical(got, model.score(sample.portfolio).to_frame())


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cuts=st.lists(st.integers(1, 1499), min_size=0, max_size=6, unique=True))
def test_any_partitioning_gives_the_single_machine_result(
    client: Any, sample: sk.SampleData, accounts: Any, cuts: list[int]
) -> None:
    # partitions of any sizes, down to a single account, cut anywhere
    frame = dd.from_pandas(accounts, npartitions=1).repartition(
        divisions=[0, *sorted(cuts), len(accounts) - 1]
    )
    model = sk.HealthModel.dear()
    as_of = sample.portfolio.as_of
    scores, ctas = client.compute([
        skd.score(model, frame, as_of=as_of),
        skd.evaluate(PLAYBOOK, frame, as_of=as_of, health=model),
    ], sync=True)
    assert_identical(scores, model.score(sample.portfolio).to_frame())
    want = PLAYBOOK.evaluate(sample.portfolio, health=model.score(sample.portfolio)).to_frame()
    assert_identical(sorted_ctas(ctas), sorted_ctas(want))


@pytest.mark.parametrize("npartitions", [2, 5])
def test_playbooks_on_worker_processes_equal_the_single_machine(
    client: Any, sample: sk.SampleData, accounts: Any, npartitions: int
) -> None:
    model = sk.HealthModel.dear()
    frame = dd.from_pandas(accounts, npartitions=npartitions)
    lazy = skd.evaluate(PLAYBOOK, frame, as_of=sample.portfolio.as_of, health=model)
    got = client.compute(lazy).result()
    want = PLAYBOOK.evaluate(sample.portfolio, health=model.score(sample.portfolio)).to_frame()
    assert_identical(sorted_ctas(got), sorted_ctas(want))


def _slow_part(part: Any) -> Any:
    # Each partition takes a while, so the worker is killed while tasks are still running.
    time.sleep(0.3)
    return part


def test_a_worker_killed_mid_run_still_gives_the_equal_result(
    sample: sk.SampleData, accounts: Any
) -> None:
    model = sk.HealthModel.dear()
    want = model.score(sample.portfolio).to_frame()
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",  # any free port: 8787 may be taken
            silence_logs=50,
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        frame = dd.from_pandas(accounts, npartitions=16).map_partitions(_slow_part)
        future = c.compute(skd.score(model, frame, as_of=sample.portfolio.as_of))
        deadline = time.monotonic() + 30
        while not any(c.processing().values()) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # some partitions done, others running
        assert not future.done(), "the computation finished before a worker could be killed"
        pids = c.run(os.getpid)
        victim = next(iter(pids))
        os.kill(pids[victim], signal.SIGKILL)
        got = future.result(timeout=120)
        assert victim not in c.scheduler_info()["workers"]
    assert_identical(got, want)


class _Unpicklable(sk.Linear):  # type: ignore[misc]
    """A scheme subclass holding something that cannot travel to a worker."""

    def __reduce__(self) -> Any:
        raise TypeError("cannot pickle this scheme")


class _UnpicklablePlaybook(sk.Playbook):  # type: ignore[misc]
    """A playbook subclass that cannot travel (say, it holds a database handle)."""

    def __reduce__(self) -> Any:
        raise TypeError("cannot pickle this playbook")


def test_a_model_that_does_not_pickle_is_refused_before_any_task(
    client: Any, accounts: Any
) -> None:
    model = sk.HealthModel([sk.Metric("login_rate", scheme=_Unpicklable(0.2, 0.8))])
    frame = dd.from_pandas(accounts, npartitions=2)
    before = len(client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.tasks)))
    with pytest.raises(sk.ModelError, match=r"does not pickle.*cannot pickle this scheme"):
        skd.score(model, frame)
    with pytest.raises(sk.ModelError, match=r"does not pickle"):
        skd.evaluate(PLAYBOOK, frame, health=model)
    playbook = _UnpicklablePlaybook.parse("when nps > 8 then thank")
    with pytest.raises(sk.ModelError, match=r"playbook does not pickle.*cannot pickle this"):
        skd.evaluate(playbook, frame)
    after = len(client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.tasks)))
    assert after == before


def test_a_category_level_seen_in_one_partition_only_gives_the_equal_result(
    client: Any, accounts: Any
) -> None:
    # Each partition holds one tier: every partition has its own category levels.
    ordered = accounts.sort_values("tier", kind="stable").reset_index(drop=True)
    tiers = ordered["tier"].astype(object)
    starts = [int(np.flatnonzero((tiers == t).to_numpy())[0]) for t in pd.unique(tiers)]
    frame = dd.from_pandas(ordered, npartitions=1).repartition(
        divisions=[*starts, len(ordered) - 1]
    )
    assert frame.npartitions == len(starts) >= 3
    model = sk.SegmentedModel("tier", {"high": sk.HealthModel.dear()}, default=None)
    whole = sk.Portfolio.from_columns(ordered)
    want = model.score(whole).to_frame()
    got = client.compute(skd.score(model, frame)).result()
    assert_identical(got, want)
    playbook = sk.Playbook.parse(
        'when tier = "low" or tier in ("tech") then call\nwhen tier != "high" then mail'
    )
    ctas = client.compute(skd.evaluate(playbook, frame)).result()
    assert len(ctas) > 0
    assert_identical(sorted_ctas(ctas), sorted_ctas(playbook.evaluate(whole).to_frame()))


def test_a_column_missing_from_one_partition_is_a_data_error_naming_it(
    client: Any, accounts: Any
) -> None:
    import dask as dask_module

    half = len(accounts) // 2
    good = accounts.iloc[:half]
    bad = accounts.iloc[half:].drop(columns=["nps"])
    parts = [dask_module.delayed(lambda p: p)(good), dask_module.delayed(lambda p: p)(bad)]
    frame = dd.from_delayed(parts, meta=accounts.iloc[:0], verify_meta=False)
    with pytest.raises(sk.DataError, match=r"partition 1.*'nps'") as info:
        client.compute(skd.score(sk.HealthModel.dear(), frame)).result()
    assert info.value.column == "nps"
    lazy = skd.evaluate(PLAYBOOK, frame, as_of="2026-10-01", health=sk.HealthModel.dear())
    with pytest.raises(sk.DataError, match=r"partition 1.*'nps'"):
        client.compute(lazy).result()


# -- usage metrics from events partitioned by account ---------------------------------------

USAGE = """
metric logins = count(login, 28d)
metric users = distinct_users(*, 28d)
metric busy = active_days({login, export}, 2mo)
metric last_export = days_since_last(export)
metric per_user = ratio(logins, users)
metric trend = change(logins)
"""


@pytest.fixture(scope="module")
def events() -> Any:
    rng = np.random.default_rng(11)
    n = 6000
    log = pd.DataFrame({
        "account_id": [f"acc{k:03d}" for k in rng.integers(0, 240, n)],
        "at": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 180, n), unit="D"),
        "event": rng.choice(["login", "export", "share"], n, p=[0.6, 0.3, 0.1]),
        "user": [f"u{k}" for k in rng.integers(0, 12, n)],
    })
    # each account's events in one partition: sorted by account, cut between accounts
    return log.sort_values(["account_id", "at"], kind="stable").reset_index(drop=True)


@pytest.mark.parametrize("npartitions", [1, 4, 9])
def test_usage_metrics_on_worker_processes_equal_the_single_machine(
    client: Any, events: Any, npartitions: int
) -> None:
    from successkit.data.events import Events
    from successkit.usage import UsageModel, usage_history

    if not hasattr(skd, "usage_history"):  # pragma: no cover - added by the usage work
        pytest.skip("successkit.dask.usage_history is not there")
    model = UsageModel.from_text(USAGE)
    dates = ["2026-03-01", "2026-04-01", "2026-05-01", "2026-06-01", "2026-07-01"]
    want = usage_history(Events.from_columns(events, user="user"), model, dates)
    starts = np.flatnonzero(events["account_id"].ne(events["account_id"].shift()).to_numpy())
    cuts = [int(chunk[0]) for chunk in np.array_split(starts, npartitions)[1:]]
    frame = dd.from_pandas(events, npartitions=1).repartition(
        divisions=[0, *cuts, len(events) - 1]
    )
    assert frame.npartitions == npartitions
    with distributed.get_task_stream(client) as tasks:
        got = skd.usage_history(frame, model, dates, user="user")
    assert got == want
    assert [p.ids.tolist() for p in got] == [p.ids.tolist() for p in want]
    ran = {task["worker"] for task in tasks.data}
    assert len(tasks.data) >= npartitions
    assert ran <= set(client.scheduler_info()["workers"])  # on worker processes
