"""The ONNX graph under construction: nodes, initializers, fresh names (``onnx.helper`` only)."""

from __future__ import annotations

from typing import Any

import numpy as np


class GraphBuilder:
    """Collects ONNX nodes and initializers; every method returns the name of the value it made."""

    def __init__(self, onnx: Any, opset: int) -> None:
        self.onnx, self.helper, self.opset = onnx, onnx.helper, opset
        self.nodes: list = []
        self.initializers: list = []
        self._names: set[str] = set()
        self._count = 0
        self._consts: dict[int, str] = {}

    def fresh(self, base: str) -> str:
        self._count += 1
        name = f"/{base}_{self._count}_output"
        while name in self._names:
            self._count += 1
            name = f"/{base}_{self._count}_output"
        self._names.add(name)
        return name

    def reserve(self, name: str) -> str:
        self._names.add(name)
        return name

    def node(self, op: str, inputs: list[str], output: str | None = None, **attrs: Any) -> str:
        out = output or self.fresh(op)
        self.nodes.append(self.helper.make_node(op, inputs, [out], name=f"/{op}_{len(self.nodes)}",
                                                **attrs))
        return out

    def initializer(self, array: np.ndarray, name: str | None = None) -> str:
        name = self.reserve(name) if name else self.fresh("Constant")
        arr = np.ascontiguousarray(array)
        self.initializers.append(self.onnx.numpy_helper.from_array(arr, name))
        return name

    def constant_of(self, key: Any, array: np.ndarray, name: str | None = None) -> str:
        """An initializer made once per ``key`` (a parameter's id): shared weights stay shared."""
        if key not in self._consts:
            self._consts[key] = self.initializer(array, name)
        return self._consts[key]

    def scalar(self, value: float, dtype: np.dtype) -> str:
        return self.initializer(np.asarray(value, dtype=dtype))

    def ints(self, values: list[int]) -> str:
        return self.initializer(np.asarray(values, dtype=np.int64))
