"""The admin endpoints the client packages (clients/) are built on, against the real binary:
GET /v1/clock, GET /v1/zones, and POST /v1/wait, which returns as soon as the routing core
answers a question with the expected values and never holds up the admin server's other
requests."""
import http.client
import json
import re
import time

import pytest

from harness import Endpoint, R53Sim, poll

CONFIG = """
hosted_zones:
  - Name: example.com
    Id: Z1FIXTURE
    ResourceRecordSets:
      - {{Name: app.example.com, Type: A, SetIdentifier: primary, Failover: PRIMARY,
         HealthCheckId: hc-primary, TTL: 60, ResourceRecords: [{{Value: 192.0.2.1}}]}}
      - {{Name: app.example.com, Type: A, SetIdentifier: secondary, Failover: SECONDARY,
         TTL: 60, ResourceRecords: [{{Value: 192.0.2.2}}]}}
      - {{Name: www.example.com, Type: A, AliasTarget: {{HostedZoneId: Z1FIXTURE,
         DNSName: app.example.com, EvaluateTargetHealth: false}}}}
      - {{Name: docs.example.com, Type: CNAME, TTL: 60, ResourceRecords: [{{Value: app.example.com}}]}}
      - {{Name: geo.example.com, Type: A, SetIdentifier: europe, GeoLocation: {{ContinentCode: EU}},
         TTL: 60, ResourceRecords: [{{Value: 198.51.100.31}}]}}
      - {{Name: geo.example.com, Type: A, SetIdentifier: default, GeoLocation: {{CountryCode: "*"}},
         TTL: 60, ResourceRecords: [{{Value: 192.0.2.31}}]}}
health_checks:
  hc-primary:
    HealthCheckConfig: {{Type: HTTP, IPAddress: 127.0.0.1, Port: {port}, ResourcePath: /health,
                        RequestInterval: 10, FailureThreshold: 2}}
    local: {{interval: 0.2s, connect_timeout: 0.5s, response_timeout: 0.5s}}
local:
  client_locations:
    - {{cidr: 198.51.100.0/24, continent: EU, country: DE}}
"""


@pytest.fixture(scope="module")
def endpoint():
    ep = Endpoint("backend")
    yield ep
    ep.stop()


@pytest.fixture
def sim(endpoint):
    s = R53Sim(CONFIG.format(port=endpoint.port))
    yield s
    s.stop()


@pytest.fixture
def manual(endpoint):
    s = R53Sim(CONFIG.format(port=endpoint.port), args=["--manual-clock"])
    yield s
    s.stop()


def wait_answer(sim, expected, name="app.example.com", timeout="5s", **extra):
    return sim.admin("POST", "/v1/wait", {"name": name, "type": extra.pop("type", "A"),
                                          "expected": expected, "timeout": timeout, **extra})


def test_clock_reports_the_manual_time_after_each_advance(manual):
    assert manual.admin("GET", "/v1/clock") == (200, {"mode": "manual", "now": 0.0, "scale": 1.0})
    assert manual.admin("POST", "/v1/clock/advance", {"seconds": 30})[0] == 200
    assert manual.admin("POST", "/v1/clock/advance", {"seconds": 2.5})[0] == 200
    assert manual.admin("GET", "/v1/clock") == (200, {"mode": "manual", "now": 32.5, "scale": 1.0})


def test_clock_runs_in_real_and_scaled_time(endpoint):
    with R53Sim(CONFIG.format(port=endpoint.port)) as real:
        status, first = real.admin("GET", "/v1/clock")
        assert status == 200 and first["mode"] == "real" and first["scale"] == 1.0
        poll(lambda: real.admin("GET", "/v1/clock")[1]["now"] > first["now"], 5,
             what="real time moving on")
    with R53Sim(CONFIG.format(port=endpoint.port), args=["--time-scale", "0.1"]) as scaled:
        status, body = scaled.admin("GET", "/v1/clock")
        assert status == 200 and body["mode"] == "scaled" and body["scale"] == 0.1
        # Route 53's seconds: ten of them pass for every real second.
        start_real, start = time.monotonic(), body["now"]
        poll(lambda: scaled.admin("GET", "/v1/clock")[1]["now"] - start >= 3, 5,
             what="scaled time moving on")
        assert time.monotonic() - start_real < 3


