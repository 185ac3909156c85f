"""Adadelta: steps scaled by the ratio of running RMS of past updates and gradients."""

import loom
from loom.keras.optimizers.optimizer import Optimizer


class Adadelta(Optimizer):
    """E[g^2] = rho E[g^2] + (1 - rho) g^2; delta = -sqrt(E[dx^2] + epsilon) * g /
    sqrt(E[g^2] + epsilon); E[dx^2] = rho E[dx^2] + (1 - rho) delta^2; w += lr * delta."""

    def __init__(
        self,
        learning_rate=0.001,
        rho=0.95,
        epsilon=1e-7,
        name="Adadelta",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.rho = rho
        self.epsilon = epsilon

    def build(self, var_list):
        super().build(var_list)
        if getattr(self, "_built", False):
            return
        self._built = True
        self._accumulated_grads = [
            self.add_variable_from_reference(v, "accumulated_grad") for v in var_list
        ]
        self._accumulated_delta_vars = [
            self.add_variable_from_reference(v, "accumulated_delta_var") for v in var_list
        ]

    def _rms(self, x):
        return loom.sqrt(x + self.epsilon)

    def update_step(self, gradient, variable):
        lr = loom.cast(self.learning_rate, variable.dtype)
        rho = self.rho
        accumulated_grad = self._slot(self._accumulated_grads, variable)
        accumulated_delta_var = self._slot(self._accumulated_delta_vars, variable)
        accumulated_grad.assign(rho * accumulated_grad + (1 - rho) * gradient * gradient)
        delta_var = -self._rms(accumulated_delta_var) * gradient / self._rms(accumulated_grad)
        accumulated_delta_var.assign(
            rho * accumulated_delta_var + (1 - rho) * delta_var * delta_var
        )
        variable.assign_add(lr * delta_var)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "learning_rate": self._serialize_hyperparameter(self._learning_rate),
                "rho": self.rho,
                "epsilon": self.epsilon,
            }
        )
        return config
