"""tf.keras.optimizers: SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, Nadam,
Ftrl and Lion (the TF 2.11+ update rules), learning-rate schedules, and
get/serialize/deserialize."""

from loom.keras import _serialization
from loom.keras.optimizers import schedules
from loom.keras.optimizers.adadelta import Adadelta
from loom.keras.optimizers.adagrad import Adagrad
from loom.keras.optimizers.adam import Adam, AdamW
from loom.keras.optimizers.adamax import Adamax
from loom.keras.optimizers.ftrl import Ftrl
from loom.keras.optimizers.lion import Lion
from loom.keras.optimizers.nadam import Nadam
from loom.keras.optimizers.optimizer import Optimizer
from loom.keras.optimizers.rmsprop import RMSprop
from loom.keras.optimizers.sgd import SGD

__all__ = [
    "Optimizer",
    "SGD",
    "Adam",
    "AdamW",
    "RMSprop",
    "Adagrad",
    "Adadelta",
    "Adamax",
    "Nadam",
    "Ftrl",
    "Lion",
    "schedules",
    "get",
    "serialize",
    "deserialize",
]

# Names resolve case-insensitively ("adam", "Adam", "ADAM"), as in Keras.
_OPTIMIZERS = {
    cls.__name__.lower(): cls
    for cls in (SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, Nadam, Ftrl, Lion)
}


def serialize(optimizer):
    return _serialization.serialize_keras_object(optimizer)


def deserialize(config, custom_objects=None, **kwargs):
    if isinstance(config, dict) and isinstance(config.get("class_name"), str):
        name = config["class_name"]
        if name.lower() in _OPTIMIZERS and name not in (custom_objects or {}):
            config = dict(config, class_name=name.lower())
    return _serialization.deserialize_keras_object(
        config, _OPTIMIZERS, custom_objects, kind="optimizer"
    )


def get(identifier, **kwargs):
    """An optimizer from an instance (returned as is), a config dict, or a name."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize({"class_name": identifier, "config": {}})
    raise ValueError(f"Could not interpret optimizer identifier: {identifier}")
