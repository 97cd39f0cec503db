"""softmax, log_softmax: known values, out=, numerics (overflow, -inf, NaN, dtype), properties."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from property_strategies import float_dtypes, logits, shapes, tol

import softmax_derivative as sd

# Any warning (an overflow, 0/0, log 0) fails a test unless the test says otherwise.
pytestmark = pytest.mark.filterwarnings("error")

LN = np.log


# ---------------------------------------------------------------- known values


def test_softmax_of_equal_logits_is_uniform():
    assert_allclose(sd.softmax(np.zeros(4)), np.full(4, 0.25), rtol=0, atol=1e-16)
    assert_allclose(sd.softmax(np.full(5, -7.5)), np.full(5, 0.2), rtol=0, atol=1e-16)


def test_softmax_of_log_probabilities_gives_them_back():
    # e^{ln p_j} / sum_l e^{ln p_l} = p_j when the p_l sum to 1
    p = np.array([0.1, 0.2, 0.3, 0.4])
    assert_allclose(sd.softmax(LN(p)), p, rtol=1e-15)
    assert_allclose(sd.softmax(np.array([0.0, LN(3.0)])), [0.25, 0.75], rtol=1e-15)


def test_softmax_known_value_by_hand():
    # [1, 2, 3]: e^1 / (e^1 + e^2 + e^3) etc.
    e = math.e
    denominator = e + e**2 + e**3
    expected = [e / denominator, e**2 / denominator, e**3 / denominator]
    assert_allclose(sd.softmax([1.0, 2.0, 3.0]), expected, rtol=1e-15)


def test_softmax_single_class_is_one():
    assert_array_equal(sd.softmax(np.array([123.0])), [1.0])
    assert_array_equal(sd.softmax(np.array([[-5.0], [7.0]])), [[1.0], [1.0]])


def test_softmax_acts_on_each_row_of_a_batch():
    z = np.array([[0.0, LN(3.0)], [0.0, 0.0], [LN(4.0), 0.0]])
    expected = np.array([[0.25, 0.75], [0.5, 0.5], [0.8, 0.2]])
    assert_allclose(sd.softmax(z), expected, rtol=1e-15)


def test_softmax_acts_on_the_last_axis_of_a_3d_array():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(2, 3, 5))
    s = sd.softmax(z)
    assert s.shape == z.shape
    for a in range(2):
        for b in range(3):
            row = np.exp(z[a, b]) / np.exp(z[a, b]).sum()
            assert_allclose(s[a, b], row, rtol=1e-14)


def test_log_softmax_known_values():
    assert_allclose(sd.log_softmax(np.array([0.0, LN(3.0)])), [LN(0.25), LN(0.75)], rtol=1e-15)
    # log S_j = z_j - log sum_l e^{z_l}
    z = np.array([1.0, 2.0, 3.0])
    lse = math.log(math.exp(1) + math.exp(2) + math.exp(3))
    assert_allclose(sd.log_softmax(z), z - lse, rtol=1e-15)
    assert_array_equal(sd.log_softmax(np.array([4.0])), [0.0])


def test_log_softmax_of_a_batch_and_3d():
    z = np.arange(24.0).reshape(2, 3, 4) / 5
    expected = np.log(np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True))
    assert_allclose(sd.log_softmax(z), expected, rtol=1e-13)


def test_log_softmax_stays_finite_where_log_of_softmax_is_minus_inf():
    z = np.array([0.0, -1000.0])
    with np.errstate(divide="ignore"):
        naive = np.log(sd.softmax(z))
    assert naive[1] == -np.inf  # the naive route underflows
    assert_array_equal(sd.log_softmax(z), [0.0, -1000.0])


# ---------------------------------------------------------------- out=


@pytest.mark.parametrize("function", [sd.softmax, sd.log_softmax])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_out_is_filled_and_returned(function, dtype):
    z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, -1.0]], dtype=dtype)
    out = np.full(z.shape, np.nan, dtype=dtype)
    result = function(z, out=out)
    assert result is out
    assert_allclose(out, function(z), rtol=tol(dtype))


@pytest.mark.parametrize("function", [sd.softmax, sd.log_softmax])
def test_out_may_be_the_input(function):
    z = np.array([[1.0, 2.0, 3.0], [5.0, -1.0, 0.0]])
    expected = function(z)
    result = function(z, out=z)
    assert result is z
    assert_allclose(z, expected, rtol=1e-15)


@pytest.mark.parametrize("function", [sd.softmax, sd.log_softmax])
def test_out_of_the_wrong_shape_is_rejected(function):
    z = np.zeros((2, 3))
    out = np.zeros((3, 2))
    with pytest.raises(ValueError, match=r"^out must have shape \(2, 3\), got \(3, 2\)"):
        function(z, out=out)
    assert_array_equal(out, 0.0)  # nothing written


@pytest.mark.parametrize("function", [sd.softmax, sd.log_softmax])
def test_out_of_the_wrong_dtype_is_rejected(function):
    with pytest.raises(TypeError, match=r"^out must have dtype float64, got float32"):
        function(np.zeros(3), out=np.zeros(3, dtype=np.float32))
    # integer logits give float64, so an integer out cannot hold the result
    with pytest.raises(TypeError, match=r"^out must have dtype float64, got int64"):
        function(np.arange(3), out=np.zeros(3, dtype=np.int64))


@pytest.mark.parametrize("function", [sd.softmax, sd.log_softmax])
def test_out_that_is_not_an_array_is_rejected(function):
    with pytest.raises(TypeError, match=r"^out must be a NumPy array, got list"):
        function(np.zeros(3), out=[0.0, 0.0, 0.0])


# ---------------------------------------------------------------- numerics


@pytest.mark.parametrize(
    "z",
    [
        [1e300, 0.0, -1e300],
        [1e300, 1e300],
        [-1e300, -1e300, -1e300],
        [-1e300, 0.0],
        [1e300, 1e300 * (1 - 1e-15)],
    ],
)
def test_huge_logits_never_overflow(z):
    z = np.array(z)
    s = sd.softmax(z)  # warnings are errors here: no overflow, no 0/0
    log_s = sd.log_softmax(z)
    assert np.all(np.isfinite(s)) and np.all(np.isfinite(log_s))
    assert s.sum() == pytest.approx(1.0, abs=1e-15)
    assert np.all(log_s <= 0)


def test_huge_logits_values():
    assert_array_equal(sd.softmax(np.array([1e300, 0.0, -1e300])), [1.0, 0.0, 0.0])
    assert_array_equal(sd.softmax(np.array([1e300, 1e300])), [0.5, 0.5])
    assert_array_equal(sd.softmax(np.array([-1e300, -1e300])), [0.5, 0.5])
    assert_array_equal(sd.log_softmax(np.array([1e300, 0.0, -1e300])), [0.0, -1e300, -2e300])


def test_huge_float32_logits_never_overflow():
    z = np.array([1e38, 0.0, -1e38], dtype=np.float32)
    assert_array_equal(sd.softmax(z), np.array([1.0, 0.0, 0.0], dtype=np.float32))
    assert np.all(np.isfinite(sd.log_softmax(z)))


def test_minus_inf_logit_gives_exactly_zero():
    z = np.array([[0.0, -np.inf, 0.0], [-np.inf, 1.0, 1.0]])
    s = sd.softmax(z)
    assert s[0, 1] == 0.0 and s[1, 0] == 0.0
    assert_allclose(s[0], [0.5, 0.0, 0.5], rtol=1e-15)
    assert_allclose(s[1], [0.0, 0.5, 0.5], rtol=1e-15)
    log_s = sd.log_softmax(z)
    assert log_s[0, 1] == -np.inf and log_s[1, 0] == -np.inf
    assert_allclose(log_s[0, [0, 2]], [LN(0.5), LN(0.5)], rtol=1e-15)


def test_only_one_unmasked_logit_gets_probability_one():
    z = np.array([-np.inf, 42.0, -np.inf])
    assert_array_equal(sd.softmax(z), [0.0, 1.0, 0.0])
    assert_array_equal(sd.log_softmax(z), [-np.inf, 0.0, -np.inf])


def test_fully_masked_row_is_nan_and_other_rows_are_unaffected():
    """A row of only -inf has no distribution: its softmax is 0/0 = NaN (as in PyTorch)."""
    z = np.array([[-np.inf, -np.inf, -np.inf], [0.0, LN(3.0), -np.inf]])
    with np.errstate(invalid="ignore", divide="ignore"):
        s = sd.softmax(z)
        log_s = sd.log_softmax(z)
    assert np.all(np.isnan(s[0]))
    assert np.all(np.isnan(log_s[0]))
    assert_allclose(s[1], [0.25, 0.75, 0.0], rtol=1e-15)
    assert_allclose(log_s[1], [LN(0.25), LN(0.75), -np.inf], rtol=1e-15)


@pytest.mark.parametrize("function", [sd.softmax, sd.log_softmax])
def test_fully_masked_row_raises_no_warning(function):
    # a RuntimeWarning would fail any book cell that masks a whole row
    z = np.array([[-np.inf, -np.inf], [0.0, 1.0]])
    result = function(z)  # warnings are errors
    assert np.all(np.isnan(result[0]))


@pytest.mark.parametrize("function", [sd.softmax, sd.log_softmax])
def test_nan_propagates_to_its_row_only(function):
    """A NaN logit makes its whole row NaN (NumPy convention), silently; other rows are exact."""
    z = np.array([[0.0, np.nan, 1.0], [0.0, LN(3.0), -np.inf], [np.nan, np.nan, np.nan]])
    result = function(z)  # no warning either
    assert np.all(np.isnan(result[0])) and np.all(np.isnan(result[2]))
    assert_array_equal(result[1], function(z[1]))
    assert not np.any(np.isnan(result[1]))


@pytest.mark.parametrize("function", [sd.softmax, sd.log_softmax])
def test_nan_row_with_a_huge_logit_raises_no_warning(function):
    # a row whose maximum is NaN must not be left unshifted: exp(1e300) would overflow
    z = np.array([[1.0, -np.inf, 3.0], [1e300, 0.0, np.nan], [1e300, np.nan, 0.0]])
    result = function(z)  # warnings are errors
    assert np.all(np.isnan(result[1:]))
    assert_allclose(result[0], function(z[0]), rtol=1e-15)


@pytest.mark.parametrize("function", [sd.softmax, sd.log_softmax])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_dtype_is_kept(function, dtype):
    z = np.array([[1.0, 2.0, 3.0]], dtype=dtype)
    assert function(z).dtype == dtype


@pytest.mark.parametrize("function", [sd.softmax, sd.log_softmax])
@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint8])
def test_integer_input_becomes_float64(function, dtype):
    z = np.array([0, 1, 2], dtype=dtype)
    result = function(z)
    assert result.dtype == np.float64
    assert_allclose(result, function(np.array([0.0, 1.0, 2.0])), rtol=1e-15)


@pytest.mark.parametrize("function", [sd.softmax, sd.log_softmax])
def test_lists_are_accepted(function):
    assert_allclose(function([[0, 0], [1, 1]]), function(np.zeros((2, 2))), rtol=1e-15)


@pytest.mark.parametrize("function", [sd.softmax, sd.log_softmax])
def test_input_is_not_modified_and_result_is_new(function):
    z = np.array([[1.0, -np.inf, 3.0], [1e300, 0.0, -1e300], [np.nan, 0.0, 1.0]])
    before = z.copy()
    result = function(z)
    assert_array_equal(z, before)
    assert not np.shares_memory(result, z)


# ---------------------------------------------------------------- properties


@given(logits())
def test_wide_logits_give_a_distribution_and_its_finite_log(z):
    """Logits up to +-1e300 (float64) or +-1e38 (float32): no overflow (warnings are errors)."""
    s, log_s = sd.softmax(z), sd.log_softmax(z)
    assert s.dtype == log_s.dtype == z.dtype and s.shape == log_s.shape == z.shape
    # softmax: a distribution
    assert np.all(np.isfinite(s))
    assert np.all((s >= 0) & (s <= 1))
    L = z.shape[-1]
    assert_allclose(s.sum(axis=-1), 1.0, rtol=0, atol=L * np.finfo(z.dtype).eps)
    # the largest logit gets the largest probability
    rows, top = s.reshape(-1, L), z.reshape(-1, L).argmax(axis=-1)
    assert np.all(rows[np.arange(len(top)), top] == rows.max(axis=-1))
    # log_softmax: finite and <= 0 everywhere, even where softmax underflows to 0
    assert np.all(np.isfinite(log_s))
    assert np.all(log_s <= 0)
    # log_softmax == log(softmax) where that is finite and not subnormal (subnormal
    # probabilities have lost their relative accuracy)
    normal = s >= np.finfo(z.dtype).tiny
    t = tol(z.dtype)
    assert_allclose(log_s[normal], np.log(s[normal]), rtol=t, atol=t)
    # exp(log S) == S: the absolute error of log S (~ eps |log S|) becomes a relative one;
    # below the smallest normal float only an absolute accuracy is left
    assert_allclose(np.exp(log_s), s, rtol=10 * t, atol=np.finfo(z.dtype).tiny)


@given(logits(bound=1e3), st.floats(-1e3, 1e3))
def test_softmax_is_shift_invariant(z, c):
    c = z.dtype.type(c)
    shifted = sd.softmax(z + c)
    # z + c rounds each logit by up to eps * (|z| + |c|); S moves by at most about twice that
    eps = np.finfo(z.dtype).eps
    atol = 4 * eps * (np.max(np.abs(z), initial=0) + abs(c) + 1)
    assert_allclose(shifted, sd.softmax(z), rtol=0, atol=atol)
    assert_allclose(sd.log_softmax(z + c), sd.log_softmax(z), rtol=tol(z.dtype), atol=2 * atol)


@given(shapes(), float_dtypes())
def test_equal_logits_give_uniform_probabilities(shape, dtype):
    s = sd.softmax(np.full(shape, 3.25, dtype=dtype))
    assert_allclose(s, 1 / shape[-1], rtol=tol(dtype))


@given(logits(dtype=np.float64, max_L=20), st.data())
def test_minus_inf_logits_get_zero_probability(z, data):
    L = z.shape[-1]
    mask = data.draw(st.lists(st.booleans(), min_size=L, max_size=L).filter(lambda m: not all(m)))
    masked = np.where(mask, -np.inf, z)
    s = sd.softmax(masked)
    assert np.all(s[..., np.array(mask)] == 0.0)
    assert np.all(sd.log_softmax(masked)[..., np.array(mask)] == -np.inf)
    # the rest is the softmax of the unmasked logits alone
    keep = ~np.array(mask)
    assert_allclose(s[..., keep], sd.softmax(z[..., keep]), rtol=1e-12, atol=1e-300)
