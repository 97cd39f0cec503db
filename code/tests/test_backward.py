"""backward, backward_loop, backward_via_jacobian: known values, out=, dtypes, agreement."""

import numpy as np
import pytest
from hypothesis import given
from numpy.testing import assert_allclose, assert_array_equal
from property_strategies import probs_and_grad, tol

import softmax_derivative as sd

pytestmark = pytest.mark.filterwarnings("error")

ALL = [sd.backward, sd.backward_loop, sd.backward_via_jacobian]
S4 = np.array([0.1, 0.2, 0.3, 0.4])


# ---------------------------------------------------------------- known values


@pytest.mark.parametrize("function", ALL)
def test_unit_gradient_picks_a_row_of_the_jacobian(function):
    # grad = e_1: dz_k = s_k (delta_1k - s_1) = row 1 of diag(s) - s s^T
    assert_allclose(function(S4, [1.0, 0.0, 0.0, 0.0]), [0.09, -0.02, -0.03, -0.04], rtol=1e-14)


@pytest.mark.parametrize("function", ALL)
def test_known_value_by_hand(function):
    # <g, s> = 0.1 + 0.4 + 0.9 + 1.6 = 3; dz = s * (g - 3) = [-0.2, -0.2, 0, 0.4]
    g = np.array([1.0, 2.0, 3.0, 4.0])
    assert_allclose(function(S4, g), [-0.2, -0.2, 0.0, 0.4], rtol=1e-14, atol=1e-16)


@pytest.mark.parametrize("function", ALL)
def test_constant_upstream_gradient_gives_zero(function):
    # adding c to every dL/dS_j changes nothing: the softmax outputs always sum to 1
    assert_allclose(function(S4, np.full(4, 7.5)), np.zeros(4), rtol=0, atol=1e-15)


@pytest.mark.parametrize("function", ALL)
def test_batch_rows_are_independent(function):
    s = np.array([[0.5, 0.5], [0.25, 0.75], [1.0, 0.0]])
    g = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, -1.0]])
    # row 0: 0.5*(1 - 0.5) = 0.25, 0.5*(0 - 0.5) = -0.25
    # row 1: <g,s> = 1.5: [0.25*(0 - 1.5), 0.75*(2 - 1.5)] = [-0.375, 0.375]
    # row 2: s one-hot: the softmax is flat there, so the gradient vanishes
    expected = [[0.25, -0.25], [-0.375, 0.375], [0.0, 0.0]]
    assert_allclose(function(s, g), expected, rtol=1e-15, atol=1e-16)


@pytest.mark.parametrize("function", ALL)
def test_single_class_gradient_is_zero(function):
    assert_array_equal(function(np.array([[1.0], [1.0]]), np.array([[3.0], [-2.0]])), 0.0)


@pytest.mark.parametrize("function", [sd.backward, sd.backward_via_jacobian])
def test_3d_input(function):
    rng = np.random.default_rng(2)
    s = sd.softmax(rng.normal(size=(2, 3, 5)))
    g = rng.normal(size=(2, 3, 5))
    result = function(s, g)
    assert result.shape == (2, 3, 5)
    for a in range(2):
        for b in range(3):
            assert_allclose(result[a, b], sd.jacobian(s[a, b]) @ g[a, b], rtol=1e-12)


def test_backward_loop_rejects_3d_input_naming_s():
    s = np.full((2, 3, 4), 0.25)
    with pytest.raises(ValueError, match=r"^s must have shape \(N, L\) or \(L,\)"):
        sd.backward_loop(s, np.zeros_like(s))


@pytest.mark.parametrize("function", ALL)
def test_1d_input_keeps_its_shape(function):
    assert function(S4, np.ones(4)).shape == (4,)


def test_backward_matches_the_gradient_of_a_weighted_sum_of_softmax():
    z = np.array([[0.5, -1.0, 2.0], [0.0, 0.0, 3.0]])
    g = np.array([[1.0, -2.0, 0.5], [0.0, 4.0, 1.0]])
    numeric = sd.numerical_jacobian(lambda x: np.sum(g * sd.softmax(x)), z)
    assert_allclose(sd.backward(sd.softmax(z), g), numeric, rtol=0, atol=1e-9)


# ---------------------------------------------------------------- out=


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_out_is_filled_and_returned(dtype):
    s = np.array([[0.1, 0.2, 0.3, 0.4], [0.5, 0.5, 0.0, 0.0]], dtype=dtype)
    g = np.array([[1.0, 2.0, 3.0, 4.0], [1.0, 0.0, 0.0, 0.0]], dtype=dtype)
    out = np.full(s.shape, np.nan, dtype=dtype)
    result = sd.backward(s, g, out=out)
    assert result is out
    expected = [[-0.2, -0.2, 0.0, 0.4], [0.25, -0.25, 0.0, 0.0]]
    assert_allclose(out, expected, rtol=tol(dtype), atol=tol(dtype))


def test_out_may_be_grad():
    g = np.array([1.0, 2.0, 3.0, 4.0])
    result = sd.backward(S4, g, out=g)
    assert result is g
    assert_allclose(g, [-0.2, -0.2, 0.0, 0.4], rtol=1e-14, atol=1e-16)


def test_out_may_be_s():
    s = S4.copy()
    result = sd.backward(s, np.array([1.0, 2.0, 3.0, 4.0]), out=s)
    assert result is s
    assert_allclose(s, [-0.2, -0.2, 0.0, 0.4], rtol=1e-14, atol=1e-16)


