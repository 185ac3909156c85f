"""tf.random seed rules: global seed, op seed, per-seed engine state, set_seed resets."""

import numpy as np
import pytest

import loom as tf
from loom import _C
from loom.ops import random_ops


@pytest.fixture(autouse=True)
def no_global_seed():
    tf.random.set_seed(None)
    yield
    tf.random.set_seed(None)


def draws(fn):
    """Two consecutive draws of fn() as NumPy arrays."""
    return fn().numpy(), fn().numpy()


STATEFUL = {
    "uniform": lambda seed=None: tf.random.uniform([8], seed=seed),
    "uniform_range": lambda seed=None: tf.random.uniform([8], -3.0, 7.0, seed=seed),
    "uniform_int": lambda seed=None: tf.random.uniform([8], 0, 1000, dtype=tf.int64, seed=seed),
    "normal": lambda seed=None: tf.random.normal([8], seed=seed),
    "truncated_normal": lambda seed=None: tf.random.truncated_normal([8], seed=seed),
    "categorical": lambda seed=None: tf.random.categorical(
        np.zeros([2, 50], np.float32), 6, seed=seed
    ),
    "shuffle": lambda seed=None: tf.random.shuffle(np.arange(40), seed=seed),
}


@pytest.mark.parametrize("name", sorted(STATEFUL))
def test_set_seed_repeats_the_sequence(name):
    fn = STATEFUL[name]
    tf.random.set_seed(1)
    a, b = draws(fn)
    tf.random.set_seed(1)
    a2, b2 = draws(fn)
    np.testing.assert_array_equal(a, a2)
    np.testing.assert_array_equal(b, b2)
    assert not np.array_equal(a, b)


def test_set_seed_example_from_the_brief():
    tf.random.set_seed(1)
    a = tf.random.uniform([])
    b = tf.random.uniform([])
    tf.random.set_seed(1)
    a2 = tf.random.uniform([])
    b2 = tf.random.uniform([])
    assert a.numpy() == a2.numpy() and b.numpy() == b2.numpy()
    assert a.numpy() != b.numpy()


def test_different_global_seeds_give_different_sequences():
    tf.random.set_seed(1)
    a = tf.random.uniform([16]).numpy()
    tf.random.set_seed(2)
    b = tf.random.uniform([16]).numpy()
    assert not np.array_equal(a, b)


@pytest.mark.parametrize("name", sorted(STATEFUL))
def test_op_seed_state_advances_and_set_seed_resets_it(name):
    fn = STATEFUL[name]
    a, b = draws(lambda: fn(seed=5))
    assert not np.array_equal(a, b)  # the (seed, seed2) stream continues
    tf.random.set_seed(None)  # resets the engine's streams too
    a2, b2 = draws(lambda: fn(seed=5))
    np.testing.assert_array_equal(a, a2)
    np.testing.assert_array_equal(b, b2)


def test_op_seed_alone_uses_the_default_global_seed():
    a = tf.random.uniform([8], seed=7).numpy()
    tf.random.set_seed(random_ops.DEFAULT_GRAPH_SEED)
    b = tf.random.uniform([8], seed=7).numpy()
    np.testing.assert_array_equal(a, b)


def test_both_seeds_determine_the_sequence():
    tf.random.set_seed(3)
    a = tf.random.uniform([8], seed=7).numpy()
    tf.random.set_seed(4)
    b = tf.random.uniform([8], seed=7).numpy()
    tf.random.set_seed(3)
    c = tf.random.uniform([8], seed=8).numpy()
    tf.random.set_seed(3)
    a2 = tf.random.uniform([8], seed=7).numpy()
    np.testing.assert_array_equal(a, a2)
    assert not np.array_equal(a, b) and not np.array_equal(a, c)


def test_unseeded_ops_differ_between_calls_and_resets():
    a, b = draws(lambda: tf.random.uniform([16]))
    tf.random.set_seed(None)
    c = tf.random.uniform([16]).numpy()
    assert not np.array_equal(a, b) and not np.array_equal(a, c)


def test_global_seed_gives_each_op_its_own_seed():
    tf.random.set_seed(11)
    first = [tf.random.uniform([4]).numpy() for _ in range(3)]
    tf.random.set_seed(11)
    again = [tf.random.uniform([4]).numpy() for _ in range(3)]
    for x, y in zip(first, again):
        np.testing.assert_array_equal(x, y)
    assert len({x.tobytes() for x in first}) == 3


def test_get_seed_follows_tf_rules():
    assert random_ops.get_seed(None) == (None, None)
    assert random_ops.get_seed(5) == (random_ops.DEFAULT_GRAPH_SEED, 5)
    tf.random.set_seed(2**31 + 4)  # truncated modulo 2**31 - 1
    assert random_ops.get_seed(9) == (5, 9)
    seed1, seed2 = random_ops.get_seed(None)
    assert seed1 == 5 and 0 <= seed2 < 2**31
    tf.random.set_seed(0)
    assert random_ops.get_seed(0) == (0, 2**31 - 1)  # (0, 0) would mean unseeded


def test_stateful_and_stateless_traits():
    for name in [
        "RandomUniform",
        "RandomStandardNormal",
        "TruncatedNormal",
        "RandomUniformInt",
        "Multinomial",
        "RandomShuffle",
    ]:
        assert _C.op(name).is_stateful, name
    for name in [
        "StatelessRandomUniform",
        "StatelessRandomNormal",
        "StatelessTruncatedNormal",
        "StatelessRandomUniformInt",
        "StatelessMultinomial",
    ]:
        assert not _C.op(name).is_stateful, name


def test_stateless_ops_ignore_the_global_seed_and_state():
    tf.random.set_seed(1)
    a = tf.random.stateless_uniform([8], seed=[4, 2]).numpy()
    tf.random.uniform([8], seed=3)
    tf.random.set_seed(99)
    b = tf.random.stateless_uniform([8], seed=[4, 2]).numpy()
    np.testing.assert_array_equal(a, b)


def test_stream_is_split_by_seed_pairs_not_by_call_size():
    # Draws continue one stream per (seed, seed2); a different pair is independent.
    x = tf.random.uniform([4], seed=1).numpy()
    y = tf.random.uniform([4], seed=2).numpy()
    tf.random.set_seed(None)
    y2 = tf.random.uniform([4], seed=2).numpy()
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(x, y)
