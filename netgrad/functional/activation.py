"""Activation functions g(net): a = g(net). (Filled in by the nn work.)"""

__all__: list[str] = []
