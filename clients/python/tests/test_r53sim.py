"""Every operation of the r53sim package against the real binary (R53SIM_BIN, else found as a
user's would be), each with the way it fails."""
import json
import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import r53sim
from r53sim import (ApiError, BinaryNotFoundError, NotStartedError, R53Sim, R53SimError,
                    StartError, WaitTimeout)

CONFIG = """
hosted_zones:
  - Name: example.com
    Id: Z1CLIENTTEST
    ResourceRecordSets:
      - {{Name: app.example.com, Type: A, SetIdentifier: primary, Failover: PRIMARY,
         HealthCheckId: hc-primary, TTL: 60, ResourceRecords: [{{Value: 192.0.2.10}}]}}
      - {{Name: app.example.com, Type: A, SetIdentifier: secondary, Failover: SECONDARY,
         TTL: 60, ResourceRecords: [{{Value: 198.51.100.20}}]}}
      - {{Name: geo.example.com, Type: A, SetIdentifier: europe, GeoLocation: {{ContinentCode: EU}},
         TTL: 60, ResourceRecords: [{{Value: 198.51.100.31}}]}}
      - {{Name: geo.example.com, Type: A, SetIdentifier: default, GeoLocation: {{CountryCode: "*"}},
         TTL: 60, ResourceRecords: [{{Value: 192.0.2.31}}]}}
      - {{Name: example.com, Type: MX, TTL: 300, ResourceRecords: [{{Value: "10 mail.example.com."}}]}}
      - {{Name: example.com, Type: TXT, TTL: 300, ResourceRecords: [{{Value: '"v=spf1 -all"'}}]}}
health_checks:
  hc-primary:
    HealthCheckConfig: {{Type: HTTP, IPAddress: 127.0.0.1, Port: {port}, ResourcePath: /health,
                        RequestInterval: 30, FailureThreshold: 1,
                        Regions: [us-east-1, us-west-1, eu-west-1]}}
local:
  client_locations:
    - {{cidr: 198.51.100.0/24, continent: EU, country: DE}}
"""


class Backend:
    """A loopback HTTP server whose /health answers 200."""

    def __init__(self):
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200 if self.path == "/health" else 404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def backend():
    b = Backend()
    yield b
    b.close()


@pytest.fixture
def sim(backend):
    with R53Sim(config=CONFIG.format(port=backend.port), args=["--manual-clock"]) as s:
        yield s


# --- start, stop, attach, the binary ------------------------------------------------------------

def test_start_serves_on_free_loopback_ports_and_stops_cleanly(backend, tmp_path):
    path = tmp_path / "r53sim.yaml"
    path.write_text(CONFIG.format(port=backend.port))
    s = R53Sim(config=path).start()
    host, port = s.dns_address
    assert host == "127.0.0.1" and port > 0
    assert s.admin_url.startswith("http://127.0.0.1:")
    assert s.resolve("app.example.com").values == ["192.0.2.10"]
    assert s.stop() == 0
    with pytest.raises(NotStartedError):
        s.resolve("app.example.com")


def test_calls_before_start_fail_as_not_started(backend):
    s = R53Sim(config=CONFIG.format(port=backend.port))
    for call in (lambda: s.dns_address, lambda: s.clock(), lambda: s.set_health("hc", "healthy"),
                 lambda: s.wait_for_answer("app.example.com", "A", [])):
        with pytest.raises(NotStartedError):
            call()


def test_an_invalid_config_fails_start_with_the_servers_own_words():
    bad = "hosted_zones:\n  - Name: example.com\n    Bogus: 1\n"
    with pytest.raises(StartError) as e:
        R53Sim(config=bad).start()
    assert e.value.exit_code == 1
    assert "Bogus" in e.value.log
    with pytest.raises(R53SimError, match="nonexistent.yaml"):
        R53Sim(config="/nonexistent.yaml").start()


def test_a_config_dict_is_served():
    config = {"hosted_zones": [{"Name": "dict.test", "ResourceRecordSets": [
        {"Name": "a.dict.test", "Type": "A", "TTL": 5, "ResourceRecords": [{"Value": "192.0.2.5"}]}]}]}
    with R53Sim(config=config) as s:
        assert s.resolve("a.dict.test").records == [r53sim.Record("a.dict.test.", "A", 5, "192.0.2.5")]


