// netgrad playground: draws what the server computes. No maths here beyond scaling for the pictures.
"use strict";
const $ = (id) => document.getElementById(id);
const SVGNS = "http://www.w3.org/2000/svg";
let OPTS = null, STATE = null, PLAYING = false;
const ACT_NAMES = { linear: "linear (k net)", step: "step", sigmoid: "logistic", tanh: "tanh", relu: "ReLU",
  leaky_relu: "leaky ReLU", softmax: "softmax" };
const LOSS_NAMES = { squared: "squared error", half_mse: "half-MSE", log_likelihood: "log-likelihood (maximised)",
  bce: "binary cross-entropy", cross_entropy: "cross-entropy (softmax)" };
const INIT_NAMES = { random: "random", biases1: "random, biases = 1", xavier: "Xavier", he: "He", published: "published (worked example)", zeros: "zeros" };
const CLASS_COLOURS = ["#d6604d", "#2166ac", "#1b7837"];

function el(tag, attrs, parent, text) {
  const e = document.createElementNS(SVGNS, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}
function fmt(v) { return (v === null || v === undefined) ? "" : String(Number(Number(v).toPrecision(5))); }
function option(sel, value, label) { const o = document.createElement("option"); o.value = value; o.textContent = label; sel.appendChild(o); }

async function api(path, body) {
  const r = await fetch(path, { method: body ? "POST" : "GET", headers: { "Content-Type": "application/json" },
    body: body ? JSON.stringify(body) : undefined });
  const j = await r.json();
  if (!r.ok) throw new Error(j.error || ("HTTP " + r.status));
  return j;
}
function showError(msg) { const e = $("error"); e.textContent = msg || ""; e.hidden = !msg; }

// ------------------------------------------------------------------ set-up <-> controls <-> URL
function notation() {
  return { delta: $("n-delta").value, first_layer: Number($("n-first").value), augmented: $("n-aug").checked };
}
function fillControls(cfg) {
  $("preset").value = cfg.preset; $("data").value = cfg.data; $("model").value = cfg.model;
  $("hidden").value = cfg.hidden.join(","); $("k").value = cfg.k; $("bias").checked = cfg.bias;
  $("loss").value = cfg.loss; $("lr").value = cfg.lr; $("mode").value = cfg.mode; $("batch").value = cfg.batch;
  fillInits(cfg); $("init").value = cfg.init; $("seed").value = cfg.seed; fillActs(cfg.activations);
}
function fillInits(cfg) {
  const sel = $("init"); sel.innerHTML = "";
  const list = OPTS.inits.slice();
  if (cfg.data === "worked-221") list.unshift("published");
  if (cfg.model === "perceptron") list.unshift("zeros");
  for (const v of list) option(sel, v, INIT_NAMES[v] || v);
}
function fillActs(acts) {
  const box = $("acts"); box.innerHTML = "";
  const n = hiddenList().length + 1;
  for (let i = 0; i < n; i++) {
    const lab = document.createElement("label");
    lab.textContent = (i === n - 1 ? "Output" : "Hidden " + (i + 1)) + " activation ";
    const sel = document.createElement("select"); sel.id = "act-" + i;
    for (const a of OPTS.activations) option(sel, a, ACT_NAMES[a]);
    sel.value = acts[Math.min(i, acts.length - 1)] || "sigmoid";
    lab.appendChild(sel); box.appendChild(lab);
  }
}
function hiddenList() {
  const s = $("hidden").value.trim();
  return s ? s.split(/[ ,]+/).filter((x) => x).map(Number) : [];
}
function readControls() {
  const hidden = hiddenList();
  const acts = []; for (let i = 0; i <= hidden.length; i++) { const s = $("act-" + i); acts.push(s ? s.value : "sigmoid"); }
  return { preset: $("preset").value, data: $("data").value, model: $("model").value, hidden: hidden,
    activations: acts, k: Number($("k").value), bias: $("bias").checked, loss: $("loss").value,
    lr: Number($("lr").value), mode: $("mode").value, batch: Number($("batch").value), init: $("init").value,
    seed: Number($("seed").value) };
}
function configFromURL() {
  const p = new URLSearchParams(location.search);
  const cfg = { preset: p.get("preset") || "worked-221" };
  const num = ["k", "lr", "batch", "seed"];
  for (const key of ["data", "model", "loss", "mode", "init", "k", "lr", "batch", "seed"]) {
    if (p.has(key)) cfg[key] = num.includes(key) ? Number(p.get(key)) : p.get(key);
  }
  if (p.has("hidden")) cfg.hidden = p.get("hidden") ? p.get("hidden").split(",").map(Number) : [];
  if (p.has("act")) cfg.activations = p.get("act").split(",");
  if (p.has("bias")) cfg.bias = p.get("bias") === "1";
  if (p.has("delta")) $("n-delta").value = p.get("delta") === "-" ? "-dJ/dnet" : "+dJ/dnet";
  if (p.has("first")) $("n-first").value = p.get("first") === "1" ? "1" : "0";
  if (p.has("aug")) $("n-aug").checked = p.get("aug") === "1";
  return cfg;
}
function configToURL(cfg) {
  const base = OPTS.presets[cfg.preset] || {};
  const p = new URLSearchParams({ preset: cfg.preset });
  for (const key of ["data", "model", "loss", "mode", "init", "k", "lr", "batch", "seed"]) {
    if (cfg[key] !== base[key]) p.set(key, cfg[key]);
  }
  if (cfg.hidden.join(",") !== (base.hidden || []).join(",")) p.set("hidden", cfg.hidden.join(","));
  if (cfg.activations.join(",") !== (base.activations || []).join(",")) p.set("act", cfg.activations.join(","));
  if (cfg.bias !== base.bias) p.set("bias", cfg.bias ? "1" : "0");
  const n = notation();
  if (n.delta !== "+dJ/dnet") p.set("delta", "-");
  if (n.first_layer) p.set("first", "1");
  if (n.augmented) p.set("aug", "1");
  history.replaceState(null, "", "/?" + p.toString());
}

// ------------------------------------------------------------------ talking to the server
async function newSession(cfg) {
  stopPlay();
  try {
    STATE = await api("/api/session", { config: cfg, notation: notation() });
    showError(""); fillControls(STATE.config); configToURL(STATE.config); render();
  } catch (e) { showError(e.message); }
}
async function act(action, extra) {
  if (!STATE) return;
  try {
    STATE = await api("/api/action", Object.assign({ id: STATE.id, action: action, notation: notation() }, extra || {}));
    showError(""); render();
  } catch (e) { showError(e.message); stopPlay(); }
}
function stopPlay() { PLAYING = false; $("btn-play").innerHTML = "&#9654; Play"; }
async function play() {
  if (PLAYING) { stopPlay(); return; }
  PLAYING = true; $("btn-play").innerHTML = "&#10073;&#10073; Pause";
  while (PLAYING) {  // one request at a time: a held Play never piles up work on the server
    await act("epochs", { epochs: Number($("speed").value) });
    await new Promise((r) => setTimeout(r, 60));
  }
}

// ------------------------------------------------------------------ drawing
function render() {
  const s = STATE;
  const phaseText = { ready: "ready: press Forward", forward: "after Forward: press Backward",
    backward: "after Backward: press Update", update: "after Update: the new weights are drawn; Forward takes the next example" };
  const n = s.data.X.length;
  $("status").textContent = `epoch ${s.epoch} · step ${s.steps} · ${phaseText[s.phase]}` +
    (s.batch.length && s.phase !== "ready" ? ` · this step uses ${n === 1 ? "the one example" : s.batch.length === n ? "all " + n + " examples" : s.batch.length === 1 ? "example #" + (s.batch[0] + 1) : s.batch.length + " examples"}` : "");
  const next = { ready: "btn-forward", forward: "btn-backward", backward: "btn-update", update: "btn-forward" }[s.phase];
  for (const b of ["btn-forward", "btn-backward", "btn-update"]) $(b).classList.toggle("next", b === next);
  $("delta-name").innerHTML = s.names.delta;
  drawNetwork(s); drawEquations(s); drawLoss(s); drawBoundary(s);
}

function drawNetwork(s) {
  const svg = $("net"); svg.innerHTML = "";
  const sizes = s.sizes, L = sizes.length, bias = s.config.bias || s.config.model === "perceptron";
  const maxRows = Math.max(...sizes.map((m, l) => m + (bias && l < L - 1 ? 1 : 0)));
  const compact = maxRows > 5, boxW = 116, boxH = compact ? 50 : 56, lh = compact ? 11 : 13;
  const fl = s.names.first_layer;
  // wide layers: compact boxes and a taller picture, no overlap, the plots still in view
  svg.style.height = Math.max(400, maxRows * (boxH + 6) + 24) + "px";
  const W = svg.clientWidth || 700, H = svg.clientHeight || 400;
  const colX = (l) => 70 + l * (W - 140) / (L - 1);
  const gap = Math.min(220, (H - 40) / maxRows);
  const pos = (l, j, rows) => [colX(l), H / 2 + (j - (rows - 1) / 2) * gap];
  const rowsOf = (l) => sizes[l] + (bias && l < L - 1 ? 1 : 0);
  const unitPos = (l, j) => pos(l, j + (bias && l < L - 1 ? 1 : 0), rowsOf(l));
  let wmax = 1e-9;
  for (const w of s.weights) { for (const r of w.W) for (const v of r) wmax = Math.max(wmax, Math.abs(v));
    if (w.b) for (const v of w.b) wmax = Math.max(wmax, Math.abs(v)); }
  const nEdges = s.weights.reduce((acc, w) => acc + w.W.length * w.W[0].length, 0);
  const labelEdges = nEdges <= 6;  // bigger networks: hover an edge for w and dJ/dw
  const edges = el("g", {}, svg), labels = el("g", {}, svg);
  const edge = (l, i, j, w, g, fromBias) => {  // layer l (1-based) from unit i (or bias) to unit j
    const [x1, y1] = fromBias ? pos(l - 1, 0, rowsOf(l - 1)) : unitPos(l - 1, i);
    const [x2, y2] = unitPos(l, j);
    const out = fromBias ? 22 : boxW / 2;  // from the right side of its box (the bias box is narrower)
    const line = el("line", { x1: x1 + out, y1: y1, x2: x2 - boxW / 2, y2: y2, id: fromBias ? `wb-${l}-${j}` : `w-${l}-${i}-${j}`,
      stroke: w >= 0 ? "var(--pos)" : "var(--neg)", "stroke-width": 0.8 + 7 * Math.abs(w) / wmax, "stroke-opacity": 0.75 }, edges);
    const tip = `w = ${fmt(w)}` + (g !== null ? `, dJ/dw = ${fmt(g)}` : "");
    el("title", {}, line, tip);
    if (labelEdges) {
      // near the target, where the edges into one neuron are a fifth of their sources' spacing apart
      const t = 0.8, lx = x1 + boxW / 2 + t * (x2 - x1 - boxW), ly = y1 + t * (y2 - y1) - 3;
      const tx = el("text", { x: lx, y: ly, class: "edge-label", "text-anchor": "end" }, labels);
      el("tspan", { id: fromBias ? `wv-b-${l}-${j}` : `wv-${l}-${i}-${j}` }, tx, "w " + fmt(w));
      if (g !== null) { const t2 = el("text", { x: lx, y: ly + 11, class: "edge-label", "text-anchor": "end" }, labels);
        el("tspan", { class: "g", id: fromBias ? `dw-b-${l}-${j}` : `dw-${l}-${i}-${j}` }, t2, "∂J/∂w " + fmt(g)); }
    }
  };
  s.weights.forEach((w, k) => {
    const l = k + 1, g = s.grads ? s.grads[k] : null;
    w.W.forEach((row, i) => row.forEach((v, j) => edge(l, i, j, v, g ? g.W[i][j] : null, false)));
    if (w.b) w.b.forEach((v, j) => edge(l, 0, j, v, g && g.b ? g.b[j] : null, true));
  });
  const nodes = el("g", {}, svg);
  for (let l = 0; l < L; l++) {
    if (bias && l < L - 1) {
      const [x, y] = pos(l, 0, rowsOf(l));
      const g = el("g", { class: "neuron bias" }, nodes);
      el("rect", { x: x - 22, y: y - 14, width: 44, height: 28, rx: 6 }, g);
      el("text", { x: x, y: y + 4, "text-anchor": "middle", class: "title" }, g, "1");
    }
    for (let j = 0; j < sizes[l]; j++) {
      const [x, y] = unitPos(l, j);
      const g = el("g", { class: "neuron" + (l === 0 ? " input" : ""), id: `n-${l}-${j}` }, nodes);
      el("rect", { x: x - boxW / 2, y: y - boxH / 2, width: boxW, height: boxH, rx: 8 }, g);
      const name = l === 0 ? `x${j + 1}` : (l === L - 1 ? (sizes[l] > 1 ? `out ${j + 1}` : "ŷ") : `h${l}.${j + 1}`);
      el("text", { x: x, y: y - boxH / 2 + 13, "text-anchor": "middle", class: "title" }, g, `${name}  (layer ${l + fl})`);
      const v = s.neurons[l];
      const line = (k, label, val, cls) => {
        const t = el("text", { x: x - boxW / 2 + 6, y: y - boxH / 2 + 14 + lh * (k + 1), class: "v " + cls }, g, label + " ");
        el("tspan", { id: `${cls}-${l}-${j}` }, t, fmt(val));
      };
      if (!v) { el("text", { x: x, y: y + 8, "text-anchor": "middle", class: "v" }, g, l === 0 ? "input" : "?"); continue; }
      if (l === 0) { line(0, "x =", v.a[j], "v-a"); continue; }
      line(0, "net", v.net[j], "v-net"); line(1, "a  ", v.a[j], "v-a");
      if (v.delta) line(2, "δ  ", v.delta[j], "v-delta");
    }
  }
}

function drawEquations(s) {
  const body = $("eq-body"); body.innerHTML = "";
  if (!s.equations.length) { body.innerHTML = '<p class="hint">Press Forward: net and a appear layer by layer.</p>'; return; }
  const shown = { forward: ["forward"], backward: ["forward", "backward"], update: ["forward", "backward", "update"] }[s.phase] || [];
  for (const sec of s.equations) {
    if (!shown.includes(sec.phase)) continue;
    const d = document.createElement("div"); d.className = "eq-section" + (sec.phase === s.phase ? " current" : "");
    d.innerHTML = `<h3>${sec.title}</h3>`;  // server-built from fixed symbols and numbers
    for (const ln of sec.lines) {
      const p = document.createElement("div"); p.className = "eq " + ln.cls;
      p.innerHTML = ln.html;
      if (ln.value) { const v = document.createElement("span"); v.className = "val"; v.textContent = "= " + ln.value; p.appendChild(v); }
      d.appendChild(p);
    }
    body.appendChild(d);
  }
  for (const note of s.notes || []) {  // explain's remarks: a reinterpreted loss, dead or saturated units
    const p = document.createElement("p"); p.className = "note"; p.textContent = note; body.appendChild(p);
  }
}

function axes(svg, W, H, m, xlab, ylab, ymin, ymax) {
  el("line", { x1: m, y1: H - m, x2: W - 8, y2: H - m, class: "axis" }, svg);
  el("line", { x1: m, y1: 8, x2: m, y2: H - m, class: "axis" }, svg);
  el("text", { x: W - 8, y: H - m + 14, "text-anchor": "end", class: "axis-label" }, svg, xlab);
  el("text", { x: m - 4, y: 14, "text-anchor": "end", class: "axis-label" }, svg, fmt(ymax));
  el("text", { x: m - 4, y: H - m, "text-anchor": "end", class: "axis-label" }, svg, fmt(ymin));
  el("text", { x: m + 4, y: 18, class: "axis-label" }, svg, ylab);
}

function drawLoss(s) {
  const svg = $("loss-curve"); svg.innerHTML = "";
  const W = svg.clientWidth || 300, H = svg.clientHeight || 240, m = 58;
  const h = s.history, key = s.config.model === "perceptron" ? "errors" : "loss";
  $("loss-title").textContent = s.config.model === "perceptron" ? "Misclassified examples per epoch" :
    `Loss J on all examples per epoch (${LOSS_NAMES[s.config.loss]})`;
  const ys = h.map((e) => e[key]);
  const ymax = Math.max(...ys, 1e-9), ymin = Math.min(0, ...ys);
  const xmax = Math.max(1, h[h.length - 1].epoch);
  axes(svg, W, H, m, `epoch ${fmt(xmax)}`, `now ${fmt(ys[ys.length - 1])}`, ymin, ymax);
  const pts = h.map((e) => `${m + (W - m - 8) * e.epoch / xmax},${H - m - (H - m - 8) * (e[key] - ymin) / (ymax - ymin || 1)}`);
  el("polyline", { points: pts.join(" "), fill: "none", stroke: "#223", "stroke-width": 2, id: "loss-path", "data-n": h.length }, svg);
  if (h.length === 1) el("circle", { cx: pts[0].split(",")[0], cy: pts[0].split(",")[1], r: 3, fill: "#223" }, svg);
}

function tint(hex, f) {  // the colour mixed with white: opaque cells, no seams
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return "rgb(" + c.map((v) => Math.round(255 - f * (255 - v))).join(",") + ")";
}
function drawBoundary(s) {
  const svg = $("boundary"); svg.innerHTML = "";
  const W = svg.clientWidth || 300, H = svg.clientHeight || 240, b = s.boundary;
  if (!b) { $("boundary-title").textContent = "Decision boundary (for 2-D data sets)";
    el("text", { x: W / 2, y: H / 2, "text-anchor": "middle", class: "axis-label" }, svg, "one example: no boundary to draw"); return; }
  const X = s.data.X, y = s.data.y;
  if (b.kind === "curve") {
    $("boundary-title").textContent = "The function the network computes (line) and the data (dots)";
    const m = 58, xs = b.x, all = y.concat(b.y);  // as the loss plot's: room for the y labels
    const y0 = Math.min(...all), y1 = Math.max(...all), x0 = xs[0], x1 = xs[xs.length - 1];
    const px = (v) => m + (W - m - 8) * (v - x0) / (x1 - x0), py = (v) => H - m - (H - m - 8) * (v - y0) / (y1 - y0 || 1);
    axes(svg, W, H, m, "x", "y", y0, y1);
    X.forEach((r, i) => el("circle", { cx: px(r[0]), cy: py(y[i]), r: 2.5, fill: "#999" }, svg));
    el("polyline", { points: xs.map((v, i) => `${px(v)},${py(b.y[i])}`).join(" "), fill: "none", stroke: "var(--pos)", "stroke-width": 2.5, id: "fit-path" }, svg);
    return;
  }
  $("boundary-title").textContent = "Decision boundary: the predicted class over the plane (darker = surer), and the data";
  const side = Math.min(W, H) - 4, ox = (W - side) / 2, n = b.n, cell = side / n;
  const px = (v) => ox + side * (v - b.x0) / (b.x1 - b.x0), py = (v) => 2 + side - side * (v - b.y0) / (b.y1 - b.y0);
  const g = el("g", { id: "heat" }, svg);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) {
    const k = r * n + c, cls = b.cls[k], p = b.p[k];
    const sure = s.n_classes > 2 ? p : Math.abs(p - 0.5) * 2;
    el("rect", { x: ox + c * cell, y: 2 + side - (r + 1) * cell, width: cell + 0.6, height: cell + 0.6,
      fill: tint(CLASS_COLOURS[cls % 3], 0.12 + 0.5 * sure), "shape-rendering": "crispEdges" }, g);
  }
  X.forEach((pt, i) => el("circle", { cx: px(pt[0]), cy: py(pt[1]), r: X.length > 20 ? 3 : 6, fill: CLASS_COLOURS[y[i] % 3],
    stroke: s.batch.includes(i) && s.phase !== "ready" ? "#000" : "#fff", "stroke-width": s.batch.includes(i) && s.batch.length < X.length ? 2.5 : 1, class: "pt" }, svg));
}

