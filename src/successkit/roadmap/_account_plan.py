"""One account on a roadmap: its success plan, and the stage actions that fire for it.

The roadmap and the stage result are duck-typed where noted: roadmap.py imports this
module, not the reverse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from successkit._rows import row_of, unknown_account
from successkit.data.history import History
from successkit.data.portfolio import Portfolio
from successkit.dsl import ast
from successkit.roadmap._assign import check_roadmap
from successkit.roadmap._validate import rule_prefix
from successkit.roadmap.plan import SuccessPlan, make_plan
from successkit.roadmap.result import StageResult
from successkit.roadmap.stage import Stage

if TYPE_CHECKING:
    from successkit.dsl.cta import CTA
    from successkit.dsl.playbook import Playbook

__all__ = ["actions_for", "only", "plan_for", "stage_playbook"]


def stage_playbook(stage: Stage) -> Playbook | None:
    """The stage's playbook with each rule limited to accounts in the stage and named
    ``<stage>.<rule>``; ``None`` when the stage has none."""
    if stage.playbook is None:
        return None
    scope = ast.Compare("=", ast.Name("stage"), ast.String(stage.name))
    return stage.playbook.scoped(scope, prefix=rule_prefix(stage.name))


def only(data: Portfolio | History, account_id: str) -> Portfolio | History:
    """``data`` restricted to one account (the batch path on a portfolio of one)."""
    snapshots = data.snapshots if isinstance(data, History) else (data,)
    kept = []
    for snapshot in snapshots:
        rows = snapshot.index_of([account_id])
        kept.append(snapshot.take(rows[rows >= 0]))
    if not any(len(snapshot) for snapshot in kept):
        raise unknown_account(account_id, data.ids, "the data")  # with did-you-mean
    return History(kept) if isinstance(data, History) else kept[0]


def _cut(provider: Any, account_id: str) -> Any:
    """A namespace result cut to one account, so that a one-account evaluation reads (and
    aligns) no more; a model, or a result that cannot be cut, as it is."""
    take = getattr(provider, "take", None)
    if take is None or not hasattr(provider, "rule_columns"):
        return provider
    return take(np.flatnonzero(np.asarray(provider.ids) == account_id))


def actions_for(
    playbook: Playbook,
    data: Portfolio | History,
    account_id: str,
    *,
    stages: StageResult,
    row: int,
    health: Any,
    touch: Any,
    now: Any,
) -> tuple[CTA, ...]:
    """The CTAs ``playbook`` raises for one account (at ``row`` of ``stages``), evaluated
    on ``data`` and results cut to that account — unless a ``health=`` / ``touch=`` model
    scores accounts relative to each other (percentiles): alone, the account would score
    differently than in the batch, so all of ``data`` is evaluated and its CTAs kept."""
    if any(getattr(p, "population_dependent", False) for p in (health, touch)):
        row_of(data.ids, account_id, where="the data")
        ctas = playbook.evaluate(data, stages=stages, health=health, touch=touch, now=now)
        return tuple(ctas[int(i)] for i in np.flatnonzero(ctas.account_id == account_id))
    ctas = playbook.evaluate(
        only(data, account_id),
        stages=stages._take([row]),
        health=_cut(health, account_id),
        touch=_cut(touch, account_id),
        now=now,
    )
    return tuple(ctas)


def plan_for(
    roadmap: Any,
    account_id: str,
    result: StageResult,
    *,
    data: Portfolio | History | None,
    health: Any,
    touch: Any,
    now: Any,
) -> SuccessPlan:
    """The success plan of one account of ``result`` on ``roadmap`` (see
    :meth:`Roadmap.plan <successkit.Roadmap.plan>`)."""
    check_roadmap(roadmap, result, what="the stage result")
    account_id = str(account_id)
    row = result.row(account_id)
    code = int(result.codes[row])
    stage = roadmap.stages[code] if code >= 0 else None
    source = result.data if data is None else data
    given = dict(result.sources)
    given.update({k: v for k, v in (("health", health), ("touch", touch)) if v is not None})
    actions: tuple[Any, ...] = ()
    scoped = None if stage is None else stage_playbook(stage)
    if scoped is not None and source is not None:
        actions = actions_for(
            scoped, source, account_id, stages=result, row=row, now=now,
            health=given.get("health"), touch=given.get("touch"),
        )
    return make_plan(roadmap, result, row, actions)
