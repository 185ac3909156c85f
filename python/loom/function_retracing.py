"""Tells the user when a function retraces too often, and why (TF only counts)."""

import collections

from loom import function_keys as keys

_WINDOW = 10  # calls remembered
_THRESHOLD = 5  # traces among them that trigger a warning
_MAX_WARNINGS = 2


class RetracingMonitor:
    def __init__(self, name):
        self._name = name
        self._recent = collections.deque(maxlen=_WINDOW)
        self._warnings = 0

    def called_from_cache(self, count):
        """Records `count` calls the C++ fast path served without tracing."""
        self._recent.extend([False] * min(count, _WINDOW))

    def called(self, traced, signature=None, traces=(), names=()):
        self._recent.append(traced)
        if not traced or self._warnings >= _MAX_WARNINGS:
            return
        count = sum(self._recent)
        if count < _THRESHOLD or len(traces) < 1:
            return
        self._warnings += 1
        import logging  # only when there is something to say: it slows `import loom`

        logging.getLogger("loom").warning(
            "%d of the last %d calls to loom.function '%s' retraced it (built a new graph). %s",
            count,
            len(self._recent),
            self._name,
            self._reason(signature, traces, names),
        )

    @staticmethod
    def _reason(signature, traces, names):
        previous = traces[-1][0] if traces else None
        if previous is None:
            return ""
        for i, (new, old) in enumerate(zip(signature, previous)):
            found = keys.first_difference(None, new, old)
            if not found:
                continue
            path, old_leaf, new_leaf = found
            name = names[i] if i < len(names) else f"#{i}"
            return (
                f"Latest change: argument `{name}{path}`: "
                f"{keys.describe_change(old_leaf, new_leaf)}; {_advice(new_leaf)}."
            )
        return "Create the function once, outside loops, so its traces can be reused."


def _advice(new):
    from loom.tensor_spec import TensorSpec

    if isinstance(new, tuple) and new and new[0] == "lit":
        return "pass a tensor to avoid a new graph per value"
    if isinstance(new, TensorSpec):
        return (
            "use reduce_retracing=True or an input_signature with None dimensions to "
            "reuse one graph for many shapes"
        )
    return "each new Python object or structure gets its own graph"