def test_out_of_the_wrong_shape_is_rejected():
    with pytest.raises(ValueError, match=r"^out must have shape \(4,\), got \(1, 4\)"):
        sd.backward(S4, np.ones(4), out=np.zeros((1, 4)))


def test_out_of_the_wrong_dtype_is_rejected():
    # float32 with float32 gives float32: a float64 out is refused
    s32, g32 = S4.astype(np.float32), np.ones(4, np.float32)
    with pytest.raises(TypeError, match=r"^out must have dtype float32, got float64"):
        sd.backward(s32, g32, out=np.zeros(4))
    # float32 with float64 gives float64
    with pytest.raises(TypeError, match=r"^out must have dtype float64, got float32"):
        sd.backward(s32, np.ones(4), out=np.zeros(4, np.float32))


def test_out_that_is_not_an_array_is_rejected():
    with pytest.raises(TypeError, match=r"^out must be a NumPy array, got list"):
        sd.backward(S4, np.ones(4), out=[0.0] * 4)


# ---------------------------------------------------------------- dtypes, inputs, NaN


@pytest.mark.parametrize("function", ALL)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_dtype_is_kept(function, dtype):
    assert function(S4.astype(dtype), np.ones(4, dtype)).dtype == dtype


@pytest.mark.parametrize("function", ALL)
def test_mixed_float32_and_float64_promote_to_float64(function):
    assert function(S4.astype(np.float32), np.ones(4)).dtype == np.float64
    assert function(S4, np.ones(4, np.float32)).dtype == np.float64


@pytest.mark.parametrize("function", ALL)
def test_integer_inputs_become_float64(function):
    result = function(np.array([0, 1, 0]), np.array([1, 2, 3]))
    assert result.dtype == np.float64
    assert_array_equal(result, 0.0)  # one-hot s: zero gradient
    assert_allclose(function(S4, np.array([1, 2, 3, 4])), [-0.2, -0.2, 0, 0.4], atol=1e-15)


@pytest.mark.parametrize("function", ALL)
def test_inputs_are_not_modified(function):
    s = np.array([[0.1, 0.2, 0.7], [0.5, 0.5, 0.0]])
    g = np.array([[1.0, -2.0, 3.0], [0.5, 0.0, -1.0]])
    s_before, g_before = s.copy(), g.copy()
    result = function(s, g)
    assert_array_equal(s, s_before)
    assert_array_equal(g, g_before)
    assert not np.shares_memory(result, s) and not np.shares_memory(result, g)


@pytest.mark.parametrize("function", ALL)
def test_nan_propagates_to_its_row_only(function):
    """A NaN row of ``s`` (the softmax of a NaN row) or a NaN in ``grad`` gives a NaN row."""
    s = sd.softmax(np.array([[np.nan, 0.0, 1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 3.0]]))
    g = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [np.nan, 0.0, 0.0]])
    result = function(s, g)
    assert np.all(np.isnan(result[0])) and np.all(np.isnan(result[2]))
    assert_allclose(result[1], sd.backward(s[1], g[1]), rtol=1e-15)


# ---------------------------------------------------------------- properties


def _reference(s, grad):
    """J^T g in float64 with an explicit matrix product."""
    s64, g64 = s.astype(np.float64), grad.astype(np.float64)
    J = s64[..., :, None] * np.eye(s.shape[-1]) - s64[..., :, None] * s64[..., None, :]
    return np.einsum("...kj,...k->...j", J, g64)


def _close(actual, expected, grad, dtype):
    t = tol(dtype)
    scale = max(1.0, float(np.max(np.abs(grad), initial=0.0)))
    assert_allclose(actual, expected, rtol=t, atol=t * scale)


@given(probs_and_grad())
def test_all_three_agree_with_jacobian_times_vector(args):
    s, grad = args
    reference = _reference(s, grad)
    fast = sd.backward(s, grad)
    assert fast.dtype == s.dtype and fast.shape == s.shape
    _close(fast, reference, grad, s.dtype)
    _close(sd.backward_via_jacobian(s, grad), reference, grad, s.dtype)
    _close(np.einsum("...jk,...k->...j", sd.jacobian(s), grad), reference, grad, s.dtype)
    if s.ndim <= 2:
        _close(sd.backward_loop(s, grad), reference, grad, s.dtype)


@given(probs_and_grad())
def test_gradient_is_orthogonal_to_all_ones(args):
    # the rows of J sum to 0, so the logits' gradient always sums to 0 per row
    s, grad = args
    dz = sd.backward(s, grad)
    scale = max(1.0, float(np.max(np.abs(grad), initial=0.0)))
    assert_allclose(dz.sum(axis=-1), 0.0, rtol=0, atol=tol(s.dtype) * scale)


@given(probs_and_grad(dtype=np.float64, logit_bound=10.0, max_leading_dims=1, max_L=12))
def test_backward_matches_central_differences(args):
    s, grad = args
    z = np.log(s)  # softmax(log s) = s, so z is a set of logits for s

    def weighted_sum(x):
        return np.sum(grad * sd.softmax(x))

    numeric = sd.numerical_jacobian(weighted_sum, z, eps=1e-5)
    scale = max(1.0, float(np.max(np.abs(grad))))
    assert_allclose(sd.backward(s, grad), numeric, rtol=0, atol=1e-8 * scale)
