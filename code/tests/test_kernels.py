r"""The fast kernels equal the simple formulas.

``softmax``, ``log_softmax`` and ``backward`` work on blocks of rows, shift a whole block by
one maximum when that is safe, sum short rows with a BLAS matrix-vector product and write
into ``out`` block by block. Here every such path is compared, in float64, with the
one-line NumPy formula it replaces, to 1e-12 relative: elementwise for softmax (positive
values, no cancellation); relative to the largest magnitude of each row for log_softmax;
relative to the size of the terms that make each entry of the backward pass,
:math:`S_k(|g_k| + \sum_j |g_j| S_j)` (an entry may cancel to near 0, where an elementwise
relative error means nothing). Shapes cover block boundaries (with the block size shrunk to
a few rows and with the real one), short and long rows, non-contiguous inputs and ``out=``
aliasing.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import softmax_derivative as sd
from softmax_derivative import _kernels, forward

RTOL = 1e-12


# ---------------------------------------------------------------- the simple formulas


def simple_softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def simple_log_softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def simple_backward(s: np.ndarray, grad: np.ndarray) -> np.ndarray:
    return s * (grad - (grad * s).sum(axis=-1, keepdims=True))


def assert_rowwise_close(actual: np.ndarray, expected: np.ndarray, rtol: float = RTOL) -> None:
    """``|actual - expected| <= rtol * max |expected|`` in every row."""
    assert actual.shape == expected.shape and actual.dtype == expected.dtype
    scale = np.abs(expected).max(axis=-1, keepdims=True)
    assert np.all(np.abs(actual - expected) <= rtol * scale), np.max(
        np.abs(actual - expected) / scale
    )


def assert_backward_close(
    actual: np.ndarray, s: np.ndarray, grad: np.ndarray, rtol: float = RTOL
) -> None:
    """Compare with :func:`simple_backward`, relative to the terms each entry sums."""
    s64, grad64 = s.astype(np.float64), grad.astype(np.float64)
    expected = simple_backward(s64, grad64)
    assert actual.shape == expected.shape
    scale = s64 * (np.abs(grad64) + (np.abs(grad64) * s64).sum(axis=-1, keepdims=True))
    error = np.abs(actual.astype(np.float64) - expected)
    assert np.all(error <= rtol * scale), np.max(error / scale)


def logits(shape, seed=0, scale=3.0, dtype=np.float64) -> np.ndarray:
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(dtype)


def probabilities_and_gradient(shape, seed=0, dtype=np.float64):
    z = logits(shape, seed, dtype=dtype)
    grad = np.random.default_rng(seed + 1).standard_normal(shape).astype(dtype)
    return simple_softmax(z), grad


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of 64 elements, so that a few rows already cross several block boundaries."""
    monkeypatch.setattr(_kernels, "BLOCK_ELEMENTS", 64)


# Short rows (the BLAS and column-by-column paths), the SHORT_ROW boundary, long rows.
LENGTHS = [1, 2, 3, 10, _kernels.SHORT_ROW - 1, _kernels.SHORT_ROW, _kernels.SHORT_ROW + 1, 100]