def test_the_binary_is_found_from_r53sim_bin_then_path_then_the_build_tree(monkeypatch, tmp_path):
    real = os.environ["R53SIM_BIN"]
    assert r53sim.find_binary() == os.path.abspath(real)
    monkeypatch.setenv("R53SIM_BIN", str(tmp_path / "missing"))
    with pytest.raises(BinaryNotFoundError):
        R53Sim(config={}).start()

    monkeypatch.delenv("R53SIM_BIN")
    on_path = tmp_path / "bin"
    on_path.mkdir()
    (on_path / "r53sim").symlink_to(real)
    monkeypatch.setenv("PATH", f"{on_path}:/usr/bin:/bin")
    assert r53sim.find_binary() == str(on_path / "r53sim")

    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    tree = tmp_path / "checkout"
    (tree / "build" / "server").mkdir(parents=True)
    (tree / "build" / "server" / "r53sim").symlink_to(real)
    (tree / "tests").mkdir()
    monkeypatch.chdir(tree / "tests")
    assert r53sim.find_binary() == str(tree / "build" / "server" / "r53sim")


def test_attach_drives_a_running_server_and_leaves_it_running(sim):
    host, port = sim.dns_address
    attached = R53Sim.attach(sim.admin_url, dns=f"{host}:{port}")
    attached.set_health("hc-primary", "unhealthy")
    assert attached.resolve("app.example.com").values == ["198.51.100.20"]
    assert attached.stop() is None
    assert sim.clock().mode == "manual"  # still serving


def test_attach_to_nothing_fails():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(R53SimError):
        R53Sim.attach(f"http://127.0.0.1:{port}")


# --- DNS ----------------------------------------------------------------------------------------

def test_resolve_over_udp_and_tcp_and_as_a_client(sim):
    answer = sim.resolve("app.example.com", "A")
    assert answer.rcode == "NOERROR"
    assert answer.records == [r53sim.Record("app.example.com.", "A", 60, "192.0.2.10")]
    assert sim.resolve("app.example.com", tcp=True).values == ["192.0.2.10"]
    assert sim.resolve("geo.example.com", client="198.51.100.7").values == ["198.51.100.31"]
    assert sim.resolve("geo.example.com", client="192.0.2.0/24").values == ["192.0.2.31"]
    assert sim.resolve("example.com", "MX").values == ["10 mail.example.com."]
    assert sim.resolve("example.com", "TXT").values == ['"v=spf1 -all"']
    missing = sim.resolve("nothing.example.com")
    assert missing.rcode == "NXDOMAIN" and missing.values == []
    assert missing.authority[0].type == "SOA"
    assert sim.resolve("example.org").rcode == "REFUSED"
    with pytest.raises(ValueError):
        sim.resolve("app.example.com", "NOTATYPE")


def test_explain_gives_the_routing_trace(sim):
    e = sim.explain("app.example.com", "A")
    assert e["answer"] == ["app.example.com. 60 IN A 192.0.2.10"]
    assert any("failover" in step for step in e["trace"])
    assert sim.explain("geo.example.com", client="198.51.100.7")["client"] == "198.51.100.7"
    with pytest.raises(ApiError) as err:
        sim.explain("app.example.com", "NOTATYPE")
    assert err.value.status == 400


# --- health -------------------------------------------------------------------------------------

def test_set_health_forces_and_auto_returns_to_the_probes(sim):
    assert sim.set_health("hc-primary", "unhealthy")["forced"] == "unhealthy"
    assert sim.resolve("app.example.com").values == ["198.51.100.20"]
    assert sim.health("hc-primary")["status"] == "unhealthy"
    assert sim.set_health("hc-primary", "auto")["forced"] is None
    assert sim.resolve("app.example.com").values == ["192.0.2.10"]


