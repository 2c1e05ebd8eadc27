"""nn.RNN/LSTM/GRU, their cells and nn.utils.rnn against torch: outputs, final states and every
parameter's gradient with identical weights (loaded by name), packed sequences, dropout, reprs,
errors, float64 gradcheck and a small training run."""

import copy
import itertools
import warnings

import numpy as np
import pytest
import torch

import netgrad as ng
from netgrad.functional.recurrent import split_columns, unbind_steps
from netgrad.nn.utils import rnn as ngrnn
from netgrad.testing import gradcheck, gradgradcheck

TR = torch.nn.utils.rnn


def _pair(kind, *args, **kw):
    """A torch module in float64 and a netgrad one with the same weights, loaded by name."""
    torch.manual_seed(0)
    tm = getattr(torch.nn, kind)(*args, **kw).double()
    nm = getattr(ng.nn, kind)(*args, **kw, dtype=ng.float64)
    tsd, nsd = tm.state_dict(), nm.state_dict()
    assert list(tsd) == list(nsd)
    assert [tuple(v.shape) for v in tsd.values()] == [tuple(v.shape) for v in nsd.values()]
    nm.load_state_dict({k: v.numpy() for k, v in tsd.items()})
    return tm, nm


def _tensors(arrays, lib):
    mk = (lambda a: torch.tensor(a, requires_grad=True)) if lib is torch else \
        (lambda a: ng.tensor(a, requires_grad=True))
    return [mk(a) for a in arrays]


def _flat(out):
    """Every tensor of a layer's result, in order: output (or packed data), h_n, c_n."""
    if isinstance(out, (TR.PackedSequence, ngrnn.PackedSequence)):
        return [out.data]
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _flat(o)]
    return [out]


def _check(tm, nm, t_args, n_args, t_inputs, n_inputs, atol=1e-10):
    """Compare the results, then the gradients of a random weighting of them for the inputs and
    every parameter."""
    tout, nout = _flat(tm(*t_args)), _flat(nm(*n_args))
    assert len(tout) == len(nout)
    rng = np.random.default_rng(5)
    tl, nl = 0, 0
    for t, n in zip(tout, nout):
        assert tuple(t.shape) == tuple(n.shape)
        np.testing.assert_allclose(n.detach().numpy(), t.detach().numpy(), atol=atol, rtol=1e-9)
        w = rng.normal(size=tuple(t.shape))
        tl = tl + (t * torch.tensor(w)).sum()
        nl = nl + (n * ng.tensor(w)).sum()
    tl.backward()
    nl.backward()
    for t, n in zip(t_inputs, n_inputs):
        np.testing.assert_allclose(n.grad.numpy(), t.grad.numpy(), atol=atol, rtol=1e-9)
    nparams = dict(nm.named_parameters())
    for name, p in tm.named_parameters():
        np.testing.assert_allclose(nparams[name].grad.numpy(), p.grad.numpy(), atol=atol, rtol=1e-9,
                                   err_msg=name)


MODES = [("RNN", {"nonlinearity": "tanh"}), ("RNN", {"nonlinearity": "relu"}), ("LSTM", {}), ("GRU", {}),
         ("LSTM", {"proj_size": 2})]


@pytest.mark.parametrize("kind,extra", MODES, ids=["rnn_tanh", "rnn_relu", "lstm", "gru", "lstm_proj"])
@pytest.mark.parametrize("num_layers,bidirectional,batch_first,with_state",
                         list(itertools.product([1, 2], [False, True], [False, True], [False, True])))
def test_layers_match_torch(kind, extra, num_layers, bidirectional, batch_first, with_state):
    tm, nm = _pair(kind, 3, 4, num_layers=num_layers, bidirectional=bidirectional,
                   batch_first=batch_first, **extra)
    rng = np.random.default_rng(1)
    T, B, D = 5, 2, 2 if bidirectional else 1
    arrays = [rng.normal(size=(B, T, 3) if batch_first else (T, B, 3))]
    if with_state:
        arrays.append(rng.normal(size=(num_layers * D, B, extra.get("proj_size", 4))))
        if kind == "LSTM":
            arrays.append(rng.normal(size=(num_layers * D, B, 4)))
    ti, ni = _tensors(arrays, torch), _tensors(arrays, ng)

    def args(xs):
        if not with_state:
            return xs
        return [xs[0], tuple(xs[1:])] if kind == "LSTM" else xs

    _check(tm, nm, args(ti), args(ni), ti, ni)


