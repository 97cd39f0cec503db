"""jacobian: known matrices, batches, dtypes, and the matrix properties of diag(s) - s s^T."""

import numpy as np
import pytest
from hypothesis import given
from numpy.testing import assert_allclose, assert_array_equal
from property_strategies import logits, tol

import softmax_derivative as sd

pytestmark = pytest.mark.filterwarnings("error")


def test_two_equal_classes():
    assert_allclose(sd.jacobian(np.array([0.5, 0.5])), [[0.25, -0.25], [-0.25, 0.25]], rtol=0)


def test_four_classes_by_hand():
    # diagonal s_j (1 - s_j), off-diagonal -s_j s_k
    s = np.array([0.1, 0.2, 0.3, 0.4])
    expected = np.array(
        [
            [0.09, -0.02, -0.03, -0.04],
            [-0.02, 0.16, -0.06, -0.08],
            [-0.03, -0.06, 0.21, -0.12],
            [-0.04, -0.08, -0.12, 0.24],
        ]
    )
    assert_allclose(sd.jacobian(s), expected, rtol=1e-14, atol=1e-17)


def test_one_hot_probabilities_give_the_zero_matrix():
    assert_array_equal(sd.jacobian(np.array([0.0, 1.0, 0.0])), np.zeros((3, 3)))


def test_single_class_gives_zero():
    assert_array_equal(sd.jacobian(np.array([1.0])), [[0.0]])


def test_matches_finite_differences_of_softmax():
    z = np.array([0.3, -1.2, 2.0, 0.0, 0.7])
    assert_allclose(
        sd.jacobian(sd.softmax(z)), sd.numerical_jacobian(sd.softmax, z), rtol=0, atol=1e-9
    )


def test_batch_gives_one_matrix_per_row():
    s = np.array([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]])
    J = sd.jacobian(s)
    assert J.shape == (2, 3, 3)
    for i in range(2):
        assert_allclose(J[i], np.diag(s[i]) - np.outer(s[i], s[i]), rtol=1e-15)


def test_3d_input_gives_a_5d_tensor():
    s = sd.softmax(np.random.default_rng(1).normal(size=(2, 3, 4)))
    J = sd.jacobian(s)
    assert J.shape == (2, 3, 4, 4)
    for a in range(2):
        for b in range(3):
            assert_allclose(J[a, b], sd.jacobian(s[a, b]), rtol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_dtype_is_kept(dtype):
    assert sd.jacobian(np.array([0.25, 0.75], dtype=dtype)).dtype == dtype


def test_integer_probabilities_become_float64():
    J = sd.jacobian(np.array([0, 1, 0]))
    assert J.dtype == np.float64
    assert_array_equal(J, np.zeros((3, 3)))


def test_input_is_not_modified():
    s = np.array([[0.1, 0.2, 0.7], [0.5, 0.5, 0.0]])
    before = s.copy()
    J = sd.jacobian(s)
    assert_array_equal(s, before)
    assert not np.shares_memory(J, s)


def test_nan_row_gives_nan_block_only():
    """A NaN row of softmax outputs passes the probability check and gives a NaN block."""
    s = sd.softmax(np.array([[np.nan, 0.0], [0.0, 0.0]]))
    J = sd.jacobian(s)
    assert np.all(np.isnan(J[0]))
    assert_allclose(J[1], [[0.25, -0.25], [-0.25, 0.25]], rtol=0)


def test_probabilities_within_rounding_are_accepted():
    s = sd.softmax(np.linspace(-3, 3, 50))  # sums to 1 up to rounding only
    assert sd.jacobian(s).shape == (50, 50)
    s32 = sd.softmax(np.linspace(-3, 3, 50).astype(np.float32))
    assert sd.jacobian(s32).dtype == np.float32


# ---------------------------------------------------------------- properties


@given(logits(bound=50.0))
def test_jacobian_is_symmetric_with_the_all_ones_vector_in_its_null_space(z):
    s = sd.softmax(z)
    J = sd.jacobian(s)
    assert J.shape == z.shape + z.shape[-1:]
    assert J.dtype == z.dtype
    assert_array_equal(J, np.swapaxes(J, -1, -2))  # -s_j s_k == -s_k s_j exactly
    t = tol(z.dtype)
    # rows and columns sum to 0: J 1 = 0 and 1^T J = 0
    assert_allclose(J.sum(axis=-1), 0.0, rtol=0, atol=t)
    assert_allclose(J.sum(axis=-2), 0.0, rtol=0, atol=t)
    ones = np.ones(z.shape[-1], dtype=z.dtype)
    assert_allclose(J @ ones, 0.0, rtol=0, atol=t)
    assert_allclose(ones @ J, 0.0, rtol=0, atol=t)


@given(logits(bound=50.0))
def test_jacobian_is_positive_semidefinite(z):
    J = sd.jacobian(sd.softmax(z))
    eigenvalues = np.linalg.eigvalsh(J.astype(np.float64))
    assert np.all(eigenvalues >= -tol(z.dtype))
    # singular: the smallest eigenvalue is 0 (the all-ones direction)
    assert_allclose(eigenvalues[..., 0], 0.0, rtol=0, atol=tol(z.dtype))
    # Gershgorin: row j's disc has centre and radius s_j (1 - s_j), so no eigenvalue exceeds 1/2
    assert np.all(eigenvalues <= 0.5 + tol(z.dtype))


@given(logits(bound=50.0))
def test_diagonal_and_off_diagonal_entries(z):
    s = sd.softmax(z)
    J = sd.jacobian(s)
    t = tol(z.dtype)
    diagonal = np.diagonal(J, axis1=-2, axis2=-1)
    # s - s^2 cancels for s near 1: an absolute error of a few eps
    assert_allclose(diagonal, s * (1 - s), rtol=t, atol=4 * np.finfo(z.dtype).eps)
    outer = s[..., :, None] * s[..., None, :]
    L = z.shape[-1]
    off = ~np.eye(L, dtype=bool)
    assert_allclose(J[..., off], -outer[..., off], rtol=t, atol=0)


@given(logits(dtype=np.float64, bound=10.0, max_leading_dims=1, max_side=2, max_L=8))
def test_jacobian_matches_central_differences(z):
    def f(x):
        return sd.softmax(x)

    if z.ndim == 1:
        numeric = sd.numerical_jacobian(f, z)
    else:  # one row at a time: the (N, L, N, L) result is block-diagonal
        numeric = np.stack([sd.numerical_jacobian(f, row) for row in z])
    assert_allclose(sd.jacobian(sd.softmax(z)), numeric, rtol=0, atol=1e-8)
