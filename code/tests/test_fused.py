"""The fused kernels equal the NumPy functions: values, edge rows, layouts, out=, errors.

``fused.softmax``, ``fused.log_softmax`` and ``fused.backward`` (serial and parallel) are
compared with ``softmax``, ``log_softmax`` and ``backward`` on the hypothesis strategies of
the other property tests: to 1e-12 in float64 and within float32 rounding in float32,
elementwise for softmax, relative to each row's largest magnitude for log_softmax and
relative to the terms each entry sums for backward (an entry may cancel to near 0).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from property_strategies import logits, probs_and_grad, tol

import softmax_derivative as sd

pytest.importorskip("numba", reason="the fused kernels need numba: pip install './code[fast]'")
from softmax_derivative import fused  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error")

VARIANTS = {
    "serial": (fused.softmax, fused.log_softmax, fused.backward),
    "parallel": tuple(
        functools.partial(f, parallel=True)
        for f in (fused.softmax, fused.log_softmax, fused.backward)
    ),
}
parallel = pytest.mark.parametrize("variant", VARIANTS)


def assert_softmax_close(actual, z):
    expected = sd.softmax(z)
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    assert_allclose(actual, expected, rtol=tol(z.dtype), atol=np.finfo(z.dtype).tiny)


def assert_log_softmax_close(actual, z):
    expected = sd.log_softmax(z).astype(np.float64)
    assert actual.dtype == z.dtype and actual.shape == expected.shape
    scale = np.abs(expected).max(axis=-1, keepdims=True)
    error = np.abs(actual.astype(np.float64) - expected)
    assert np.all(error <= tol(z.dtype) * scale), np.max(error / scale)


def assert_backward_close(actual, s, grad):
    expected = sd.backward(s, grad)
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    s64, grad64 = s.astype(np.float64), grad.astype(np.float64)
    scale = s64 * (np.abs(grad64) + (np.abs(grad64) * s64).sum(axis=-1, keepdims=True))
    error = np.abs(actual.astype(np.float64) - expected)
    assert np.all(error <= tol(expected.dtype) * scale), np.max(error / scale)


# ---------------------------------------------------------------- agreement (properties)


@given(z=logits(), variant=st.sampled_from(list(VARIANTS)))
def test_softmax_and_log_softmax_agree(z, variant):
    softmax, log_softmax, _ = VARIANTS[variant]
    assert_softmax_close(softmax(z), z)
    assert_log_softmax_close(log_softmax(z), z)


@given(args=probs_and_grad(), variant=st.sampled_from(list(VARIANTS)))
def test_backward_agrees(args, variant):
    s, grad = args
    assert_backward_close(VARIANTS[variant][2](s, grad), s, grad)


# ---------------------------------------------------------------- the exponential


def test_exp_is_within_one_rounding_of_the_c_library():
    rng = np.random.default_rng(0)
    x = np.concatenate(
        [
            rng.uniform(-750.0, 0.0, 400),
            rng.uniform(-1.0, 1.0, 100),
            [-np.inf, -746.0, -745.2, -745.0, -744.4, -708.5, -708.3, -0.0, 0.0],
            [709.7, 709.8, 710.0, 1e300, np.inf, np.nan],
        ]
    )
    with np.errstate(over="ignore"):
        expected = np.exp(x)
    actual = np.array([fused._exp(v) for v in x])
    normal = expected >= np.finfo(np.float64).tiny
    assert_allclose(actual[normal], expected[normal], rtol=2.3e-16, atol=0)
    subnormal = ~normal & ~np.isnan(x)  # absolute error within one subnormal step
    assert np.all(np.abs(actual[subnormal] - expected[subnormal]) <= 5e-324)
    assert fused._exp(-np.inf) == 0.0 and np.isnan(fused._exp(np.nan))
    assert fused._exp(np.inf) == np.inf


# ---------------------------------------------------------------- edge rows


@parallel
def test_huge_masked_and_nan_rows(variant):
    softmax, log_softmax, backward = VARIANTS[variant]
    z = np.array(
        [
            [1e300, 0.0, -np.inf],
            [-1e300, 1e300, 5.0],
            [-np.inf, -np.inf, -np.inf],  # fully masked
            [np.nan, 1e300, 0.0],
            [1.0, 2.0, 3.0],
        ]
    )
    s, log_s = softmax(z), log_softmax(z)
    assert_array_equal(s[:2], [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    assert s[0, 2] == 0.0 and log_s[0, 2] == -np.inf
    assert np.all(np.isnan(s[2:4])) and np.all(np.isnan(log_s[2:4]))
    assert_softmax_close(s[4:], z[4:])
    assert_log_softmax_close(log_s[4:], z[4:])
    g = np.array([[1.0, 2.0, 3.0], [0.0, 1.0, 0.0], [np.nan, 0.0, 0.0]])
    dz = backward(sd.softmax(z[[0, 4, 4]]), g)
    assert_array_equal(dz[0], 0.0)  # a one-hot s: the softmax is flat there
    assert np.all(np.isnan(dz[2])) and not np.any(np.isnan(dz[:2]))


@parallel
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float32_stays_float32_and_large_rows(variant, dtype):
    softmax, log_softmax, backward = VARIANTS[variant]
    rng = np.random.default_rng(1)
    for shape in [(1, 1), (3, 1), (5, 7), (2, 3, 40), (3, 5000)]:
        z = (rng.standard_normal(shape) * 5).astype(dtype)
        assert_softmax_close(softmax(z), z)
        assert_log_softmax_close(log_softmax(z), z)
        s, grad = sd.softmax(z), rng.standard_normal(shape).astype(dtype)
        assert_backward_close(backward(s, grad), s, grad)


def test_other_dtypes_and_empty_batches():
    assert fused.softmax([1, 2, 3]).dtype == np.float64
    z16 = np.array([[1.0, 2.0, -np.inf]], np.float16)
    assert fused.softmax(z16).dtype == np.float16
    assert_allclose(fused.softmax(z16), sd.softmax(z16), rtol=1e-3)
    mixed = fused.backward(np.full(4, 0.25, np.float32), np.arange(4.0))
    assert mixed.dtype == np.float64
    assert_allclose(mixed, sd.backward(np.full(4, 0.25), np.arange(4.0)), rtol=1e-7)
    empty = np.empty((0, 5))
    for result in (fused.softmax(empty), fused.log_softmax(empty), fused.backward(empty, empty)):
        assert result.shape == (0, 5)


# ---------------------------------------------------------------- layouts and out=


def layouts(rng):
    base = rng.standard_normal((9, 24))
    return {
        "contiguous": base[:, :12].copy(),
        "every other column": base[:, ::2],
        "Fortran order": np.asfortranarray(base[:, :12]),
        "reversed rows": base[::-1, :12],
    }


@pytest.mark.parametrize("implementation", ["numpy", "fused"])
def test_layouts_and_out(implementation):
    """Non-contiguous inputs; out= that is new, the input itself, strided, or overlapping."""
    softmax, log_softmax, backward = (
        (sd.softmax, sd.log_softmax, sd.backward)
        if implementation == "numpy"
        else VARIANTS["serial"]
    )
    rng = np.random.default_rng(2)
    for name, z in layouts(rng).items():
        before = z.copy()
        assert_softmax_close(softmax(z), before)
        assert_log_softmax_close(log_softmax(z), before)
        s, grad = sd.softmax(before), z[::-1]
        assert_backward_close(backward(s, grad), s, grad.copy())
        assert_array_equal(z, before, err_msg=name)
        for function, check in [(softmax, assert_softmax_close), (log_softmax, None)]:
            buffer = before.copy()
            assert function(buffer, out=buffer) is buffer
            (check or assert_log_softmax_close)(buffer, before)
            holder = np.zeros((9, 24))
            assert function(z, out=holder[:, ::2]) is not None
            (check or assert_log_softmax_close)(holder[:, ::2], before)
            assert_array_equal(holder[:, 1::2], 0.0)
    buffer = rng.standard_normal((11, 10))  # out starts one row after z
    z, out = buffer[:-1], buffer[1:]
    expected = sd.softmax(z)
    assert softmax(z, out=out) is out
    assert_allclose(out, expected, rtol=1e-12)
    s, grad = sd.softmax(rng.standard_normal((2, 3, 10))), rng.standard_normal((2, 3, 10))
    for alias in (0, 1):
        args = [s.copy(), grad.copy()]
        assert backward(*args, out=args[alias]) is args[alias]
        assert_backward_close(args[alias], s, grad)


# ---------------------------------------------------------------- errors, before any write

S = np.array([[0.2, 0.8], [0.5, 0.5]])
Z = np.array([[1.0, -2.0], [0.5, 3.0]])
#: Errors that do not depend on the values of s: the same, and raised before any write.
BAD_CALLS = {
    "z str": ("softmax", (np.array(["a", "b"]),), {}),
    "z bool": ("log_softmax", (np.array([True, False]),), {}),
    "z 0-d": ("softmax", (1.0,), {}),
    "z empty class axis": ("log_softmax", (np.empty((3, 0)),), {}),
    "out shape": ("softmax", (Z,), {"out": np.zeros((2, 3))}),
    "out dtype": ("log_softmax", (Z,), {"out": np.zeros((2, 2), np.float32)}),
    "out list": ("softmax", (Z,), {"out": [[0.0, 0.0], [0.0, 0.0]]}),
    "s str": ("backward", (np.array(["a", "b"]), S[0]), {"out": np.zeros(2)}),
    "s 0-d": ("backward", (0.5, 0.5), {}),
    "grad shape": ("backward", (S, np.zeros((2, 3))), {"out": np.zeros((2, 2))}),
    "grad complex": ("backward", (S, S + 0j), {}),
    "backward out shape": ("backward", (S, S), {"out": np.zeros((2, 3))}),
    "backward out dtype": ("backward", (S.astype(np.float32), S), {"out": np.zeros_like(S, "f4")}),
}


@pytest.mark.parametrize("case", BAD_CALLS)
def test_same_errors_and_nothing_written(case):
    name, args, kwargs = BAD_CALLS[case]
    errors = []
    for module in (sd, fused):
        out = kwargs.get("out")
        if isinstance(out, np.ndarray):
            kwargs = {**kwargs, "out": np.zeros_like(out)}
        with pytest.raises((TypeError, ValueError)) as info:
            getattr(module, name)(*args, **kwargs)
        errors.append((info.type, str(info.value)))
        if isinstance(out, np.ndarray):
            assert_array_equal(kwargs["out"], 0.0)
    assert errors[0] == errors[1]


@parallel
def test_errors_independent_of_s_come_first_and_write_nothing(variant):
    """With logits as s, the error about grad or out is raised, before any write."""
    backward = VARIANTS[variant][2]
    out = np.zeros((2, 2))
    with pytest.raises(ValueError, match="grad must have the same shape as s"):
        backward(Z, np.zeros((2, 3)), out=out)
    with pytest.raises(TypeError, match="out must have dtype float64"):
        backward(Z, S, out=out.astype(np.float32))
    with pytest.raises(ValueError, match="out must have shape"):
        backward(Z, S, out=np.zeros((2, 3)))
    assert_array_equal(out, 0.0)


# ---------------------------------------------------------------- an invalid row of s

TOL64 = float(np.sqrt(np.finfo(np.float64).eps)) * 10  # the package's tolerance
INVALID_ROWS = {
    "logits": [1.0, -2.0, 0.5, 3.0, 0.0],
    "sums to 0.5": [0.1, 0.1, 0.1, 0.1, 0.1],
    "negative entry": [-2 * TOL64, 0.25 + TOL64 / 2, 0.25 + TOL64 / 2, 0.25 + TOL64, 0.25],
    "entry above 1": [1 + 2 * TOL64, -TOL64 / 2, -TOL64 / 2, -TOL64 / 2, -TOL64 / 2],
    "+inf": [np.inf, 0.0, 0.0, 0.0, 0.0],
    "NaN and 2": [np.nan, 2.0, 0.0, 0.0, 0.0],
}


def with_invalid_row(kind, n=9, row=4, seed=3):
    rng = np.random.default_rng(seed)
    s = sd.softmax(rng.standard_normal((n, 5)))
    s[row] = INVALID_ROWS[kind]
    return s, rng.standard_normal((n, 5))


def error_of(function, *args, **kwargs):
    with pytest.raises(ValueError) as info:
        function(*args, **kwargs)
    return str(info.value)


@parallel
@pytest.mark.parametrize("kind", INVALID_ROWS)
def test_invalid_row_raises_the_package_error_before_writing_it(variant, kind):
    """The package's message; the invalid row is not written, nor any row after it
    (serial); the rows written hold their gradient."""
    backward = VARIANTS[variant][2]
    s, grad = with_invalid_row(kind)
    before = s.copy(), grad.copy()
    out = np.zeros_like(s)
    assert error_of(backward, s, grad, out=out) == error_of(sd.backward, s, grad)
    assert "s must" in error_of(backward, s, grad)  # without out=, the same
    assert_array_equal(s, before[0])
    assert_array_equal(grad, before[1])
    expected = np.zeros_like(s)
    valid = np.arange(len(s)) != 4
    expected[valid] = sd.backward(s[valid], grad[valid])
    if variant == "serial":
        assert_allclose(out[:4], expected[:4], rtol=1e-12)
        assert_array_equal(out[4:], 0.0)
    else:  # nine rows, one per run: every other row written
        assert_allclose(out, expected, rtol=1e-12)


def test_parallel_runs_stop_at_their_first_invalid_row():
    s, grad = with_invalid_row("logits", n=640, row=300)  # 64 runs of 10 rows
    s[305] = INVALID_ROWS["sums to 0.5"]
    out = np.zeros_like(s)
    assert error_of(fused.backward, s, grad, out=out, parallel=True) == error_of(
        sd.backward, s, grad
    )
    assert_array_equal(out[300:310], 0.0)  # the run of row 300, from row 300 on
    written = np.r_[0:300, 310:640]
    assert_allclose(out[written], sd.backward(s[written], grad[written]), rtol=1e-12)


@parallel
def test_first_invalid_row_is_reported(variant):
    s, grad = with_invalid_row("sums to 0.5", n=200, row=150)
    s[170] = INVALID_ROWS["logits"]  # a later row out of range: the package says so
    assert error_of(VARIANTS[variant][2], s, grad) == error_of(sd.backward, s, grad)
    out = np.zeros_like(s)
    s[170] = s[0]
    assert "found a row summing to 0.5" in error_of(VARIANTS[variant][2], s, grad, out=out)
    assert_array_equal(out[150], 0.0)


@parallel
@pytest.mark.parametrize("kind", INVALID_ROWS)
def test_out_is_s_or_grad_with_an_invalid_row(variant, kind):
    """out=s: the rows before the invalid one hold their gradient, the message describes
    the invalid row; out=grad: likewise for grad, and the message is the package's."""
    backward = VARIANTS[variant][2]
    s, grad = with_invalid_row(kind)
    expected = sd.backward(s[:4], grad[:4])
    for alias in (0, 1):
        args = [s.copy(), grad.copy()]
        message = error_of(backward, *args, out=args[alias])
        if alias == 0:
            assert message == error_of(sd.backward, s[4:5], grad[4:5])
        else:
            assert message == error_of(sd.backward, s, grad)
        assert_allclose(args[alias][:4], expected, rtol=1e-12)
        assert_array_equal(args[alias][4], (s, grad)[alias][4])
        if variant == "serial":
            assert_array_equal(args[alias][4:], (s, grad)[alias][4:])
        assert_array_equal(args[1 - alias], (s, grad)[1 - alias])


