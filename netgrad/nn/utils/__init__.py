"""``netgrad.nn.utils``: gradient clipping (and, later, other helpers that work on parameters)."""

from . import rnn
from .clip_grad import clip_grad_norm_, clip_grad_value_, grad_norm

__all__ = ["rnn", "clip_grad_norm_", "clip_grad_value_", "grad_norm"]
