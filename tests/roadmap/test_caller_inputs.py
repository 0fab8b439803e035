"""Stage results of another roadmap, previous results from the future and implausible
renewal counts are refused with successkit errors."""

from __future__ import annotations

from typing import Any

import pytest

import successkit as sk

AS_OF = "2026-10-01"


def test_plan_refuses_a_result_of_another_roadmap_with_the_same_stage_names() -> None:
    ours = sk.Roadmap([sk.Stage("trial", goal="logins >= 5")])
    other = sk.Roadmap([sk.Stage("trial", goal="logins >= 100")])
    pf = sk.Portfolio.from_columns({"id": ["a"], "logins": [7]}, as_of=AS_OF)
    result = ours.assign(pf)
    assert ours.plan("a", result).goal_met
    with pytest.raises(sk.ModelError, match="comes from another roadmap: its fingerprint"):
        other.plan("a", result)
    with pytest.raises(sk.ModelError, match="previous comes from another roadmap"):
        other.score(pf, previous=result)


def test_score_refuses_a_previous_result_dated_after_the_portfolio() -> None:
    roadmap = sk.Roadmap([sk.Stage("new")])
    sep = sk.Portfolio.from_columns({"id": ["a"]}, as_of="2026-09-01")
    later = roadmap.score(sep.with_as_of(AS_OF))
    with pytest.raises(sk.DataError, match="previous is dated 2026-10-01, after the "
                                           "portfolio's as_of 2026-09-01"):
        roadmap.score(sep, previous=later)
    assert roadmap.score(sep.with_as_of(AS_OF), previous=roadmap.score(sep)) \
        .days_in_stage.tolist() == [30.0]


def _lifecycle(renewals: Any, kind: str | None = None) -> sk.StageResult:
    kinds = {"contract_start": "date", "renewal_date": "date"}
    if kind is not None:
        kinds["renewals"] = kind
    pf = sk.Portfolio.from_columns(
        {"id": ["a", "b"], "contract_start": ["2024-06-01"] * 2, "renewals": renewals,
         "renewal_date": ["2027-06-01"] * 2}, as_of=AS_OF, kinds=kinds)
    return sk.Roadmap.lifecycle().assign(pf)


@pytest.mark.parametrize(("renewals", "message"), [
    ([1, 3000], "more than 200 yearly renewals"),
    ([1, 1.5], "a renewal count is a whole number, got 1.5"),
    ([1, -1], "cannot be negative"),
])
def test_implausible_renewal_counts_are_refused(renewals: list[Any], message: str) -> None:
    with pytest.raises(sk.DataError, match=message) as caught:
        _lifecycle(renewals)
    assert caught.value.column == "renewals"
    assert caught.value.account == "b"


def test_boolean_renewal_counts_are_refused() -> None:
    with pytest.raises(sk.DataError, match="true/false") as caught:
        _lifecycle([True, False])
    assert caught.value.column == "renewals"


def test_plausible_renewal_counts_give_plans_and_dicts() -> None:
    result = _lifecycle([1, None])
    result.to_dict()
    sk.Roadmap.lifecycle().plan("a", result)
