"""Matching and grouping text labels through hashes, always confirmed on the text."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from successkit.data import _text_keys
from successkit.data._text_keys import factorize, hash_text, match

_labels = st.text(alphabet="ab-é日", max_size=4)


def _exact_match(query: np.ndarray, known: np.ndarray) -> list[int]:
    where = {label: i for i, label in enumerate(known.tolist())}
    return [where.get(label, -1) for label in query.tolist()]


def test_hash_ignores_array_width() -> None:
    narrow = np.array(["a", "日本"])
    wide = np.array(["a", "日本"], dtype="<U30")
    assert hash_text(narrow).tolist() == hash_text(wide).tolist()
    assert hash_text(np.array(["ab", "ba"]))[0] != hash_text(np.array(["ab", "ba"]))[1]
    assert hash_text(np.zeros(0, dtype="<U3")).shape == (0,)


@given(st.lists(_labels, max_size=40), st.lists(_labels, max_size=10, unique=True))
def test_match_small(query: list[str], known: list[str]) -> None:
    q = np.array(query, dtype=str)
    k = np.array(known, dtype=str)
    assert match(q, k).tolist() == _exact_match(q, k)


@pytest.fixture(params=["real", "weak"])
def hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The real hash, or one that collides on purpose (first character only), to exercise
    the checks that confirm every hash match on the text."""
    monkeypatch.setattr(_text_keys, "_SMALL", 0)
    if request.param == "weak":
        monkeypatch.setattr(
            _text_keys, "hash_text",
            lambda values: np.asarray(values).astype("<U1").view(np.uint32).astype(np.uint64),
        )
    return str(request.param)


def test_match_large_and_with_collisions(hashing: str) -> None:
    rng = np.random.default_rng(1)
    known = np.array([f"k{i}" for i in range(200)])
    query = np.concatenate([known[rng.integers(0, 200, 500)], np.array(["zz", "k", "k2000"])])
    assert match(query, known).tolist() == _exact_match(query, known)


def test_factorize_large_and_with_collisions(hashing: str) -> None:
    rng = np.random.default_rng(2)
    values = np.array([f"u{i}" for i in rng.integers(0, 300, 2_000)])
    codes, labels = factorize(values)
    assert labels[codes].tolist() == values.tolist()
    assert len(set(labels.tolist())) == len(labels) == len(set(values.tolist()))


@given(st.lists(_labels, max_size=60))
def test_factorize_groups_equal_labels(values: list[str]) -> None:
    array = np.array(values, dtype=str)
    codes, labels = factorize(array)
    assert labels[codes].tolist() == array.tolist()
    assert len(labels) == len(set(values))


def test_a_hash_match_with_other_text_is_no_match(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_text_keys, "_SMALL", 0)
    monkeypatch.setattr(
        _text_keys, "hash_text",
        lambda values: np.asarray(values).astype("<U1").view(np.uint32).astype(np.uint64),
    )
    known = np.array([chr(0x100 + i) + "-known" for i in range(40)])  # distinct hashes
    query = np.array([chr(0x100 + i) + suffix for i in range(40) for suffix in ("-known", "-x")])
    assert match(query, known).tolist() == _exact_match(query, known)


@pytest.mark.parametrize("spread", [None, 0], ids=["table", "one-slot"])
@given(st.lists(_labels, min_size=1, max_size=300), st.integers(1, 40))
def test_factorize_compact_in_blocks_matches_a_dict(
    spread: int | None, values: list[str], block: int
) -> None:
    """Many small blocks, a sample that misses labels and (``spread=0``) one table slot that
    all sampled hashes share: every row still gets its own label's code, and only that."""
    array = np.array(values * 3, dtype=str)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_text_keys, "_SMALL", 0)
        patch.setattr(_text_keys, "_BLOCK", block)
        if spread is not None:
            patch.setattr(_text_keys, "_SPREAD", np.uint64(spread))
        codes, labels = _text_keys.factorize_compact(array)
    assert labels[codes].tolist() == array.tolist()
    assert sorted(labels.tolist()) == sorted(set(values))


def test_factorize_compact_with_colliding_hashes_falls_back_to_the_text() -> None:
    """Labels that share a hash in the table and among the missed rows are never merged."""
    values = np.array([f"{c}{i}" for i in range(50) for c in "ab"] * 40)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_text_keys, "_SMALL", 0)
        patch.setattr(_text_keys, "_BLOCK", 64)
        patch.setattr(_text_keys, "hash_text", lambda v: np.asarray(v).astype("<U1").view(
            np.uint32).astype(np.uint64))
        codes, labels = _text_keys.factorize_compact(values)
    assert labels[codes].tolist() == values.tolist()
    assert len(labels) == 100


def test_factorize_compact_checks_the_rows_the_sample_missed() -> None:
    """Two labels the sample never sees share a hash (their length): still two labels."""
    values = np.array(["x" if i % 8 == 0 else ("aa", "bb")[i % 2] for i in range(800)])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_text_keys, "_SMALL", 0)
        patch.setattr(_text_keys, "hash_text",
                      lambda v: np.char.str_len(np.asarray(v)).astype(np.uint64))
        codes, labels = _text_keys.factorize_compact(values)
    assert labels[codes].tolist() == values.tolist()
    assert sorted(labels.tolist()) == ["aa", "bb", "x"]


@pytest.mark.parametrize("weak", [False, True], ids=["real", "colliding"])
def test_factorize_compact_of_mostly_distinct_labels(weak: bool) -> None:
    """Mostly distinct labels (user ids) are grouped by sorting hashes, still exactly."""
    values = np.array([f"{c}{i}" for i in range(600) for c in "ab"] + ["a1", "b7"] * 5)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_text_keys, "_SMALL", 0)
        if weak:  # "a5" and "b5" share a hash: the number after the letter
            patch.setattr(_text_keys, "hash_text", lambda v: np.array(
                [int(x[1:]) for x in np.asarray(v).tolist()], dtype=np.uint64))
        codes, labels = _text_keys.factorize_compact(values)
    assert labels[codes].tolist() == values.tolist()
    assert len(labels) == 1200
