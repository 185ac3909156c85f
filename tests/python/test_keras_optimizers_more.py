"""tf.keras.optimizers Nadam, Adamax, Adadelta, Ftrl and Lion: the first three steps
against float32 NumPy re-computations of the TF 2.11+ update rules, eagerly and inside
loom.function, plus get/get_config and convergence under minimize."""

import numpy as np
import pytest
from optimizer_testing import GRADS, W0, assert_steps, run_steps, run_steps_in_function

import loom as tf

optimizers = tf.keras.optimizers
f32 = np.float32

# --- NumPy references (float32 throughout) ----------------------------------------------
# Python constants such as 1 - beta_1 are formed in double precision and rounded once to
# float32 where they meet a tensor; constants Keras first casts to the variable's dtype
# (Nadam's and Lion's betas) are rounded before the subtraction. The references follow.


def ref_nadam(lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7, grads=GRADS):
    lr, b1, b2, decay = f32(lr), f32(beta_1), f32(beta_2), f32(0.96)
    w, m, v, u_product, out = W0.copy(), np.zeros_like(W0), np.zeros_like(W0), f32(1), []

    def schedule(step):
        return b1 * (f32(1) - f32(0.5) * np.power(decay, f32(step)))

    for t, g in enumerate(grads, start=1):
        u_t, u_t_1 = schedule(t), schedule(t + 1)
        u_product = u_product * u_t
        m = m + (g - m) * (f32(1) - b1)
        v = v + (g * g - v) * (f32(1) - b2)
        m_hat = u_t_1 * m / (f32(1) - u_product * u_t_1) + (f32(1) - u_t) * g / (f32(1) - u_product)
        v_hat = v / (f32(1) - np.power(b2, f32(t)))
        w = w - (m_hat * lr) / (np.sqrt(v_hat) + f32(epsilon))
        out.append(w)
    return out


