"""Fused kernels: :func:`softmax`, :func:`log_softmax` and :func:`backward` as compiled loops.

The functions of :mod:`~softmax_derivative.forward` and :mod:`~softmax_derivative.backward`
are written with NumPy, one call per step of the formula, and each call is a pass over the
whole array in memory. Here each formula is one loop per row, compiled with numba: a row
is read from memory once, its reduction (the maximum, the sum, the dot product) and its
elementwise step run while it sits in the cache, and the result is written once.

Same signatures, checks, errors and results as the NumPy functions (:func:`backward`
checks ``s`` row by row as it computes, see there), plus ``parallel=True``, which shares
the rows among numba's threads (``NUMBA_NUM_THREADS``, :func:`numba.set_num_threads`).
float32 stays float32 (float16 is computed in float32). The loops may reorder their sums
(``fastmath={"reassoc", "contract"}``) so that they run on vector registers, but keep IEEE
infinities and NaN: a ``-inf`` logit gives exactly 0, a NaN row a NaN row. Compiled code
is cached on disk: only a kernel's first call on a new machine compiles it (seconds).

Examples
--------
>>> import numpy as np
>>> from softmax_derivative import fused
>>> s = fused.softmax(np.array([1.0, 2.0, 3.0]))
>>> s
array([0.09003057, 0.24472847, 0.66524096])
>>> fused.backward(s, np.array([0.0, 0.0, 1.0]))
array([-0.05989202, -0.1628034 ,  0.22269543])
>>> fused.log_softmax(np.array([[0.0, -np.inf]]), parallel=True)
array([[  0., -inf]])
"""

from __future__ import annotations

import math

import numpy as np

try:
    import numba
except ImportError as error:  # numba is the package's optional extra `fast`
    raise ImportError(
        "softmax_derivative.fused needs numba: pip install 'softmax-derivative[fast]'"
        " (from the book's repository: pip install './code[fast]')"
    ) from error

from ._validation import (
    as_float_array,
    check_out,
    check_probabilities,
    check_same_shape,
    probability_tolerance,
)

__all__ = ["softmax", "log_softmax", "backward"]

_JIT = {"cache": True, "fastmath": {"reassoc", "contract"}, "error_model": "numpy"}
_jit = numba.njit(**_JIT)
_jit_parallel = numba.njit(parallel=True, **_JIT)


# The exponential, as loops can vectorise it. numba's ``math.exp`` calls the C library
# one number at a time (its LLVM has no vector math library); this one is plain arithmetic
# and bit operations, which the compiler puts on vector registers: x = n ln 2 + r with
# |r| <= ln(2)/2, exp(r) by its Taylor polynomial to degree 13 (truncation error 4e-18),
# and 2^n built from its exponent bits, in two factors so that results down to the
# smallest subnormal are right. Within one rounding of the C library's exp (tested).
_LOG2_E = 1.4426950408889634
_LN2_HIGH, _LN2_LOW = 6.93147180369123816490e-01, 1.90821492927058770002e-10
_ROUND = 6755399441055744.0  # 1.5 * 2**52: adding it rounds to an integer
_ROUND_BITS = int(np.float64(_ROUND).view(np.int64))
_TAYLOR = tuple(1 / math.factorial(k) for k in range(13, -1, -1))


@numba.njit(inline="always", **_JIT)
def _exp(x):
    x = -746.0 if x < -746.0 else x  # exp is 0 below (also for -inf); NaN stays NaN
    x = 710.0 if x > 710.0 else x  # and inf above
    shifted = x * _LOG2_E + _ROUND
    n = shifted - _ROUND
    r = (x - n * _LN2_HIGH) - n * _LN2_LOW
    p = 0.0
    for c in _TAYLOR:
        p = p * r + c
    k = np.float64(shifted).view(np.int64) - _ROUND_BITS
    half = k >> 1
    low = np.int64((half + 1023) << 52).view(np.float64)
    high = np.int64((k - half + 1023) << 52).view(np.float64)
    return p * low * high


