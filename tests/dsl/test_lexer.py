"""The fast lexer gives exactly the tokens (and errors) of Lark's basic lexer."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lark import Lark
from lark.exceptions import UnexpectedCharacters
from lark.lexer import LexerThread

from successkit.dsl import _lexer, _parser
from successkit.dsl._lexer import FastLexer, position

# Lark's own lexer over the same grammar file: the reference.
_BASIC = Lark.open_from_package(
    "successkit.dsl", "grammar.lark", parser="lalr", lexer="basic", start="playbook"
).parser.lexer


def _tokens(lexer: Any, text: str) -> Any:
    """The tokens, with Lark's positions recounted by every line break str.splitlines knows
    (Lark's basic lexer counts only ``\\n``; ours counts all, as the quoted line does)."""
    recount = lexer is _BASIC
    try:
        out = []
        for t in LexerThread.from_text(lexer, text).lex(None):
            line, column = (t.line, t.column)
            end_line, end_column = (t.end_line, t.end_column)
            if recount:
                line, column = position(text, t.start_pos)
                end_line, end_column = position(text, t.end_pos)
            out.append((t.type, t.value, t.start_pos, line, column, end_line, end_column,
                        t.end_pos))
        return out
    except UnexpectedCharacters as error:
        line, column = error.line, error.column
        if recount:
            line, column = position(text, error.pos_in_stream)
        return ("error", error.pos_in_stream, line, column, error.char)


def _fast() -> FastLexer:
    lexer = _parser._lark().parser.lexer
    assert isinstance(lexer, FastLexer)
    return lexer


_PIECES = [
    "when", "WHEN", "then", "rule", "and", "or", "not", "notx", "in", "is", "missing", "as",
    "true", "false", "x", "a.b", "a.", ".b", "_x1", "ログイン率", "`q x`", "`", "(", ")", ",",
    ":", "=", "==", "!=", "!", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "12", "1_000",
    "2.5", "1e3", "1e", "30%", "7d", "7dx", "3mo", "2w", "1y", "2026-04-01", "2026-04-01x",
    '"s"', "'s'", '"a\\"b"', '"open', "#c\n", "#", "\n", "\r\n", " ", "\t", "\u3000", "\x0b",
    "\r", "\u2028", "\x85", "\x1c", "\x0c", "#c\r",
    "€", "@", "\\",
]


def test_tokens_match_lark_on_random_text() -> None:
    rng = random.Random(7)
    fast = _fast()
    for _ in range(3000):
        joiner = rng.choice(["", " ", "\n"])
        text = joiner.join(rng.choice(_PIECES) for _ in range(rng.randint(0, 12)))
        assert _tokens(fast, text) == _tokens(_BASIC, text), text


@given(st.text(alphabet=st.sampled_from("ab1_ .%`'\"#\n\r\x0b\x85\u2028\t\u3000(=<!-d"), max_size=30))
def test_tokens_match_lark_on_any_text(text: str) -> None:
    assert _tokens(_fast(), text) == _tokens(_BASIC, text)


def test_tokens_made_through_token_match_lark(monkeypatch: pytest.MonkeyPatch) -> None:
    # a Lark whose Token has other fields than the lexer fills in: tokens come from Token()
    monkeypatch.setattr(_lexer, "_FILL_TOKENS", False)
    rng = random.Random(11)
    fast = _fast()
    for _ in range(300):
        text = " ".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 12)))
        assert _tokens(fast, text) == _tokens(_BASIC, text), text


def test_a_bad_character_after_spaces_is_reported_where_it_is() -> None:
    assert _tokens(_fast(), "a   $ b") == ("error", 4, 1, 5, "$")
    assert _tokens(_fast(), "a\n  \t$") == ("error", 5, 2, 4, "$")
