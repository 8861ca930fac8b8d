"""The widespread two-region example, pasted as it is: refused by default with AWS's words,
served under --lenient with a warning for each mistake (semantics §4.1)."""
import os
import re
import subprocess

import pytest

from harness import BINARY, SOURCE_DIR, Endpoint, R53Sim, make_certificate

SEED = os.path.join(SOURCE_DIR, "tests", "fixtures", "config", "two-region-failover.txt")


def seed_parts():
    text = open(SEED).read()
    configs = re.findall(r"--health-check-config \\\n\s+(\S+)", text)
    batches = re.findall(r"--change-batch '(\{.*?\})'\n", text, re.S)
    assert len(configs) == 2 and len(batches) == 2
    return configs, batches


@pytest.fixture
def seed_config(tmp_path):
    certdir = tmp_path / "certs"
    certdir.mkdir()
    cert, key = make_certificate(str(certdir), cn="app.example.com")
    endpoints = [Endpoint("us-east-1", cert=cert, key=key), Endpoint("eu-west-1", cert=cert, key=key)]
    configs, batches = seed_parts()
    for i, batch in enumerate(batches):
        (tmp_path / f"batch{i}.json").write_text(batch)
    # The two checks of the example probe FullyQualifiedDomainName=app.example.com:443; locally
    # that name is reached at the first endpoint (the example's own "unpredictable" setup, §1.3).
    cfg = f"""
hosted_zones:
  - Name: example.com
    Id: Z1XXXXXXXXXXXXXX
    ChangeBatches: [batch0.json, batch1.json]
health_checks:
  hc-xxxxxxxxxxxxxx:
    HealthCheckConfig: "{configs[0]}"
    local: {{interval: 0.2s}}
  hc-yyyyyyyyyyyyyy:
    HealthCheckConfig: "{configs[1]}"
    local: {{interval: 0.2s}}
local:
  endpoints: ["app.example.com:443:127.0.0.1:{endpoints[0].port}"]
  alias_targets:
    - {{DNSName: dualstack.my-alb-us-east-1.amazonaws.com, A: [192.0.2.10]}}
    - {{DNSName: dualstack.my-alb-eu-west-1.amazonaws.com, A: [198.51.100.10]}}
"""
    path = tmp_path / "seed.yaml"
    path.write_text(cfg)
    yield str(path), endpoints
    for e in endpoints:
        e.stop()


def test_strict_refuses_the_example_with_aws_messages(seed_config):
    path, _ = seed_config
    r = subprocess.run([BINARY, "check", "-c", path], capture_output=True, text=True, timeout=30)
    assert r.returncode == 1
    assert "but found more than one in Change with [Action=UPSERT, Name=app.example.com., Type=A, SetIdentifier=us-east-1-active]" in r.stderr
    assert 'Unknown parameter in HealthCheckConfig: "RequestTimeout"' in r.stderr
    assert "Invalid length for parameter HealthCheckConfig.Regions, value: 1, valid min length: 3" in r.stderr


def test_lenient_serves_the_example_and_says_how_it_reads_it(seed_config):
    path, endpoints = seed_config
    r = subprocess.run([BINARY, "check", "--lenient", "-c", path], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 0, r.stderr
    assert "Failover wins; Weight ignored" in r.stderr
    assert "local.response_timeout = 10s" in r.stderr
    assert "kept as given" in r.stderr
    with R53Sim(config_path=path, args=["--lenient"]) as sim:
        # Failover, not Weight: the primary alone, never both (§2.3, §4.1 "returns both IPs: wrong").
        assert sim.answer("app.example.com") == ["192.0.2.10"]
        sim.admin("PUT", "/v1/health-checks/hc-xxxxxxxxxxxxxx/override", {"status": "unhealthy"})
        assert sim.answer("app.example.com") == ["198.51.100.10"]
