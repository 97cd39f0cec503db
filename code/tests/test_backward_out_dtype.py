"""The dtype of backward's `out` when `s` and `grad` differ in precision.

It fails for a small change of softmax_derivative.backward that test_backward.py lets through
(`make mutate` found it).
"""

import numpy as np
import pytest

import softmax_derivative as sd

S = sd.softmax(np.array([[0.5, -1.0, 2.0]]))
G32 = np.array([[1.0, 2.0, 3.0]], dtype=np.float32)


def test_out_has_the_dtype_of_s_and_grad_together():
    """float64 probabilities and a float32 gradient give float64: `out` must be float64."""
    out = np.empty((1, 3))
    assert sd.backward(S, G32, out=out) is out
    np.testing.assert_allclose(out, sd.backward(S, G32.astype(np.float64)), rtol=1e-7)
    with pytest.raises(TypeError, match=r"^out must have dtype float64, got float32"):
        sd.backward(S, G32, out=np.empty((1, 3), dtype=np.float32))