@pytest.mark.parametrize("kind,extra", MODES, ids=["rnn_tanh", "rnn_relu", "lstm", "gru", "lstm_proj"])
@pytest.mark.parametrize("with_state", [False, True])
def test_unbatched_input_matches_torch(kind, extra, with_state):
    tm, nm = _pair(kind, 3, 4, num_layers=2, bidirectional=True, batch_first=True, **extra)
    rng = np.random.default_rng(2)
    arrays = [rng.normal(size=(6, 3))]
    if with_state:
        arrays.append(rng.normal(size=(4, extra.get("proj_size", 4))))
        if kind == "LSTM":
            arrays.append(rng.normal(size=(4, 4)))
    ti, ni = _tensors(arrays, torch), _tensors(arrays, ng)
    if with_state and kind == "LSTM":
        _check(tm, nm, [ti[0], tuple(ti[1:])], [ni[0], tuple(ni[1:])], ti, ni)
    else:
        _check(tm, nm, ti, ni, ti, ni)
    out, _ = nm(ni[0])
    assert out.shape == (6, 2 * extra.get("proj_size", 4))


@pytest.mark.parametrize("kind,extra", MODES, ids=["rnn_tanh", "rnn_relu", "lstm", "gru", "lstm_proj"])
@pytest.mark.parametrize("enforce_sorted,with_state", [(True, False), (False, False), (False, True)])
def test_packed_sequences_match_torch(kind, extra, enforce_sorted, with_state):
    tm, nm = _pair(kind, 3, 4, num_layers=2, bidirectional=True, **extra)
    rng = np.random.default_rng(3)
    lengths = [6, 4, 3, 1] if enforce_sorted else [3, 6, 1, 4]
    arrays = [rng.normal(size=(6, 4, 3))]
    if with_state:
        arrays.append(rng.normal(size=(4, 4, extra.get("proj_size", 4))))
        if kind == "LSTM":
            arrays.append(rng.normal(size=(4, 4, 4)))
    ti, ni = _tensors(arrays, torch), _tensors(arrays, ng)
    tp = TR.pack_padded_sequence(ti[0], torch.tensor(lengths), enforce_sorted=enforce_sorted)
    npk = ngrnn.pack_padded_sequence(ni[0], lengths, enforce_sorted=enforce_sorted)
    np.testing.assert_array_equal(npk.batch_sizes.numpy(), tp.batch_sizes.numpy())
    if not enforce_sorted:
        np.testing.assert_array_equal(npk.sorted_indices.numpy(), tp.sorted_indices.numpy())
        np.testing.assert_array_equal(npk.unsorted_indices.numpy(), tp.unsorted_indices.numpy())
    state_t = [tuple(ti[1:])] if kind == "LSTM" else ti[1:]
    state_n = [tuple(ni[1:])] if kind == "LSTM" else ni[1:]
    _check(tm, nm, [tp, *state_t] if with_state else [tp], [npk, *state_n] if with_state else [npk],
           ti, ni)
    # and the packed output pads back as torch's
    tpo, tlen = TR.pad_packed_sequence(tm(tp)[0], batch_first=True, padding_value=-1.0)
    npo, nlen = ngrnn.pad_packed_sequence(nm(npk)[0], batch_first=True, padding_value=-1.0)
    np.testing.assert_allclose(npo.detach().numpy(), tpo.detach().numpy(), atol=1e-12)
    np.testing.assert_array_equal(nlen.numpy(), tlen.numpy())


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_pad_and_pack_utilities_match_torch(batch_first, padding_side):
    rng = np.random.default_rng(4)
    arrays = [rng.normal(size=(n, 2, 3)) for n in (2, 5, 3)]
    ts, ns = _tensors(arrays, torch), _tensors(arrays, ng)
    tpad = TR.pad_sequence(ts, batch_first=batch_first, padding_value=7.0, padding_side=padding_side)
    npad = ngrnn.pad_sequence(ns, batch_first=batch_first, padding_value=7.0, padding_side=padding_side)
    np.testing.assert_array_equal(npad.detach().numpy(), tpad.detach().numpy())
    w = rng.normal(size=tuple(tpad.shape))
    (tpad * torch.tensor(w)).sum().backward()
    (npad * ng.tensor(w)).sum().backward()
    for t, n in zip(ts, ns):
        np.testing.assert_allclose(n.grad.numpy(), t.grad.numpy())
    # pack_sequence / pad_packed_sequence with total_length, and the round trips
    tpk, npk = TR.pack_sequence(ts, enforce_sorted=False), ngrnn.pack_sequence(ns, enforce_sorted=False)
    np.testing.assert_allclose(npk.data.detach().numpy(), tpk.data.detach().numpy())
    np.testing.assert_array_equal(npk.batch_sizes.numpy(), tpk.batch_sizes.numpy())
    tpo, tl = TR.pad_packed_sequence(tpk, batch_first=batch_first, total_length=7)
    npo, nl = ngrnn.pad_packed_sequence(npk, batch_first=batch_first, total_length=7)
    np.testing.assert_allclose(npo.detach().numpy(), tpo.detach().numpy())
    np.testing.assert_array_equal(nl.numpy(), tl.numpy())
    for a, n in zip(arrays, ngrnn.unpack_sequence(npk)):
        np.testing.assert_array_equal(n.detach().numpy(), a)
    for a, n in zip(arrays, ngrnn.unpad_sequence(npo, nl, batch_first=batch_first)):
        np.testing.assert_array_equal(n.detach().numpy(), a)


