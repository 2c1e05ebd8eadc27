"""netgrad's generator against PyTorch's CPU generator: the same seed gives the same numbers.

rand, randn, randint, randperm, multinomial, bernoulli and normal are compared with torch for
several seeds, sizes (around randn's blocks of 16), dtypes, shapes, the default and explicit
generators, in mixed sequences (the streams stay in step, including the cached second normal of
the scalar Box-Muller), and on Karpathy's makemore set-up (Generator().manual_seed(2147483647)).
Every comparison is exact: float32 normals reproduce ATen's AVX2 kernel bit for bit.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import netgrad as ng
import netgrad.nn.functional as NF
from netgrad.autograd import random_kernels as K

SEEDS = [0, 1, 42, 2147483647, 2 ** 40 + 3]
SIZES = [1, 5, 15, 16, 17, 100, 1000]
DTYPES = [(torch.float32, ng.float32), (torch.float64, ng.float64), (torch.float16, ng.float16)]


def pair(seed: int) -> tuple[torch.Generator, ng.Generator]:
    return torch.Generator().manual_seed(seed), ng.Generator().manual_seed(seed)


def same(a: torch.Tensor, b: ng.Tensor) -> None:
    x, y = a.numpy(), b.numpy()
    assert x.dtype == y.dtype and x.shape == y.shape
    np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("dt", DTYPES, ids=["f32", "f64", "f16"])
def test_rand_randn_match_torch(seed, n, dt):
    g, h = pair(seed)
    same(torch.rand(n, generator=g, dtype=dt[0]), ng.rand(n, generator=h, dtype=dt[1]))
    same(torch.randn(n, generator=g, dtype=dt[0]), ng.randn(n, generator=h, dtype=dt[1]))
    same(torch.rand(3, generator=g, dtype=dt[0]), ng.rand(3, generator=h, dtype=dt[1]))  # still in step


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 5), (27, 10), (64, 33), ()])
def test_shapes_and_default_generator(shape):
    torch.manual_seed(123)
    ng.manual_seed(123)
    assert ng.initial_seed() == torch.initial_seed() == 123
    same(torch.randn(shape), ng.randn(shape))
    same(torch.rand(shape), ng.rand(shape))
    same(torch.randint(-5, 5, shape), ng.randint(-5, 5, shape))
    same(torch.randn(shape, dtype=torch.float64), ng.randn(shape, dtype=ng.float64))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("low,high", [(0, 10), (-3, 7), (0, 2 ** 28 - 1), (0, 2 ** 28), (5, 2 ** 28 + 5),
                                      (0, 2 ** 40), (-(2 ** 62), 2 ** 62)])
def test_randint_matches_torch(seed, low, high):
    g, h = pair(seed)
    for n in (1, 17, 300):
        same(torch.randint(low, high, (n,), generator=g), ng.randint(low, high, (n,), generator=h))
    same(torch.randint(0, 100, (4, 5), generator=g, dtype=torch.int32),
         ng.randint(0, 100, (4, 5), generator=h, dtype=ng.int32))
    same(torch.randint(0, 100, (6,), generator=g, dtype=torch.float32),
         ng.randint(0, 100, (6,), generator=h, dtype=ng.float32))


@pytest.mark.parametrize("seed", SEEDS)
def test_randperm_matches_torch(seed):
    g, h = pair(seed)
    for n in (0, 1, 2, 5, 16, 100, 1000, 5000):
        same(torch.randperm(n, generator=g), ng.randperm(n, generator=h))
    same(torch.randperm(10, generator=g, dtype=torch.int32), ng.randperm(10, generator=h, dtype=ng.int32))


@pytest.mark.parametrize("seed", [0, 7, 2147483647])
@pytest.mark.parametrize("dt", DTYPES[:2], ids=["f32", "f64"])
def test_multinomial_matches_torch(seed, dt):
    g, h = pair(seed)
    p = torch.rand(4, 27, generator=torch.Generator().manual_seed(seed + 1), dtype=dt[0])
    p[0, 3] = 0.0
    q = ng.tensor(p.numpy())
    for n, rep in [(1, True), (1, False), (5, True), (5, False), (27, False), (40, True)]:
        same(torch.multinomial(p, n, rep, generator=g), ng.multinomial(q, n, rep, generator=h))
        same(torch.multinomial(p[1], n, rep, generator=g), ng.multinomial(q[1], n, rep, generator=h))
    same(torch.rand(2, generator=g), ng.rand(2, generator=h))


@pytest.mark.parametrize("seed", [0, 3])
@pytest.mark.parametrize("dt", DTYPES[:2], ids=["f32", "f64"])
def test_bernoulli_and_normal_match_torch(seed, dt):
    g, h = pair(seed)
    t, n = dt
    for size in (3, 20):
        same(torch.bernoulli(torch.full((size,), 0.3, dtype=t), generator=g),
             ng.bernoulli(ng.full((size,), 0.3, dtype=n), generator=h))
        same(torch.bernoulli(torch.zeros(size, dtype=t), 0.3, generator=g),
             ng.bernoulli(ng.zeros(size, dtype=n), 0.3, generator=h))
        same(torch.normal(0.5, 2.0, (size,), generator=g, dtype=t),
             ng.normal(0.5, 2.0, (size,), generator=h, dtype=n))
        m, s = torch.linspace(-1, 1, size, dtype=t), torch.linspace(0.1, 2, size, dtype=t)
        mm, ss = ng.tensor(m.numpy()), ng.tensor(s.numpy())
        same(torch.normal(m, 2.0, generator=g), ng.normal(mm, 2.0, generator=h))
        same(torch.normal(0.5, s, generator=g), ng.normal(0.5, ss, generator=h))
        same(torch.normal(m, s, generator=g), ng.normal(mm, ss, generator=h))


def test_mixed_sequence_stays_in_step():
    """A cached normal (odd counts below 16) survives other draws and block fills, as in torch."""
    g, h = pair(2024)
    calls = [
        ("randn", (5,), {}), ("rand", (7,), {}), ("randint", (0, 50, (9,)), {}), ("randn", (3,), {}),
        ("randn", (40,), {}), ("randn", (1,), {}), ("randperm", (30,), {}), ("rand", (2, 3), {"dtype": 64}),
        ("randn", (1,), {"dtype": 64}), ("randint", (0, 2 ** 30, (4,)), {}), ("randn", (17,), {}),
        ("randn", (2,), {}),
    ]
    for name, args, kw in calls:
        tk = {"dtype": torch.float64} if kw else {}
        nk = {"dtype": ng.float64} if kw else {}
        same(getattr(torch, name)(*args, generator=g, **tk), getattr(ng, name)(*args, generator=h, **nk))
    same(torch.multinomial(torch.ones(6), 3, generator=g), ng.multinomial(ng.ones(6), 3, generator=h))
    same(torch.rand(4, generator=g), ng.rand(4, generator=h))


def test_like_factories_and_default_stream():
    torch.manual_seed(5)
    ng.manual_seed(5)
    x, y = torch.zeros(3, 17), ng.zeros(3, 17)
    same(torch.rand_like(x), ng.rand_like(y))
    same(torch.randn_like(x), ng.randn_like(y))
    same(torch.randint_like(x, 3, 9), ng.randint_like(y, 3, 9))
    same(torch.randn(2), ng.randn(2))


@pytest.mark.parametrize("seed", [-1, -(2 ** 63), 2 ** 64 - 1, 2 ** 32 + 7])
def test_seed_range_as_torch(seed):
    g, h = pair(seed)
    assert h.initial_seed() == g.initial_seed()
    same(torch.rand(4, generator=g), ng.rand(4, generator=h))


def test_state_round_trip_keeps_cached_normal():
    g, h = pair(99)
    same(torch.randn(1, generator=g), ng.randn(1, generator=h))  # leaves a cached normal
    ts, ns = g.get_state(), h.get_state()
    a = torch.randn(3, generator=g)
    b = ng.randn(3, generator=h)
    same(a, b)
    g.set_state(ts)
    h.set_state(ns)
    assert h.get_state() == ns  # plain Python data, comparable with ==
    same(torch.randn(3, generator=g), ng.randn(3, generator=h))
    assert ns["normal_cache"] is not None and isinstance(ns["key"], list) and len(ns["key"]) == 624
    ng.manual_seed(3)
    before = ng.get_rng_state()
    first = ng.randn(5)
    ng.set_rng_state(before)
    assert np.array_equal(ng.randn(5).numpy(), first.numpy())


def test_manual_seed_clears_cached_normal():
    g, h = pair(11)
    same(torch.randn(1, generator=g), ng.randn(1, generator=h))
    g.manual_seed(11)
    h.manual_seed(11)
    same(torch.randn(3, generator=g), ng.randn(3, generator=h))


def test_fma32_is_one_rounding():
    from fractions import Fraction

    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal(3000).astype(np.float32) for _ in range(2))
    c = (1.0 + 2.0 ** -24 - a.astype(np.float64) * b).astype(np.float32)  # near float32 midpoints
    r = K.fma32(a, b, c)
    for x, y, z, got in zip(a, b, c, r):
        v = Fraction(float(x)) * Fraction(float(y)) + Fraction(float(z))
        f = np.float32(float(v))
        cands = [np.nextafter(f, np.float32(-np.inf)), f, np.nextafter(f, np.float32(np.inf))]
        want = min(cands, key=lambda q: (abs(Fraction(float(q)) - v), int(np.float32(q).view(np.int32)) & 1))
        assert got == want


# ---- Karpathy's makemore (lectures 1 and 2), run once with torch and once with netgrad ----

WORDS = ["emma", "olivia", "ava", "isabella", "sophia", "charlotte", "mia", "amelia", "harper", "evelyn",
         "abigail", "emily", "elizabeth", "mila", "ella", "avery", "sofia", "camila", "aria", "scarlett"]
CHARS = "abcdefghijklmnopqrstuvwxyz"
STOI = {s: i + 1 for i, s in enumerate(CHARS)} | {".": 0}
ITOS = {i: s for s, i in STOI.items()}


def bigram(T):
    g = T.Generator().manual_seed(2147483647)
    p = T.rand(3, generator=g)
    p = p / p.sum()
    draws = T.multinomial(p, num_samples=100, replacement=True, generator=g)
    N = T.zeros((27, 27), dtype=T.int32)
    for w in WORDS:
        chs = ["."] + list(w) + ["."]
        for a, b in zip(chs, chs[1:]):
            N[STOI[a], STOI[b]] += 1
    P = (N + 1).float()
    P /= P.sum(1, keepdims=True)
    names = []
    for _ in range(10):
        ix, out = 0, []
        while True:
            ix = T.multinomial(P[ix], num_samples=1, replacement=True, generator=g).item()
            out.append(ITOS[ix])
            if ix == 0:
                break
        names.append("".join(out))
    W = T.randn((27, 27), generator=g)
    return p.numpy(), draws.numpy(), names, W.numpy()


def test_makemore_bigram_matches_torch():
    ref, got = bigram(torch), bigram(ng)
    np.testing.assert_array_equal(ref[0], got[0])
    np.testing.assert_array_equal(ref[1], got[1])
    assert ref[2] == got[2]
    np.testing.assert_array_equal(ref[3], got[3])


def mlp(T, F):
    block = 3
    X, Y = [], []
    for w in WORDS:
        context = [0] * block
        for ch in w + ".":
            X.append(context)
            Y.append(STOI[ch])
            context = context[1:] + [STOI[ch]]
    X, Y = T.tensor(X), T.tensor(Y)
    g = T.Generator().manual_seed(2147483647)
    C = T.randn((27, 10), generator=g)
    W1 = T.randn((30, 200), generator=g)
    b1 = T.randn(200, generator=g)
    W2 = T.randn((200, 27), generator=g)
    b2 = T.randn(27, generator=g)
    params = [C, W1, b1, W2, b2]
    for p in params:
        p.requires_grad = True
    T.manual_seed(42)
    losses = []
    for _ in range(30):
        ix = T.randint(0, X.shape[0], (32,))
        emb = C[X[ix]]
        h = T.tanh(emb.view(-1, 30) @ W1 + b1)
        loss = F.cross_entropy(h @ W2 + b2, Y[ix])
        for p in params:
            p.grad = None
        loss.backward()
        for p in params:
            p.data += -0.1 * p.grad
        losses.append(loss.item())
    g = T.Generator().manual_seed(2147483647 + 10)
    names = []
    for _ in range(5):
        out, context = [], [0] * block
        while len(out) < 30:
            emb = C[T.tensor([context])]
            h = T.tanh(emb.view(1, -1) @ W1 + b1)
            probs = F.softmax(h @ W2 + b2, dim=1)
            ix = T.multinomial(probs, num_samples=1, generator=g).item()
            context = context[1:] + [ix]
            out.append(ix)
            if ix == 0:
                break
        names.append("".join(ITOS[i] for i in out))
    return C.detach().numpy(), np.array(losses), names


def test_makemore_mlp_matches_torch():
    c_ref, loss_ref, names_ref = mlp(torch, torch.nn.functional)
    c_got, loss_got, names_got = mlp(ng, NF)
    # the parameters start from the same draws; the losses differ only by float32 matmul rounding
    np.testing.assert_allclose(loss_got, loss_ref, rtol=2e-5, atol=1e-5)
    np.testing.assert_allclose(c_got, c_ref, rtol=1e-4, atol=1e-5)
    assert names_got == names_ref


@pytest.mark.parametrize("p", [0.1, 0.5, 0.7])
@pytest.mark.parametrize("dt", DTYPES[:2], ids=["f32", "f64"])
def test_dropout_masks_match_torch(p, dt):
    torch.manual_seed(3)
    ng.manual_seed(3)
    x, y = torch.randn(4, 5, 6, 7, dtype=dt[0]), ng.randn(4, 5, 6, 7, dtype=dt[1])
    same(x, y)
    same(torch.nn.functional.dropout(x, p), NF.dropout(y, p))
    same(torch.nn.functional.dropout2d(x, p), NF.dropout2d(y, p))
    same(torch.nn.Dropout(p)(x), ng.nn.Dropout(p)(y))
    same(torch.rand(3), ng.rand(3))


@pytest.mark.parametrize("seed", [0, 42])
def test_layer_init_and_nn_init_match_torch(seed):
    """nn.Linear / nn.Conv2d's kaiming-uniform init and nn.init's normal_/uniform_ family."""
    torch.manual_seed(seed)
    ng.manual_seed(seed)
    for make in (lambda T: T.nn.Linear(784, 10), lambda T: T.nn.Conv2d(3, 8, 3),
                 lambda T: T.nn.Linear(10, 1, bias=False)):
        ref, got = make(torch).state_dict(), make(ng).state_dict()
        assert list(ref) == list(got)
        for k in ref:
            same(ref[k], got[k])
    for dt in DTYPES[:2]:
        w1, w2 = torch.empty(5, 40, dtype=dt[0]), ng.empty(5, 40, dtype=dt[1])
        for f in ("normal_", "xavier_uniform_", "kaiming_normal_", "uniform_"):
            args = (0.1, 0.02) if f == "normal_" else (-2.0, 3.0) if f == "uniform_" else ()
            getattr(torch.nn.init, f)(w1, *args)
            getattr(ng.nn.init, f)(w2, *args)
            same(w1, w2)
        w1, w2 = torch.empty(7, dtype=dt[0]), ng.empty(7, dtype=dt[1])  # the scalar path
        same(torch.nn.init.normal_(w1, 0.5, 2.0), ng.nn.init.normal_(w2, 0.5, 2.0))


def _loaders(T, D):
    T.manual_seed(7)
    ds = D.TensorDataset(T.arange(23))
    out = [[b[0].tolist() for b in D.DataLoader(ds, batch_size=5, shuffle=True)] for _ in range(2)]
    out.append([b[0].tolist() for b in D.DataLoader(ds, batch_size=10)])
    g = T.Generator().manual_seed(0)
    out.append([b[0].tolist() for b in D.DataLoader(ds, batch_size=4, shuffle=True, generator=g)])
    out.append(list(D.RandomSampler(range(50), replacement=True, num_samples=70, generator=g)))
    out.append(list(D.RandomSampler(range(7), num_samples=20, generator=g)))
    out.append(list(D.SubsetRandomSampler([5, 9, 11, 2, 8], generator=g)))
    out.append(list(D.WeightedRandomSampler([0.1, 0.9, 0.4, 0.0, 2.0], 12, generator=g)))
    out.append(list(D.WeightedRandomSampler([0.1, 0.9, 0.4, 0.0, 2.0], 3, replacement=False, generator=g)))
    out.append([list(s.indices) for s in D.random_split(range(10), [3, 7], generator=g)])
    out.append(T.rand(2).tolist())
    return out


def test_data_loading_order_matches_torch():
    from torch.utils import data as torch_data

    from netgrad.utils import data as ng_data

    assert _loaders(ng, ng_data) == _loaders(torch, torch_data)
