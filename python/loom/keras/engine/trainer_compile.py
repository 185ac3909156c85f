"""What compile() builds: the container that sums the compiled losses (and tracks the
"loss" metric) and the container that updates the compiled metrics, one entry per model
output. Metrics are resolved on the first batch, when target and output shapes are known."""

import loom
from loom.keras.engine.trainer_data import flatten


def _losses_module():
    from loom.keras import losses

    return losses


def _metrics_module():
    from loom.keras import metrics

    return metrics


def _as_list(structure):
    if structure is None:
        return []
    if isinstance(structure, (list, tuple)):
        return list(structure)
    if isinstance(structure, dict):
        return [structure[key] for key in sorted(structure)]
    return [structure]


def _per_output(spec, output_names, what):
    """`spec` (one value, a list, or a dict keyed by output name) as one value per output."""
    count = len(output_names)
    if isinstance(spec, dict):
        unknown = sorted(set(spec) - set(output_names))
        if unknown:
            raise ValueError(
                f"Found unexpected {what} keys {unknown} for a model with outputs "
                f"{list(output_names)}."
            )
        return [spec.get(name) for name in output_names]
    if isinstance(spec, (list, tuple)) and count > 1:
        if len(spec) != count:
            raise ValueError(
                f"When passing a list as `{what}`, it should have one entry per model output. "
                f"The model has {count} outputs, but you passed {what}={spec!r}"
            )
        return list(spec)
    return [spec] * count


def resolve_loss(identifier):
    """A callable (y_true, y_pred, sample_weight=None) -> scalar, or None."""
    if identifier is None:
        return None
    losses = _losses_module()
    return _resolve_object(identifier, losses, losses.Loss, losses.LossFunctionWrapper, "loss")


def _resolve_object(identifier, module, base, wrapper, kind):
    """module.get(identifier) as a `base` instance: classes are instantiated, plain
    functions wrapped (named after the identifier)."""
    obj = module.get(identifier)
    if isinstance(obj, type):
        obj = obj()
    if isinstance(obj, base):
        return obj
    if not callable(obj):
        raise ValueError(f"Could not interpret {kind} identifier: {identifier!r}")
    name = identifier if isinstance(identifier, str) else getattr(obj, "__name__", kind)
    return wrapper(obj, name=name)


class LossesContainer:
    """Sums the weighted compiled losses and the regularization losses; a Mean metric
    named "loss" (and one per output for multi-output models) tracks the epoch mean."""

    def __init__(self, losses, loss_weights=None, output_names=None):
        self._user_losses = losses
        self._user_loss_weights = loss_weights
        self._output_names = output_names
        self._losses = None  # one resolved loss (or None) per output, once built
        self._weights = None
        self._loss_metric = None
        self._per_output_metrics = []

    @property
    def metrics(self):
        if self._loss_metric is None:
            return []
        return [self._loss_metric] + [m for m in self._per_output_metrics if m is not None]

    def build(self, y_pred):
        outputs = _as_list(y_pred)
        names = list(self._output_names or [])
        if len(names) != len(outputs):
            names = [f"output_{i + 1}" for i in range(len(outputs))]
        self._losses = [resolve_loss(s) for s in _per_output(self._user_losses, names, "loss")]
        weights = self._user_loss_weights
        self._weights = (
            [1.0] * len(outputs)
            if weights is None
            else [
                1.0 if w is None else float(w) for w in _per_output(weights, names, "loss_weights")
            ]
        )
        mean = _metrics_module().Mean
        self._loss_metric = mean(name="loss")
        if len(outputs) > 1:
            self._per_output_metrics = [
                mean(name=f"{name}_loss") if loss is not None else None
                for name, loss in zip(names, self._losses)
            ]

    def __call__(self, y_true, y_pred, sample_weight=None, regularization_losses=None):
        """The total loss for a batch (compiled losses plus regularization)."""
        if self._losses is None:
            self.build(y_pred)
        outputs = _as_list(y_pred)
        targets = _as_list(y_true)
        weights = (
            _as_list(sample_weight)
            if isinstance(sample_weight, (list, tuple, dict))
            else [sample_weight] * len(outputs)
        )
        batch_size = loom.cast(loom.shape(flatten(y_pred)[0])[0], loom.float32)
        terms = []
        for i, (loss, weight) in enumerate(zip(self._losses, self._weights)):
            if loss is None or i >= len(targets) or targets[i] is None:
                continue
            value = loss(targets[i], outputs[i], sample_weight=weights[i])
            if self._per_output_metrics:
                self._per_output_metrics[i].update_state(value, sample_weight=batch_size)
            terms.append(value * weight if weight != 1.0 else value)
        terms += [loom.cast(r, loom.float32) for r in (regularization_losses or [])]
        total = loom.add_n(terms) if terms else loom.zeros((), loom.float32)
        self._loss_metric.update_state(total, sample_weight=batch_size)
        return total

    def reset_state(self):
        for metric in self.metrics:
            metric.reset_state()


