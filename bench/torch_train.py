#!/usr/bin/python3
"""The networks of ScoreStream's trainer written in PyTorch, for `bench/train-vs-torch.sh`: the same MLP (Gaussian
Fourier time features, 3 x 128 SiLU) and the same U-Net (trainer/.../ScoreUNet.java: three resolutions, GroupNorm,
SiLU, Fourier time embedding, class embedding, skips), trained by the same step: draw t and noise, predict the noise,
Adam, global-norm clipping at 1, a moving average of the weights. Prints one JSON line like `bench train` does:
examples per second over the timed steps and this process's peak resident memory. Needs Debian's python3-torch."""
import argparse
import json
import math
import os
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Fourier(nn.Module):
    def __init__(self, count, scale, generator):
        super().__init__()
        self.register_buffer("w", torch.randn(1, count, generator=generator) * scale)

    def forward(self, t):
        proj = t[:, None] @ self.w * (2 * math.pi)
        return torch.cat([proj.sin(), proj.cos()], dim=1)


class Mlp(nn.Module):
    def __init__(self, dim, hidden, layers, generator):
        super().__init__()
        self.fourier = Fourier(16, 2.0, generator)
        sizes = [dim + 32] + [hidden] * layers + [dim]
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))

    def forward(self, x, t, y):
        h = torch.cat([x, self.fourier(t)], dim=1)
        for i, linear in enumerate(self.linears):
            h = linear(h)
            if i < len(self.linears) - 1:
                h = F.silu(h)
        return h


def groups(c):
    return 8 if c >= 32 else c // 4


class Block(nn.Module):
    def __init__(self, cin, cout, temb):
        super().__init__()
        self.n1 = nn.GroupNorm(groups(cin), cin)
        self.c1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.t = nn.Linear(temb, cout)
        self.n2 = nn.GroupNorm(groups(cout), cout)
        self.c2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, temb):
        h = self.c1(F.silu(self.n1(x)))
        h = h + self.t(F.silu(temb))[:, :, None, None]
        h = self.c2(F.silu(self.n2(h)))
        return h + (x if self.skip is None else self.skip(x))


class UNet(nn.Module):
    def __init__(self, channels, base, classes, generator):
        super().__init__()
        b, emb = base, 4 * base
        self.fourier = Fourier(b, 16.0, generator)
        self.time0, self.time1 = nn.Linear(2 * b, emb), nn.Linear(emb, emb)
        self.cls = nn.Embedding(classes, emb) if classes else None
        self.inc = nn.Conv2d(channels, b, 3, padding=1)
        self.d0, self.pool0 = Block(b, b, emb), nn.Conv2d(b, b, 3, stride=2, padding=1)
        self.d1, self.pool1 = Block(b, 2 * b, emb), nn.Conv2d(2 * b, 2 * b, 3, stride=2, padding=1)
        self.d2, self.mid = Block(2 * b, 2 * b, emb), Block(2 * b, 2 * b, emb)
        self.u2, self.grow2 = Block(4 * b, 2 * b, emb), nn.Conv2d(2 * b, 2 * b, 3, padding=1)
        self.u1, self.grow1 = Block(4 * b, 2 * b, emb), nn.Conv2d(2 * b, 2 * b, 3, padding=1)
        self.u0 = Block(3 * b, b, emb)
        self.norm, self.out = nn.GroupNorm(groups(b), b), nn.Conv2d(b, channels, 3, padding=1)

    def forward(self, x, t, y):
        temb = self.time1(F.silu(self.time0(self.fourier(t))))
        if self.cls is not None:
            temb = temb + self.cls(y)
        h = self.inc(x)
        s0 = h = self.d0(h, temb)
        h = self.pool0(h)
        s1 = h = self.d1(h, temb)
        h = self.pool1(h)
        s2 = h = self.d2(h, temb)
        h = self.mid(h, temb)
        h = self.u2(torch.cat([h, s2], 1), temb)
        h = self.grow2(F.interpolate(h, scale_factor=2, mode="nearest"))
        h = self.u1(torch.cat([h, s1], 1), temb)
        h = self.grow1(F.interpolate(h, scale_factor=2, mode="nearest"))
        h = self.u0(torch.cat([h, s0], 1), temb)
        return self.out(F.silu(self.norm(h)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--arch", choices=["mlp", "unet"], required=True)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--channels", type=int, default=16)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--label", help="a label for this run, printed in its JSON line")
    p.add_argument("--profile", metavar="FILE", help="write the operator trace of the timed steps (Chrome JSON)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    g = torch.Generator().manual_seed(1)
    if a.arch == "mlp":
        net, shape, classes = Mlp(2, 128, 3, g), (2,), 0
    else:
        net, shape, classes = UNet(1, a.channels, 10, g), (1, 28, 28), 10
    data = torch.rand((4096,) + shape, generator=g) * 2 - 1
    labels = torch.randint(0, 10, (4096,), generator=g)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    ema = [q.detach().clone() for q in net.parameters()]
    beta_min, beta_max, eps = 0.1, 20.0, 1e-3

    def step():
        rows = torch.randint(0, data.shape[0], (a.batch,))
        x0, y = data[rows], labels[rows]
        t = eps + torch.rand(a.batch) * (1 - eps)
        log_mean = -0.25 * t ** 2 * (beta_max - beta_min) - 0.5 * t * beta_min
        mean, std = log_mean.exp(), (1 - (2 * log_mean).exp()).sqrt()
        view = (-1,) + (1,) * len(shape)
        z = torch.randn_like(x0)
        xt = mean.view(view) * x0 + std.view(view) * z
        loss = (net(xt, t, y) - z).square().flatten(1).sum(1).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        with torch.no_grad():
            for e, q in zip(ema, net.parameters()):
                e.mul_(0.999).add_(q, alpha=0.001)

    for _ in range(a.warmup):
        step()
    profiler = torch.autograd.profiler.profile(record_shapes=True) if a.profile else None
    if profiler:
        profiler.__enter__()
    start = time.perf_counter()
    for _ in range(a.steps):
        step()
    seconds = time.perf_counter() - start
    if profiler:
        profiler.__exit__(None, None, None)
        profiler.export_chrome_trace(a.profile)
    print(json.dumps({"impl": "pytorch " + torch.__version__ + " (python)", "arch": a.arch, "batch": a.batch,
                      "steps": a.steps, "examples_per_second": round(a.steps * a.batch / seconds, 1),
                      "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                      "parameters": sum(q.numel() for q in net.parameters()), "threads": a.threads,
                      **({"label": a.label} if a.label else {})}))


if __name__ == "__main__":
    main()
