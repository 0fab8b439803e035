"""Usage metric definitions: what to count over which window, as objects or as text.

A :class:`UsageModel` is a named, ordered set of :class:`UsageMetric` definitions. It is
immutable, round-trips through JSON (:meth:`UsageModel.to_dict`) and has a content
fingerprint like :class:`~successkit.HealthModel`. Text definitions read one per line::

    metric weekly_active_users = distinct_users(login, 7d)
    metric exports_28d = count({export, share}, 28d)
    metric exports_per_seat = per_seat(exports_28d, seats)

Errors in text carry the line, column and caret of the playbook language.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from importlib import resources
from typing import Any

import attrs
import lark

from successkit._fingerprint import fingerprint
from successkit._keys import at, path, read_dict, shown
from successkit.data.calendar import parse_span, span_text
from successkit.data.read import listed
from successkit.dsl._syntax_errors import translate
from successkit.errors import (
    ModelError,
    RuleNameError,
    RuleSyntaxError,
    RuleTypeError,
    did_you_mean_suffix,
)

__all__ = ["KINDS", "UsageMetric", "UsageModel"]

_VERSION = 1
# The keys UsageMetric.to_dict() writes (from_dict refuses others).
_METRIC_KEYS = ("name", "kind", "types", "window", "of", "column")

# kind -> the arguments it takes, in order: "types", "window", "metric", "column".
KINDS: Mapping[str, tuple[str, ...]] = {
    "count": ("types", "window"),
    "sum": ("types", "window"),
    "distinct_users": ("types", "window"),
    "active_days": ("types", "window"),
    "scaled_count": ("types", "window"),
    "days_observed": ("window",),
    "days_since_first": ("types",),
    "days_since_last": ("types",),
    "per_seat": ("metric", "column"),
    "per_user": ("metric",),
    "ratio": ("metric", "metric"),
    "change": ("metric",),
    "relative_change": ("metric",),
}
WINDOWED = frozenset({"count", "sum", "distinct_users", "active_days", "scaled_count"})
_CHANGEABLE = frozenset({"count", "sum", "distinct_users", "active_days"})


def _names(value: Any, what: str) -> tuple[str, ...]:
    """One name or an iterable of names, as a tuple of names."""
    # A str is iterable too: read letter by letter, of="cc" would be the two names c, c.
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Iterable) or isinstance(value, (bytes, Mapping)):
        raise ModelError(f"{what} must be a name or a list of names, not "
                         f"{type(value).__name__} {value!r}")
    names = tuple(value)
    for item in names:  # a loop over the few names of one definition
        if not isinstance(item, str):
            raise ModelError(f"{what} must be names (text), not {type(item).__name__} {item!r}")
    return names


def _types(value: Any) -> tuple[str, ...] | None:
    return None if value is None else _names(value, "types")


def _of(value: Any) -> tuple[str, ...]:
    return _names(value, "of")


def _text(what: str, optional: bool = False) -> Any:
    """An attrs validator: ``what`` must be non-empty text (or None when ``optional``)."""
    def check(_: Any, __: Any, value: Any) -> None:
        if value is None and optional:
            return
        if not isinstance(value, str) or not value:
            raise ModelError(f"the metric {what} must be non-empty text, not "
                             f"{type(value).__name__} {value!r}")
    return check


def _window(value: Any) -> str | None:
    return None if value is None else span_text(parse_span(value))


@attrs.frozen
class UsageMetric:
    """One metric definition.

    ``kind`` is one of :data:`KINDS`; ``types`` the event types counted (``None``: all);
    ``window`` a span like ``"28d"`` or ``"1mo"`` (the days ``[D - window, D)`` at snapshot
    date ``D``); ``of`` the metric names a derived metric reads; ``column`` the account
    table column a ``per_seat`` metric divides by. A single str given for ``types`` or
    ``of`` is one name (``of="logins"`` is ``("logins",)``), never split into letters;
    names that are not text are a :class:`~successkit.ModelError`.

    .. versionadded:: 0.2

    Examples
    --------
    >>> from successkit.usage import UsageMetric
    >>> UsageMetric("wau", "distinct_users", types="login", window="7d")
    UsageMetric(name='wau', kind='distinct_users', types=('login',), window='7d', ...)
    >>> UsageMetric("r", "ratio", of="ab")
    Traceback (most recent call last):
    ...
    successkit.errors.ModelError: r: a ratio metric reads 2 metric(s)
    """

    name: str = attrs.field(validator=_text("name"))
    kind: str = attrs.field(validator=_text("kind"))
    types: tuple[str, ...] | None = attrs.field(default=None, converter=_types)
    window: str | None = attrs.field(default=None, converter=_window)
    of: tuple[str, ...] = attrs.field(default=(), converter=_of)
    column: str | None = attrs.field(default=None, validator=_text("column", optional=True))

    def __attrs_post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ModelError(f"unknown metric kind {self.kind!r}"
                             + did_you_mean_suffix(self.kind, list(KINDS)), where=self.name)
        needs = KINDS[self.kind]
        if "window" in needs and self.window is None:
            raise ModelError(f"a {self.kind} metric needs a window", where=self.name)
        if len(self.of) != needs.count("metric"):
            raise ModelError(f"a {self.kind} metric reads {needs.count('metric')} metric(s)",
                             where=self.name)
        if ("column" in needs) != (self.column is not None):
            raise ModelError(f"a {self.kind} metric {'needs' if 'column' in needs else 'takes no'}"
                             " column", where=self.name)

    def to_dict(self) -> dict[str, Any]:
        """The definition as JSON-able data."""
        return {"name": self.name, "kind": self.kind,
                "types": None if self.types is None else list(self.types),
                "window": self.window, "of": list(self.of), "column": self.column}


def _to_metrics(value: Iterable[UsageMetric]) -> tuple[UsageMetric, ...]:
    if not isinstance(value, Iterable) or isinstance(value, (str, bytes)):
        raise ModelError(f"a usage model takes a list of UsageMetric, not {type(value).__name__}")
    metrics = tuple(value)
    seen: dict[str, UsageMetric] = {}
    for metric in metrics:
        if not isinstance(metric, UsageMetric):
            raise ModelError(f"expected UsageMetric, got {type(metric).__name__}")
        if metric.name in seen:
            raise ModelError("the metric name appears twice", where=metric.name)
        for name in metric.of:
            if name not in seen:
                raise ModelError(f"reads {name!r}, which is not defined above it"
                                 + did_you_mean_suffix(name, sorted(seen)), where=metric.name)
        if metric.kind in ("change", "relative_change", "per_user"):
            base = seen[metric.of[0]]
            allowed = _CHANGEABLE if metric.kind != "per_user" else WINDOWED
            if base.kind not in allowed:
                raise ModelError(f"{metric.kind} reads a windowed {' or '.join(sorted(allowed))} "
                                 f"metric, not the {base.kind} metric {base.name!r}",
                                 where=metric.name)
        seen[metric.name] = metric
    return metrics


@attrs.frozen
class UsageModel:
    """An ordered set of usage metrics computed together by
    :func:`~successkit.usage.usage_portfolio` and :func:`~successkit.usage.usage_history`.

    .. versionadded:: 0.2

    Examples
    --------
    >>> from successkit.usage import UsageModel
    >>> model = UsageModel.from_text('''
    ... metric logins_28d = count(login, 28d)
    ... metric wau = distinct_users(login, 7d)
    ... metric logins_per_user = ratio(logins_28d, wau)
    ... ''')
    >>> model.names
    ('logins_28d', 'wau', 'logins_per_user')
    >>> UsageModel.from_dict(model.to_dict()) == model
    True
    >>> UsageModel.from_text("metric x = count(login, 28)")
    Traceback (most recent call last):
    ...
    successkit.errors.RuleSyntaxError: line 1, column 25: '28' is not a window; write e.g. ...
    """

    metrics: tuple[UsageMetric, ...] = attrs.field(converter=_to_metrics)

    @property
    def names(self) -> tuple[str, ...]:
        """The metric names, in order."""
        return tuple(m.name for m in self.metrics)

    def __iter__(self) -> Iterator[UsageMetric]:
        return iter(self.metrics)

    def __len__(self) -> int:
        return len(self.metrics)

    @property
    def fingerprint(self) -> str:
        """A stable hash of :meth:`to_dict`."""
        return fingerprint(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        """JSON-able data; :meth:`from_dict` reads it back."""
        return {"version": _VERSION, "metrics": [m.to_dict() for m in self.metrics]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> UsageModel:
        """A model from :meth:`to_dict` output."""
        data = read_dict(data, ("version", "metrics"), what="a usage model")
        if data.get("version") != _VERSION:
            raise ModelError(f"unsupported usage model version {shown(data.get('version'))}")
        metrics = data.get("metrics")
        if not isinstance(metrics, list):
            raise ModelError("metrics must be a list", where="usage model")
        read = []
        with at("metrics"):
            for i, m in enumerate(metrics):
                with at(i):
                    m = read_dict(m, _METRIC_KEYS, what="a usage metric")
                    missing = [key for key in ("name", "kind") if key not in m]
                    if missing:
                        raise ModelError(f"missing key {missing[0]!r}", where=path())
                    try:
                        read.append(UsageMetric(**m))
                    except (TypeError, ValueError) as exc:  # a value of the wrong type
                        if isinstance(exc, ModelError):
                            if exc.where is None:  # a bad field value: say which metric
                                raise ModelError(exc.message, where=path()) from None
                            raise
                        raise ModelError(f"malformed usage metric: {exc}", where=path()) from None
        return cls(read)

    @classmethod
    def from_text(cls, text: str, *, types: Iterable[str] | None = None) -> UsageModel:
        """Definitions, one per line: ``metric NAME = KIND(ARG, ...)``.

        Arguments are an event type, ``{a, b}`` for a set, ``*`` for all types, a span
        (``28d``, ``1mo``), an earlier metric's name, or an account table column. With
        ``types`` (e.g. ``events.types``), an unknown event type is an error at its
        position, with a did-you-mean.

        Examples
        --------
        >>> UsageModel.from_text("metric x = count(logn, 7d)", types=["login", "export"])
        Traceback (most recent call last):
        ...
        successkit.errors.RuleNameError: line 1, column 18: unknown event type 'logn' ...
        """
        if not isinstance(text, str):
            raise RuleTypeError(f"usage definitions must be text, not {type(text).__name__}")
        try:
            tree = _PARSER.parse(text + "\n")
        except lark.exceptions.UnexpectedInput as exc:
            # The playbook language's translation: same wording, position and caret.
            raise translate(exc, text, "start", _PARSER) from None
        metrics: list[UsageMetric] = []
        known = None if types is None else [str(t) for t in listed(types, "types")]
        for node in tree.children:
            metrics.append(_definition(node, text, [m.name for m in metrics], known))
        return cls(metrics)


_PARSER = lark.Lark(
    resources.files("successkit.usage").joinpath("grammar.lark").read_text("utf-8"),
    parser="lalr", propagate_positions=True, maybe_placeholders=False,
)


def _definition(node: Any, text: str, defined: list[str],
                known: list[str] | None) -> UsageMetric:
    name_token, kind_token, *args = node.children
    kind = str(kind_token)
    if kind not in KINDS:
        raise RuleNameError(f"unknown metric kind {kind!r}", line=kind_token.line,
                            column=kind_token.column, end_column=kind_token.end_column,
                            source=text, hint=did_you_mean_suffix(kind, list(KINDS))[2:] or None)
    needs = KINDS[kind]
    if len(args) != len(needs):
        raise RuleSyntaxError(f"{kind} takes {len(needs)} argument(s): {', '.join(needs)}",
                              line=kind_token.line, column=kind_token.column, source=text)
    fields: dict[str, Any] = {"of": []}
    for role, arg in zip(needs, args, strict=True):
        meta = arg.meta
        where = {"line": meta.line, "column": meta.column, "end_column": meta.end_column,
                 "source": text}
        if role == "window":
            if arg.data != "span":
                shown = "*" if arg.data == "every" else ", ".join(str(c) for c in arg.children)
                raise RuleSyntaxError(f"{shown!r} is not a window; write e.g. 7d, 28d, 2w, 1mo, "
                                      "90d or 1y", **where)
            fields["window"] = str(arg.children[0])
        elif role == "types":
            if arg.data in ("span", "number"):
                raise RuleSyntaxError("expected an event type, {a, b} or *", **where)
            fields["types"] = None if arg.data == "every" else [str(c) for c in arg.children]
            for token in [] if known is None or arg.data == "every" else arg.children:
                assert known is not None
                if str(token) not in known:
                    raise RuleNameError(f"unknown event type {str(token)!r}", line=token.line,
                                        column=token.column, end_column=token.end_column,
                                        source=text,
                                        hint=did_you_mean_suffix(str(token), known)[2:] or None)
        else:
            if arg.data != "name":
                raise RuleSyntaxError(f"expected a {role} name", **where)
            if role == "metric":
                ref = str(arg.children[0])
                if ref not in defined:
                    raise RuleNameError(f"metric {ref!r} is not defined above this line",
                                        hint=did_you_mean_suffix(ref, defined)[2:] or None,
                                        **where)
                fields["of"].append(ref)
            else:
                fields["column"] = str(arg.children[0])
    try:
        return UsageMetric(str(name_token), kind, **fields)
    except ModelError as exc:
        raise RuleSyntaxError(exc.message, line=name_token.line, column=name_token.column,
                              source=text) from None
