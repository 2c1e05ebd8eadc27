"""``netgrad.nn.utils``: gradient clipping (and, later, other helpers that work on parameters)."""

from .clip_grad import clip_grad_norm_, clip_grad_value_, grad_norm

__all__ = ["clip_grad_norm_", "clip_grad_value_", "grad_norm"]
