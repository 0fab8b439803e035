"""A number column read once for binning: counts per fold and band from the sorted runs
match a row-by-row count, and the binary searches of the curve's cuts and the candidate
quantiles read off one sort match numpy's whole-column answers."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from successkit.scoring._cut_points import candidate_cuts, round_significant
from successkit.scoring._number_runs import read_runs
from successkit.scoring._smooth_binning import _first_at_least

columns = st.integers(1, 300).flatmap(lambda n: st.tuples(
    st.lists(st.one_of(st.integers(-5, 40).map(float), st.just(float("nan")),
                       st.floats(-1e6, 1e6)), min_size=n, max_size=n),
    st.lists(st.booleans(), min_size=n, max_size=n),
    st.lists(st.integers(0, 4), min_size=n, max_size=n)))


@given(columns, st.lists(st.integers(-6, 41).map(float), max_size=6))
def test_counts_match_a_row_by_row_count(column: tuple[list[float], list[bool], list[int]],
                                         cut_list: list[float]) -> None:
    values, churned, folds = (np.array(part) for part in column)
    cuts = np.unique(np.array(cut_list, dtype=np.float64))
    runs = read_runs(values, churned, folds, 5)
    n_f, e_f = runs.counts(cuts)
    n_ref = np.zeros((5, cuts.size + 1))
    e_ref = np.zeros((5, cuts.size + 1))
    for value, bad, fold in zip(values.tolist(), churned.tolist(), folds.tolist(),
                                strict=True):  # the plain reference, row by row
        if value != value:
            continue
        band = sum(1 for cut in cuts.tolist() if value >= cut)
        n_ref[fold, band] += 1
        e_ref[fold, band] += bad
    assert np.array_equal(n_f, n_ref)
    assert np.array_equal(e_f, e_ref)
    missing = np.isnan(values)
    assert runs.n_missing == int(missing.sum())
    assert runs.e_missing == int(churned[missing].sum())
    assert np.array_equal(runs.ordered, np.sort(values[~missing]))
    one = read_runs(values, churned, None, 0)  # no folds: one fold
    n_one, e_one = one.counts(cuts)
    assert np.array_equal(n_one[0], n_ref.sum(axis=0))
    assert np.array_equal(e_one[0], e_ref.sum(axis=0))


@given(st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=200),
       st.lists(st.floats(-2e3, 2e3), min_size=1, max_size=8))
def test_binary_search_matches_searchsorted(values: list[float], targets: list[float]) -> None:
    u = np.sort(np.array(values))
    wanted = np.array(targets)
    found = _first_at_least(lambda i: u[i], u.size, wanted)
    assert np.array_equal(found, np.searchsorted(u, wanted, side="left"))


@given(st.lists(st.one_of(st.integers(0, 30).map(float),
                          st.integers(-10**7, 10**7).map(lambda i: i / 1000)),
                min_size=1, max_size=300), st.integers(2, 40))
def test_candidate_cuts_read_numpys_inverted_cdf_quantiles(values: list[float],
                                                           candidates: int) -> None:
    present = np.array(values)
    qs = np.linspace(0.0, 1.0, candidates + 1)[1:-1]
    # The reference: numpy's quantiles of the unsorted column, rounded the same way.
    raw = np.unique(np.quantile(present, qs, method="inverted_cdf"))
    for digits in (2, 3, 4):
        rounded = np.unique(round_significant(raw, digits))
        if rounded.size == raw.size:
            break
    low, high = float(present.min()), float(present.max())
    reference = rounded[(rounded > low) & (rounded <= high)]
    if reference.size == 0 and high > low:
        reference = np.array([float(np.quantile(present, 0.5, method="higher"))])
        if reference[0] <= low:
            reference = np.array([high])
    assert np.array_equal(candidate_cuts(present, candidates), reference)


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=20))
def test_round_significant_is_finite_and_close_for_any_float(values: list[float]) -> None:
    # Extreme magnitudes (1e-308, 1e308) once overflowed the scale and raised a warning.
    array = np.asarray(values, dtype=np.float64)
    rounded = round_significant(array)
    assert np.isfinite(rounded).all()
    assert np.all(np.abs(rounded - array) <= 0.005 * np.abs(array) + 1e-300)
