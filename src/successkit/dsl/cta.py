"""Calls to action: what a fired rule asks someone to do, for one account.

:class:`CTAs` is columnar: arrays of account, rule and action indices (plus the date each
was raised), sorted by priority then account. A :class:`CTA` object is made only when
you index or iterate, so a playbook that fires a million CTAs costs arrays, not a million
Python objects; reasons (``first_login_rate = 22% <= 30%``) are written on demand too.
:meth:`CTAs.to_frame`, :meth:`CTAs.to_dict` and iteration build their columns from the
arrays with per-rule lookup tables (``successkit.dsl._cta_columns``), never CTA by CTA.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property
from types import MappingProxyType
from typing import Any, overload

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import array_field, readonly_arrays
from successkit._html import html_table
from successkit._optional import import_optional
from successkit._options import a_name, one_of
from successkit.dsl import ast
from successkit.dsl._cta_columns import (
    Block,
    Explainer,
    Lookup,
    WrittenReasons,
    block_columns,
    block_tuple,
    fields,
    json_rows,
    json_value,
    priority_order,
)
from successkit.errors import DataError, did_you_mean_suffix

__all__ = ["CTA", "Block", "CTAs"]

_VERSION = 1
#: The CTA fields that hold dates (``datetime64[s]`` columns in :meth:`CTAs.to_frame`).
_DATE_FIELDS = ("created", "due")
#: CTAs made per step when iterating: growing (``next(iter(ctas))`` stays cheap) to a cap.
_FIRST_CHUNK, _CHUNK = 16, 4096


def _rules(value: Sequence[ast.Rule]) -> tuple[ast.Rule, ...]:
    return tuple(value)


def _freeze(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class CTA:
    """One call to action: a rule fired for an account and asks for one action.

    .. versionadded:: 0.1

    Attributes
    ----------
    account_id:
        The account the CTA is about.
    rule:
        The name of the rule that fired.
    action:
        What to do (``propose_meeting``), with ``arguments`` (``{"with": "sales"}``).
    kind:
        ``risk``, ``opportunity`` or ``lifecycle``.
    priority:
        ``high``, ``medium`` or ``low``.
    owner:
        Who should act (``None`` when the rule names no owner).
    created:
        The date the CTA was raised (the data's ``as_of``).
    due:
        ``created`` plus the rule's ``due`` duration (``None`` without one).
    reason:
        The values that made the rule fire, e.g. ``first_login_rate = 22% <= 30%``.

    Examples
    --------
    >>> import successkit as sk
    >>> pf = sk.Portfolio.from_columns({"id": ["acme"], "first_login_rate": [0.22]},
    ...                                as_of="2026-10-01")
    >>> pb = sk.Playbook.parse("when first_login_rate <= 30% then contact_admin due 7d")
    >>> cta = pb.evaluate(pf)[0]
    >>> cta.account_id, cta.action, cta.due, cta.reason
    ('acme', 'contact_admin', datetime.date(2026, 10, 8), 'first_login_rate = 22% <= 30%')
    """

    account_id: str
    rule: str
    action: str
    arguments: Mapping[str, Any] = attrs.field(
        factory=dict, converter=_freeze, hash=False, repr=lambda v: repr(dict(v))
    )
    kind: str = "risk"
    priority: str = "medium"
    owner: str | None = None
    created: dt.date | None = None
    due: dt.date | None = None
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types (dates as ISO text)."""
        return {
            "account_id": self.account_id,
            "rule": self.rule,
            "action": self.action,
            "arguments": {k: json_value(v) for k, v in self.arguments.items()},
            "kind": self.kind,
            "priority": self.priority,
            "owner": self.owner,
            "created": json_value(self.created),
            "due": json_value(self.due),
            "reason": self.reason,
        }


@readonly_arrays
@attrs.frozen(kw_only=True, eq=False, repr=False)
class CTAs(Sequence[CTA]):
    """The CTAs a playbook raised: an immutable sequence, sorted by priority then account
    (by account id; a replay sorts by date first).

    Columnar underneath: the arrays ``account`` (indexing ``account_ids``), ``rule``
    (indexing ``rules``), ``action`` (the position of the action in its rule) and
    ``created`` (the date each was raised) describe every CTA; they are assembled from the
    per-rule index arrays only when asked for. Indexing or iterating makes :class:`CTA`
    objects a chunk at a time, from the same columns as :meth:`to_frame`.

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> pf = sk.Portfolio.from_columns(
    ...     {"id": ["a", "b", "c"], "login_rate": [0.1, 0.9, 0.2], "tier": ["high", "low", "low"]},
    ...     as_of="2026-10-01")
    >>> pb = sk.Playbook.parse('''
    ... when login_rate < 30% then send_tips as risk priority low
    ... when tier = "high" and login_rate < 30% then call_customer priority high
    ... ''')
    >>> ctas = pb.evaluate(pf)
    >>> len(ctas), [(c.account_id, c.action) for c in ctas]
    (3, [('a', 'call_customer'), ('a', 'send_tips'), ('c', 'send_tips')])
    >>> ctas.counts()
    {'rule_2': 2, 'rule_3': 1}
    >>> ctas.rule.tolist(), ctas.account.tolist()   # columnar, in the order raised
    ([0, 0, 1], [0, 2, 0])
    """

    account_ids: npt.NDArray[np.str_] = array_field()
    rules: tuple[ast.Rule, ...] = attrs.field(converter=_rules)
    blocks: tuple[Block, ...] = attrs.field(converter=block_tuple, repr=False)
    #: Writes the reasons of CTAs from (batch, rule, rows).
    explain: Explainer | None = attrs.field(default=None)
    #: Whether the blocks are already in priority/account order.
    presorted: bool = False

    @classmethod
    def empty(cls, rules: Sequence[ast.Rule] = ()) -> CTAs:
        """No CTAs."""
        if isinstance(rules, str) or not isinstance(rules, Sequence):
            raise DataError(f"rules must be a sequence of rules, got {type(rules).__name__}")
        return cls(account_ids=np.zeros(0, dtype=str), rules=tuple(rules), blocks=())

    def __reduce__(self) -> tuple[Any, ...]:
        # The reasons are written out: the frames the CTAs were raised in (compiled
        # closures, namespace results) do not pickle and should not travel.
        explain = self.explain
        if explain is not None and not isinstance(explain, WrittenReasons):
            explain = WrittenReasons.of(explain, self._arrays, len(self.rules))
        return (_restored, (self.account_ids, self.rules, self.blocks, explain, self.presorted))

    @cached_property
    def _arrays(self) -> dict[str, npt.NDArray[Any]]:
        return block_columns(self.blocks, self.rules)

    @property
    def account(self) -> npt.NDArray[np.intp]:
        """Per CTA (in the order raised), its account's position in ``account_ids``."""
        return self._arrays["account"]

    @property
    def rule(self) -> npt.NDArray[np.intp]:
        """Per CTA (in the order raised), its rule's position in ``rules``."""
        return self._arrays["rule"]

    @property
    def action(self) -> npt.NDArray[np.intp]:
        """Per CTA (in the order raised), the position of its action in its rule."""
        return self._arrays["action"]

    @property
    def created(self) -> npt.NDArray[np.datetime64]:
        """Per CTA (in the order raised), the date it was raised (NaT without a clock)."""
        return self._arrays["created"]

    @property
    def batch(self) -> npt.NDArray[np.intp]:
        return self._arrays["batch"]

    @property
    def row(self) -> npt.NDArray[np.intp]:
        return self._arrays["row"]

    @cached_property
    def _lookup(self) -> Lookup:
        return Lookup.of(self.rules)

    def _fields(self, positions: npt.NDArray[np.intp] | None = None) -> dict[str, Any]:
        """The fields of the CTAs at ``positions`` (default: every CTA, in order)."""
        return fields(
            self._lookup,
            self.account_ids,
            self._arrays,
            self.explain,
            self._order if positions is None else positions,
            everything=positions is None,
        )

    def _objects(self, positions: npt.NDArray[np.intp]) -> list[CTA]:
        """:class:`CTA` objects for the CTAs at ``positions`` (indices in raised order)."""
        columns = self._fields(positions)
        arguments = self._lookup.arguments
        names = ("account_id", "rule", "action", "kind", "priority", "owner", "created",
                 "due", "reason")
        rows = zip(*(columns[name].tolist() for name in names), columns["slot"].tolist(),
                   strict=True)
        return [
            CTA(account_id=account_id, rule=rule, action=action, arguments=arguments[slot],
                kind=kind, priority=priority, owner=owner, created=created, due=due,
                reason=reason)
            for account_id, rule, action, kind, priority, owner, created, due, reason, slot
            in rows
        ]

    @cached_property
    def _size(self) -> int:
        return sum(block.size(self.rules) for block in self.blocks)

    @cached_property
    def _order(self) -> npt.NDArray[np.intp]:
        n = len(self)
        if self.presorted or n == 0:
            return np.arange(n, dtype=np.intp)
        return priority_order(self.rules, self.account_ids, self.rule, self.account,
                              self.created)

    # -- sequence -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, index: int) -> CTA: ...
    @overload
    def __getitem__(self, index: slice) -> CTAs: ...
    def __getitem__(self, index: int | slice) -> CTA | CTAs:
        if isinstance(index, slice):
            return self._take(self._order[index])
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"CTA index {index} out of range for {n} CTAs")
        return self._objects(self._order[[index]])[0]

    def __iter__(self) -> Iterator[CTA]:
        order = self._order
        start, size = 0, _FIRST_CHUNK
        while start < order.shape[0]:
            yield from self._objects(order[start : start + size])
            start, size = start + size, min(size * 16, _CHUNK)

    def _take(self, positions: npt.NDArray[np.intp]) -> CTAs:
        arrays = self._arrays
        block = Block(
            accounts=arrays["account"][positions],
            rows=arrays["row"][positions],
            rule=arrays["rule"][positions],
            action=arrays["action"][positions],
            batch=arrays["batch"][positions],
            created=arrays["created"][positions],
        )
        return attrs.evolve(self, blocks=(block,), presorted=True)

    # -- views --------------------------------------------------------------------------------

    @property
    def account_id(self) -> npt.NDArray[np.str_]:
        """The account id of every CTA, in order."""
        return self.account_ids[self.account[self._order]]

    def for_rule(self, name: str) -> CTAs:
        """Only the CTAs of the rule ``name``."""
        a_name(name, "a rule's name")
        index = [i for i, r in enumerate(self.rules) if r.name == name]
        if not index:
            suffix = did_you_mean_suffix(name, [r.name for r in self.rules])
            raise DataError(f"no rule {name!r}{suffix}")
        return self._take(self._order[self.rule[self._order] == index[0]])

    def counts(self, by: str = "rule") -> dict[str, int]:
        """How many CTAs per ``rule``, ``action``, ``kind``, ``priority`` or ``owner``.

        Rules that raised nothing are left out.
        """
        if isinstance(by, str) and by == "rule":
            totals = np.bincount(self.rule, minlength=len(self.rules))
            return {r.name: int(c) for r, c in zip(self.rules, totals, strict=True) if c}
        one_of(by, ("rule", "action", "kind", "priority", "owner"), "counts(by=...)")
        out: Counter[str] = Counter()
        if by == "action":
            pairs = np.unique(np.stack([self.rule, self.action]), axis=1, return_counts=True)
            for (r, a), count in zip(pairs[0].T, pairs[1], strict=True):
                out[self.rules[int(r)].actions[int(a)].name] += int(count)
        else:
            totals = np.bincount(self.rule, minlength=len(self.rules))
            for rule, count in zip(self.rules, totals, strict=True):
                if count:
                    value = getattr(rule, by)
                    out["(no owner)" if value is None else str(value)] += int(count)
        return dict(out)

    def summary(self) -> str:
        """A few lines: how many CTAs, of which kinds, from which rules."""
        if not len(self):
            return "no CTAs"
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(self.counts("kind").items()))
        accounts = len(np.unique(self.account))
        lines = [f"{len(self)} CTAs for {accounts} accounts ({kinds})"]
        for name, count in sorted(self.counts().items(), key=lambda kv: -kv[1]):
            lines.append(f"  {name}: {count}")
        return "\n".join(lines)

    # -- output -------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: ``{"version": 1, "ctas": [cta.to_dict(), ...]}``."""
        ctas = json_rows(self._fields(), self._lookup)
        return {"version": _VERSION, "ctas": ctas}

    def to_frame(self) -> Any:
        """A pandas ``DataFrame``, one row per CTA in order (needs ``successkit[pandas]``).

        The columns are the fields of :class:`CTA`, and their dtypes never depend on the
        CTAs (none at all, no owner anywhere, …), so frames of several evaluations concatenate
        and partitions agree:

        - ``account_id``, ``rule``, ``action``, ``kind``, ``priority``, ``owner`` and
          ``reason`` are ``object`` columns of ``str`` (``owner`` is ``None`` where the rule
          names no owner);
        - ``arguments`` is an ``object`` column of dicts (dates in them as ISO text, as in
          :meth:`CTA.to_dict`);
        - ``created`` and ``due`` are ``datetime64[s]`` (NaT where there is none), as dates
          are in :meth:`Portfolio.to_frame() <successkit.Portfolio.to_frame>`.

        Examples
        --------
        >>> import successkit as sk
        >>> pf = sk.Portfolio.from_columns({"id": ["a", "b"], "x": [1, 5]}, as_of="2026-10-01")
        >>> pb = sk.Playbook.parse("when x > 2 then call due 7d")
        >>> frame = pb.evaluate(pf).to_frame()
        >>> frame[["account_id", "owner", "due"]].to_dict("records")
        [{'account_id': 'b', 'owner': None, 'due': Timestamp('2026-10-08 00:00:00')}]
        >>> none = pb.evaluate(pf.take([])).to_frame()   # no CTA: the same dtypes
        >>> len(none), bool((none.dtypes == frame.dtypes).all()), str(none.dtypes["due"])
        (0, True, 'datetime64[s]')
        """
        pd = import_optional("pandas", purpose="CTAs.to_frame()")
        columns = self._fields()
        arguments = np.empty(len(self), dtype=object)
        arguments[:] = self._lookup.json_arguments_at(columns["slot"])
        columns["arguments"] = arguments
        data: dict[str, Any] = {}
        for name in attrs.fields_dict(CTA):
            if name in _DATE_FIELDS:
                data[name] = columns[name].astype("datetime64[s]")
            else:
                data[name] = pd.Series(columns[name], dtype=object)
        return pd.DataFrame(data)

    def __repr__(self) -> str:
        return f"CTAs({len(self)} CTAs from {len(self.rules)} rules)"

    def _repr_html_(self) -> str:
        shown = self._objects(self._order[:10])
        table = {
            name: [getattr(cta, name) for cta in shown]
            for name in ("account_id", "rule", "action", "kind", "priority", "owner", "due",
                         "reason")
        }
        return html_table(table, caption=repr(self), total=len(self))


def _restored(
    account_ids: npt.NDArray[np.str_],
    rules: tuple[ast.Rule, ...],
    blocks: tuple[Block, ...],
    explain: Explainer | None,
    presorted: bool,
) -> CTAs:
    """CTAs from the parts :meth:`CTAs.__reduce__` pickles."""
    return CTAs(
        account_ids=account_ids, rules=rules, blocks=blocks, explain=explain, presorted=presorted
    )