# The row kernels. Sums are accumulated in float64 (for float32 rows too: as fast, since
# the loops wait for memory, and more accurate); each row's constant is rounded once to
# the row's dtype, so the elementwise loops run in that dtype.
@_jit
def _shift(z, i):
    """The maximum of row ``i``, or 0 if it is infinite (fully masked or ``+inf``: the row
    is NaN through 0/0 or inf/inf). A NaN is never the maximum; it makes its row NaN.
    Four running maxima, so that the compiler can put them on one vector register."""
    m0 = m1 = m2 = m3 = z[i, 0]
    length = z.shape[1]
    end = length - length % 4
    for j in range(0, end, 4):
        m0 = z[i, j] if z[i, j] > m0 else m0
        m1 = z[i, j + 1] if z[i, j + 1] > m1 else m1
        m2 = z[i, j + 2] if z[i, j + 2] > m2 else m2
        m3 = z[i, j + 3] if z[i, j + 3] > m3 else m3
    for j in range(end, length):
        m0 = z[i, j] if z[i, j] > m0 else m0
    m0 = m1 if m1 > m0 else m0
    m2 = m3 if m3 > m2 else m2
    m = m2 if m2 > m0 else m0
    return m if math.isfinite(m) else z.dtype.type(0)


@_jit
def _softmax_row(z, out, i):
    m = _shift(z, i)
    total = 0.0
    for j in range(z.shape[1]):
        out[i, j] = _exp(np.float64(z[i, j] - m))
        total += out[i, j]
    scale = z.dtype.type(1 / total)
    for j in range(z.shape[1]):
        out[i, j] *= scale


@_jit
def _log_softmax_row(z, out, i):
    m = _shift(z, i)
    total = 0.0
    for j in range(z.shape[1]):
        total += _exp(np.float64(z[i, j] - m))
    log_norm = z.dtype.type(math.log(total))
    for j in range(z.shape[1]):
        out[i, j] = (z[i, j] - m) - log_norm


@_jit
def _backward_chunk(s, grad, out, start, stop, tol):
    """Rows ``start`` to ``stop``, each checked before it is written: return the first
    row of ``s`` that is not a probability vector within ``tol`` (nothing is written from
    it on), or -1. NaN compares False: a NaN row passes, and gives a NaN row.

    The first loop over a row reads it from memory: its dot product with ``grad``, its
    sum, and the OR of its entries' bits, whose sign bit is set if an entry is negative.
    Nonnegative entries never exceed their sum, so a sum within ``tol`` of 1 makes the
    row valid; a row with a negative entry or a NaN is checked entry by entry. The second
    loop reads the row again, from the cache, and writes."""
    for i in range(start, stop):
        dot = total = 0.0
        signs = 0
        for j in range(s.shape[1]):
            dot += s[i, j] * grad[i, j]
            total += s[i, j]
            signs |= np.float64(s[i, j]).view(np.int64)
        suspect = signs < 0 or math.isnan(total)  # a negative entry, or a NaN
        if abs(total - 1) > tol or (suspect and _outside(s, i, tol)):
            return i
        row_dot = s.dtype.type(dot)
        for j in range(s.shape[1]):
            out[i, j] = s[i, j] * (grad[i, j] - row_dot)
    return -1


@_jit
def _outside(s, i, tol):
    """True if an entry of row ``i`` lies outside [-tol, 1 + tol]."""
    outside = 0
    for j in range(s.shape[1]):
        outside += (s[i, j] < -tol) | (s[i, j] > 1 + tol)
    return outside > 0


# The loops over the rows: serial, and parallel with ``prange`` (numba's threads share the
# rows). Separate functions, so that the on-disk cache keeps both. The row kernels index
# the 2-D arrays: a slice per row would cost a reference count per row.
@_jit
def _softmax_rows(z, out):
    for i in range(z.shape[0]):
        _softmax_row(z, out, i)


@_jit_parallel
def _softmax_rows_parallel(z, out):
    for i in numba.prange(z.shape[0]):
        _softmax_row(z, out, i)


@_jit
def _log_softmax_rows(z, out):
    for i in range(z.shape[0]):
        _log_softmax_row(z, out, i)


@_jit_parallel
def _log_softmax_rows_parallel(z, out):
    for i in numba.prange(z.shape[0]):
        _log_softmax_row(z, out, i)


