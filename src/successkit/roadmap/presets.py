"""The seeds' roadmaps: Sansan's lifecycle (seed 003) and THE MODEL's adoption levels (000)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from successkit.roadmap._presets import LIFECYCLE, MATURITY_COLUMNS, MATURITY_LEVELS
from successkit.roadmap.roadmap import Roadmap

__all__ = ["LIFECYCLE", "MATURITY_COLUMNS", "MATURITY_LEVELS", "lifecycle", "maturity"]


def lifecycle(
    *,
    onboarding: Any = "2mo",
    contract_start: str = "contract_start",
    renewals: str | None = "renewals",
    renewal_date: str | None = "renewal_date",
) -> Roadmap:
    """Sansan's lifecycle by contract age (seed 003) as a tenure roadmap.

    ==============  ============================  ===================  ==================
    stage           window                        expected duration    seed
    ==============  ============================  ===================  ==================
    onboarding      0d – ``onboarding`` (2mo)     ``onboarding``       導入期
    operation       ``onboarding`` – renewal 1    1y − ``onboarding``  運用期
    utilisation     renewal 1 – renewal 2         1y                   活用期
    established     renewal 2 – (open)            —                    定着期
    ==============  ============================  ===================  ==================

    Renewals follow the account's actual renewals when the data have them (``renewals``,
    ``renewal_date``), else one and two years of contract age. An account still in
    operation or utilisation past the expected duration is *stalled*: its renewal is
    overdue. Stage descriptions carry the seed's emphasis; add goals, tasks and playbooks
    with :meth:`Roadmap.with_stage`.

    Parameters
    ----------
    onboarding:
        How long onboarding support lasts (the seed: about two months).
    contract_start, renewals, renewal_date:
        The columns to read (see :class:`Roadmap`).

    Examples
    --------
    >>> import successkit as sk
    >>> roadmap = sk.Roadmap.lifecycle()
    >>> [(s.name, s.window) for s in roadmap.stages]  # doctest: +NORMALIZE_WHITESPACE
    [('onboarding', ('0d', '2mo')), ('operation', ('2mo', 'renewal 1')),
     ('utilisation', ('renewal 1', 'renewal 2')), ('established', ('renewal 2', None))]
    >>> pf = sk.Portfolio.from_columns({
    ...     "id": ["new", "first_year", "late_renewal", "second_year", "loyal"],
    ...     "contract_start": ["2026-09-01", "2026-01-15", "2025-08-01", "2025-03-01",
    ...                        "2020-04-01"],
    ...     "renewals": [0, 0, 0, 1, 6],
    ... }, as_of="2026-10-01", kinds={"contract_start": "date"})
    >>> roadmap.assign(pf).stage.tolist()
    ['onboarding', 'operation', 'operation', 'utilisation', 'established']
    """
    return Roadmap.lifecycle(onboarding=onboarding, contract_start=contract_start,
                             renewals=renewals, renewal_date=renewal_date)


def maturity(states: Sequence[str] | None = None) -> Roadmap:
    """THE MODEL's adoption roadmap, levels 1–4 (seed 000), as a criteria roadmap.

    ``states`` are four conditions: the state each level reaches (its goal). An account is
    at level *k* while it works towards level *k*'s state; it enters level *k* once it
    has reached level *k − 1*'s state (the furthest level whose entry holds wins, so the
    levels need not be cumulative). Level 1 has no entry: every account is at least there.

    Without ``states`` the defaults are the boolean columns of :data:`MATURITY_COLUMNS` —
    ``campaign_reports`` (runs campaigns and reports on them), ``report_driven_decisions``
    (decides the next campaign from past reports), ``multi_year_plan`` (plans multi-year
    goals across departments) and ``global_rollout`` — which your data must provide, e.g.
    from a CSM's assessment or product analytics.

    Examples
    --------
    >>> import successkit as sk
    >>> roadmap = sk.Roadmap.maturity()
    >>> [(s.name, s.entry, s.goal) for s in roadmap.stages[:2]]  # doctest: +NORMALIZE_WHITESPACE
    [('level_1', None, 'campaign_reports'),
     ('level_2', 'campaign_reports', 'report_driven_decisions')]
    >>> pf = sk.Portfolio.from_columns({
    ...     "id": ["a", "b", "c"],
    ...     "campaign_reports": [False, True, True],
    ...     "report_driven_decisions": [False, False, True],
    ...     "multi_year_plan": [False, False, None],
    ...     "global_rollout": [False, False, False],
    ... })
    >>> roadmap.assign(pf).stage.tolist()
    ['level_1', 'level_2', 'level_3']
    """
    return Roadmap.maturity(states)
