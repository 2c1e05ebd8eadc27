"""Run under ``mpiexec -n N python tests/distributed/_dist_worker.py SCENARIO OUT``: each rank writes what it
saw to OUT/<scenario>-rank<r>.npz (or .json); tests/distributed/test_distributed.py checks it against NumPy
and single-process training. Nothing here runs on import."""

from __future__ import annotations

import json
import os
import sys

import numpy as np

GLOBAL_BATCH = 12
STEPS = 4


def collective_input(rank: int, dtype: str = "float64") -> np.ndarray:
    """Rank r's input to the collective tests: deterministic from r (the test recomputes it)."""
    a = np.random.RandomState(100 + rank).uniform(0.5, 1.5, size=(3, 4))
    return a.astype(dtype) if dtype.startswith("float") else (a * 10).astype(dtype)


def mlp(dtype: str = "float64"):
    import netgrad as ng
    from netgrad import nn

    ng.manual_seed(7)
    m = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 6), nn.ReLU(), nn.Linear(6, 3))
    return m.double() if dtype == "float64" else m


def cnn():
    import netgrad as ng
    from netgrad import nn

    ng.manual_seed(3)
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(4 * 3 * 3, 3))


def TwoHeads():
    """A model whose second layer takes no part in the output."""
    from netgrad import nn

    class Two(nn.Module):
        def __init__(self):
            super().__init__()
            self.used, self.unused = nn.Linear(5, 3), nn.Linear(5, 3)

        def forward(self, x):
            return self.used(x)

    import netgrad as ng

    ng.manual_seed(5)
    return Two()


def data(kind: str):
    """The global data set of the training tests: (X, y) with GLOBAL_BATCH * STEPS samples."""
    rs = np.random.RandomState(11)
    n = GLOBAL_BATCH * STEPS
    X = rs.randn(n, 1, 8, 8).astype(np.float32) if kind == "cnn" else rs.randn(n, 5)
    return X, rs.randint(0, 3, size=n)


def optimizer(name: str, model):
    from netgrad import optim

    if name == "sgd":
        return optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    return optim.Adam(model.parameters(), lr=0.01)


def train_steps(model, opt, X, y, lo, hi, world, check=None):
    """STEPS steps; step k uses samples k*GLOBAL_BATCH + [lo, hi) (this rank's slice)."""
    import netgrad as ng
    from netgrad import nn

    loss_fn = nn.CrossEntropyLoss()
    diffs = []
    for k in range(STEPS):
        s = k * GLOBAL_BATCH
        xb = ng.tensor(X[s + lo:s + hi])
        yb = ng.tensor(y[s + lo:s + hi])
        opt.zero_grad()
        loss_fn(model(xb), yb).backward()
        opt.step()
        if check is not None:
            diffs.append(check())
    return diffs


def _spread(dist, model):
    """The largest difference between any two ranks' parameters (max - min over ranks)."""
    import netgrad as ng

    flat = np.concatenate([p.detach().numpy().ravel().astype(np.float64) for p in model.parameters()])
    hi, lo = ng.tensor(flat.copy()), ng.tensor(flat.copy())
    dist.all_reduce(hi, op=dist.ReduceOp.MAX)
    dist.all_reduce(lo, op=dist.ReduceOp.MIN)
    return float((hi.numpy() - lo.numpy()).max())


