"""The Keras optimizer base class (TF 2.11+ API): learning rate handling, gradient
clipping, weight decay, moving averages, and slot variables built on the first apply
(eagerly, or while a loom.function traces for the first time)."""

import logging
import re

import loom
from loom.keras import _serialization
from loom.keras.optimizers import schedules

_logger = logging.getLogger("loom.keras.optimizers")


class CallableList(list):
    """A list that can also be called, so `optimizer.variables` and
    `optimizer.variables()` both work, as in Keras."""

    def __call__(self):
        return self


def _l2_norm(t):
    squared = loom.reduce_sum(loom.square(t))
    # sqrt's gradient at 0 is inf; keep the zero norm out of it.
    positive = squared > 0
    return loom.where(
        positive, loom.sqrt(loom.where(positive, squared, loom.ones_like(squared))), squared
    )


def clip_by_norm(t, clip_norm):
    """t scaled down so its L2 norm is at most clip_norm."""
    t = loom.convert_to_tensor(t)
    clip_norm = loom.cast(clip_norm, t.dtype)
    return t * clip_norm / loom.maximum(_l2_norm(t), clip_norm)


def clip_by_global_norm(t_list, clip_norm):
    """Every tensor scaled by clip_norm / max(global_norm, clip_norm), where global_norm
    is the L2 norm of all of them together; None entries stay None."""
    present = [loom.convert_to_tensor(t) for t in t_list if t is not None]
    if not present:
        return list(t_list), loom.constant(0.0)
    squares = [loom.cast(loom.reduce_sum(loom.square(t)), loom.float32) for t in present]
    global_norm = loom.sqrt(loom.add_n(squares))
    clip = loom.cast(clip_norm, loom.float32)
    scale = clip * loom.minimum(1.0 / global_norm, 1.0 / clip)
    clipped = [None if t is None else t * loom.cast(scale, t.dtype) for t in t_list]
    return clipped, global_norm


def _dense_gradient(gradient):
    """Gradients as dense tensors; IndexedSlices-like ones (values at row indices, as
    gather produces) are scattered into zeros, duplicate rows adding up."""
    if all(hasattr(gradient, a) for a in ("values", "indices", "dense_shape")):
        indices = loom.expand_dims(loom.convert_to_tensor(gradient.indices), -1)
        return loom.scatter_nd(indices, gradient.values, gradient.dense_shape)
    return loom.convert_to_tensor(gradient)


def _filter_empty_gradients(grads_and_vars):
    """Drops pairs without a gradient; fails when none has one, warns when some lack it."""
    kept = [(g, v) for g, v in grads_and_vars if g is not None]
    if not kept:
        names = ([v.name for _, v in grads_and_vars],)
        raise ValueError(
            f"No gradients provided for any variable: {names}. Provided `grads_and_vars` "
            f"is {tuple(grads_and_vars)}."
        )
    missing = [v.name for g, v in grads_and_vars if g is None]
    if missing:
        _logger.warning(
            "Gradients do not exist for variables %s when minimizing the loss. If you're "
            "using `model.compile()`, did you forget to provide a `loss` argument?",
            missing,
        )
    return kept


