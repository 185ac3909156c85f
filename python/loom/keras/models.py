"""tf.keras.models: Model, Sequential and the Functional class."""

from loom.keras.engine.functional import Functional
from loom.keras.engine.model import Model
from loom.keras.engine.sequential import Sequential

__all__ = ["Model", "Sequential", "Functional"]
