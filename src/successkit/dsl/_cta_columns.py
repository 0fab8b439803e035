"""The fields of many CTAs at once, from the columns of :class:`~successkit.CTAs`.

A CTA is an (account, rule, action, created) row; every other field depends on the rule or
on the (rule, action) only. So each field is one ``take`` from a lookup table made once per
playbook (names, kind, priority, owner, due offset, arguments), ``due`` is ``datetime64``
arithmetic, and reasons are written per (batch, rule) group of rows by the columnar
reason writer. :meth:`CTAs.to_frame`, :meth:`CTAs.to_dict` and iteration all read these
columns; no :class:`~successkit.CTA` object is made unless one is asked for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit.dsl import ast
from successkit.dsl._texts import Objects, objects

__all__ = ["Lookup", "argument_value", "fields", "iso_dates", "json_value", "reason_column"]

#: Writes the reasons of (batch, rule index, rows in that batch's evaluation).
Explainer = Callable[[int, int, npt.NDArray[np.intp]], npt.NDArray[np.object_]]


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


def iso_dates(days: npt.NDArray[np.datetime64]) -> list[str | None]:
    """Dates as ISO text (``None`` for NaT), each distinct date written once."""
    unique, inverse = np.unique(days.astype("datetime64[D]"), return_inverse=True)
    texts = [None if day is None else day.isoformat() for day in unique.tolist()]
    return objects(texts)[inverse].tolist()  # type: ignore[no-any-return]
