"""The admin API drives failover without sleeps: overrides, explain, wait, reload, clock, metrics."""
import os
import re
import subprocess
import tempfile

import pytest

from harness import Endpoint, R53Sim, poll

CONFIG = """
hosted_zones:
  - Name: example.com
    ResourceRecordSets:
      - {{Name: app.example.com, Type: A, SetIdentifier: primary, Failover: PRIMARY,
         HealthCheckId: hc-primary, TTL: 60, ResourceRecords: [{{Value: 192.0.2.1}}]}}
      - {{Name: app.example.com, Type: A, SetIdentifier: secondary, Failover: SECONDARY,
         HealthCheckId: hc-secondary, TTL: 60, ResourceRecords: [{{Value: 192.0.2.2}}]}}
{extra_records}
health_checks:
  hc-primary:
    HealthCheckConfig: {{Type: HTTP, IPAddress: 127.0.0.1, Port: {port}, ResourcePath: /health,
                        FailureThreshold: 2}}
    local: {{interval: 0.2s, connect_timeout: 0.5s, response_timeout: 0.5s}}
  hc-secondary:
    HealthCheckConfig: {{Type: HTTP, IPAddress: 127.0.0.1, Port: {port}, ResourcePath: /health,
                        FailureThreshold: 2}}
    local: {{interval: 0.2s, connect_timeout: 0.5s, response_timeout: 0.5s}}
"""


@pytest.fixture(scope="module")
def endpoint():
    ep = Endpoint("backend")
    yield ep
    ep.stop()


@pytest.fixture(scope="module")
def sim(endpoint):
    s = R53Sim(CONFIG.format(port=endpoint.port, extra_records=""))
    for check in ("hc-primary", "hc-secondary"):
        poll(lambda: s.admin("GET", f"/v1/health-checks/{check}")[1]["has_data"], 10,
             what="first probe")
    yield s
    s.stop()


def test_healthz_and_readyz(sim):
    assert sim.admin("GET", "/healthz") == (200, {"status": "ok"})
    assert sim.admin("GET", "/readyz")[0] == 200


def test_override_flips_the_very_next_answer_and_delete_restores(sim):
    assert sim.answer("app.example.com") == ["192.0.2.1"]
    status, body = sim.admin("PUT", "/v1/health-checks/hc-primary/override", {"status": "unhealthy"})
    assert status == 200 and body["forced"] == "unhealthy" and body["status"] == "unhealthy"
    # No polling: the override is published before the API call returns.
    assert sim.answer("app.example.com") == ["192.0.2.2"]
    status, body = sim.admin("DELETE", "/v1/health-checks/hc-primary/override")
    assert status == 200 and body["forced"] is None
    assert sim.answer("app.example.com") == ["192.0.2.1"]


def test_probes_keep_running_under_an_override(sim, endpoint):
    sim.admin("PUT", "/v1/health-checks/hc-primary/override", {"status": "healthy"})
    try:
        endpoint.set_down(True)
        # The forced verdict stands while the real measurement is visible beside it.
        poll(lambda: sim.admin("GET", "/v1/health-checks/hc-primary")[1]["measured_healthy"] is False,
             10, what="measured state follows the probes")
        assert sim.admin("GET", "/v1/health-checks/hc-primary")[1]["status"] == "healthy"
        assert sim.answer("app.example.com") == ["192.0.2.1"]
    finally:
        endpoint.set_down(False)
        sim.admin("DELETE", "/v1/health-checks/hc-primary/override")
    # Both checks probe the same endpoint: wait for both to recover.
    for check in ("hc-primary", "hc-secondary"):
        assert sim.admin("GET", f"/v1/wait?check={check}&status=healthy&timeout=10s")[0] == 200


