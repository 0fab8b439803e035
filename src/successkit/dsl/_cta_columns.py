"""The fields of many CTAs at once, from the columns of :class:`~successkit.CTAs`.

CTAs are raised in :class:`Block` s (accounts that fired one rule together);
:func:`block_columns` flattens the blocks into the (account, rule, action, created) columns.

A CTA is an (account, rule, action, created) row; every other field depends on the rule or
on the (rule, action) only. So each field is one ``take`` from a lookup table made once per
playbook (names, kind, priority, owner, due offset, arguments), ``due`` is ``datetime64``
arithmetic, and reasons are written per (batch, rule) group of rows by the columnar
reason writer. :meth:`CTAs.to_frame`, :meth:`CTAs.to_dict` and iteration all read these
columns; no :class:`~successkit.CTA` object is made unless one is asked for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import readonly
from successkit.dsl import ast
from successkit.dsl._texts import Objects, objects

__all__ = [
    "Block",
    "Lookup",
    "WrittenReasons",
    "argument_value",
    "block_columns",
    "block_tuple",
    "fields",
    "iso_dates",
    "json_rows",
    "json_value",
    "priority_order",
    "reason_column",
]

#: Writes the reasons of (batch, rule index, rows in that batch's evaluation).
Explainer = Callable[[int, int, npt.NDArray[np.intp]], npt.NDArray[np.object_]]


@attrs.frozen(eq=False)
class Block:
    """CTAs raised together: accounts (and their rows in the evaluation that raised them)
    with a rule, an action, a batch and a date each — scalars stand for every CTA of the
    block; ``action=None`` means one CTA per action of the rule for every account."""

    accounts: npt.NDArray[np.intp]
    rows: npt.NDArray[np.intp]
    rule: Any
    action: Any
    batch: Any
    created: Any

    def size(self, rules: Sequence[ast.Rule]) -> int:
        n = int(self.accounts.shape[0])
        return n * len(rules[int(self.rule)].actions) if self.action is None else n


def block_tuple(value: Iterable[Block]) -> tuple[Block, ...]:
    return tuple(value)


def block_columns(
    blocks: Sequence[Block], rules: Sequence[ast.Rule]
) -> dict[str, npt.NDArray[Any]]:
    """The ``account``, ``row``, ``rule``, ``action``, ``batch`` and ``created`` columns of
    every CTA of ``blocks``, block after block (read-only arrays)."""
    parts: dict[str, list[npt.NDArray[Any]]] = {
        k: [] for k in ("account", "row", "rule", "action", "batch", "created")
    }
    for block in blocks:
        n = int(block.accounts.shape[0])
        actions = (
            range(len(rules[int(block.rule)].actions)) if block.action is None else [block.action]
        )
        for action in actions:
            parts["account"].append(block.accounts)
            parts["row"].append(block.rows)
            for name, value in (("rule", block.rule), ("action", action), ("batch", block.batch)):
                parts[name].append(np.broadcast_to(np.asarray(value, dtype=np.intp), (n,)))
            parts["created"].append(
                np.broadcast_to(np.asarray(block.created, dtype="datetime64[D]"), (n,))
            )
    empty = {"created": np.zeros(0, dtype="datetime64[D]")}
    return {
        name: readonly(np.concatenate(values)) if values else
        readonly(empty.get(name, np.zeros(0, dtype=np.intp)))
        for name, values in parts.items()
    }


def argument_value(node: ast.Node) -> Any:
    """The plain Python value of a literal (percents as fractions, durations in days).

    Examples
    --------
    >>> argument_value(ast.Number(30, percent=True)), argument_value(ast.String("sales"))
    (0.3, 'sales')
    """
    if isinstance(node, ast.Number):
        return node.number
    if isinstance(node, ast.Duration):
        return node.days
    if isinstance(node, (ast.String, ast.Boolean, ast.DateLiteral)):
        return node.value
    raise TypeError(f"not a literal: {node!r}")  # pragma: no cover


def json_value(value: Any) -> Any:
    """A value as plain JSON: dates as ISO text, others as they are."""
    return value.isoformat() if isinstance(value, dt.date) else value


@attrs.frozen(eq=False)
class Lookup:
    """What a CTA's fields are, per rule and per (rule, action) ``slot``.

    The slot of action ``a`` of rule ``r`` is ``first_action[r] + a``.
    """

    rule: Objects
    kind: Objects
    priority: Objects
    owner: Objects
    due: npt.NDArray[np.timedelta64]  # NaT: the rule has no due date
    first_action: npt.NDArray[np.intp]
    action: Objects
    arguments: tuple[dict[str, Any], ...]  # per slot, plain values (dates as dates)
    json_arguments: tuple[dict[str, Any], ...]  # per slot, as in CTA.to_dict()

    @classmethod
    def of(cls, rules: Sequence[ast.Rule]) -> Lookup:
        actions = [action for rule in rules for action in rule.actions]
        arguments = tuple(
            {key: argument_value(value) for key, value in action.arguments} for action in actions
        )
        counts = [len(rule.actions) for rule in rules]
        nat = np.timedelta64("NaT", "D")
        return cls(
            rule=objects([rule.name for rule in rules]),
            kind=objects([rule.kind for rule in rules]),
            priority=objects([rule.priority for rule in rules]),
            owner=objects([rule.owner for rule in rules]),
            due=np.array(
                [nat if r.due is None else np.timedelta64(r.due, "D") for r in rules],
                dtype="timedelta64[D]",
            ),
            first_action=(np.cumsum([0, *counts])[:-1]).astype(np.intp),
            action=objects([action.name for action in actions]),
            arguments=arguments,
            json_arguments=tuple(
                {key: json_value(value) for key, value in args.items()} for args in arguments
            ),
        )

    def json_arguments_at(self, slots: npt.NDArray[np.intp]) -> list[dict[str, Any]]:
        """A fresh dict of JSON arguments per slot (rows never share a mutable dict)."""
        table = self.json_arguments
        return [table[slot].copy() for slot in slots.tolist()]


def fields(
    lookup: Lookup,
    account_ids: npt.NDArray[np.str_],
    arrays: Mapping[str, npt.NDArray[Any]],
    explain: Explainer | None,
    positions: npt.NDArray[np.intp],
    *,
    everything: bool = False,
) -> dict[str, npt.NDArray[Any]]:
    """The fields of the CTAs at ``positions`` (indices into ``arrays``), in that order.

    ``account_id``, ``rule``, ``action``, ``kind``, ``priority``, ``owner`` and ``reason``
    are ``object`` arrays of str (``owner``: ``None`` without one); ``created`` and ``due``
    are ``datetime64[D]`` (NaT: none); ``slot`` indexes the arguments of ``lookup``.
    ``everything`` says ``positions`` is a permutation of every CTA: reasons are then
    written in the order the CTAs were raised (runs of one rule), then permuted.
    """
    rule = arrays["rule"][positions]
    slot = lookup.first_action[rule] + arrays["action"][positions]
    created = arrays["created"][positions]
    if everything:
        raised = np.arange(positions.shape[0], dtype=np.intp)
        reason = reason_column(explain, arrays, len(lookup.rule), raised)[positions]
    else:
        reason = reason_column(explain, arrays, len(lookup.rule), positions)
    return {
        "account_id": account_ids[arrays["account"][positions]].astype(object),
        "rule": lookup.rule[rule],
        "action": lookup.action[slot],
        "slot": slot,
        "kind": lookup.kind[rule],
        "priority": lookup.priority[rule],
        "owner": lookup.owner[rule],
        "created": created,
        "due": created + lookup.due[rule],
        "reason": reason,
    }


def reason_column(
    explain: Explainer | None,
    arrays: Mapping[str, npt.NDArray[Any]],
    rules: int,
    positions: npt.NDArray[np.intp],
) -> Objects:
    """The reason of each CTA at ``positions``, written per (batch, rule) group of rows.

    The actions of one rule share their reason: each (batch, rule, row) is written once.
    """
    n = positions.shape[0]
    out = np.empty(n, dtype=object)
    if explain is None or n == 0:
        out.fill("")
        return out
    batch, rule, row = (arrays[k][positions] for k in ("batch", "rule", "row"))
    if n == 1:  # ctas[i]
        out[0] = explain(int(batch[0]), int(rule[0]), row)[0]
        return out
    key = batch * rules + rule
    order = np.argsort(key, kind="stable")  # linear on runs: CTAs are raised rule by rule
    key = key[order]
    starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
    stops = [*starts[1:].tolist(), n]
    for start, stop in zip(starts.tolist(), stops, strict=True):
        at = order[start:stop]
        rows = row[at]
        b, r = int(batch[at[0]]), int(rule[at[0]])
        if rows.shape[0] > 1 and not bool((rows[1:] > rows[:-1]).all()):
            unique, inverse = np.unique(rows, return_inverse=True)
            out[at] = explain(b, r, unique)[inverse]
        else:
            out[at] = explain(b, r, rows)
    return out


class WrittenReasons:
    """An explainer that pickles: the reasons of some CTAs, written out once.

    The explainer of freshly raised CTAs reads the frames they were raised in, whose caches
    hold compiled closures and namespace results that do not pickle (nor should travel);
    pickled CTAs carry this instead, which looks reasons up by (batch, rule, row).
    """

    __slots__ = ("table",)

    def __init__(self, table: Mapping[tuple[int, int], tuple[npt.NDArray[np.intp], Objects]]):
        self.table = dict(table)

    @classmethod
    def of(
        cls, explain: Explainer, arrays: Mapping[str, npt.NDArray[Any]], rules: int
    ) -> WrittenReasons:
        """The reasons ``explain`` writes for every CTA of ``arrays`` (CTAs' columns)."""
        n = arrays["rule"].shape[0]
        reasons = reason_column(explain, arrays, rules, np.arange(n, dtype=np.intp))
        batch, rule, row = arrays["batch"], arrays["rule"], arrays["row"]
        key = batch * rules + rule
        order = np.argsort(key, kind="stable")
        starts = np.flatnonzero(np.concatenate([[True], key[order][1:] != key[order][:-1]]))
        table = {}
        for start, stop in zip(starts.tolist(), [*starts[1:].tolist(), n], strict=True):
            at = order[start:stop]
            rows, first = np.unique(row[at], return_index=True)
            table[(int(batch[at[0]]), int(rule[at[0]]))] = (rows, reasons[at][first])
        return cls(table)

    def __call__(self, batch: int, rule: int, rows: npt.NDArray[np.intp]) -> Objects:
        written, reasons = self.table[(batch, rule)]
        return reasons[np.searchsorted(written, rows)]

    def __reduce__(self) -> tuple[Any, ...]:
        return (WrittenReasons, (self.table,))


def iso_dates(days: npt.NDArray[np.datetime64]) -> list[str | None]:
    """Dates as ISO text (``None`` for NaT), each distinct date written once."""
    unique, inverse = np.unique(days.astype("datetime64[D]"), return_inverse=True)
    texts = [None if day is None else day.isoformat() for day in unique.tolist()]
    return objects(texts)[inverse].tolist()  # type: ignore[no-any-return]


_PRIORITY_RANK = {name: rank for rank, name in enumerate(ast.PRIORITIES)}


def priority_order(
    rules: Sequence[ast.Rule],
    account_ids: npt.NDArray[np.str_],
    rule: npt.NDArray[np.intp],
    account: npt.NDArray[np.intp],
    created: npt.NDArray[np.datetime64],
) -> npt.NDArray[np.intp]:
    """The positions of CTAs (columns in raised order) sorted by priority then account id;
    by date first when they were raised on several dates (a replay)."""
    ranks = np.array([_PRIORITY_RANK[r.priority] for r in rules], dtype=np.int64)
    # accounts by id (not by row), so the order does not depend on the data's layout
    by_id = np.empty(len(account_ids), dtype=np.int64)
    by_id[np.argsort(account_ids, kind="stable")] = np.arange(len(account_ids))
    # stable: CTAs of one account and priority keep rule order, then action order
    key = ranks[rule] * (len(account_ids) + 1) + by_id[account]
    days = created.view(np.int64)  # NaT is the smallest int64: first
    if (days != days[0]).any():  # a replay: dates ascend first
        return np.lexsort((key, days)).astype(np.intp)
    return np.argsort(key, kind="stable").astype(np.intp)


def json_rows(columns: Mapping[str, Any], lookup: Lookup) -> list[dict[str, Any]]:
    """One dict per CTA from its :func:`fields`, with the keys of
    :meth:`CTA.to_dict() <successkit.CTA.to_dict>` in its order (plain JSON types)."""
    rows = zip(
        *(columns[name].tolist() for name in ("account_id", "rule", "action")),
        lookup.json_arguments_at(columns["slot"]),
        *(columns[name].tolist() for name in ("kind", "priority", "owner")),
        iso_dates(columns["created"]),
        iso_dates(columns["due"]),
        columns["reason"].tolist(),
        strict=True,
    )
    return [
        {"account_id": account_id, "rule": rule, "action": action, "arguments": arguments,
         "kind": kind, "priority": priority, "owner": owner, "created": created,
         "due": due, "reason": reason}
        for account_id, rule, action, arguments, kind, priority, owner, created, due, reason
        in rows
    ]
