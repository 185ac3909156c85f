"""Adamax: Adam with the infinity norm of past gradients in place of their RMS."""

import loom
from loom.keras.optimizers.optimizer import Optimizer


class Adamax(Optimizer):
    """m += (g - m)(1 - beta_1); u = max(beta_2 * u, |g|);
    w -= lr * m / ((1 - beta_1^t) * (u + epsilon))."""

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        name="Adamax",
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
        self._m = [self.add_variable_from_reference(v, "m") for v in var_list]
        self._u = [self.add_variable_from_reference(v, "u") for v in var_list]

    def update_step(self, gradient, variable):
        dtype = variable.dtype
        lr = loom.cast(self.learning_rate, dtype)
        local_step = loom.cast(self.iterations + 1, dtype)
        beta_1_power = loom.pow(loom.cast(self.beta_1, dtype), local_step)
        m = self._slot(self._m, variable)
        u = self._slot(self._u, variable)
        m.assign_add((gradient - m) * (1 - self.beta_1))
        u.assign(loom.maximum(self.beta_2 * u, loom.abs(gradient)))
        variable.assign_sub((lr * m) / ((1 - beta_1_power) * (u + self.epsilon)))

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