class Optimizer(loom.Module):
    """Base class. It declares the arguments every optimizer accepts (weight decay,
    clipping, moving averages, jit_compile); subclasses take only their own and forward
    the rest as **kwargs. Subclasses set `self._learning_rate =
    self._build_learning_rate(lr)`, create slots in `build(var_list)` (calling
    super().build first and returning early once `self._built`), and update one
    variable in `update_step(gradient, variable)`."""

    def __init__(
        self,
        name,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema=False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        jit_compile=True,
        **kwargs,
    ):
        super().__init__()
        self._name, self._scope_name = name, f"{name}/"  # any string, as in Keras
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.global_clipnorm = global_clipnorm
        self.clipvalue = clipvalue
        self.use_ema = use_ema
        self.jit_compile = False  # Keras turns XLA off without a GPU; loom runs on CPU
        if use_ema:
            if ema_momentum > 1 or ema_momentum < 0:
                raise ValueError(
                    f"`ema_momentum` must be in the range [0, 1]. Received: ema_momentum={ema_momentum}"
                )
            if ema_overwrite_frequency and (
                not isinstance(ema_overwrite_frequency, int) or ema_overwrite_frequency < 1
            ):
                raise ValueError(
                    "`ema_overwrite_frequency` must be an integer > 1 or None. Received: "
                    f"ema_overwrite_frequency={ema_overwrite_frequency}"
                )
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        if clipnorm is not None and global_clipnorm is not None:
            raise ValueError(
                "At most one of `clipnorm` and `global_clipnorm` can be set. Received: "
                f"clipnorm={clipnorm}, global_clipnorm={global_clipnorm}."
            )
        self._variables = []
        self._iterations = loom.Variable(0, name="iteration", dtype=loom.int64, trainable=False)
        self._variables.append(self._iterations)
        self._process_kwargs(kwargs)

    def _process_kwargs(self, kwargs):
        kwargs.pop("is_legacy_optimizer", None)
        if kwargs.pop("lr", None) is not None:
            _logger.warning(
                "`lr` is deprecated in Keras optimizer, please use `learning_rate` or use the "
                "legacy optimizer, e.g.,tf.keras.optimizers.legacy.%s.",
                type(self).__name__,
            )
        for key in kwargs:
            if key in ("decay", "gradient_aggregator", "gradient_transformers"):
                raise ValueError(
                    f"{key} is deprecated in the new Keras optimizer, please check the "
                    "docstring for valid arguments, or use the legacy optimizer, e.g., "
                    f"tf.keras.optimizers.legacy.{type(self).__name__}."
                )
            raise TypeError(
                f"{key} is not a valid argument, kwargs should be empty  for "
                "`optimizer_experimental.Optimizer`."
            )

    # --- learning rate and step counter ------------------------------------------------

    def _build_learning_rate(self, learning_rate):
        """A variable for a fixed rate; a schedule or callable is kept, and the variable
        `_current_learning_rate` holds its value for the step being applied."""
        if isinstance(learning_rate, schedules.LearningRateSchedule) or (
            callable(learning_rate) and not loom.module.is_variable(learning_rate)
        ):
            current = self._evaluate_learning_rate(learning_rate)
            self._current_learning_rate = loom.Variable(
                current, name="current_learning_rate", dtype=current.dtype, trainable=False
            )
            return learning_rate
        if loom.module.is_variable(learning_rate):
            return learning_rate
        return loom.Variable(
            learning_rate, name="learning_rate", dtype=_serialization.floatx(), trainable=False
        )

    def _evaluate_learning_rate(self, learning_rate):
        if isinstance(learning_rate, schedules.LearningRateSchedule):
            value = learning_rate(self._iterations)
        else:
            value = learning_rate()
        value = loom.convert_to_tensor(value)
        return value if value.dtype.is_floating else loom.cast(value, _serialization.floatx())

    def _uses_learning_rate_function(self):
        return hasattr(self, "_current_learning_rate") and not loom.module.is_variable(
            self._learning_rate
        )

    @property
    def learning_rate(self):
        if getattr(self, "_learning_rate", None) is None:
            raise ValueError(
                "Missing learning rate, please set self.learning_rate at optimizer creation time."
            )
        if self._uses_learning_rate_function():
            return self._current_learning_rate
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        if isinstance(learning_rate, schedules.LearningRateSchedule):
            self._learning_rate = self._build_learning_rate(learning_rate)
            return
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its "
                "`learning_rate` constructor argument, hence its learning rate is not "
                "settable. If you need the learning rate to be settable, you should "
                "instantiate the optimizer with a float `learning_rate` argument."
            )
        if loom.module.is_variable(self._learning_rate) and not callable(learning_rate):
            self._learning_rate.assign(learning_rate)
        else:
            self._learning_rate = self._build_learning_rate(learning_rate)

    lr = learning_rate

    @property
    def iterations(self):
        """The number of steps applied (an int64 variable)."""
        return self._iterations

    @iterations.setter
    def iterations(self, variable):
        if getattr(self, "_built", False):
            raise RuntimeError(
                "Cannot set `iterations` to a new Variable after the Optimizer weights have "
                f"been created. Here it is attempting to set `iterations` to {variable}. "
                "Usually this means you are trying to set `iterations` after calling "
                "`apply_gradients()`. Please set `iterations` before calling `apply_gradients()`."
            )
        self._iterations = variable
        self._variables[0] = variable

    # --- variables -------------------------------------------------------------------

    def _var_key(self, variable):
        return variable._unique_id

    def build(self, var_list):
        """Maps each variable to its slot index and creates the EMA copies. Subclasses
        call this first, then create their slots unless `self._built`."""
        if getattr(self, "_built", False):
            return
        self._index_dict = {self._var_key(v): i for i, v in enumerate(var_list)}
        if self.use_ema:
            self._model_variables_moving_average = [
                self.add_variable_from_reference(v, "average", initial_value=v.read_value())
                for v in var_list
            ]

    def add_variable(self, shape, dtype=None, initializer="zeros", name=None):
        """A non-trainable optimizer variable; initializer "zeros", "ones" or a
        callable(shape, dtype)."""
        dtype = loom.as_dtype(dtype or _serialization.floatx())
        shape = [] if shape is None else shape
        if initializer == "zeros":
            value = loom.zeros(shape, dtype)
        elif initializer == "ones":
            value = loom.ones(shape, dtype)
        else:
            value = initializer(shape, dtype)
        variable = loom.Variable(value, name=name, trainable=False, dtype=dtype)
        self._variables.append(variable)
        return variable

    def add_variable_from_reference(
        self, model_variable, variable_name, shape=None, initial_value=None
    ):
        """A slot shaped (and typed) like `model_variable`, zeros unless `initial_value`."""
        if initial_value is None:
            initial_value = loom.zeros(
                model_variable.shape if shape is None else shape, model_variable.dtype
            )
        base_name = model_variable.name.rpartition(":")[0] or model_variable.name
        variable = loom.Variable(
            initial_value,
            name=f"{variable_name}/{base_name}",
            dtype=model_variable.dtype,
            trainable=False,
        )
        self._variables.append(variable)
        return variable

    @property
    def variables(self):
        """The step counter and every slot variable, in creation order."""
        return CallableList(self._variables)

    def set_weights(self, weights):
        if not getattr(self, "_built", False):
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that has not yet been "
                "built. Please call `optimizer.build(trainable_variables)` to create the "
                "optimizer weights before calling `set_weights()`."
            )
        for variable, weight in zip(self._variables, weights):
            if tuple(variable.shape) != tuple(loom.convert_to_tensor(weight).shape):
                raise ValueError(
                    f"Optimizer variable {variable.name} has shape {variable.shape} not "
                    f"compatible with provided weight shape {loom.convert_to_tensor(weight).shape}."
                )
            variable.assign(weight)

    # --- computing and applying gradients ----------------------------------------------

    def compute_gradients(self, loss, var_list, tape=None):
        """(gradient, variable) pairs of `loss` (a callable, or a tensor recorded on
        `tape`); `var_list` may be a callable returning the variables."""
        if not callable(loss) and tape is None:
            raise ValueError(
                "`tape` is required when a `Tensor` loss is passed. "
                f"Received: loss={loss}, tape={tape}."
            )
        if tape is None:
            tape = loom.GradientTape()
        if callable(loss):
            with tape:
                if not callable(var_list):
                    tape.watch(var_list)
                loss = loss()
                if callable(var_list):
                    var_list = var_list()
        elif callable(var_list):
            var_list = var_list()
        grads = tape.gradient(loss, list(var_list))
        return list(zip(grads, var_list))

    def minimize(self, loss, var_list, tape=None):
        """compute_gradients then apply_gradients; returns the step counter's new value."""
        return self.apply_gradients(self.compute_gradients(loss, var_list, tape))

    def _clip_gradients(self, grads):
        if self.clipnorm and self.clipnorm > 0:
            return [None if g is None else clip_by_norm(g, self.clipnorm) for g in grads]
        if self.global_clipnorm and self.global_clipnorm > 0:
            return clip_by_global_norm(grads, self.global_clipnorm)[0]
        if self.clipvalue and self.clipvalue > 0:
            return [
                None if g is None else loom.clip_by_value(g, -self.clipvalue, self.clipvalue)
                for g in grads
            ]
        return list(grads)

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Variables (or names matching any of `var_names`) that weight decay skips."""
        if getattr(self, "_built", False):
            raise ValueError(
                "`exclude_from_weight_decay()` can only be configued before the optimizer is built."
            )
        self._exclude_from_weight_decay = [self._var_key(v) for v in var_list or []]
        self._exclude_from_weight_decay_names = list(var_names or [])

    def _use_weight_decay(self, variable):
        if self._var_key(variable) in getattr(self, "_exclude_from_weight_decay", []):
            return False
        names = getattr(self, "_exclude_from_weight_decay_names", [])
        return not any(re.search(name, variable.name) for name in names)

    def _apply_weight_decay(self, variables):
        if self.weight_decay is None:
            return
        for variable in variables:
            if self._use_weight_decay(variable):
                lr = loom.cast(self.learning_rate, variable.dtype)
                wd = loom.cast(self.weight_decay, variable.dtype)
                variable.assign_sub(variable * wd * lr)

    def update_step(self, gradient, variable):
        raise NotImplementedError(f"{type(self).__name__} must implement `update_step`.")

    def _update_step(self, gradient, variable):
        if self._var_key(variable) not in self._index_dict:
            raise KeyError(
                f"The optimizer cannot recognize variable {variable.name}. This usually "
                "means you are trying to call the optimizer to update different parts of "
                "the model separately. Please call `optimizer.build(variables)` with the "
                "full list of trainable variables before the training loop or use legacy "
                f"optimizer `tf.keras.optimizers.legacy.{type(self).__name__}."
            )
        self.update_step(gradient, variable)

    def _advance_shared_state(self):
        """Advances state shared by all variables (Nadam's momentum-schedule product)
        once per step, before any variable is updated; most optimizers have none."""

    def _slot(self, slots, variable):
        return slots[self._index_dict[self._var_key(variable)]]

    def apply_gradients(
        self, grads_and_vars, name=None, skip_gradients_aggregation=False, **kwargs
    ):
        """Updates each variable from its gradient (pairs with a None gradient are
        skipped) and adds one to `iterations`, whose new value is returned."""
        if self._uses_learning_rate_function():
            self._current_learning_rate.assign(
                loom.cast(
                    self._evaluate_learning_rate(self._learning_rate),
                    self._current_learning_rate.dtype,
                )
            )
        grads_and_vars = list(grads_and_vars)
        if not grads_and_vars:
            return self._iterations.read_value()
        self.build([v for _, v in grads_and_vars])
        grads_and_vars = _filter_empty_gradients(grads_and_vars)
        grads = [_dense_gradient(g) for g, _ in grads_and_vars]
        variables = [v for _, v in grads_and_vars]
        grads = self._clip_gradients(grads)
        self._apply_weight_decay(variables)
        self._advance_shared_state()
        for grad, variable in zip(grads, variables):
            self._update_step(grad, variable)
        if self.use_ema:
            self._update_moving_averages(variables)
        iteration = self._iterations.assign_add(1)
        for variable in variables:
            if variable.constraint is not None:
                variable.assign(variable.constraint(variable))
        return iteration

    # --- exponential moving average of the model variables --------------------------------

    def _update_moving_averages(self, variables):
        for variable in variables:
            average = self._slot(self._model_variables_moving_average, variable)
            average.assign(self.ema_momentum * average + (1 - self.ema_momentum) * variable)
        if self.ema_overwrite_frequency:
            # Without a branch: the same ops run eagerly and in a graph.
            due = loom.equal((self._iterations + 1) % self.ema_overwrite_frequency, 0)
            for variable in variables:
                average = self._slot(self._model_variables_moving_average, variable)
                variable.assign(loom.where(due, average.read_value(), variable.read_value()))

    def finalize_variable_values(self, var_list):
        """With `use_ema`, replaces each variable by its moving average."""
        if self.use_ema:
            for variable in var_list:
                variable.assign(self._slot(self._model_variables_moving_average, variable))

    # --- configuration -----------------------------------------------------------------

    def _serialize_hyperparameter(self, hyperparameter):
        if isinstance(hyperparameter, schedules.LearningRateSchedule):
            return schedules.serialize(hyperparameter)
        if loom.module.is_variable(hyperparameter):
            return hyperparameter.numpy()
        if callable(hyperparameter):
            value = hyperparameter()
            return value.numpy().item() if hasattr(value, "numpy") else value
        return hyperparameter

    def get_config(self):
        return {
            "name": self.name,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "jit_compile": self.jit_compile,
            "is_legacy_optimizer": False,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(
                config["learning_rate"], custom_objects=custom_objects
            )
        return cls(**config)
