#!/usr/bin/env python3
"""The learner's update in single-threaded numpy: the baseline the Java learner is measured against.

Same work per step as io.policyrec.learning.PolicyGradientLearner: forward pass of a 784x32x32x10
ReLU network on a batch, softmax, REINFORCE term with a running-mean baseline and clipped
importance weights, entropy regularizer, backward pass, Adam over one flat parameter vector.
Written to be fast (float32, one flat parameter vector, in-place Adam), not to be short.
Prints contexts per second for the batch size given (default 64).
"""
import os
import sys
import time

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"
import numpy as np  # noqa: E402


def main():
    batch = int(sys.argv[1]) if len(sys.argv) > 1 else 64
    updates = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    rng = np.random.default_rng(1)
    sizes = [784, 32, 32, 10]
    shapes = [(a, b) for a, b in zip(sizes[:-1], sizes[1:])]
    total = sum(a * b + b for a, b in shapes)
    theta = np.zeros(total, np.float32)
    views, offset = [], 0
    for a, b in shapes:
        w = theta[offset:offset + a * b].reshape(a, b)
        w[...] = rng.uniform(-1, 1, (a, b)) * np.sqrt(6 / (a + b))
        offset += a * b
        views.append((w, theta[offset:offset + b]))
        offset += b
    grad = np.zeros_like(theta)
    gviews, offset = [], 0
    for a, b in shapes:
        gviews.append((grad[offset:offset + a * b].reshape(a, b), grad[offset + a * b:offset + a * b + b]))
        offset += a * b + b
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    x = (rng.random((batch, 784)) * (rng.random((batch, 784)) < 0.5)).astype(np.float32)
    actions = rng.integers(0, 10, batch)
    rewards = np.where(rng.random(batch) < 0.5, 1.0, -1 / 9).astype(np.float32)
    logged = np.full(batch, 0.1, np.float32)
    rows = np.arange(batch)
    lam, lr, b1, b2, eps, cap = 0.1, 1e-3, 0.9, 0.999, 1e-8, 10.0
    baseline = 0.0

    def step(t):
        nonlocal baseline, theta, m, v
        (w1, c1), (w2, c2), (w3, c3) = views
        h1 = np.maximum(x @ w1 + c1, 0)
        h2 = np.maximum(h1 @ w2 + c2, 0)
        z = h2 @ w3 + c3
        z -= z.max(1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(1, keepdims=True)
        pa = p[rows, actions]
        weight = np.minimum(cap, pa / logged)
        coef = weight * (rewards - baseline) / batch
        dz = p * (coef * pa / (pa + 1e-8))[:, None]
        dz[rows, actions] -= coef * pa / (pa + 1e-8)
        g = np.log(p + 1e-8) + p / (p + 1e-8)
        dz += (lam / batch) * p * (g - (g * p).sum(1, keepdims=True))
        (gw1, gc1), (gw2, gc2), (gw3, gc3) = gviews
        np.dot(h2.T, dz, out=gw3)
        gc3[...] = dz.sum(0)
        d2 = (dz @ w3.T) * (h2 > 0)
        np.dot(h1.T, d2, out=gw2)
        gc2[...] = d2.sum(0)
        d1 = (d2 @ w2.T) * (h1 > 0)
        np.dot(x.T, d1, out=gw1)
        gc1[...] = d1.sum(0)
        m *= b1
        m += (1 - b1) * grad
        v *= b2
        v += (1 - b2) * grad * grad
        theta -= (lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)) * m / (np.sqrt(v) + eps)
        baseline += (rewards.mean() - baseline) / min(t, 100)

    best = 0
    for _ in range(repeats):
        start = time.perf_counter()
        for t in range(1, updates + 1):
            step(t)
        seconds = time.perf_counter() - start
        best = max(best, updates * batch / seconds)
        print(f"numpy batch {batch}: {seconds:.3f} s per {updates} updates, {updates * batch / seconds:,.0f} contexts/s",
              file=sys.stderr)
    print(f"{best:.0f}")


if __name__ == "__main__":
    main()
