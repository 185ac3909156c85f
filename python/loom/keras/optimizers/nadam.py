"""Nadam: Adam with Nesterov momentum and a warming momentum schedule."""

import loom
from loom.keras.optimizers.optimizer import Optimizer

# The momentum schedule u_t = beta_1 * (1 - 0.5 * 0.96^t) of Dozat's Nadam.
_SCHEDULE_DECAY = 0.96


class Nadam(Optimizer):
    """m += (g - m)(1 - beta_1); v += (g^2 - v)(1 - beta_2); with u_t = beta_1 *
    (1 - 0.5 * 0.96^t) and P_t = u_1 ... u_t, m_hat = u_{t+1} m / (1 - P_t u_{t+1}) +
    (1 - u_t) g / (1 - P_t); w -= lr * m_hat / (sqrt(v / (1 - beta_2^t)) + epsilon)."""

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        name="Nadam",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, var_list):
        super().build(var_list)
        if getattr(self, "_built", False):
            return
        self._built = True
        # P_t, the product of the schedule so far: one per optimizer, not per variable.
        # Like Keras it is tracked (checkpointed) but not listed in `variables`.
        self._u_product = loom.Variable(
            1.0, name="u_product", dtype=var_list[0].dtype, trainable=False
        )
        self._momentums = [self.add_variable_from_reference(v, "m") for v in var_list]
        self._velocities = [self.add_variable_from_reference(v, "v") for v in var_list]

    def _schedule(self, step, dtype):
        beta_1 = loom.cast(self.beta_1, dtype)
        decay = loom.cast(_SCHEDULE_DECAY, dtype)
        return beta_1 * (1.0 - 0.5 * loom.pow(decay, step))

    def _advance_shared_state(self):
        dtype = self._u_product.dtype
        local_step = loom.cast(self.iterations + 1, dtype)
        self._u_product.assign(self._u_product * self._schedule(local_step, dtype))

    def update_step(self, gradient, variable):
        dtype = variable.dtype
        lr = loom.cast(self.learning_rate, dtype)
        local_step = loom.cast(self.iterations + 1, dtype)
        next_step = loom.cast(self.iterations + 2, dtype)
        beta_1 = loom.cast(self.beta_1, dtype)
        beta_2 = loom.cast(self.beta_2, dtype)
        u_t = self._schedule(local_step, dtype)
        u_t_1 = self._schedule(next_step, dtype)
        u_product_t = loom.cast(self._u_product, dtype)
        u_product_t_1 = u_product_t * u_t_1
        beta_2_power = loom.pow(beta_2, local_step)
        m = self._slot(self._momentums, variable)
        v = self._slot(self._velocities, variable)
        m.assign_add((gradient - m) * (1 - beta_1))
        v.assign_add((loom.square(gradient) - v) * (1 - beta_2))
        m_hat = u_t_1 * m / (1 - u_product_t_1) + (1 - u_t) * gradient / (1 - u_product_t)
        v_hat = v / (1 - beta_2_power)
        variable.assign_sub((m_hat * lr) / (loom.sqrt(v_hat) + self.epsilon))

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "learning_rate": self._serialize_hyperparameter(self._learning_rate),
                "beta_1": self.beta_1,
                "beta_2": self.beta_2,
                "epsilon": self.epsilon,
            }
        )
        return config
