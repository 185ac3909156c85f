"""tf.GradientTape, tf.custom_gradient and tf.UnconnectedGradients.

The tape itself lives in the engine: every op reports to the tapes active on its
thread, which record it when one of its inputs is watched. A tape records in the
context it was opened in (eagerly or into the function being traced); gradients are
computed with ops in the current context, so they are recorded by outer tapes (higher
derivatives) and traced into graphs (a training step inside a function)."""

import contextlib
import enum
import functools
import inspect
import logging

from loom import _C, nest
from loom._api import export

_log = logging.getLogger("loom")
_CUSTOM_GRADIENT = _C.op("CustomGradient")


@export("UnconnectedGradients")
class UnconnectedGradients(enum.Enum):
    NONE = "none"
    ZERO = "zero"


def _is_variable(value):
    return getattr(value, "_loom_variable", False)


def _source_tensor(value):
    """A source as the engine knows it: a variable by its handle, a tensor as itself."""
    if _is_variable(value):
        return value.handle
    if isinstance(value, _C.Tensor):
        return value
    raise ValueError(
        f"Passed in object {value!r} of type {type(value).__name__!r}, not tf.Tensor or tf.Variable"
    )


def _target_tensor(value):
    if _is_variable(value):
        return value.read_value()
    if isinstance(value, _C.Tensor):
        return value
    return _C.convert_to_tensor(value, None)


def _zero_mode(unconnected_gradients):
    mode = UnconnectedGradients(unconnected_gradients)
    return mode is UnconnectedGradients.ZERO