def suite(out: str) -> None:
    import netgrad as ng
    import netgrad.distributed as dist
    from netgrad import nn
    from netgrad.nn.parallel import DistributedDataParallel as DDP
    from netgrad.utils.data.distributed import DistributedSampler

    dist.init_process_group(backend="mpi")
    r, n = dist.get_rank(), dist.get_world_size()
    res: dict[str, np.ndarray] = {}
    # ---- collectives
    R = dist.ReduceOp
    for op in ("SUM", "MAX", "MIN", "PRODUCT", "AVG"):
        t = ng.tensor(collective_input(r))
        dist.all_reduce(t, op=getattr(R, op))
        res[f"all_reduce_{op}"] = t.numpy()
    t = ng.tensor(collective_input(r, "int64"))
    dist.all_reduce(t)
    res["all_reduce_int64"] = t.numpy()
    t = ng.tensor(collective_input(r, "float32"))
    w = dist.all_reduce(t, async_op=True)
    w.wait()
    res["all_reduce_async_f32"] = t.numpy()
    t = ng.tensor(collective_input(r)).t()  # not contiguous: goes through a copy
    dist.all_reduce(t)
    res["all_reduce_T"] = t.numpy()
    t = ng.tensor(collective_input(r))
    dist.broadcast(t, src=n - 1)
    res["broadcast"] = t.numpy()
    t = ng.tensor(collective_input(r))
    dist.reduce(t, dst=n - 1, op=R.SUM)
    res["reduce"] = t.numpy()
    outs = [ng.zeros(3, 4, dtype=ng.float64) for _ in range(n)]
    dist.all_gather(outs, ng.tensor(collective_input(r)))
    res["all_gather"] = np.stack([o.numpy() for o in outs])
    dist.barrier()
    # ---- DDP gradients vs the full batch (several small buckets)
    X, y = data("mlp")
    lo, hi = r * GLOBAL_BATCH // n, (r + 1) * GLOBAL_BATCH // n
    model = DDP(mlp(), bucket_cap_mb=0.0002)
    res["n_buckets"] = np.array(len(model._buckets))
    loss_fn = nn.CrossEntropyLoss()
    # overlap: the order of events in backward (1: a bucket's Iallreduce starts; 2: the gradient of
    # the first layer's output is computed, which backward does after the last layers' parameters)
    events: list[int] = []
    start = model._start_ready

    def start_logged() -> None:
        k = model._next
        start()
        events.extend([1] * (model._next - k))

    model._start_ready = start_logged
    h1 = model.module[0](ng.tensor(X[lo:hi]))
    h1.register_hook(lambda g: events.append(2))
    loss_fn(model.module[1:](h1), ng.tensor(y[lo:hi])).backward()
    res["overlap_events"] = np.array(events)
    del model._start_ready
    model.zero_grad()
    loss_fn(model(ng.tensor(X[lo:hi])), ng.tensor(y[lo:hi])).backward()
    res["grads"] = np.concatenate([p.grad.numpy().ravel() for p in model.parameters()])
    # no_sync: two local micro-batches accumulate, the third backward averages the sum
    model.zero_grad()
    thirds = np.array_split(np.arange(lo, hi), 3)
    for k, idx in enumerate(thirds):
        if k < 2:
            with model.no_sync():
                (loss_fn(model(ng.tensor(X[idx])), ng.tensor(y[idx])) * (len(idx) / (hi - lo))).backward()
            if k == 0:
                res["no_sync_local"] = np.concatenate([p.grad.numpy().ravel() for p in model.parameters()])
        else:
            (loss_fn(model(ng.tensor(X[idx])), ng.tensor(y[idx])) * (len(idx) / (hi - lo))).backward()
    res["grads_no_sync"] = np.concatenate([p.grad.numpy().ravel() for p in model.parameters()])
    # ---- training: N ranks x local batch == 1 process x global batch
    for kind, opt_name in (("mlp", "sgd"), ("mlp", "adam"), ("cnn", "sgd"), ("cnn", "adam")):
        Xk, yk = data(kind)
        m = DDP(cnn() if kind == "cnn" else mlp())
        opt = optimizer(opt_name, m)
        diffs = train_steps(m, opt, Xk, yk, lo, hi, n, check=lambda m=m: _spread(dist, m))
        res[f"train_{kind}_{opt_name}"] = np.concatenate([p.detach().numpy().ravel() for p in m.parameters()])
        res[f"spread_{kind}_{opt_name}"] = np.array(diffs)
    # ---- a parameter outside the loss: find_unused_parameters completes its bucket with zeros;
    # without it, the next forward reports the unfinished reduction
    for find in (True, False):
        two = TwoHeads().double()
        m = DDP(two, find_unused_parameters=find)
        try:
            for _ in range(2):
                m.zero_grad()
                m(ng.tensor(X[lo:hi])).sum().backward()
            res["unused_grads"] = np.concatenate([p.grad.numpy().ravel() for p in two.used.parameters()])
            res["unused_zero"] = np.array([not p.grad.numpy().any() for p in two.unused.parameters()])
        except RuntimeError as e:
            res["unused_error"] = np.array(str(e))
    # ---- broadcast on wrap: rank-dependent initial weights end up as rank 0's
    ng.manual_seed(1000 + r)
    m = DDP(nn.Linear(3, 2))
    res["wrapped"] = np.concatenate([p.detach().numpy().ravel() for p in m.parameters()])
    # ---- DistributedSampler's defaults come from the group
    s = DistributedSampler(range(23), seed=5)
    s.set_epoch(2)
    res["sampler"] = np.array(list(s))
    # ---- different models on different ranks: every rank gets the same clear error
    try:
        DDP(nn.Linear(3, 2 + (r == n - 1)))
        res["mismatch"] = np.array("no error")
    except ValueError as e:
        res["mismatch"] = np.array(str(e))
    np.savez(os.path.join(out, f"suite-rank{r}.npz"), **res)
    dist.destroy_process_group()


