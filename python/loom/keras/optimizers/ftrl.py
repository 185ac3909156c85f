"""FTRL-Proximal (Follow The Regularized Leader) with L1, L2 and L2-shrinkage terms."""

import loom
from loom.keras.optimizers.optimizer import Optimizer


class Ftrl(Optimizer):
    """n' = n + g^2; z += g + 2 * l2_shrinkage * w - (n'^-p - n^-p) / lr * w, p being
    learning_rate_power; w = (clip(z, -l1, l1) - z) / (n'^-p / lr + 2 * (l2 + beta /
    (2 lr))); n = n'. The accumulator n starts at `initial_accumulator_value`."""

    def __init__(
        self,
        learning_rate=0.001,
        learning_rate_power=-0.5,
        initial_accumulator_value=0.1,
        l1_regularization_strength=0.0,
        l2_regularization_strength=0.0,
        l2_shrinkage_regularization_strength=0.0,
        beta=0.0,
        name="Ftrl",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        _require_non_negative("initial_accumulator_value", initial_accumulator_value)
        if learning_rate_power > 0.0:
            raise ValueError(
                "`learning_rate_power` needs to be negative or zero. Received: "
                f"learning_rate_power={learning_rate_power}."
            )
        _require_non_negative("l1_regularization_strength", l1_regularization_strength)
        _require_non_negative("l2_regularization_strength", l2_regularization_strength)
        _require_non_negative(
            "l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength
        )
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

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
        self._linears = [self.add_variable_from_reference(v, "linear") for v in var_list]

    def update_step(self, gradient, variable):
        lr = loom.cast(self.learning_rate, variable.dtype)
        accumulator = self._slot(self._accumulators, variable)
        linear = self._slot(self._linears, variable)
        power = -self.learning_rate_power
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)
        shrunk_gradient = gradient + 2 * self.l2_shrinkage_regularization_strength * variable
        new_accumulator = accumulator + loom.pow(gradient, 2)
        linear.assign_add(
            shrunk_gradient
            - (loom.pow(new_accumulator, power) - loom.pow(accumulator, power)) / lr * variable
        )
        quadratic = loom.pow(new_accumulator, power) / lr + 2 * l2
        l1 = self.l1_regularization_strength
        linear_clipped = loom.clip_by_value(linear, -l1, l1)
        variable.assign((linear_clipped - linear) / quadratic)
        accumulator.assign(new_accumulator)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "learning_rate": self._serialize_hyperparameter(self._learning_rate),
                "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
                "beta": self.beta,
            }
        )
        return config


def _require_non_negative(name, value):
    if value < 0.0:
        raise ValueError(f"`{name}` needs to be positive or zero. Received: {name}={value}.")