def test_zones_lists_config_and_api_zones_with_record_counts(sim):
    status, body = sim.admin("GET", "/v1/zones")
    assert status == 200
    # The six record sets of the file plus the apex SOA and NS Route 53 adds.
    assert body["zones"] == [{"id": "Z1FIXTURE", "name": "example.com.", "record_set_count": 8}]

    create = ("<CreateHostedZoneRequest xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">"
              "<Name>api.test</Name><CallerReference>fixture-1</CallerReference>"
              "</CreateHostedZoneRequest>")
    status, _ = sim.admin("POST", "/2013-04-01/hostedzone", create)
    assert status == 201
    status, body = sim.admin("GET", "/v1/zones")
    counts = {z["name"]: z["record_set_count"] for z in body["zones"]}
    assert counts == {"example.com.": 8, "api.test.": 2}
    assert all(re.fullmatch(r"Z[A-Z0-9]+", z["id"]) for z in body["zones"])


def test_wait_returns_the_expected_answer_and_dig_agrees(sim):
    assert wait_answer(sim, ["192.0.2.1"])[1]["matched"] is True
    sim.admin("PUT", "/v1/health-checks/hc-primary/override", {"status": "unhealthy"})
    status, body = wait_answer(sim, ["192.0.2.2"])
    assert status == 200, body
    assert body["matched"] is True and body["values"] == ["192.0.2.2"]
    assert body["rcode"] == "NOERROR"
    assert body["answer"] == ["app.example.com. 60 IN A 192.0.2.2"]
    assert sim.answer("app.example.com") == ["192.0.2.2"]
    # An alias answers with its target's values.
    status, body = wait_answer(sim, ["192.0.2.2"], name="www.example.com")
    assert status == 200 and body["values"] == ["192.0.2.2"]
    # A CNAME's value is the name it points to, with or without the trailing dot.
    status, body = wait_answer(sim, ["app.example.com"], name="docs.example.com", type="CNAME")
    assert status == 200 and body["values"] == ["app.example.com."]
    # Asked for A, a CNAME answer holds no A value: what `dig +short docs.example.com A` shows.
    status, body = wait_answer(sim, [], name="docs.example.com")
    assert status == 200 and body["answer"] == ["docs.example.com. 60 IN CNAME app.example.com."]


def test_wait_follows_the_probes(sim, endpoint):
    sim.admin("GET", "/v1/wait?check=hc-primary&status=healthy&timeout=10s")
    endpoint.set_down(True)
    try:
        status, body = wait_answer(sim, ["192.0.2.2"], timeout="10s")
        assert status == 200, body
        assert sim.answer("app.example.com") == ["192.0.2.2"]
    finally:
        endpoint.set_down(False)
    assert wait_answer(sim, ["192.0.2.1"], timeout="10s")[0] == 200


def test_wait_asks_as_the_given_client(sim):
    status, body = wait_answer(sim, ["198.51.100.31"], name="geo.example.com",
                               client="198.51.100.7")
    assert status == 200 and body["client"] == "198.51.100.7"
    status, body = wait_answer(sim, ["192.0.2.31"], name="geo.example.com", client="192.0.2.7")
    assert status == 200
    assert sim.answer("geo.example.com", "A", "+subnet=198.51.100.7/32") == ["198.51.100.31"]


def test_wait_times_out_with_the_last_answer(sim):
    started = time.monotonic()
    status, body = wait_answer(sim, ["203.0.113.1"], timeout="300ms")
    assert status == 408
    assert time.monotonic() - started >= 0.3
    assert body["error"]["code"] == "Timeout"
    assert body["matched"] is False and body["values"] == ["192.0.2.1"]


def test_wait_refuses_questions_it_cannot_ask(sim):
    status, body = wait_answer(sim, ["192.0.2.1"], type="NOTATYPE")
    assert status == 400 and "NOTATYPE" in body["error"]["message"]
    assert sim.admin("POST", "/v1/wait", {"name": "app.example.com"})[0] == 400


def test_waits_hold_up_no_other_request(sim):
    # More waits in flight than the admin server has threads: a wait that slept on its thread
    # would leave none for the override that satisfies them all.
    body = json.dumps({"name": "app.example.com", "type": "A", "expected": ["192.0.2.2"],
                       "timeout": "20s"})
    waits = []
    for _ in range(4):
        conn = http.client.HTTPConnection("127.0.0.1", sim.admin_port, timeout=25)
        conn.request("POST", "/v1/wait", body, {"Content-Type": "application/json"})
        waits.append(conn)
    started = time.monotonic()
    assert sim.admin("GET", "/healthz", timeout=5)[0] == 200
    status, _ = sim.admin("PUT", "/v1/health-checks/hc-primary/override", {"status": "unhealthy"},
                          timeout=5)
    assert status == 200
    for conn in waits:
        response = conn.getresponse()
        assert response.status == 200
        assert json.loads(response.read())["values"] == ["192.0.2.2"]
        conn.close()
    assert time.monotonic() - started < 15  # none of them ran into its timeout
