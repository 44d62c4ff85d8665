#include "app/status_page.hpp"

namespace ringhttpd::app {

std::string_view status_page_html() {
    return R"html(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ringhttpd status</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}
h1{font-size:1.3em;margin:0 0 .8em}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(11em,1fr));gap:.6em;max-width:60em}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.6em .8em}
.card b{display:block;font-size:1.5em;font-variant-numeric:tabular-nums}
.card span{color:#666;font-size:.85em}
svg{background:#fff;border:1px solid #ddd;border-radius:6px;margin-top:1em;max-width:60em;width:100%}
#state{color:#666;font-size:.85em;margin-top:.6em}
</style></head><body>
<h1>ringhttpd <span id="version"></span></h1>
<div class="grid">
<div class="card"><span>requests/s</span><b id="rps">-</b></div>
<div class="card"><span>requests</span><b id="requests">-</b></div>
<div class="card"><span>5xx error rate</span><b id="errors">-</b></div>
<div class="card"><span>latency p50</span><b id="p50">-</b></div>
<div class="card"><span>latency p90</span><b id="p90">-</b></div>
<div class="card"><span>latency p99</span><b id="p99">-</b></div>
<div class="card"><span>connections open</span><b id="connections">-</b></div>
<div class="card"><span>in flight</span><b id="in_flight">-</b></div>
<div class="card"><span>pool queue</span><b id="pool">-</b></div>
<div class="card"><span>uptime</span><b id="uptime">-</b></div>
<div class="card"><span>config generation</span><b id="generation">-</b></div>
<div class="card"><span>state</span><b id="serving">-</b></div>
</div>
<svg id="chart" viewBox="0 0 600 150" preserveAspectRatio="none" role="img"
 aria-label="requests per second, last five minutes">
<polyline id="line" fill="none" stroke="#2a6fdb" stroke-width="1.5" points=""/>
<text x="4" y="14" font-size="11" fill="#666">requests/s, last 5 minutes (max <tspan id="max">0</tspan>)</text>
</svg>
<div id="state">waiting for status.json</div>
<script>
"use strict";
const history = [];  // [seconds, requests/s], at most five minutes
let last = null;
const $ = id => document.getElementById(id);
function ms(s) { return s < 0.001 ? (s * 1e6).toFixed(0) + " µs" : (s * 1e3).toFixed(2) + " ms"; }
function duration(s) {
  const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
  return d ? d + "d " + h + "h" : h ? h + "h " + m + "m" : m + "m " + Math.floor(s % 60) + "s";
}
function draw() {
  const max = Math.max(1, ...history.map(p => p[1]));
  const t0 = history.length ? history[history.length - 1][0] - 300 : 0;
  $("line").setAttribute("points", history.map(
    p => ((p[0] - t0) * 2).toFixed(1) + "," + (145 - p[1] / max * 125).toFixed(1)).join(" "));
  $("max").textContent = max.toFixed(0);
}
async function poll() {
  try {
    const r = await fetch("status.json", {cache: "no-store"});
    const s = await r.json();
    const now = performance.now() / 1000;
    if (last) {
      const dt = now - last.t, dr = s.requests - last.s.requests;
      const de = s.errors_5xx - last.s.errors_5xx;
      $("rps").textContent = (dr / dt).toFixed(1);
      $("errors").textContent = dr > 0 ? (100 * de / dr).toFixed(2) + " %" : "0 %";
      history.push([now, dr / dt]);
      while (history.length && history[0][0] < now - 300) history.shift();
      draw();
    }
    last = {t: now, s};
    $("version").textContent = s.version;
    $("requests").textContent = s.requests_counted ? s.requests : "not counted";
    $("p50").textContent = ms(s.latency_seconds.p50);
    $("p90").textContent = ms(s.latency_seconds.p90);
    $("p99").textContent = ms(s.latency_seconds.p99);
    $("connections").textContent = s.connections_open;
    $("in_flight").textContent = s.in_flight;
    $("pool").textContent = s.pool_queue_depth + " / " + s.pool_queue_capacity;
    $("uptime").textContent = duration(s.uptime_seconds);
    $("generation").textContent = s.generation;
    $("serving").textContent = s.draining ? "draining" : "serving";
    $("state").textContent = "updated " + new Date().toLocaleTimeString();
  } catch (e) {
    $("state").textContent = "cannot read status.json: " + e;
  }
}
poll();
setInterval(poll, 1000);
</script></body></html>
)html";
}

}  // namespace ringhttpd::app
