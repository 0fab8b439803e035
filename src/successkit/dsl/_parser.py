"""Text → syntax tree: the Lark LALR parser of ``grammar.lark`` and the error translator.

The grammar is loaded once, lazily, from package data. The tree is built while parsing
(Lark's inline transformer), so no intermediate parse tree is made and no step recurses
over the input: deep nesting is caught by a depth limit and reported as a
:class:`~successkit.RuleSyntaxError`, never a ``RecursionError``. Every Lark exception is
caught here and re-raised as a positioned :class:`~successkit.RuleSyntaxError`.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lexer import Lexer, LexerState

from successkit.data.dates import DAYS_PER_UNIT
from successkit.dsl import ast
from successkit.errors import RuleSyntaxError, did_you_mean

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "parse_condition", "parse_expression", "parse_rules"]

#: The deepest nesting of operators and parentheses a rule may have.
MAX_DEPTH = 100
#: The longest text (in characters) the parser accepts.
MAX_LENGTH = 2_000_000
#: The longest duration a rule may name (100 years), so date arithmetic stays in range.
MAX_DURATION_DAYS = 36_500

_STARTS = ("playbook", "condition_only", "expression")

# Per-parse state of the inline transformer (depth of each node built so far).
_local = threading.local()


def _depths() -> dict[int, int]:
    depths: dict[int, int] | None = getattr(_local, "depths", None)
    if depths is None:
        depths = _local.depths = {}
    return depths


def _error(message: str, item: Any, *, hint: str | None = None) -> RuleSyntaxError:
    span = _span_of(item, item)
    end = span.end_column if span.end_line == span.line else None
    return RuleSyntaxError(
        message,
        line=span.line,
        column=span.column,
        end_column=end,
        source=getattr(_local, "source", None),
        hint=hint,
    )


def _start(item: Any) -> tuple[int, int, int]:
    if isinstance(item, Token):
        return (item.line or 1, item.column or 1, item.start_pos or 0)
    span = item.span
    return (span.line, span.column, span.start_pos) if span else (1, 1, 0)


def _end(item: Any) -> tuple[int, int, int]:
    if isinstance(item, Token):
        return (item.end_line or 1, item.end_column or 1, item.end_pos or 0)
    span = item.span
    return (span.end_line, span.end_column, span.end_pos) if span else (1, 1, 0)


def _span_of(first: Any, last: Any) -> ast.Span:
    line, column, start = _start(first)
    end_line, end_column, end = _end(last)
    source = getattr(_local, "source", None)
    return ast.Span(line, column, end_line, end_column, start, end, source)


def _spanned(items: Sequence[Any]) -> list[Any]:
    return [item for item in items if item is not None]


def _nodes(items: Sequence[Any]) -> list[ast.Node]:
    return [item for item in items if isinstance(item, ast.Node)]


def _built(node: ast.Node, parts: Sequence[Any]) -> ast.Node:
    """Record the depth of ``node`` from its parts, enforcing :data:`MAX_DEPTH`."""
    depths = _depths()
    depth = 1 + max((depths.get(id(p), 0) for p in parts if isinstance(p, ast.Node)), default=0)
    if depth > MAX_DEPTH:
        raise _error(
            f"nested too deeply (more than {MAX_DEPTH} levels)",
            node,
            hint="split the condition into simpler rules or use fewer parentheses",
        )
    depths[id(node)] = depth
    return node


def _number(token: Token, sign: float = 1.0, *, percent: bool = False) -> ast.Number:
    text = str(token).rstrip("%").replace("_", "")
    value = float(text) * sign
    if value != value or value in (float("inf"), float("-inf")):
        raise _error("number too large", token)
    return ast.Number(value, percent=percent, span=_span_of(token, token))


def _unquote(token: Token) -> str:
    text = str(token)[1:-1]
    if "\\" not in text:
        return text
    out = []
    escapes = {"n": "\n", "t": "\t", "r": "\r"}
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            i += 1
            ch = escapes.get(text[i], text[i])
        out.append(ch)
        i += 1
    return "".join(out)


def _word(item: Any) -> str:
    """The text of a NAME/QUOTED_NAME token or a :class:`~successkit.dsl.ast.Name`."""
    if isinstance(item, ast.Name):
        return item.name
    text = str(item)
    return text[1:-1] if text.startswith("`") else text


class _Builder(Transformer[Token, Any]):
    """Builds :mod:`~successkit.dsl.ast` nodes as Lark reduces each grammar rule."""

    # -- start symbols --------------------------------------------------------------------

    def playbook(self, items: list[Any]) -> tuple[ast.Rule, ...]:
        seen: dict[str, ast.Rule] = {}
        for rule in items:
            first = seen.setdefault(rule.name, rule)
            if first is not rule:
                where = f" (first defined on line {first.span.line})" if first.span else ""
                raise _error(f"duplicate rule name {rule.name!r}{where}", rule)
        return tuple(items)

    def condition_only(self, items: list[Any]) -> ast.Node:
        return items[0]  # type: ignore[no-any-return]

    def expression(self, items: list[Any]) -> ast.Node:
        return items[0]  # type: ignore[no-any-return]

    # -- rules ----------------------------------------------------------------------------

    def rule(self, items: list[Any]) -> ast.Rule:
        header, when, condition, _then, actions, *options = items
        fields: dict[str, Any] = {}
        for key, value, where in options:
            if key in fields:
                word = "as" if key == "kind" else key
                raise _error(f"option '{word}' is given twice", where)
            fields[key] = value
        if header is None:
            name, title = f"rule_{when.line}", None
        else:
            name, title = header[0], header[1]
        last = options[-1][2] if options else actions[-1]
        return ast.Rule(
            name=name,
            title=title,
            condition=condition,
            actions=tuple(actions),
            span=_span_of(header[2] if header else when, last),
            **fields,
        )

    def header(self, items: list[Any]) -> tuple[str, str | None, Token]:
        keyword, name, title, _colon = items
        return (_word(name), None if title is None else _unquote(title), keyword)

    def actions(self, items: list[Any]) -> list[ast.Action]:
        return [item for item in items if isinstance(item, ast.Action)]

    def action(self, items: list[Any]) -> ast.Action:
        parts = _spanned(items)
        arguments = [item for item in parts if isinstance(item, tuple)]
        seen: set[str] = set()
        for key, _, where in arguments:
            if key in seen:
                raise _error(f"argument {key!r} is given twice", where)
            seen.add(key)
        return ast.Action(
            str(parts[0]),
            tuple((key, value) for key, value, _ in arguments),
            span=_span_of(parts[0], parts[-1]),
        )

    def argument(self, items: list[Any]) -> tuple[str, ast.Literal, Token]:
        return (str(items[0]), items[2], items[0])

    def kind_option(self, items: list[Any]) -> tuple[str, str, Any]:
        return ("kind", _choice(items[1], ast.KINDS, "kind of CTA"), items[0])

    def priority_option(self, items: list[Any]) -> tuple[str, str, Any]:
        return ("priority", _choice(items[1], ast.PRIORITIES, "priority"), items[0])

    def owner_option(self, items: list[Any]) -> tuple[str, str, Any]:
        token = items[1]
        owner = _unquote(token) if token.type == "STRING" else str(token)
        if not owner.strip():
            raise _error("owner must not be empty", token)
        return ("owner", owner, items[0])

    def due_option(self, items: list[Any]) -> tuple[str, int, Any]:
        return ("due", _duration(items[1]).days, items[0])

    def cooldown_option(self, items: list[Any]) -> tuple[str, int, Any]:
        return ("cooldown", _duration(items[1]).days, items[0])

    # -- conditions -----------------------------------------------------------------------

    def any_of(self, items: list[Any]) -> ast.Node:
        operands = _nodes(items)
        return _built(ast.Or(operands, span=_span_of(items[0], items[-1])), operands)

    def all_of(self, items: list[Any]) -> ast.Node:
        operands = _nodes(items)
        return _built(ast.And(operands, span=_span_of(items[0], items[-1])), operands)

    def not_(self, items: list[Any]) -> ast.Node:
        return _built(ast.Not(items[1], span=_span_of(items[0], items[1])), items)

    def compare(self, items: list[Any]) -> ast.Node:
        left, op, right = items
        return _built(ast.Compare(str(op), left, right, span=_span_of(left, right)), items)

    def comparator(self, items: list[Any]) -> Token:
        return items[0]  # type: ignore[no-any-return]

    def between(self, items: list[Any]) -> ast.Node:
        operand, negated, _, low, _, high = items
        node = ast.Between(
            operand=operand,
            low=low,
            high=high,
            negated=negated is not None,
            span=_span_of(operand, high),
        )
        return _built(node, items)

    def member(self, items: list[Any]) -> ast.Node:
        operand, negated = items[0], items[1]
        values = _nodes(items[2:])
        node = ast.In(
            operand,
            values,  # type: ignore[arg-type]  # the grammar allows only literals here
            negated is not None,
            span=_span_of(operand, items[-1]),
        )
        return _built(node, items)

    def is_missing(self, items: list[Any]) -> ast.Node:
        operand, _, negated, last = items
        node = ast.IsMissing(operand, negated is not None, span=_span_of(operand, last))
        return _built(node, items)

    def becomes(self, items: list[Any]) -> ast.Node:
        operand, _, value = items
        return _built(ast.Becomes(operand, value, span=_span_of(operand, value)), items)

    # -- arithmetic -----------------------------------------------------------------------

    def _arith(self, items: list[Any]) -> ast.Node:
        left, op, right = items
        return _built(ast.Arithmetic(str(op), left, right, span=_span_of(left, right)), items)

    add = sub = mul = div = _arith

    def neg(self, items: list[Any]) -> ast.Node:
        minus, operand = items
        span = _span_of(minus, operand)
        if isinstance(operand, ast.Number):  # -3 is the number -3, not an operation
            return ast.Number(-operand.value, percent=operand.percent, span=span)
        return _built(ast.Negate(operand, span=span), items)

    def call(self, items: list[Any]) -> ast.Node:
        name = items[0]
        args = _nodes(items[2:])
        node = ast.Call(str(name), args, span=_span_of(name, items[-1]))
        return _built(node, args)

    def atom(self, items: list[Any]) -> ast.Node:
        return items[1]  # type: ignore[no-any-return]  # parentheses

    def name(self, items: list[Any]) -> ast.Node:
        token = items[0]
        return ast.Name(_word(token), span=_span_of(token, token))

    # -- literals -------------------------------------------------------------------------

    def number(self, items: list[Any]) -> ast.Node:
        return _number(items[0])

    def percent(self, items: list[Any]) -> ast.Node:
        return _number(items[0], percent=True)

    def negative_number(self, items: list[Any]) -> ast.Node:
        return _at(_number(items[1], -1.0), items)

    def negative_percent(self, items: list[Any]) -> ast.Node:
        return _at(_number(items[1], -1.0, percent=True), items)

    def duration(self, items: list[Any]) -> ast.Node:
        return _duration(items[0])

    def date(self, items: list[Any]) -> ast.Node:
        token = items[0]
        try:
            value = dt.date.fromisoformat(str(token))
        except ValueError:
            raise _error(f"{token} is not a valid date", token) from None
        return ast.DateLiteral(value, span=_span_of(token, token))

    def string(self, items: list[Any]) -> ast.Node:
        return ast.String(_unquote(items[0]), span=_span_of(items[0], items[0]))

    def true(self, items: list[Any]) -> ast.Node:
        return ast.Boolean(True, span=_span_of(items[0], items[0]))

    def false(self, items: list[Any]) -> ast.Node:
        return ast.Boolean(False, span=_span_of(items[0], items[0]))


def _at(node: ast.Number, items: list[Any]) -> ast.Number:
    return ast.Number(node.value, percent=node.percent, span=_span_of(items[0], items[-1]))


def _duration(token: Token) -> ast.Duration:
    text = str(token).replace("_", "").lower()
    unit = "mo" if text.endswith("mo") else text[-1]
    days = int(text[: -len(unit)]) * DAYS_PER_UNIT[unit]
    if days > MAX_DURATION_DAYS:
        raise _error(f"duration {token} is too long (at most 100 years)", token)
    return ast.Duration(days, span=_span_of(token, token))


def _choice(token: Token, choices: tuple[str, ...], what: str) -> str:
    word = str(token).lower()
    if word in choices:
        return word
    options = ", ".join(choices[:-1]) + f" or {choices[-1]}"
    guess = did_you_mean(word, list(choices))
    hint = f"did you mean {guess!r}?" if guess else None
    raise _error(f"unknown {what} {str(token)!r}; choose {options}", token, hint=hint)


# -- the lexer --------------------------------------------------------------------------------


class _Lexer(Lexer):
    """A lexer built from the grammar's own terminals, faster than Lark's general one.

    It is Lark's basic lexer specialised to this grammar: one compiled alternation of the
    terminals (in Lark's order: priority, then longest pattern), keywords recognised by a
    dictionary look-up on names (what Lark's "unless" callbacks do), and positions kept by
    counting only the newlines in skipped whitespace and comments — no other token can hold
    one. The terminals still come from ``grammar.lark``, the one source of truth.
    """

    __future_interface__ = 2  # lex(lexer_state, parser_state), text as a TextSlice

    def __init__(self, conf: Any) -> None:
        terminals = sorted(
            conf.terminals,
            key=lambda t: (-t.priority, -t.pattern.max_width, -len(t.pattern.value), t.name),
        )
        regex_terminals = [t for t in terminals if t.pattern.type == "re"]
        self.keywords: dict[str, str] = {}  # case-insensitive keyword → terminal
        self.keyword_owner: set[str] = set()  # regex terminals whose matches may be keywords
        parts = []
        for terminal in terminals:
            pattern = terminal.pattern
            if pattern.type == "str":
                owners = [
                    t.name for t in regex_terminals
                    if re.fullmatch(t.pattern.to_regexp(), pattern.value)
                ]
                if owners:
                    self.keywords[pattern.value.lower()] = terminal.name
                    self.keyword_owner.update(owners)
                    continue
            parts.append(f"(?P<{terminal.name}>{pattern.to_regexp()})")
        self.scanner = re.compile("|".join(parts), conf.g_regex_flags)
        self.ignore = frozenset(conf.ignore)
        self.allowed = frozenset(t.name for t in terminals) - self.ignore

    def lex(self, lexer_state: LexerState, parser_state: Any) -> Iterator[Token]:
        source = lexer_state.text
        text: str = source.text if hasattr(source, "text") else source  # type: ignore[assignment]
        pos: int = getattr(source, "start", 0)
        end: int = getattr(source, "end", len(text))
        match = self.scanner.match
        keywords, owners, ignore = self.keywords, self.keyword_owner, self.ignore
        line, line_start = 1, 0
        while pos < end:
            found = match(text, pos)
            if found is None:
                raise UnexpectedCharacters(  # type: ignore[no-untyped-call]
                    text, pos, line, pos - line_start + 1, allowed=self.allowed,
                    state=parser_state,
                )
            kind = found.lastgroup
            assert kind is not None
            stop = found.end()
            if kind in ignore:
                newlines = text.count("\n", pos, stop)
                if newlines:
                    line += newlines
                    line_start = text.rindex("\n", pos, stop) + 1
                pos = stop
                continue
            value = found.group()
            if kind in owners:
                kind = keywords.get(value.lower(), kind)
            column = pos - line_start + 1
            yield Token(kind, value, pos, line, column, line, column + stop - pos, stop)
            pos = stop


# -- the parser -------------------------------------------------------------------------------

_lock = threading.Lock()
_parser: Lark | None = None


def _lark() -> Lark:
    """The Lark parser, built once on first use from the packaged grammar."""
    global _parser
    if _parser is None:
        with _lock:
            if _parser is None:
                _parser = Lark.open_from_package(
                    "successkit.dsl",
                    "grammar.lark",
                    parser="lalr",
                    lexer=_Lexer,
                    start=list(_STARTS),
                    keep_all_tokens=True,
                    maybe_placeholders=True,
                    transformer=_Builder(),
                )
    return _parser


def _parse(text: str, start: str) -> Any:
    if not isinstance(text, str):
        raise TypeError(f"rule text must be str, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise RuleSyntaxError(
            f"text is too long ({len(text):,} characters; at most {MAX_LENGTH:,})",
            line=1,
            column=1,
        )
    parser = _lark()
    _local.source = text
    _local.depths = {}
    try:
        return parser.parse(text, start=start)
    except UnexpectedInput as exc:
        raise _translate(exc, text, start) from exc
    except RecursionError:  # belt and braces: the parser itself does not recurse
        raise RuleSyntaxError("nested too deeply", line=1, column=1, source=text) from None
    finally:
        _local.source = None
        _local.depths = {}


def parse_rules(text: str) -> tuple[ast.Rule, ...]:
    """Parse playbook text into its rules.

    Examples
    --------
    >>> from successkit.dsl import parse_rules
    >>> [r.name for r in parse_rules("when a > 1 then b\\nrule x: when c then d")]
    ['rule_1', 'x']
    """
    return _parse(text, "playbook")  # type: ignore[no-any-return]


def parse_condition(text: str) -> ast.Node:
    """Parse one condition (the part of a rule between ``when`` and ``then``).

    Examples
    --------
    >>> from successkit.dsl import parse_condition
    >>> parse_condition("tier = 'high' and arr > 1000")
    And(operands=(Compare(op='=', left=Name(name='tier'), right=String(value='high')), \
Compare(op='>', left=Name(name='arr'), right=Number(value=1000.0, percent=False))))
    """
    return _parse(text, "condition_only")  # type: ignore[no-any-return]


def parse_expression(text: str) -> ast.Node:
    """Parse an arithmetic expression, with the grammar rules use.

    Names (``seats``, ``health.score``, backtick-quoted `` `D-3 Login Rate` ``), numbers,
    percents, durations, ``+ - * /``, unary minus, parentheses and calls such as ``abs``,
    ``min`` and ``max``. Health metrics use it for their ``source``.

    Parameters
    ----------
    text:
        The expression, e.g. ``"activated_users / seats"``.

    Returns
    -------
    successkit.dsl.ast.Node
        The syntax tree; evaluate it with :func:`~successkit.evaluate_expression` and list
        the columns it reads with :func:`~successkit.expression_names`.

    Raises
    ------
    RuleSyntaxError
        Text that is not an expression, with line, column and a caret under the fault.

    Examples
    --------
    >>> import successkit as sk
    >>> sk.parse_expression("activated_users / seats")
    Arithmetic(op='/', left=Name(name='activated_users'), right=Name(name='seats'))
    >>> try:
    ...     sk.parse_expression("activated_users /")
    ... except sk.RuleSyntaxError as error:
    ...     print(error)
    line 1, column 18: unexpected end of text; expected a value
      activated_users /
                       ^
    """
    return _parse(text, "expression")  # type: ignore[no-any-return]


# -- errors -----------------------------------------------------------------------------------

# Plain-language names of the tokens that are not literal text.
_TOKEN_NAMES = {
    "NAME": "a name",
    "QUOTED_NAME": "a `quoted name`",
    "STRING": "a string",
    "NUMBER": "a number",
    "PERCENT": "a percent",
    "DURATION": "a duration",
    "DATE": "a date",
    "$END": "end of text",
}
_VALUE_TOKENS = frozenset(
    {"NAME", "QUOTED_NAME", "STRING", "NUMBER", "PERCENT", "DURATION", "DATE", "TRUE", "FALSE"}
)
_COMPARATORS = frozenset({"=", "!=", "<", "<=", ">", ">="})

# Examples of common mistakes; a parse error in the same parser state (and with the same
# token) as one of them gets that mistake's hint.
_EXAMPLES: dict[str, tuple[str, ...]] = {
    "missing_then": (
        "when a > 1 b",
        "when a > 1 and b < 2 c",
        "when a b",
        "when a between 1 and 2 b",
        "when a in (1) b",
        "when a is missing b",
        "when a becomes 1 b",
        "when f(a) b",
        "when a > 1%b",
        "when (a) b",
    ),
    "missing_value": (
        "when a <= then b",
        "when a = and b then c",
        "when a > or b then c",
        "when a < ",
        "when a != )",
        "when a = as",
    ),
    "missing_action": ("when a then", "when a then as risk", "when a then ,"),
    "missing_when": ("a > 1 then b", "rule x: a then b", "then b", "rule x: then b"),
}
_HINTS = {
    "missing_then": "a rule reads 'when <condition> then <action>'; is 'then' missing?",
    "missing_action": "name the action after 'then', e.g. 'then contact_admin'",
    "missing_when": "a rule starts with 'when' (or 'rule <name>:' and then 'when')",
}
_hint_cache: dict[tuple[int, int, str], str | None] = {}


def _hint_label(exc: UnexpectedToken) -> str | None:
    """Which common mistake ``exc`` looks like, by Lark's ``match_examples`` (the parser
    state and token of the error against those of the examples), cached per state."""
    state = exc.state
    if state is None:  # pragma: no cover - LALR always reports its state
        return None
    key = (state.position, len(state.state_stack), exc.token.type)
    if key not in _hint_cache:
        parser = _lark()
        label = exc.match_examples(
            lambda text: parser.parse(text, start="playbook"),
            _EXAMPLES,
            token_type_match_fallback=True,
            use_accepts=False,
        )
        if len(_hint_cache) > 4096:
            _hint_cache.clear()
        _hint_cache[key] = label
    return _hint_cache[key]


_accepted_cache: dict[tuple[int, ...], frozenset[str]] = {}


def _accepted(exc: UnexpectedToken) -> frozenset[str]:
    """The tokens the parser would really accept where it failed.

    LALR merges look-ahead sets, so ``exc.expected`` can list tokens that cannot follow
    here; feeding each candidate to a copy of the parser state (what Lark's interactive
    parser's ``accepts()`` does) keeps only those that can.
    """
    state = exc.state
    if state is None:  # pragma: no cover - LALR always reports its state
        return frozenset(exc.expected)
    key = tuple(state.state_stack)
    known = _accepted_cache.get(key)
    if known is not None:
        return known
    accepted = set()
    for name in exc.expected:
        trial = state.copy()
        try:
            trial.feed_token(Token(name, "", 0, 1, 1, 1, 1, 0), is_end=name == "$END")
        except UnexpectedToken:
            continue
        except Exception:
            pass
        accepted.add(name)
    result = frozenset(accepted) if accepted else frozenset(exc.expected)
    if len(_accepted_cache) > 4096:
        _accepted_cache.clear()
    _accepted_cache[key] = result
    return result


def _describe_token(token: Token) -> str:
    if token.type == "$END":
        return "end of text"
    text = str(token)
    if token.type in ("NAME", "QUOTED_NAME"):
        return f"name {text!r}"
    if token.type in _TOKEN_NAMES:
        return f"{_TOKEN_NAMES[token.type][2:]} {text}"
    return repr(text)


def _describe_expected(expected: Any) -> str:
    names = set(expected)
    parts: list[str] = []
    if len(names & _VALUE_TOKENS) >= 3:
        names -= _VALUE_TOKENS | {"MINUS", "LPAR"}
        parts.append("a value")
    parser = _lark()
    words = []
    for name in names:
        if name in _TOKEN_NAMES:
            words.append(_TOKEN_NAMES[name])
            continue
        try:
            pattern = parser.get_terminal(name).pattern
        except KeyError:  # pragma: no cover - every expected terminal is in the grammar
            words.append(name.lower())
            continue
        words.append(repr(pattern.value) if pattern.type == "str" else name.lower())
    # words first ('then', a name), then operators, then the end of the text
    parts.extend(
        sorted(words, key=lambda w: (w == "end of text", not w.strip("'")[:1].isalpha(), w))
    )
    if len(parts) > 8:
        parts = [*parts[:8], "…"]
    return ", ".join(parts)


def _previous_token(exc: UnexpectedToken) -> Token | None:
    """The token right before the fault (the parser keeps every token on its stack)."""
    stack = getattr(exc.state, "value_stack", None)
    if stack and isinstance(stack[-1], Token):
        return stack[-1]
    return None


def _position(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return line, column


def _translate(exc: UnexpectedInput, text: str, start: str) -> RuleSyntaxError:
    if isinstance(exc, UnexpectedCharacters):
        line, column = exc.line, exc.column
        char = exc.char
        if char in "\"'":
            return RuleSyntaxError(
                "unclosed string",
                line=line,
                column=column,
                source=text,
                hint=f"end the string with {char} on the same line",
            )
        if char == "`":
            return RuleSyntaxError(
                "unclosed quoted name",
                line=line,
                column=column,
                source=text,
                hint="end the name with ` on the same line",
            )
        hint = "compare with '!=' or write 'not'" if char == "!" else None
        return RuleSyntaxError(
            f"unexpected character {char!r}", line=line, column=column, source=text, hint=hint
        )
    if not isinstance(exc, UnexpectedToken):  # pragma: no cover - LALR raises the two above
        return RuleSyntaxError(str(exc).splitlines()[0], line=1, column=1, source=text)
    token = exc.token
    if token.type == "$END":
        stripped = len(text.rstrip())
        line, column = _position(text, stripped)
        end_column = None
    else:
        line, column = token.line or 1, token.column or 1
        end_column = token.end_column if token.end_line == token.line else None
    found = _describe_token(token)
    expected = _describe_expected(_accepted(exc))
    label = _hint_label(exc) if start == "playbook" else None
    previous = _previous_token(exc)
    if (
        token.type == "EQUAL"
        and previous is not None
        and str(previous) == "="
        and previous.end_pos == token.start_pos
    ):
        return RuleSyntaxError(
            "'==' is not an operator",
            line=line,
            column=column - 1,
            end_column=column + 1,
            source=text,
            hint="compare with a single '='",
        )
    if previous is not None and str(previous) in _COMPARATORS and "a value" in expected:
        return RuleSyntaxError(
            f"expected a value after {str(previous)!r}",
            line=line,
            column=column,
            end_column=end_column,
            source=text,
        )
    message = f"unexpected {found}; expected {expected}" if expected else f"unexpected {found}"
    return RuleSyntaxError(
        message,
        line=line,
        column=column,
        end_column=end_column,
        source=text,
        hint=_HINTS.get(label) if label else None,
    )


def grammar_text() -> str:
    """The text of ``grammar.lark`` (shown in the documentation)."""
    from importlib.resources import files

    return (files("successkit.dsl") / "grammar.lark").read_text(encoding="utf-8")

