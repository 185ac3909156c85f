"""RMSprop: divide the gradient by a running root mean square of past gradients."""

import loom
from loom.keras.optimizers.optimizer import Optimizer


class RMSprop(Optimizer):
    """velocity = rho * velocity + (1 - rho) * g^2; increment = lr * g /
    sqrt(velocity [- average_gradient^2 when centered] + epsilon); with momentum,
    m = momentum * m + increment and w -= m, else w -= increment."""

    def __init__(
        self,
        learning_rate=0.001,
        rho=0.9,
        momentum=0.0,
        epsilon=1e-7,
        centered=False,
        name="RMSprop",
        **kwargs,
    ):
        # Keras's RMSprop, unlike the other optimizers, overwrites the variables with
        # their moving averages every 100 steps unless told otherwise.
        kwargs.setdefault("ema_overwrite_frequency", 100)
        super().__init__(name=name, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def build(self, var_list):
        super().build(var_list)
        if getattr(self, "_built", False):
            return
        self._built = True
        self._velocities = [self.add_variable_from_reference(v, "velocity") for v in var_list]
        self._momentums = []
        if self.momentum > 0:
            self._momentums = [self.add_variable_from_reference(v, "momentum") for v in var_list]
        self._average_gradients = []
        if self.centered:
            self._average_gradients = [
                self.add_variable_from_reference(v, "average_gradient") for v in var_list
            ]

    def update_step(self, gradient, variable):
        lr = loom.cast(self.learning_rate, variable.dtype)
        rho = self.rho
        velocity = self._slot(self._velocities, variable)
        velocity.assign(rho * velocity + (1 - rho) * loom.square(gradient))
        if self.centered:
            average_grad = self._slot(self._average_gradients, variable)
            average_grad.assign(rho * average_grad + (1 - rho) * gradient)
            denominator = velocity - loom.square(average_grad) + self.epsilon
        else:
            denominator = velocity + self.epsilon
        increment = lr * gradient * loom.math.rsqrt(denominator)
        if self.momentum > 0:
            momentum = self._slot(self._momentums, variable)
            momentum.assign(self.momentum * momentum + increment)
            variable.assign_add(-momentum)
        else:
            variable.assign_add(-increment)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "learning_rate": self._serialize_hyperparameter(self._learning_rate),
                "rho": self.rho,
                "momentum": self.momentum,
                "epsilon": self.epsilon,
                "centered": self.centered,
            }
        )
        return config