def test_explain_shows_fail_open(sim):
    for check in ("hc-primary", "hc-secondary"):
        sim.admin("PUT", f"/v1/health-checks/{check}/override", {"status": "unhealthy"})
    try:
        status, body = sim.admin("GET", "/v1/explain?name=app.example.com&type=A")
        assert status == 200
        assert body["rcode"] == "NOERROR"
        assert any("192.0.2.1" in line for line in body["answer"])  # §2.3 both unhealthy -> P
        trace = "\n".join(body["trace"]).lower()
        assert "fail-open" in trace or "all unhealthy" in trace, trace
        assert "primary" in trace and "secondary" in trace
    finally:
        for check in ("hc-primary", "hc-secondary"):
            sim.admin("DELETE", f"/v1/health-checks/{check}/override")


def test_wait_returns_at_the_transition_and_times_out_otherwise(sim, endpoint):
    assert sim.admin("GET", "/v1/wait?check=hc-secondary&status=healthy&timeout=10s")[0] == 200
    status, body = sim.admin("GET", "/v1/wait?check=hc-secondary&status=unhealthy&timeout=300ms")
    assert status == 408 and body["error"]["code"] == "Timeout"
    endpoint.set_down(True)
    try:
        status, body = sim.admin("GET", "/v1/wait?check=hc-secondary&status=unhealthy&timeout=10s")
        assert status == 200 and body["status"] == "unhealthy"
    finally:
        endpoint.set_down(False)
    assert sim.admin("GET", "/v1/wait?check=hc-secondary&status=healthy&timeout=10s")[0] == 200


@pytest.mark.parametrize("method,path,body,code,error", [
    ("GET", "/v1/health-checks/nope", None, 404, "NoSuchHealthCheck"),
    ("PUT", "/v1/health-checks/nope/override", {"status": "healthy"}, 404, "NoSuchHealthCheck"),
    ("PUT", "/v1/health-checks/hc-primary/override", "{not json", 400, "BadJson"),
    ("PUT", "/v1/health-checks/hc-primary/override", {"status": "sideways"}, 400, "BadStatus"),
    ("GET", "/v1/nothing-here", None, 404, "NoSuchRoute"),
    ("POST", "/v1/health-checks", None, 405, "MethodNotAllowed"),
    ("GET", "/v1/reload", None, 405, "MethodNotAllowed"),
    ("GET", "/v1/wait?check=hc-primary", None, 400, "BadRequest"),
    ("GET", "/v1/explain", None, 400, "BadRequest"),
    ("POST", "/v1/clock/advance", {"seconds": 1}, 409, "NotManualClock"),
])
def test_error_paths(sim, method, path, body, code, error):
    status, reply = sim.admin(method, path, body)
    assert status == code
    assert reply["error"]["code"] == error and reply["error"]["message"]


def metric_value(text, name, labels=""):
    for line in text.splitlines():
        if line.startswith(name + ("{" if labels else " ")) and labels in line:
            return float(line.rsplit(" ", 1)[1])
    return None


