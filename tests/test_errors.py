"""The error hierarchy and the one renderer for positioned errors."""

from __future__ import annotations

import pickle

import pytest

import successkit as sk
from successkit.errors import did_you_mean, render_position


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (sk.DataError, ValueError),
        (sk.ModelError, ValueError),
        (sk.RuleSyntaxError, ValueError),
        (sk.RuleNameError, LookupError),
        (sk.RuleTypeError, TypeError),
    ],
)
def test_each_error_is_a_successkit_error_and_its_builtin(cls: type, builtin: type) -> None:
    assert issubclass(cls, sk.SuccesskitError)
    assert issubclass(cls, builtin)


def test_rule_errors_share_a_parent() -> None:
    for cls in (sk.RuleSyntaxError, sk.RuleNameError, sk.RuleTypeError):
        assert issubclass(cls, sk.RuleError)
    assert not issubclass(sk.DataError, sk.RuleError)


def test_data_error_names_column_account_and_row() -> None:
    err = sk.DataError("bad value", column="arr", account="acme")
    assert str(err) == "column 'arr', account 'acme': bad value"
    assert (err.column, err.account, err.row) == ("arr", "acme", None)
    assert str(sk.DataError("bad", row=3)) == "row 3: bad"
    assert str(sk.DataError("plain")) == "plain"


def test_model_error_names_where() -> None:
    assert str(sk.ModelError("no metrics", where="group 'roi'")) == "group 'roi': no metrics"


def test_caret_sits_under_the_whole_span() -> None:
    text = render_position(
        "unknown name 'login_rat'; did you mean 'login_rate'?",
        line=1,
        column=6,
        end_column=15,
        source="when login_rat < 30% then contact_admin",
    )
    assert text == (
        "line 1, column 6: unknown name 'login_rat'; did you mean 'login_rate'?\n"
        "  when login_rat < 30% then contact_admin\n"
        "       ^^^^^^^^^"
    )


def test_caret_quotes_the_right_line_of_multi_line_source() -> None:
    source = "# header\nwhen tier = 3 then x"
    text = render_position("cannot compare", line=2, column=6, end_column=10, source=source)
    assert text.splitlines()[1:] == ["  when tier = 3 then x", "       ^^^^"]


def test_caret_counts_wide_characters_twice() -> None:
    source = "when ログイン率 < 30% then 確認"
    text = render_position("bad", line=1, column=12, end_column=15, source=source)
    caret_line = text.splitlines()[2]
    # "when " is 5 columns, the five katakana/kanji take 10: the caret starts at column 16.
    assert caret_line == "  " + " " * 16 + "^" * 3


def test_caret_keeps_tabs_so_it_stays_aligned() -> None:
    text = render_position("bad", line=1, column=2, source="\tx")
    assert text.splitlines()[2] == "  \t^"


def test_position_outside_the_source_still_renders_the_head() -> None:
    assert render_position("m", line=9, column=1, source="one line") == "line 9, column 1: m"
    assert render_position("m", line=None, column=None) == "m"


def test_rule_error_renders_hint_and_attributes() -> None:
    err = sk.RuleSyntaxError(
        "expected 'then'", line=1, column=23, source="when login_rate < 30% x", hint="write then"
    )
    assert str(err).startswith("line 1, column 23: expected 'then' (write then)\n")
    assert err.errors == (err,)


def test_collected_errors_report_all_in_source_order() -> None:
    source = "when a < 1 then x\nwhen b < 1 then y"
    late = sk.RuleNameError("unknown name 'b'", line=2, column=6, source=source, name="b")
    early = sk.RuleNameError("unknown name 'a'", line=1, column=6, source=source, name="a")
    err = sk.RuleError.collect([late, early])
    assert isinstance(err, sk.RuleNameError)
    assert err.name == "a"
    assert [e.line for e in err.errors] == [1, 2]
    assert str(err).count("unknown name") == 2


def test_collect_needs_errors() -> None:
    with pytest.raises(ValueError, match="at least one"):
        sk.RuleError.collect([])


@pytest.mark.parametrize(
    "err",
    [
        sk.DataError("bad", column="c", account="a", row=1),
        sk.ModelError("bad", where="metric 'm'"),
        sk.RuleNameError("bad", line=1, column=2, source="x", name="n", suggestion="m"),
        sk.RuleTypeError("bad", line=3, column=4),
    ],
)
def test_errors_survive_pickling_with_their_context(err: sk.SuccesskitError) -> None:
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is type(err)
    assert str(copy) == str(err)
    assert copy.__dict__.keys() == err.__dict__.keys()


def test_did_you_mean() -> None:
    assert did_you_mean("login_rat", ["login_rate", "arr"]) == "login_rate"
    assert did_you_mean("zzz", ["login_rate"]) is None
