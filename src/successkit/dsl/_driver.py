"""A lean driver loop over Lark's own LALR tables and callbacks.

Lark's ``ParserState.feed_token`` serves every grammar and option, so each step pays for
generality: a rule-object hash and an ``assert`` per reduction, a list slice and two deletes
even for a reduction of one symbol, and a call per ``?rule`` that only passes its one child
through. With the stratified precedence of ``grammar.lark`` most reductions are of that kind
(an operand climbs ``atom → unary → product → sum → …``). This loop runs the same parse
table and calls the same callbacks, with these savings:

* a run of reductions that only pass their child through (Lark's inlined ``?rule``) calls
  nothing and takes one step: where it ends depends only on the state below, so it is
  tabulated once per grammar;
* a reduction of one symbol replaces the top of the stacks in place;
* actions and gotos are looked up in plain dictionaries of strings.

Whatever it does not handle — a token with no action here (a syntax error), a terminal with
a callback, an empty reduction, the end of the text — goes to Lark's own ``feed_token`` with
the stacks exactly as Lark's loop would have left them, so errors carry Lark's parser state
and the parse result is Lark's. It starts from Lark's public ``parse_interactive()``, and if
Lark's parser state ever lacks what it reads, it leaves the whole parse to ``Lark.parse``.
"""

from __future__ import annotations

from typing import Any

from lark import Lark, Token
from lark.exceptions import UnexpectedInput

try:  # Lark internals this loop reads; without them Lark.parse does the work
    from lark.parse_tree_builder import ExpandSingleChild as _PassThrough
    from lark.parsers.lalr_analysis import Shift as _Shift
except ImportError:  # pragma: no cover - a Lark laid out differently
    _PassThrough = _Shift = None  # type: ignore[assignment,misc]

__all__ = ["LalrDriver"]

# Kinds of action in the compiled table.
_SHIFT, _PASS, _UNIT, _REDUCE = 0, 1, 2, 3

# Per parser state: terminal name → (kind, argument); nonterminal name → next state.
_Actions = dict[Any, dict[str, tuple[int, Any]]]
_Gotos = dict[Any, dict[str, Any]]


def _compile(states: dict[Any, dict[Any, tuple[Any, Any]]], callbacks: dict[Any, Any]) -> tuple[
    _Actions, _Gotos
]:
    """Lark's parse table, rewritten for :meth:`LalrDriver.parse`."""
    actions: _Actions = {}
    gotos: _Gotos = {}
    passes: dict[Any, dict[str, str]] = {}  # state → token → nonterminal passed up to
    for key, row in states.items():
        acts: dict[str, tuple[int, Any]] = {}
        goto: dict[str, Any] = {}
        for symbol, (action, arg) in row.items():
            name = str(symbol)
            if action is _Shift:  # on a terminal a shift, on a nonterminal a goto
                goto[name] = arg
                if name not in callbacks:  # a terminal with a callback: Lark shifts it
                    acts[name] = (_SHIFT, arg)
                continue
            size = len(arg.expansion)
            if size == 0:  # an empty reduction (rare): Lark takes that token
                continue
            callback = callbacks[arg]
            origin = str(arg.origin.name)
            if size == 1 and type(callback) is _PassThrough:
                passes.setdefault(key, {})[name] = origin
            elif size == 1:
                acts[name] = (_UNIT, (callback, origin))
            else:
                acts[name] = (_REDUCE, (size, callback, origin))
        actions[key] = acts
        gotos[key] = goto
    # A pass-through reduction leaves the state below in place, so a run of them on one token
    # ends in a state that depends only on the state below: tabulate it for each such state.
    for key, passing in passes.items():
        for terminal, origin in passing.items():
            ends = {}
            for below, goto in gotos.items():
                if origin in goto:
                    state = goto[origin]
                    for _ in states:  # (a run is shorter than the number of states)
                        nxt = passes.get(state, {}).get(terminal)
                        if nxt is None or nxt not in goto:
                            break
                        state = goto[nxt]
                    ends[below] = state
            actions[key][terminal] = (_PASS, ends)
    return actions, gotos


class LalrDriver:
    """Parses with a :class:`~lark.Lark` LALR parser, driving its tables directly."""

    def __init__(self, parser: Lark) -> None:
        self._parser = parser
        self._tables: tuple[Any, _Actions, _Gotos] | None = None

    def _compiled(self, states: Any, callbacks: Any) -> tuple[_Actions, _Gotos]:
        tables = self._tables
        if tables is None or tables[0] is not states:
            actions, gotos = _compile(states, callbacks)
            tables = self._tables = (states, actions, gotos)
        return tables[1], tables[2]

    def parse(self, text: str, start: str) -> Any:
        """What ``parser.parse(text, start=start)`` returns (or raises)."""
        interactive = self._parser.parse_interactive(text, start)
        try:
            state = interactive.parser_state
            conf = state.parse_conf
            state_stack: list[Any] = state.state_stack
            value_stack: list[Any] = state.value_stack
            feed = state.feed_token
            tokens = interactive.lexer_thread.lex(state)  # type: ignore[no-untyped-call]
            if _Shift is None:
                raise AttributeError("Shift")
            actions, gotos = self._compiled(conf.states, conf.callbacks)
        except AttributeError:  # a Lark whose parser state differs (tests/dsl checks)
            return self._parser.parse(text, start=start)
        push_state, push_value = state_stack.append, value_stack.append
        token = None
        try:
            for token in tokens:
                ttype = token.type
                while True:
                    try:
                        kind, arg = actions[state_stack[-1]][ttype]
                    except KeyError:
                        feed(token)  # Lark's own step: it raises the error Lark raises here
                        break
                    if kind == _SHIFT:
                        push_state(arg)
                        push_value(token)
                        break
                    if kind == _PASS:
                        state_stack[-1] = arg[state_stack[-2]]
                    elif kind == _UNIT:
                        callback, origin = arg
                        value_stack[-1] = callback([value_stack[-1]])
                        state_stack[-1] = gotos[state_stack[-2]][origin]
                    else:
                        size, callback, origin = arg
                        children = value_stack[-size:]
                        del state_stack[-size:]
                        del value_stack[-size:]
                        push_value(callback(children))
                        push_state(gotos[state_stack[-1]][origin])
            end = Token.new_borrow_pos("$END", "", token) if token else Token("$END", "", 0, 1, 1)
            return feed(end, True)
        except UnexpectedInput as exc:
            exc.interactive_parser = interactive  # as Lark's own loop does
            raise
