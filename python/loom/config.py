"""Runtime switches: run functions eagerly for debugging, and the graph passes."""

import os

from loom import _C
from loom._api import export

_run_eagerly = False
# Graph passes (see src/loom/passes); LOOM_PASSES="cse,fold" keeps only those.
_PASS_NAMES = {"common_subgraph_elimination": "cse", "constant_folding": "fold", "pruning": "prune"}
_passes = {"cse": True, "fold": True, "prune": True}
if "LOOM_PASSES" in os.environ:
    _enabled = {p.strip() for p in os.environ["LOOM_PASSES"].split(",")}
    _passes = {k: k in _enabled for k in _passes}


@export("config.run_functions_eagerly")
def run_functions_eagerly(run_eagerly):
    """When True, loom.function calls the Python body directly (no tracing)."""
    global _run_eagerly
    _run_eagerly = bool(run_eagerly)
    _C._set_functions_run_eagerly(_run_eagerly)


@export("config.functions_run_eagerly")
def functions_run_eagerly():
    return _run_eagerly


@export("config.optimizer.set_experimental_options")
def set_optimizer_experimental_options(options):
    """Switches graph passes: {"constant_folding": False, "common_subgraph_elimination":
    False, "pruning": False}. Affects functions traced afterwards."""
    for name, enabled in options.items():
        key = _PASS_NAMES.get(name)
        if key is None:
            raise ValueError(f"unknown optimizer option {name!r}; known: {sorted(_PASS_NAMES)}")
        _passes[key] = bool(enabled)


@export("config.optimizer.get_experimental_options")
def get_optimizer_experimental_options():
    return {name: _passes[key] for name, key in _PASS_NAMES.items()}


def optimizer_flags():
    return dict(_passes)


@export("config.experimental.set_loop_gradient_checkpointing")
def set_loop_gradient_checkpointing(every=1):
    """Memory for gradients of graph loops differentiated from now on: keep the loop
    variables of every `every`-th iteration only, and recompute the iterations between
    them (once per segment) while the gradient runs. every=1 keeps all; every≈sqrt(n)
    keeps ~2·sqrt(n) sets of variables for one more forward pass. Loop bodies that draw
    random numbers statefully must keep every=1 (a recomputation would draw anew)."""
    _C.set_loop_history_stride(int(every))


@export("config.experimental.get_loop_gradient_checkpointing")
def get_loop_gradient_checkpointing():
    return _C.loop_history_stride()
