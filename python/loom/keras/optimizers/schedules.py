"""tf.keras.optimizers.schedules: learning rates as functions of the step (the
optimizer's `iterations`), usable eagerly and inside loom.function."""

import math

import loom
from loom.keras import _serialization

__all__ = [
    "LearningRateSchedule",
    "ExponentialDecay",
    "PiecewiseConstantDecay",
    "InverseTimeDecay",
    "PolynomialDecay",
    "CosineDecay",
    "serialize",
    "deserialize",
]


class LearningRateSchedule:
    """Base class: `schedule(step)` returns the learning rate for that step."""

    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{self.__class__.__name__}' must override `__call__(self, step)`."
        )

    def get_config(self):
        raise NotImplementedError(
            f"Learning rate schedule '{self.__class__.__name__}' must override `get_config()` "
            "in order to be serializable."
        )

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _float_tensor(value):
    tensor = loom.convert_to_tensor(value)
    return tensor if tensor.dtype.is_floating else loom.cast(tensor, loom.float32)


class _StepRatioDecay(LearningRateSchedule):
    """What ExponentialDecay and InverseTimeDecay share: their arguments, and a rate
    computed from the ratio step / decay_steps (floored with `staircase`)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        initial = _float_tensor(self.initial_learning_rate)
        dtype = initial.dtype
        ratio = loom.cast(step, dtype) / loom.cast(self.decay_steps, dtype)
        if self.staircase:
            ratio = loom.floor(ratio)
        return self._decay(initial, loom.cast(self.decay_rate, dtype), ratio)

    def _decay(self, initial, decay_rate, ratio):
        raise NotImplementedError

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class ExponentialDecay(_StepRatioDecay):
    """initial_learning_rate * decay_rate ** (step / decay_steps); with `staircase` the
    exponent is floored, so the rate drops every `decay_steps` steps."""

    def _decay(self, initial, decay_rate, ratio):
        return initial * loom.pow(decay_rate, ratio)


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[0] for step <= boundaries[0], values[i] for boundaries[i-1] < step <=
    boundaries[i], values[-1] past the last boundary."""

    def __init__(self, boundaries, values, name=None):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                f"values={values} of length {len(values)}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        step = loom.convert_to_tensor(step)
        values = [loom.convert_to_tensor(v) for v in self.values]
        result = values[-1]
        # From the last interval back: each boundary claims the steps at or below it.
        for boundary, value in zip(reversed(self.boundaries), reversed(values[:-1])):
            result = loom.where(step <= loom.cast(boundary, step.dtype), value, result)
        return result

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class InverseTimeDecay(_StepRatioDecay):
    """initial_learning_rate / (1 + decay_rate * step / decay_steps), the ratio floored
    with `staircase`."""

    def _decay(self, initial, decay_rate, ratio):
        return initial / (1 + decay_rate * ratio)


class PolynomialDecay(LearningRateSchedule):
    """Decays from initial to end_learning_rate over decay_steps along
    (1 - step / decay_steps) ** power; with `cycle` the horizon restarts further out."""

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        end_learning_rate=0.0001,
        power=1.0,
        cycle=False,
        name=None,
    ):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        initial = _float_tensor(self.initial_learning_rate)
        dtype = initial.dtype
        end = loom.cast(self.end_learning_rate, dtype)
        power = loom.cast(self.power, dtype)
        step = loom.cast(step, dtype)
        decay_steps = loom.cast(self.decay_steps, dtype)
        if self.cycle:
            # Step 0 keeps the first horizon (ceil(0) would make it zero).
            multiplier = loom.where(
                loom.equal(step, 0), loom.ones_like(step), loom.math.ceil(step / decay_steps)
            )
            decay_steps = decay_steps * multiplier
        else:
            step = loom.minimum(step, decay_steps)
        fraction = step / decay_steps
        return (initial - end) * loom.pow(1 - fraction, power) + end

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


class CosineDecay(LearningRateSchedule):
    """initial * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decay_steps) /
    decay_steps)) + alpha)."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name=None):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name

    def __call__(self, step):
        initial = _float_tensor(self.initial_learning_rate)
        dtype = initial.dtype
        decay_steps = loom.cast(self.decay_steps, dtype)
        fraction = loom.minimum(loom.cast(step, dtype), decay_steps) / decay_steps
        cosine = 0.5 * (1.0 + loom.cos(loom.cast(math.pi, dtype) * fraction))
        alpha = loom.cast(self.alpha, dtype)
        return initial * ((1 - alpha) * cosine + alpha)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
        }


def serialize(learning_rate_schedule):
    return _serialization.serialize_keras_object(learning_rate_schedule)


def deserialize(config, custom_objects=None):
    objects = {name: globals()[name] for name in __all__[:-2]}
    return _serialization.deserialize_keras_object(
        config, objects, custom_objects, kind="decay function"
    )