def test_packing_errors_as_torch():
    x = ng.zeros(4, 2, 3)
    with pytest.raises(RuntimeError, match="sorted in decreasing order"):
        ngrnn.pack_padded_sequence(x, [2, 4])
    with pytest.raises(RuntimeError, match="greater than 0"):
        ngrnn.pack_padded_sequence(x, [4, 0])
    with pytest.raises(ValueError, match="batch_size"):
        ngrnn.pack_padded_sequence(x, [4, 3, 2])
    packed = ngrnn.pack_padded_sequence(x, [4, 3])
    with pytest.raises(ValueError, match="total_length"):
        ngrnn.pad_packed_sequence(packed, total_length=3)
    assert packed.sorted_indices is None and packed.unsorted_indices is None
    assert packed.double().data.dtype == ng.float64 and not packed.is_cuda


@pytest.mark.parametrize("kind,extra", [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}),
                                        ("LSTMCell", {}), ("GRUCell", {}), ("GRUCell", {"bias": False})])
@pytest.mark.parametrize("batched,with_state", list(itertools.product([False, True], [False, True])))
def test_cells_match_torch(kind, extra, batched, with_state):
    tm, nm = _pair(kind, 3, 4, **extra)
    rng = np.random.default_rng(6)
    lead = (2,) if batched else ()
    arrays = [rng.normal(size=lead + (3,))]
    if with_state:
        arrays += [rng.normal(size=lead + (4,)) for _ in range(2 if kind == "LSTMCell" else 1)]
    ti, ni = _tensors(arrays, torch), _tensors(arrays, ng)
    if with_state and kind == "LSTMCell":
        _check(tm, nm, [ti[0], tuple(ti[1:])], [ni[0], tuple(ni[1:])], ti, ni)
    else:
        _check(tm, nm, ti, ni, ti, ni)


def test_dropout_between_layers():
    tm, nm = _pair("LSTM", 3, 4, num_layers=3, dropout=0.5)
    _, plain = _pair("LSTM", 3, 4, num_layers=3)
    x = ng.tensor(np.random.default_rng(7).normal(size=(5, 2, 3)))
    nm.eval()
    np.testing.assert_array_equal(nm(x)[0].numpy(), plain(x)[0].numpy())   # eval: no dropout
    nm.train()
    a, b = nm(x)[0].detach().numpy(), nm(x)[0].detach().numpy()
    assert not np.allclose(a, b)                                          # training: random masks
    # p = 1 drops every input of layers 2 and 3: deterministic, compare with torch
    tm1, nm1 = _pair("GRU", 3, 4, num_layers=2, dropout=1.0, bidirectional=True)
    xs = np.random.default_rng(8).normal(size=(5, 2, 3))
    ti, ni = _tensors([xs], torch), _tensors([xs], ng)
    _check(tm1, nm1, ti, ni, ti, ni)


