"""netgrad.explain.check: a learner's formulas against autograd, each classic slip named in words;
and docs/checking-a-derivation.md, whose printed outputs are check's real output.

Regenerate the page's output blocks after a change: ``python tests/explain/test_check.py --regen``.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
from pathlib import Path

import numpy as np
import pytest

import netgrad as ng
from netgrad.explain import CheckReport, check, network

PAGE = Path(__file__).resolve().parents[2] / "docs" / "checking-a-derivation.md"
W = [[[0.1, 0.4], [0.8, 0.6]], [[0.3], [0.9]]]
B = [[0.1, -0.2], [0.05]]


def sig_trace(loss="squared", **kw):
    net = network([2, 2, 1], weights=W, biases=B, activation="sigmoid")
    return ng.explain(net, [0.35, 0.9], 1.0, loss=loss, **kw)


def s_prime(q):
    return q["y_hat"] * (1 - q["y_hat"])


# ------------------------------------------------------------------ the five slips
def test_softmax_jacobian_diagonal_only():
    soft = network([1, 3], weights=[[[0.915, 0.135, 0.185]]], output_activation="softmax")
    t = ng.explain(soft, [1.0], 0, loss="cross_entropy_probs", delta="-dJ/dnet")
    r = check(t, {"delta^(1)": lambda q: q["t"] * (1 - q["z"])})
    assert not r.ok and r["delta^(1)"].slips == ["diagonal"]
    assert "only the diagonal of the softmax Jacobian kept" in r["delta^(1)"].diagnosis
    # in the default sign (+dJ/dnet) the same hand formula is the diagonal slip with the sign flipped
    t2 = ng.explain(soft, [1.0], 0, loss="cross_entropy_probs")
    r2 = check(t2, {"delta^(1)": lambda q: q["t"] * (1 - q["z"])})
    assert r2["delta^(1)"].slips == ["diagonal", "sign"] and "sign flipped" in r2["delta^(1)"].diagnosis
    assert check(t, {"delta^(1)": lambda q: q["t"] - q["z"]}).ok
    assert check(t2, {"delta^(1)": lambda q: q["z"] - q["t"]}).ok


def test_sign_of_dC_dy_hat():
    r = check(sig_trace("half_mse"), {"dJ/dy_hat": lambda q: q["y"] - q["y_hat"]})
    assert r["dJ/dy_hat"].slips == ["sign"] and "sign flipped" in str(r)


def test_sigma_prime_twice():
    t = sig_trace("half_mse")
    r = check(t, {"delta^(2)": lambda q: (q["y_hat"] - q["y"]) * s_prime(q) * q["g'(net^(2))"]})
    assert r["delta^(2)"].slips == ["extra_dg"] and "an extra factor g'(net^(2))" in r["delta^(2)"].diagnosis
    r = check(t, {"delta^(1)": lambda q: q["delta^(2)"] * q["W^(2)"][:, 0]})  # g'(net^(1)) forgotten
    assert r["delta^(1)"].slips == ["missing_dg"] and "a factor g'(net^(1)) missing" in str(r)


def test_missing_factor_two_of_the_squared_error():
    r = check(sig_trace(), {
        "delta^(2)": lambda q: (q["y_hat"] - q["y"]) * s_prime(q),
        "dJ/dW^(2)": lambda q: np.outer(q["a^(1)"], (q["y_hat"] - q["y"]) * s_prime(q)),
        "dJ/db^(2)": lambda q: 4 * (q["y_hat"] - q["y"]) * s_prime(q),
    })
    assert r["delta^(2)"].slips == ["factor"] and "0.5 x the right value (a factor 2 missing)" in str(r)
    assert r["dJ/dW^(2)"].slips == ["factor"]
    assert "2 x the right value (a factor 2 too many)" in r["dJ/db^(2)"].diagnosis


def test_logistic_written_with_the_wrong_exponent_sign():
    r = check(sig_trace(), {"a^(1)": lambda q: 1 / (1 + np.exp(q["net^(1)"]))})
    d = r["a^(1)"]
    assert d.slips == ["complement"] and "1/(1 + e^net)" in d.diagnosis and "1 - sigma(net)" in d.diagnosis


# ------------------------------------------------------------------ the report
def test_report_right_formulas_errors_and_formats():
    t = sig_trace()
    r = check(t, {
        "a^(1)": lambda q: 1 / (1 + np.exp(-q["net^(1)"])),
        "delta^(2)": lambda q: 2 * (q["y_hat"] - q["y"]) * s_prime(q),
        "dJ/dW^(1)": lambda q: np.outer(q["x"], q["delta^(1)"]),
        "J": lambda q: ((q["y"] - q["y_hat"]) ** 2).sum(),
    })
    assert isinstance(r, CheckReport) and r.ok and bool(r)
    assert set(r.errors) == {"a^(1)", "delta^(2)", "dJ/dW^(1)", "J"} and max(r.errors.values()) < 1e-12
    assert r.to_text().startswith("Checked 4 formulas against autograd: all agree.")
    bad = check(t, {"net^(1)": lambda q: q["x"] @ q["W^(1)"], "delta^(2)": lambda q: 0.3})
    assert not bad.ok and bad.errors["net^(1)"] == pytest.approx(0.2)
    assert bad["net^(1)"].slips == ["bias"] and "the bias b^(1) left out" in bad["net^(1)"].diagnosis
    text, md, html = str(bad), bad.to_markdown(), bad.to_html()
    assert "DIFFERS" in text and "yours:" in text and "autograd:" in text
    assert md.startswith("**Checked 2 formulas") and "| `net^(1)` | **differs** |" in md
    assert html.startswith('<div class="netgrad-check">') and "<td><code>net^(1)</code></td>" in html
    assert bad._repr_html_() == html and bad._repr_markdown_() == md


def test_wrong_elements_shape_and_errors():
    t = sig_trace()
    q = t.quantities()
    w1 = q["dJ/dW^(1)"].copy()
    w1[1, 0] += 1.0
    r = check(t, {"dJ/dW^(1)": lambda q: w1, "b^(2)": lambda q: q["b^(1)"], "x": lambda q: q["nope"]})
    assert r["dJ/dW^(1)"].slips == ["elements"]
    assert "wrong element (1 of 4): [2, 1]" in r["dJ/dW^(1)"].diagnosis
    assert r["b^(2)"].slips == ["shape"] and "yours is (2,), it should be (1,)" in r["b^(2)"].diagnosis
    assert r["x"].slips == ["raised"] and "KeyError" in r["x"].diagnosis
    with pytest.raises(KeyError, match="no quantity named 'delta\\^\\(3\\)'.*delta\\^\\(2\\)"):
        check(t, {"delta^(3)": lambda q: 0})


def test_check_follows_the_notation_and_uses_autograd():
    t = sig_trace(delta="-dJ/dnet", first_layer=1, names=["beta", "theta"])
    r = check(t, {
        "delta^(3)": lambda q: 2 * (q["y"] - q["y_hat"]) * s_prime(q),       # the delta-rule sign
        "dJ/dtheta": lambda q: -np.outer(q["a^(2)"], q["delta^(3)"]),
        "dJ/dbeta_0": lambda q: q["delta^(2)"],
    })
    assert r["delta^(3)"].ok and r["dJ/dtheta"].ok
    assert r["dJ/dbeta_0"].slips == ["sign"]
    # the reference is autograd's number, not the closed form's
    t.layers[1].delta_autograd = t.layers[1].delta_autograd + 1.0
    assert not check(t, {"delta^(3)": lambda q: 2 * (q["y"] - q["y_hat"]) * s_prime(q)}).ok


# ------------------------------------------------------------------ the guide page
BLOCK = re.compile(r"^```python\n(.*?)^```\n(?:\n```text\n(.*?)^```\n)?", re.S | re.M)


def run_page(text: str) -> list[tuple[re.Match, str]]:
    """Run every python block in order in one namespace; (its match, what it printed)."""
    ns: dict = {"__name__": "checking_page"}
    out = []
    for i, m in enumerate(BLOCK.finditer(text), 1):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            try:
                exec(compile(m.group(1), f"{PAGE.name} block {i}", "exec"), ns)
            except Exception as e:
                raise AssertionError(f"{PAGE.name} block {i} failed: {type(e).__name__}: "
                                     f"{e}\n{m.group(1)}") from e
        out.append((m, buf.getvalue()))
    return out


def test_guide_page_runs_and_shows_real_output():
    text = PAGE.read_text()
    runs = run_page(text)
    assert len(runs) >= 8
    for title in ("softmax Jacobian", "dC/dy_hat", "sigma' twice", "The 2 of the squared error",
                  "1/(1 + e^z)"):
        assert title in text
    for m, printed in runs:
        if printed:
            assert m.group(2) is not None, f"block without its output:\n{m.group(1)}"
            stale = "stale output; run: python tests/explain/test_check.py --regen"
            assert m.group(2).rstrip() == printed.rstrip(), stale


def regen() -> None:
    text = PAGE.read_text()
    parts, last = [], 0
    for m, printed in run_page(text):
        parts.append(text[last:m.start()] + f"```python\n{m.group(1)}```\n")
        if printed:
            parts.append(f"\n```text\n{printed.rstrip()}\n```\n")
        last = m.end()
    PAGE.write_text("".join(parts) + text[last:])


if __name__ == "__main__" and "--regen" in sys.argv:
    regen()
