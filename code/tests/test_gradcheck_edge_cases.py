"""The edges of softmax_derivative.gradcheck: an error equal to rtol, float32 input taken in
float64, empty arrays, a step of the wrong type.

Each test fails for a small change of the module that test_gradcheck.py lets through
(`make mutate` found them).
"""

import numpy as np
import pytest

import softmax_derivative as sd


def test_an_error_equal_to_rtol_passes():
    """The check accepts ``error <= rtol``: 0.5 off a largest entry of 2.0 is exactly 0.25."""
    z = np.array([0.0])
    error = sd.check_gradient(lambda x: 2.0 * x, np.array([[1.5]]), z, rtol=0.25)
    assert error == 0.25
    with pytest.raises(sd.GradientCheckError):
        sd.check_gradient(lambda x: 2.0 * x, np.array([[1.5]]), z, rtol=0.2499)


def test_differences_of_a_float32_function_are_taken_in_float64():
    z = np.array([1.0, -0.5])
    h = 1e-3

    def f(x):
        return (x**3).astype(np.float32)

    J = sd.numerical_jacobian(f, z, eps=h)
    for b in range(2):
        step = h * np.eye(2)[b]
        up = f(z + step).astype(np.float64)
        down = f(z - step).astype(np.float64)
        np.testing.assert_array_equal(J[:, b], (up - down) / (2 * h))


def test_relative_error_of_float32_arrays_is_computed_in_float64():
    a = np.array([1.0], dtype=np.float32)
    e = np.array([1.0 + 2.0**-20], dtype=np.float32)
    assert sd.relative_error(a, e) == 2.0**-20 / (1.0 + 2.0**-20)


def test_relative_error_of_empty_arrays_is_zero():
    assert sd.relative_error([], []) == 0.0
    assert sd.relative_error(np.zeros((0, 3)), np.zeros((0, 3))) == 0.0


def test_a_step_of_the_wrong_type_is_named_by_its_type():
    with pytest.raises(TypeError, match=r"^eps must be a real number, got str$"):
        sd.numerical_jacobian(sd.softmax, np.zeros(3), eps="1e-6")
