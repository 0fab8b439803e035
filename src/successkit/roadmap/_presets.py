"""The stages of the seeds' roadmaps (Sansan's lifecycle, THE MODEL's levels), without the Roadmap.

:class:`~successkit.roadmap.roadmap.Roadmap` builds its presets from these;
:mod:`successkit.roadmap.presets` is the public face.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from successkit.data.dates import DAYS_PER_UNIT, model_duration
from successkit.errors import ModelError
from successkit.roadmap.stage import Stage

__all__ = [
    "LIFECYCLE",
    "MATURITY_COLUMNS",
    "MATURITY_LEVELS",
    "lifecycle_stages",
    "maturity_stages",
]

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


def lifecycle_stages(onboarding: Any) -> list[Stage]:
    """The four lifecycle stages, onboarding lasting ``onboarding`` (see
    :func:`successkit.roadmap.presets.lifecycle`)."""
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
    return stages


def maturity_stages(states: Sequence[str] | None) -> list[Stage]:
    """The four maturity levels with ``states`` as their goals (see
    :func:`successkit.roadmap.presets.maturity`)."""
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
    return stages
