"""The softmax function and its logarithm, computed stably along the last axis."""

from __future__ import annotations

from contextlib import nullcontext
from functools import lru_cache

import numpy as np

from . import _kernels as k
from ._validation import check_out

__all__ = ["softmax", "log_softmax"]


def _row_shift(block: np.ndarray) -> tuple[np.ndarray, bool]:
    """Row maxima of ``block`` as a column: 0 where a maximum is infinite (no shift).

    A NaN maximum is kept: the row becomes NaN without an overflow warning from its other
    entries (``exp(1e300)``). The flag is True if some maximum was not finite.
    """
    m = k.row_max(block)
    irregular = not np.isfinite(m).all()
    if irregular:
        np.copyto(m, 0, where=np.isinf(m))
    return m[:, None], irregular


def _quiet(irregular: bool):
    """Silence the 0/0, inf/inf and log(0) of fully masked or +inf rows (they give NaN)."""
    return np.errstate(divide="ignore", invalid="ignore") if irregular else nullcontext()


def _block_shift(block: np.ndarray) -> tuple[np.ndarray | np.floating, bool]:
    """One shift for the whole block when that is as safe as one per row, else :func:`_row_shift`.

    Any shift gives the same softmax; it only has to keep ``exp`` from overflowing and each
    row's largest term from underflowing. The block maximum does both when every entry lies
    within :func:`_safe_spread` of it, and costs two fast whole-block reductions instead of
    a row-by-row maximum and a broadcast subtraction. The flag says whether the block may
    hold non-finite values (then its row sums may be 0 or infinite).
    """
    if block.size:
        hi, lo = block.max(), block.min()
        if np.isfinite(hi) and np.isfinite(lo) and hi <= lo + _safe_spread(block.dtype):
            return hi, False
    return _row_shift(block)


@lru_cache
def _safe_spread(dtype: np.dtype) -> float:
    """How far below the shift a logit may lie and still have a normal (not subnormal) exp."""
    return -0.9 * float(np.log(np.finfo(dtype).tiny))


def softmax(z, out: np.ndarray | None = None) -> np.ndarray:
    r"""Softmax along the last axis.

    Parameters
    ----------
    z : array_like, shape (..., L)
        Logits. Any leading shape; a batch is ``(N, L)``. Integers are converted to float64;
        float32 stays float32.
    out : ndarray, optional
        Array of the same shape and dtype as the result to write into.

    Returns
    -------
    s : ndarray, shape (..., L)
        Probabilities: every entry in [0, 1], every row summing to 1.

    Notes
    -----
    .. math::

        S_{i,j} = \frac{e^{z_{i,j}}}{\sum_{l=1}^{L} e^{z_{i,l}}}
                = \frac{e^{z_{i,j} - m_i}}{\sum_{l=1}^{L} e^{z_{i,l} - m_i}},
        \qquad m_i = \max_l z_{i,l}.

    Subtracting the row maximum changes nothing mathematically (softmax is shift invariant)
    but keeps every exponent at most 0, so logits of :math:`\pm 10^{300}` never overflow
    [1]_. A logit of ``-inf`` (a masked class) gets probability exactly 0. NaN in a row
    makes that row NaN, as NumPy does; a row whose logits are all ``-inf`` (fully masked)
    is NaN too, and a ``+inf`` logit gives NaN, without a RuntimeWarning.

    The rows are processed in blocks that stay in cache, so the array is read from memory
    once and written once; the row sums are a BLAS matrix-vector product. When all the
    logits of a block lie within about 600 (float64; 78 for float32) of the block's
    maximum, that one maximum is the shift of every row (no overflow, no subnormal
    results), which saves a row-by-row pass. ``out`` may be ``z`` itself.

    References
    ----------
    .. [1] P. Blanchard, D. J. Higham and N. J. Higham, "Accurately computing the
       log-sum-exp and softmax functions", IMA J. Numer. Anal. 41(4), 2021.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative import softmax
    >>> softmax(np.array([1.0, 2.0, 3.0]))
    array([0.09003057, 0.24472847, 0.66524096])
    >>> softmax(np.array([1e300, 0.0, -np.inf]))
    array([1., 0., 0.])
    """
    z = k.floats(z, "z")
    if out is not None:
        check_out(out, z.shape, z.dtype)
    result, result_rows = k.output_rows(out, z.shape, z.dtype, z)
    z_rows = k.input_rows(z)
    ones = k.ones_for(z)
    for rows in k.blocks(*z_rows.shape):
        z_block, e = z_rows[rows], result_rows[rows]
        shift, irregular = _block_shift(z_block)
        np.subtract(z_block, shift, out=e)
        np.exp(e, out=e)
        with _quiet(irregular):
            np.divide(e, k.row_sums(e, ones)[:, None], out=e)
    return k.finish(result, out)


def log_softmax(z, out: np.ndarray | None = None) -> np.ndarray:
    r"""Logarithm of the softmax along the last axis, without forming the softmax.

    Parameters
    ----------
    z : array_like, shape (..., L)
        Logits.
    out : ndarray, optional
        Array of the same shape and dtype as the result to write into.

    Returns
    -------
    log_s : ndarray, shape (..., L)
        :math:`\log S_{i,j}`, every entry at most 0.

    Notes
    -----
    .. math::

        \log S_{i,j} = (z_{i,j} - m_i) - \log \sum_{l=1}^{L} e^{z_{i,l} - m_i}.

    ``log(softmax(z))`` underflows to ``-inf`` once a probability drops below the smallest
    float; this form stays finite, which is why cross-entropy is computed from logits.
    A ``-inf`` logit gives ``-inf``; NaN and fully masked rows give NaN rows, without a
    warning, as in :func:`softmax`. Computed block by block like :func:`softmax`.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative import log_softmax
    >>> log_softmax(np.array([1.0, 2.0, 3.0]))
    array([-2.40760596, -1.40760596, -0.40760596])
    >>> log_softmax(np.array([0.0, -1000.0]))  # log(softmax) would give -inf
    array([    0., -1000.])
    """
    z = k.floats(z, "z")
    if out is not None:
        check_out(out, z.shape, z.dtype)
    result, result_rows = k.output_rows(out, z.shape, z.dtype, z)
    z_rows = k.input_rows(z)
    ones = k.ones_for(z)
    scratch = np.empty((min(k.rows_per_block(z.shape[-1]), len(z_rows)), z.shape[-1]), z.dtype)
    for rows in k.blocks(*z_rows.shape):
        z_block, shifted = z_rows[rows], result_rows[rows]
        shift, irregular = _row_shift(z_block)
        np.subtract(z_block, shift, out=shifted)
        e = np.exp(shifted, out=scratch[: len(shifted)])
        with _quiet(irregular):
            log_norm = np.log(k.row_sums(e, ones))
            np.subtract(shifted, log_norm[:, None], out=shifted)
    return k.finish(result, out)
