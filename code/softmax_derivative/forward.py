"""The softmax function and its logarithm, computed stably along the last axis."""

from __future__ import annotations

import numpy as np

from ._validation import as_float_array, check_out

__all__ = ["softmax", "log_softmax"]


def _row_max(z: np.ndarray) -> np.ndarray:
    """The shift of each row: its maximum (as a column), or 0 where the maximum is infinite.

    A fully masked row (all ``-inf``) or a ``+inf`` logit then gives NaN through 0/0 or
    inf/inf instead of ``-inf - (-inf)``; a NaN maximum is kept, so a NaN row stays NaN
    without evaluating ``exp`` of its other, possibly huge, logits.
    """
    m = z.max(axis=-1, keepdims=True)
    m[np.isinf(m)] = 0
    return m


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

    Four passes over memory (maximum, subtraction and ``exp``, sum, division); the fused
    loop of :func:`softmax_derivative.fused.softmax` makes one. ``out`` may be ``z``.

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
    z = as_float_array(z, "z")
    check_out(out, z.shape, z.dtype)
    e = np.exp(z - _row_max(z), out=out)
    with np.errstate(invalid="ignore"):  # 0/0, inf/inf: fully masked or +inf rows
        return np.divide(e, e.sum(axis=-1, keepdims=True), out=e)


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
    warning, as in :func:`softmax`.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative import log_softmax
    >>> log_softmax(np.array([1.0, 2.0, 3.0]))
    array([-2.40760596, -1.40760596, -0.40760596])
    >>> log_softmax(np.array([0.0, -1000.0]))  # log(softmax) would give -inf
    array([    0., -1000.])
    """
    z = as_float_array(z, "z")
    check_out(out, z.shape, z.dtype)
    shifted = z - _row_max(z)
    with np.errstate(divide="ignore", invalid="ignore"):  # fully masked or +inf rows
        log_norm = np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        return np.subtract(shifted, log_norm, out=out)
