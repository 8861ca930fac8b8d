"""The two-region scenario end to end: real HTTPS endpoints, real probes, real dig.

Route 53 semantics: failover truth table §2.3, threshold in both directions §1.4 point 2,
timing §7 ("one checker flips between (T-1)*c and T*c after the change").
"""
import tempfile
import time

import pytest

from harness import Endpoint, R53Sim, make_certificate, poll

INTERVAL = 0.5  # seconds between probes of one checker (local override of RequestInterval)
THRESHOLD = 3
TIMEOUT = 0.5  # connect/response timeout of the probes
MARGIN = 0.75  # dig start-up, scheduling on a loaded CI machine

CONFIG = """
hosted_zones:
  - Name: example.com
    ResourceRecordSets:
      - Name: app.example.com
        Type: A
        SetIdentifier: us-east-1
        Failover: PRIMARY
        HealthCheckId: hc-us-east-1
        TTL: 60
        ResourceRecords: [{{Value: 192.0.2.10}}]
      - Name: app.example.com
        Type: A
        SetIdentifier: eu-west-1
        Failover: SECONDARY
        HealthCheckId: hc-eu-west-1
        TTL: 60
        ResourceRecords: [{{Value: 198.51.100.20}}]
health_checks:
  hc-us-east-1:
    HealthCheckConfig:
      Type: HTTPS
      FullyQualifiedDomainName: us-east-1.app.example.com
      Port: 443
      ResourcePath: /health
      RequestInterval: 10
      FailureThreshold: {threshold}
    local: {{interval: {interval}s, connect_timeout: {timeout}s, response_timeout: {timeout}s}}
  hc-eu-west-1:
    HealthCheckConfig:
      Type: HTTPS
      FullyQualifiedDomainName: eu-west-1.app.example.com
      Port: 443
      ResourcePath: /health
      RequestInterval: 10
      FailureThreshold: {threshold}
    local: {{interval: {interval}s, connect_timeout: {timeout}s, response_timeout: {timeout}s}}
local:
  endpoints:
    - "us-east-1.app.example.com:443:127.0.0.1:{primary_port}"
    - "eu-west-1.app.example.com:443:127.0.0.1:{secondary_port}"
"""


@pytest.fixture(scope="module")
def scenario():
    certdir = tempfile.mkdtemp(prefix="r53sim-certs-")
    cert, key = make_certificate(certdir, cn="app.example.com")
    primary = Endpoint("us-east-1", cert=cert, key=key)
    secondary = Endpoint("eu-west-1", cert=cert, key=key)
    sim = R53Sim(CONFIG.format(threshold=THRESHOLD, interval=INTERVAL, timeout=TIMEOUT,
                               primary_port=primary.port, secondary_port=secondary.port))
    # Probes have run and found both endpoints healthy.
    for check in ("hc-us-east-1", "hc-eu-west-1"):
        poll(lambda: sim.admin("GET", f"/v1/health-checks/{check}")[1].get("has_data"), 10,
             what=f"{check} first probe")
    yield sim, primary, secondary
    sim.stop()
    primary.stop()
    secondary.stop()


def answer_is(sim, expected):
    return sim.answer("app.example.com") == expected


def test_primary_answers_alone_while_healthy(scenario):
    sim, _, _ = scenario
    # §2.3 failover: P healthy -> P only, never both (contrary to the example's prose, §4.1).
    out = sim.dig("app.example.com")
    assert "status: NOERROR" in out
    assert " aa" in out.split("flags:")[1].split(";")[0]
    assert sim.answer("app.example.com") == ["192.0.2.10"]


def test_apex_has_route53_default_soa_and_ns(scenario):
    sim, _, _ = scenario
    # §5 apex defaults: 4 awsdns NS and SOA serial 1 7200 900 1209600 86400.
    ns = sim.answer("example.com", "NS")
    assert len(ns) == 4 and all(".awsdns-" in n for n in ns)
    soa = sim.answer("example.com", "SOA")[0].split()
    assert soa[1] == "awsdns-hostmaster.amazon.com."
    assert soa[2:] == ["1", "7200", "900", "1209600", "86400"]


def test_fails_over_after_threshold_and_back_after_recovery(scenario):
    sim, primary, _ = scenario
    assert answer_is(sim, ["192.0.2.10"])

    primary.stop()  # connections to us-east-1 are now refused
    down_at = time.monotonic()
    poll(lambda: answer_is(sim, ["198.51.100.20"]), 15, what="answer moves to the secondary")
    took = time.monotonic() - down_at
    # §7: no checker can flip before (T-1) probe cycles have seen the failure...
    assert took >= (THRESHOLD - 1) * INTERVAL, f"failed over too early: {took:.3f}s"
    # ...and the fleet has flipped by T cycles plus one probe's timeout.
    assert took <= THRESHOLD * INTERVAL + TIMEOUT + MARGIN, f"failed over too late: {took:.3f}s"
    status, body = sim.admin("GET", "/v1/health-checks/hc-us-east-1")
    assert status == 200 and body["status"] == "unhealthy"
    assert "Failure" in body["last_failure"]["status"]

    primary.start()
    up_at = time.monotonic()
    poll(lambda: answer_is(sim, ["192.0.2.10"]), 15, what="answer returns to the primary")
    took = time.monotonic() - up_at
    # §1.4 point 2: recovery also needs FailureThreshold consecutive successes.
    assert took >= (THRESHOLD - 1) * INTERVAL, f"recovered too early: {took:.3f}s"
    assert took <= THRESHOLD * INTERVAL + TIMEOUT + MARGIN + 0.5, f"recovered too late: {took:.3f}s"
    assert "UNHEALTHY -> HEALTHY" in sim.logs() or "unhealthy -> healthy" in sim.logs().lower()


def test_both_unhealthy_answers_primary(scenario):
    sim, primary, secondary = scenario
    poll(lambda: answer_is(sim, ["192.0.2.10"]), 15, what="primary serving")
    primary.set_down(True)
    secondary.set_down(True)
    try:
        for check in ("hc-us-east-1", "hc-eu-west-1"):
            status, _ = sim.admin("GET", f"/v1/wait?check={check}&status=unhealthy&timeout=10s")
            assert status == 200
        # §2.3: both unhealthy -> primary (health never empties an answer, §2.2).
        assert answer_is(sim, ["192.0.2.10"])
    finally:
        primary.set_down(False)
        secondary.set_down(False)
    for check in ("hc-us-east-1", "hc-eu-west-1"):
        assert sim.admin("GET", f"/v1/wait?check={check}&status=healthy&timeout=10s")[0] == 200


def test_outside_zones_refused_and_missing_names_nxdomain(scenario):
    sim, _, _ = scenario
    assert "status: REFUSED" in sim.dig("www.example.org")
    out = sim.dig("nothing.example.com")
    assert "status: NXDOMAIN" in out
    assert "awsdns-hostmaster.amazon.com." in out  # SOA in authority (§5 negative answers)
    assert "status: NOERROR" in sim.dig("app.example.com", "TXT")  # NODATA