@_jit
def _backward_rows(s, grad, out, tol):
    return _backward_chunk(s, grad, out, 0, s.shape[0], tol)


@_jit_parallel
def _backward_rows_parallel(s, grad, out, tol):
    """Runs of rows shared among the threads, each run stopping at its first invalid row:
    return the first invalid row of all, or -1."""
    n = s.shape[0]
    chunks = min(n, 64)
    first_invalid = np.empty(chunks, np.int64)
    for c in numba.prange(chunks):
        first_invalid[c] = _backward_chunk(
            s, grad, out, c * n // chunks, (c + 1) * n // chunks, tol
        )
    for row in first_invalid:  # the runs are in the order of the rows
        if row >= 0:
            return row
    return -1


def _rows(x: np.ndarray, dtype) -> np.ndarray:
    """``x`` as a C-contiguous ``(rows, L)`` array of ``dtype`` (a view when it can)."""
    rows = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])
    return np.ascontiguousarray(rows, dtype=dtype)


def _working_dtype(dtype: np.dtype) -> type:
    """The dtype the loops compute in: float32 for float16 and float32, else float64."""
    return np.float32 if dtype.itemsize <= 4 else np.float64


def _run(kernels, parallel, out, dtype, inputs, *args):
    """Call the serial or parallel kernel on the inputs as ``(rows, L)`` arrays, the array
    to write and ``args``; it writes into ``out`` directly when it can, else into a new
    array. Return that array and what the kernel returned."""
    work = _working_dtype(dtype)
    target = out if _writable_in_place(out, work, *inputs) else np.empty(inputs[0].shape, work)
    rows = [_rows(x, work) for x in inputs]
    target_rows = target if target.ndim == 2 else target.reshape(rows[0].shape)
    returned = kernels[bool(parallel)](*rows, target_rows, *args)
    return target, returned


def _result(target, out, dtype) -> np.ndarray:
    """What the caller gets: ``out``, filled from ``target``, or ``target`` in ``dtype``."""
    if out is None:
        return target.astype(dtype, copy=False)
    if target is not out:
        np.copyto(out, target)
    return out


def _raise_invalid(s: np.ndarray, row: int, overwritten: bool) -> None:
    """Raise the error of :func:`~softmax_derivative._validation.check_probabilities` for
    ``s``, whose row ``row`` (counted in ``s`` as ``(rows, L)``) the kernel found invalid.

    If the kernel has written into ``s`` itself, only the rows from ``row`` on still hold
    ``s``, and the message describes row ``row``; else it is the package's message."""
    row_of_s = s.reshape(-1, s.shape[-1])[row : row + 1]
    check_probabilities(row_of_s if overwritten else s, "s")
    # Only a sum at the border of the tolerance gets here: NumPy sums in another order.
    raise ValueError(
        f"s must be probabilities whose last axis sums to 1 (softmax outputs); row {row} "
        f"sums to 1 {row_of_s.sum(dtype=np.float64) - 1:+.3g}, outside the tolerance "
        f"{probability_tolerance(s.dtype):.3g}"
    )


def _writable_in_place(out, work, *inputs) -> bool:
    """True if the kernel may write into ``out`` as it is: C-contiguous, of the working
    dtype, and either one of the inputs itself (each row is read before it is written)
    or sharing no memory with them."""
    if out is None or out.dtype != work or not out.flags.c_contiguous:
        return False
    return all(out is x or not np.may_share_memory(out, x) for x in inputs)


def _forward(kernels, z, out, parallel) -> np.ndarray:
    """:func:`softmax` or :func:`log_softmax`, by their serial and parallel ``kernels``."""
    z = as_float_array(z, "z")
    check_out(out, z.shape, z.dtype)
    target, _ = _run(kernels, parallel, out, z.dtype, [z])
    return _result(target, out, z.dtype)


