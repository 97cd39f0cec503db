"""numerical_jacobian, relative_error, check_gradient."""

import re

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import softmax_derivative as sd

pytestmark = pytest.mark.filterwarnings("error")

Z = np.array([0.5, -1.0, 2.0])


# ---------------------------------------------------------------- numerical_jacobian


def test_elementwise_square_gives_a_diagonal_jacobian():
    z = np.array([1.0, -2.0, 0.5])
    assert_allclose(sd.numerical_jacobian(lambda x: x**2, z), np.diag(2 * z), atol=1e-9)


def test_scalar_function_gives_the_gradient_in_the_shape_of_z():
    z = np.array([[1.0, 2.0], [-1.0, 0.5]])
    gradient = sd.numerical_jacobian(lambda x: np.sum(x**3), z)
    assert gradient.shape == (2, 2)
    assert_allclose(gradient, 3 * z**2, rtol=0, atol=1e-8)


def test_linear_map_is_recovered_in_numerator_layout():
    A = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])  # R^3 -> R^2
    J = sd.numerical_jacobian(lambda x: A @ x, np.zeros(3))
    assert J.shape == (2, 3)  # rows: outputs, columns: inputs
    assert_allclose(J, A, rtol=1e-9)


def test_output_shape_plus_input_shape():
    z = np.ones((2, 3))
    assert sd.numerical_jacobian(lambda x: x.T, z).shape == (3, 2, 2, 3)
    assert sd.numerical_jacobian(sd.softmax, z).shape == (2, 3, 2, 3)


def test_softmax_jacobian_matches_the_formula():
    assert_allclose(
        sd.numerical_jacobian(sd.softmax, Z), sd.jacobian(sd.softmax(Z)), rtol=0, atol=1e-9
    )


def test_central_differences_are_second_order():
    # f = sin: the central difference has error ~ h^2/6 cos'' ; a forward one would be ~ h/2
    z = np.array([1.0])
    error = abs(sd.numerical_jacobian(np.sin, z, eps=1e-3)[0, 0] - np.cos(1.0))
    assert error == pytest.approx(1e-6 / 6 * np.cos(1.0), rel=1e-2)


def test_result_is_float64_for_float32_and_integer_points():
    assert sd.numerical_jacobian(sd.softmax, Z.astype(np.float32)).dtype == np.float64
    J = sd.numerical_jacobian(lambda x: 2 * x, np.array([1, 2]))
    assert J.dtype == np.float64
    assert_allclose(J, 2 * np.eye(2), rtol=1e-9)


def test_point_is_not_modified_even_if_f_modifies_its_argument():
    z = Z.copy()

    def destructive(x):
        total = np.sum(x**2)
        x[:] = 99.0  # f writes into what it is given
        return total

    gradient = sd.numerical_jacobian(destructive, z)
    assert_array_equal(z, Z)
    assert_allclose(gradient, 2 * Z, rtol=1e-8)


def test_f_must_be_callable():
    with pytest.raises(TypeError, match=r"^f must be callable, got ndarray"):
        sd.numerical_jacobian(np.zeros(3), Z)


# ---------------------------------------------------------------- relative_error


