"""Numerical gradient checks: an op's gradient (from GradientTape) against central
differences in float64, eagerly and traced inside a loom.function.

check_gradients(f, *xs) draws a random weight w for f's output and compares
d(sum(w * f(xs)))/dx from the tape with (L(x + h e_i) - L(x - h e_i)) / 2h for every
element i of every input. check_second_order(f, *xs) checks the gradient of the
gradient (nested tapes)."""

import numpy as np

import loom as tf

DELTA = 1e-6


def _as_list(y):
    return list(y) if isinstance(y, (list, tuple)) else [y]


def _weighted_sum(f, xs, weights):
    ys = _as_list(f(*[tf.constant(x) for x in xs]))
    return sum(float(np.sum(np.asarray(y.numpy(), np.float64) * w)) for y, w in zip(ys, weights))


def numerical_gradients(f, xs, weights, delta=DELTA):
    grads = []
    for k, x in enumerate(xs):
        g = np.zeros_like(x, dtype=np.float64)
        flat = g.reshape(-1)
        for i in range(x.size):
            plus = [a.copy() for a in xs]
            minus = [a.copy() for a in xs]
            plus[k].reshape(-1)[i] += delta
            minus[k].reshape(-1)[i] -= delta
            flat[i] = (_weighted_sum(f, plus, weights) - _weighted_sum(f, minus, weights)) / (
                2 * delta
            )
        grads.append(g)
    return grads


def tape_gradients(f, xs, weights, in_function=False):
    def grads_of(*args):
        with tf.GradientTape() as tape:
            for a in args:
                tape.watch(a)
            ys = _as_list(f(*args))
        ws = [tf.constant(w, y.dtype) for w, y in zip(weights, ys)]
        return tape.gradient(ys, list(args), output_gradients=ws)

    if in_function:
        grads_of = tf.function(grads_of)
    return grads_of(*[tf.constant(x) for x in xs])


def check_gradients(f, *xs, rtol=1e-5, atol=1e-6, seed=0, delta=DELTA, in_function=True):
    """Asserts the tape's gradients of f at xs (float64 arrays) match central differences,
    eagerly and (with in_function) traced. Returns the tape's gradients."""
    xs = [np.asarray(x, np.float64) for x in xs]
    rng = np.random.default_rng(seed)
    ys = _as_list(f(*[tf.constant(x) for x in xs]))
    weights = [rng.uniform(0.5, 1.5, size=tuple(y.shape)) for y in ys]
    expected = numerical_gradients(f, xs, weights, delta)
    modes = [False, True] if in_function else [False]
    result = None
    for traced in modes:
        got = tape_gradients(f, xs, weights, in_function=traced)
        for k, (g, e) in enumerate(zip(got, expected)):
            assert g is not None, f"no gradient for input {k} (traced={traced})"
            assert tuple(g.shape) == xs[k].shape, (tuple(g.shape), xs[k].shape)
            np.testing.assert_allclose(
                g.numpy(), e, rtol=rtol, atol=atol, err_msg=f"input {k}, traced={traced}"
            )
        result = result or got
    return result


def gradient_function(f, argnum=0):
    """x... -> d(sum f(x...))/d x[argnum], computed with a tape (for second derivatives)."""

    def grad(*args):
        with tf.GradientTape() as tape:
            tape.watch(args[argnum])
            y = f(*args)
        return tape.gradient(y, args[argnum])

    return grad


def check_second_order(f, *xs, argnum=0, rtol=1e-4, atol=1e-5, seed=0):
    """Checks the gradient of f's gradient (nested tapes) against central differences."""
    return check_gradients(
        gradient_function(f, argnum), *xs, rtol=rtol, atol=atol, seed=seed, delta=1e-5
    )