@export("GradientTape", "autodiff.GradientTape")
class GradientTape:
    """Records operations on watched tensors and computes their gradients."""

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self._persistent = bool(persistent)
        self._watch_accessed_variables = bool(watch_accessed_variables)
        self._tape = None
        self._recording = False
        self._used = False

    # --- recording -----------------------------------------------------------------

    def __enter__(self):
        if self._recording:
            raise ValueError("GradientTape is already recording; it cannot be entered twice")
        if self._tape is None:
            if self._used and not self._persistent:
                self._used = False
            self._tape = _C.Tape(self._persistent, self._watch_accessed_variables)
        self._tape.push()
        self._recording = True
        return self

    def __exit__(self, exc_type, exc, tb):
        if self._recording:
            self._tape.pop()
            self._recording = False

    def watch(self, tensor):
        """Ensures `tensor` (a tensor, a variable, or a nest of them) is traced."""
        if self._tape is None:
            raise ValueError("GradientTape.watch called on a tape that has been used")
        for leaf in nest.flatten(tensor):
            self._tape.watch(_source_tensor(leaf))

    @contextlib.contextmanager
    def stop_recording(self):
        """Ops run inside this block are not recorded on this tape."""
        if not self._recording:
            raise ValueError("Tape.stop_recording() called while the tape is not recording")
        self._tape.pause()
        try:
            yield
        finally:
            self._tape.resume()

    def reset(self):
        """Clears everything recorded so far (recording continues if active)."""
        if self._tape is not None:
            self._tape.reset()

    def watched_variables(self):
        from loom import variables

        if self._tape is None:
            return ()
        found = (variables.variable_for_handle(h) for h in self._tape.watched_variables())
        return tuple(v for v in found if v is not None)

    # --- gradients -----------------------------------------------------------------

    def _take_tape(self, what):
        if self._tape is None:
            if not self._used:
                raise RuntimeError(
                    f"GradientTape.{what} called on a tape that never recorded; use it as "
                    "`with tf.GradientTape() as tape:` around the computation"
                )
            raise RuntimeError(
                "GradientTape.gradient can only be called once on non-persistent tapes."
            )
        if self._recording:
            if not self._persistent:
                self._tape.pop()
                self._recording = False
            else:
                _log.warning(
                    "Calling GradientTape.%s on a persistent tape inside its context is "
                    "significantly less efficient than calling it outside the context (the "
                    "gradient ops are recorded on outer tapes only when you want higher "
                    "order derivatives).",
                    what,
                )
        return self._tape

    def _release(self):
        if not self._persistent:
            self._tape = None
            self._used = True

    def gradient(
        self,
        target,
        sources,
        output_gradients=None,
        unconnected_gradients=UnconnectedGradients.NONE,
    ):
        """d(sum of target)/d(source) for each source, in the structure of `sources`."""
        tape = self._take_tape("gradient")
        zero = _zero_mode(unconnected_gradients)
        targets = [_target_tensor(t) for t in nest.flatten(target)]
        flat_sources = nest.flatten(sources)
        source_tensors = [_source_tensor(s) for s in flat_sources]
        if output_gradients is None:
            weights = [None] * len(targets)
        else:
            weights = [
                None if g is None else _C.convert_to_tensor(g, t.dtype)
                for g, t in zip(nest.flatten(output_gradients), targets)
            ]
            if len(weights) != len(targets):
                raise ValueError(
                    f"output_gradients has {len(weights)} tensors for {len(targets)} targets"
                )
        try:
            grads = tape.gradient(targets, source_tensors, weights, zero)
        finally:
            self._release()
        return nest.pack_sequence_as(sources, grads)

    def jacobian(
        self,
        target,
        sources,
        unconnected_gradients=UnconnectedGradients.NONE,
        parallel_iterations=None,
        experimental_use_pfor=True,
    ):
        """d target[i...] / d source[j...], shaped target.shape + source.shape."""
        import loom as tf

        tape = self._take_tape("jacobian")
        zero = _zero_mode(unconnected_gradients)
        try:
            y = _target_tensor(target)
            flat_sources = nest.flatten(sources)
            xs = [_source_tensor(s) for s in flat_sources]
            n = _static_size(y, "jacobian")
            rows = [[] for _ in xs]
            for i in range(n):
                weight = tf.reshape(tf.one_hot(i, n, dtype=y.dtype), tf.shape(y))
                grads = tape.gradient([y], xs, [weight], zero)
                for k, g in enumerate(grads):
                    rows[k].append(g)
            out = []
            for k, src in enumerate(flat_sources):
                if any(g is None for g in rows[k]):
                    out.append(None)
                    continue
                shape = _value_shape(src)
                if rows[k]:
                    stacked = tf.stack(rows[k])
                else:  # an empty target: an empty Jacobian of the right shape
                    stacked = tf.zeros(tf.concat([[0], shape], 0), y.dtype)
                out.append(tf.reshape(stacked, tf.concat([tf.shape(y), shape], 0)))
        finally:
            self._release()
        return nest.pack_sequence_as(sources, out)

    def batch_jacobian(
        self,
        target,
        source,
        unconnected_gradients=UnconnectedGradients.NONE,
        parallel_iterations=None,
        experimental_use_pfor=True,
    ):
        """Per-example Jacobians: result[b, i..., j...] = d target[b, i...] / d source[b, j...]
        (examples in a batch must not depend on each other)."""
        import loom as tf

        tape = self._take_tape("batch_jacobian")
        zero = _zero_mode(unconnected_gradients)
        try:
            y = _target_tensor(target)
            x = _source_tensor(source)
            if y.shape.rank is None or y.shape.rank < 1:
                raise ValueError("batch_jacobian needs a target of rank 1 or more")
            per_example = y.shape[1:].num_elements()
            if per_example is None:
                raise ValueError(f"batch_jacobian needs a known target shape, got {y.shape}")
            batch = tf.shape(y)[0]
            columns = []
            for j in range(per_example):
                hot = tf.one_hot(j, per_example, dtype=y.dtype)
                weight = tf.reshape(
                    tf.broadcast_to(hot, tf.stack([batch, per_example])), tf.shape(y)
                )
                (g,) = tape.gradient([y], [x], [weight], zero)
                if g is None:
                    return None
                columns.append(g)
            x_shape = tf.shape(_value_of(source))
            stacked = tf.stack(columns, axis=1)
            return tf.reshape(stacked, tf.concat([tf.shape(y), x_shape[1:]], 0))
        finally:
            self._release()


def _value_of(source):
    return source.read_value() if _is_variable(source) else source


def _value_shape(source):
    import loom as tf

    return tf.shape(_value_of(source))


def _static_size(t, what):
    n = t.shape.num_elements()
    if n is None:
        raise ValueError(f"{what} needs a target of known shape, got {t.shape}")
    return n


