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


@lru_cache
def _log_spread(dtype: np.dtype) -> float:
    """The widest block :func:`log_softmax` shifts by one maximum: 64 in float64, 16 in
    float32 (0 in float16: one shift only for rows of equal logits).

    With a shift ``c`` other than the row maximum, ``(z - c) - log(sum(exp(z - c)))`` carries
    a rounding error of a few eps times ``|z - c|``. Bounded so, it stays below about 200 eps
    in float64: relative to a row's largest magnitude (at least log 2 when L >= 2), 1e-13 at
    most, far inside the 1e-12 the kernels promise."""
    return {np.float64: 64.0, np.float32: 16.0}.get(dtype.type, 0.0)


def _log_shift(block: np.ndarray) -> tuple[np.ndarray | np.floating, bool, bool]:
    """The shift of :func:`log_softmax`: one for the block when its logits are finite, rows
    are short (from 2 to :data:`~softmax_derivative._kernels.LONG_ROW` entries) and the
    spread is at most :func:`_log_spread`; else the row maxima of :func:`_row_shift`.
    Returns ``(shift, irregular, one_shift)``.

    On short rows the row maxima and the subtraction of a column cost more than the block's
    maximum and minimum, a scalar subtraction and the final clamp to 0; on long rows they
    do not."""
    if block.size and 1 < block.shape[-1] < k.LONG_ROW:
        hi, lo = block.max(), block.min()
        if np.isfinite(hi) and np.isfinite(lo) and hi <= lo + _log_spread(block.dtype):
            return hi, False, True
    return (*_row_shift(block), False)


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
    old_bufsize = k.unbuffered_rows(z.shape[-1])
    try:
        for rows in k.blocks(*z_rows.shape, z.itemsize):
            z_block, e = z_rows[rows], result_rows[rows]
            shift, irregular = _block_shift(z_block)
            np.subtract(z_block, shift, out=e)
            np.exp(e, out=e)
            with _quiet(irregular):
                np.divide(e, k.row_sums(e, ones)[:, None], out=e)
    finally:
        if old_bufsize is not None:
            np.setbufsize(old_bufsize)
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
    warning, as in :func:`softmax`. Computed block by block like :func:`softmax`; on rows
    shorter than 256 whose block's logits lie within 64 of each other (16 in float32) the
    block's maximum is the shift of every row, which saves the row-by-row maxima, and the
    result is clamped to at most 0 (the top entry of a row may round to a hair above).

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
    length = z.shape[-1]
    scratch = np.empty((min(k.rows_per_block(length, z.itemsize), len(z_rows)), length), z.dtype)
    old_bufsize = k.unbuffered_rows(length)
    try:
        for rows in k.blocks(*z_rows.shape, z.itemsize):
            z_block, shifted = z_rows[rows], result_rows[rows]
            shift, irregular, one_shift = _log_shift(z_block)
            np.subtract(z_block, shift, out=shifted)
            e = np.exp(shifted, out=scratch[: len(shifted)])
            with _quiet(irregular):
                log_norm = np.log(k.row_sums(e, ones))
                np.subtract(shifted, log_norm[:, None], out=shifted)
            if one_shift:  # a row's top entry may round to a hair above 0
                np.minimum(shifted, 0, out=shifted)
    finally:
        if old_bufsize is not None:
            np.setbufsize(old_bufsize)
    return k.finish(result, out)
