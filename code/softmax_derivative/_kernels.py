"""Building blocks of the fast kernels: row blocks that stay in cache, BLAS row sums.

A softmax kernel makes several passes over each row (a maximum, an exponential, a sum, a
scaling). Done on whole arrays, each pass reads the array from main memory again. Done on
blocks of rows small enough to stay in the processor's cache, only the first pass of a
block reads main memory and only the last one writes it; the passes in between run at
cache speed. These helpers cut arrays into such blocks and supply the row reductions
that NumPy does slowly on short rows.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ._validation import as_float_array

__all__ = [
    "BLOCK_ELEMENTS",
    "LONG_ROW",
    "SHORT_ROW",
    "blocks",
    "finish",
    "floats",
    "input_rows",
    "ones_for",
    "output_rows",
    "row_dots",
    "row_max",
    "row_sums",
    "rows_per_block",
    "unbuffered_rows",
]

#: Elements of float64 in one block of one array: 1 MiB, so the three or four arrays a
#: kernel touches stay in the processor's cache (a 32 MiB level-3 cache here) between
#: passes, and the fixed cost of the five or six NumPy calls per block (a few microseconds)
#: is spread over enough work. Blocks of 256 KiB, which fit a 1 MiB level-2 cache, measured
#: 5-10 % slower: the calls cost more than the faster cache saves. float32 blocks hold
#: twice as many elements (the same bytes).
BLOCK_ELEMENTS = 131072

#: Rows at least this long are broadcast against a column (``x - m[:, None]``) without the
#: ufunc buffers, see :func:`unbuffered_rows`.
LONG_ROW = 256

#: Rows shorter than this are reduced with a BLAS matrix-vector product or column by
#: column: NumPy's reductions along a short last axis pay a per-row overhead.
SHORT_ROW = 32

_BLAS_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def floats(x, name: str) -> np.ndarray:
    """:func:`~softmax_derivative._validation.as_float_array`, with a quick exit for arrays
    that are already float32/float64 with a non-empty last axis (the common case)."""
    if type(x) is np.ndarray and x.dtype in _BLAS_DTYPES and x.ndim and x.shape[-1]:
        return x
    return as_float_array(x, name)


def input_rows(x: np.ndarray) -> np.ndarray:
    """``x`` as a 2-D ``(rows, L)`` array: a view when possible, a copy otherwise."""
    return x.reshape(-1, x.shape[-1])


def _exact_alias(a: np.ndarray, b: np.ndarray) -> bool:
    return (
        a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
        and a.shape == b.shape
        and a.strides == b.strides
        and a.dtype == b.dtype
    )


def output_rows(
    out: np.ndarray | None, shape: tuple[int, ...], dtype: np.dtype, *inputs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Where a kernel writes: ``(result, result as (rows, L))``.

    ``out`` itself when it is C-contiguous and either is one of the inputs exactly or shares
    no memory with them (the kernels read a block before they write it); a fresh array
    otherwise, to be copied into ``out`` by :func:`finish`.
    """
    if out is not None and out.flags.c_contiguous:
        if all(not np.may_share_memory(out, x) or _exact_alias(out, x) for x in inputs):
            return out, out.reshape(-1, shape[-1])
    result = np.empty(shape, dtype)
    return result, result.reshape(-1, shape[-1])


def finish(result: np.ndarray, out: np.ndarray | None) -> np.ndarray:
    """Copy ``result`` into ``out`` if the kernel had to write elsewhere; return the answer."""
    if out is None or result is out:
        return result
    np.copyto(out, result)
    return out


def blocks(n_rows: int, length: int, itemsize: int = 8) -> Iterator[slice]:
    """Slices of consecutive rows holding about :data:`BLOCK_ELEMENTS` float64 worth each."""
    step = rows_per_block(length, itemsize)
    for start in range(0, n_rows, step):
        yield slice(start, start + step)


def rows_per_block(length: int, itemsize: int = 8) -> int:
    """How many rows of ``length`` elements of ``itemsize`` bytes one block holds (>= 1)."""
    return max(1, BLOCK_ELEMENTS * 8 // (itemsize * length))


def unbuffered_rows(length: int) -> int | None:
    """Make NumPy broadcast a column over rows of ``length`` without copying; return the
    old ufunc buffer size to restore with :func:`numpy.setbufsize` (None: nothing changed).

    A ufunc such as ``np.subtract(x, m[:, None], out=y)`` on a 2-D block whose rows are
    shorter than the ufunc buffer (8192 elements) copies its operands through buffers so
    as to run longer inner loops: for rows of a few hundred elements or more that copy
    costs more than it saves (about twice the time of the operation itself, measured with
    NumPy 2.4). With a buffer no longer than one row, each row is one unbuffered inner
    loop. Short rows keep the buffers, which pay off there.
    """
    if not LONG_ROW <= length < 8192:
        return None
    return np.setbufsize(length - length % 16)  # a multiple of 16, as NumPy requires


def ones_for(x: np.ndarray) -> np.ndarray:
    """A vector of ones matching the last axis and dtype of ``x`` (the BLAS row-sum operand)."""
    return np.ones(x.shape[-1], x.dtype)


def row_sums(block: np.ndarray, ones: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Sum of each row: a BLAS matrix-vector product ``block @ ones`` for float32/64."""
    if block.dtype in _BLAS_DTYPES and block.flags.c_contiguous and ones.dtype == block.dtype:
        return np.matmul(block, ones, out=out)
    return block.sum(axis=-1, out=out)


def row_max(block: np.ndarray) -> np.ndarray:
    """Maximum of each row (NaN propagates); column by column when rows are short."""
    length = block.shape[-1]
    if length >= SHORT_ROW:
        return block.max(axis=-1)
    m = block[:, 0].copy()
    for j in range(1, length):
        np.maximum(m, block[:, j], out=m)
    return m


def row_dots(a: np.ndarray, b: np.ndarray, scratch: np.ndarray, ones: np.ndarray) -> np.ndarray:
    """``sum(a * b, axis=-1)`` without a temporary array of the block's size.

    Short rows: the product goes into ``scratch`` and a BLAS matrix-vector product sums it.
    Long rows: :func:`numpy.vecdot`, one fused pass.
    """
    if a.shape[-1] < SHORT_ROW:
        np.multiply(a, b, out=scratch)
        return row_sums(scratch, ones)
    if hasattr(np, "vecdot"):
        return np.vecdot(a, b)
    return np.einsum("ij,ij->i", a, b)  # pragma: no cover - NumPy < 2.0