def _accuracy_like(identifier, y_true, y_pred):
    """The metric class "accuracy"/"crossentropy" means for these shapes, as Keras picks:
    binary for a 1-unit output, sparse when labels have one rank less (or one last dim
    against several), categorical otherwise."""
    metrics = _metrics_module()
    true_shape, pred_shape = y_true.shape, y_pred.shape
    true_last = true_shape[-1] if len(true_shape) else None
    pred_last = pred_shape[-1] if len(pred_shape) else None
    is_binary = pred_last == 1
    is_sparse = len(true_shape) < len(pred_shape) or (
        true_last == 1 and pred_last is not None and pred_last > 1
    )
    if identifier in ("accuracy", "acc"):
        if is_binary:
            return metrics.BinaryAccuracy(name=identifier)
        if is_sparse:
            return metrics.SparseCategoricalAccuracy(name=identifier)
        return metrics.CategoricalAccuracy(name=identifier)
    if is_binary:
        return metrics.BinaryCrossentropy(name=identifier)
    if is_sparse:
        return metrics.SparseCategoricalCrossentropy(name=identifier)
    return metrics.CategoricalCrossentropy(name=identifier)


def resolve_metric(identifier, y_true, y_pred):
    """A Metric object for a compile() metric identifier, given one output's tensors."""
    if identifier is None:
        return None
    if isinstance(identifier, str) and identifier in ("accuracy", "acc", "crossentropy", "ce"):
        return _accuracy_like(identifier, y_true, y_pred)
    metrics = _metrics_module()
    return _resolve_object(identifier, metrics, metrics.Metric, metrics.MeanMetricWrapper, "metric")


class MetricsContainer:
    """The compiled metrics (unweighted) and weighted_metrics, per output."""

    def __init__(self, metrics=None, weighted_metrics=None, output_names=None):
        self._user_metrics = metrics
        self._user_weighted = weighted_metrics
        self._output_names = output_names
        self._metrics = None  # per output: list of Metric
        self._weighted = None
        self.built = False

    @property
    def metrics(self):
        if not self.built:
            return []
        found = []
        for group in self._metrics + self._weighted:
            found.extend(group)
        return found

    def _resolve(self, spec, names, targets, outputs):
        groups = []
        nested = isinstance(spec, (list, tuple)) and any(
            isinstance(m, (list, tuple, dict)) for m in spec
        )
        if isinstance(spec, dict) or (nested and len(names) > 1):
            per_output_specs = _per_output(spec, names, "metrics")
        elif nested:
            per_output_specs = list(spec)
        else:  # one metric, or a flat list, applies to every output
            per_output_specs = [spec] * len(names)
        for i, per_output in enumerate(per_output_specs):
            if i >= len(targets) or targets[i] is None:
                groups.append([])
                continue
            group = [resolve_metric(m, targets[i], outputs[i]) for m in _as_list(per_output)]
            if len(outputs) > 1:
                for metric in group:
                    if not metric.name.startswith(names[i] + "_"):
                        metric._name = f"{names[i]}_{metric.name}"
            groups.append(group)
        return groups

    def build(self, y_true, y_pred):
        outputs, targets = _as_list(y_pred), _as_list(y_true)
        names = list(self._output_names or [])
        if len(names) != len(outputs):
            names = [f"output_{i + 1}" for i in range(len(outputs))]
        self._metrics = self._resolve(self._user_metrics, names, targets, outputs)
        self._weighted = self._resolve(self._user_weighted, names, targets, outputs)
        self.built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        if y_true is None:
            return
        if not self.built:
            self.build(y_true, y_pred)
        outputs, targets = _as_list(y_pred), _as_list(y_true)
        weights = (
            _as_list(sample_weight)
            if isinstance(sample_weight, (list, tuple, dict))
            else [sample_weight] * len(outputs)
        )
        for i, output in enumerate(outputs):
            for metric in self._metrics[i]:
                metric.update_state(targets[i], output)
            for metric in self._weighted[i]:
                metric.update_state(targets[i], output, sample_weight=weights[i])

    def reset_state(self):
        for metric in self.metrics:
            metric.reset_state()
