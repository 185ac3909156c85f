"""loom.keras.initializers: values, statistics, seeds, fans, lookup by name and config."""

import math

import numpy as np
import pytest
from loom.keras import initializers

import loom as tf


def _np(t):
    return np.asarray(t.numpy())


def test_constant_initializers_fill_values_with_requested_dtype():
    assert _np(initializers.Zeros()((2, 3))).tolist() == [[0.0] * 3] * 2
    ones = initializers.Ones()((4,), dtype="float64")
    assert ones.dtype == tf.float64 and _np(ones).tolist() == [1.0] * 4
    np.testing.assert_array_equal(_np(initializers.Constant(2.5)((2, 2))), np.full((2, 2), 2.5))
    assert initializers.Zeros()((2,), dtype="int32").dtype == tf.int32


def test_constant_accepts_array_of_the_shape_and_rejects_other_shapes():
    value = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(_np(initializers.Constant(value)((2, 3))), value)
    with pytest.raises(TypeError, match="shape"):
        initializers.Constant(value)((3, 2))


@pytest.mark.parametrize(
    "initializer, mean, std",
    [
        (initializers.RandomNormal(mean=1.0, stddev=0.5, seed=3), 1.0, 0.5),
        (initializers.RandomUniform(-1.0, 3.0, seed=3), 1.0, 4 / math.sqrt(12)),
    ],
)
def test_random_initializers_match_their_distribution(initializer, mean, std):
    values = _np(initializer((200, 100)))
    assert abs(values.mean() - mean) < 0.03
    assert abs(values.std() - std) < 0.03


def test_truncated_normal_stays_within_two_standard_deviations():
    values = _np(initializers.TruncatedNormal(mean=0.0, stddev=2.0, seed=1)((100, 100)))
    assert values.min() >= -4.0 and values.max() <= 4.0
    # A normal truncated at two sigmas has standard deviation 0.88 sigma.
    assert abs(values.std() - 0.88 * 2.0) < 0.05


def test_uniform_bounds():
    values = _np(initializers.RandomUniform(minval=2.0, maxval=3.0, seed=0)((1000,)))
    assert values.min() >= 2.0 and values.max() < 3.0


@pytest.mark.parametrize(
    "cls, variance_of_fans",
    [
        (initializers.GlorotUniform, lambda fi, fo: 2.0 / (fi + fo)),
        (initializers.GlorotNormal, lambda fi, fo: 2.0 / (fi + fo)),
        (initializers.HeNormal, lambda fi, fo: 2.0 / fi),
        (initializers.HeUniform, lambda fi, fo: 2.0 / fi),
        (initializers.LecunNormal, lambda fi, fo: 1.0 / fi),
        (initializers.LecunUniform, lambda fi, fo: 1.0 / fi),
    ],
)
def test_variance_scaling_presets_have_the_documented_variance(cls, variance_of_fans):
    fan_in, fan_out = 300, 200
    values = _np(cls(seed=7)((fan_in, fan_out)))
    expected = variance_of_fans(fan_in, fan_out)
    assert abs(values.var() / expected - 1.0) < 0.05
    if "Uniform" in cls.__name__:
        assert np.abs(values).max() <= math.sqrt(3 * expected) + 1e-6


def test_glorot_uniform_limit_for_a_convolution_kernel_uses_receptive_field():
    shape = (3, 3, 4, 8)
    fan_in, fan_out = initializers.compute_fans(shape)
    assert (fan_in, fan_out) == (36, 72)
    values = _np(initializers.GlorotUniform(seed=2)(shape))
    assert np.abs(values).max() <= math.sqrt(6 / (fan_in + fan_out))


def test_variance_scaling_modes_and_validation():
    values = _np(
        initializers.VarianceScaling(4.0, "fan_out", "untruncated_normal", seed=5)((50, 400))
    )
    assert abs(values.std() - math.sqrt(4.0 / 400)) < 0.005
    with pytest.raises(ValueError, match="scale"):
        initializers.VarianceScaling(scale=0.0)
    with pytest.raises(ValueError, match="mode"):
        initializers.VarianceScaling(mode="fan_sideways")
    with pytest.raises(ValueError, match="distribution"):
        initializers.VarianceScaling(distribution="cauchy")


def test_seeded_initializers_repeat_and_different_seeds_differ():
    a = _np(initializers.GlorotUniform(seed=11)((4, 5)))
    b = _np(initializers.GlorotUniform(seed=11)((4, 5)))
    c = _np(initializers.GlorotUniform(seed=12)((4, 5)))
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    same_instance = initializers.RandomNormal(seed=4)
    np.testing.assert_array_equal(_np(same_instance((3,))), _np(same_instance((3,))))


def test_unseeded_initializers_follow_the_global_seed():
    tf.random.set_seed(123)
    first = _np(initializers.RandomNormal()((6,)))
    tf.random.set_seed(123)
    second = _np(initializers.RandomNormal()((6,)))
    tf.random.set_seed(None)
    np.testing.assert_array_equal(first, second)


def test_orthogonal_initializer_gives_orthonormal_rows_or_columns():
    tall = _np(initializers.Orthogonal(seed=1)((6, 3)))
    np.testing.assert_allclose(tall.T @ tall, np.eye(3), atol=1e-5)
    wide = _np(initializers.Orthogonal(gain=2.0, seed=1)((3, 6)))
    np.testing.assert_allclose(wide @ wide.T, 4.0 * np.eye(3), atol=1e-4)
    with pytest.raises(ValueError, match="two-dimensional"):
        initializers.Orthogonal()((3,))


def test_identity_initializer():
    np.testing.assert_array_equal(_np(initializers.Identity(3.0)((2, 3))), 3.0 * np.eye(2, 3))


def test_random_initializers_reject_integer_dtypes():
    with pytest.raises(ValueError, match="floating point"):
        initializers.GlorotUniform()((2, 2), dtype="int32")


@pytest.mark.parametrize(
    "name, cls",
    [
        ("glorot_uniform", initializers.GlorotUniform),
        ("GlorotNormal", initializers.GlorotNormal),
        ("he_normal", initializers.HeNormal),
        ("zeros", initializers.Zeros),
        ("ones", initializers.Ones),
        ("uniform", initializers.RandomUniform),
        ("normal", initializers.RandomNormal),
        ("truncated_normal", initializers.TruncatedNormal),
        ("orthogonal", initializers.Orthogonal),
        ("lecun_uniform", initializers.LecunUniform),
    ],
)
def test_get_by_name(name, cls):
    assert type(initializers.get(name)) is cls


def test_get_config_round_trip_and_other_identifiers():
    original = initializers.VarianceScaling(2.0, "fan_avg", "uniform", seed=9)
    config = initializers.serialize(original)
    assert config == {
        "class_name": "VarianceScaling",
        "config": {"scale": 2.0, "mode": "fan_avg", "distribution": "uniform", "seed": 9},
    }
    restored = initializers.deserialize(config)
    np.testing.assert_array_equal(_np(original((3, 3))), _np(restored((3, 3))))
    assert initializers.get(None) is None
    assert initializers.get(original) is original

    def custom(shape, dtype=None):
        return tf.ones(shape)

    assert initializers.get(custom) is custom
    with pytest.raises(ValueError, match="Unknown initializer"):
        initializers.get("not_an_initializer")
    with pytest.raises(ValueError, match="Could not interpret"):
        initializers.get(42)


def test_snake_case_aliases_are_the_classes():
    assert initializers.glorot_uniform is initializers.GlorotUniform
    assert initializers.he_normal is initializers.HeNormal
    assert initializers.zeros is initializers.Zeros
