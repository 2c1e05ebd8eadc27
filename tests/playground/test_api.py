"""netgrad playground's JSON API against the running server (in-process, loopback, port 0)."""

from __future__ import annotations

import http.client
import json
import threading

import numpy as np
import pytest

from netgrad.playground import LIMITS, make_server

# The notes' worked example: x = [0.35, 0.9], y = 1, beta = [[0.1, 0.4], [0.8, 0.6]], theta = [0.3, 0.9]
NET_H, Y_HAT = [0.755, 0.68], 0.8385
D_THETA = [-0.243865, -0.21964]
D_BETA = [[-0.033915, -0.101745], [-0.08721, -0.26163]]
DELTA_H, DELTA_OUT = [2 * -0.1615 * 0.3, 2 * -0.1615 * 0.9], 2 * -0.1615


@pytest.fixture(scope="module")
def server():
    srv = make_server("127.0.0.1", 0)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def call(server, method, path, body=None, raw=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=30)
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    conn.request(method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
    r = conn.getresponse()
    out = r.status, json.loads(r.read() or b"null") if "json" in (r.getheader("Content-Type") or "") else None
    conn.close()
    return out


def new(server, **cfg):
    status, st = call(server, "POST", "/api/session", {"config": cfg})
    assert status == 200, st
    return st


def act(server, st, action, **kw):
    status, out = call(server, "POST", "/api/action", {"id": st["id"], "action": action, **kw})
    assert status == 200, out
    return out


def test_binds_loopback_and_serves_page(server):
    assert server.server_address[0] == "127.0.0.1"
    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    conn.request("GET", "/?preset=worked-221")
    r = conn.getresponse()
    page = r.read().decode()
    assert r.status == 200 and "<svg id=\"net\"" in page
    assert "http" not in page.split("<body>")[1]   # nothing from the network: works offline
    conn.close()
    status, opts = call(server, "GET", "/api/options")
    assert status == 200 and "worked-221" in opts["presets"]
    assert opts["limits"]["neurons"] == LIMITS["neurons"]


def test_worked_example_forward_backward_update(server):
    st = new(server, preset="worked-221")
    assert st["phase"] == "ready" and st["sizes"] == [2, 2, 1]
    st = act(server, st, "forward")
    np.testing.assert_allclose(st["neurons"][1]["net"], NET_H, rtol=1e-12)
    np.testing.assert_allclose(st["neurons"][2]["a"], [Y_HAT], rtol=1e-12)
    assert "delta" not in st["neurons"][1] and st["grads"] is None
    assert "0.755, 0.68" in json.dumps(st["equations"])
    st = act(server, st, "backward")
    np.testing.assert_allclose(st["neurons"][1]["delta"], DELTA_H, rtol=1e-12)
    np.testing.assert_allclose(st["neurons"][2]["delta"], [DELTA_OUT], rtol=1e-12)
    np.testing.assert_allclose(st["grads"][0]["W"], D_BETA, rtol=1e-12)
    np.testing.assert_allclose(np.array(st["grads"][1]["W"])[:, 0], D_THETA, rtol=1e-12)
    st = act(server, st, "update")
    beta1 = np.array([[0.1, 0.4], [0.8, 0.6]]) - 0.1 * np.array(D_BETA)
    theta1 = np.array([0.3, 0.9]) - 0.1 * np.array(D_THETA)
    np.testing.assert_allclose(st["weights"][0]["W"], beta1, rtol=1e-12)
    np.testing.assert_allclose(np.array(st["weights"][1]["W"])[:, 0], theta1, rtol=1e-12)
    h = st["history"]
    assert st["epoch"] == 1 and len(h) == 2 and h[1]["loss"] < h[0]["loss"]
    upd = [ln["html"] for sec in st["equations"] if sec["phase"] == "update" for ln in sec["lines"]]
    assert len(upd) == 2 and all("&larr; =" not in ln and "&larr; " in ln for ln in upd), upd
    # the -dJ/dnet notation flips the printed deltas, not the gradients
    st2 = act(server, st, "state", notation={"delta": "-dJ/dnet", "first_layer": 1, "augmented": True})
    text = json.dumps(st2["equations"])
    assert "Theta" in text and "(2)" in text


def test_xor_perceptron_never_converges_and_mlp_does(server):
    st = new(server, preset="xor-perceptron")
    for _ in range(5):  # 5 x 20 = 100 epochs of Rosenblatt's rule
        st = act(server, st, "epochs", epochs=20)
    assert st["epoch"] == 100
    assert min(h["errors"] for h in st["history"]) >= 1   # XOR is not linearly separable
    st = new(server, preset="xor")
    for _ in range(10):
        st = act(server, st, "epochs", epochs=50)
        if st["history"][-1]["errors"] == 0:
            break
    assert st["history"][-1]["errors"] == 0
    b = st["boundary"]
    cls = np.array(b["cls"]).reshape(b["n"], b["n"])   # rows: x2, columns: x1, over [-0.5, 1.5]^2
    pick = lambda x1, x2: cls[round((x2 - b["y0"]) / (b["y1"] - b["y0"]) * (b["n"] - 1)),  # noqa: E731
                              round((x1 - b["x0"]) / (b["x1"] - b["x0"]) * (b["n"] - 1))]
    assert [pick(0, 0), pick(0, 1), pick(1, 0), pick(1, 1)] == [0, 1, 1, 0]


@pytest.mark.parametrize("preset", ["moons", "spiral", "circles", "curve", "and"])
def test_presets_train(server, preset):
    st = new(server, preset=preset)
    first = st["history"][0]["loss"]
    st = act(server, st, "epochs", epochs=20)
    assert st["epoch"] == 20 and st["history"][-1]["loss"] < first
    assert st["boundary"] is not None


@pytest.mark.parametrize("body, field, status", [
    ({"config": {"preset": "nope"}}, "preset", 400),
    ({"config": {"data": "../etc/passwd"}}, "data", 400),
    ({"config": {"preset": "xor", "hidden": [4] * 10}}, "hidden", 400),
    ({"config": {"preset": "xor", "hidden": [1000]}}, "hidden[0]", 400),
    ({"config": {"preset": "xor", "lr": "fast"}}, "lr", 400),
    ({"config": {"preset": "xor", "lr": -1}}, "lr", 400),
    ({"config": {"preset": "xor", "activations": ["exec"]}}, "activations[0]", 400),
    ({"config": {"preset": "moons", "samples": 10 ** 6}}, "samples", 400),
    ({"config": {"preset": "xor", "loss": "hinge"}}, "loss", 400),
    ({"config": {"preset": "curve", "loss": "cross_entropy"}}, "loss", 400),
    ({"config": {"preset": "xor", "__class__": 1}}, "__class__", 400),
    ({"config": {"preset": "spiral", "model": "perceptron"}}, "model", 400),
    ({"config": {"preset": "xor", "seed": 1.5}}, "seed", 400),
    ({"config": "xor"}, "config", 400),
    ({"notation": {"delta": "x"}}, "notation.delta", 400),
])
def test_bad_session_requests_name_the_field(server, body, field, status):
    code, out = call(server, "POST", "/api/session", body)
    assert code == status and out["error"].startswith(field + ":"), out


def test_bad_actions_and_bodies(server):
    st = new(server, preset="xor")
    code, out = call(server, "POST", "/api/action", {"id": st["id"], "action": "rm -rf"})
    assert code == 400 and out["error"].startswith("action:")
    code, out = call(server, "POST", "/api/action", {"id": st["id"], "action": "epochs", "epochs": 10 ** 9})
    assert code == 400 and out["error"].startswith("epochs:")
    code, out = call(server, "POST", "/api/action", {"id": "0" * 16, "action": "step"})
    assert code == 404 and out["error"].startswith("id:")
    code, out = call(server, "POST", "/api/action", raw=b"{not json")
    assert code == 400 and out["error"].startswith("body:")
    code, out = call(server, "POST", "/api/action", raw=b"[1, 2]")
    assert code == 400 and out["error"].startswith("body:")
    code, out = call(server, "POST", "/api/session", raw=b"x" * (LIMITS["body_bytes"] + 1))
    assert code == 413 and out["error"].startswith("body:")
    code, out = call(server, "GET", "/../../etc/passwd")
    assert code == 404
    code, out = call(server, "POST", "/api/nothing", {})
    assert code == 404 and out["error"].startswith("path:")
    # the server still works after all that
    st = act(server, st, "step")
    assert st["steps"] == 1


def test_sessions_are_bounded_and_separate(server):
    a = new(server, preset="xor")
    act(server, a, "step")
    b = new(server, preset="xor")
    assert b["id"] != a["id"] and b["steps"] == 0
    for _ in range(LIMITS["sessions"] + 2):
        new(server, preset="and")
    assert len(server.sessions) == LIMITS["sessions"]
    code, out = call(server, "POST", "/api/action", {"id": a["id"], "action": "state"})
    assert code == 404   # the oldest were dropped: memory stays bounded


def test_reset_restores_initial_weights(server):
    st = new(server, preset="moons")
    w0 = st["weights"]
    st = act(server, st, "epochs", epochs=3)
    assert st["weights"] != w0
    st = act(server, st, "reset")
    assert st["weights"] == w0 and st["epoch"] == 0 and len(st["history"]) == 1


def test_cli_registers_playground():
    from netgrad.cli import build_parser

    args = build_parser().parse_args(["playground", "--port", "0", "--no-browser"])
    assert args.port == 0 and args.host == "127.0.0.1" and args.no_browser


def test_explains_notes_reach_the_page(server):
    st = new(server, preset="xor", activations=["tanh", "softmax"], loss="cross_entropy")
    assert st["sizes"] == [2, 4, 2] and st["notes"] == []
    st = act(server, st, "forward")
    assert any("softmax would be applied twice" in n for n in st["notes"])


def test_a_burst_of_requests_on_one_session_is_served_in_turn(server):
    st = new(server, preset="moons")
    codes: list[int] = []

    def hit():
        code, _ = call(server, "POST", "/api/action", {"id": st["id"], "action": "epochs", "epochs": 1})
        codes.append(code)

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(codes) == 8 and set(codes) <= {200, 429}
    done = codes.count(200)
    st = act(server, st, "state")
    assert st["epoch"] == done   # each served request ran its epoch once, none twice, none lost halfway
