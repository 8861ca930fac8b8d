"""docker/grafana/r53sim-dashboard.json is built on the metrics r53sim exports: every metric and
label its queries use is in /metrics, and a real Prometheus scraping a real r53sim answers every
query of every panel with data."""
import json
import os
import re
import socket
import subprocess
import tempfile
import urllib.parse

import pytest

from harness import SOURCE_DIR, R53Sim, free_port, http_json, poll

DASHBOARD = os.path.join(SOURCE_DIR, "docker", "grafana", "r53sim-dashboard.json")
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool",
                "and", "or", "unless", "le"}


def load_dashboard():
    with open(DASHBOARD) as f:
        return json.load(f)


def queries(dashboard):
    """Every PromQL expression: panel targets and the health-check variable's query."""
    out = []
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            out.append((panel["title"], target["expr"], target.get("legendFormat", "")))
    return out


def metric_names(expr):
    """Metric names in a PromQL expression: identifiers that are neither functions, keywords,
    label names (inside {} or by/without ()), nor durations."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)           # strings
    text = re.sub(r"\{[^}]*\}", "", text)                       # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)                      # ranges
    text = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", text)
    names = []
    for m in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text):
        word = m.group(0)
        rest = text[m.end():].lstrip()
        if rest.startswith("(") or word in PROMQL_WORDS:
            continue  # a function or keyword
        names.append(word)
    return names


def label_names(expr, legend):
    labels = set()
    for group in re.findall(r"\b(?:by|without)\s*\(([^)]*)\)", expr):
        labels.update(l.strip() for l in group.split(",") if l.strip())
    for matchers in re.findall(r"\{([^}]*)\}", expr):
        labels.update(re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)", matchers))
    labels.update(re.findall(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}", legend))
    return labels - {"le"}


def parse_metrics(text):
    """/metrics -> {sample name: [label names of each sample]}."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r"([A-Za-z_:][A-Za-z0-9_:]*)(\{([^}]*)\})?\s", line)
        assert m, line
        labels = set(re.findall(r'([A-Za-z_][A-Za-z0-9_]*)="', m.group(3) or ""))
        samples.setdefault(m.group(1), []).append(labels)
    return samples


CONFIG = """
hosted_zones:
  - Name: example.com
    ResourceRecordSets:
      - {{Name: app.example.com, Type: A, SetIdentifier: primary, Failover: PRIMARY,
         HealthCheckId: hc-tcp, TTL: 60, ResourceRecords: [{{Value: 192.0.2.10}}]}}
      - {{Name: app.example.com, Type: A, SetIdentifier: secondary, Failover: SECONDARY,
         TTL: 60, ResourceRecords: [{{Value: 192.0.2.20}}]}}
health_checks:
  hc-tcp:
    HealthCheckConfig: {{Type: TCP, IPAddress: 127.0.0.1, Port: {port}, RequestInterval: 10,
                        FailureThreshold: 3}}
    local: {{interval: 0.2s}}
"""


@pytest.fixture(scope="module")
def sim():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)  # the TCP check's endpoint: connecting is all it needs
    log = os.path.join(tempfile.mkdtemp(prefix="r53sim-grafana-"), "queries.log")
    s = R53Sim(CONFIG.format(port=listener.getsockname()[1]), args=["--query-log", log])
    poll(lambda: s.admin("GET", "/v1/health-checks/hc-tcp")[1].get("has_data"), 10,
         what="first probe")
    for options in ((), ("+tcp",)):
        s.dig("app.example.com", "A", *options)
    s.dig("nope.example.com", "AAAA")
    yield s
    s.stop()
    listener.close()


def test_dashboard_is_well_formed():
    dashboard = load_dashboard()
    assert dashboard["uid"] == "r53sim"
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            continue
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        assert panel["targets"], panel["title"]
        assert {"x", "y", "w", "h"} <= set(panel["gridPos"])


def test_every_metric_and_label_it_queries_is_in_metrics(sim):
    dashboard = load_dashboard()
    status, text = sim.admin("GET", "/metrics")
    assert status == 200
    exported = parse_metrics(text)
    used = set()
    checks = [(title, expr, legend) for title, expr, legend in queries(dashboard)]
    variable = next(v for v in dashboard["templating"]["list"] if v["name"] == "health_check")
    checks.append(("health_check variable",
                   re.sub(r"label_values\((\w+),\s*(\w+)\)", r"\1{\2=~'.*'}",
                          variable["definition"]), ""))
    for title, expr, legend in checks:
        names = metric_names(expr)
        assert names, f"{title}: no metric in {expr}"
        for name in names:
            used.add(name)
            assert name.startswith("r53sim_"), f"{title}: {name} is not r53sim's"
            assert name in exported, f"{title}: {name} is not in /metrics"
            for label in label_names(expr, legend):
                assert any(label in labels for labels in exported[name]), \
                    f"{title}: no {name} sample has the label {label}"
    # Every metric family r53sim exports is on the dashboard.
    families = set(re.findall(r"^# TYPE (\S+) ", text, re.M))
    for family in families:
        assert any(u == family or u.startswith(family + "_") for u in used), \
            f"{family} is exported but not on the dashboard"


def test_prometheus_answers_every_panel_query(sim):
    work = tempfile.mkdtemp(prefix="r53sim-prometheus-")
    port = free_port()
    with open(os.path.join(work, "prometheus.yml"), "w") as f:
        f.write(f"""global: {{scrape_interval: 1s, evaluation_interval: 1s}}
scrape_configs:
  - job_name: r53sim
    static_configs: [{{targets: ["127.0.0.1:{sim.admin_port}"]}}]
""")
    log = open(os.path.join(work, "prometheus.log"), "w")
    prometheus = subprocess.Popen(
        ["prometheus", f"--config.file={work}/prometheus.yml", f"--storage.tsdb.path={work}/data",
         f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
        stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        def ready():
            if prometheus.poll() is not None:
                raise AssertionError(f"prometheus exited with {prometheus.returncode}")
            try:
                return http_json("GET", f"{base}/-/ready", timeout=2)[0] == 200
            except OSError:  # not listening yet
                return False
        poll(ready, 60, interval=0.2, what="Prometheus ready")

        def query(expr):
            expr = expr.replace("$health_check", ".*")
            status, body = http_json(
                "GET", f"{base}/api/v1/query?query={urllib.parse.quote(expr)}", timeout=10)
            assert status == 200 and body["status"] == "success", (expr, body)
            return body["data"]["result"]

        pending = {expr for _, expr, _ in queries(load_dashboard())}
        def all_answered():
            for expr in list(pending):
                if query(expr):
                    pending.discard(expr)
            return not pending
        poll(all_answered, 90, interval=0.5, what=f"data for every query (left: {pending})")
    finally:
        prometheus.terminate()
        try:
            prometheus.wait(20)
        except subprocess.TimeoutExpired:
            prometheus.kill()
            prometheus.wait()
        log.close()