def batch_sizes(length: int) -> list[int]:
    """Row counts around the block boundaries of the 64-element blocks."""
    per_block = max(1, 64 // length)
    return sorted({1, per_block - 1 or 1, per_block, per_block + 1, 3 * per_block + 1})


SMALL_CASES = [(n, length) for length in LENGTHS for n in batch_sizes(length)]


# ---------------------------------------------------------------- block boundaries


@pytest.mark.parametrize(("n", "length"), SMALL_CASES)
def test_softmax_equals_formula_across_block_boundaries(small_blocks, n, length):
    z = logits((n, length), seed=n + length)
    assert_allclose(sd.softmax(z), simple_softmax(z), rtol=RTOL, atol=0)


@pytest.mark.parametrize(("n", "length"), SMALL_CASES)
def test_log_softmax_equals_formula_across_block_boundaries(small_blocks, n, length):
    z = logits((n, length), seed=n + length)
    assert_rowwise_close(sd.log_softmax(z), simple_log_softmax(z))


@pytest.mark.parametrize(("n", "length"), SMALL_CASES)
def test_backward_equals_formula_across_block_boundaries(small_blocks, n, length):
    s, grad = probabilities_and_gradient((n, length), seed=n + length)
    assert_backward_close(sd.backward(s, grad), s, grad)


# The real block size: rows that fill a block exactly, one row more or less, and rows
# longer than a block (one row per block).
BLOCK = _kernels.BLOCK_ELEMENTS
REAL_CASES = [
    (BLOCK // 10 - 1, 10),
    (BLOCK // 10 + 1, 10),
    (2 * (BLOCK // 1000) + 1, 1000),
    (3, BLOCK - 1),
    (2, BLOCK),
    (3, BLOCK + 1),
    (2, 3 * BLOCK + 7),
]


@pytest.mark.parametrize(("n", "length"), REAL_CASES)
def test_kernels_equal_formulas_at_the_real_block_size(n, length):
    z = logits((n, length), seed=length)
    assert_allclose(sd.softmax(z), simple_softmax(z), rtol=RTOL, atol=0)
    assert_rowwise_close(sd.log_softmax(z), simple_log_softmax(z))
    s, grad = probabilities_and_gradient((n, length), seed=length)
    assert_backward_close(sd.backward(s, grad), s, grad)


# ---------------------------------------------------------------- the shift of a block


def test_block_with_a_wide_spread_falls_back_to_row_maxima(small_blocks):
    # Row 1 lies 2000 above the others: one shift for the block would underflow them.
    z = logits((6, 8), seed=3)
    z[1] += 2000.0
    assert_allclose(sd.softmax(z), simple_softmax(z), rtol=RTOL, atol=0)
    assert np.all(np.isclose(sd.softmax(z).sum(axis=-1), 1.0, rtol=1e-14))


@pytest.mark.parametrize("spread", [1.0, 100.0, 600.0])
def test_one_shift_per_block_stays_within_tolerance(spread):
    # Row offsets up to `spread` within one block: still one shift (below the safe spread).
    z = logits((50, 20), seed=4, scale=1.0)
    z += np.linspace(0, spread, 50)[:, None]
    assert_allclose(sd.softmax(z), simple_softmax(z), rtol=RTOL, atol=0)


def test_huge_and_masked_logits_in_one_block():
    z = np.array([[1e300, 0.0, -np.inf], [-1e300, 1e300, 5.0], [1.0, 2.0, 3.0]])
    expected = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], simple_softmax(z[2])])
    assert_allclose(sd.softmax(z), expected, rtol=RTOL, atol=0)
    assert sd.softmax(z)[0, 2] == 0.0
    assert sd.log_softmax(z)[0, 2] == -np.inf


def test_nan_propagates_through_a_block_to_its_row_only():
    z = logits((5, 7), seed=5)
    z[2, 3] = np.nan
    for result in (sd.softmax(z), sd.log_softmax(z)):
        assert np.all(np.isnan(result[2]))
        assert not np.any(np.isnan(np.delete(result, 2, axis=0)))
    s, grad = probabilities_and_gradient((5, 7), seed=5)
    s[2, 3] = np.nan
    dz = sd.backward(s, grad)
    assert np.all(np.isnan(dz[2])) and not np.any(np.isnan(np.delete(dz, 2, axis=0)))


# ---------------------------------------------------------------- layout


def non_contiguous_views(shape, seed):
    base = logits((shape[0], 2 * shape[1]), seed=seed)
    fortran = np.asfortranarray(logits(shape, seed=seed + 1))
    transposed = logits(shape[::-1], seed=seed + 2).T
    reversed_rows = logits(shape, seed=seed + 3)[::-1]
    return {
        "every other column": base[:, ::2],
        "Fortran order": fortran,
        "transposed": transposed,
        "reversed rows": reversed_rows,
    }


@pytest.mark.parametrize("shape", [(9, 10), (40, 33), (3, 1000)])
def test_non_contiguous_inputs(small_blocks, shape):
    for name, z in non_contiguous_views(shape, seed=shape[1]).items():
        before = z.copy()
        assert_allclose(sd.softmax(z), simple_softmax(z), rtol=RTOL, atol=0, err_msg=name)
        assert_rowwise_close(sd.log_softmax(z), simple_log_softmax(z))
        s = simple_softmax(z)
        grad = z[::-1].copy()
        assert_backward_close(sd.backward(s, grad), s, grad)
        assert_backward_close(sd.backward(s, np.asfortranarray(grad)), s, grad)
        assert_array_equal(z, before)


def test_leading_axes_and_a_single_vector(small_blocks):
    z = logits((3, 4, 5, 6), seed=6)
    assert_allclose(sd.softmax(z), simple_softmax(z), rtol=RTOL, atol=0)
    assert_rowwise_close(sd.log_softmax(z), simple_log_softmax(z))
    s, grad = probabilities_and_gradient((3, 4, 5, 6), seed=6)
    assert_backward_close(sd.backward(s, grad), s, grad)
    v = logits(17, seed=7)
    assert_allclose(sd.softmax(v), simple_softmax(v), rtol=RTOL, atol=0)


def test_empty_batch():
    z = np.empty((0, 5))
    assert sd.softmax(z).shape == (0, 5)
    assert sd.log_softmax(z).shape == (0, 5)
    assert sd.backward(z, z).shape == (0, 5)


# ---------------------------------------------------------------- out= and aliasing


@pytest.mark.parametrize("length", [10, 100])
def test_out_may_be_the_input(small_blocks, length):
    z = logits((13, length), seed=8)
    for function, simple in [(sd.softmax, simple_softmax), (sd.log_softmax, simple_log_softmax)]:
        expected = simple(z)
        buffer = z.copy()
        assert function(buffer, out=buffer) is buffer
        assert_rowwise_close(buffer, expected)


@pytest.mark.parametrize("length", [10, 100])
@pytest.mark.parametrize("alias", ["s", "grad"])
def test_backward_out_may_be_s_or_grad(small_blocks, length, alias):
    s, grad = probabilities_and_gradient((13, length), seed=9)
    buffers = {"s": s.copy(), "grad": grad.copy()}
    result = sd.backward(buffers["s"], buffers["grad"], out=buffers[alias])
    assert result is buffers[alias]
    assert_backward_close(result, s, grad)


def test_out_overlapping_the_input_partly(small_blocks):
    # out starts one row after z in the same buffer: each block must not overwrite the next.
    buffer = logits((11, 10), seed=10)
    z, out = buffer[:-1], buffer[1:]
    expected = simple_softmax(z.copy())
    assert sd.softmax(z, out=out) is out
    assert_allclose(out, expected, rtol=RTOL, atol=0)

    s, grad = probabilities_and_gradient((10, 10), seed=10)
    buffer = np.concatenate([s, s[:1]])
    s_view, out = buffer[:-1], buffer[1:]
    assert sd.backward(s_view, grad, out=out) is out
    assert_backward_close(out, s, grad)


def test_out_not_contiguous(small_blocks):
    z = logits((12, 10), seed=11)
    holder = np.zeros((12, 20))
    out = holder[:, ::2]
    assert sd.softmax(z, out=out) is out
    assert_allclose(holder[:, ::2], simple_softmax(z), rtol=RTOL, atol=0)
    assert np.all(holder[:, 1::2] == 0)
    s, grad = probabilities_and_gradient((12, 10), seed=11)
    assert sd.backward(s, grad, out=out) is out
    assert_backward_close(out, s, grad)


def test_out_does_not_change_the_inputs(small_blocks):
    s, grad = probabilities_and_gradient((20, 10), seed=12)
    s_before, grad_before = s.copy(), grad.copy()
    out = np.empty_like(s)
    sd.backward(s, grad, out=out)
    assert_array_equal(s, s_before)
    assert_array_equal(grad, grad_before)


# ---------------------------------------------------------------- dtypes


@pytest.mark.parametrize(("n", "length"), [(7, 10), (33, 40), (2, 1000)])
def test_float32_stays_float32_and_close_to_float64(small_blocks, n, length):
    z = logits((n, length), seed=13)
    z32 = z.astype(np.float32)
    s32 = sd.softmax(z32)
    assert s32.dtype == np.float32 and sd.log_softmax(z32).dtype == np.float32
    assert_allclose(s32, simple_softmax(z32.astype(np.float64)), rtol=2e-5, atol=1e-7)
    grad32 = logits((n, length), seed=14).astype(np.float32)
    dz32 = sd.backward(s32, grad32)
    assert dz32.dtype == np.float32
    assert_backward_close(dz32, s32, grad32, rtol=1e-5)


def test_mixed_dtypes_promote_like_numpy(small_blocks):
    s, grad = probabilities_and_gradient((9, 10), seed=15)
    result = sd.backward(s.astype(np.float32), grad)
    assert result.dtype == np.float64
    assert_backward_close(result, s.astype(np.float32), grad)


# ---------------------------------------------------------------- the probability check


def test_tiny_negative_probabilities_within_tolerance_pass(small_blocks):
    s, grad = probabilities_and_gradient((9, 10), seed=16)
    s[4, 2] -= 1e-9  # within the tolerance of the check: accepted, as by the simple check
    assert_backward_close(sd.backward(s, grad), s, grad)


@pytest.mark.parametrize("row", [0, 5, 8])
def test_bad_probabilities_in_any_block_are_rejected(small_blocks, row):
    s, grad = probabilities_and_gradient((9, 10), seed=17)
    bad = s.copy()
    bad[row] *= 0.5  # entries in [0, 1], the row sums to 0.5
    with pytest.raises(ValueError, match="s must be probabilities"):
        sd.backward(bad, grad)
    negative = s.copy()
    negative[row, 0] = -0.01
    with pytest.raises(ValueError, match="s must hold probabilities"):
        sd.backward(negative, grad)


def test_logits_passed_as_s_are_reported_before_a_bad_grad():
    z = logits((4, 5), seed=18)
    with pytest.raises(ValueError, match="Did you pass logits"):
        sd.backward(z, np.zeros((4, 6)))


# ---------------------------------------------------------------- long rows, one log shift


@pytest.mark.parametrize(
    "length", [_kernels.LONG_ROW - 1, _kernels.LONG_ROW, _kernels.LONG_ROW + 1, 1000, 9000]
)
def test_long_rows_equal_formulas_and_restore_the_ufunc_buffer(small_blocks, length):
    # Rows from LONG_ROW on run with a ufunc buffer no longer than a row; it is put back.
    before = np.getbufsize()
    z = logits((5, length), seed=length)
    assert_allclose(sd.softmax(z), simple_softmax(z), rtol=RTOL, atol=0)
    assert_rowwise_close(sd.log_softmax(z), simple_log_softmax(z))
    s, grad = probabilities_and_gradient((5, length), seed=length)
    assert_backward_close(sd.backward(s, grad), s, grad)
    with pytest.raises(ValueError, match="Did you pass logits"):
        sd.backward(z, grad)
    assert np.getbufsize() == before


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("spread", [0.0, 5.0, 15.0, 63.0, 65.0, 500.0])
def test_log_softmax_with_one_shift_per_block(dtype, spread):
    # Short rows whose block lies within the spread limit share one shift (64 in float64,
    # 16 in float32); wider blocks fall back to the row maxima. Either way: the formula,
    # and every entry <= 0.
    z = logits((300, 7), seed=19, scale=0.1) + np.linspace(0, spread, 300)[:, None]
    z = z.astype(dtype)
    one_shift = forward._log_shift(z)[2]
    assert one_shift == (z.max() - z.min() <= (64 if dtype == np.float64 else 16))
    result = sd.log_softmax(z)
    assert result.dtype == dtype and np.all(result <= 0)
    expected = simple_log_softmax(z.astype(np.float64))
    rtol = RTOL if dtype == np.float64 else 1e-5
    assert_rowwise_close(result.astype(np.float64), expected, rtol)


def test_log_softmax_top_entry_is_at_most_zero_with_one_shift():
    # A dominant logit: log S of the top entry is -1e-22 or so, rounded to 0, never above.
    z = np.tile([0.0, -50.0, -60.0], (40, 1)) + np.linspace(0, 10, 40)[:, None]
    result = sd.log_softmax(z)
    assert np.all(result <= 0)
    assert_rowwise_close(result, simple_log_softmax(z))
