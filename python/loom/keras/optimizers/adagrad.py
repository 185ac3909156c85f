"""Adagrad: per-parameter rates shrinking with the sum of squared past gradients."""

import loom
from loom.keras.optimizers.optimizer import Optimizer


class Adagrad(Optimizer):
    """accumulator += g^2; w -= lr * g / sqrt(accumulator + epsilon), the accumulator
    starting at `initial_accumulator_value`."""

    def __init__(
        self,
        learning_rate=0.001,
        initial_accumulator_value=0.1,
        epsilon=1e-7,
        name="Adagrad",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def build(self, var_list):
        super().build(var_list)
        if getattr(self, "_built", False):
            return
        self._built = True
        self._accumulators = [
            self.add_variable_from_reference(
                v,
                "accumulator",
                initial_value=loom.fill(
                    loom.shape(v.read_value()), loom.cast(self.initial_accumulator_value, v.dtype)
                ),
            )
            for v in var_list
        ]

    def update_step(self, gradient, variable):
        lr = loom.cast(self.learning_rate, variable.dtype)
        accumulator = self._slot(self._accumulators, variable)
        accumulator.assign_add(gradient * gradient)
        variable.assign_sub(lr * gradient / loom.sqrt(accumulator + self.epsilon))

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "learning_rate": self._serialize_hyperparameter(self._learning_rate),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon,
            }
        )
        return config
