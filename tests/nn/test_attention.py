"""F.scaled_dot_product_attention and nn.MultiheadAttention against torch: outputs, attention
weights and every input and parameter gradient with identical weights (loaded by name), masks
(causal, key padding, bool and float, 2-D and 3-D), batch_first both ways, kdim/vdim,
add_bias_kv/add_zero_attn, unbatched input, grouped-query attention, reprs, initialisation,
errors, float64 gradcheck and double backward; F.gelu(approximate='tanh')."""

import inspect

import numpy as np
import pytest
import torch

import netgrad as ng
import netgrad.nn.functional as F
from netgrad.testing import gradcheck, gradgradcheck
from attention_check import arr, backward_both, both, check_params, close, pair

TF = torch.nn.functional


# --------------------------------------------------------------------------- SDPA


def _mask_cases():
    L, S = 4, 5
    rng = np.random.default_rng(3)
    bool_mask = rng.random((L, S)) > 0.3
    bool_mask[:, 0] = True
    float_mask = rng.normal(size=(2, 1, L, S))
    float_mask[..., 2] = -np.inf
    dead = bool_mask.copy()
    dead[1] = False  # a query with no key: zeros, as torch's safe softmax
    return [dict(), dict(is_causal=True), dict(attn_mask=bool_mask), dict(attn_mask=float_mask),
            dict(attn_mask=dead), dict(scale=0.3), dict(attn_mask=bool_mask, scale=2.0)]


@pytest.mark.parametrize("case", range(7))
def test_sdpa_matches_torch(case):
    kw = _mask_cases()[case]
    tq, nq = both(arr(2, 3, 4, 6, seed=1))
    tk, nk = both(arr(2, 3, 5, 6, seed=2))
    tv, nv = both(arr(2, 3, 5, 7, seed=3))
    tkw, nkw = dict(kw), dict(kw)
    grads = []
    if "attn_mask" in kw:
        tkw["attn_mask"], nkw["attn_mask"] = both(kw["attn_mask"])
        if kw["attn_mask"].dtype != np.bool_:
            grads = [(tkw["attn_mask"], nkw["attn_mask"])]
    to = TF.scaled_dot_product_attention(tq, tk, tv, **tkw)
    no = F.scaled_dot_product_attention(nq, nk, nv, **nkw)
    close(no, to)
    backward_both([to], [no])
    for t, n in [(tq, nq), (tk, nk), (tv, nv)] + grads:
        close(n.grad, t.grad.nan_to_num(posinf=0, neginf=0))


def test_sdpa_gqa_and_3d_inputs():
    tq, nq = both(arr(2, 4, 3, 5, seed=1))
    tk, nk = both(arr(2, 2, 6, 5, seed=2))
    tv, nv = both(arr(2, 2, 6, 3, seed=3))
    to = TF.scaled_dot_product_attention(tq, tk, tv, enable_gqa=True, is_causal=True)
    no = F.scaled_dot_product_attention(nq, nk, nv, enable_gqa=True, is_causal=True)
    close(no, to)
    backward_both([to], [no])
    for t, n in [(tq, nq), (tk, nk), (tv, nv)]:
        close(n.grad, t.grad)
    q, k, v = (arr(3, 4, 2, seed=s) for s in (4, 5, 6))
    close(F.scaled_dot_product_attention(ng.tensor(q), ng.tensor(k), ng.tensor(v)),
           TF.scaled_dot_product_attention(torch.tensor(q), torch.tensor(k), torch.tensor(v)))


def test_sdpa_dropout_and_float32():
    q = ng.tensor(arr(2, 8, 4).astype(np.float32))
    _ = ng.manual_seed(0)
    a = F.scaled_dot_product_attention(q, q, q, dropout_p=0.5)
    b = F.scaled_dot_product_attention(q, q, q, dropout_p=0.5)
    c = F.scaled_dot_product_attention(q, q, q)
    assert a.dtype == ng.float32
    assert not np.allclose(a.numpy(), b.numpy()) and not np.allclose(a.numpy(), c.numpy())
    tq = torch.tensor(q.numpy())
    close(c, TF.scaled_dot_product_attention(tq, tq, tq), atol=1e-6)


def test_sdpa_gradcheck_and_double_backward():
    rng = np.random.default_rng(0)
    q, k, v = (ng.tensor(rng.normal(size=(1, 2, 3, 2)), requires_grad=True) for _ in range(3))
    m = ng.tensor(rng.normal(size=(3, 3)), requires_grad=True)
    assert gradcheck(lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, m), [q, k, v, m])
    assert gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
                     [q, k, v])
    assert gradgradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
                         [q, k, v])
    # second derivatives against torch's
    outs = []
    for lib, fn in ((torch, TF.scaled_dot_product_attention), (ng, F.scaled_dot_product_attention)):
        x = lib.tensor(arr(2, 3, 4, seed=9), requires_grad=True)
        y = (fn(x, x * 0.5, x, is_causal=True) ** 2).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (g * g).sum().backward()
        outs.append(x.grad.numpy())
    np.testing.assert_allclose(outs[1], outs[0], rtol=1e-8, atol=1e-10)


