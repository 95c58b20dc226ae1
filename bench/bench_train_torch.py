#!/usr/bin/env python3
"""bench_train_torch.py: PyTorch's side of bench_train: the same MLP (ReLU, PyTorch's default
initialisation), batch, loss (MSE), optimizer (AdamW, weight decay 1e-4, gradient norm clipped to
1, warm-up then cosine learning rate) and data sampling (a minibatch of indices drawn with
replacement from 20000 synthetic samples, gathered every step) as demogym's training loop.
Prints one JSON object like bench_train's.

usage: bench_train_torch.py [--hidden H] [--layers L] [--batch B] [--steps N] [--threads T]
                            [--obs O] [--act A] [--samples N]
"""
import argparse
import json
import math
import time

import torch


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--obs", type=int, default=32)
    p.add_argument("--act", type=int, default=4)
    p.add_argument("--samples", type=int, default=20000)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)

    # synthetic samples, as bench_train makes them
    obs = torch.rand(a.samples, a.obs) * 2 - 1
    act = 0.5 * obs[:, : a.act] * obs[:, :1]
    layers, width = [], a.obs
    for _ in range(a.layers):
        layers += [torch.nn.Linear(width, a.hidden), torch.nn.ReLU()]
        width = a.hidden
    layers.append(torch.nn.Linear(width, a.act))
    net = torch.nn.Sequential(*layers)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
                            weight_decay=1e-4)
    warmup = int(0.02 * a.steps)

    def lr_at(step):  # the multiplier of lr: warm-up, then cosine down to 0.1
        if step < warmup:
            return (step + 1) / warmup
        span = a.steps - warmup
        prog = min(1.0, (step - warmup) / max(1, span - 1))
        return 0.1 + 0.45 * (1 + math.cos(math.pi * prog))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_at)
    t0 = time.perf_counter()
    for _ in range(a.steps):
        idx = torch.randint(0, a.samples, (a.batch,))
        x, y = obs[idx], act[idx]
        loss = torch.nn.functional.mse_loss(net(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        sched.step()
    seconds = time.perf_counter() - t0
    print(json.dumps({"side": "pytorch", "torch": torch.__version__, "hidden": a.hidden,
                      "layers": a.layers, "batch": a.batch, "threads": a.threads,
                      "steps": a.steps, "steps_per_second": a.steps / seconds,
                      "samples_per_second": a.steps * a.batch / seconds,
                      "final_loss": float(loss)}))


if __name__ == "__main__":
    main()
