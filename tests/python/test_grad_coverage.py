"""Every registered op either has a gradient or is declared non-differentiable, so a
differentiable path never ends in an op the tape cannot go through."""

import loom as tf
from loom import _C


def test_every_op_has_a_gradient_or_is_declared_non_differentiable():
    missing = [
        name
        for name in _C.op_names()
        if _C.op(name).is_differentiable and not _C.op(name).has_gradient
    ]
    assert missing == []


def test_declared_non_differentiable_ops_give_no_gradient():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.cast(tf.argmax(x), tf.float32) + tf.cast(tf.shape(x)[0], tf.float32)
    assert _C.op("ArgMax").is_differentiable is False
    assert tape.gradient(y, x) is None