def test_sdpa_errors():
    q = ng.zeros(1, 2, 3)
    with pytest.raises(ValueError, match="scaled_dot_product_attention"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=ng.ones(2, 2, dtype=ng.bool),
                                       is_causal=True)
    with pytest.raises(Exception, match="scaled_dot_product_attention"):
        F.scaled_dot_product_attention(q, ng.zeros(1, 2, 4), q)


def test_gelu_tanh_matches_torch():
    x = arr(7)
    tx, nx = both(x)
    to, no = TF.gelu(tx, approximate="tanh"), F.gelu(nx, approximate="tanh")
    close(no, to)
    backward_both([to], [no])
    close(nx.grad, tx.grad)


# --------------------------------------------------------------------------- MultiheadAttention


def _mha_inputs(batch_first, L=4, S=5, N=3, E=8, kdim=None, vdim=None, self_attn=False):
    def shape(n, e):
        return (N, n, e) if batch_first else (n, N, e)
    q = arr(*shape(L, E), seed=11)
    if self_attn:
        return [q, q, q]
    return [q, arr(*shape(S, kdim or E), seed=12), arr(*shape(S, vdim or E), seed=13)]


MHA_CASES = [
    dict(),
    dict(need_weights=False),
    dict(average_attn_weights=False),
    dict(key_padding_mask="bool"),
    dict(key_padding_mask="float", need_weights=False),
    dict(attn_mask="bool"),
    dict(attn_mask="float3d", key_padding_mask="bool"),
    dict(attn_mask="causal", is_causal=True, need_weights=False, self_attn=True),
    dict(attn_mask="causal", self_attn=True, key_padding_mask="bool"),
    dict(ctor=dict(kdim=6, vdim=3)),
    dict(ctor=dict(add_bias_kv=True, add_zero_attn=True), key_padding_mask="bool",
         attn_mask="bool"),
    dict(ctor=dict(bias=False), average_attn_weights=False),
]


def _masks(case, N, L, S, H, self_attn):
    rng = np.random.default_rng(4)
    out = {}
    kpm = rng.random((N, S)) < 0.3
    kpm[:, 0] = False
    if case.get("key_padding_mask") == "bool":
        out["key_padding_mask"] = kpm
    elif case.get("key_padding_mask") == "float":
        out["key_padding_mask"] = np.where(kpm, -1e9, rng.normal(size=(N, S)))
    am = case.get("attn_mask")
    if am == "bool":
        m = rng.random((L, S)) < 0.3
        m[:, 1] = False
        out["attn_mask"] = m
    elif am == "float3d":
        out["attn_mask"] = rng.normal(size=(N * H, L, S))
    elif am == "causal":
        out["attn_mask"] = np.triu(np.full((L, L), -np.inf), 1)
    return out


@pytest.mark.filterwarnings("ignore:Support for mismatched")
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("case", range(len(MHA_CASES)))
def test_multihead_attention_matches_torch(case, batch_first):
    c = dict(MHA_CASES[case])
    ctor = c.pop("ctor", {})
    self_attn = c.pop("self_attn", False)
    L, S, N, E, H = 4, 5, 3, 8, 2
    if self_attn:
        S = L
    tm, nm = pair("MultiheadAttention", E, H, batch_first=batch_first, **ctor)
    arrays = _mha_inputs(batch_first, L, S, N, E, ctor.get("kdim"), ctor.get("vdim"), self_attn)
    if self_attn:
        tx, nx = both(arrays[0])
        tin, nin = [tx] * 3, [nx] * 3
    else:
        pairs = [both(a) for a in arrays]
        tin, nin = [p[0] for p in pairs], [p[1] for p in pairs]
    masks = _masks(c, N, L, S, H, self_attn)
    kw = {k: v for k, v in c.items() if k not in masks and k not in ("key_padding_mask", "attn_mask")}
    tkw = dict(kw, **{k: torch.tensor(v) for k, v in masks.items()})
    nkw = dict(kw, **{k: ng.tensor(v) for k, v in masks.items()})
    to, tw = tm(*tin, **tkw)
    no, nw = nm(*nin, **nkw)
    close(no, to)
    assert (nw is None) == (tw is None)
    outs_t, outs_n = [to], [no]
    if tw is not None:
        close(nw, tw)
        outs_t.append(tw)
        outs_n.append(nw)
    backward_both(outs_t, outs_n)
    for t, n in zip(tin, nin):
        close(n.grad, t.grad, 1e-9)
    check_params(tm, nm)