def test_set_health_of_an_unknown_check_fails(sim):
    with pytest.raises(ApiError) as e:
        sim.set_health("hc-nope", "unhealthy")
    assert (e.value.status, e.value.code) == (404, "NoSuchHealthCheck")
    with pytest.raises(ValueError):
        sim.set_health("hc-primary", "sideways")


def test_set_health_per_checker_lets_the_fleet_rule_decide(sim):
    sim.advance(0)
    sim.wait_for_health("hc-primary", "healthy", timeout=5)
    # Two of six checkers failing: 67 % healthy, above Route 53's 18 %.
    sim.set_health("hc-primary", "unhealthy", checkers=["us-east-1"])
    sim.advance(30)
    status = sim.health("hc-primary")
    assert status["status"] == "healthy" and round(status["percentage_healthy"]) == 67
    sim.set_health("hc-primary", "timeout", checkers=["us-west-1", ("eu-west-1", 0), ("eu-west-1", 1)])
    sim.advance(30)
    sim.wait_for_health("hc-primary", "unhealthy", timeout=5)
    assert sim.resolve("app.example.com").values == ["198.51.100.20"]
    # One checker back: 1 of 6 is 17 %, still below 18 %.
    sim.set_health("hc-primary", "auto", checkers=[("eu-west-1", 1)])
    sim.advance(30)
    assert sim.health("hc-primary")["status"] == "unhealthy"
    sim.set_health("hc-primary", "auto", checkers=["us-east-1", "us-west-1", "eu-west-1"])
    sim.advance(30)
    assert sim.wait_for_health("hc-primary", "healthy", timeout=5)["status"] == "healthy"
    with pytest.raises(ApiError) as e:
        sim.set_health("hc-primary", "unhealthy", checkers=["mars-north-1"])
    assert e.value.status == 404


def test_wait_for_health_times_out_or_knows_no_such_check(sim):
    with pytest.raises(WaitTimeout) as e:
        sim.wait_for_health("hc-primary", "unhealthy", timeout=0.2)
    assert e.value.last["status"] == "healthy"
    with pytest.raises(ApiError) as err:
        sim.wait_for_health("hc-nope", "healthy", timeout=0.2)
    assert err.value.code == "NoSuchHealthCheck"


# --- waiting for answers ------------------------------------------------------------------------

def test_wait_for_answer_returns_once_dns_gives_the_expected_values(sim):
    result = sim.wait_for_answer("app.example.com", "A", ["192.0.2.10"], timeout=5)
    assert result.values == ["192.0.2.10"] and result.rcode == "NOERROR"
    sim.set_health("hc-primary", "unhealthy")
    assert sim.wait_for_answer("app.example.com", "A", ["198.51.100.20"]).values == ["198.51.100.20"]
    assert sim.wait_for_answer("geo.example.com", "A", ["198.51.100.31"],
                               client="198.51.100.7").values == ["198.51.100.31"]


def test_wait_for_answer_times_out_with_the_last_answer(sim):
    with pytest.raises(WaitTimeout) as e:
        sim.wait_for_answer("app.example.com", "A", ["203.0.113.1"], timeout=0.2)
    assert isinstance(e.value, TimeoutError)
    assert e.value.last["values"] == ["192.0.2.10"]


# --- clock --------------------------------------------------------------------------------------

def test_clock_and_advance(sim):
    assert sim.clock() == r53sim.Clock("manual", 0.0, 1.0)
    assert sim.advance(30).now == 30.0
    assert sim.advance(2.5) == r53sim.Clock("manual", 32.5, 1.0)


def test_advance_needs_the_manual_clock(backend):
    with R53Sim(config=CONFIG.format(port=backend.port), args=["--time-scale", "0.5"]) as s:
        assert s.clock().mode == "scaled" and s.clock().scale == 0.5
        with pytest.raises(ApiError) as e:
            s.advance(30)
        assert (e.value.status, e.value.code) == (409, "NotManualClock")


# --- records ------------------------------------------------------------------------------------

