"""Which (account, rule) pairs must not raise a CTA again: open, cooling down or snoozed.

Inputs are plain data the caller keeps (successkit stores nothing): ``open_ctas`` — CTAs
raised earlier (:class:`~successkit.CTA` objects, a :class:`~successkit.CTAs`, mappings,
``(account_id, rule)`` tuples, or a table with those columns) — and ``snoozed`` —
``(account_id, rule, until)`` entries (``rule`` may be ``None`` for every rule).

- An open CTA (``closed`` absent or false) holds back its rule for its account.
- A closed CTA with a ``created`` date holds it back for the rule's ``cooldown`` after it.
- A snooze holds back until (not including) its ``until`` date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from successkit.data.dates import to_date
from successkit.data.read import read_columns
from successkit.dsl import ast
from successkit.errors import DataError

__all__ = ["Earlier", "Snooze", "read_open", "read_snoozed", "suppressed"]

Earlier = tuple[str, str, dt.date | None, bool]  # account_id, rule, created, closed
Snooze = tuple[str, str | None, dt.date]  # account_id, rule (None: all), until


def _field(item: Any, name: str, default: Any = None) -> Any:
    if isinstance(item, Mapping):
        return item.get(name, default)
    return getattr(item, name, default)


def _rows(data: Any, what: str) -> Iterable[Any]:
    if data is None:
        return ()
    if isinstance(data, Mapping) or hasattr(data, "columns") or hasattr(data, "column_names"):
        columns = read_columns(data)
        names = list(columns)
        values = [list(np.asarray(columns[n], dtype=object)) for n in names]
        return [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]
    if isinstance(data, (str, bytes)):
        raise DataError(f"{what} must be a sequence of CTAs or records, not text")
    if not isinstance(data, Iterable):
        raise DataError(f"{what} must be a sequence of CTAs or records, got "
                        f"{type(data).__name__}")
    return data


def _optional_date(value: Any, what: str) -> dt.date | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return to_date(value, what=what)


def read_open(open_ctas: Any) -> list[Earlier]:
    """Normalise ``open_ctas`` to ``(account_id, rule, created, closed)`` entries."""
    from successkit.dsl.cta import CTAs

    out: list[Earlier] = []
    if isinstance(open_ctas, CTAs):  # read the columns, without making CTA objects
        names = [rule.name for rule in open_ctas.rules]
        accounts = open_ctas.account_ids[open_ctas.account].tolist()
        created = open_ctas.created.astype(object).tolist()
        for account, j, day in zip(accounts, open_ctas.rule.tolist(), created, strict=True):
            out.append((account, names[j], day, False))
        return out
    for i, item in enumerate(_rows(open_ctas, "open_ctas")):
        if isinstance(item, tuple):
            if len(item) not in (2, 3):
                raise DataError(
                    "open_ctas tuples are (account_id, rule) or (account_id, rule, created)",
                    row=i,
                )
            created = _optional_date(item[2], "created") if len(item) == 3 else None
            out.append((str(item[0]), str(item[1]), created, False))
            continue
        account, rule = _field(item, "account_id"), _field(item, "rule")
        if account is None or rule is None:
            raise DataError("each open CTA needs an account_id and a rule", row=i)
        created = _optional_date(_field(item, "created"), "created")
        out.append((str(account), str(rule), created, bool(_field(item, "closed", False))))
    return out


def read_snoozed(snoozed: Any) -> list[Snooze]:
    """Normalise ``snoozed`` to ``(account_id, rule or None, until)`` entries."""
    out: list[Snooze] = []
    for i, item in enumerate(_rows(snoozed, "snoozed")):
        if isinstance(item, tuple):
            if len(item) != 3:
                raise DataError("snoozed tuples are (account_id, rule or None, until)", row=i)
            account, rule, until = item
        else:
            account, rule, until = (_field(item, k) for k in ("account_id", "rule", "until"))
        if account is None or until is None:
            raise DataError("each snooze needs an account_id and an until date", row=i)
        day = to_date(until, what="until")
        out.append((str(account), None if rule is None else str(rule), day))
    return out


def suppressed(
    rules: Sequence[ast.Rule],
    index_of: Any,
    n: int,
    now: dt.date | None,
    earlier: list[Earlier],
    snoozes: list[Snooze],
) -> list[npt.NDArray[np.bool_] | None]:
    """Per rule, the accounts (rows) held back, or ``None`` when none is.

    ``index_of`` maps account ids to rows (``-1`` for accounts not evaluated).
    """
    masks: list[npt.NDArray[np.bool_] | None] = [None] * len(rules)
    if not earlier and not snoozes:
        return masks
    position = {rule.name: j for j, rule in enumerate(rules)}
    held: dict[int, list[str]] = {}
    for account, rule_name, created, closed in earlier:
        j = position.get(rule_name)
        if j is None:
            continue  # a CTA of a rule this playbook no longer has
        if closed:
            cooldown = rules[j].cooldown
            if created is None or not cooldown:
                continue
            if now is None:
                raise DataError("cooldowns need a date: pass now= or give the data an as_of")
            if (now - created).days >= cooldown:
                continue
        held.setdefault(j, []).append(account)
    for account, snoozed_rule, until in snoozes:
        if now is None:
            raise DataError("snoozes need a date: pass now= or give the data an as_of")
        if now >= until:
            continue
        targets = range(len(rules)) if snoozed_rule is None else [position.get(snoozed_rule)]
        for j in targets:
            if j is not None:
                held.setdefault(j, []).append(account)
    for j, accounts in held.items():
        rows = np.asarray(index_of(np.asarray(accounts, dtype=str)))
        mask = np.zeros(n, dtype=np.bool_)
        mask[rows[rows >= 0]] = True
        masks[j] = mask
    return masks