def ref_adamax(lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    lr, b1 = f32(lr), f32(beta_1)
    w, m, u, out = W0.copy(), np.zeros_like(W0), np.zeros_like(W0), []
    for t, g in enumerate(GRADS, start=1):
        m = m + (g - m) * f32(1 - beta_1)
        u = np.maximum(f32(beta_2) * u, np.abs(g))
        w = w - (lr * m) / ((f32(1) - np.power(b1, f32(t))) * (u + f32(epsilon)))
        out.append(w)
    return out


def ref_adadelta(lr, rho=0.95, epsilon=1e-7):
    lr, eps, one_minus_rho, rho = f32(lr), f32(epsilon), f32(1 - rho), f32(rho)
    w, acc_grad, acc_delta, out = W0.copy(), np.zeros_like(W0), np.zeros_like(W0), []
    for g in GRADS:
        acc_grad = rho * acc_grad + one_minus_rho * g * g
        delta = -np.sqrt(acc_delta + eps) * g / np.sqrt(acc_grad + eps)
        acc_delta = rho * acc_delta + one_minus_rho * delta * delta
        w = w + lr * delta
        out.append(w)
    return out


def ref_ftrl(lr, power=-0.5, initial=0.1, l1=0.0, l2=0.0, shrinkage=0.0, beta=0.0):
    lr = f32(lr)
    w, n, z, out = W0.copy(), np.full_like(W0, initial), np.zeros_like(W0), []
    l2_total = f32(l2) + f32(beta) / (f32(2) * lr)
    for g in GRADS:
        new_n = n + np.power(g, f32(2))
        z = z + (
            (g + f32(2 * shrinkage) * w)
            - (np.power(new_n, f32(-power)) - np.power(n, f32(-power))) / lr * w
        )
        quadratic = np.power(new_n, f32(-power)) / lr + f32(2) * l2_total
        w = (np.clip(z, f32(-l1), f32(l1)) - z) / quadratic
        n = new_n
        out.append(w)
    return out


def ref_lion(lr, beta_1=0.9, beta_2=0.99):
    lr, b1, b2 = f32(lr), f32(beta_1), f32(beta_2)
    w, m, out = W0.copy(), np.zeros_like(W0), []
    for g in GRADS:
        w = w - lr * np.sign(m * b1 + g * (f32(1) - b1))
        m = m * b2 + g * (f32(1) - b2)
        out.append(w)
    return out


CASES = {
    "nadam": (lambda: optimizers.Nadam(), lambda: ref_nadam(0.001)),
    "nadam_custom": (
        lambda: optimizers.Nadam(0.1, beta_1=0.8, beta_2=0.99, epsilon=1e-3),
        lambda: ref_nadam(0.1, 0.8, 0.99, 1e-3),
    ),
    "adamax": (lambda: optimizers.Adamax(), lambda: ref_adamax(0.001)),
    "adamax_custom": (
        lambda: optimizers.Adamax(0.1, beta_1=0.7, beta_2=0.5, epsilon=1e-3),
        lambda: ref_adamax(0.1, 0.7, 0.5, 1e-3),
    ),
    "adadelta": (lambda: optimizers.Adadelta(), lambda: ref_adadelta(0.001)),
    "adadelta_custom": (
        lambda: optimizers.Adadelta(1.0, rho=0.8, epsilon=1e-3),
        lambda: ref_adadelta(1.0, 0.8, 1e-3),
    ),
    "ftrl": (lambda: optimizers.Ftrl(), lambda: ref_ftrl(0.001)),
    "ftrl_regularized": (
        lambda: optimizers.Ftrl(
            0.5,
            learning_rate_power=-0.3,
            initial_accumulator_value=0.2,
            l1_regularization_strength=0.01,
            l2_regularization_strength=0.02,
            l2_shrinkage_regularization_strength=0.03,
            beta=0.1,
        ),
        lambda: ref_ftrl(0.5, -0.3, 0.2, 0.01, 0.02, 0.03, 0.1),
    ),
    "lion": (lambda: optimizers.Lion(), lambda: ref_lion(0.0001)),
    "lion_custom": (
        lambda: optimizers.Lion(0.1, beta_1=0.5, beta_2=0.9),
        lambda: ref_lion(0.1, 0.5, 0.9),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_first_three_steps_match_numpy(case):
    make, reference = CASES[case]
    optimizer = make()
    assert_steps(run_steps(optimizer), reference())
    assert int(optimizer.iterations.numpy()) == 3


@pytest.mark.parametrize("case", sorted(CASES))
def test_inside_a_function_slots_are_created_on_the_first_trace_only(case):
    make, reference = CASES[case]
    optimizer = make()
    values, iteration, traces, step = run_steps_in_function(optimizer)
    assert iteration == 3
    assert_steps(values, reference())
    variables = list(optimizer.variables)
    step(tf.constant(GRADS[0]))
    assert len(optimizer.variables) == len(variables)
    assert all(a is b for a, b in zip(optimizer.variables, variables))
    assert len(traces) <= 2


def test_nadam_advances_its_schedule_product_once_per_step_for_all_variables():
    # Both variables must see the same u_1 ... u_t, whatever their number.
    optimizer = optimizers.Nadam(0.1)
    a, b = tf.Variable(W0), tf.Variable(W0)

    @tf.function
    def step(g):
        optimizer.apply_gradients([(g, a), (g, b)])

    values_a, values_b = [], []
    for g in GRADS:
        step(tf.constant(g))
        values_a.append(a.numpy().copy())
        values_b.append(b.numpy().copy())
    assert_steps(values_a, ref_nadam(0.1))
    assert_steps(values_b, ref_nadam(0.1))
    names = [v.name for v in optimizer.variables]
    assert names == ["iteration:0", "m/Variable:0", "m/Variable:0", "v/Variable:0", "v/Variable:0"]


def test_slot_names_follow_keras():
    w = tf.Variable(np.ones((2,), np.float64), name="kernel")
    expected = {
        "Nadam": ["m", "v"],
        "Adamax": ["m", "u"],
        "Adadelta": ["accumulated_grad", "accumulated_delta_var"],
        "Ftrl": ["accumulator", "linear"],
        "Lion": ["m"],
    }
    for class_name, slots in expected.items():
        optimizer = getattr(optimizers, class_name)()
        optimizer.apply_gradients([(tf.ones((2,), tf.float64), w)])
        assert [v.name for v in optimizer.variables[1:]] == [f"{s}/kernel:0" for s in slots]
        assert all(v.dtype == tf.float64 for v in optimizer.variables[1:])


def test_ftrl_accumulator_starts_at_its_initial_value():
    optimizer = optimizers.Ftrl(initial_accumulator_value=0.25)
    optimizer.build([tf.Variable([1.0, 2.0])])
    np.testing.assert_allclose(optimizer.variables[1].numpy(), [0.25, 0.25])
    np.testing.assert_allclose(optimizer.variables[2].numpy(), [0.0, 0.0])


@pytest.mark.parametrize(
    "argument, value, message",
    [
        ("initial_accumulator_value", -0.1, "`initial_accumulator_value` needs to be positive"),
        ("learning_rate_power", 0.5, "`learning_rate_power` needs to be negative or zero"),
        ("l1_regularization_strength", -1.0, "l1_regularization_strength=-1.0"),
        ("l2_regularization_strength", -1.0, "l2_regularization_strength=-1.0"),
        ("l2_shrinkage_regularization_strength", -1.0, "l2_shrinkage_regularization"),
    ],
)
def test_ftrl_rejects_out_of_range_arguments(argument, value, message):
    with pytest.raises(ValueError, match=message):
        optimizers.Ftrl(**{argument: value})


# --- lookup and configuration ---------------------------------------------------------

DEFAULTS = {
    "Nadam": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
    "Adamax": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
    "Adadelta": {"learning_rate": 0.001, "rho": 0.95, "epsilon": 1e-7},
    "Ftrl": {
        "learning_rate": 0.001,
        "learning_rate_power": -0.5,
        "initial_accumulator_value": 0.1,
        "l1_regularization_strength": 0.0,
        "l2_regularization_strength": 0.0,
        "l2_shrinkage_regularization_strength": 0.0,
        "beta": 0.0,
    },
    "Lion": {"learning_rate": 0.0001, "beta_1": 0.9, "beta_2": 0.99},
}


@pytest.mark.parametrize("class_name", sorted(DEFAULTS))
def test_get_and_config_round_trip(class_name):
    cls = getattr(optimizers, class_name)
    for identifier in (class_name, class_name.lower(), class_name.upper()):
        assert type(optimizers.get(identifier)) is cls
    config = cls().get_config()
    assert config["name"] == class_name
    assert config["is_legacy_optimizer"] is False
    for key, value in DEFAULTS[class_name].items():
        np.testing.assert_allclose(config[key], value, rtol=1e-6, err_msg=key)

    custom = cls(learning_rate=0.25, clipnorm=1.0, name="custom")
    rebuilt = cls.from_config(custom.get_config())
    assert rebuilt.get_config() == custom.get_config()
    revived = optimizers.get(optimizers.serialize(custom))
    assert type(revived) is cls
    assert revived.get_config() == custom.get_config()
    np.testing.assert_allclose(revived.learning_rate.numpy(), 0.25)


def test_subclasses_reject_unknown_arguments():
    with pytest.raises(TypeError, match="momentum is not a valid argument"):
        optimizers.Nadam(momentum=0.9)


# --- convergence -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, steps",
    [
        (lambda: optimizers.Nadam(0.5), 150),
        (lambda: optimizers.Adamax(0.5), 150),
        (lambda: optimizers.Adadelta(1.0, rho=0.9, epsilon=1e-3), 150),
        (lambda: optimizers.Ftrl(1.0), 150),
        (lambda: optimizers.Lion(0.05), 400),
    ],
    ids=["nadam", "adamax", "adadelta", "ftrl", "lion"],
)
def test_minimize_converges_on_a_quadratic(make, steps):
    optimizer = make()
    w = tf.Variable([4.0, -4.0])

    @tf.function
    def train_step():
        optimizer.minimize(lambda: tf.reduce_sum(tf.square(w - 1.0)), [w])

    for _ in range(steps):
        train_step()
    np.testing.assert_allclose(w.numpy(), [1.0, 1.0], atol=1e-3)
    assert int(optimizer.iterations.numpy()) == steps
