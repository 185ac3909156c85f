"""NumPy references for the keras layer tests: direct loops, written for clarity."""

import numpy as np


def _same_padding(length, window, stride):
    out = -(-length // stride)
    total = max((out - 1) * stride + window - length, 0)
    return total // 2, total - total // 2


def conv2d(x, kernel, strides=(1, 1), padding="valid", dilation=(1, 1)):
    """x (n, h, w, c), kernel (kh, kw, c, f)."""
    kh, kw, _, filters = kernel.shape
    eff_h, eff_w = (kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1
    if padding == "same":
        (top, bottom), (left, right) = (
            _same_padding(x.shape[1], eff_h, strides[0]),
            _same_padding(x.shape[2], eff_w, strides[1]),
        )
        x = np.pad(x, [(0, 0), (top, bottom), (left, right), (0, 0)])
    out_h = (x.shape[1] - eff_h) // strides[0] + 1
    out_w = (x.shape[2] - eff_w) // strides[1] + 1
    out = np.zeros((x.shape[0], out_h, out_w, filters), np.float64)
    for i in range(out_h):
        for j in range(out_w):
            for a in range(kh):
                for b in range(kw):
                    pixel = x[:, i * strides[0] + a * dilation[0], j * strides[1] + b * dilation[1]]
                    out[:, i, j] += pixel @ kernel[a, b]
    return out


def pool2d(x, pool, strides, padding, kind):
    """Max or mean over windows; padded positions never count."""
    n, h, w, c = x.shape
    if padding == "same":
        out_h, out_w = -(-h // strides[0]), -(-w // strides[1])
        top = _same_padding(h, pool[0], strides[0])[0]
        left = _same_padding(w, pool[1], strides[1])[0]
    else:
        out_h, out_w = (h - pool[0]) // strides[0] + 1, (w - pool[1]) // strides[1] + 1
        top = left = 0
    out = np.zeros((n, out_h, out_w, c), np.float64)
    for i in range(out_h):
        for j in range(out_w):
            r0, c0 = i * strides[0] - top, j * strides[1] - left
            window = x[:, max(r0, 0) : r0 + pool[0], max(c0, 0) : c0 + pool[1]]
            out[:, i, j] = window.max(axis=(1, 2)) if kind == "max" else window.mean(axis=(1, 2))
    return out


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def simple_rnn(x, kernel, recurrent, bias, h):
    outputs = []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ kernel + bias + h @ recurrent)
        outputs.append(h)
    return np.stack(outputs, 1), h


def lstm(x, kernel, recurrent, bias, h, c):
    outputs = []
    u = h.shape[-1]
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ recurrent + bias
        i, f = sigmoid(z[:, :u]), sigmoid(z[:, u : 2 * u])
        g, o = np.tanh(z[:, 2 * u : 3 * u]), sigmoid(z[:, 3 * u :])
        c = f * c + i * g
        h = o * np.tanh(c)
        outputs.append(h)
    return np.stack(outputs, 1), h, c


def gru(x, kernel, recurrent, bias, h, reset_after=True):
    outputs = []
    u = h.shape[-1]
    for t in range(x.shape[1]):
        if reset_after:
            xm = x[:, t] @ kernel + bias[0]
            hm = h @ recurrent + bias[1]
            z = sigmoid(xm[:, :u] + hm[:, :u])
            r = sigmoid(xm[:, u : 2 * u] + hm[:, u : 2 * u])
            cand = np.tanh(xm[:, 2 * u :] + r * hm[:, 2 * u :])
        else:
            xm = x[:, t] @ kernel + bias
            z = sigmoid(xm[:, :u] + h @ recurrent[:, :u])
            r = sigmoid(xm[:, u : 2 * u] + h @ recurrent[:, u : 2 * u])
            cand = np.tanh(xm[:, 2 * u :] + (r * h) @ recurrent[:, 2 * u :])
        h = z * h + (1 - z) * cand
        outputs.append(h)
    return np.stack(outputs, 1), h
