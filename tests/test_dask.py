"""successkit.dask: scoring and playbooks per Dask partition equal the single-machine result."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
pd = pytest.importorskip("pandas")

import successkit as sk  # noqa: E402
import successkit.dask as skd  # noqa: E402
from successkit.datasets import make_portfolio  # noqa: E402

AS_OF = "2026-10-01"

PLAYBOOK = sk.Playbook.parse('''
rule low_logins "Few users log in":
  when first_login_rate <= 30% then contact_admin as risk priority high due 7d
rule upsell: when health.score >= 75 and tier in ("high", "low")
  then propose_option(with = "sales") as opportunity owner "am"
rule red_renewal: when health.band = "red" and days_until(renewal_date) < 120
  then exec_call, plan_rescue priority high due 2w
rule quiet: when keyperson_touch = "bad" and not case_study_ok then invite_seminar
rule incomplete: when health.coverage < 100% or nps is missing then fill_data as lifecycle
''')


@pytest.fixture(autouse=True)
def synchronous() -> Iterator[None]:
    # One thread keeps CI light and makes the partitions run in order.
    with dask.config.set(scheduler="synchronous"):
        yield


@pytest.fixture(scope="module")
def sample() -> sk.SampleData:
    return make_portfolio(2000, seed=0)


@pytest.fixture(scope="module")
def accounts(sample: sk.SampleData) -> Any:
    return sample.portfolio.to_frame().reset_index()


def segmented() -> sk.SegmentedModel:
    strict = sk.HealthModel([
        sk.Metric("login_rate", scheme=sk.Linear(0.3, 0.8), group="deployment"),
        sk.Metric("nps", scheme=sk.Linear(0, 10), group="roi"),
    ])
    return sk.SegmentedModel("tier", {"high": strict}, default=sk.HealthModel.dear())


def assert_same_scores(got: Any, want: Any) -> None:
    assert got.index.tolist() == want.index.tolist()
    assert list(got.columns) == list(want.columns)
    assert got.dtypes.to_dict() == want.dtypes.to_dict()
    assert got["band"].astype(object).tolist() == want["band"].astype(object).tolist()
    for name in got.columns:
        if name != "band":
            np.testing.assert_allclose(got[name], want[name], rtol=0, atol=1e-12)


def cta_set(frame: Any) -> set[tuple[Any, ...]]:
    return {
        (row.account_id, row.rule, row.action, row.reason, row.priority, row.due)
        for row in frame.itertuples()
    }


# -- score ------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [sk.HealthModel.dear(), segmented()], ids=["dear", "segmented"])
@pytest.mark.parametrize("npartitions", [1, 4, 7])
def test_partitioned_scores_equal_the_single_machine_scores(
    sample: sk.SampleData, accounts: Any, model: Any, npartitions: int
) -> None:
    frame = dd.from_pandas(accounts, npartitions=npartitions)
    got = skd.score(model, frame, as_of=sample.portfolio.as_of).compute()
    assert_same_scores(got, model.score(sample.portfolio).to_frame())


def test_the_lazy_frame_declares_the_dtypes_it_computes(accounts: Any) -> None:
    lazy = skd.score(segmented(), dd.from_pandas(accounts, npartitions=4))
    computed = lazy.compute()
    assert lazy.dtypes.to_dict() == computed.dtypes.to_dict()
    assert list(lazy.columns) == list(computed.columns)
    assert lazy.npartitions == 4
    assert not lazy.known_divisions


def test_ids_may_be_the_index(sample: sk.SampleData) -> None:
    indexed = sample.portfolio.to_frame()  # indexed by "id"
    frame = dd.from_pandas(indexed, npartitions=3)
    got = skd.score(sk.HealthModel.dear(), frame).compute()
    assert_same_scores(got, sk.HealthModel.dear().score(sample.portfolio).to_frame())


def test_only_the_columns_the_model_reads_are_converted(accounts: Any) -> None:
    # A column no partition could convert does not matter when the model does not read it.
    broken = accounts.assign(
        junk=pd.Series([[1]] * len(accounts), dtype=object),
        wait=pd.to_timedelta(np.arange(len(accounts)), unit="D"),  # durations are no kind
    )
    model = sk.HealthModel.dear()
    got = skd.score(model, dd.from_pandas(broken, npartitions=2)).compute()
    want = model.score(sk.Portfolio.from_columns(accounts)).to_frame()
    assert_same_scores(got, want)


@pytest.mark.parametrize(
    "model",
    [
        sk.HealthModel([sk.Metric("login_rate", scheme=sk.Percentile())]),
        sk.SegmentedModel(
            "tier",
            {"high": sk.HealthModel.dear()},
            default=sk.HealthModel([sk.Metric("nps", scheme=sk.Percentile())]),
        ),
    ],
    ids=["health", "segment-default"],
)
def test_population_dependent_models_are_refused(accounts: Any, model: Any) -> None:
    frame = dd.from_pandas(accounts, npartitions=2)
    with pytest.raises(sk.ModelError, match=r"Percentile.*rank within each partition"):
        skd.score(model, frame)
    with pytest.raises(sk.ModelError, match=r"evaluate\(health=...\).*Percentile"):
        skd.evaluate(PLAYBOOK, frame, health=model)


def test_what_is_not_a_health_model_or_a_dask_frame_is_refused(accounts: Any) -> None:
    frame = dd.from_pandas(accounts, npartitions=2)
    with pytest.raises(sk.ModelError, match="expected a HealthModel or SegmentedModel"):
        skd.score(sk.TouchModel.sansan(), frame)  # type: ignore[arg-type]
    with pytest.raises(sk.DataError, match="expected a dask DataFrame, got DataFrame"):
        skd.score(sk.HealthModel.dear(), accounts)
    with pytest.raises(sk.ModelError, match="expected a Playbook"):
        skd.evaluate("when x then y", frame)  # type: ignore[arg-type]


def test_problems_with_the_frame_are_raised_before_computing(accounts: Any) -> None:
    frame = dd.from_pandas(accounts.drop(columns=["nps"]), npartitions=2)
    with pytest.raises(sk.DataError, match="column 'nps'"):
        skd.score(sk.HealthModel.dear(), frame)
    with pytest.raises(sk.DataError, match=r"no id column 'idd'.*did you mean 'id'"):
        skd.score(sk.HealthModel.dear(), frame, id="idd")
    with pytest.raises(sk.DataError, match=r"column 'nope'.*kinds names a column"):
        skd.score(sk.HealthModel.dear(), frame, kinds={"nope": "number"})
    with pytest.raises(sk.DataError, match="unknown kind 'text'"):
        skd.score(sk.HealthModel.dear(), frame, kinds={"tier": "text"})


def test_bad_values_are_raised_when_their_partition_is_computed() -> None:
    data = pd.DataFrame({"id": ["a", "b", "c", "d"],
                         "x": pd.Series([1, 2, 3, "n/a"], dtype=object)})
    model = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 10))])
    with dask.config.set({"dataframe.convert-string": False}):  # keep the object dtype
        lazy = skd.score(model, dd.from_pandas(data, npartitions=2))
    with pytest.raises(sk.DataError, match="column 'x', account 'd': non-numeric value 'n/a'"):
        lazy.compute()


# -- kinds ------------------------------------------------------------------------------------


def test_kinds_stay_the_same_in_a_partition_where_columns_are_all_missing(
    accounts: Any,
) -> None:
    data = accounts.copy()
    gap = slice(1000, 1500)  # the third of four partitions
    data.loc[data.index[gap], "tier"] = None
    data.loc[data.index[gap], "keyperson_touch"] = None
    data.loc[data.index[gap], "case_study_ok"] = None
    alone = sk.Portfolio.from_columns(data.iloc[gap])
    # Inferred on its own, that partition would read these columns as numbers.
    assert alone.schema["tier"] is sk.Kind.NUMBER
    assert alone.schema["case_study_ok"] is sk.Kind.NUMBER

    frame = dd.from_pandas(data, npartitions=4)
    whole = sk.Portfolio.from_columns(data, as_of=AS_OF)
    model = segmented()
    assert_same_scores(skd.score(model, frame).compute(), model.score(whole).to_frame())
    got = skd.evaluate(PLAYBOOK, frame, as_of=AS_OF, health=model).compute()
    assert cta_set(got) == cta_set(PLAYBOOK.evaluate(whole, health=model).to_frame())


def test_text_columns_are_categories_even_where_the_text_is_numeric() -> None:
    data = pd.DataFrame({"id": list("abcd"), "plan": ["7", "9", "gold", None]})
    pb = sk.Playbook.parse('when plan in ("7", "gold") then call')
    got = skd.evaluate(pb, dd.from_pandas(data, npartitions=2)).compute()
    want = pb.evaluate(sk.Portfolio.from_columns(data)).to_frame()
    assert cta_set(got) == cta_set(want)
    assert len(got) == 2


def test_object_columns_take_the_kind_of_the_first_partition() -> None:
    data = pd.DataFrame({
        "id": list("abcdef"),
        "plan": pd.Series(["gold", "basic", None, None, "gold", None], dtype=object),
    })
    pb = sk.Playbook.parse('when plan = "gold" then call')
    with dask.config.set({"dataframe.convert-string": False}):
        frame = dd.from_pandas(data, npartitions=3)
        assert frame.dtypes["plan"] is np.dtype(object)
        got = skd.evaluate(pb, frame).compute()
        indexed = dd.from_pandas(data.set_index("id"), npartitions=3)
        got_indexed = skd.evaluate(pb, indexed).compute()
    assert sorted(got["account_id"]) == ["a", "e"]
    assert sorted(got_indexed["account_id"]) == ["a", "e"]


def test_an_object_column_empty_in_the_first_partition_needs_a_kind() -> None:
    data = pd.DataFrame({
        "id": list("abcdef"),
        "plan": pd.Series([None, None, "gold", "basic", "gold", None], dtype=object),
    })
    pb = sk.Playbook.parse('when plan = "gold" then call')
    with dask.config.set({"dataframe.convert-string": False}):
        frame = dd.from_pandas(data, npartitions=3)
        with pytest.raises(sk.DataError, match=r"column 'plan'.*first partition.*kinds="):
            skd.evaluate(pb, frame)
        got = skd.evaluate(pb, frame, kinds={"plan": "category"}).compute()
    assert sorted(got["account_id"]) == ["c", "e"]


def test_object_columns_the_model_reads_take_the_models_kind() -> None:
    data = pd.DataFrame({
        "id": list("abcd"),
        "seats": pd.Series([None, None, "40", "10"], dtype=object),  # numeric text
    })
    model = sk.HealthModel([sk.Metric("seats", scheme=sk.Linear(0, 100))])
    with dask.config.set({"dataframe.convert-string": False}):
        got = skd.score(model, dd.from_pandas(data, npartitions=2)).compute()
    want = model.score(sk.Portfolio.from_columns(data, kinds={"seats": "number"})).to_frame()
    assert_same_scores(got, want)


# -- evaluate ---------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [sk.HealthModel.dear(), segmented()], ids=["dear", "segmented"])
def test_partitioned_ctas_equal_the_single_machine_ctas(
    sample: sk.SampleData, accounts: Any, model: Any
) -> None:
    pf = sample.portfolio
    frame = dd.from_pandas(accounts, npartitions=4)
    got = skd.evaluate(PLAYBOOK, frame, as_of=pf.as_of, health=model).compute()
    want = PLAYBOOK.evaluate(pf, health=model).to_frame()
    assert len(got) == len(want) > 100
    assert set(got["rule"]) == set(PLAYBOOK.names)  # every rule fired somewhere
    assert cta_set(got) == cta_set(want)
    key = ["account_id", "rule", "action"]
    ordered = [f.sort_values(key).reset_index(drop=True) for f in (got, want)]
    assert ordered[0]["arguments"].tolist() == ordered[1]["arguments"].tolist()
    assert ordered[0]["created"].tolist() == ordered[1]["created"].tolist()


def test_ctas_have_the_same_dtypes_in_every_partition(accounts: Any) -> None:
    # The first partition raises no CTA at all; its empty frame still has the meta's dtypes.
    pb = sk.Playbook.parse('when nps >= 9 then call owner "csm" due 1d')
    data = accounts.copy()
    data.loc[data.index[:500], "nps"] = np.nan
    lazy = skd.evaluate(pb, dd.from_pandas(data, npartitions=4), as_of=AS_OF)
    parts = [part.compute() for part in lazy.partitions]
    assert len(parts[0]) == 0
    assert all(len(p) for p in parts[1:])
    for part in parts:
        assert part.dtypes.to_dict() == lazy.dtypes.to_dict()


def test_rules_over_history_are_refused(accounts: Any) -> None:
    frame = dd.from_pandas(accounts, npartitions=2)
    for text, used in [
        ("when change(login_rate, 30d) < -10% then call", r"change\(\)"),
        ("when delta(nps, 1mo) < 0 then call", r"delta\(\)"),
        ('when health.band becomes "red" then call', "becomes"),
    ]:
        with pytest.raises(sk.ModelError, match=f"rule 'rule_1': uses {used}.*History"):
            skd.evaluate(sk.Playbook.parse(text), frame, health=sk.HealthModel.dear())


def test_rules_are_checked_before_computing(accounts: Any) -> None:
    frame = dd.from_pandas(accounts, npartitions=2)
    with pytest.raises(sk.RuleNameError, match="did you mean 'login_rate'"):
        skd.evaluate(sk.Playbook.parse("when login_rat < 30% then call"), frame)
    with pytest.raises(sk.RuleNameError, match=r"health\.score"):
        skd.evaluate(sk.Playbook.parse("when health.score < 30 then call"), frame)
    result = sk.HealthModel.dear().score(sk.Portfolio.from_columns(accounts))
    with pytest.raises(sk.ModelError, match="expected a HealthModel"):
        skd.evaluate(PLAYBOOK, frame, health=result)  # type: ignore[arg-type]


def test_now_sets_the_creation_and_due_dates(accounts: Any) -> None:
    pb = sk.Playbook.parse("when first_login_rate <= 30% then call due 7d")
    frame = dd.from_pandas(accounts, npartitions=3)
    got = skd.evaluate(pb, frame, as_of=AS_OF, now="2026-11-01").compute()
    assert len(got)
    assert set(got["created"].dt.date.astype(str)) == {"2026-11-01"}
    assert set(got["due"].dt.date.astype(str)) == {"2026-11-08"}


def test_importing_successkit_dask_does_not_import_dask() -> None:
    import subprocess
    import sys

    code = "import sys, successkit.dask\nprint('dask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
