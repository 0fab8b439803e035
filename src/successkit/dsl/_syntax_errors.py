"""Lark's parse errors, turned into positioned, plain-language syntax errors.

Expected tokens are shown as literal text (``'then'``, ``a value``), limited to those the
parser really accepts at the fault; common mistakes (a missing ``then``, a missing value
after a comparison, ``==``, an unclosed string) get a hint.
"""

from __future__ import annotations

from typing import Any

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from successkit.dsl._lexer import position
from successkit.errors import RuleSyntaxError

__all__ = ["translate"]

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
# Caches by parser state, shared by every thread: each entry is a pure function of its key,
# so threads racing to fill one write the same value; readers keep what they read.
_hint_cache: dict[tuple[int, int, str], str | None] = {}
_UNSEEN = object()


def _hint_label(exc: UnexpectedToken, parser: Lark) -> str | None:
    """Which common mistake ``exc`` looks like, by Lark's ``match_examples`` (the parser
    state and token of the error against those of the examples), cached per state."""
    state = exc.state
    if state is None:  # pragma: no cover - LALR always reports its state
        return None
    key = (state.position, len(state.state_stack), exc.token.type)
    # Threads share the cache: read it once and return the local value, so another
    # thread clearing it in between cannot lose the entry (a dict step is atomic).
    label: Any = _hint_cache.get(key, _UNSEEN)
    if label is _UNSEEN:
        label = exc.match_examples(
            lambda text: parser.parse(text, start="playbook"),
            _EXAMPLES,
            token_type_match_fallback=True,
            use_accepts=False,
        )
        if len(_hint_cache) > 4096:
            _hint_cache.clear()
        _hint_cache[key] = label
    return label  # type: ignore[no-any-return]


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


def _describe_expected(expected: Any, parser: Lark) -> str:
    names = set(expected)
    parts: list[str] = []
    if len(names & _VALUE_TOKENS) >= 3:
        names -= _VALUE_TOKENS | {"MINUS", "LPAR"}
        parts.append("a value")
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
    return position(text, pos)


def translate(
    exc: UnexpectedInput, text: str, start: str, parser: Lark
) -> RuleSyntaxError:
    """The :class:`~successkit.RuleSyntaxError` a Lark parse error stands for."""
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
    expected = _describe_expected(_accepted(exc), parser)
    label = _hint_label(exc, parser) if start == "playbook" else None
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
