"""Gradients benchmark: one training step (forward, gradient, SGD update) of a small
MLP, eagerly and as a loom.function, against a hand-written NumPy backward pass and
PyTorch when installed."""

import numpy as np

import loom as tf

BATCH, IN, HIDDEN, OUT = 64, 64, 128, 10


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(BATCH, IN)).astype("float32")
    y = rng.integers(0, OUT, size=BATCH).astype("int32")
    w1 = (rng.normal(size=(IN, HIDDEN)) * 0.1).astype("float32")
    w2 = (rng.normal(size=(HIDDEN, OUT)) * 0.1).astype("float32")
    return x, y, w1, w2


def loom_step_functions():
    x, y, w1, w2 = _data()
    params = [tf.Variable(w1), tf.Variable(np.zeros(HIDDEN, "float32")), tf.Variable(w2)]
    x, y = tf.constant(x), tf.constant(y)

    def step(x, y):
        with tf.GradientTape() as tape:
            h = tf.nn.relu(tf.matmul(x, params[0]) + params[1])
            logits = tf.matmul(h, params[2])
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
            )
        for p, g in zip(params, tape.gradient(loss, params)):
            p.assign_sub(0.01 * g)
        return loss

    return step, tf.function(step), x, y


def numpy_step():
    x, y, w1, w2 = _data()
    b1 = np.zeros(HIDDEN, "float32")
    onehot = np.eye(OUT, dtype="float32")[y]

    def step():
        nonlocal w1, b1, w2
        pre = x @ w1 + b1
        h = np.maximum(pre, 0)
        logits = h @ w2
        e = np.exp(logits - logits.max(1, keepdims=True))
        p = e / e.sum(1, keepdims=True)
        dlogits = (p - onehot) / BATCH
        dw2 = h.T @ dlogits
        dh = dlogits @ w2.T
        dpre = dh * (pre > 0)
        w1 = w1 - 0.01 * (x.T @ dpre)
        b1 = b1 - 0.01 * dpre.sum(0)
        w2 = w2 - 0.01 * dw2

    return step


def torch_step(torch):
    x, y, w1, w2 = _data()
    x, y = torch.tensor(x), torch.tensor(y, dtype=torch.long)
    params = [
        torch.tensor(w1, requires_grad=True),
        torch.zeros(HIDDEN, requires_grad=True),
        torch.tensor(w2, requires_grad=True),
    ]

    def step():
        h = torch.relu(x @ params[0] + params[1])
        loss = torch.nn.functional.cross_entropy(h @ params[2], y)
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, g in zip(params, grads):
                p -= 0.01 * g

    return step


def bench_gradients(median_time, row, optional):
    eager, traced, x, y = loom_step_functions()
    traced(x, y)
    t_eager = median_time("eager(x, y)", 200, globals_={"eager": eager, "x": x, "y": y})
    t_fn = median_time("traced(x, y)", 200, globals_={"traced": traced, "x": x, "y": y})
    t_np = median_time("step()", 200, globals_={"step": numpy_step()})
    refs = [f"NumPy hand-written {t_np * 1e6:.0f} µs"]
    torch = optional("torch")
    if torch is not None:
        torch.set_num_threads(1)
        t_torch = median_time("step()", 200, globals_={"step": torch_step(torch)})
        refs.append(f"PyTorch eager {t_torch * 1e6:.0f} µs")
    label = f"MLP {IN}-{HIDDEN}-{OUT} train step, batch {BATCH}"
    row(f"{label}: eager", t_eager * 1e6, "µs", "", "; ".join(refs))
    row(f"{label}: loom.function", t_fn * 1e6, "µs", "", f"{t_eager / t_fn:.1f}× eager")


def bench_dynamic_rnn(median_time, row):
    """A 200-step tanh RNN over a tf.range loop writing a TensorArray, trained inside a
    function (forward, While gradient, update)."""
    steps, batch, hidden = 200, 16, 32
    rng = np.random.default_rng(0)
    xs = tf.constant(rng.normal(size=(steps, batch, hidden)).astype("float32"))
    w = tf.Variable((rng.normal(size=(hidden, hidden)) * 0.1).astype("float32"))

    @tf.function
    def train_step(xs):
        with tf.GradientTape() as tape:
            outputs = tf.TensorArray(tf.float32, size=steps)
            h = tf.zeros([batch, hidden])
            for t in tf.range(steps):
                h = tf.tanh(xs[t] + tf.matmul(h, w))
                outputs = outputs.write(t, h)
            loss = tf.reduce_mean(outputs.stack() ** 2)
        w.assign_sub(0.01 * tape.gradient(loss, w))
        return loss

    train_step(xs)
    t = median_time("train_step(xs)", 5, globals_={"train_step": train_step, "xs": xs})
    row(f"dynamic RNN, {steps} steps, batch {batch}, {hidden} units: train step", t * 1e3, "ms")
