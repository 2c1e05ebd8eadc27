"""nn.TransformerEncoderLayer/DecoderLayer/Encoder/Decoder/Transformer against torch (identical
weights loaded by name; outputs and every input and parameter gradient; causal, key padding, bool
and float masks; batch_first and norm_first both ways), initialisation, errors, and a tiny causal
transformer (nanoGPT's shape) that learns to copy a sequence."""

import numpy as np
import pytest
import torch

import netgrad as ng
import netgrad.nn.functional as F
from attention_check import arr, backward_both, both, check_params, close, pair


# --------------------------------------------------------------------------- Transformer layers


def _seq(batch_first, T, N=2, E=8, seed=0):
    return arr(*((N, T, E) if batch_first else (T, N, E)), seed=seed)


def _run_pair(tm, nm, arrays, tkw, nkw):
    pairs = [both(a) for a in arrays]
    to = tm(*[p[0] for p in pairs], **tkw)
    no = nm(*[p[1] for p in pairs], **nkw)
    close(no, to)
    backward_both([to], [no])
    for t, n in pairs:
        close(n.grad, t.grad, 1e-9)
    check_params(tm, nm)


def _kw(**masks):
    """The same masks for torch and netgrad (None left out)."""
    masks = {k: v for k, v in masks.items() if v is not None}
    return ({k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in masks.items()},
            {k: ng.tensor(v) if isinstance(v, np.ndarray) else v for k, v in masks.items()})


@pytest.mark.filterwarnings("ignore:Support for mismatched")
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_encoder_layer_matches_torch(batch_first, norm_first, activation):
    tm, nm = pair("TransformerEncoderLayer", 8, 2, 16, dropout=0.1, activation=activation,
                   batch_first=batch_first, norm_first=norm_first)
    T = 5
    kpm = np.zeros((2, T), bool)
    kpm[1, 3:] = True
    causal = np.triu(np.full((T, T), -np.inf), 1)
    tkw, nkw = _kw(src_mask=causal, src_key_padding_mask=kpm)
    _run_pair(tm, nm, [_seq(batch_first, T)], tkw, nkw)


@pytest.mark.filterwarnings("ignore:Support for mismatched")
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_matches_torch(batch_first, norm_first):
    tm, nm = pair("TransformerDecoderLayer", 8, 4, 12, dropout=0.0, batch_first=batch_first,
                   norm_first=norm_first, layer_norm_eps=1e-4)
    T, S = 4, 6
    mkpm = np.zeros((2, S), bool)
    mkpm[0, 4:] = True
    tgt_mask = np.triu(np.ones((T, T), bool), 1)  # bool: True = masked
    tkw, nkw = _kw(tgt_mask=tgt_mask, memory_key_padding_mask=mkpm, tgt_is_causal=True)
    _run_pair(tm, nm, [_seq(batch_first, T, seed=1), _seq(batch_first, S, seed=2)], tkw, nkw)


def test_callable_activation_and_no_bias():
    tm, nm = pair("TransformerEncoderLayer", 8, 2, 16, dropout=0.0, bias=False)
    tm.activation, nm.activation = torch.nn.GELU(approximate="tanh"), ng.nn.GELU(approximate="tanh")
    assert repr(nm) == repr(tm) and "(activation): GELU(approximate='tanh')" in repr(nm)
    _run_pair(tm, nm, [_seq(False, 4)], {}, {})
    with pytest.raises(RuntimeError, match="relu/gelu"):
        ng.nn.TransformerEncoderLayer(8, 2, activation="tanh")


@pytest.mark.filterwarnings("ignore:Support for mismatched")
@pytest.mark.filterwarnings("ignore:enable_nested_tensor")
@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer_matches_torch(batch_first):
    kw = dict(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=16,
              dropout=0.0, batch_first=batch_first)
    # torch's ModuleList repr folds identical layers into "(0-1): 2 x ..."; netgrad's lists them
    tm, nm = pair("Transformer", same_repr=False, **kw)
    S, T = 5, 4
    skpm = np.zeros((2, S), bool)
    skpm[1, 4] = True
    tgt_mask = ng.nn.Transformer.generate_square_subsequent_mask(T).numpy()
    np.testing.assert_array_equal(tgt_mask, torch.nn.Transformer.generate_square_subsequent_mask(T))
    tkw, nkw = _kw(tgt_mask=tgt_mask, src_key_padding_mask=skpm, memory_key_padding_mask=skpm)
    _run_pair(tm, nm, [_seq(batch_first, S, seed=3), _seq(batch_first, T, seed=4)], tkw, nkw)
    # the encoder's layers are independent copies
    p0 = nm.encoder.layers[0].linear1.weight
    assert p0 is not nm.encoder.layers[1].linear1.weight
    with pytest.raises(RuntimeError, match="batch number"):
        nm(ng.zeros(*(_seq(batch_first, S).shape)), ng.zeros(*((3, T, 8) if batch_first else (T, 3, 8))))


def test_transformer_init_is_xavier():
    _ = ng.manual_seed(0)
    m = ng.nn.Transformer(d_model=32, nhead=4, num_encoder_layers=1, num_decoder_layers=1,
                          dim_feedforward=64)
    w = m.encoder.layers[0].linear1.weight.numpy()
    bound = np.sqrt(6 / (32 + 64))
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert m.decoder.norm.weight.numpy().tolist() == [1.0] * 32


