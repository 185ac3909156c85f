"""tf.random.Generator: random numbers whose state is a variable, so a generator gives
the same stream eagerly and inside functions, and its state is checkpointed."""

import os

from loom import _C
from loom._api import export
from loom.dtypes import float32, int64
from loom.module import Module
from loom.ops import random_ops
from loom.variables import Variable

_STATE_SIZE = 2  # [key, counter]: each draw uses the pair, then advances the counter


@export("random.Generator")
class Generator(Module):
    """A counter-based generator: draw i uses the stateless ops with seed (key, i)."""

    def __init__(self, copy_from=None, state=None, alg=None, name="Generator"):
        super().__init__(name=name)
        if copy_from is not None:
            state = copy_from.state.numpy()
        if state is None:
            raise ValueError("Generator needs `state` or `copy_from`; use Generator.from_seed")
        self._state_var = Variable(
            _C.convert_to_tensor(list(state), int64), trainable=False, name="generator_state"
        )

    @classmethod
    def from_seed(cls, seed, alg=None):
        return cls(state=[int(seed) & (2**63 - 1), 0], alg=alg)

    @classmethod
    def from_non_deterministic_state(cls, alg=None):
        return cls.from_seed(int.from_bytes(os.urandom(8), "little") >> 1, alg)

    @property
    def state(self):
        return self._state_var

    @property
    def algorithm(self):
        return "philox"

    def reset_from_seed(self, seed):
        self._state_var.assign([int(seed) & (2**63 - 1), 0], read_value=False)

    def reset(self, state):
        self._state_var.assign(state, read_value=False)

    def _next_seed(self):
        seed = self._state_var.read_value()
        self._state_var.assign_add([0, 1], read_value=False)
        return seed

    def uniform(self, shape, minval=0, maxval=None, dtype=float32, name=None):
        return random_ops.stateless_uniform(shape, self._next_seed(), minval, maxval, dtype)

    def normal(self, shape, mean=0.0, stddev=1.0, dtype=float32, name=None):
        return random_ops.stateless_normal(shape, self._next_seed(), mean, stddev, dtype)

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=float32, name=None):
        return random_ops.stateless_truncated_normal(shape, self._next_seed(), mean, stddev, dtype)

    def categorical(self, logits, num_samples, dtype=int64, name=None):
        return random_ops.stateless_categorical(logits, num_samples, self._next_seed(), dtype)

    def make_seeds(self, count=1):
        """A [2, count] int64 tensor of seeds for stateless ops."""
        return random_ops.stateless_uniform(
            [2, count], self._next_seed(), minval=0, maxval=2**62, dtype=int64
        )

    def split(self, count=1):
        """`count` new generators seeded from this one's stream."""
        seeds = self.make_seeds(count).numpy()
        return [Generator(state=[int(seeds[0, i]), int(seeds[1, i])]) for i in range(count)]


_global = None


@export("random.get_global_generator")
def get_global_generator():
    global _global
    if _global is None:
        _global = Generator.from_non_deterministic_state()
    return _global


@export("random.set_global_generator")
def set_global_generator(generator):
    global _global
    _global = generator
