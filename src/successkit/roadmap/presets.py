"""The seeds' roadmaps: Sansan's lifecycle (seed 003) and THE MODEL's adoption levels (000)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from successkit.data.dates import DAYS_PER_UNIT, model_duration
from successkit.errors import ModelError
from successkit.roadmap.roadmap import Roadmap
from successkit.roadmap.stage import Stage

__all__ = ["LIFECYCLE", "MATURITY_COLUMNS", "MATURITY_LEVELS", "lifecycle", "maturity"]

#: Sansan's four periods (Sansan利用期間) with the seed's emphasis for each.
LIFECYCLE: dict[str, str] = {
    "onboarding": (
        "導入期: from the contract until onboarding support ends (導入支援終了, about two "
        "months). Get every user started; the seed's first rule is to stake everything on "
        "onboarding (Onboardingに命をかける)."
    ),
    "operation": (
        "運用期: until the first renewal (更新1回目, about one year). How far the health "
        "score rises in this period decides the account (この時期にどれだけHealth Scoreを"
        "UPできるかが勝負); build many touch points and the relationship "
        "(Touch Pointを多く持ち、関係構築を重視する)."
    ),
    "utilisation": (
        "活用期: until the second renewal (更新2回目, about two years). Keep raising health "
        "and keep many touch points: the relationship built now carries the account into "
        "the established period."
    ),
    "established": (
        "定着期: after the second renewal. Accounts that get here rarely churn except in "
        "irregular cases (イレギュラーケース以外でのChurnはほぼ無い)."
    ),
}

#: THE MODEL's adoption roadmap (活用ロードマップ): the state each level reaches.
MATURITY_LEVELS: dict[str, str] = {
    "level_1": (
        "Run campaigns and report on their data (キャンペーンを行い、データをレポート化する)."
    ),
    "level_2": (
        "Decide the next campaign or measure from past reports (過去のレポートの結果から次に"
        "行うキャンペーンや施策の意思決定を行う)."
    ),
    "level_3": (
        "Plan goals over several years together with other departments and organisations "
        "(複数の部門や組織と連携し、複数年度に渡る目標達成の計画に使用する)."
    ),
    "level_4": "Roll out globally (グローバル展開に使用する).",
}

#: The boolean columns :func:`maturity` reads by default: whether the customer has
#: reached each level's state.
MATURITY_COLUMNS = ("campaign_reports", "report_driven_decisions", "multi_year_plan",
                    "global_rollout")


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
    days = model_duration(onboarding, what="onboarding", where="lifecycle")
    year = DAYS_PER_UNIT["y"]
    if not 0 < days < year:
        raise ModelError(f"onboarding must last between 1 day and a year, got {days} days",
                         where="lifecycle")
    stages = [
        Stage("onboarding", window=(0, days), expected_duration=days,
              description=LIFECYCLE["onboarding"]),
        Stage("operation", window=(days, "renewal 1"), expected_duration=year - days,
              description=LIFECYCLE["operation"]),
        Stage("utilisation", window=("renewal 1", "renewal 2"), expected_duration=year,
              description=LIFECYCLE["utilisation"]),
        Stage("established", window=("renewal 2", None),
              description=LIFECYCLE["established"]),
    ]
    return Roadmap(stages, assign="tenure", name="lifecycle", contract_start=contract_start,
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
    conditions = list(MATURITY_COLUMNS if states is None else states)
    if isinstance(states, str) or len(conditions) != len(MATURITY_LEVELS):
        raise ModelError(
            f"states must be {len(MATURITY_LEVELS)} conditions, one per level", where="maturity"
        )
    stages = [
        Stage(name, entry=None if k == 0 else conditions[k - 1], goal=conditions[k],
              description=description)
        for k, (name, description) in enumerate(MATURITY_LEVELS.items())
    ]
    return Roadmap(stages, assign="criteria", name="maturity")
