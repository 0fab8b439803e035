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

import pickle
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from successkit._dask_usage import usage_history
from successkit._optional import import_optional
from successkit.data.column import Column
from successkit.data.kinds import Kind
from successkit.data.portfolio import Portfolio
from successkit.data.read import read_columns, read_kinds
from successkit.dsl import ast
from successkit.dsl.playbook import Playbook
from successkit.errors import DataError, ModelError
from successkit.scoring.health import HealthModel
from successkit.scoring.segmented import SegmentedModel

__all__ = ["evaluate", "score", "usage_history"]

#: Playbook functions that read earlier snapshots of a History.
_HISTORY_FUNCTIONS = frozenset({"change", "delta", "previous"})

KindsArg = Mapping[str, Kind | str] | None


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
    _check_frame(frame, "successkit.dask.score()")
    _check_model(model)
    _check_pickles(model, "model")
    names = _names(frame, id)
    wanted = _fixed_kinds(frame, names, kinds, model.kinds())
    meta = model.score(_meta_portfolio(names, as_of=as_of, kinds=wanted)).to_frame()
    read = [name for name in model.columns if name in names]  # all fixed by model.kinds()
    return frame.map_partitions(
        _score_partition,
        model,
        _Reader(id=id, as_of=as_of, columns=read, kinds=wanted),
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
    _check_frame(frame, "successkit.dask.evaluate()")
    if not isinstance(playbook, Playbook):
        raise ModelError(f"expected a Playbook, got {type(playbook).__name__}")
    _check_history_free(playbook)
    if health is not None:
        _check_model(health, where="evaluate(health=...)")
    _check_pickles(playbook, "playbook")
    if health is not None:
        _check_pickles(health, "health model")
    names = _names(frame, id)
    read = [name for name in _rule_names(playbook) if name in names]
    if health is not None:
        read = list(dict.fromkeys([*read, *(c for c in health.columns if c in names)]))
    model_kinds = health.kinds() if health is not None else {}
    wanted = _fixed_kinds(frame, names, kinds, model_kinds)
    unfixed = [name for name in read if name not in wanted]
    if unfixed:
        wanted.update(_first_partition_kinds(frame, id, unfixed))
    # Evaluating the empty frame checks every rule against all columns (so unknown names
    # get their closest match) and gives the meta: CTAs.to_frame() has fixed dtypes.
    empty = _meta_portfolio(names, as_of=as_of, kinds=wanted)
    meta = playbook.evaluate(empty, health=health, now=now).to_frame()
    return frame.map_partitions(
        _evaluate_partition,
        playbook,
        _Reader(id=id, as_of=as_of, columns=read, kinds=wanted),
        health,
        now,
        meta=meta,
        clear_divisions=True,
    )


# -- what runs on each partition --------------------------------------------------------------


class _Reader:
    """Turns one pandas partition into a Portfolio of the given columns, each read as its
    kind in ``kinds`` (when it has one there)."""

    def __init__(
        self, *, id: str, as_of: Any, columns: Iterable[str], kinds: Mapping[str, Kind]
    ) -> None:
        self.id = id
        self.as_of = as_of
        self.columns = tuple(columns)
        self.kinds = {name: kinds[name] for name in self.columns if name in kinds}

    def __call__(self, part: Any, partition_info: Mapping[str, Any] | None = None) -> Portfolio:
        number = None if partition_info is None else partition_info.get("number")
        where = "a partition" if number is None else f"partition {number}"
        present = set(part.columns)
        missing = [name for name in self.columns if name not in present]
        if missing:
            # A frame built from pieces (from_delayed, from_map) can break its own meta.
            raise DataError(
                f"{where} has no column {missing[0]!r}, which the frame's meta declares",
                column=missing[0],
            )
        data = {self.id: _ids_of(part, self.id)}
        data.update((name, part[name]) for name in self.columns)
        try:
            return Portfolio.from_columns(data, id=self.id, as_of=self.as_of, kinds=self.kinds)
        except DataError as exc:
            raise DataError(
                f"{exc.message} (in {where})", column=exc.column, account=exc.account, row=exc.row
            ) from exc


def _score_partition(
    part: Any,
    model: HealthModel | SegmentedModel,
    reader: _Reader,
    partition_info: Mapping[str, Any] | None = None,
) -> Any:
    return model.score(reader(part, partition_info)).to_frame()


def _evaluate_partition(
    part: Any,
    playbook: Playbook,
    reader: _Reader,
    health: HealthModel | SegmentedModel | None,
    now: Any,
    partition_info: Mapping[str, Any] | None = None,
) -> Any:
    return playbook.evaluate(reader(part, partition_info), health=health, now=now).to_frame()


# -- checks and kinds -------------------------------------------------------------------------


def _check_frame(frame: Any, purpose: str) -> None:
    dd = import_optional("dask.dataframe", purpose=purpose)
    if not isinstance(frame, dd.DataFrame):
        raise DataError(
            f"expected a dask DataFrame, got {type(frame).__name__} (for an in-memory "
            "frame use Portfolio.from_columns())"
        )


def _check_pickles(value: Any, what: str) -> None:
    """Refuse, before any task exists, what could not travel to a worker process.

    A cluster sends the model or playbook to every worker with pickle; failing here names
    the object instead of a serialisation error from deep inside the scheduler.
    """
    try:
        pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # any failure means it cannot be sent
        raise ModelError(
            f"the {what} does not pickle, so it cannot be sent to dask workers: "
            f"{type(exc).__name__}: {exc}"
        ) from exc


def _check_model(model: Any, *, where: str | None = None) -> None:
    if not isinstance(model, (HealthModel, SegmentedModel)):
        scored = " (the model, which each partition scores)" if where else ""
        raise ModelError(
            f"expected a HealthModel or SegmentedModel{scored}, got {type(model).__name__}",
            where=where,
        )
    models = [model] if isinstance(model, HealthModel) else [m for _, m in model.models]
    if isinstance(model, SegmentedModel) and model.default is not None:
        models.append(model.default)
    for part in models:
        for metric in part.metrics:
            if metric.scheme.population_dependent:
                raise ModelError(
                    f"metric {metric.name!r} uses {type(metric.scheme).__name__}, which ranks "
                    "an account against the accounts scored with it; per partition it would "
                    "rank within each partition and differ from scoring the whole portfolio. "
                    "Score this model on one machine, or use Thresholds at the population's "
                    "quantiles (frame[column].quantile([...]).compute())",
                    where=where,
                )


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


def _ids_of(part: Any, id: str) -> Any:
    """The id column, or the index when it carries the ids (``_names`` checked one does)."""
    if id not in part.columns and part.index.name == id:
        return part.index
    return part[id]


def _names(frame: Any, id: str) -> list[str]:
    """The frame's column names other than the ids, checked as ``from_columns`` does."""
    meta = frame._meta
    names = list(read_columns(meta))  # text names, no duplicates
    if id not in names and meta.index.name != id:
        Portfolio.from_columns(meta, id=id)  # raises DataError with the closest name
    return [name for name in names if name != id]


def _fixed_kinds(
    frame: Any, names: list[str], kinds: KindsArg, model_kinds: Mapping[str, Kind]
) -> dict[str, Kind]:
    """One kind per column where the frame's dtypes, ``kinds`` or the model fix it."""
    given = read_kinds(kinds, names)
    fixed: dict[str, Kind] = {}
    dtypes = frame._meta.dtypes
    for name in names:
        kind = given.get(name) or _kind_of_dtype(dtypes[name])
        if kind is None and name in model_kinds:
            kind = model_kinds[name]
        if kind is not None:
            fixed[name] = kind
    return fixed


def _kind_of_dtype(dtype: Any) -> Kind | None:
    """The kind a whole column of ``dtype`` is read as (``None``: it depends on the values)."""
    pd = import_optional("pandas", purpose="successkit.dask")
    types = pd.api.types
    if isinstance(dtype, pd.CategoricalDtype):
        return _kind_of_dtype(dtype.categories.dtype)
    if types.is_object_dtype(dtype):
        return None
    if types.is_bool_dtype(dtype):
        return Kind.BOOLEAN
    if types.is_numeric_dtype(dtype):
        return Kind.NUMBER
    if types.is_datetime64_any_dtype(dtype):
        return Kind.DATE
    if types.is_string_dtype(dtype):
        return Kind.CATEGORY
    return None  # e.g. durations: converting the values raises a DataError naming the column


def _first_partition_kinds(frame: Any, id: str, names: list[str]) -> dict[str, Kind]:
    """The kinds of ``names`` inferred from their values in the first partition."""
    wanted = [id, *names] if id in frame.columns else names  # else the index holds the ids
    part = frame[wanted].partitions[0].compute()
    reader = _Reader(id=id, as_of=None, columns=names, kinds={})
    portfolio = reader(part)
    out = {}
    for name in names:
        column = portfolio.column(name)
        if column.missing.all():
            raise DataError(
                "has object dtype and no values in the first partition, so its kind cannot "
                f"be fixed for every partition; pass kinds={{{name!r}: ...}}",
                column=name,
            )
        out[name] = column.kind
    return out


def _meta_portfolio(names: list[str], *, as_of: Any, kinds: Mapping[str, Kind]) -> Portfolio:
    """An empty portfolio with every column of the frame, each of its fixed kind (others as
    numbers): models and rules are checked against it, and scoring it gives the meta."""
    columns = {name: Column.empty(kinds.get(name, Kind.NUMBER), 0) for name in names}
    return Portfolio(np.zeros(0, dtype=str), columns, as_of)