def fit_job(out: str, epochs: int, stop_after: int | None = None) -> None:
    """fit on a DDP model with a checkpoint; ``stop_after`` epochs first (then resumes)."""
    import netgrad as ng
    import netgrad.distributed as dist
    from netgrad import nn
    from netgrad.nn.parallel import DistributedDataParallel as DDP
    from netgrad.train import fit

    if not dist.is_initialized():
        dist.init_process_group("mpi")
    r = dist.get_rank()
    X, y = data("mlp")
    ckpt = os.path.join(out, "ckpt.ngz")
    hist = []
    for ep in ([stop_after, epochs] if stop_after else [epochs]):
        model = DDP(mlp())
        opt = optimizer("sgd", model)
        h = fit(model, nn.CrossEntropyLoss(), opt, (X, y), epochs=ep, batch_size=4, metrics=["accuracy"],
                verbose=2, checkpoint=ckpt, generator=ng.Generator(3))
        hist.append(h.to_dict())
    params = np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])
    np.save(os.path.join(out, f"fit-rank{r}.npy"), params)
    for h in hist:
        h["history"].pop("seconds", None)
    with open(os.path.join(out, f"fit-rank{r}.json"), "w") as f:
        json.dump(hist, f)


def fault(out: str, how: str) -> None:
    """Rank 1 fails in the middle of training while the others wait in an allreduce."""
    import signal

    import netgrad as ng
    import netgrad.distributed as dist
    from netgrad import nn
    from netgrad.nn.parallel import DistributedDataParallel as DDP

    dist.init_process_group("mpi")
    r = dist.get_rank()
    model = DDP(mlp())
    X, y = data("mlp")
    for step in range(1000):
        if r == 1 and step == 2:
            if how == "raise":
                raise RuntimeError("injected failure")
            os.kill(os.getpid(), signal.SIGKILL)
        nn.CrossEntropyLoss()(model(ng.tensor(X[:4])), ng.tensor(y[:4])).backward()


if __name__ == "__main__":
    scenario, out_dir = sys.argv[1], sys.argv[2]
    if scenario == "suite":
        suite(out_dir)
    elif scenario == "fit":
        fit_job(out_dir, epochs=3)
    elif scenario == "fit-resume":
        fit_job(out_dir, epochs=3, stop_after=2)
    else:
        fault(out_dir, scenario)
