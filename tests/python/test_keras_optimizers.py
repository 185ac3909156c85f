"""tf.keras.optimizers: the first three steps of each optimizer against float32 NumPy
re-computations of the TF 2.11+ update rules, eagerly and inside loom.function."""

import numpy as np
import pytest
from optimizer_testing import GRADS, W0, assert_steps, run_steps, run_steps_in_function

import loom as tf

optimizers = tf.keras.optimizers
f32 = np.float32

# --- NumPy references (float32 throughout) ----------------------------------------------
# Python-side constants such as 1 - beta_2 are formed in double precision and rounded
# once to float32 when they meet a tensor, as in Keras; the references do the same.


def ref_sgd(lr, momentum=0.0, nesterov=False):
    lr, momentum = f32(lr), f32(momentum)
    w, m, out = W0.copy(), np.zeros_like(W0), []
    for g in GRADS:
        m = -g * lr + m * momentum
        w = w + (-g * lr + m * momentum if nesterov else m)
        out.append(w)
    return out


def ref_adam(lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, weight_decay=None):
    lr, b1, b2 = f32(lr), f32(beta_1), f32(beta_2)
    w, m, v, v_hat, out = W0.copy(), np.zeros_like(W0), np.zeros_like(W0), np.zeros_like(W0), []
    for t, g in enumerate(GRADS, start=1):
        if weight_decay is not None:
            w = w - w * f32(weight_decay) * lr
        alpha = lr * np.sqrt(f32(1) - b2 ** f32(t)) / (f32(1) - b1 ** f32(t))
        m = m + (g - m) * f32(1 - beta_1)
        v = v + (g * g - v) * f32(1 - beta_2)
        if amsgrad:
            v_hat = np.maximum(v_hat, v)
        w = w - (m * alpha) / (np.sqrt(v_hat if amsgrad else v) + f32(epsilon))
        out.append(w)
    return out


def ref_rmsprop(lr, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    lr, one_minus_rho = f32(lr), f32(1 - rho)
    rho, momentum, eps = f32(rho), f32(momentum), f32(epsilon)
    w, vel, mom, avg, out = W0.copy(), np.zeros_like(W0), np.zeros_like(W0), np.zeros_like(W0), []
    for g in GRADS:
        vel = rho * vel + one_minus_rho * (g * g)
        if centered:
            avg = rho * avg + one_minus_rho * g
            denominator = vel - avg * avg + eps
        else:
            denominator = vel + eps
        increment = lr * g / np.sqrt(denominator)
        if momentum > 0:
            mom = momentum * mom + increment
            w = w - mom
        else:
            w = w - increment
        out.append(w)
    return out


def ref_adagrad(lr, initial_accumulator_value=0.1, epsilon=1e-7):
    lr = f32(lr)
    w, acc, out = W0.copy(), np.full_like(W0, initial_accumulator_value), []
    for g in GRADS:
        acc = acc + g * g
        w = w - lr * g / np.sqrt(acc + f32(epsilon))
        out.append(w)
    return out


# --- update rules -------------------------------------------------------------------

CASES = {
    "sgd": (lambda: optimizers.SGD(learning_rate=0.1), lambda: ref_sgd(0.1)),
    "sgd_default_lr": (lambda: optimizers.SGD(), lambda: ref_sgd(0.01)),
    "sgd_momentum": (lambda: optimizers.SGD(0.1, momentum=0.9), lambda: ref_sgd(0.1, 0.9)),
    "sgd_nesterov": (
        lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True),
        lambda: ref_sgd(0.1, 0.9, nesterov=True),
    ),
    "adam": (lambda: optimizers.Adam(), lambda: ref_adam(0.001)),
    "adam_custom": (
        lambda: optimizers.Adam(0.05, beta_1=0.8, beta_2=0.99, epsilon=1e-3),
        lambda: ref_adam(0.05, 0.8, 0.99, 1e-3),
    ),
    "adam_amsgrad": (
        lambda: optimizers.Adam(0.1, amsgrad=True),
        lambda: ref_adam(0.1, amsgrad=True),
    ),
    "adamw": (lambda: optimizers.AdamW(0.1), lambda: ref_adam(0.1, weight_decay=0.004)),
    "rmsprop": (lambda: optimizers.RMSprop(), lambda: ref_rmsprop(0.001)),
    "rmsprop_momentum": (
        lambda: optimizers.RMSprop(0.01, rho=0.8, momentum=0.5),
        lambda: ref_rmsprop(0.01, 0.8, 0.5),
    ),
    "rmsprop_centered": (
        lambda: optimizers.RMSprop(0.01, centered=True),
        lambda: ref_rmsprop(0.01, centered=True),
    ),
    "rmsprop_centered_momentum": (
        lambda: optimizers.RMSprop(0.01, momentum=0.9, centered=True),
        lambda: ref_rmsprop(0.01, momentum=0.9, centered=True),
    ),
    "adagrad": (lambda: optimizers.Adagrad(0.1), lambda: ref_adagrad(0.1)),
    "adagrad_initial": (
        lambda: optimizers.Adagrad(0.5, initial_accumulator_value=1.0, epsilon=1e-3),
        lambda: ref_adagrad(0.5, 1.0, 1e-3),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_first_three_steps_match_numpy(case):
    make, reference = CASES[case]
    optimizer = make()
    assert_steps(run_steps(optimizer), reference())
    assert int(optimizer.iterations.numpy()) == 3
    assert optimizer.iterations.dtype == tf.int64


@pytest.mark.parametrize(
    "case", ["sgd_nesterov", "adam_amsgrad", "rmsprop_centered_momentum", "adagrad"]
)
def test_first_apply_inside_a_function_creates_slots_once(case):
    make, reference = CASES[case]
    optimizer = make()
    values, iteration, traces, step = run_steps_in_function(optimizer)
    assert iteration == 3
    assert_steps(values, reference())
    assert len(traces) <= 2
    slot_count = len(optimizer.variables) - 1
    step(tf.constant(GRADS[0]))
    assert len(optimizer.variables) - 1 == slot_count
    assert len(traces) <= 2


def test_slots_follow_the_variables_shape_dtype_and_name():
    w = tf.Variable(np.ones((2, 3), np.float64), name="kernel")
    optimizer = optimizers.Adam(amsgrad=True)
    optimizer.apply_gradients([(tf.ones((2, 3), tf.float64), w)])
    names = [v.name for v in optimizer.variables]
    assert names == ["iteration:0", "m/kernel:0", "v/kernel:0", "vhat/kernel:0"]
    assert all(v.shape == (2, 3) and v.dtype == tf.float64 for v in optimizer.variables[1:])
    assert optimizer.variables() == optimizer.variables  # callable, as in Keras
    assert w.dtype == tf.float64


def test_several_variables_each_get_their_own_slots():
    a, b = tf.Variable([1.0, 2.0]), tf.Variable(3.0)
    optimizer = optimizers.SGD(0.5, momentum=0.5)
    for _ in range(2):
        optimizer.apply_gradients([(tf.constant([1.0, 1.0]), a), (tf.constant(2.0), b)])
    # m1 = -0.5 g, m2 = -0.5 g + 0.5 m1 = -0.75 g; total change -1.25 g
    np.testing.assert_allclose(a.numpy(), [1.0 - 1.25, 2.0 - 1.25])
    np.testing.assert_allclose(b.numpy(), 3.0 - 2.5)
