// The report page: draws the timeline (SVG), the calls, findings and event tables, and the
// state of every machine after the selected event, from the JSON embedded in the page. It uses
// only the DOM: nothing is fetched.
"use strict";
(function () {
  const D = JSON.parse(document.getElementById("report-data").textContent);
  const SVGNS = "http://www.w3.org/2000/svg";
  const LANE_H = 34, TOP = 26, LABEL_W = 96, PAD_R = 16, ROWS_MAX = 5000, GAP_CAP_MS = 2000;
  const BAND_STATES = ["joining", "in-call", "reconnecting", "leaving", "ended", "error", "idle", "view-up"];
  const MARKERS = {
    drop: "connection lost", restore: "restored", timeout: "timeout", error: "error",
    warning: "tolerated error", end: "call ended", finding: "diagnose finding",
  };
  let selected = null;

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function sv(tag, attrs, text) {
    const e = document.createElementNS(SVGNS, tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function secs(ms) { return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + " s"; }
  function title(node, text) { node.appendChild(sv("title", {}, text)); return node; }

  // ---- time scale: linear, or with quiet stretches squeezed to GAP_CAP_MS ----
  const times = Array.from(new Set(D.events.map((e) => e.t))).sort((a, b) => a - b);
  function scale(width, compress) {
    const pts = [[0, 0]];
    let acc = 0, prev = 0;
    const gaps = [];
    for (const t of times) {
      const g = t - prev;
      const c = compress && g > GAP_CAP_MS ? GAP_CAP_MS : g;
      if (c < g) gaps.push({ at: acc + c / 2, real: g });
      acc += c; prev = t; pts.push([t, acc]);
    }
    if (D.span_ms > prev) { acc += D.span_ms - prev; pts.push([D.span_ms, acc]); }
    const total = Math.max(acc, 1), usable = width - LABEL_W - PAD_R;
    function x(t) {
      let lo = 0, hi = pts.length - 1;
      if (t <= pts[0][0]) return LABEL_W;
      if (t >= pts[hi][0]) return LABEL_W + (pts[hi][1] / total) * usable;
      while (hi - lo > 1) { const mid = (lo + hi) >> 1; if (pts[mid][0] <= t) lo = mid; else hi = mid; }
      const [t0, v0] = pts[lo], [t1, v1] = pts[hi];
      const v = t1 === t0 ? v0 : v0 + ((t - t0) / (t1 - t0)) * (v1 - v0);
      return LABEL_W + (v / total) * usable;
    }
    x.gaps = gaps.map((g) => ({ x: LABEL_W + (g.at / total) * usable, real: g.real }));
    return x;
  }

  // ---- timeline ----
  function drawTimeline() {
    const host = document.getElementById("timeline");
    host.textContent = "";
    const zoom = Number(document.getElementById("zoom").value);
    const width = Math.max(640, (host.clientWidth || 1200) - 2) * zoom;
    const x = scale(width, document.getElementById("compress").checked);
    const height = TOP + D.lanes.length * LANE_H + 8;
    const svg = sv("svg", { id: "tl", width: width, height: height, viewBox: `0 0 ${width} ${height}` });
    drawAxis(svg, x, width, height);
    const laneY = {};
    D.lanes.forEach((lane, i) => {
      laneY[lane] = TOP + i * LANE_H;
      const g = sv("g", { class: "lane", "data-lane": lane, transform: `translate(0,${laneY[lane]})` });
      g.appendChild(sv("rect", { class: "lane-bg " + (i % 2 ? "odd" : "even"), x: 0, y: 0, width: width, height: LANE_H }));
      g.appendChild(sv("text", { class: "lane-label", x: 6, y: LANE_H / 2 + 4 }, lane));
      svg.appendChild(g);
    });
    const lane = (name) => svg.querySelector(`g.lane[data-lane="${CSS.escape(name)}"]`);
    for (const b of D.bands) drawBand(lane(b.lane), b, x);
    for (const e of D.events) {
      const g = lane(e.actor);
      if (!g) continue;
      const tick = sv("line", { class: "tick tick-" + e.k, "data-seq": e.seq, x1: x(e.t), x2: x(e.t),
        y1: e.k === "i" ? 6 : LANE_H - 12, y2: e.k === "i" ? 14 : LANE_H - 4 });
      title(tick, `seq ${e.seq} +${secs(e.t)} ${e.text}`);
      g.appendChild(tick);
    }
    for (const m of D.markers) drawMarker(lane(m.lane), m, x);
    for (const gap of x.gaps) {
      svg.appendChild(title(sv("text", { class: "gap", x: gap.x, y: TOP - 4, "text-anchor": "middle" }, "≈"),
        `${secs(gap.real)} of silence squeezed`));
    }
    svg.appendChild(sv("line", { id: "cursor", x1: -10, x2: -10, y1: TOP - 6, y2: height }));
    svg.addEventListener("click", (ev) => {
      const seq = ev.target.closest("[data-seq]");
      if (seq) select(Number(seq.getAttribute("data-seq")));
    });
    host.appendChild(svg);
    drawCursor();
  }

  function drawAxis(svg, x, width, height) {
    const g = sv("g", { class: "axis" });
    const span = Math.max(D.span_ms, 1), px = width - LABEL_W - PAD_R;
    const steps = [100, 250, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000, 600000, 1800000, 3600000];
    const step = steps.find((s) => (s / span) * px >= 70) || steps[steps.length - 1];
    let lastX = -100;
    for (let t = 0; t <= span; t += step) {
      const px1 = x(t);
      if (px1 - lastX < 40) continue;
      lastX = px1;
      g.appendChild(sv("line", { class: "grid", x1: px1, x2: px1, y1: TOP - 6, y2: height }));
      g.appendChild(sv("text", { x: px1 + 2, y: TOP - 10 }, "+" + secs(t)));
    }
    svg.appendChild(g);
  }

  function drawBand(g, b, x) {
    if (!g) return;
    const x0 = x(b.from), w = Math.max(2, x(b.to) - x0);
    const r = sv("rect", { class: "band band-" + b.state, "data-state": b.state, "data-seq": b.seq,
      x: x0, y: 3, width: w, height: LANE_H - 6, rx: 3 });
    title(r, `${b.lane}: ${b.state} from +${secs(b.from)} to +${secs(b.to)} (${secs(b.to - b.from)})`);
    g.appendChild(r);
    if (w > b.state.length * 6.5 + 8) {
      g.appendChild(sv("text", { class: "band-label", x: x0 + 4, y: LANE_H / 2 + 4 }, b.state));
    }
  }

  function drawMarker(g, m, x) {
    if (!g) return;
    const cx = x(m.t), s = 6;
    const node = sv("g", { class: "marker marker-" + m.kind, "data-seq": m.seq, "data-kind": m.kind });
    const shapes = {
      drop: `M${cx - s},${4} L${cx + s},${4} L${cx},${4 + 2 * s} Z`,
      restore: `M${cx - s},${4 + 2 * s} L${cx + s},${4 + 2 * s} L${cx},${4} Z`,
      finding: `M${cx},${2} L${cx + s + 1},${LANE_H / 2} L${cx},${LANE_H - 2} L${cx - s - 1},${LANE_H / 2} Z`,
    };
    if (shapes[m.kind]) node.appendChild(sv("path", { d: shapes[m.kind] }));
    else node.appendChild(sv("circle", { cx: cx, cy: LANE_H / 2, r: m.kind === "end" ? 4 : 5 }));
    if (m.kind === "finding") node.appendChild(sv("text", { x: cx, y: LANE_H / 2 + 4, "text-anchor": "middle" }, "!"));
    title(node, `seq ${m.seq} +${secs(m.t)} ${MARKERS[m.kind] || m.kind}: ${m.label}`);
    g.appendChild(node);
  }

  function drawCursor() {
    const c = document.getElementById("cursor");
    if (!c || selected === null) return;
    const e = D.events.find((ev) => ev.seq === selected);
    const tick = e && document.querySelector(`#tl .tick[data-seq="${e.seq}"]`);
    const px = tick ? tick.getAttribute("x1") : -10;
    c.setAttribute("x1", px); c.setAttribute("x2", px);
  }

  function legend() {
    const host = document.getElementById("legend");
    for (const s of BAND_STATES) {
      host.appendChild(el("span", { class: "swatch band-" + s }, s === "view-up" ? "call view on screen" : s));
    }
    for (const k in MARKERS) host.appendChild(el("span", { class: "swatch marker-" + k }, MARKERS[k]));
  }

  // ---- calls and findings ----
  function drawCalls() {
    const body = document.querySelector("#calls tbody");
    for (const c of D.calls) {
      const tr = el("tr", { "data-attempt": c.attempt });
      const dur = c.ended != null ? secs(c.ended - (c.joined != null ? c.joined : c.start)) : "(not ended)";
      [c.attempt, c.session, "+" + secs(c.start),
        c.joined != null ? secs(c.joined - c.start) : "never joined", dur, c.drops,
        secs(c.reconnecting_ms), c.reason || "(still going)"].forEach((v) => tr.appendChild(el("td", {}, String(v))));
      body.appendChild(tr);
    }
    if (!D.calls.length) body.appendChild(el("tr", {}, "no call attempt in this log"));
  }

  function drawFindings() {
    const ol = document.getElementById("findings");
    if (!D.findings.length) ol.appendChild(el("li", { class: "clean" }, "diagnose found nothing in this log"));
    for (const f of D.findings) {
      const li = el("li", { class: "finding", "data-rule": f.rule, "data-seq": f.seq_first });
      const range = f.seq_first === f.seq_last ? `seq ${f.seq_first}` : `seq ${f.seq_first}..${f.seq_last}`;
      li.appendChild(el("strong", {}, `[${f.rule}] ${f.title}`));
      li.appendChild(el("span", { class: "range" }, ` (${range}, +${secs(f.at_ms_first - D.origin_ms)})`));
      li.appendChild(el("p", {}, f.explanation));
      li.appendChild(el("p", { class: "fix" }, "Fix: " + f.fix));
      li.addEventListener("click", () => select(f.seq_first));
      ol.appendChild(li);
    }
    if (D.tail_error) ol.appendChild(el("li", { class: "finding tail" }, "Reading stopped: " + D.tail_error));
  }

  // ---- event table ----
  const markedSeqs = new Map();
  for (const m of D.markers) markedSeqs.set(m.seq, m.kind);

  function drawEvents() {
    const q = document.getElementById("filter").value.trim().toLowerCase();
    const actor = document.getElementById("actor-filter").value;
    const kind = document.getElementById("kind-filter").value;
    const marked = document.getElementById("marked-only").checked;
    const body = document.querySelector("#events tbody");
    body.textContent = "";
    let shown = 0, matched = 0;
    for (const e of D.events) {
      if (actor && e.actor !== actor) continue;
      if (kind && e.k !== kind) continue;
      if (marked && !markedSeqs.has(e.seq)) continue;
      if (q && !(String(e.seq) === q || e.text.toLowerCase().includes(q) || e.actor.includes(q) ||
        (e.state || "").toLowerCase().includes(q))) continue;
      matched++;
      if (shown >= ROWS_MAX) continue;
      shown++;
      const tr = el("tr", { "data-seq": e.seq, class: "k-" + e.k });
      if (markedSeqs.has(e.seq)) tr.classList.add("marked", "mark-" + markedSeqs.get(e.seq));
      if (e.seq === selected) tr.classList.add("selected");
      [e.seq, "+" + secs(e.t), e.actor, e.k === "i" ? "in" : "cmd", e.text, e.state || ""].forEach((v) =>
        tr.appendChild(el("td", {}, String(v))));
      body.appendChild(tr);
    }
    document.getElementById("shown").textContent =
      matched > shown ? `showing ${shown} of ${matched} matching (narrow the filter)` : `${matched} of ${D.events.length} events`;
  }

  // ---- state after the selected event ----
  function stateAt(seq) {
    const latest = new Map();
    for (const s of D.snapshots) {
      if (s.seq > seq) break;
      latest.set(s.actor, s);
    }
    return latest;
  }

  function previous(actor, seq) {
    let prev = null;
    for (const s of D.snapshots) {
      if (s.seq >= seq) break;
      if (s.actor === actor) prev = s;
    }
    return prev;
  }

  function diff(a, b, path, out) {
    if (JSON.stringify(a) === JSON.stringify(b)) return out;
    const isObj = (v) => v && typeof v === "object" && !Array.isArray(v);
    if (isObj(a) && isObj(b)) {
      const keys = Array.from(new Set(Object.keys(a).concat(Object.keys(b)))).sort();
      for (const k of keys) diff(a[k], b[k], path ? path + "." + k : k, out);
      return out;
    }
    out.push(`${path || "(state)"}: ${JSON.stringify(a === undefined ? null : a)} → ${JSON.stringify(b === undefined ? null : b)}`);
    return out;
  }

  function drawState() {
    const host = document.getElementById("machines");
    host.textContent = "";
    const state = document.getElementById("state");
    if (selected === null) return;
    const ev = D.events.find((e) => e.seq === selected);
    state.setAttribute("data-seq", selected);
    document.getElementById("state-seq").textContent = ev
      ? `seq ${ev.seq} (+${secs(ev.t)}, ${ev.actor} ${ev.text})` : `seq ${selected}`;
    const latest = stateAt(selected);
    for (const lane of D.lanes) {
      const s = latest.get(lane);
      const box = el("div", { class: "machine", "data-actor": lane });
      box.appendChild(el("h3", {}, lane));
      box.appendChild(el("p", { class: "summary" }, s ? s.summary : "(not started yet)"));
      if (s && s.seq === selected) {
        const prev = previous(lane, selected);
        const changes = diff(prev ? prev.state : {}, s.state, "", []);
        const ul = el("ul", { class: "changes" });
        for (const c of changes) ul.appendChild(el("li", {}, c));
        box.appendChild(el("p", { class: "changed-note" }, "changed by this event:"));
        box.appendChild(ul);
        box.classList.add("changed");
      }
      if (s) {
        const det = el("details", {});
        det.appendChild(el("summary", {}, "full state"));
        det.appendChild(el("pre", {}, JSON.stringify(s.state, null, 2)));
        box.appendChild(det);
      }
      host.appendChild(box);
    }
  }

  function select(seq) {
    selected = seq;
    document.querySelectorAll("#events tr.selected").forEach((tr) => tr.classList.remove("selected"));
    const row = document.querySelector(`#events tr[data-seq="${seq}"]`);
    if (row) {
      row.classList.add("selected");
      // Scroll the table's own box only, never the page.
      const box = row.closest(".scroll");
      if (box) box.scrollTop = Math.max(0, row.offsetTop - box.clientHeight / 3);
    }
    drawCursor();
    drawState();
    if (history.replaceState) history.replaceState(null, "", "#seq=" + seq);
  }

  // ---- wiring ----
  function init() {
    const calls = D.calls.length, span = secs(D.span_ms);
    document.getElementById("summary").textContent =
      `${D.events.length} records over ${span} · ${D.lanes.length} actors · ${calls} call attempt(s) · ` +
      `${D.findings.length} finding(s)`;
    const sel = document.getElementById("actor-filter");
    for (const l of D.lanes) sel.appendChild(el("option", { value: l }, l));
    legend();
    drawCalls();
    drawFindings();
    drawEvents();
    drawTimeline();
    let resized = null;
    window.addEventListener("resize", () => { clearTimeout(resized); resized = setTimeout(drawTimeline, 150); });
    for (const id of ["filter", "actor-filter", "kind-filter", "marked-only"]) {
      document.getElementById(id).addEventListener("input", drawEvents);
    }
    document.getElementById("zoom").addEventListener("change", drawTimeline);
    document.getElementById("compress").addEventListener("change", drawTimeline);
    document.querySelector("#events tbody").addEventListener("click", (ev) => {
      const tr = ev.target.closest("tr[data-seq]");
      if (tr) select(Number(tr.getAttribute("data-seq")));
    });
    const m = /seq=(\d+)/.exec(location.hash);
    if (m) select(Number(m[1]));
    document.body.setAttribute("data-ready", "1");
  }
  init();
})();
