"""Shared pieces of the optimizer tests: one variable, three gradients, and the loops
that apply them eagerly and inside a loom.function."""

import numpy as np

import loom as tf

f32 = np.float32
W0 = np.array([1.0, -2.0, 0.5], f32)
GRADS = [
    np.array([0.1, -0.2, 0.3], f32),
    np.array([-0.5, 0.4, 0.05], f32),
    np.array([0.2, 0.2, -0.7], f32),
]


def run_steps(optimizer, grads=GRADS, w0=W0):
    """Applies each gradient in turn; returns the variable's value after every step."""
    w = tf.Variable(w0)
    values = []
    for g in grads:
        optimizer.apply_gradients([(tf.constant(g), w)])
        values.append(w.numpy().copy())
    return values


def run_steps_in_function(optimizer, grads=GRADS, w0=W0):
    """The same inside one loom.function: (values after every step, the last iteration
    count, the list the function appends to on each trace, the step function)."""
    w = tf.Variable(w0)
    traces = []

    @tf.function
    def step(g):
        traces.append(1)
        return optimizer.apply_gradients([(g, w)])

    values = []
    for g in grads:
        iteration = step(tf.constant(g))
        values.append(w.numpy().copy())
    return values, int(iteration.numpy()), traces, step


def assert_steps(actual, expected):
    for step, (a, e) in enumerate(zip(actual, expected)):
        np.testing.assert_allclose(a, e, rtol=1e-6, atol=1e-7, err_msg=f"step {step + 1}")