def test_reprs_parameters_and_all_weights_as_torch():
    configs = [("RNN", (10, 20), {}), ("RNN", (10, 20, 2), {"nonlinearity": "relu", "bias": False}),
               ("LSTM", (10, 20), {"batch_first": True, "bidirectional": True, "proj_size": 5}),
               ("GRU", (10, 20, 3), {"dropout": 0.25}), ("RNNCell", (4, 5), {"nonlinearity": "relu"}),
               ("LSTMCell", (4, 5), {}), ("GRUCell", (4, 5), {"bias": False})]
    for kind, args, kw in configs:
        tm, nm = getattr(torch.nn, kind)(*args, **kw), getattr(ng.nn, kind)(*args, **kw)
        assert repr(nm) == repr(tm)
        assert [(n, tuple(p.shape)) for n, p in nm.named_parameters()] == \
            [(n, tuple(p.shape)) for n, p in tm.named_parameters()]
        if not kind.endswith("Cell"):
            assert [[tuple(p.shape) for p in ws] for ws in nm.all_weights] == \
                [[tuple(p.shape) for p in ws] for ws in tm.all_weights]
            assert nm._flat_weights_names == tm._flat_weights_names
            assert nm.flatten_parameters() is None
    # torch's initialisation: U(-1/sqrt(hidden), 1/sqrt(hidden)), parameters float32 by default
    ng.manual_seed(0)
    big = ng.nn.LSTM(30, 100)
    vals = np.concatenate([p.detach().numpy().ravel() for p in big.parameters()])
    assert big.weight_ih_l0.dtype == ng.float32
    assert vals.min() >= -0.1 and vals.max() <= 0.1 and vals.max() > 0.099 and abs(vals.mean()) < 0.01


def test_errors_as_torch():
    lstm = ng.nn.LSTM(3, 4, num_layers=2)
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size"):
        lstm(ng.zeros(5, 2, 2))
    with pytest.raises(ValueError, match="Expected input to be 2D or 3D"):
        lstm(ng.zeros(5, 2, 2, 3))
    with pytest.raises(RuntimeError, match="Expected hidden\\[0\\] size \\(2, 2, 4\\), got \\[1, 2, 4\\]"):
        lstm(ng.zeros(5, 2, 3), (ng.zeros(1, 2, 4), ng.zeros(2, 2, 4)))
    with pytest.raises(TypeError, match="expected hx as a tuple \\(h_0, c_0\\)"):
        lstm(ng.zeros(5, 2, 3), ng.zeros(2, 2, 4))
    with pytest.raises(ValueError, match="expected hx as a tuple of 2 tensors"):
        ng.nn.LSTMCell(3, 4)(ng.zeros(2, 3), ng.zeros(2, 4))
    with pytest.raises(RuntimeError, match="hx and cx should also be 3-D"):
        lstm(ng.zeros(5, 2, 3), (ng.zeros(2, 4), ng.zeros(2, 4)))
    with pytest.raises(RuntimeError, match="For unbatched 2-D input, hx should also be 2-D"):
        ng.nn.GRU(3, 4)(ng.zeros(5, 3), ng.zeros(1, 1, 4))
    with pytest.raises(ValueError, match="does not match weight dtype"):
        lstm(ng.zeros(5, 2, 3, dtype=ng.float64))
    with pytest.raises(ValueError, match="Unknown nonlinearity 'sigmoid'"):
        ng.nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="dropout should be a number in range"):
        ng.nn.GRU(3, 4, dropout=1.5)
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        ng.nn.LSTM(3, 4, proj_size=4)
    with pytest.raises(ValueError, match="hidden_size must be greater than zero"):
        ng.nn.RNN(3, 0)
    with pytest.raises(TypeError, match="batch_first should be of type bool"):
        ng.nn.RNN(3, 4, batch_first=1)
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        ng.nn.LSTM(3, 4, dropout=0.3)
    with pytest.raises(ValueError, match="Expected input to be 1D or 2D"):
        ng.nn.LSTMCell(3, 4)(ng.zeros(1, 2, 3))
    with pytest.raises(ValueError, match="inconsistent input_size"):
        ng.nn.GRUCell(3, 4)(ng.zeros(2, 5))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ng.nn.LSTM(3, 4, num_layers=2, dropout=0.3)


def test_gradcheck_float64_lstm_and_gru_inputs_states_and_weights():
    ng.manual_seed(0)
    rng = np.random.default_rng(9)
    lstm = ng.nn.LSTM(2, 3, bidirectional=True, proj_size=2, dtype=ng.float64)
    x = ng.tensor(rng.normal(size=(3, 2, 2)), requires_grad=True)
    h0 = ng.tensor(rng.normal(size=(2, 2, 2)), requires_grad=True)
    c0 = ng.tensor(rng.normal(size=(2, 2, 3)), requires_grad=True)
    # the parameters are perturbed in place by gradcheck, so the module sees each change
    assert gradcheck(lambda x, h0, c0, *ps: lstm(x, (h0, c0)), [x, h0, c0, *lstm.parameters()])
    gru = ng.nn.GRU(2, 3, num_layers=2, dtype=ng.float64)
    assert gradcheck(lambda x, *ps: gru(x), [x, *gru.parameters()])
    cell = ng.nn.GRUCell(2, 3, dtype=ng.float64)
    assert gradgradcheck(lambda x, h, w: cell(x, h), [x[0], h0[0, :, :1].expand(2, 3).clone(),
                                                      cell.weight_hh])


