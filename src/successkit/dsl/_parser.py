"""Text → syntax tree: the Lark LALR parser of ``grammar.lark`` and the error translator.

The grammar is loaded once, lazily, from package data. The tree is built while parsing
(Lark's inline transformer), so no intermediate parse tree is made and no step recurses
over the input: deep nesting is caught by a depth limit and reported as a
:class:`~successkit.RuleSyntaxError`, never a ``RecursionError``. Every Lark exception is
caught here and re-raised as a positioned :class:`~successkit.RuleSyntaxError`.

For speed, :mod:`~successkit.dsl._lexer` tokenises and :mod:`~successkit.dsl._driver` runs
Lark's parse table with a leaner loop than Lark's own; both give exactly what Lark's basic
lexer and parse loop give (trees, spans, errors), which ``tests/dsl`` checks.
"""

from __future__ import annotations

import threading
from typing import Any

from lark import Lark
from lark.exceptions import UnexpectedInput

from successkit.dsl import ast
from successkit.dsl._builder import Builder
from successkit.dsl._driver import LalrDriver
from successkit.dsl._lexer import FastLexer
from successkit.dsl._syntax_errors import translate
from successkit.dsl._tree_limits import MAX_DEPTH, MAX_HEIGHT, state
from successkit.errors import RuleSyntaxError, RuleTypeError

__all__ = [
    "MAX_DEPTH",
    "MAX_HEIGHT",
    "MAX_LENGTH",
    "parse_condition",
    "parse_expression",
    "parse_rules",
]

#: The longest text (in characters) the parser accepts.
MAX_LENGTH = 2_000_000

_STARTS = ("playbook", "condition_only", "expression")


# -- the parser -------------------------------------------------------------------------------

_lock = threading.Lock()
_parser: Lark | None = None
_driver: LalrDriver | None = None


def _lark() -> Lark:
    """The Lark parser, built once on first use from the packaged grammar."""
    global _parser, _driver
    if _parser is None:
        with _lock:
            if _parser is None:
                parser = Lark.open_from_package(
                    "successkit.dsl",
                    "grammar.lark",
                    parser="lalr",
                    lexer=FastLexer,
                    start=list(_STARTS),
                    keep_all_tokens=True,
                    maybe_placeholders=False,
                    transformer=Builder(),
                )
                _driver = LalrDriver(parser)
                _parser = parser
    return _parser


def _parse(text: str, start: str) -> Any:
    if not isinstance(text, str):
        raise RuleTypeError(f"rule text must be str, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise RuleSyntaxError(
            f"text is too long ({len(text):,} characters; at most {MAX_LENGTH:,})",
            line=1,
            column=1,
        )
    parser = _lark()
    assert _driver is not None
    state.source = text
    state.depths = {}
    try:
        return _driver.parse(text, start)
    except UnexpectedInput as exc:
        raise translate(exc, text, start, parser) from exc
    except RecursionError:  # belt and braces: the parser itself does not recurse
        raise RuleSyntaxError("nested too deeply", line=1, column=1, source=text) from None
    finally:
        state.source = None
        state.depths = {}


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


def grammar_text() -> str:
    """The text of ``grammar.lark`` (shown in the documentation)."""
    from importlib.resources import files

    return (files("successkit.dsl") / "grammar.lark").read_text(encoding="utf-8")

