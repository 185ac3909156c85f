"""Per-thread state of layer calls in progress: nesting depth, the `training` value
outer calls pass to inner ones, and whether calls only probe output shapes."""

import contextlib
import threading

_state = threading.local()


def _get(name, default):
    return getattr(_state, name, default)


def depth():
    return _get("depth", 0)


def training():
    """The training value of the innermost enclosing call that had one, else None."""
    return _get("training", None)


def probing():
    """True while a layer's call is traced aside only to learn its output shapes."""
    return _get("probing", False)


@contextlib.contextmanager
def layer_call(training_value):
    outer_training, outer_depth = training(), depth()
    _state.depth = outer_depth + 1
    if training_value is not None:
        _state.training = training_value
    try:
        yield
    finally:
        _state.depth, _state.training = outer_depth, outer_training


@contextlib.contextmanager
def shape_probe():
    outer = probing()
    _state.probing = True
    try:
        yield
    finally:
        _state.probing = outer
