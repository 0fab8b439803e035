"""A fast lexer for the playbook grammar, built from the grammar's own terminals."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lark import Token
from lark.exceptions import UnexpectedCharacters
from lark.lexer import Lexer, LexerState

__all__ = ["LINE_BREAK", "FastLexer", "position"]

# The fields ``Token(type, value, start_pos, line, column, end_line, end_column, end_pos)``
# sets. When Token has exactly these, the lexer fills them in itself: it makes one token per
# word of the text, and Token's constructor costs two Python calls more per token.
_TOKEN_FIELDS = ("type", "value", "start_pos", "line", "column", "end_line", "end_column",
                 "end_pos")
_FILL_TOKENS = sorted(getattr(Token, "__slots__", ())) == sorted(_TOKEN_FIELDS)
# The name of the scanner's group for a character no terminal matches (lowercase, so it
# cannot be a terminal's name).
_UNEXPECTED = "unexpected"
#: A line break: what ``str.splitlines`` splits on (``\r\n`` is one break), the one notion
#: of a line for counting positions and quoting lines in errors.
LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_NOT_BREAK_SPACE = "[^\\S\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]"


def position(text: str, pos: int) -> tuple[int, int]:
    r"""The 1-based line and column of offset ``pos`` in ``text``.

    Examples
    --------
    >>> position("a\r\nb\u2028cd", 6)
    (3, 2)
    """
    line, line_start = 1, 0
    for found in LINE_BREAK.finditer(text, 0, pos):
        line, line_start = line + 1, found.end()
    return line, pos - line_start + 1


class FastLexer(Lexer):
    """A lexer built from the grammar's own terminals, faster than Lark's general one.

    It is Lark's basic lexer specialised to this grammar: one compiled alternation of the
    terminals (in Lark's order: priority, then longest pattern), keywords recognised by a
    dictionary look-up on names (what Lark's "unless" callbacks do), and positions kept by
    counting only the line breaks (:data:`LINE_BREAK`, every break ``str.splitlines``
    knows) in skipped whitespace — no other token can hold one. Spaces and tabs before a
    token are skipped by the same match as the token (the grammar ignores whitespace and no
    token starts with it), so most tokens take one regex step, and tokens are filled in
    directly rather than through ``Token()``. The terminals still come from
    ``grammar.lark``, the one source of truth; the tokens and errors are those of Lark's
    basic lexer, positions aside: Lark counts only ``\n`` (``tests/dsl/test_lexer.py``
    checks that).
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
        self.ignore = frozenset(conf.ignore)
        # Skipping spaces inside the next match is only sound when whitespace is ignored.
        skips_spaces = any(
            t.name in self.ignore and re.fullmatch(t.pattern.to_regexp(), " \t")
            for t in terminals
        )
        # A last alternative takes any character no terminal matches, so every position
        # matches and a scan never skips text: that character is where lexing fails.
        parts.append(f"(?P<{_UNEXPECTED}>(?s:.))")
        alternation = "|".join(parts)
        self.scanner = re.compile(
            rf"{_NOT_BREAK_SPACE}*(?:{alternation})" if skips_spaces else alternation,
            conf.g_regex_flags,
        )
        self.special = self.ignore | {_UNEXPECTED}
        self.allowed = frozenset(t.name for t in terminals) - self.ignore

    def lex(self, lexer_state: LexerState, parser_state: Any) -> Iterator[Token]:
        source = lexer_state.text
        text: str = source.text if hasattr(source, "text") else source  # type: ignore[assignment]
        pos: int = getattr(source, "start", 0)
        end: int = getattr(source, "end", len(text))
        keywords, owners, special = self.keywords, self.keyword_owner, self.special
        fill, new_str = _FILL_TOKENS, str.__new__
        line, line_start = 1, 0
        for found in self.scanner.finditer(text, pos, end):  # back to back, see __init__
            kind = found.lastgroup
            assert kind is not None
            start, pos = found.span(kind)
            if kind in special:
                if kind == _UNEXPECTED:
                    raise UnexpectedCharacters(  # type: ignore[no-untyped-call]
                        text, start, line, start - line_start + 1, allowed=self.allowed,
                        state=parser_state,
                    )
                for found in LINE_BREAK.finditer(text, start, pos):
                    line, line_start = line + 1, found.end()
                continue
            value = text[start:pos]
            if kind in owners:
                kind = keywords.get(value.lower(), kind)
            column = start - line_start + 1
            if fill:  # what Token(kind, value, start, line, column, line, ...) makes
                token = new_str(Token, value)
                token.type = kind
                token.value = value
                token.start_pos = start
                token.line = token.end_line = line
                token.column = column
                token.end_column = column + pos - start
                token.end_pos = pos
                yield token
            else:  # a Lark whose tokens have other fields
                yield Token(kind, value, start, line, column, line, column + pos - start, pos)
