"""Adam (with the AMSGrad variant) and AdamW (Adam with decoupled weight decay)."""

import loom
from loom.keras.optimizers.optimizer import Optimizer


class Adam(Optimizer):
    """m += (g - m)(1 - beta_1); v += (g^2 - v)(1 - beta_2);
    w -= m * lr * sqrt(1 - beta_2^t) / (1 - beta_1^t) / (sqrt(v) + epsilon), with v
    replaced by its running maximum under `amsgrad`."""

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        amsgrad=False,
        name="Adam",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad

    def build(self, var_list):
        super().build(var_list)
        if getattr(self, "_built", False):
            return
        self._built = True
        self._momentums = [self.add_variable_from_reference(v, "m") for v in var_list]
        self._velocities = [self.add_variable_from_reference(v, "v") for v in var_list]
        if self.amsgrad:
            self._velocity_hats = [self.add_variable_from_reference(v, "vhat") for v in var_list]

    def update_step(self, gradient, variable):
        dtype = variable.dtype
        lr = loom.cast(self.learning_rate, dtype)
        local_step = loom.cast(self.iterations + 1, dtype)
        beta_1_power = loom.pow(loom.cast(self.beta_1, dtype), local_step)
        beta_2_power = loom.pow(loom.cast(self.beta_2, dtype), local_step)
        m = self._slot(self._momentums, variable)
        v = self._slot(self._velocities, variable)
        alpha = lr * loom.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        m.assign_add((gradient - m) * (1 - self.beta_1))
        v.assign_add((loom.square(gradient) - v) * (1 - self.beta_2))
        if self.amsgrad:
            v_hat = self._slot(self._velocity_hats, variable)
            v_hat.assign(loom.maximum(v_hat, v))
            v = v_hat
        variable.assign_sub((m * alpha) / (loom.sqrt(v) + self.epsilon))

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "learning_rate": self._serialize_hyperparameter(self._learning_rate),
                "beta_1": self.beta_1,
                "beta_2": self.beta_2,
                "epsilon": self.epsilon,
                "amsgrad": self.amsgrad,
            }
        )
        return config


class AdamW(Adam):
    """Adam after first shrinking each variable by learning_rate * weight_decay * w."""

    def __init__(
        self,
        learning_rate=0.001,
        weight_decay=0.004,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        amsgrad=False,
        name="AdamW",
        **kwargs,
    ):
        if weight_decay is None:
            raise ValueError(
                "Missing value of `weight_decay` which is required and must be a float value."
            )
        super().__init__(
            learning_rate=learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
            weight_decay=weight_decay,
            name=name,
            **kwargs,
        )
