"""keras.utils: to_categorical, normalize, set_random_seed and the Progbar fit prints."""

import math
import random
import sys
import time

import numpy as np

__all__ = ["Progbar", "normalize", "set_random_seed", "to_categorical"]


def to_categorical(y, num_classes=None, dtype="float32"):
    """One-hot rows for integer class labels (a trailing dim of 1 is dropped)."""
    y = np.array(y, dtype="int64")
    input_shape = y.shape
    if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
        input_shape = tuple(input_shape[:-1])
    y = y.ravel()
    if not num_classes:
        num_classes = int(np.max(y)) + 1
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(
            f"Class labels must lie in [0, {num_classes}); got values from {y.min()} to {y.max()}."
        )
    categorical = np.zeros((y.shape[0], num_classes), dtype=dtype)
    categorical[np.arange(y.shape[0]), y] = 1
    return categorical.reshape(tuple(input_shape) + (num_classes,))


def normalize(x, axis=-1, order=2):
    """`x` divided by its `order`-norm along `axis` (zero norms leave zeros)."""
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)


def set_random_seed(seed):
    """Seeds Python's `random`, NumPy and loom's global generator at once."""
    if not isinstance(seed, int):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed}")
    import loom

    random.seed(seed)
    np.random.seed(seed)
    loom.random.set_seed(seed)


def _format_time_per_unit(seconds, unit_name):
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/{unit_name}"
    return f" {seconds * 1e6:.0f}us/{unit_name}"


def _format_eta(eta):
    if eta > 3600:
        return f"{int(eta // 3600)}:{int((eta % 3600) // 60):02d}:{int(eta % 60):02d}"
    if eta > 60:
        return f"{int(eta // 60)}:{int(eta % 60):02d}"
    return f"{eta:.0f}s"


def _format_value(value):
    value = float(np.mean(value))
    return f" {value:.4f}" if abs(value) > 1e-3 else f" {value:.4e}"


class Progbar:
    """A text progress bar: verbose=1 redraws one line in place (`\\r`), verbose=2 prints
    a single summary line when the target is reached, verbose=0 prints nothing.

    Values of `stateful_metrics` are shown as given; others are averaged over the
    samples seen since the bar started."""

    def __init__(
        self, target, width=30, verbose=1, interval=0.05, stateful_metrics=None, unit_name="step"
    ):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics or ())
        self._values = {}  # name -> [weighted sum, count] or the stateful value
        self._values_order = []
        self._seen_so_far = 0
        self._total_width = 0
        self._start = time.time()
        self._last_update = 0.0

    def update(self, current, values=None, finalize=None):
        """Moves the bar to `current` and records `values` [(name, value), ...]."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, value in values or []:
            if name not in self._values_order:
                self._values_order.append(name)
            if name in self.stateful_metrics:
                self._values[name] = value
            else:
                seen = max(current - self._seen_so_far, 1)
                total, count = self._values.get(name, [0.0, 0])
                self._values[name] = [total + np.asarray(value) * seen, count + seen]
        self._seen_so_far = current
        now = time.time()
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            self._write_bar(current, now, finalize)
        elif self.verbose == 2 and finalize:
            self._write_summary(current, now)
        self._last_update = now

    def add(self, n, values=None):
        self.update(self._seen_so_far + n, values)

    def _time_per_unit(self, current, now):
        return (now - self._start) / current if current else 0.0

    def _metric_text(self):
        text = ""
        for name in self._values_order:
            text += f" - {name}:"
            entry = self._values[name]
            if name in self.stateful_metrics:
                text += _format_value(entry)
            else:
                text += _format_value(entry[0] / max(entry[1], 1))
        return text

    def _bar_text(self, current):
        if self.target is None:
            return f"{current:7d}/Unknown"
        digits = int(math.log10(self.target)) + 1 if self.target > 0 else 1
        bar = f"{current:{digits}d}/{self.target} ["
        filled = int(self.width * min(current / self.target, 1.0)) if self.target else 0
        if filled > 0:
            bar += "=" * (filled - 1)
            bar += ">" if current < self.target else "="
        return bar + "." * (self.width - filled) + "]"

    def _write_bar(self, current, now, finalize):
        bar = self._bar_text(current)
        time_per_unit = self._time_per_unit(current, now)
        if self.target is None or finalize:
            info = f" - {now - self._start:.0f}s" + _format_time_per_unit(
                time_per_unit, self.unit_name
            )
        else:
            info = f" - ETA: {_format_eta(time_per_unit * (self.target - current))}"
        line = bar + info + self._metric_text()
        # Pad with spaces so a shorter line fully covers the previous one.
        padding = " " * max(self._total_width - len(line), 0)
        self._total_width = len(line)
        sys.stdout.write("\r" + line + padding + ("\n" if finalize else ""))
        sys.stdout.flush()

    def _write_summary(self, current, now):
        time_per_unit = self._time_per_unit(current, now)
        count = f"{current}/{self.target}" if self.target is not None else f"{current}"
        info = f"{count} - {now - self._start:.0f}s -" + _format_time_per_unit(
            time_per_unit, self.unit_name
        )
        sys.stdout.write(info + self._metric_text() + "\n")
        sys.stdout.flush()
