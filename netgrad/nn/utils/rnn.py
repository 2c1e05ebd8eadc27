"""``nn.utils.rnn``: variable-length sequences for the recurrent layers (PyTorch's API).

A ``PackedSequence`` holds a batch of sequences of different lengths without padding: ``data`` has
the rows of time step 0 of every sequence, then those of step 1 of the sequences that are that
long, and so on (sequences sorted longest first); ``batch_sizes[t]`` says how many rows step t has.
Every function here moves rows with one differentiable gather (indexing), so gradients flow back to
the padded or listed tensors.

>>> import netgrad as ng
>>> from netgrad.nn.utils.rnn import pack_sequence, pad_packed_sequence, pad_sequence
>>> seqs = [ng.tensor([1.0, 2.0, 3.0]), ng.tensor([4.0]), ng.tensor([5.0, 6.0])]
>>> pad_sequence(seqs, batch_first=True)
tensor([[1., 2., 3.],
        [4., 0., 0.],
        [5., 6., 0.]])
>>> packed = pack_sequence(seqs, enforce_sorted=False)
>>> packed.data, packed.batch_sizes
(tensor([1., 5., 4., 2., 6., 3.]), tensor([3, 2, 1]))
>>> padded, lengths = pad_packed_sequence(packed, batch_first=True)
>>> lengths
tensor([3, 1, 2])
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any, Sequence

import numpy as np

from ...autograd import Tensor
from ...autograd.creation import full
from ...functional.core import as_tensor_arg
from ...functional.shape import cat, index

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
           "pack_sequence", "unpad_sequence", "unpack_sequence", "invert_permutation"]


def _long(v: Any) -> Tensor:
    return Tensor._make(np.asarray(v, dtype=np.int64))


def _ints(v: Any, what: str, op: str) -> np.ndarray:
    arr = np.asarray(v._data if isinstance(v, Tensor) else v)
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise TypeError(f"{op}: expected {what} as a 1-D list or tensor of integers, got {arr!r}")
    return arr.astype(np.int64)


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse permutation p^-1 with p^-1[p[i]] = i (None stays None)."""
    if permutation is None:
        return None
    p = _ints(permutation, "a permutation", "invert_permutation")
    inv = np.empty_like(p)
    inv[p] = np.arange(p.size, dtype=np.int64)
    return _long(inv)


_PackedSequenceBase = namedtuple("PackedSequence", ["data", "batch_sizes", "sorted_indices",
                                                    "unsorted_indices"])


class PackedSequence(_PackedSequenceBase):
    """The rows of a batch of variable-length sequences, time step by time step (see the module
    docstring); made by ``pack_padded_sequence``/``pack_sequence``, not by hand."""

    def __new__(cls, data: Any, batch_sizes: Any = None, sorted_indices: Any = None,
                unsorted_indices: Any = None) -> PackedSequence:
        if batch_sizes is None:  # PackedSequence(*other) with a tuple of four
            data, batch_sizes, sorted_indices, unsorted_indices = data
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def _with_data(self, data: Tensor) -> PackedSequence:
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """The same packing with ``data.to(...)``."""
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else self._with_data(data)

    def cpu(self) -> PackedSequence:
        return self

    def float(self) -> PackedSequence:
        return self.to(dtype=np.float32)

    def double(self) -> PackedSequence:
        return self.to(dtype=np.float64)

    @property
    def is_cuda(self) -> bool:
        return False

    def is_pinned(self) -> bool:
        return False


def _lengths_array(lengths: Any, op: str) -> np.ndarray:
    arr = _ints(lengths, "lengths", op)
    if arr.size and arr.min() <= 0:
        raise RuntimeError(f"{op}: Length of all samples has to be greater than 0, but found an element "
                           "in 'lengths' that is <= 0")
    return arr


def pack_padded_sequence(input: Any, lengths: Any, batch_first: bool = False,  # noqa: A002
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) (or (B, T, *) with ``batch_first``) of sequences of the given
    lengths; with ``enforce_sorted`` the lengths must be in decreasing order."""
    op = "pack_padded_sequence"
    x = as_tensor_arg(input, op)
    lens = _lengths_array(lengths, op)
    if x.ndim < 2:
        raise ValueError(f"{op}: expected a padded input of at least 2 dimensions, got shape {x.shape}")
    t_max, batch = (x.shape[1], x.shape[0]) if batch_first else (x.shape[0], x.shape[1])
    if lens.size != batch:
        raise ValueError(f"{op}: Expected `len(lengths)` to be equal to batch_size, but got {lens.size} "
                         f"(batch_size={batch})")
    if lens.max() > t_max:
        raise RuntimeError(f"{op}: a length of {lens.max()} is longer than the padded input "
                           f"({t_max} time steps)")
    if enforce_sorted:
        if np.any(np.diff(lens) > 0):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` "
                               "is True. You can pass `enforce_sorted=False` to pack_padded_sequence "
                               "and/or pack_sequence to sidestep this requirement if you do not need "
                               "ONNX exportability.")
        order, sorted_indices = np.arange(batch), None
    else:
        order = np.argsort(-lens, kind="stable")
        sorted_indices = _long(order)
    sorted_lens = lens[order]
    steps = int(sorted_lens[0])
    batch_sizes = (sorted_lens[None, :] > np.arange(steps)[:, None]).sum(1)
    # row (t, j) of the packed data is time step t of the j-th longest sequence
    t_idx = np.repeat(np.arange(steps), batch_sizes)
    b_idx = order[np.concatenate([np.arange(n) for n in batch_sizes])]
    flat = x.reshape(-1, *x.shape[2:])
    rows = b_idx * t_max + t_idx if batch_first else t_idx * batch + b_idx
    return PackedSequence(index(flat, rows), _long(batch_sizes), sorted_indices)


def _positions(batch_sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For a padded (T, B) grid in sorted batch order: the row of packed data at each position
    (the row count N where that sequence has ended) and the validity mask."""
    offsets = np.concatenate([[0], np.cumsum(batch_sizes)[:-1]])
    b = np.arange(int(batch_sizes[0]))
    valid = b[None, :] < batch_sizes[:, None]
    rows = np.where(valid, offsets[:, None] + b[None, :], int(batch_sizes.sum()))
    return rows, valid