def test_nan_rows_of_s_pass_and_give_nan_as_in_the_package():
    s, grad = with_invalid_row("sums to 0.5")
    s[4] = [np.nan, 0.5, 0.5, 0.0, 0.0]  # NaN: the sum is not checked, the range is
    for variant in VARIANTS.values():
        dz = variant[2](s, grad)
        assert np.all(np.isnan(dz[4])) and not np.any(np.isnan(np.delete(dz, 4, 0)))
        assert_array_equal(np.isnan(dz), np.isnan(sd.backward(s, grad)))


@parallel
def test_rows_with_a_sign_bit_are_checked_entry_by_entry_and_pass(variant):
    """-0.0 and an entry just below 0 (within the tolerance) are valid, as in the package;
    so is a row whose entries are all nonnegative and sum to 1 within the tolerance."""
    s, grad = with_invalid_row("sums to 0.5")
    s[3] = [0.0, 0.5, 0.5, 0.0, 1e-9]
    s[4] = [-0.0, 0.5, 0.5, 0.0, 0.0]
    s[5] = [-TOL64 / 2, 0.5 + TOL64 / 2, 0.25, 0.25, 0.0]
    assert_allclose(VARIANTS[variant][2](s, grad), sd.backward(s, grad), 1e-12, 1e-15)
    s[6] = [-2 * TOL64, 0.5 + 2 * TOL64, 0.25, 0.25, 0.0]  # one entry below -tol
    assert error_of(VARIANTS[variant][2], s, grad) == error_of(sd.backward, s, grad)


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_invalid_row_in_narrow_dtypes(dtype):
    """float16 is checked with its own tolerance, though computed in float32."""
    s, grad = (x.astype(dtype) for x in with_invalid_row("sums to 0.5"))
    out = np.zeros_like(s)
    assert error_of(fused.backward, s, grad, out=out) == error_of(sd.backward, s, grad)
    assert_array_equal(out[4:], 0.0)
    almost = s.copy()
    almost[4] = [0.2, 0.2, 0.2, 0.2, 0.2 + 5e-3]  # within float16's tolerance only
    if dtype == np.float16:
        s64, grad64 = almost.astype(float), grad.astype(float)
        exact = s64 * (grad64 - (s64 * grad64).sum(axis=-1, keepdims=True))
        dz = fused.backward(almost, grad)
        assert dz.dtype == np.float16
        assert_allclose(dz, exact, atol=2e-3)
    else:
        assert error_of(fused.backward, almost, grad) == error_of(sd.backward, almost, grad)


def test_a_row_the_numpy_check_passes_still_raises():
    """If the kernel's sum and NumPy's round apart at the border of the tolerance, the
    kernel's verdict stands: the error names s and the row."""
    s = np.full((3, 4), 0.25)
    with pytest.raises(ValueError, match=r"s must be probabilities .* row 2 sums to 1"):
        fused._raise_invalid(s, 2, overwritten=False)
