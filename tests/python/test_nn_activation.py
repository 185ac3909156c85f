"""Differential tests of tf.nn activations against NumPy references."""

import math

import numpy as np
import pytest
from op_testing import (
    FLOAT_DTYPES,
    INT_DTYPES,
    assert_matches,
    random_array,
    to_loom,
)

import loom as tf

SHAPES = [(), (7,), (3, 5), (2, 0, 4), (2, 3, 4, 5)]
_erf = np.vectorize(math.erf, otypes=[np.float64])
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

REFERENCES = {
    "relu": lambda x: np.maximum(x, 0),
    "relu6": lambda x: np.clip(x, 0, 6),
    "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "selu": lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(x)),
    "softplus": lambda x: np.logaddexp(0, x),
    "softsign": lambda x: x / (1 + np.abs(x)),
    "gelu": lambda x: 0.5 * x * (1 + _erf(x / np.sqrt(2))),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
}


def reference(fn, x):
    """The reference in float64, rounded to the input's own dtype where NumPy has it."""
    return REFERENCES[fn](x.astype(np.float64))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("fn", sorted(REFERENCES))
def test_float_activations_match_numpy(fn, dtype):
    rng = np.random.default_rng(0)
    for shape in SHAPES:
        x = random_array(rng, shape, dtype, low=-8, high=8)
        got = getattr(tf.nn, fn)(to_loom(x, dtype))
        assert_matches(got, reference(fn, x), dtype)


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_relu_and_relu6_on_integers(dtype):
    rng = np.random.default_rng(1)
    x = random_array(rng, (4, 6), dtype, low=-10, high=10)
    assert_matches(tf.nn.relu(to_loom(x, dtype)), np.maximum(x, 0).astype(dtype), dtype)
    assert_matches(tf.nn.relu6(to_loom(x, dtype)), np.clip(x, 0, 6).astype(dtype), dtype)


def test_gelu_tanh_approximation():
    x = np.linspace(-6, 6, 101)
    expected = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))
    assert_matches(tf.nn.gelu(to_loom(x, "float64"), approximate=True), expected, "float64")
    exact = tf.nn.gelu(to_loom(x, "float64"))
    assert not np.allclose(exact.numpy(), expected, rtol=0, atol=1e-6)


def test_leaky_relu_alpha():
    x = np.array([-3.0, -0.5, 0.0, 2.0], np.float32)
    assert_matches(tf.nn.leaky_relu(x, alpha=0.5), np.where(x > 0, x, 0.5 * x), "float32")
    assert_matches(tf.nn.leaky_relu(x), np.where(x > 0, x, 0.2 * x), "float32")


def test_softplus_is_stable_for_large_magnitudes():
    x = np.array([-1000.0, -100.0, -20.0, 0.0, 20.0, 100.0, 1000.0], np.float32)
    got = tf.math.softplus(x).numpy()
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, np.logaddexp(0, x.astype(np.float64)), rtol=1e-6, atol=1e-40)
    assert got[1] > 0  # exp(-100) survives in float32
    assert tf.math.softsign is tf.nn.softsign


def test_python_lists_default_to_float32():
    y = tf.nn.elu([[-1.0, 1.0]])
    assert y.dtype == tf.float32 and y.shape == (1, 2)


@pytest.mark.parametrize(
    "fn, op", [("elu", "Elu"), ("selu", "Selu"), ("gelu", "Gelu"), ("softplus", "Softplus")]
)
def test_float_only_activations_reject_integers(fn, op):
    with pytest.raises(tf.errors.InvalidArgumentError, match=rf"\[{op}\].*int32"):
        getattr(tf.nn, fn)(tf.constant([1, 2]))


def test_relu_rejects_bool():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Relu\].*bool"):
        tf.nn.relu(tf.constant([True, False]))