def test_double_backward_matches_torch():
    tm, nm = _pair("LSTM", 2, 3, num_layers=2)
    xs = np.random.default_rng(10).normal(size=(4, 2, 2))
    (tx,), (nx,) = _tensors([xs], torch), _tensors([xs], ng)
    (tg,) = torch.autograd.grad(tm(tx)[0].pow(2).sum(), tx, create_graph=True)
    (ngr,) = ng.autograd.grad(nm(nx)[0].pow(2).sum(), nx, create_graph=True)
    np.testing.assert_allclose(ngr.detach().numpy(), tg.detach().numpy(), atol=1e-12)
    tg.pow(2).sum().backward()
    ngr.pow(2).sum().backward()
    np.testing.assert_allclose(nx.grad.numpy(), tx.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(nm.weight_hh_l1.grad.numpy(), tm.weight_hh_l1.grad.numpy(), atol=1e-10)


def test_slicing_helpers_gradients_and_double_backward():
    x = ng.tensor(np.random.default_rng(11).normal(size=(3, 2, 5)), requires_grad=True)
    assert gradcheck(lambda x: unbind_steps(x)[0] * unbind_steps(x)[2], [x])
    assert gradcheck(lambda x: split_columns(x, (2, 3))[1].exp(), [x])
    assert gradgradcheck(lambda x: split_columns(unbind_steps(x)[1], (4, 1))[0] ** 3, [x])
    a, b = split_columns(x, (1, 4))
    np.testing.assert_array_equal(b.numpy(), x.numpy()[..., 1:])
    with pytest.raises(ng.autograd.ShapeError, match="split_columns"):
        split_columns(x, (2, 2))


def test_lstm_learns_to_remember_the_first_step():
    """The target is the sign of the first input of the sequence: the state must carry it."""
    ng.manual_seed(0)

    class Net(ng.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = ng.nn.LSTM(1, 8, batch_first=True)
            self.out = ng.nn.Linear(8, 1)

        def forward(self, x):
            _, (h, _) = self.lstm(x)
            return self.out(h[-1]).squeeze(-1)

    net = Net()
    opt = ng.optim.Adam(net.parameters(), lr=0.05)
    rng = np.random.default_rng(12)
    for _ in range(150):
        x = rng.choice([-1.0, 1.0], size=(32, 6, 1)).astype(np.float32)
        loss = ng.nn.functional.binary_cross_entropy_with_logits(
            net(ng.tensor(x)), ng.tensor((x[:, 0, 0] > 0).astype(np.float32)))
        opt.zero_grad()
        loss.backward()
        opt.step()
    x = rng.choice([-1.0, 1.0], size=(256, 6, 1)).astype(np.float32)
    with ng.no_grad():
        pred = net(ng.tensor(x)).numpy() > 0
    assert (pred == (x[:, 0, 0] > 0)).mean() > 0.97


def test_float32_default_dtype_copy_and_conversion():
    torch.manual_seed(1)
    tm = torch.nn.GRU(3, 5, num_layers=2, bidirectional=True)
    nm = ng.nn.GRU(3, 5, num_layers=2, bidirectional=True)
    nm.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    x = np.random.default_rng(13).normal(size=(4, 2, 3)).astype(np.float32)
    out, h = nm(ng.tensor(x))
    tout, th = tm(torch.tensor(x))
    assert out.dtype == h.dtype == ng.float32
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(h.numpy(), th.detach().numpy(), atol=1e-6)
    twin = copy.deepcopy(nm)
    np.testing.assert_array_equal(twin(ng.tensor(x))[0].numpy(), out.numpy())
    nm.double()
    assert all(p.dtype == ng.float64 for ws in nm.all_weights for p in ws)
    np.testing.assert_allclose(nm(ng.tensor(x.astype(np.float64)))[0].numpy(), out.numpy(), atol=1e-6)
