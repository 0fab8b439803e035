"""The one exception hierarchy of successkit.

Every error successkit raises for bad input derives from :class:`SuccesskitError`, and each
concrete class also derives from the builtin it resembles, so ``except ValueError`` keeps
working in code that does not know about successkit::

    SuccesskitError
    ├── DataError        (ValueError)   bad input data: names the column, account or row
    ├── ModelError       (ValueError)   an inconsistent model, scheme, roadmap or playbook
    └── RuleError                        a problem in playbook text: line, column, caret
        ├── RuleSyntaxError (ValueError)
        ├── RuleNameError   (LookupError)
        └── RuleTypeError   (TypeError)

Constructor arguments become attributes, and the message is rendered from them in one place,
so every positioned error looks the same.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "DataError",
    "ModelError",
    "RuleError",
    "RuleNameError",
    "RuleSyntaxError",
    "RuleTypeError",
    "SuccesskitError",
    "render_position",
]


class SuccesskitError(Exception):
    """Root of every error raised by successkit.

    Examples
    --------
    >>> import successkit as sk
    >>> issubclass(sk.DataError, sk.SuccesskitError)
    True
    """

    def __init__(self, message: str, **context: Any) -> None:
        self.message = message
        self._context = context
        for key, value in context.items():
            setattr(self, key, value)
        super().__init__(message)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword context must survive pickling (errors cross process boundaries under dask).
        return (_rebuild, (type(self), self.message, self._context))


def _rebuild(cls: type[SuccesskitError], message: str, context: dict[str, Any]) -> Any:
    return cls(message, **context)


def _quote(value: object) -> str:
    return repr(value) if isinstance(value, str) else str(value)


class DataError(SuccesskitError, ValueError):
    """Bad input data: the message names the column and the first offending account or row.

    Parameters
    ----------
    message:
        What is wrong, in plain language.
    column:
        The column at fault, if any.
    account:
        The id of the first offending account, if any.
    row:
        The 0-based position of the first offending row (for inputs without account ids,
        such as event tables), if any.

    Examples
    --------
    >>> import successkit as sk
    >>> err = sk.DataError("infinite value", column="arr", account="acme")
    >>> print(err)
    column 'arr', account 'acme': infinite value
    >>> err.column, err.account
    ('arr', 'acme')
    >>> isinstance(err, ValueError)
    True
    """

    column: str | None
    account: str | None
    row: int | None

    def __init__(
        self,
        message: str,
        *,
        column: str | None = None,
        account: str | None = None,
        row: int | None = None,
    ) -> None:
        super().__init__(message, column=column, account=account, row=row)

    def __str__(self) -> str:
        where = []
        if self.column is not None:
            where.append(f"column {_quote(self.column)}")
        if self.account is not None:
            where.append(f"account {_quote(self.account)}")
        if self.row is not None:
            where.append(f"row {self.row}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ModelError(SuccesskitError, ValueError):
    """An inconsistent model definition (scheme, metric, health model, roadmap, touch model).

    Parameters
    ----------
    message:
        What is wrong.
    where:
        The part of the model at fault, e.g. ``"metric 'login_rate'"`` or ``"stage 'operation'"``.

    Examples
    --------
    >>> import successkit as sk
    >>> print(sk.ModelError("cuts must increase", where="metric 'login_rate'"))
    metric 'login_rate': cuts must increase
    """

    where: str | None

    def __init__(self, message: str, *, where: str | None = None) -> None:
        super().__init__(message, where=where)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def render_position(
    message: str,
    *,
    line: int | None,
    column: int | None,
    end_column: int | None = None,
    source: str | None = None,
) -> str:
    """Render a positioned message: ``line L, column C: message``, the line, and a caret.

    ``line`` and ``column`` are 1-based; ``end_column`` is exclusive. The caret row is
    padded with the characters of the quoted line (tabs kept, wide East Asian characters
    counted twice) so it stays under the fault in a terminal.

    Examples
    --------
    >>> print(render_position("unknown name 'login_rat'", line=1, column=6, end_column=15,
    ...                       source="when login_rat < 30% then contact_admin"))
    line 1, column 6: unknown name 'login_rat'
      when login_rat < 30% then contact_admin
           ^^^^^^^^^
    """
    if line is None or column is None:
        return message
    head = f"line {line}, column {column}: {message}"
    if source is None:
        return head
    lines = source.splitlines()
    if not 1 <= line <= len(lines):
        return head
    text = lines[line - 1]
    start = min(max(column - 1, 0), len(text))
    stop = start + 1 if end_column is None else min(max(end_column - 1, start + 1), len(text))
    pad = "".join("\t" if ch == "\t" else " " * _display_width(ch) for ch in text[:start])
    width = max(1, _display_width(text[start:stop]))
    return f"{head}\n  {text}\n  {pad}{'^' * width}"


class RuleError(SuccesskitError):
    """A problem in playbook text, located by line and column.

    ``str(error)`` quotes the offending line with a caret under the fault. When a check
    finds several problems they are raised together: ``errors`` holds every one of them
    (the raised error first), and the message lists them all.

    Parameters
    ----------
    message:
        What is wrong.
    line, column:
        1-based position of the fault, when known.
    end_column:
        1-based exclusive end of the fault on the same line, for a wider caret.
    source:
        The playbook text, to quote the line.
    hint:
        A plain-language suggestion appended to the message.

    Examples
    --------
    >>> import successkit as sk
    >>> err = sk.RuleSyntaxError("expected 'then'", line=1, column=22,
    ...                          source="when login_rate < 30% contact_admin")
    >>> print(err)
    line 1, column 22: expected 'then'
      when login_rate < 30% contact_admin
                           ^
    >>> (err.line, err.column)
    (1, 22)
    """

    line: int | None
    column: int | None
    end_column: int | None
    source: str | None
    hint: str | None

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        end_column: int | None = None,
        source: str | None = None,
        hint: str | None = None,
        **context: Any,
    ) -> None:
        super().__init__(
            message,
            line=line,
            column=column,
            end_column=end_column,
            source=source,
            hint=hint,
            **context,
        )
        self.errors: tuple[RuleError, ...] = (self,)

    def render(self) -> str:
        """This error alone, rendered with its quoted line and caret."""
        text = self.message if self.hint is None else f"{self.message} ({self.hint})"
        return render_position(
            text,
            line=self.line,
            column=self.column,
            end_column=self.end_column,
            source=self.source,
        )

    def __str__(self) -> str:
        return "\n".join(error.render() for error in self.errors)

    @staticmethod
    def collect(errors: Iterable[RuleError]) -> RuleError:
        """Combine several errors into one raisable error of the first one's class.

        Errors are ordered by position, so the report reads top to bottom.

        Examples
        --------
        >>> import successkit as sk
        >>> a = sk.RuleNameError("unknown name 'x'", line=2, column=6, name="x")
        >>> b = sk.RuleTypeError("cannot compare", line=1, column=6)
        >>> err = sk.RuleError.collect([a, b])
        >>> type(err).__name__, len(err.errors)
        ('RuleTypeError', 2)
        """
        ordered = sorted(errors, key=lambda e: (e.line or 0, e.column or 0))
        if not ordered:
            raise ValueError("collect() needs at least one error")
        first = ordered[0]
        combined = _rebuild(type(first), first.message, first._context)
        combined.errors = (combined, *ordered[1:])
        return combined  # type: ignore[no-any-return]


class RuleSyntaxError(RuleError, ValueError):
    """Playbook text that does not parse (also: nesting or length limits exceeded).

    Examples
    --------
    >>> import successkit as sk
    >>> issubclass(sk.RuleSyntaxError, ValueError)
    True
    """


class RuleNameError(RuleError, LookupError):
    """A rule refers to a name the data does not have; ``suggestion`` is the closest match.

    Examples
    --------
    >>> import successkit as sk
    >>> err = sk.RuleNameError("unknown name 'login_rat'", name="login_rat",
    ...                        suggestion="login_rate")
    >>> err.name, err.suggestion
    ('login_rat', 'login_rate')
    """

    name: str | None
    suggestion: str | None

    def __init__(
        self,
        message: str,
        *,
        name: str | None = None,
        suggestion: str | None = None,
        **position: Any,
    ) -> None:
        super().__init__(message, name=name, suggestion=suggestion, **position)


class RuleTypeError(RuleError, TypeError):
    """A rule combines values of incompatible kinds (e.g. a category with a number).

    Examples
    --------
    >>> import successkit as sk
    >>> issubclass(sk.RuleTypeError, TypeError)
    True
    """


def did_you_mean(name: str, candidates: Sequence[str]) -> str | None:
    """The closest candidate to ``name``, or ``None`` when nothing is close.

    Examples
    --------
    >>> did_you_mean("login_rat", ["login_rate", "arr"])
    'login_rate'
    """
    import difflib

    if not isinstance(name, str):  # a wrong kind of name: the caller's error says so
        return None
    # Compare case-insensitively (``ID`` for ``id``) but suggest the name as written.
    by_folded: dict[str, str] = {}
    for candidate in candidates:
        by_folded.setdefault(candidate.casefold(), candidate)
    matches = difflib.get_close_matches(name.casefold(), list(by_folded), n=1, cutoff=0.6)
    return by_folded[matches[0]] if matches else None


def did_you_mean_suffix(name: str, candidates: Sequence[str]) -> str:
    """``"; did you mean '<closest>'?"`` to end an error message with, or ``""`` when no
    candidate is close (see :func:`did_you_mean`).

    Examples
    --------
    >>> "no column 'login_rat'" + did_you_mean_suffix("login_rat", ["login_rate", "arr"])
    "no column 'login_rat'; did you mean 'login_rate'?"
    >>> did_you_mean_suffix("zzz", ["login_rate"])
    ''
    """
    hint = did_you_mean(name, candidates)
    return f"; did you mean {hint!r}?" if hint else ""
