"""Hypothesis strategies and tolerances shared by the property tests.

Arrays are ``(..., L)`` with 0 to 2 leading axes (so 1-D to 3-D), in float32 or float64.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import softmax_derivative as sd

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

#: The widest logits each dtype is tested with: differences of two logits stay finite.
WIDE = {np.dtype(np.float32): 1e38, np.dtype(np.float64): 1e300}


def tol(dtype) -> float:
    """Relative tolerance for a handful of rounding errors in ``dtype``."""
    return 1e-5 if np.dtype(dtype) == np.float32 else 1e-12


def float_dtypes() -> st.SearchStrategy[np.dtype]:
    return st.sampled_from(FLOAT_DTYPES)


def shapes(max_leading_dims: int = 2, max_side: int = 4, max_L: int = 50):
    """``leading + (L,)``: up to ``max_leading_dims`` leading axes, then ``1 <= L <= max_L``."""
    leading = hnp.array_shapes(
        min_dims=0, max_dims=max_leading_dims, min_side=1, max_side=max_side
    )
    return st.tuples(leading, st.integers(1, max_L)).map(lambda t: t[0] + (t[1],))


def _elements(dtype, bound: float):
    dtype = np.dtype(dtype)
    bound = float(dtype.type(bound))  # hypothesis wants a bound the dtype can hold exactly
    return st.floats(
        -bound, bound, width=8 * dtype.itemsize, allow_nan=False, allow_infinity=False
    )


def arrays(dtype, shape, bound: float):
    """Finite arrays of ``dtype`` and ``shape`` with entries in ``[-bound, bound]``."""
    return hnp.arrays(np.dtype(dtype), shape, elements=_elements(dtype, bound))


@st.composite
def logits(draw, dtype=None, shape=None, bound=None, **shape_kwargs):
    """Logits: a random dtype and shape unless given; ``bound=None`` means the widest."""
    dtype = draw(float_dtypes()) if dtype is None else np.dtype(dtype)
    shape = draw(shapes(**shape_kwargs)) if shape is None else shape
    bound = WIDE[dtype] if bound is None else bound
    return draw(arrays(dtype, shape, bound))


@st.composite
def probs_and_grad(draw, dtype=None, logit_bound=30.0, grad_bound=10.0, **shape_kwargs):
    """``(s, grad)``: softmax outputs of moderate logits and an upstream gradient."""
    z = draw(logits(dtype=dtype, bound=logit_bound, **shape_kwargs))
    grad = draw(arrays(z.dtype, z.shape, grad_bound))
    return sd.softmax(z), grad


@st.composite
def class_indices(draw, leading_shape, L):
    """Integer class indices of shape ``leading_shape`` in ``[0, L)``."""
    return draw(hnp.arrays(np.int64, leading_shape, elements=st.integers(0, L - 1)))


reductions = st.sampled_from(("mean", "sum", "none"))