def test_relative_error_known_values():
    assert sd.relative_error([1.0, 2.0], [1.0, 2.002]) == pytest.approx(0.002 / 2.002)
    assert sd.relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert sd.relative_error([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert sd.relative_error([0.0], [1.0]) == 1.0
    assert sd.relative_error([-3.0], [3.0]) == 2.0
    assert isinstance(sd.relative_error([1.0], [2.0]), float)


def test_relative_error_is_symmetric_and_scale_free():
    a, e = np.array([1.0, -2.0, 3.0]), np.array([1.1, -2.0, 2.9])
    assert sd.relative_error(a, e) == sd.relative_error(e, a)
    assert sd.relative_error(1e-8 * a, 1e-8 * e) == pytest.approx(sd.relative_error(a, e))


def test_relative_error_of_nan_is_nan():
    assert np.isnan(sd.relative_error([np.nan, 1.0], [1.0, 1.0]))
    assert np.isnan(sd.relative_error([1.0, 1.0], [np.nan, 1.0]))
    assert np.isnan(sd.relative_error([0.0, 0.0], [0.0, np.nan]))  # not 0: no scale to hide


def test_elementwise_relative_error_known_values():
    # each entry on its own scale: the small entry, off by a factor 2, counts fully
    assert sd.relative_error([1.0, 2e-9], [1.0, 1e-9], floor=1e-12) == pytest.approx(0.5)
    # below the floor a difference counts on the floor's scale
    assert sd.relative_error([1.0, 2e-9], [1.0, 1e-9], floor=1e-6) == pytest.approx(1e-3)
    assert sd.relative_error([0.0, 1.0], [1e-13, 1.0], floor=1e-6) == pytest.approx(1e-7)
    assert sd.relative_error([3.0, -2.0], [3.3, -2.0], floor=1e-9) == pytest.approx(0.1 / 1.1)
    assert sd.relative_error([0.0, 0.0], [0.0, 0.0], floor=1e-9) == 0.0
    assert sd.relative_error([], [], floor=1e-9) == 0.0
    assert isinstance(sd.relative_error([1.0], [2.0], floor=1e-9), float)


def test_normwise_error_hides_what_elementwise_error_sees():
    a, e = np.array([1.0, 2e-9, 3e-9]), np.array([1.0, 1e-9, 3e-9])
    assert sd.relative_error(a, e) == pytest.approx(1e-9)
    assert sd.relative_error(a, e, floor=1e-12) == pytest.approx(0.5)
    # when every entry is of the same size the two agree
    b, c = np.array([1.0, -2.0]), np.array([1.0, -2.2])
    assert sd.relative_error(b, c, floor=1e-9) == pytest.approx(sd.relative_error(b, c))


def test_elementwise_relative_error_is_symmetric_and_nan_propagates():
    a, e = np.array([1.0, 1e-7, 0.0]), np.array([1.1, 3e-7, 1e-9])
    assert sd.relative_error(a, e, floor=1e-8) == sd.relative_error(e, a, floor=1e-8)
    assert np.isnan(sd.relative_error([np.nan, 1.0], [1.0, 1.0], floor=1e-9))
    assert np.isnan(sd.relative_error([0.0, 0.0], [0.0, np.nan], floor=1e-9))


@pytest.mark.parametrize(
    ("floor", "error", "message"),
    [
        (0.0, ValueError, r"^floor must be positive and finite, got 0\.0$"),
        (-1e-3, ValueError, r"^floor must be positive and finite, got -0\.001$"),
        (np.inf, ValueError, r"^floor must be positive and finite, got inf$"),
        (np.nan, ValueError, r"^floor must be positive and finite, got nan$"),
        (True, TypeError, r"^floor must be a real number or None, got bool$"),
        ("1e-3", TypeError, r"^floor must be a real number or None, got str$"),
    ],
)
def test_bad_floor_is_rejected_by_name(floor, error, message):
    with pytest.raises(error, match=message):
        sd.relative_error([1.0], [1.0], floor=floor)
    with pytest.raises(error, match=message):
        sd.check_gradient(sd.softmax, sd.jacobian(sd.softmax(Z)), Z, floor=floor)


def test_relative_error_rejects_different_shapes():
    with pytest.raises(ValueError, match=r"actual has shape \(2,\) but expected has shape \(3,\)"):
        sd.relative_error([1.0, 2.0], [1.0, 2.0, 3.0])


# ---------------------------------------------------------------- check_gradient


def test_check_gradient_returns_a_small_error_for_the_right_derivative():
    error = sd.check_gradient(sd.softmax, sd.jacobian(sd.softmax(Z)), Z)
    assert isinstance(error, float)
    assert 0 <= error < 1e-8


def test_check_gradient_of_a_scalar_function():
    g = np.array([1.0, -2.0, 0.5])
    error = sd.check_gradient(
        lambda x: np.sum(g * sd.softmax(x)), sd.backward(sd.softmax(Z), g), Z
    )
    assert error < 1e-8


@pytest.mark.parametrize(
    "wrong",
    [
        lambda s: -sd.jacobian(s),  # wrong sign
        lambda s: -np.outer(s, s),  # forgot the diagonal
        lambda s: np.diag(s),  # forgot the outer product
        lambda s: np.diag(s * (1 - s)),  # diagonal only
    ],
    ids=["sign", "no-diagonal", "no-outer", "diagonal-only"],
)
def test_check_gradient_raises_on_a_wrong_derivative(wrong):
    with pytest.raises(sd.GradientCheckError) as info:
        sd.check_gradient(sd.softmax, wrong(sd.softmax(Z)), Z)
    message = str(info.value)
    assert message.startswith("analytic derivative disagrees with central differences")
    assert re.search(r"relative error \S+ > rtol 1e-06", message)
    # the worst entry is named, with both values
    match = re.search(r"worst entry \((\d+), (\d+)\): analytic (\S+), numerical (\S+)$", message)
    assert match, message
    j, k = int(match[1]), int(match[2])
    analytic, numeric = wrong(sd.softmax(Z)), sd.numerical_jacobian(sd.softmax, Z)
    assert float(match[3]) == pytest.approx(analytic[j, k], rel=1e-5)
    assert float(match[4]) == pytest.approx(numeric[j, k], rel=1e-5)
    assert abs(analytic - numeric)[j, k] == pytest.approx(np.max(abs(analytic - numeric)))


def test_check_gradient_respects_rtol():
    slightly_off = sd.jacobian(sd.softmax(Z)) * (1 + 1e-3)
    assert sd.check_gradient(sd.softmax, slightly_off, Z, rtol=1e-2) == pytest.approx(
        1e-3, rel=1e-3
    )
    with pytest.raises(sd.GradientCheckError, match=r"> rtol 0\.0001"):
        sd.check_gradient(sd.softmax, slightly_off, Z, rtol=1e-4)


def test_check_gradient_raises_on_nan():
    analytic = sd.jacobian(sd.softmax(Z))
    analytic[1, 2] = np.nan
    with pytest.raises(sd.GradientCheckError, match=r"relative error nan.*worst entry \(1, 2\)"):
        sd.check_gradient(sd.softmax, analytic, Z)


def test_check_gradient_raises_when_f_gives_nan_and_analytic_is_zero():
    with pytest.raises(sd.GradientCheckError, match="relative error nan"):
        sd.check_gradient(lambda x: np.full_like(x, np.nan), np.zeros((3, 3)), Z)


def test_check_gradient_rejects_an_analytic_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"^analytic must have shape \(3, 3\).*got \(3,\)"):
        sd.check_gradient(sd.softmax, np.zeros(3), Z)


def test_check_gradient_passes_eps_on():
    # with a huge step the central difference of sin is far off: the check fails
    with pytest.raises(sd.GradientCheckError):
        sd.check_gradient(np.sin, np.diag(np.cos(Z)), Z, eps=0.5)
    assert sd.check_gradient(np.sin, np.diag(np.cos(Z)), Z, eps=1e-5) < 1e-9


def test_check_gradient_does_not_modify_its_inputs():
    z, analytic = Z.copy(), sd.jacobian(sd.softmax(Z))
    analytic_before = analytic.copy()
    sd.check_gradient(sd.softmax, analytic, z)
    assert_array_equal(z, Z)
    assert_array_equal(analytic, analytic_before)


def test_relative_error_does_not_modify_its_inputs():
    a, e = np.array([1.0, -2.0]), np.array([1.5, -2.0])
    sd.relative_error(a, e)
    assert_array_equal(a, [1.0, -2.0])
    assert_array_equal(e, [1.5, -2.0])


# ---------------------------------------------------------------- the elementwise check


def test_derivative_wrong_only_in_tiny_entries_passes_normwise_fails_elementwise():
    # f(x) = A x has the derivative A; the claimed one is off by a factor 2 in one entry
    A = np.diag([1.0, 1e-9])
    wrong = np.diag([1.0, 2e-9])
    x = np.array([0.3, -2.0])
    assert sd.check_gradient(lambda v: A @ v, wrong, x) < 1e-8
    with pytest.raises(sd.GradientCheckError) as info:
        sd.check_gradient(lambda v: A @ v, wrong, x, floor=1e-12)
    message = str(info.value)
    assert re.search(r"elementwise error \(floor 1e-12\) 0\.5 > rtol 1e-06", message), message
    assert "worst entry (1, 1): analytic 2e-09, numerical 1e-09" in message
    assert sd.check_gradient(lambda v: A @ v, A, x, floor=1e-12) < 1e-6


def test_elementwise_check_catches_clipped_probabilities():
    # A cross-entropy gradient computed from probabilities clipped at 1e-7 (a common guard
    # against log(0)) is wrong only where a probability is below 1e-7.
    z, label = np.array([0.0, 2.0, -15.0, -20.0]), 0

    def loss(v):
        return sd.cross_entropy_from_logits(v, label)

    p, y = sd.softmax(z), sd.one_hot(label, 4)
    assert p[2] < 1e-7 and p[3] < 1e-7 < p[0]
    right, clipped = p - y, np.clip(p, 1e-7, 1.0) - y
    # normwise both pass: the error of the clipped one is below 1e-6 of the largest entry
    assert sd.check_gradient(loss, right, z) < 1e-8
    assert sd.check_gradient(loss, clipped, z) < 1e-6
    # entry by entry, with entries below 1e-3 compared to 1e-9 absolutely
    assert sd.check_gradient(loss, right, z, floor=1e-3) < 1e-6
    with pytest.raises(sd.GradientCheckError, match=r"worst entry \(3,\): analytic 1e-07"):
        sd.check_gradient(loss, clipped, z, floor=1e-3)


def test_elementwise_check_returns_the_elementwise_error():
    g = np.array([1.0, -2.0, 0.5])

    def f(x):
        return float(g @ sd.softmax(x))

    analytic = sd.backward(sd.softmax(Z), g)
    numeric = sd.numerical_jacobian(f, Z)
    assert sd.check_gradient(f, analytic, Z, floor=1e-3) == sd.relative_error(
        analytic, numeric, floor=1e-3
    )
    slightly_off = analytic * (1 + 1e-4)
    assert sd.check_gradient(f, slightly_off, Z, rtol=1e-3, floor=1e-3) == pytest.approx(
        1e-4, rel=1e-3
    )
