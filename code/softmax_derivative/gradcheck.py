"""Derivatives by central differences, and a check that compares them with a formula."""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np

from ._validation import as_float_array

__all__ = [
    "GradientCheckError",
    "numerical_jacobian",
    "relative_error",
    "check_gradient",
]


class GradientCheckError(AssertionError):
    """An analytic derivative disagrees with its finite-difference estimate."""


def numerical_jacobian(f: Callable, z, eps: float = 1e-6) -> np.ndarray:
    r"""Derivative of ``f`` at ``z`` by central differences, in float64.

    Parameters
    ----------
    f : callable
        Maps an array of the shape of ``z`` to an array (or a scalar).
    z : array_like
        The point. It is not modified.
    eps : float, optional
        The step :math:`h`. The error is :math:`O(h^2)` from truncation plus
        :math:`O(\varepsilon_{\text{mach}}/h)` from rounding; about
        :math:`\varepsilon_{\text{mach}}^{1/3} \approx 10^{-5}` balances them.

    Returns
    -------
    J : ndarray, shape ``f(z).shape + z.shape``
        ``J[a, b] = (f(z + h e_b)[a] - f(z - h e_b)[a]) / (2h)``: the numerator layout,
        so a vector function of a vector gives the usual ``(M, L)`` Jacobian and a scalar
        function gives the gradient, of the shape of ``z``.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative import numerical_jacobian, jacobian, softmax
    >>> z = np.array([1.0, 2.0, 3.0])
    >>> J = numerical_jacobian(softmax, z)
    >>> bool(np.allclose(J, jacobian(softmax(z)), atol=1e-9))
    True
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real):
        raise TypeError(f"eps must be a real number, got {type(eps).__name__}")
    if not np.isfinite(eps) or eps <= 0:
        raise ValueError(f"eps must be a positive finite step, got {eps}")
    z = as_float_array(z, "z").astype(np.float64)  # a private copy
    out_shape = np.shape(f(z.copy()))
    J = np.empty(out_shape + z.shape)
    for b in np.ndindex(z.shape):
        original = z[b]
        z[b] = original + eps
        f_plus = np.asarray(f(z.copy()), dtype=np.float64)
        z[b] = original - eps
        f_minus = np.asarray(f(z.copy()), dtype=np.float64)
        z[b] = original
        J[(Ellipsis, *b)] = (f_plus - f_minus) / (2 * eps)
    return J


def relative_error(actual, expected, floor: float | None = None) -> float:
    r"""Largest difference between two arrays, relative to their size.

    Parameters
    ----------
    actual, expected : array_like
        Arrays of the same shape.
    floor : float, optional
        ``None`` (the default) measures normwise: the largest difference relative to the
        largest entry of either array,

        .. math:: \frac{\max_i |a_i - e_i|}{\max(\max_i|a_i|, \max_i|e_i|)}.

        A positive ``floor`` measures elementwise: each entry relative to its own size,
        but never to less than ``floor``,

        .. math:: \max_i \frac{|a_i - e_i|}{\max(|a_i|, |e_i|, \text{floor})}.

    Returns
    -------
    error : float
        Two all-zero arrays have relative error 0; a NaN in either array gives NaN.

    Notes
    -----
    The normwise error does not see entries far below the largest one: with a largest
    entry of 1, an entry of :math:`10^{-9}` may be off by 100 % and the error is
    :math:`10^{-9}`. The elementwise error sees every entry down to ``floor``; below it
    the difference counts on the scale of ``floor``, so that the rounding noise of a
    finite-difference estimate in an entry that is (nearly) zero does not count as
    large.

    Examples
    --------
    >>> from softmax_derivative import relative_error
    >>> round(relative_error([1.0, 2.0], [1.0, 2.002]), 6)
    0.000999
    >>> a, e = [1.0, 2e-9], [1.0, 1e-9]  # the small entry is off by a factor of 2
    >>> relative_error(a, e) < 1e-8
    True
    >>> relative_error(a, e, floor=1e-12)
    0.5
    """
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if a.shape != e.shape:
        raise ValueError(f"actual has shape {a.shape} but expected has shape {e.shape}")
    if floor is not None:
        _check_floor(floor)
    return float(np.max(_scaled_differences(a, e, floor), initial=0.0))


def _scaled_differences(a: np.ndarray, e: np.ndarray, floor: float | None) -> np.ndarray:
    """``|a - e|`` on the scale of :func:`relative_error`, entry by entry."""
    if floor is not None:
        return np.abs(a - e) / np.maximum(np.maximum(np.abs(a), np.abs(e)), floor)
    # np.maximum, not max(): the builtin drops a NaN in its second argument
    scale = np.maximum(np.max(np.abs(a), initial=0.0), np.max(np.abs(e), initial=0.0))
    return np.abs(a - e) / (scale if scale > 0 else 1.0)  # 0 or NaN: the raw differences


def _check_floor(floor) -> None:
    if isinstance(floor, bool) or not isinstance(floor, numbers.Real):
        raise TypeError(f"floor must be a real number or None, got {type(floor).__name__}")
    if not np.isfinite(floor) or floor <= 0:
        raise ValueError(f"floor must be positive and finite, got {floor}")


def check_gradient(
    f: Callable,
    analytic,
    z,
    eps: float = 1e-6,
    rtol: float = 1e-6,
    floor: float | None = None,
) -> float:
    """Compare a claimed derivative of ``f`` at ``z`` with central differences.

    Parameters
    ----------
    f : callable
        The function (scalar- or array-valued).
    analytic : array_like
        The claimed derivative at ``z``: the gradient (shape of ``z``) for a scalar ``f``,
        the Jacobian ``(M, L)`` for a vector ``f``, as :func:`numerical_jacobian` lays out.
    z : array_like
        The point.
    eps : float, optional
        Finite-difference step.
    rtol : float, optional
        Largest relative error accepted.
    floor : float, optional
        ``None`` (the default) compares normwise; a positive value compares entry by
        entry, each relative to its own size but never to less than ``floor`` (see
        :func:`relative_error`). Choose ``floor`` so that ``rtol * floor`` lies above the
        rounding noise of the estimate, about ``1e-16 * |f| / eps``.

    Returns
    -------
    error : float
        The :func:`relative_error` of ``analytic`` against the estimate.

    Raises
    ------
    GradientCheckError
        If the error exceeds ``rtol``; the message gives the error and the worst entry.

    Notes
    -----
    The default, normwise check measures every difference against the largest entry, so
    it cannot see an error in entries far below it (a peaked softmax, a masked class): a
    derivative that is wrong only in entries smaller than ``rtol`` times the largest one
    passes. Give a ``floor`` to check each entry on its own scale.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative import check_gradient, jacobian, softmax
    >>> z = np.array([0.5, -1.0, 2.0])
    >>> check_gradient(softmax, jacobian(softmax(z)), z) < 1e-8
    True
    >>> check_gradient(softmax, -jacobian(softmax(z)), z)
    Traceback (most recent call last):
    ...
    softmax_derivative.gradcheck.GradientCheckError: analytic derivative disagrees ...

    A derivative wrong only in its tiny entries passes the normwise check; the
    elementwise one finds it:

    >>> A = np.diag([1.0, 1e-9])  # f(x) = A x has the derivative A
    >>> wrong = np.diag([1.0, 2e-9])
    >>> check_gradient(lambda x: A @ x, wrong, np.ones(2)) < 1e-6
    True
    >>> check_gradient(lambda x: A @ x, wrong, np.ones(2), floor=1e-6)
    Traceback (most recent call last):
    ...
    softmax_derivative.gradcheck.GradientCheckError: analytic derivative disagrees ...
    """
    if floor is not None:
        _check_floor(floor)
    numeric = numerical_jacobian(f, z, eps)
    analytic = np.asarray(analytic, dtype=np.float64)
    if analytic.shape != numeric.shape:
        raise ValueError(
            f"analytic must have shape {numeric.shape} (f's output shape + z's shape), "
            f"got {analytic.shape}"
        )
    diff = _scaled_differences(analytic, numeric, floor)
    error = float(np.max(diff, initial=0.0))
    if not error <= rtol:  # also catches NaN
        worst = np.unravel_index(np.argmax(np.where(np.isnan(diff), np.inf, diff)), diff.shape)
        kind = "relative error" if floor is None else f"elementwise error (floor {floor:g})"
        raise GradientCheckError(
            f"analytic derivative disagrees with central differences: {kind} "
            f"{error:.3g} > rtol {rtol:g}; worst entry {tuple(map(int, worst))}: analytic "
            f"{analytic[worst]:.6g}, numerical {numeric[worst]:.6g}"
        )
    return error
