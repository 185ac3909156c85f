"""Lion (EvoLved Sign Momentum): steps of fixed size along the sign of an
interpolated momentum."""

import loom
from loom.keras.optimizers.optimizer import Optimizer


class Lion(Optimizer):
    """w -= lr * sign(beta_1 * m + (1 - beta_1) * g); then m = beta_2 * m +
    (1 - beta_2) * g."""

    def __init__(
        self,
        learning_rate=0.0001,
        beta_1=0.9,
        beta_2=0.99,
        name="Lion",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.beta_1 = beta_1
        self.beta_2 = beta_2

    def build(self, var_list):
        super().build(var_list)
        if getattr(self, "_built", False):
            return
        self.momentums = [self.add_variable_from_reference(v, "m") for v in var_list]
        self._built = True

    def update_step(self, gradient, variable):
        dtype = variable.dtype
        lr = loom.cast(self.learning_rate, dtype)
        beta_1 = loom.cast(self.beta_1, dtype)
        beta_2 = loom.cast(self.beta_2, dtype)
        m = self._slot(self.momentums, variable)
        variable.assign_sub(lr * loom.sign(m * beta_1 + gradient * (1.0 - beta_1)))
        m.assign(m * beta_2 + gradient * (1.0 - beta_2))

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "learning_rate": self._serialize_hyperparameter(self._learning_rate),
                "beta_1": self.beta_1,
                "beta_2": self.beta_2,
            }
        )
        return config