def padded_from_packed(sequence: PackedSequence) -> tuple[Tensor, np.ndarray]:
    """The packed rows as a time-major (T, B, *) tensor in sorted batch order (padding rows are
    zeros) and the sorted lengths: the layout the recurrent layers run on."""
    data = as_tensor_arg(sequence.data, "PackedSequence")
    bs = _ints(sequence.batch_sizes, "batch_sizes", "PackedSequence")
    rows, valid = _positions(bs)
    pad = full((1, *data.shape[1:]), 0.0, dtype=data.dtype)
    return index(cat([data, pad]), rows), valid.sum(0)


def packed_from_padded(padded: Tensor, like: PackedSequence) -> PackedSequence:
    """Pack a time-major (T, B, *) tensor in sorted batch order with ``like``'s batch sizes."""
    bs = _ints(like.batch_sizes, "batch_sizes", "PackedSequence")
    rows, valid = _positions(bs)
    t, b = np.nonzero(valid)  # row-major: time step by time step, as packed data is laid out
    flat = padded.reshape(-1, *padded.shape[2:])
    return like._with_data(index(flat, t * padded.shape[1] + b))


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """The inverse of ``pack_padded_sequence``: (padded, lengths), the batch in its original order,
    padded with ``padding_value`` up to the longest sequence (or ``total_length``)."""
    op = "pad_packed_sequence"
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"{op}: expected a PackedSequence, got {type(sequence).__name__}")
    data = as_tensor_arg(sequence.data, op)
    bs = _ints(sequence.batch_sizes, "batch_sizes", op)
    rows, valid = _positions(bs)
    lens = valid.sum(0)
    if sequence.unsorted_indices is not None:  # columns back to the caller's batch order
        unsort = _ints(sequence.unsorted_indices, "unsorted_indices", op)
        rows, lens = rows[:, unsort], lens[unsort]
    steps = rows.shape[0]
    if total_length is not None:
        if total_length < steps:
            raise ValueError(f"{op}: Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max sequence "
                             f"length being {steps}")
        extra = np.full((total_length - steps, rows.shape[1]), int(bs.sum()))
        rows = np.concatenate([rows, extra])
    pad = full((1, *data.shape[1:]), padding_value, dtype=data.dtype)
    out = index(cat([data, pad]), rows.T if batch_first else rows)
    return out, _long(lens)


def pad_sequence(sequences: Sequence[Any], batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack tensors of shapes (L_k, *) into (T, B, *) (or (B, T, *)), T = max L_k, padding each
    with ``padding_value`` on the right (or the left)."""
    op = "pad_sequence"
    if padding_side not in ("right", "left"):
        raise ValueError(f"{op}: padding_side must be 'left' or 'right', got {padding_side!r}")
    seqs = list(sequences.unbind(0) if isinstance(sequences, Tensor) else sequences)
    if not seqs:
        raise ValueError(f"{op}: received an empty list of sequences")
    seqs = [as_tensor_arg(s, op) for s in seqs]
    trailing = seqs[0].shape[1:]
    for s in seqs:
        if s.ndim == 0 or s.shape[1:] != trailing:
            raise ValueError(f"{op}: every sequence must have shape (L, {', '.join(map(str, trailing))})"
                             f"{'' if trailing else '*'}; got shapes {[tuple(s.shape) for s in seqs]}")
    lens = np.array([s.shape[0] for s in seqs], dtype=np.int64)
    steps, total = int(lens.max()), int(lens.sum())
    starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
    t = np.arange(steps)[:, None]
    shift = (steps - lens)[None, :] if padding_side == "left" else 0
    pos = t - shift
    rows = np.where((pos >= 0) & (pos < lens[None, :]), starts[None, :] + pos, total)
    pad = full((1, *trailing), padding_value, dtype=seqs[0].dtype)
    return index(cat([*seqs, pad]), rows.T if batch_first else rows)


def pack_sequence(sequences: Sequence[Any], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of tensors (L_k, *) (longest first, unless ``enforce_sorted=False``)."""
    lengths = [as_tensor_arg(s, "pack_sequence").shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences: Any, lengths: Any, batch_first: bool = False) -> list[Tensor]:
    """The inverse of ``pad_sequence``: the list of the first ``lengths[k]`` steps of each sequence."""
    x = as_tensor_arg(padded_sequences, "unpad_sequence")
    lens = _lengths_array(lengths, "unpad_sequence")
    if not batch_first:
        x = x.transpose(0, 1)
    return [x[k, : int(n)] for k, n in enumerate(lens)]


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The inverse of ``pack_sequence``: the list of sequences, in their original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
