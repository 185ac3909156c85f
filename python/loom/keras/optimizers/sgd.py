"""Gradient descent with optional (Nesterov) momentum."""

import loom
from loom.keras.optimizers.optimizer import Optimizer


class SGD(Optimizer):
    """velocity = momentum * velocity - learning_rate * g; w += velocity, or with
    Nesterov w += momentum * velocity - learning_rate * g. Without momentum,
    w -= learning_rate * g."""

    def __init__(
        self,
        learning_rate=0.01,
        momentum=0.0,
        nesterov=False,
        name="SGD",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.momentum = momentum
        self.nesterov = nesterov
        if isinstance(momentum, (int, float)) and (momentum < 0 or momentum > 1):
            raise ValueError("`momentum` must be between [0, 1].")

    def build(self, var_list):
        super().build(var_list)
        if getattr(self, "_built", False):
            return
        self.momentums = [self.add_variable_from_reference(v, "m") for v in var_list]
        self._built = True

    def update_step(self, gradient, variable):
        lr = loom.cast(self.learning_rate, variable.dtype)
        momentum = loom.cast(self.momentum, variable.dtype)
        m = self._slot(self.momentums, variable)
        m.assign(-gradient * lr + m * momentum)
        if self.nesterov:
            variable.assign_add(-gradient * lr + m * momentum)
        else:
            variable.assign_add(m)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "learning_rate": self._serialize_hyperparameter(self._learning_rate),
                "momentum": self.momentum,
                "nesterov": self.nesterov,
            }
        )
        return config
