"""Scale out with Dask: score accounts and evaluate playbooks partition by partition.

A health score and a single-snapshot playbook rule read one account's row and nothing else,
so a portfolio too big for one machine can be cut into partitions, each turned into a
:class:`~successkit.Portfolio` and scored on its own with ``map_partitions``; the results,
put back together, equal scoring the whole portfolio at once.

Three things would make partitions disagree, and this module rules each out:

* **kinds** — each partition would infer its columns' kinds from its own values, so a
  category column that happens to be empty in one partition would become a number column
  there. Kinds are fixed once, before any partition is read (see :func:`score`).
* **population-dependent schemes** — a :class:`~successkit.Percentile` metric ranks an
  account against the accounts scored with it, i.e. within its partition. Such models are
  refused with a :class:`~successkit.ModelError`.
* **history** — ``change()``, ``delta()``, ``previous()`` and ``becomes`` compare snapshots
  of a :class:`~successkit.History`; they are not partitioned, and playbooks using them are
  refused with a :class:`~successkit.ModelError`.

Needs the ``dask`` extra (``pip install 'successkit[dask]'``); dask is imported only when
these functions are called.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from successkit._dask_partitions import (
    KindsArg,
    PartitionReader,
    check_frame,
    check_model,
    check_pickles,
    first_partition_kinds,
    fixed_kinds,
    frame_columns,
    meta_portfolio,
)
from successkit._dask_usage import usage_history
from successkit.dsl import ast
from successkit.dsl.playbook import Playbook
from successkit.errors import ModelError
from successkit.scoring.health import HealthModel
from successkit.scoring.segmented import SegmentedModel

__all__ = ["evaluate", "score", "usage_history"]

#: Playbook functions that read earlier snapshots of a History.
_HISTORY_FUNCTIONS = frozenset({"change", "delta", "previous"})

# -- public functions -------------------------------------------------------------------------


def score(
    model: HealthModel | SegmentedModel,
    frame: Any,
    *,
    id: str = "id",
    as_of: Any = None,
    kinds: KindsArg = None,
) -> Any:
    """Score the accounts of a dask DataFrame partition by partition.

    Each partition becomes a :class:`~successkit.Portfolio` (of the id column and the
    columns the model reads), is scored with ``model.score()``, and gives
    :meth:`HealthResult.to_frame() <successkit.HealthResult.to_frame>`: one row per account,
    indexed by account id. Nothing is computed until you call ``.compute()`` (or write the
    result out); the computed frame equals ``model.score(portfolio).to_frame()`` of the whole
    portfolio, row for row, in the frame's partition order.

    .. versionadded:: 0.1

    Parameters
    ----------
    model:
        A :class:`~successkit.HealthModel` or :class:`~successkit.SegmentedModel`.
    frame:
        A ``dask.dataframe.DataFrame`` with one row per account. The account ids are the
        column ``id``, or the index when it is named ``id``.
    id:
        The name of the id column.
    as_of:
        The date the data describes (as for :meth:`Portfolio.from_columns
        <successkit.Portfolio.from_columns>`).
    kinds:
        Kinds for some columns, overriding the ones fixed from the frame (see Notes).

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy; its columns and dtypes are those of ``HealthResult.to_frame()``. Divisions
        are unknown (the index is the account ids as text).

    Raises
    ------
    ModelError
        ``model`` is not a health model, or a metric uses a population-dependent scheme
        such as :class:`~successkit.Percentile`: its scores would be ranks within each
        partition, not within the portfolio. Score such models on one machine, or replace
        the percentiles with :class:`~successkit.Thresholds` at the population's quantiles
        (``frame[column].quantile([...]).compute()``).
    DataError
        Problems found before any partition is read (no id column, a column the model
        reads is absent, a bad ``kinds`` entry); problems in the values themselves are
        raised when the partition holding them is computed.

    Notes
    -----
    Every partition reads each column as the same kind, fixed once up front, in this order:

    1. ``kinds=`` as given;
    2. the column's dtype in the dask frame: booleans (``bool``, ``boolean``) → boolean,
       other numbers → number, datetimes → date, text dtypes (``string``, ``str``) →
       category, and a ``category`` dtype → the kind of its categories;
    3. for ``object`` columns, the kind the model reads the column as.

    Without this a partition where a category column is all missing would read it as a
    number column, and one with only numeric text would read text differently from the
    next.

    Examples
    --------
    >>> import pandas as pd
    >>> import dask.dataframe as dd
    >>> import successkit as sk
    >>> import successkit.dask
    >>> model = sk.HealthModel([sk.Metric("login_rate", scheme=sk.Linear(0, 1))])
    >>> accounts = pd.DataFrame({"id": ["a", "b", "c", "d"],
    ...                          "login_rate": [0.9, 0.5, None, 0.2]})
    >>> frame = dd.from_pandas(accounts, npartitions=2)
    >>> scores = successkit.dask.score(model, frame).compute()
    >>> scores["score"].tolist(), scores["band"].tolist()
    ([90.0, 50.0, nan, 20.0], ['green', 'yellow', nan, 'red'])
    """
    check_frame(frame, "successkit.dask.score()")
    check_model(model)
    check_pickles(model, "model")
    names = frame_columns(frame, id)
    wanted = fixed_kinds(frame, names, kinds, model.kinds())
    meta = model.score(meta_portfolio(names, as_of=as_of, kinds=wanted)).to_frame()
    read = [name for name in model.columns if name in names]  # all fixed by model.kinds()
    return frame.map_partitions(
        _score_partition,
        model,
        PartitionReader(id=id, as_of=as_of, columns=read, kinds=wanted),
        meta=meta,
        clear_divisions=True,
    )


def evaluate(
    playbook: Playbook,
    frame: Any,
    *,
    id: str = "id",
    as_of: Any = None,
    kinds: KindsArg = None,
    health: HealthModel | SegmentedModel | None = None,
    now: Any = None,
) -> Any:
    """The CTAs a playbook raises for the accounts of a dask DataFrame, partition by partition.

    Each partition becomes a :class:`~successkit.Portfolio` (of the id column and the
    columns the rules and ``health`` read), ``health`` is scored on it, and the playbook is
    evaluated with :meth:`Playbook.evaluate <successkit.Playbook.evaluate>`; the result is
    :meth:`CTAs.to_frame() <successkit.CTAs.to_frame>` of each partition. The computed CTAs
    are the CTAs of the whole portfolio: the same (account, rule, action) with the same
    reasons, due dates and arguments. Within a partition they are sorted by priority then
    account; sort the computed frame for one global order.

    Names, types and the model are checked before any partition is read, so a misspelt
    column is a :class:`~successkit.RuleNameError` (with the closest name) at once.

    .. versionadded:: 0.1

    Parameters
    ----------
    playbook:
        The rules.
    frame:
        A ``dask.dataframe.DataFrame`` with one row per account (ids in column ``id``, or
        the index when it is named ``id``).
    id, as_of, kinds:
        As for :func:`score`. A column rules read that has ``object`` dtype and no kind
        from ``kinds`` or ``health`` takes the kind of its values in the first partition.
    health:
        A :class:`~successkit.HealthModel` or :class:`~successkit.SegmentedModel` scored on
        each partition, so rules can read ``health.score``, ``health.band``, … (a model, not
        a result: a result holds every account and cannot be split).
    now:
        The date CTAs are raised on (default: ``as_of``).

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy, with the columns and dtypes of :meth:`CTAs.to_frame()
        <successkit.CTAs.to_frame>` (fixed, so every partition has them, one without CTAs
        too); the index restarts at 0 in each partition.

    Raises
    ------
    ModelError
        A rule reads history (``change()``, ``delta()``, ``previous()``, ``becomes``): those
        compare snapshots of a :class:`~successkit.History` and are not partitioned —
        evaluate such playbooks with a History on one machine. Also ``health`` with a
        population-dependent scheme (see :func:`score`), or ``health`` that is not a model.
    RuleNameError, RuleTypeError
        The rules do not fit the frame's columns.
    DataError
        As for :func:`score`; also an ``object`` column rules read that has no value in the
        first partition (pass its kind in ``kinds``).

    Notes
    -----
    Only ``health=`` is partitioned among the namespaces: touch scores need the events of
    each partition's accounts, and roadmap stages are not supported here. ``open_ctas`` and
    ``snoozed`` are not taken either; filter the computed CTAs against them.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> import successkit as sk
    >>> from successkit.dask import evaluate
    >>> pb = sk.Playbook.parse(
    ...     "rule low: when login_rate < 30% and tier = 'high' then call_admin due 7d")
    >>> frame = dd.from_dict({"id": ["a", "b", "c", "d"],
    ...                       "login_rate": [0.9, 0.1, 0.2, 0.25],
    ...                       "tier": ["high", "high", None, "high"]}, npartitions=2)
    >>> ctas = evaluate(pb, frame, as_of="2026-10-01").compute()
    >>> for cta in ctas.itertuples():
    ...     print(cta.account_id, cta.action, cta.due.date(), cta.reason)
    b call_admin 2026-10-08 login_rate = 10% < 30% and tier = "high"
    d call_admin 2026-10-08 login_rate = 25% < 30% and tier = "high"
    """
    check_frame(frame, "successkit.dask.evaluate()")
    if not isinstance(playbook, Playbook):
        raise ModelError(f"expected a Playbook, got {type(playbook).__name__}")
    _check_history_free(playbook)
    if health is not None:
        check_model(health, where="evaluate(health=...)")
    check_pickles(playbook, "playbook")
    if health is not None:
        check_pickles(health, "health model")
    names = frame_columns(frame, id)
    read = [name for name in _rule_names(playbook) if name in names]
    if health is not None:
        read = list(dict.fromkeys([*read, *(c for c in health.columns if c in names)]))
    model_kinds = health.kinds() if health is not None else {}
    wanted = fixed_kinds(frame, names, kinds, model_kinds)
    unfixed = [name for name in read if name not in wanted]
    if unfixed:
        wanted.update(first_partition_kinds(frame, id, unfixed))
    # Evaluating the empty frame checks every rule against all columns (so unknown names
    # get their closest match) and gives the meta: CTAs.to_frame() has fixed dtypes.
    empty = meta_portfolio(names, as_of=as_of, kinds=wanted)
    meta = playbook.evaluate(empty, health=health, now=now).to_frame()
    return frame.map_partitions(
        _evaluate_partition,
        playbook,
        PartitionReader(id=id, as_of=as_of, columns=read, kinds=wanted),
        health,
        now,
        meta=meta,
        clear_divisions=True,
    )


# -- what runs on each partition --------------------------------------------------------------


def _score_partition(
    part: Any,
    model: HealthModel | SegmentedModel,
    reader: PartitionReader,
    partition_info: Mapping[str, Any] | None = None,
) -> Any:
    return model.score(reader(part, partition_info)).to_frame()


def _evaluate_partition(
    part: Any,
    playbook: Playbook,
    reader: PartitionReader,
    health: HealthModel | SegmentedModel | None,
    now: Any,
    partition_info: Mapping[str, Any] | None = None,
) -> Any:
    return playbook.evaluate(reader(part, partition_info), health=health, now=now).to_frame()


# -- what a playbook may read -----------------------------------------------------------------


def _check_history_free(playbook: Playbook) -> None:
    for rule in playbook.rules:
        for node in ast.walk(rule.condition):
            if isinstance(node, ast.Becomes):
                used = "becomes"
            elif isinstance(node, ast.Call) and node.function in _HISTORY_FUNCTIONS:
                used = f"{node.function}()"
            else:
                continue
            raise ModelError(
                f"uses {used}, which compares snapshots of a History; rules over history are "
                "not partitioned (evaluate this playbook with a History on one machine)",
                where=f"rule {rule.name!r}",
            )


def _rule_names(playbook: Playbook) -> list[str]:
    names = (
        node.name
        for rule in playbook.rules
        for node in ast.walk(rule.condition)
        if isinstance(node, ast.Name)
    )
    return list(dict.fromkeys(names))
