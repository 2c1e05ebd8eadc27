"""Fast path ``heap`` (kernels.memory): a training step's arrays reuse the previous step's pages.
Page faults are counted (getrusage), not timed: a step of differently sized arrays, allocated
and freed over and over, faults only while the heap grows, and the setting is skipped where
glibc is absent or the user tuned its allocator already."""

from __future__ import annotations

import subprocess
import sys

import pytest

STEPS = """
import resource, sys
import numpy as np
import netgrad
from netgrad import kernels
sizes = [5_500_000, 9_400_000, 2_400_000, 9_400_000, 5_500_000, 300_000]  # bytes, like the CNN's
def step():
    keep = [np.ones(n // 4, np.float32) for n in sizes]  # written: every page touched
    del keep
for _ in range(3):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    step()
print(kernels.on["heap"], resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> tuple[str, int]:
    for var in ("NETGRAD_REFERENCE", "NETGRAD_KERNELS_OFF", "MALLOC_MMAP_THRESHOLD_",
                "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES"):
        monkeypatch.delenv(var, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    out = subprocess.run([sys.executable, "-c", STEPS], capture_output=True, text=True, check=True)
    on, faults = out.stdout.split()
    return on, int(faults)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator: Linux only")
def test_steps_after_the_first_reuse_freed_pages(monkeypatch):
    on, faults = _faults({}, monkeypatch)
    assert on == "True"
    assert faults < 100, f"{faults} page faults in 20 steps of 32 MB: freed memory was returned"
    # glibc's defaults hand some of it back: the same steps fault on fresh pages
    on, faults_off = _faults({"NETGRAD_KERNELS_OFF": "heap"}, monkeypatch)
    assert on == "False" and faults_off > 10 * max(faults, 100)


def test_the_users_own_allocator_tuning_is_left_alone(monkeypatch):
    from netgrad.kernels.memory import keep_freed_memory

    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "1000000")
    assert keep_freed_memory() is False