def test_zones_and_apply_change_batch(sim, tmp_path):
    assert sim.zones() == [r53sim.Zone("Z1CLIENTTEST", "example.com.", 8)]
    batch = {"Comment": "new", "Changes": [{"Action": "CREATE", "ResourceRecordSet": {
        "Name": "new.example.com", "Type": "A", "TTL": 30,
        "ResourceRecords": [{"Value": "192.0.2.77"}, {"Value": "192.0.2.78"}]}}]}
    change = sim.apply_change_batch("example.com", batch)
    assert change["Status"] in ("PENDING", "INSYNC") and change["Id"]
    assert sim.resolve("new.example.com").values == ["192.0.2.77", "192.0.2.78"]
    assert sim.zones()[0].record_set_count == 9
    # By id, from a file, as the aws CLI takes it.
    path = tmp_path / "delete.json"
    path.write_text(json.dumps({"Changes": [{"Action": "DELETE", "ResourceRecordSet": batch[
        "Changes"][0]["ResourceRecordSet"]}]}))
    sim.apply_change_batch("Z1CLIENTTEST", str(path))
    assert sim.resolve("new.example.com").rcode == "NXDOMAIN"


def test_a_change_batch_route53_rejects_fails_whole(sim):
    batch = {"Changes": [{"Action": "CREATE", "ResourceRecordSet": {
        "Name": "app.example.com", "Type": "CNAME", "TTL": 30,
        "ResourceRecords": [{"Value": "elsewhere.example.net"}]}}]}
    with pytest.raises(ApiError) as e:
        sim.apply_change_batch("example.com", batch)
    assert (e.value.status, e.value.code) == (400, "InvalidChangeBatch")
    with pytest.raises(R53SimError):
        sim.apply_change_batch("nowhere.test", batch)


def test_load_zone_creates_a_zone_and_upserts_its_records(sim):
    zone_id = sim.load_zone("loaded.test", [
        {"Name": "www.loaded.test", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.90"}]}])
    assert zone_id.startswith("Z")
    assert sim.resolve("www.loaded.test").values == ["192.0.2.90"]
    again = sim.load_zone("loaded.test.", [
        {"Name": "www.loaded.test", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.91"}]}])
    assert again == zone_id
    assert sim.resolve("www.loaded.test").values == ["192.0.2.91"]
    assert {z.name for z in sim.zones()} == {"example.com.", "loaded.test."}
    with pytest.raises(ApiError) as e:  # a record outside the zone
        sim.load_zone("loaded.test", [{"Name": "www.elsewhere.test", "Type": "A", "TTL": 60,
                                       "ResourceRecords": [{"Value": "192.0.2.1"}]}])
    assert e.value.code == "InvalidChangeBatch"


def test_api_endpoint_and_a_boto3_client(sim):
    endpoint = sim.api_endpoint
    assert endpoint.url == sim.admin_url and endpoint.region == "us-east-1"
    client = sim.route53_client()
    zones = client.list_hosted_zones()["HostedZones"]
    assert [z["Name"] for z in zones] == ["example.com."]


# --- the pytest plugin --------------------------------------------------------------------------

def test_the_pytest_plugin_gives_a_fixture_from_the_marker_or_a_fixture(pytester, backend):
    pytester.makefile(".yaml", r53sim=CONFIG.format(port=backend.port))
    pytester.makepyfile(test_inner='''
import pytest

@pytest.mark.r53sim_config("r53sim.yaml", args=["--manual-clock"])
def test_marker(r53sim):
    assert r53sim.clock().mode == "manual"
    r53sim.set_health("hc-primary", "unhealthy")
    r53sim.wait_for_answer("app.example.com", "A", ["198.51.100.20"])

def test_without_a_marker_the_config_is_empty(r53sim):
    assert r53sim.zones() == []

class TestOverride:
    @pytest.fixture
    def r53sim_config(self):
        return "hosted_zones: [{Name: fixture.test}]\\n"

    def test_fixture_override(self, r53sim):
        assert [z.name for z in r53sim.zones()] == ["fixture.test."]
''')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_the_plugin_fails_a_test_whose_server_died(pytester):
    pytester.makepyfile(test_inner='''
import os, signal

def test_kill(r53sim):
    os.kill(r53sim._process.pid, signal.SIGKILL)
    r53sim._process.wait()
''')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*r53sim exited with status -9*"])
