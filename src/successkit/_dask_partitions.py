"""The partition plumbing of :mod:`successkit.dask`: fixed kinds, partition readers, checks.

A partition must read each column exactly as every other partition does, and a model or
playbook must be fit to travel to a worker before any task exists. :class:`PartitionReader`
turns one pandas partition into a :class:`~successkit.Portfolio` with the kinds fixed once
by :func:`fixed_kinds` (or :func:`first_partition_kinds`); the ``check_*`` functions refuse
what cannot be partitioned, naming it, before anything is computed.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from successkit._optional import import_optional
from successkit.data.column import Column
from successkit.data.kinds import Kind
from successkit.data.portfolio import Portfolio
from successkit.data.read import read_columns, read_kinds
from successkit.errors import DataError, ModelError
from successkit.scoring.health import HealthModel
from successkit.scoring.segmented import SegmentedModel

__all__ = [
    "KindsArg",
    "PartitionReader",
    "check_frame",
    "check_model",
    "check_pickles",
    "first_partition_kinds",
    "fixed_kinds",
    "frame_columns",
    "meta_portfolio",
]

KindsArg = Mapping[str, Kind | str] | None


class PartitionReader:
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


def check_frame(frame: Any, purpose: str) -> None:
    dd = import_optional("dask.dataframe", purpose=purpose)
    if not isinstance(frame, dd.DataFrame):
        raise DataError(
            f"expected a dask DataFrame, got {type(frame).__name__} (for an in-memory "
            "frame use Portfolio.from_columns())"
        )


def check_pickles(value: Any, what: str) -> None:
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


def check_model(model: Any, *, where: str | None = None) -> None:
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


def _ids_of(part: Any, id: str) -> Any:
    """The id column, or the index when it carries the ids (``frame_columns`` checked one does)."""
    if id not in part.columns and part.index.name == id:
        return part.index
    return part[id]


def frame_columns(frame: Any, id: str) -> list[str]:
    """The frame's column names other than the ids, checked as ``from_columns`` does."""
    meta = frame._meta
    names = list(read_columns(meta))  # text names, no duplicates
    if id not in names and meta.index.name != id:
        Portfolio.from_columns(meta, id=id)  # raises DataError with the closest name
    return [name for name in names if name != id]


def fixed_kinds(
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


def first_partition_kinds(frame: Any, id: str, names: list[str]) -> dict[str, Kind]:
    """The kinds of ``names`` inferred from their values in the first partition."""
    wanted = [id, *names] if id in frame.columns else names  # else the index holds the ids
    part = frame[wanted].partitions[0].compute()
    reader = PartitionReader(id=id, as_of=None, columns=names, kinds={})
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


def meta_portfolio(names: list[str], *, as_of: Any, kinds: Mapping[str, Kind]) -> Portfolio:
    """An empty portfolio with every column of the frame, each of its fixed kind (others as
    numbers): models and rules are checked against it, and scoring it gives the meta."""
    columns = {name: Column.empty(kinds.get(name, Kind.NUMBER), 0) for name in names}
    return Portfolio(np.zeros(0, dtype=str), columns, as_of)