def test_metrics_pass_promtool_and_move(sim):
    before = sim.admin("GET", "/metrics")[1]
    lint = subprocess.run(["promtool", "check", "metrics"], input=before, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    q0 = metric_value(before, "r53sim_dns_queries_total", 'qtype="A"')
    for _ in range(5):
        sim.answer("app.example.com")
    after = sim.admin("GET", "/metrics")[1]
    assert metric_value(after, "r53sim_dns_queries_total", 'qtype="A"') >= q0 + 5
    assert metric_value(after, "r53sim_health_check_status", 'health_check_id="hc-primary"') == 1
    assert metric_value(after, "r53sim_build_info", "version") == 1
    # Probes keep running between the two scrapes (every 0.2 s).
    probes = 'health_check_id="hc-primary",type="HTTP",result="success"'
    assert metric_value(after, "r53sim_health_probes_total", probes) > 0
    assert metric_value(after, "r53sim_health_probe_duration_seconds_count",
                        'health_check_id="hc-primary"') > 0


def test_manual_clock_flips_exactly_at_the_threshold(endpoint):
    # RequestInterval (default 30 s, §1.2) on the manual clock: the single checker's first probe
    # is due at time 0 and runs on the first advance (advance 0 included); each later one is due
    # exactly one interval after the previous (healthcheck/clock.hpp).
    cfg = CONFIG.format(port=endpoint.port, extra_records="").replace("interval: 0.2s, ", "")
    # The secondary probes its own endpoint, which stays up: failover needs a healthy secondary.
    standby = Endpoint("standby")
    head, tail = cfg.split("  hc-secondary:")
    cfg = head + "  hc-secondary:" + tail.replace(f"Port: {endpoint.port}", f"Port: {standby.port}")
    cfg += "local: {fleet: {single_checker: true}}\n"
    with R53Sim(cfg, args=["--manual-clock"]) as s:
        endpoint.set_down(True)
        try:
            # FailureThreshold 2 (§1.4 point 2): one failed probe changes nothing, the second flips.
            assert s.admin("POST", "/v1/clock/advance", {"seconds": 0})[0] == 200
            first = s.admin("GET", "/v1/health-checks/hc-primary")[1]
            assert first["status"] == "healthy"
            assert first["observations"][0]["consecutive_failures"] == 1
            assert s.answer("app.example.com") == ["192.0.2.1"]
            assert s.admin("POST", "/v1/clock/advance", {"seconds": 30})[0] == 200
            second = s.admin("GET", "/v1/health-checks/hc-primary")[1]
            assert second["status"] == "unhealthy"
            assert second["observations"][0]["consecutive_failures"] == 2
            assert s.answer("app.example.com") == ["192.0.2.2"]
            # Exactly one probe per interval from then on.
            assert s.admin("POST", "/v1/clock/advance", {"seconds": 30})[0] == 200
            third = s.admin("GET", "/v1/health-checks/hc-primary")[1]
            assert third["observations"][0]["consecutive_failures"] == 3
            standby_status = s.admin("GET", "/v1/health-checks/hc-secondary")[1]
            assert standby_status["status"] == "healthy"
            assert standby_status["observations"][0]["consecutive_successes"] == 3
        finally:
            endpoint.set_down(False)
            standby.stop()


def test_reload_under_load_loses_nothing_and_bad_config_changes_nothing(endpoint):
    with R53Sim(CONFIG.format(port=endpoint.port, extra_records="")) as s:
        queries = os.path.join(s.dir, "queries.txt")
        with open(queries, "w") as f:
            f.write("app.example.com A\nexample.com SOA\n")
        perf = subprocess.Popen(["dnsperf", "-s", "127.0.0.1", "-p", str(s.dns_port), "-d", queries,
                                 "-l", "4", "-Q", "2000", "-t", "2"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            extra = "      - {Name: new.example.com, Type: A, TTL: 60, ResourceRecords: [{Value: 192.0.2.99}]}"
            with open(s.config_path, "w") as f:
                f.write(CONFIG.format(port=endpoint.port, extra_records=extra))
            status, body = s.admin("POST", "/v1/reload")
            assert status == 200 and body["ok"], body
            assert s.answer("new.example.com") == ["192.0.2.99"]
            with open(s.config_path, "w") as f:
                f.write("hosted_zones:\n  - Name: example.com\n    Nonsense: true\n")
            status, body = s.admin("POST", "/v1/reload")
            assert status == 422 and not body["ok"] and any("Nonsense" in e for e in body["errors"])
            assert s.answer("new.example.com") == ["192.0.2.99"]  # the old config keeps serving
        finally:
            out, _ = perf.communicate(timeout=30)
        sent = int(re.search(r"Queries sent:\s+(\d+)", out).group(1))
        lost = int(re.search(r"Queries lost:\s+(\d+)", out).group(1))
        assert sent > 1000, out
        assert lost == 0, out
        assert re.search(r"NOERROR\s+(\d+)", out), out
        metrics = s.admin("GET", "/metrics")[1]
        assert metric_value(metrics, "r53sim_config_reloads_total") == 1
        assert metric_value(metrics, "r53sim_config_reload_failures_total") == 1