def softmax(z, out: np.ndarray | None = None, *, parallel: bool = False) -> np.ndarray:
    """:func:`softmax_derivative.softmax` in one pass per row.

    Parameters
    ----------
    z : array_like, shape (..., L)
        Logits.
    out : ndarray, optional
        Array of the shape and dtype of the result to write into; may be ``z``.
    parallel : bool, optional
        Share the rows among numba's threads.

    Returns
    -------
    s : ndarray, shape (..., L)

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative import fused
    >>> fused.softmax(np.array([1e300, 0.0, -np.inf]))
    array([1., 0., 0.])
    """
    return _forward((_softmax_rows, _softmax_rows_parallel), z, out, parallel)


def log_softmax(z, out: np.ndarray | None = None, *, parallel: bool = False) -> np.ndarray:
    """:func:`softmax_derivative.log_softmax` in one pass per row.

    Parameters
    ----------
    z : array_like, shape (..., L)
        Logits.
    out : ndarray, optional
        Array of the shape and dtype of the result to write into; may be ``z``.
    parallel : bool, optional
        Share the rows among numba's threads.

    Returns
    -------
    log_s : ndarray, shape (..., L)

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative import fused
    >>> fused.log_softmax(np.array([0.0, -1000.0]))
    array([    0., -1000.])
    """
    return _forward((_log_softmax_rows, _log_softmax_rows_parallel), z, out, parallel)


def backward(s, grad, out: np.ndarray | None = None, *, parallel: bool = False) -> np.ndarray:
    r""":func:`softmax_derivative.backward` in one pass per row, checking ``s`` as it goes.

    For each row, :math:`\langle g, s \rangle` together with the check that the row of
    ``s`` is a probability vector, then :math:`s_k (g_k - \langle g, s \rangle)` while the
    row is in the cache: ``s`` is read from memory once, not once more for a check first.

    Parameters
    ----------
    s : array_like, shape (..., L)
        Softmax outputs (probabilities); checked as by :func:`softmax_derivative.backward`.
    grad : array_like, shape (..., L)
        The upstream gradient.
    out : ndarray, optional
        Array of the shape and result dtype to write into; may be ``s`` or ``grad``.
    parallel : bool, optional
        Share the rows among numba's threads.

    Returns
    -------
    dz : ndarray, shape (..., L)

    Raises
    ------
    TypeError, ValueError
        The errors of :func:`softmax_derivative.backward`, with its messages. Those that do
        not depend on the values of ``s`` (dtypes, shapes, ``out``) come first, before
        anything is written. Then ``s`` is checked row by row, each row before it is
        written (a row holding NaN passes and gives NaN): the first invalid row raises the
        ``ValueError`` naming ``s``, and neither it nor any later row has been written;
        with ``parallel=True``, rows after it in other threads' runs may have been. Rows
        before it are written if the kernel writes into ``out`` directly (C-contiguous,
        float32 or float64, and ``s``, ``grad`` or apart from both; else ``out`` is
        untouched); if ``out`` is ``s``, the message describes the invalid row.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative import fused
    >>> fused.backward(np.array([0.5, 0.5]), np.array([1.0, 0.0]))
    array([ 0.25, -0.25])

    Row 1 is not a probability vector: row 0 is written, rows 1 and 2 are not.

    >>> s = np.array([[0.5, 0.5], [0.5, 0.4], [0.5, 0.5]])
    >>> out = np.zeros((3, 2))
    >>> fused.backward(s, np.array([[1.0, 0.0]] * 3), out=out)
    Traceback (most recent call last):
    ...
    ValueError: s must be probabilities whose last axis sums to 1 ... summing to 0.9. ...
    >>> out
    array([[ 0.25, -0.25],
           [ 0.  ,  0.  ],
           [ 0.  ,  0.  ]])
    """
    s = as_float_array(s, "s")
    grad = as_float_array(grad, "grad")
    check_same_shape(s, grad, "s", "grad")
    dtype = s.dtype if s.dtype == grad.dtype else np.result_type(s, grad)
    check_out(out, s.shape, dtype)
    kernels = (_backward_rows, _backward_rows_parallel)
    tol = probability_tolerance(s.dtype)
    target, invalid = _run(kernels, parallel, out, dtype, [s, grad], tol)
    if invalid >= 0:
        _raise_invalid(s, invalid, overwritten=np.may_share_memory(target, s))
    return _result(target, out, dtype)