def test_multihead_attention_unbatched_and_dropout():
    tm, nm = pair("MultiheadAttention", 6, 3, dropout=0.2)  # eval(): dropout off
    q, k = arr(4, 6, seed=1), arr(5, 6, seed=2)
    kpm = np.array([False, False, True, False, True])
    (tq, nq), (tk, nk) = both(q), both(k)
    to, tw = tm(tq, tk, tk, key_padding_mask=torch.tensor(kpm))
    no, nw = nm(nq, nk, nk, key_padding_mask=ng.tensor(kpm))
    assert no.shape == (4, 6) and nw.shape == (4, 5)
    close(no, to)
    close(nw, tw)
    nm.train()
    _ = ng.manual_seed(1)
    a, b = nm(nq, nk, nk)[1], nm(nq, nk, nk)[1]
    assert not np.allclose(a.numpy(), b.numpy())  # dropout on the weights in training


def test_multihead_attention_init_and_names():
    _ = ng.manual_seed(0)
    m = ng.nn.MultiheadAttention(16, 4, kdim=8, vdim=8, add_bias_kv=True)
    names = [n for n, _ in m.named_parameters()]
    assert names == ["q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias", "bias_k",
                     "bias_v", "out_proj.weight", "out_proj.bias"]
    assert m.in_proj_weight is None and m.k_proj_weight.shape == (16, 8)
    assert not m.in_proj_bias.numpy().any() and not m.out_proj.bias.numpy().any()
    bound = np.sqrt(6 / (16 + 8))  # xavier_uniform of (16, 8)
    assert np.abs(m.k_proj_weight.numpy()).max() <= bound
    assert np.abs(m.k_proj_weight.numpy()).max() > 0.8 * bound
    big = ng.nn.MultiheadAttention(64, 4)
    w = big.in_proj_weight.numpy()
    assert w.shape == (192, 64)
    np.testing.assert_allclose(w.std(), np.sqrt(2 / (192 + 64)), rtol=0.05)


def test_multihead_attention_errors():
    with pytest.raises(ValueError, match="divisible"):
        ng.nn.MultiheadAttention(10, 3)
    m = ng.nn.MultiheadAttention(4, 2)
    x = ng.zeros(3, 2, 4)
    with pytest.raises(RuntimeError, match="Need attn_mask"):
        m(x, x, x, is_causal=True)
    with pytest.raises(RuntimeError, match="2D attn_mask"):
        m(x, x, x, attn_mask=ng.zeros(2, 2))
    with pytest.raises(Exception, match="embedding dimension"):
        m(ng.zeros(3, 2, 5), x, x)


def _param(p):
    """Name, kind and default (a function default, e.g. activation=F.relu, by its name)."""
    return p.name, p.kind, getattr(p.default, "__name__", p.default)


@pytest.mark.parametrize("name", ["LayerNorm", "RMSNorm", "GroupNorm", "InstanceNorm1d",
                                  "InstanceNorm2d", "InstanceNorm3d", "BatchNorm3d",
                                  "MultiheadAttention", "TransformerEncoderLayer",
                                  "TransformerDecoderLayer", "TransformerEncoder",
                                  "TransformerDecoder", "Transformer"])
def test_layer_signatures_are_torchs(name):
    for meth in ("__init__", "forward"):
        ours = inspect.signature(getattr(getattr(ng.nn, name), meth)).parameters
        theirs = inspect.signature(getattr(getattr(torch.nn, name), meth)).parameters
        assert [_param(p) for p in ours.values()] == [_param(p) for p in theirs.values()], \
            (name, meth)


@pytest.mark.parametrize("name", ["layer_norm", "rms_norm", "group_norm", "instance_norm",
                                  "normalize", "multi_head_attention_forward"])
def test_functional_signatures_are_torchs(name):
    ours = inspect.signature(getattr(F, name)).parameters
    theirs = inspect.signature(getattr(TF, name)).parameters
    assert [(p.name, p.kind) for p in ours.values()] == [(p.name, p.kind) for p in theirs.values()]


def test_sdpa_scale_and_gqa_are_keyword_only():
    q = ng.ones(1, 2, 3)
    with pytest.raises(TypeError):
        F.scaled_dot_product_attention(q, q, q, None, 0.0, False, 0.5)
    assert F.scaled_dot_product_attention(q, q, q, None, 0.0, False, scale=0.5).shape == (1, 2, 3)
