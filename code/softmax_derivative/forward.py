"""The softmax function and its logarithm, computed stably along the last axis."""

from __future__ import annotations

import numpy as np

from ._validation import as_float_array, check_out

__all__ = ["softmax", "log_softmax"]


def _shifted(z: np.ndarray) -> np.ndarray:
    """``z`` minus its row maximum; rows whose maximum is not finite are not shifted."""
    z_max = np.max(z, axis=-1, keepdims=True)
    z_max = np.where(np.isfinite(z_max), z_max, 0)
    return z - z_max


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
    makes that row NaN, as NumPy does.

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
    if out is not None:
        check_out(out, z.shape, z.dtype)
    e = np.exp(_shifted(z), out=out)
    e /= e.sum(axis=-1, keepdims=True)
    return e


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
    A ``-inf`` logit gives ``-inf``.

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
    if out is not None:
        check_out(out, z.shape, z.dtype)
    shifted = _shifted(z)
    log_norm = np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return np.subtract(shifted, log_norm, out=out)