class _StopRecording:
    """Pauses every tape of this thread for a block (custom_gradient runs its function
    so: the function's gradient replaces the ops it ran)."""

    def __enter__(self):
        self._scope = _C.StopRecording()
        return self

    def __exit__(self, *exc):
        self._scope.close()


@export("custom_gradient")
def custom_gradient(f=None):
    """Decorator: `f(*x)` returns `(y, grad_fn)`; `grad_fn(*dy)` returns the gradients of
    the inputs (and, when f reads variables, `grad_fn(*dy, variables=...)` returns
    `(input_grads, variable_grads)`)."""
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        import loom as tf
        from loom import variables as variables_lib

        flat_args = [a for a in nest.flatten(args) if isinstance(a, _C.Tensor)]
        with _StopRecording():
            watcher = _C.Tape(False, True)
            watcher.push()
            try:
                result, grad_fn = f(*args, **kwargs)
            finally:
                watcher.pop()
            used = [variables_lib.variable_for_handle(h) for h in watcher.watched_variables()]
            used = [v for v in used if v is not None]
            flat_result = nest.flatten(result)
            outputs = [tf.identity(r) for r in flat_result]
        if used and "variables" not in inspect.signature(grad_fn).parameters:
            raise TypeError(
                "If using @custom_gradient with a function that uses variables, then "
                "grad_fn must accept a keyword argument 'variables'."
            )

        def backward(grads):
            if used:
                input_grads, variable_grads = grad_fn(*grads, variables=used)
                variable_grads = list(variable_grads)
            else:
                input_grads, variable_grads = grad_fn(*grads), []
            input_grads = nest.flatten(input_grads)
            if len(input_grads) != len(flat_args):
                raise ValueError(
                    f"custom_gradient function expected to return {len(flat_args)} gradients, "
                    f"but returned {len(input_grads)} instead."
                )
            if len(variable_grads) != len(used):
                raise ValueError(
                    f"custom_gradient function expected to return {len(used)} variable "
                    f"gradients, but returned {len(variable_grads)} instead."
                )
            return [
                None if g is None else _C.convert_to_tensor(g, None)
                for g in input_grads + variable_grads
            ]

        inputs = flat_args + [v.handle for v in used]
        if _C.is_tracing():
            # A node naming the gradient function, so replays of the graph keep it.
            gradient_id = _C.register_custom_gradient(backward, len(inputs))
            attrs = {"num_outputs": len(outputs), "gradient_id": gradient_id}
            outputs = _C.execute(_CUSTOM_GRADIENT, (outputs + inputs,), attrs)
            outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        else:
            outputs = _C.record_custom_gradient(inputs, outputs, backward)
        return nest.pack_sequence_as(result, outputs)

    # functools.wraps gives the wrapper the user's module: AutoGraph must call it as is.
    decorated.__loom_do_not_convert__ = True
    return decorated


@export("gradients")
def gradients(
    ys,
    xs,
    grad_ys=None,
    name="gradients",
    gate_gradients=False,
    aggregation_method=None,
    stop_gradients=None,
    unconnected_gradients=UnconnectedGradients.NONE,
):
    """Symbolic gradients inside a loom.function: d(sum of ys)/d(x) for each x, read
    off the graph being traced (no tape needed). Eagerly, use tf.GradientTape."""
    if not _C.is_tracing():
        raise RuntimeError(
            "tf.gradients is not supported when eager execution is enabled. Use "
            "tf.GradientTape instead."
        )
    flat_ys = [_target_tensor(y) for y in nest.flatten(ys)]
    flat_xs = [_source_tensor(x) for x in nest.flatten(xs)]
    weights = [None] * len(flat_ys)
    if grad_ys is not None:
        weights = [
            None if g is None else _C.convert_to_tensor(g, y.dtype)
            for g, y in zip(nest.flatten(grad_ys), flat_ys)
        ]
    stops = [_source_tensor(s) for s in nest.flatten(stop_gradients or [])]
    zero = _zero_mode(unconnected_gradients)
    return _C.symbolic_gradients(flat_ys, flat_xs, weights, stops, zero)


@export("autodiff.stop_recording")
@contextlib.contextmanager
def stop_recording():
    with _StopRecording():
        yield
