"""Playbooks: parse, check, evaluate, format and replay ``when … then …`` rules."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Any

import attrs
import numpy as np

from successkit._fingerprint import fingerprint
from successkit._html import html_table
from successkit._keys import read_dict, shown
from successkit.data.dates import to_date
from successkit.data.history import History
from successkit.data.kinds import Kind
from successkit.data.portfolio import Portfolio
from successkit.dsl import ast
from successkit.dsl._frame import Timeline, schema_of
from successkit.dsl._parser import parse_condition, parse_rules
from successkit.dsl._program import _blocks, _Explainer, _Program, namespaces
from successkit.dsl._suppress import read_open, read_snoozed, suppressed
from successkit.dsl.cta import CTAs
from successkit.dsl.format import format_node, format_rules
from successkit.dsl.replay import replay
from successkit.errors import ModelError, did_you_mean_suffix

__all__ = ["Playbook"]

_VERSION = 1


def _to_rules(value: Any) -> tuple[ast.Rule, ...]:
    rules = tuple(value)
    seen: set[str] = set()
    for rule in rules:
        if not isinstance(rule, ast.Rule):
            raise ModelError(f"a playbook holds Rule objects, not {type(rule).__name__}")
        if rule.name in seen:
            raise ModelError(f"two rules are named {rule.name!r}", where="playbook")
        seen.add(rule.name)
    return rules


@attrs.frozen(repr=False)
class Playbook:
    """Rules ``when <indicator> then <action>``, evaluated over whole portfolios.

    Build one with :meth:`parse`. A playbook is immutable; it compares equal to another
    with the same rules (its ``name`` is a label), and ``Playbook.parse(pb.format()) == pb``.

    .. versionadded:: 0.1

    Parameters
    ----------
    rules:
        The parsed rules, in order (names unique).
    name:
        An optional label (shown in reprs and stored by :meth:`to_dict`).

    Examples
    --------
    >>> import successkit as sk
    >>> pb = sk.Playbook.parse('''
    ... rule activation_low "Few users log in":
    ...   when first_login_rate <= 30% then contact_admin as risk priority high due 7d
    ... when license_activation_rate >= 90% and tier in ("high", "low")
    ...   then upsell(with = "sales") as opportunity
    ... ''')
    >>> [rule.name for rule in pb.rules]
    ['activation_low', 'rule_4']
    >>> pf = sk.Portfolio.from_columns({
    ...     "id": ["acme", "globex", "initech"],
    ...     "first_login_rate": [0.22, 0.8, None],
    ...     "license_activation_rate": [0.95, 0.92, 0.97],
    ...     "tier": ["high", "tech", "low"],
    ... }, as_of="2026-10-01")
    >>> for cta in pb.evaluate(pf):
    ...     print(cta.account_id, cta.action, cta.priority, cta.due)
    ...     print("  because", cta.reason)
    acme contact_admin high 2026-10-08
      because first_login_rate = 22% <= 30%
    acme upsell medium None
      because license_activation_rate = 95% >= 90% and tier = "high" in ("high", "low")
    initech upsell medium None
      because license_activation_rate = 97% >= 90% and tier = "low" in ("high", "low")
    """

    rules: tuple[ast.Rule, ...] = attrs.field(converter=_to_rules)
    name: str | None = attrs.field(default=None, eq=False)
    _programs: dict[Any, _Program] = attrs.field(
        factory=dict, init=False, eq=False, hash=False, repr=False
    )

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def parse(cls, text: str, *, name: str | None = None) -> Playbook:
        """Parse playbook text (see :doc:`/playbook-language`).

        Raises
        ------
        RuleSyntaxError
            Text that does not parse, with line, column and a caret under the fault.
        """
        return cls(parse_rules(text), name=name)

    @classmethod
    def merge(cls, *playbooks: Playbook, name: str | None = None) -> Playbook:
        """One playbook with the rules of several, in order (rule names must not clash).

        Examples
        --------
        >>> import successkit as sk
        >>> a = sk.Playbook.parse("rule a: when x > 1 then call")
        >>> b = sk.Playbook.parse("rule b: when y then mail")
        >>> [r.name for r in sk.Playbook.merge(a, b).rules]
        ['a', 'b']
        """
        rules: list[ast.Rule] = []
        for playbook in playbooks:
            if not isinstance(playbook, Playbook):
                raise ModelError(f"merge() takes playbooks, not {type(playbook).__name__}")
            rules.extend(playbook.rules)
        return cls(rules, name=name)

    def scoped(self, condition: str | ast.Node, *, prefix: str | None = None) -> Playbook:
        """This playbook with every rule limited to the accounts where ``condition`` holds.

        Each rule's condition becomes ``<condition> and <rule condition>``; with
        ``prefix``, rule names become ``<prefix>.<name>``. A roadmap uses this to run a
        stage's rules only for accounts in that stage, and :meth:`merge` to combine the
        stages. The result is an ordinary playbook: it formats, parses and compares like
        any other.

        Examples
        --------
        >>> import successkit as sk
        >>> pb = sk.Playbook.parse("rule low_logins: when first_login_rate <= 30% then call")
        >>> print(pb.scoped('stage = "onboarding"', prefix="onboarding").format(), end="")
        rule onboarding.low_logins:
          when stage = "onboarding" and first_login_rate <= 30%
          then call
        """
        scope = parse_condition(condition) if isinstance(condition, str) else condition
        scope_parts = scope.operands if isinstance(scope, ast.And) else (scope,)
        rules = []
        for rule in self.rules:
            own = rule.condition.operands if isinstance(rule.condition, ast.And) else (
                rule.condition,
            )
            name = rule.name if prefix is None else f"{prefix}.{rule.name}"
            rules.append(
                attrs.evolve(rule, name=name, condition=ast.And((*scope_parts, *own)))
            )
        return Playbook(rules, name=self.name)

    # -- access -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.rules)

    def __iter__(self) -> Iterator[ast.Rule]:
        return iter(self.rules)

    @property
    def names(self) -> tuple[str, ...]:
        """The rule names, in order."""
        return tuple(rule.name for rule in self.rules)

    def rule(self, name: str) -> ast.Rule:
        """The rule called ``name`` (a ``KeyError`` with the closest name otherwise)."""
        for rule in self.rules:
            if rule.name == name:
                return rule
        suffix = did_you_mean_suffix(name, list(self.names))
        raise KeyError(f"no rule {name!r}{suffix}")

    # -- the pipeline -------------------------------------------------------------------------

    def _program(self, schema: Mapping[str, Kind]) -> _Program:
        key = tuple(sorted((name, kind.value) for name, kind in schema.items()))
        program = self._programs.get(key)
        if program is None:
            program = self._programs[key] = _Program(self.rules, schema)
        return program

    def check(
        self,
        schema: Mapping[str, Kind | str] | Portfolio | History,
        *,
        health: Any = None,
        touch: Any = None,
        stages: Any = None,
    ) -> None:
        """Check every name and type against ``schema`` (plus the given namespaces).

        All problems are raised together, ordered by position.

        Raises
        ------
        RuleNameError
            An unknown name or function, with the closest known name.
        RuleTypeError
            Values of incompatible kinds, e.g. a category compared with a number.

        Examples
        --------
        >>> import successkit as sk
        >>> pb = sk.Playbook.parse("when login_rat < 30% then contact_admin")
        >>> try:
        ...     pb.check({"login_rate": "number"})
        ... except sk.RuleNameError as error:
        ...     print(error)
        line 1, column 6: unknown name 'login_rat'; did you mean 'login_rate'?
          when login_rat < 30% then contact_admin
               ^^^^^^^^^
        """
        self._program(schema_of(schema, namespaces(health=health, touch=touch, stages=stages)))

    def evaluate(
        self,
        data: Portfolio | History,
        *,
        health: Any = None,
        touch: Any = None,
        stages: Any = None,
        open_ctas: Any = (),
        snoozed: Any = (),
        now: Any = None,
    ) -> CTAs:
        """The CTAs the rules raise for the accounts of ``data``.

        Parameters
        ----------
        data:
            A :class:`~successkit.Portfolio`, or a :class:`~successkit.History` (rules are
            evaluated for the latest snapshot's accounts; ``change``, ``delta``,
            ``previous`` and ``becomes`` look at the earlier snapshots).
        health:
            A health result whose values rules name as ``health.score``, ``health.band``
            and ``health.<metric>``, or a :class:`~successkit.HealthModel` that produces one
            (with a History, a model is scored at every snapshot, so
            ``health.band becomes "red"`` works).
        touch:
            A touch (or quadrant) result whose values rules name as ``touch.score``,
            ``touch.quadrant``, ..., or a model that produces one (a touch model bound to
            its events with :meth:`~successkit.TouchModel.bind` is scored at every
            snapshot of a History).
        stages:
            A :class:`~successkit.StageResult` whose values rules name as ``stage``,
            ``stage.goal_met``, ..., or a :class:`~successkit.Roadmap` that produces one
            (assigned at every snapshot of a History).
        open_ctas:
            CTAs raised earlier (see below): an open one holds back its (account, rule);
            a closed one with a ``created`` date holds it back for the rule's cooldown.
        snoozed:
            ``(account_id, rule or None, until)`` entries holding CTAs back until
            ``until``.
        now:
            The date CTAs are raised on (default: the data's ``as_of``).

        Returns
        -------
        CTAs
            Sorted by priority then account.

        Raises
        ------
        RuleNameError, RuleTypeError
            The rules do not fit the data (all problems at once).
        """
        timeline = Timeline(data, namespaces(health=health, touch=touch, stages=stages))
        program = self._program(timeline.schema())
        frame = timeline.frame()
        day = frame.as_of if now is None else to_date(now, what="now")
        masks = program.masks(frame)
        held = suppressed(
            self.rules,
            timeline.snapshots[-1].index_of,
            frame.n,
            day,
            read_open(open_ctas),
            read_snoozed(snoozed),
        )
        masks = [m if h is None else m & ~h for m, h in zip(masks, held, strict=True)]
        created = np.datetime64(day, "D") if day else np.datetime64("NaT", "D")
        return CTAs(
            account_ids=frame.ids,
            rules=self.rules,
            blocks=_blocks(masks, batch=0, created=created),
            explain=_Explainer(self.rules, [frame]),
        )

    # The function is the method, said once: ``pb.replay(history, ...)`` is
    # ``replay(pb, history, ...)``.
    replay = replay

    # -- text and serialisation ---------------------------------------------------------------

    def format(self) -> str:
        """Canonical text: ``Playbook.parse(pb.format()) == pb``.

        Examples
        --------
        >>> import successkit as sk
        >>> text = sk.Playbook.parse("WHEN  x>=80%THEN propose_option AS opportunity").format()
        >>> print(text, end="")
        when x >= 80% then propose_option as opportunity
        """
        return format_rules(self.rules)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: ``{"version": 1, "name": ..., "text": <canonical text>}``."""
        return {"version": _VERSION, "name": self.name, "text": self.format()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Playbook:
        """Rebuild a playbook from :meth:`to_dict` output.

        Examples
        --------
        >>> import successkit as sk
        >>> pb = sk.Playbook.parse("when a > 1 then b", name="demo")
        >>> sk.Playbook.from_dict(pb.to_dict()) == pb
        True
        """
        data = read_dict(data, ("version", "name", "text"), what="a playbook")
        version = data.get("version")
        if version != _VERSION:
            raise ModelError(
                f"unsupported playbook version {shown(version)} (expected {_VERSION})"
            )
        text = data.get("text")
        if not isinstance(text, str):
            raise ModelError("a playbook dict needs its rules as 'text'")
        name = data.get("name")
        if name is not None and not isinstance(name, str):
            raise ModelError(f"a playbook's name must be text, got {shown(name)}")
        return cls.parse(text, name=name)

    @cached_property
    def fingerprint(self) -> str:
        """A stable hash of the rules (their canonical text)."""
        return fingerprint({"version": _VERSION, "text": self.format()})

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuild from the rules: the compiled programs cached by evaluate() are closures,
        # which cannot be pickled (playbooks cross process boundaries under dask and
        # multiprocessing, and are compiled again on first use there).
        return (Playbook, (self.rules, self.name))

    def __repr__(self) -> str:
        label = f"{self.name!r}, " if self.name else ""
        return f"Playbook({label}{len(self.rules)} rules)"

    def _repr_html_(self) -> str:
        shown = self.rules[:20]
        table = {
            "rule": [r.name for r in shown],
            "when": [format_node(r.condition) for r in shown],
            "then": [", ".join(a.name for a in r.actions) for r in shown],
            "kind": [r.kind for r in shown],
            "priority": [r.priority for r in shown],
        }
        return html_table(table, caption=repr(self), total=len(self.rules))

