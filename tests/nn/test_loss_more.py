"""netgrad.functional.loss_more / distance and their nn modules against torch: values in float32
and float64 for every reduction, gradients, double backward, gradcheck, reprs, init and errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import netgrad as ng
import netgrad.nn as nn
import netgrad.nn.functional as F
from netgrad.testing import gradcheck
from tests.torch_ref import compare_with_torch

RED = ["mean", "sum", "none"]


def _data(seed=0):
    r = np.random.default_rng(seed)
    n, c = 5, 4
    return {
        "a": r.standard_normal((n, c)), "b": r.standard_normal((n, c)), "d": r.standard_normal((n, c)),
        "s1": r.standard_normal(n), "s2": r.standard_normal(n),
        "pm": np.where(r.random(n) < 0.5, -1.0, 1.0),
        "pmc": np.where(r.random((n, c)) < 0.5, -1.0, 1.0),
        "bin": (r.random((n, c)) < 0.5).astype(np.float64),
        "cls": r.integers(0, c, n), "w": r.random(c) + 0.5,
        "counts": r.poisson(2.0, (n, c)).astype(np.float64),
        "pos": r.random((n, c)) + 0.2,
        "ml": np.array([[3, 0, -1, 1], [1, 2, 3, -1], [0, -1, 2, 2], [2, 2, -1, 0], [-1, 0, 1, 2]]),
    }


# name -> (netgrad fn, torch fn, input keys, which are differentiable)
def _cases(red):
    return {
        "cosine_embedding": (lambda a, b, y: F.cosine_embedding_loss(a, b, y, 0.2, reduction=red),
                             lambda a, b, y: TF.cosine_embedding_loss(a, b, y, 0.2, reduction=red),
                             ["a", "b", "pm"], [True, True, False]),
        "margin_ranking": (lambda a, b, y: F.margin_ranking_loss(a, b, y, 0.3, reduction=red),
                           lambda a, b, y: TF.margin_ranking_loss(a, b, y, 0.3, reduction=red),
                           ["s1", "s2", "pm"], [True, True, False]),
        "hinge_embedding": (lambda x, y: F.hinge_embedding_loss(x, y, 0.8, reduction=red),
                            lambda x, y: TF.hinge_embedding_loss(x, y, 0.8, reduction=red),
                            ["a", "pmc"], [True, False]),
        "triplet": (lambda a, p, n: F.triplet_margin_loss(a, p, n, 1.5, reduction=red),
                    lambda a, p, n: TF.triplet_margin_loss(a, p, n, 1.5, reduction=red),
                    ["a", "b", "d"], [True, True, True]),
        "triplet_p1_swap": (
            lambda a, p, n: F.triplet_margin_loss(a, p, n, 1.5, p=1, swap=True, reduction=red),
            lambda a, p, n: TF.triplet_margin_loss(a, p, n, 1.5, p=1, swap=True, reduction=red),
            ["a", "b", "d"], [True, True, True]),
        "triplet_distance": (
            lambda a, p, n: F.triplet_margin_with_distance_loss(
                a, p, n, distance_function=lambda u, v: 1 - F.cosine_similarity(u, v), margin=0.5,
                swap=True, reduction=red),
            lambda a, p, n: TF.triplet_margin_with_distance_loss(
                a, p, n, distance_function=lambda u, v: 1 - TF.cosine_similarity(u, v), margin=0.5,
                swap=True, reduction=red),
            ["a", "b", "d"], [True, True, True]),
        "triplet_distance_default": (
            lambda a, p, n: F.triplet_margin_with_distance_loss(a, p, n, margin=2.0, reduction=red),
            lambda a, p, n: TF.triplet_margin_with_distance_loss(a, p, n, margin=2.0, reduction=red),
            ["a", "b", "d"], [True, True, True]),
        "poisson_log": (lambda x, y: F.poisson_nll_loss(x, y, reduction=red),
                        lambda x, y: TF.poisson_nll_loss(x, y, reduction=red),
                        ["a", "counts"], [True, False]),
        "poisson_full": (lambda x, y: F.poisson_nll_loss(x, y, log_input=False, full=True, reduction=red),
                         lambda x, y: TF.poisson_nll_loss(x, y, log_input=False, full=True, reduction=red),
                         ["pos", "counts"], [True, False]),
        "gaussian": (lambda x, y, v: F.gaussian_nll_loss(x, y, v, reduction=red),
                     lambda x, y, v: TF.gaussian_nll_loss(x, y, v, reduction=red),
                     ["a", "b", "pos"], [True, True, True]),
        "gaussian_full_vec": (lambda x, y, v: F.gaussian_nll_loss(x, y, v[:, 0], full=True, reduction=red),
                              lambda x, y, v: TF.gaussian_nll_loss(x, y, v[:, 0], full=True, reduction=red),
                              ["a", "b", "pos"], [True, True, True]),
        "soft_margin": (lambda x, y: F.soft_margin_loss(x, y, reduction=red),
                        lambda x, y: TF.soft_margin_loss(x, y, reduction=red), ["a", "pmc"], [True, False]),
        "multilabel_soft_margin": (
            lambda x, y, w: F.multilabel_soft_margin_loss(x, y, w, reduction=red),
            lambda x, y, w: TF.multilabel_soft_margin_loss(x, y, w, reduction=red),
            ["a", "bin", "w"], [True, False, False]),
        "multi_margin": (lambda x, y: F.multi_margin_loss(x, y, reduction=red),
                         lambda x, y: TF.multi_margin_loss(x, y, reduction=red), ["a", "cls"], [True, False]),
        "multi_margin_p2_w": (
            lambda x, y, w: F.multi_margin_loss(x, y, p=2, margin=0.7, weight=w, reduction=red),
            lambda x, y, w: TF.multi_margin_loss(x, y, p=2, margin=0.7, weight=w, reduction=red),
            ["a", "cls", "w"], [True, False, False]),
        "multilabel_margin": (lambda x, y: F.multilabel_margin_loss(x, y, reduction=red),
                              lambda x, y: TF.multilabel_margin_loss(x, y, reduction=red),
                              ["a", "ml"], [True, False]),
    }


NAMES = list(_cases("mean"))
NO_TORCH_DOUBLE = {"multilabel_margin", "multi_margin", "multi_margin_p2_w"}  # torch: not implemented


def _inputs(keys, dtype):
    d = _data()
    return [d[k].astype(dtype) if d[k].dtype.kind == "f" else d[k] for k in keys]


@pytest.mark.parametrize("red", RED)
@pytest.mark.parametrize("dtype,atol", [(np.float32, 1e-5), (np.float64, 1e-10)])
@pytest.mark.parametrize("name", NAMES)
def test_loss_matches_torch(name, dtype, atol, red):
    fn, tfn, keys, rg = _cases(red)[name]
    compare_with_torch(fn, tfn, _inputs(keys, dtype), requires_grad=rg, atol=atol, rtol=atol * 10)


@pytest.mark.parametrize("name", [n for n in NAMES if n not in NO_TORCH_DOUBLE])
def test_loss_double_backward_matches_torch(name):
    fn, tfn, keys, rg = _cases("sum")[name]
    compare_with_torch(fn, tfn, _inputs(keys, np.float64), requires_grad=rg, atol=1e-9, rtol=1e-7,
                       double_backward=True)


@pytest.mark.parametrize("name", NAMES)
def test_loss_gradcheck(name):
    fn, _, keys, rg = _cases("mean")[name]
    args = [ng.tensor(a, requires_grad=f) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else
            ng.tensor(a) for a, f in zip(_inputs(keys, np.float64), rg)]
    assert gradcheck(fn, args)


def test_unbatched_and_legacy_reduction():
    d = _data()
    compare_with_torch(F.multi_margin_loss, TF.multi_margin_loss, [d["a"][0], d["cls"][:1]],
                       requires_grad=[True, False])
    compare_with_torch(F.multilabel_margin_loss, TF.multilabel_margin_loss, [d["a"][0], d["ml"][0]],
                       requires_grad=[True, False])
    compare_with_torch(F.cosine_embedding_loss, TF.cosine_embedding_loss,
                       [d["a"][0], d["b"][0], np.array(-1.0)], requires_grad=[True, True, False])
    with pytest.warns(UserWarning, match="reduction='sum'"):
        v = F.soft_margin_loss(ng.tensor(d["a"]), ng.tensor(d["pmc"]), size_average=False)
    assert v.item() == pytest.approx(TF.soft_margin_loss(torch.tensor(d["a"]), torch.tensor(d["pmc"]),
                                                          reduction="sum").item())


DIST = [
    ("cosine_similarity", F.cosine_similarity, TF.cosine_similarity, ["a", "b"]),
    ("cosine_similarity_dim0", lambda a, b: F.cosine_similarity(a, b[:1], dim=0, eps=1e-3),
     lambda a, b: TF.cosine_similarity(a, b[:1], dim=0, eps=1e-3), ["a", "b"]),
    ("pairwise_distance", F.pairwise_distance, TF.pairwise_distance, ["a", "b"]),
    ("pairwise_distance_p3_keepdim", lambda a, b: F.pairwise_distance(a, b, 3, keepdim=True),
     lambda a, b: TF.pairwise_distance(a, b, 3, keepdim=True), ["a", "b"]),
    ("pairwise_distance_p1", lambda a, b: F.pairwise_distance(a, b, 1),
     lambda a, b: TF.pairwise_distance(a, b, 1), ["a", "b"]),
    ("pdist", F.pdist, TF.pdist, ["a"]),
    ("pdist_p1.5", lambda a: F.pdist(a, 1.5), lambda a: TF.pdist(a, 1.5), ["a"]),
    ("bilinear", lambda a, b, w: F.bilinear(a, b, w[:4].reshape(1, 4, 4)),
     lambda a, b, w: TF.bilinear(a, b, w[:4].reshape(1, 4, 4)), ["a", "b", "d"]),
]


@pytest.mark.parametrize("dtype,atol", [(np.float32, 1e-5), (np.float64, 1e-10)])
@pytest.mark.parametrize("name,fn,tfn,keys", DIST, ids=[c[0] for c in DIST])
def test_distance_matches_torch(name, fn, tfn, keys, dtype, atol):
    compare_with_torch(fn, tfn, _inputs(keys, dtype), atol=atol, rtol=atol * 10)
    if not name.startswith("pdist"):  # torch: derivative for _pdist_backward is not implemented
        compare_with_torch(fn, tfn, _inputs(keys, np.float64), atol=1e-9, rtol=1e-7, double_backward=True)
    assert gradcheck(fn, [ng.tensor(a, requires_grad=True) for a in _inputs(keys, np.float64)])


def test_cosine_similarity_zero_vector_and_broadcast():
    d = _data()
    compare_with_torch(F.cosine_similarity, TF.cosine_similarity, [np.zeros((2, 4)), d["a"][:2]])
    compare_with_torch(lambda a, b: F.cosine_similarity(a, b, -1),
                       lambda a, b: TF.cosine_similarity(a, b, -1), [d["a"][:, None, :], d["b"][None, :3, :]])


def test_bilinear_module_init_state_dict_and_grads():
    ng.manual_seed(0)
    m, tm = nn.Bilinear(3, 4, 2), torch.nn.Bilinear(3, 4, 2)
    assert repr(m) == repr(tm) == "Bilinear(in1_features=3, in2_features=4, out_features=2, bias=True)"
    assert m.weight.shape == tuple(tm.weight.shape) and m.bias.shape == tuple(tm.bias.shape)
    w = m.weight.numpy()
    assert np.abs(w).max() <= 1 / np.sqrt(3) and w.std() > 0.1
    m.load_state_dict({k: ng.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    r = np.random.default_rng(1)
    x1, x2 = r.standard_normal((5, 3)).astype(np.float32), r.standard_normal((5, 4)).astype(np.float32)
    y, ty = m(ng.tensor(x1), ng.tensor(x2)), tm(torch.from_numpy(x1), torch.from_numpy(x2))
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-5, atol=1e-6)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    np.testing.assert_allclose(m.weight.grad.numpy(), tm.weight.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(m.bias.grad.numpy(), tm.bias.grad.numpy(), rtol=1e-4, atol=1e-5)
    assert nn.Bilinear(3, 4, 2, bias=False).bias is None


MODULES = [
    (lambda m: m.CosineSimilarity(), "CosineSimilarity()"),
    (lambda m: m.PairwiseDistance(), "PairwiseDistance()"),
    (lambda m: m.CosineEmbeddingLoss(0.1), "CosineEmbeddingLoss()"),
    (lambda m: m.MarginRankingLoss(), "MarginRankingLoss()"),
    (lambda m: m.HingeEmbeddingLoss(), "HingeEmbeddingLoss()"),
    (lambda m: m.TripletMarginLoss(), "TripletMarginLoss()"),
    (lambda m: m.TripletMarginWithDistanceLoss(),
     "TripletMarginWithDistanceLoss(\n  (distance_function): PairwiseDistance()\n)"),
    (lambda m: m.PoissonNLLLoss(), "PoissonNLLLoss()"),
    (lambda m: m.GaussianNLLLoss(), "GaussianNLLLoss()"),
    (lambda m: m.SoftMarginLoss(), "SoftMarginLoss()"),
    (lambda m: m.MultiLabelSoftMarginLoss(), "MultiLabelSoftMarginLoss()"),
    (lambda m: m.MultiMarginLoss(), "MultiMarginLoss()"),
    (lambda m: m.MultiLabelMarginLoss(), "MultiLabelMarginLoss()"),
]


@pytest.mark.parametrize("make,text", MODULES, ids=[t.split("(")[0] for _, t in MODULES])
def test_module_reprs_match_torch(make, text):
    assert repr(make(nn)) == repr(make(torch.nn)) == text


def test_loss_modules_match_torch():
    d = _data()
    pairs = [
        (lambda m: m.CosineEmbeddingLoss(0.1, reduction="sum"), ["a", "b", "pm"]),
        (lambda m: m.MarginRankingLoss(0.2), ["s1", "s2", "pm"]),
        (lambda m: m.HingeEmbeddingLoss(reduction="none"), ["a", "pmc"]),
        (lambda m: m.TripletMarginLoss(0.5, p=1.0, swap=True), ["a", "b", "d"]),
        (lambda m: m.TripletMarginWithDistanceLoss(margin=0.5), ["a", "b", "d"]),
        (lambda m: m.PoissonNLLLoss(log_input=False, full=True), ["pos", "counts"]),
        (lambda m: m.GaussianNLLLoss(full=True), ["a", "b", "pos"]),
        (lambda m: m.SoftMarginLoss(), ["a", "pmc"]),
        (lambda m: m.MultiLabelSoftMarginLoss(reduction="sum"), ["a", "bin"]),
        (lambda m: m.MultiMarginLoss(p=2), ["a", "cls"]),
        (lambda m: m.MultiLabelMarginLoss(), ["a", "ml"]),
        (lambda m: m.CosineSimilarity(0), ["a", "b"]),
        (lambda m: m.PairwiseDistance(1.0, keepdim=True), ["a", "b"]),
    ]
    for make, keys in pairs:
        y = make(nn)(*[ng.tensor(d[k]) for k in keys])
        ty = make(torch.nn)(*[torch.tensor(d[k]) for k in keys])
        np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-10, atol=1e-12)
    w = np.array([1.0, 2.0, 0.5, 1.0])
    m, tm = nn.MultiMarginLoss(weight=ng.tensor(w)), torch.nn.MultiMarginLoss(weight=torch.tensor(w))
    assert list(m.state_dict()) == list(tm.state_dict()) == ["weight"]
    np.testing.assert_allclose(m(ng.tensor(d["a"]), ng.tensor(d["cls"])).item(),
                               tm(torch.tensor(d["a"]), torch.tensor(d["cls"])).item(), rtol=1e-12)


def test_errors():
    x = ng.zeros(3, 4)
    with pytest.raises(ValueError, match="only p == 1 and p == 2 supported"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(ValueError, match="only p == 1 and p == 2 supported"):
        F.multi_margin_loss(x, ng.tensor([0, 1, 2]), p=3)
    with pytest.raises(ValueError, match="expected margin to be greater than 0"):
        nn.TripletMarginWithDistanceLoss(margin=0.0)
    with pytest.raises(ValueError, match="var is of incorrect size"):
        F.gaussian_nll_loss(x, x, ng.ones(2))
    with pytest.raises(ValueError, match="var has negative"):
        F.gaussian_nll_loss(x, x, -ng.ones(3, 4))
    with pytest.raises(RuntimeError, match="1D target tensor expects 2D input"):
        F.cosine_embedding_loss(ng.zeros(3), ng.zeros(3), ng.ones(3))
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        F.triplet_margin_loss(x, x, ng.zeros(4))
    with pytest.raises(RuntimeError, match="pdist only supports 2D"):
        F.pdist(ng.zeros(3))
    with pytest.raises(RuntimeError, match="input1 size does not match"):
        F.bilinear(ng.zeros(2, 3), ng.zeros(2, 4), ng.zeros(1, 2, 4))
    with pytest.raises(ValueError, match="reduction"):
        F.soft_margin_loss(x, x, reduction="avg")
    with pytest.raises(ValueError, match="reduction"):
        nn.MarginRankingLoss(reduction="avg")


def _ctc_case():
    r = np.random.default_rng(3)
    x = r.standard_normal((8, 3, 5))
    tg = np.array([[1, 2, 2, 0], [3, 3, 0, 0], [4, 1, 2, 3]])
    return x, tg, np.array([8, 6, 7]), np.array([3, 2, 4])


def _ctc_pair(tg, il, tl, **kw):
    # torch's log_probs gradient is the partial derivative plus exp(log_probs); the two agree
    # through log_softmax, so both are compared as functions of the logits
    return (lambda x: F.ctc_loss(F.log_softmax(x, 2), tg, il, tl, **kw),
            lambda x: TF.ctc_loss(TF.log_softmax(x, 2), torch.tensor(tg), torch.tensor(il),
                                  torch.tensor(tl), **kw))


@pytest.mark.parametrize("red", RED)
@pytest.mark.parametrize("dtype,atol", [(np.float32, 1e-5), (np.float64, 1e-10)])
def test_ctc_loss_matches_torch(red, dtype, atol):
    x, tg, il, tl = _ctc_case()
    fn, tfn = _ctc_pair(tg, il, tl, reduction=red)
    compare_with_torch(fn, tfn, [x.astype(dtype)], atol=atol, rtol=atol * 10)


def test_ctc_loss_target_forms_blank_empty_impossible_unbatched():
    x, tg, il, tl = _ctc_case()
    concat = np.concatenate([tg[i, :tl[i]] for i in range(3)])
    concat = np.where(concat == 4, 0, concat)
    compare_with_torch(*_ctc_pair(concat, il, tl, blank=4), [x])
    compare_with_torch(*_ctc_pair(tg, il, np.array([0, 2, 4]), reduction="none"), [x])
    short = np.array([2, 6, 7])  # 2 frames cannot emit 3 labels: an infinite loss
    compare_with_torch(*_ctc_pair(tg, short, tl, reduction="none", zero_infinity=True), [x])
    inf = F.ctc_loss(F.log_softmax(ng.tensor(x), 2), tg, short, tl, reduction="none")
    assert np.isinf(inf.numpy()[0]) and np.isfinite(inf.numpy()[1:]).all()
    compare_with_torch(lambda x: F.ctc_loss(F.log_softmax(x[:, 0], 1), tg[0, :3], 8, 3),
                       lambda x: TF.ctc_loss(TF.log_softmax(x[:, 0], 1), torch.tensor(tg[0, :3]),
                                             torch.tensor(8), torch.tensor(3)), [x])
    lp = ng.tensor(x).log_softmax(2).detach().requires_grad_()
    assert gradcheck(lambda lp: F.ctc_loss(lp, tg, il, tl), [lp])
    m, tm = nn.CTCLoss(blank=0, reduction="sum"), torch.nn.CTCLoss(blank=0, reduction="sum")
    assert repr(m) == repr(tm) == "CTCLoss()"
    np.testing.assert_allclose(
        m(ng.tensor(x).log_softmax(2), ng.tensor(tg), ng.tensor(il), ng.tensor(tl)).item(),
        tm(torch.tensor(x).log_softmax(2), torch.tensor(tg), torch.tensor(il), torch.tensor(tl)).item(),
        rtol=1e-12)
    with pytest.raises(ValueError, match="input_lengths"):
        F.ctc_loss(ng.tensor(x), tg, [9, 1, 1], tl)