// ------------------------------------------------------------------ start
async function main() {
  OPTS = await api("/api/options");
  for (const p in OPTS.presets) option($("preset"), p, p);
  for (const d of OPTS.datasets) option($("data"), d, d);
  for (const l of OPTS.losses) option($("loss"), l, LOSS_NAMES[l] || l);
  $("preset").onchange = () => newSession({ preset: $("preset").value });
  $("hidden").onchange = () => {  // new hidden layers copy the last hidden activation; the output keeps its own
    const old = [...document.querySelectorAll("#acts select")].map((e) => e.value);
    const out = old[old.length - 1], hid = old.slice(0, -1), n = hiddenList().length;
    fillActs([...Array(n).keys()].map((i) => hid[Math.min(i, hid.length - 1)] || "tanh").concat([out]));
  };
  $("apply").onclick = () => newSession(readControls());
  for (const id of ["n-delta", "n-first", "n-aug"]) $(id).onchange = () => { configToURL(STATE.config); act("state"); };
  $("btn-forward").onclick = () => act("forward");
  $("btn-backward").onclick = () => act("backward");
  $("btn-update").onclick = () => act("update");
  $("btn-step").onclick = () => act("step");
  $("btn-reset").onclick = () => { stopPlay(); act("reset"); };
  $("btn-play").onclick = play;
  window.addEventListener("resize", () => STATE && render());
  await newSession(configFromURL());
}
main().catch((e) => showError(e.message));
