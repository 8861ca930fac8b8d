// The r53sim dashboard: plain DOM, no framework. Reads the admin API of the server that served
// it (same origin), and redraws when GET /v1/events pushes a health transition, a publish or an
// answer change. Buttons call the same endpoints as curl would.
"use strict";
(() => {
  const HOUR = 3600;
  const state = {
    answers: null,       // GET /v1/answers
    checks: [],          // GET /v1/health-checks
    events: [],          // kept events, oldest first (history, then pushed)
    lastId: 0,
    shownAnswers: {},    // "name type" -> answer text last drawn, to flash changes
    client: "",
    clientOptions: "",
  };

  // ---- small helpers ---------------------------------------------------------------------------
  function h(tag, attrs, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") el.className = v;
      else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    for (const kid of kids.flat()) {
      if (kid === undefined || kid === null || kid === false) continue;
      el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    }
    return el;
  }
  function svg(tag, attrs, ...kids) {
    const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
    for (const kid of kids) el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    return el;
  }
  function replace(id, ...kids) {
    const el = document.getElementById(id);
    el.replaceChildren(...kids.flat());
    return el;
  }
  function clockTime(seconds) {
    return new Date(seconds * 1000).toLocaleTimeString([], { hour12: false });
  }
  async function api(method, path, body) {
    const options = { method, headers: {} };
    if (body !== undefined) {
      options.body = JSON.stringify(body);
      options.headers["Content-Type"] = "application/json";
    }
    const res = await fetch(path, options);
    const text = await res.text();
    let data = text;
    try { data = text ? JSON.parse(text) : null; } catch (_) { /* not JSON */ }
    if (!res.ok) throw new Error((data && data.error && data.error.message) || `HTTP ${res.status}`);
    return data;
  }
  function report(error) {
    const live = document.getElementById("live");
    live.textContent = String(error.message || error);
    live.className = "pill off";
  }
  function act(method, path, body) {
    // The page is not redrawn here: the change comes back through the event stream.
    return api(method, path, body).catch(report);
  }

  // ---- data ------------------------------------------------------------------------------------
  async function refresh() {
    const query = state.client ? "?client=" + encodeURIComponent(state.client) : "";
    const [answers, checks] = await Promise.all([
      api("GET", "/v1/answers" + query), api("GET", "/v1/health-checks")]);
    state.answers = answers;
    state.checks = checks.health_checks;
    drawClock();
    drawClients();
    drawZones();
    drawChecks();
    drawTimeline();
  }
  let refreshTimer = null;
  function refreshSoon() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => { refreshTimer = null; refresh().catch(report); }, 30);
  }

  function keep(event) {
    if (event.id <= state.lastId) return;
    state.lastId = event.id;
    state.events.push(event);
    const oldest = Date.now() / 1000 - HOUR;
    while (state.events.length && state.events[0].time < oldest) state.events.shift();
  }

  function listen() {
    const source = new EventSource("/v1/events?since=" + state.lastId);
    const live = document.getElementById("live");
    source.onopen = () => { live.textContent = "live"; live.className = "pill on"; };
    source.onerror = () => { live.textContent = "reconnecting"; live.className = "pill off"; };
    for (const type of ["health", "publish", "answer"]) {
      source.addEventListener(type, (message) => {
        const data = JSON.parse(message.data);
        keep({ id: Number(message.lastEventId), time: data.time, type, data });
        drawEvents();
        refreshSoon();
      });
    }
  }

  // ---- header ----------------------------------------------------------------------------------
  function drawClock() {
    const clock = state.answers.clock;
    if (clock.mode !== "manual") {
      replace("clock", clock.mode === "scaled" ? `clock: scaled ×${clock.scale}` : "clock: real");
      return;
    }
    const advance = (seconds) => () =>
      api("POST", "/v1/clock/advance", { seconds }).then(refreshSoon, report);
    replace("clock", "manual clock",
      [10, 30, 60].map((s) => h("button", { onclick: advance(s), "data-action": `advance-${s}` },
        `+${s} s`)));
  }

  function drawClients() {
    const options = JSON.stringify(state.answers.clients);
    if (options === state.clientOptions) return;
    state.clientOptions = options;
    const select = document.getElementById("client");
    select.replaceChildren(...state.answers.clients.map((c) =>
      h("option", { value: c.address, selected: c.address === state.client }, c.label)));
  }

  // ---- zones -----------------------------------------------------------------------------------
  function routingText(routing) {
    return Object.entries(routing).map(([k, v]) =>
      typeof v === "object" ? `${k}: ${Object.entries(v).map(([a, b]) => `${a}=${typeof b === "object" ? JSON.stringify(b) : b}`).join(", ")}` : `${k}: ${v}`).join("; ");
  }
  function healthDot(id, healthy) {
    if (!id) return null;
    const cls = healthy === true ? "dot ok" : healthy === false ? "dot bad" : "dot";
    return h("span", { title: `${id}: ${healthy ? "healthy" : "unhealthy"}` }, h("span", { class: cls }), id);
  }
  function tree(nodes) {
    return h("ul", { class: "tree" }, nodes.map((n) => h("li", {
      class: n.chosen ? "taken" : null, "data-label": n.label, "data-taken": n.chosen ? "true" : "false",
    },
      h("span", { class: "label" }, n.label),
      n.routing && Object.keys(n.routing).length ? h("span", { class: "attrs" }, routingText(n.routing)) : null,
      healthDot(n.health_check_id, n.healthy),
      n.values ? h("span", { class: "values" }, n.values.join(" ")) : null,
      n.alias ? h("span", { class: "values" }, "→ alias ", n.alias.dns_name,
        n.alias.values ? ` (${n.alias.values.join(" ")})` : "",
        n.alias.evaluate_target_health ? " EvaluateTargetHealth" : "",
        healthDot(n.alias.health_check_id, n.alias.healthy)) : null,
      n.children && n.children.length ? tree(n.children) : null)));
  }
  function drawZones() {
    const zones = state.answers.zones;
    if (!zones.length) { replace("zones", h("p", { class: "muted" }, "no hosted zones")); return; }
    replace("zones", zones.map((zone) => h("div", { class: "card", "data-zone": zone.id },
      h("h3", {}, zone.name, h("small", {}, zone.id)),
      h("table", {},
        h("tr", {}, ["Name", "Type", "Routing", `Answer for ${state.answers.client}`, "Routing tree"].map((t) => h("th", {}, t))),
        zone.record_sets.map((rs) => {
          const key = `${rs.name} ${rs.type}`;
          const text = rs.answer.length ? rs.answer.join(" ") : rs.rcode;
          // Values come rotated, as Route 53 sends them: compare them as a set.
          const seen = rs.answer.length ? [...rs.answer].sort().join(" ") : rs.rcode;
          const changed = key in state.shownAnswers && state.shownAnswers[key] !== seen;
          state.shownAnswers[key] = seen;
          const interesting = rs.policy !== "simple" || rs.records.some((r) => r.alias || r.health_check_id);
          return h("tr", { "data-record": key },
            h("td", {}, rs.name), h("td", {}, rs.type), h("td", {}, rs.policy),
            h("td", { class: changed ? "answer changed" : "answer", "data-testid": "answer", title: rs.trace.join("\n") }, text),
            h("td", {}, interesting ? tree(rs.records) : h("span", { class: "muted" }, "one record")));
        })))));
  }

  // ---- health checks ---------------------------------------------------------------------------
  // One row per region, one cell per checker: its verdict, last result in Route 53's words,
  // latency and time, and buttons forcing that checker's probe results.
  function checkerGrid(base, observations) {
    const regions = [];
    for (const o of observations) {
      let row = regions.find((r) => r.region === o.region);
      if (!row) regions.push(row = { region: o.region, checkers: [] });
      row.checkers.push(o);
    }
    return h("table", { class: "grid" },
      h("tr", {}, h("th", {}, "Region"), h("th", { colspan: 2 }, "Checkers: verdict, last result (Route 53's words), latency, time")),
      regions.map((row) => h("tr", {}, h("td", { class: "region" }, row.region), row.checkers.map((o) => {
        const query = `region=${encodeURIComponent(o.region)}&checker=${o.checker}`;
        const inject = (result) => () => act("PUT", `${base}/inject`, { region: o.region, checker: o.checker, result });
        return h("td", { class: o.healthy ? "checker" : "checker bad", "data-checker": `${o.region}/${o.checker}` },
          h("div", {},
            h("span", { class: o.healthy ? "dot ok" : "dot bad" }),
            h("b", {}, o.healthy ? "healthy" : "unhealthy"),
            h("span", { class: "muted" }, ` #${o.checker} ${o.checker_ip} · `,
              o.latency == null ? "injected" : `${(o.latency * 1000).toFixed(1)} ms`,
              o.checked_at > 0 ? ` · ${clockTime(o.checked_at)}` : "")),
          h("div", { class: "status" }, o.status || "no probe yet"),
          h("div", { class: "force" },
            h("button", { class: "healthy", onclick: inject("healthy"), title: "force this checker's probes to succeed" }, "healthy"),
            h("button", { class: "unhealthy", onclick: inject("unhealthy"), title: "force this checker's probes to fail" }, "unhealthy"),
            h("button", { onclick: () => act("DELETE", `${base}/inject?${query}`), title: "probe for real again" }, "auto")));
      }))));
  }

  function drawChecks() {
    if (!state.checks.length) { replace("checks", h("p", { class: "muted" }, "no health checks")); return; }
    replace("checks", state.checks.map((c) => {
      const base = `/v1/health-checks/${encodeURIComponent(c.id)}`;
      const pct = Math.round(c.percentage_healthy * 10) / 10;
      const observations = c.observations || [];
      return h("div", { class: "card", "data-check": c.id },
        h("h3", {}, c.id, h("small", {}, c.type)),
        h("div", { class: "controls" },
          h("span", { class: c.healthy ? "badge ok" : "badge bad", "data-testid": "check-status" },
            c.healthy ? "HEALTHY" : "UNHEALTHY"),
          c.forced ? h("span", { class: "badge forced" }, `forced ${c.forced}`) : null,
          h("span", { class: "bar", title: `${pct}% of checkers healthy` },
            h("span", { style: null, "data-pct": pct })),
          h("span", { "data-testid": "percentage" }, `${pct}% of checkers healthy`),
          h("span", { class: "muted" }, `· ${c.transitions} transitions`),
          h("button", { class: "healthy", "data-action": "force-healthy", onclick: () => act("PUT", `${base}/override`, { status: "healthy" }) }, "Force healthy"),
          h("button", { class: "unhealthy", "data-action": "force-unhealthy", onclick: () => act("PUT", `${base}/override`, { status: "unhealthy" }) }, "Force unhealthy"),
          h("button", { "data-action": "force-auto", onclick: () => act("DELETE", `${base}/override`) }, "Auto")),
        c.last_failure ? h("div", { class: "muted" }, `last failure: ${c.last_failure.status}`) : null,
        observations.length ? checkerGrid(base, observations) : null);
    }));
    // Widths are set here, not inline in markup: the page's Content-Security-Policy allows no
    // inline styles.
    for (const bar of document.querySelectorAll(".bar > span")) bar.style.width = `${bar.dataset.pct}%`;
  }

  // ---- timeline --------------------------------------------------------------------------------
  function drawTimeline() {
    const now = Date.now() / 1000, start = now - HOUR;
    const width = 1000, left = 170, laneHeight = 22, top = 8;
    const x = (t) => left + Math.max(0, Math.min(1, (t - start) / HOUR)) * (width - left - 10);
    const lanes = [];
    for (const c of state.checks) {
      const flips = state.events.filter((e) => e.type === "health" && e.data.check === c.id);
      let healthy = flips.length ? flips[0].data.from === "healthy" : c.healthy;
      let from = start;
      const segments = [];
      for (const f of flips) {
        segments.push([from, f.time, healthy]);
        from = f.time;
        healthy = f.data.to === "healthy";
      }
      segments.push([from, now, healthy]);
      lanes.push({ label: c.id, segments, marks: [] });
    }
    const recordKeys = new Set();
    for (const zone of (state.answers ? state.answers.zones : []))
      for (const rs of zone.record_sets)
        if (rs.policy !== "simple" || rs.records.some((r) => r.alias || r.health_check_id)) recordKeys.add(`${rs.name} ${rs.type}`);
    for (const e of state.events) if (e.type === "answer") recordKeys.add(`${e.data.name} ${e.data.type}`);
    for (const key of recordKeys) {
      const marks = state.events.filter((e) => e.type === "answer" && `${e.data.name} ${e.data.type}` === key);
      lanes.push({ label: key, segments: [], marks });
    }
    const height = top + lanes.length * laneHeight + 24;
    const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "health transitions and answer changes in the last hour" });
    lanes.forEach((lane, i) => {
      const y = top + i * laneHeight;
      root.append(svg("text", { x: 4, y: y + 14, class: "lane-label" }, lane.label));
      root.append(svg("line", { x1: left, x2: width - 10, y1: y + 10, y2: y + 10, stroke: "#dde1e7" }));
      for (const [a, b, ok] of lane.segments) {
        const r = svg("rect", { x: x(a), y: y + 4, width: Math.max(1, x(b) - x(a)), height: 12, rx: 2, fill: ok ? "#1e8e3e" : "#c5221f", "data-state": ok ? "healthy" : "unhealthy" });
        r.append(svg("title", {}, `${lane.label} ${ok ? "healthy" : "unhealthy"} from ${clockTime(Math.max(a, start))}`));
        root.append(r);
      }
      for (const m of lane.marks) {
        const c = svg("circle", { cx: x(m.time), cy: y + 10, r: 5, fill: "#1a56db", "data-answer": m.data.to.join(" ") });
        c.append(svg("title", {}, `${clockTime(m.time)} ${lane.label}: ${(m.data.from || []).join(" ") || "–"} → ${m.data.to.join(" ") || m.data.rcode}`));
        root.append(c);
      }
    });
    for (let minutes = 60; minutes >= 0; minutes -= 10) {
      const tx = x(now - minutes * 60);
      root.append(svg("line", { x1: tx, x2: tx, y1: top, y2: height - 18, stroke: "#eef0f3" }));
      root.append(svg("text", { x: tx - 12, y: height - 6, class: "axis" }, minutes ? `-${minutes}m` : "now"));
    }
    replace("timeline", root).className = "timeline";
  }

  function eventText(e) {
    const d = e.data;
    if (e.type === "health") return `${d.check}: ${d.from} → ${d.to}${d.reason ? ` (${d.reason})` : ""}`;
    if (e.type === "answer") return `${d.name} ${d.type}: ${(d.from || []).join(" ") || "–"} → ${d.to.join(" ") || d.rcode}`;
    return `snapshot ${d.generation} published (${d.cause})`;
  }
  function drawEvents() {
    const shown = state.events.filter((e) => e.type !== "publish").slice(-40).reverse();
    replace("events", shown.map((e) => h("li", { "data-event": e.type },
      `${clockTime(e.time)} `, h("span", { class: "kind" }, e.type), ` ${eventText(e)}`)));
  }

  // ---- start -----------------------------------------------------------------------------------
  async function start() {
    document.getElementById("client").addEventListener("change", (ev) => {
      state.client = ev.target.value;
      document.getElementById("client-custom").value = "";
      refresh().catch(report);
    });
    document.getElementById("client-custom").addEventListener("change", (ev) => {
      state.client = ev.target.value.trim();
      refresh().catch(report);
    });
    try {
      const history = await api("GET", "/v1/events/history");
      for (const e of history.events) keep(e);
      state.lastId = history.last_id;
    } catch (error) { report(error); }
    drawEvents();
    listen();
    await refresh().catch(report);
    setInterval(drawTimeline, 10000);  // "now" moves
    setInterval(refreshSoon, 15000);   // probe results that changed no verdict publish nothing
  }
  start();
})();