class TinyGPT(ng.nn.Module):
    """nanoGPT's shape: token + positional embedding, causal pre-norm blocks, a linear head."""

    def __init__(self, vocab, n_pos, d=32, heads=2, layers=2):
        super().__init__()
        self.tok = ng.nn.Embedding(vocab, d)
        self.pos = ng.nn.Embedding(n_pos, d)
        layer = ng.nn.TransformerEncoderLayer(d, heads, 4 * d, dropout=0.0, batch_first=True,
                                              norm_first=True)
        self.blocks = ng.nn.TransformerEncoder(layer, layers, norm=ng.nn.LayerNorm(d))
        self.head = ng.nn.Linear(d, vocab)

    def forward(self, idx):
        T = idx.shape[1]
        x = self.tok(idx) + self.pos(ng.arange(T))
        mask = ng.nn.Transformer.generate_square_subsequent_mask(T)
        return self.head(self.blocks(x, mask=mask, is_causal=True))


def test_tiny_causal_transformer_learns_to_copy():
    """Sequences x SEP x: after SEP each token is the one n places back, which only attention to
    earlier positions can fetch (the first copied token is never adjacent to its source)."""
    _ = ng.manual_seed(0)
    rng = np.random.default_rng(0)
    V, n = 6, 4
    model = TinyGPT(V + 1, 2 * n + 1)
    opt = ng.optim.Adam(model.parameters(), lr=3e-3)

    def batch(B):
        x = rng.integers(0, V, size=(B, n))
        seq = np.concatenate([x, np.full((B, 1), V), x], 1)
        return ng.tensor(seq[:, :-1]), seq[:, 1:]

    def copy_accuracy():
        inp, tgt = batch(200)
        with ng.no_grad():
            pred = model.eval()(inp).argmax(-1).numpy()
        model.train()
        return (pred[:, n:] == tgt[:, n:]).mean()

    before = copy_accuracy()
    for _ in range(150):
        inp, tgt = batch(32)
        logits = model(inp)[:, n:]
        loss = F.cross_entropy(logits.reshape(-1, V + 1), ng.tensor(tgt[:, n:].reshape(-1)))
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert before < 0.5
    assert copy_accuracy() > 0.97


def _gpt(lib, flash, vocab=11, block=8, d=16, heads=2, layers=2):
    """nanoGPT's model, written once against PyTorch's API and built from ``lib`` (torch or
    netgrad): F.layer_norm with bias, SDPA with is_causal (``flash``) or the masked_fill path."""
    nn, F = lib.nn, lib.nn.functional

    class CausalSelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_attn, self.c_proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
            self.register_buffer("bias", lib.tril(lib.ones(block, block)).view(1, 1, block, block))

        def forward(self, x):
            B, T, C = x.size()
            q, k, v = self.c_attn(x).split(d, dim=2)
            q, k, v = (t.view(B, T, heads, C // heads).transpose(1, 2) for t in (q, k, v))
            if flash:
                y = F.scaled_dot_product_attention(q, k, v, attn_mask=None, dropout_p=0.0,
                                                   is_causal=True)
            else:
                att = (q @ k.transpose(-2, -1)) * (1.0 / np.sqrt(k.size(-1)))
                att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
                y = F.softmax(att, dim=-1) @ v
            return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1, self.attn = nn.LayerNorm(d, bias=False), CausalSelfAttention()
            self.ln_2 = nn.LayerNorm(d)
            self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(approximate="tanh"),
                                     nn.Linear(4 * d, d))

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.transformer = nn.ModuleDict(dict(
                wte=nn.Embedding(vocab, d), wpe=nn.Embedding(block, d),
                h=nn.ModuleList([Block() for _ in range(layers)]), ln_f=nn.LayerNorm(d)))
            self.lm_head = nn.Linear(d, vocab, bias=False)
            self.transformer.wte.weight = self.lm_head.weight  # weight tying

        def forward(self, idx, targets):
            t = idx.size(1)
            x = self.transformer.wte(idx) + self.transformer.wpe(lib.arange(0, t, dtype=lib.long))
            for blk in self.transformer.h:
                x = blk(x)
            logits = self.lm_head(self.transformer.ln_f(x))
            return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1),
                                   ignore_index=-1)

    return GPT().double()


@pytest.mark.parametrize("flash", [True, False])
def test_nanogpt_model_matches_torch(flash):
    """The same nanoGPT source on both libraries: loss and every gradient (tied weights too)."""
    torch.manual_seed(0)
    tm, nm = _gpt(torch, flash), _gpt(ng, flash)
    tsd = tm.state_dict()
    assert list(tsd) == list(nm.state_dict())
    nm.load_state_dict({k: v.numpy() for k, v in tsd.items()})
    idx = np.random.default_rng(0).integers(0, 11, size=(3, 8))
    tgt = np.roll(idx, -1, axis=1)
    tgt[:, -1] = -1
    tl, nl = tm(torch.tensor(idx), torch.tensor(tgt)), nm(ng.tensor(idx), ng.tensor(tgt))
    np.testing.assert_allclose(nl.item(), tl.item(), rtol=1e-10)
    tl.backward()
    nl.backward()
    check_params(tm, nm)
