"""tf.print, tf.debugging.Assert and check_numerics: ops with effects. They are
stateful ops, so inside a function they run on every call, in program order."""

import sys

import numpy as np

from loom import _C
from loom._api import export

_PRINT = _C.op("PrintV2")
_ASSERT = _C.op("Assert")
_CHECK_NUMERICS = _C.op("CheckNumerics")


def _escape(text):
    return text.replace("{", "{{").replace("}", "}}")


def _template(value, tensors):
    """The template text for one printed value; tensors found are appended to `tensors`."""
    if isinstance(value, _C.Tensor):
        tensors.append(value)
        return "{}"
    if isinstance(value, np.ndarray):
        tensors.append(_C.convert_to_tensor(value))
        return "{}"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(_template(v, tensors) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    if isinstance(value, dict):
        items = ", ".join(f"{_escape(repr(k))}: {_template(v, tensors)}" for k, v in value.items())
        return "{{" + items + "}}"
    return _escape(str(value))


_DEFAULT_STREAM = sys.stderr  # the signature's default, whatever sys.stderr is later


def _stream_name(stream):
    if stream is _DEFAULT_STREAM or stream is sys.stderr or stream is sys.__stderr__:
        return "stderr"
    if stream is sys.stdout or stream is sys.__stdout__:
        sys.stdout.flush()  # keep Python's buffered output ahead of ours
        return "stdout"
    if isinstance(stream, str) and stream.startswith("file://"):
        return stream
    raise ValueError(
        f"Unsupported output stream {stream!r}: use sys.stderr, sys.stdout or 'file://<path>'"
    )


@export("print")
def print(*inputs, output_stream=sys.stderr, summarize=3, sep=" ", end="\n", name=None):
    """Prints tensors and Python values. Runs every time the op runs, also in graphs."""
    tensors = []
    template = _escape(sep).join(_template(v, tensors) for v in inputs)
    attrs = {
        "template": template,
        "summarize": -1 if summarize is None else int(summarize),
        "output_stream": _stream_name(output_stream),
        "end": end,
    }
    return _C.execute(_PRINT, (tensors,), attrs)


@export("debugging.Assert", "Assert")
def Assert(condition, data, summarize=None, name=None):
    """Raises InvalidArgumentError listing `data` when `condition` is false."""
    tensors = []
    template = " ".join(f"[{_template(d, tensors)}]" for d in data)
    attrs = {"template": template, "summarize": 3 if summarize is None else int(summarize)}
    return _C.execute(_ASSERT, (condition, tensors), attrs)


@export("debugging.check_numerics")
def check_numerics(tensor, message, name=None):
    """Returns `tensor`, raising InvalidArgumentError if it holds NaN or Inf."""
    return _C.execute(_CHECK_NUMERICS, (tensor,), {"message": message})
