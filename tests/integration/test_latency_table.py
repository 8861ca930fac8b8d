"""local.latency: latency routing a test can steer (semantics §2.3 Latency, §2.4 client location,
§8 point 15), seen through real dig - the ECS prefix (+subnet=) and, without it, the resolver's
own address (dig -b 127.0.0.x) - plus /v1/explain, TestDNSAnswer and `r53sim check`. And aliases
that honour HostedZoneId across served zones (§3, "Obs errors")."""
import json
import os
import subprocess
import tempfile

from harness import BINARY, R53Sim

AWS = "/usr/bin/aws"

CONFIG = """
hosted_zones:
  - Name: example.com
    Id: ZLATENCY
    ResourceRecordSets:
      - {Name: app.example.com, Type: A, SetIdentifier: use1, Region: us-east-1,
         HealthCheckId: hc-use1, TTL: 60, ResourceRecords: [{Value: 192.0.2.1}]}
      - {Name: app.example.com, Type: A, SetIdentifier: euw1, Region: eu-west-1,
         HealthCheckId: hc-euw1, TTL: 60, ResourceRecords: [{Value: 192.0.2.2}]}
      - {Name: app.example.com, Type: A, SetIdentifier: apse1, Region: ap-southeast-1,
         HealthCheckId: hc-apse1, TTL: 60, ResourceRecords: [{Value: 192.0.2.3}]}
      # An alias into the other served zone, named by its HostedZoneId (§3).
      - {Name: www.example.com, Type: A,
         AliasTarget: {HostedZoneId: ZSHARED, DNSName: lb.shared.test, EvaluateTargetHealth: true}}
  - Name: shared.test
    Id: ZSHARED
    ResourceRecordSets:
      - {Name: lb.shared.test, Type: A, TTL: 30, ResourceRecords: [{Value: 198.51.100.1}]}
health_checks:
  hc-use1: &alarm
    HealthCheckConfig: {Type: CLOUDWATCH_METRIC, AlarmIdentifier: {Region: us-east-1, Name: a},
                        InsufficientDataHealthStatus: Healthy}
    local: {state: OK}
  hc-euw1: *alarm
  hc-apse1: *alarm
local:
  latency:
    - {client: 203.0.113.0/24, regions: [eu-west-1, us-east-1]}
    - {client: 127.0.0.2, regions: [ap-southeast-1, eu-west-1]}
    - {client: "2001:db8::/32", regions: [ap-southeast-1]}
    - {client: default, regions: [us-east-1]}
"""

USE1, EUW1, APSE1 = "192.0.2.1", "192.0.2.2", "192.0.2.3"


def dig(sim, name, *options):
    cmd = ["dig", "@127.0.0.1", "-p", str(sim.dns_port), name, "A", "+norec", "+time=2",
           "+tries=1", "+short", *options]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=15)
    assert out.returncode == 0, out.stderr
    return [line for line in out.stdout.splitlines() if line and not line.startswith(";")]


def force(sim, check, status):
    if status == "auto":  # back to the check's own state
        assert sim.admin("DELETE", f"/v1/health-checks/{check}/override")[0] in (200, 204)
        return
    assert sim.admin("PUT", f"/v1/health-checks/{check}/override", {"status": status})[0] == 200


def explain(sim, client):
    status, body = sim.admin("GET", f"/v1/explain?name=app.example.com&type=A&client={client}")
    assert status == 200, body
    return body


def aws(sim, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))}
    env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE="/dev/null",
               AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_PAGER="")
    cmd = [AWS, "--endpoint-url", f"http://127.0.0.1:{sim.admin_port}", "--no-cli-pager",
           "--output", "json", "route53", *args]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)


def test_the_table_steers_ecs_and_resolver_addresses():
    with R53Sim(CONFIG) as sim:
        assert dig(sim, "app.example.com", "+subnet=203.0.113.0/24") == [EUW1]
        assert dig(sim, "app.example.com", "+subnet=2001:db8:5::/48") == [APSE1]
        # No ECS: the resolver's own address is the client (§2.4).
        assert dig(sim, "app.example.com", "-b", "127.0.0.2") == [APSE1]
        assert dig(sim, "app.example.com", "-b", "127.0.0.3") == [USE1]  # the default entry
        # ECS wins over the address the query came from.
        assert dig(sim, "app.example.com", "-b", "127.0.0.2", "+subnet=203.0.113.0/24") == [EUW1]


def test_failover_goes_down_the_list_then_by_distance():
    with R53Sim(CONFIG) as sim:
        ecs = "+subnet=203.0.113.0/24"
        force(sim, "hc-euw1", "unhealthy")
        assert dig(sim, "app.example.com", ecs) == [USE1]  # second in the list
        assert dig(sim, "app.example.com", "-b", "127.0.0.2") == [APSE1]  # its own list: untouched
        force(sim, "hc-use1", "unhealthy")
        assert dig(sim, "app.example.com", ecs) == [APSE1]  # the list is used up: by distance
        force(sim, "hc-apse1", "unhealthy")
        assert dig(sim, "app.example.com", ecs) == [EUW1]  # all unhealthy: the first listed
        force(sim, "hc-euw1", "auto")
        assert dig(sim, "app.example.com", ecs) == [EUW1]


def test_explain_names_the_entry_used():
    with R53Sim(CONFIG) as sim:
        body = explain(sim, "203.0.113.7")
        assert body["answer"] == ["app.example.com. 60 IN A 192.0.2.2"]
        assert ("latency: client 203.0.113.7 matched 203.0.113.0/24 -> [eu-west-1, us-east-1]; "
                "chose eu-west-1") in body["trace"], body["trace"]
        force(sim, "hc-euw1", "unhealthy")
        trace = explain(sim, "203.0.113.7")["trace"]
        assert "latency: candidate 'euw1', health check hc-euw1 unhealthy" in trace, trace
        assert ("latency: client 203.0.113.7 matched 203.0.113.0/24 -> [eu-west-1, us-east-1]; "
                "chose us-east-1") in trace, trace
        trace = explain(sim, "198.51.100.9")["trace"]
        assert "latency: client 198.51.100.9 matched default -> [us-east-1]; chose us-east-1" \
            in trace, trace
        # The dashboard's client picker offers the table's clients.
        clients = [c["address"] for c in sim.admin("GET", "/v1/answers")[1]["clients"]]
        assert "203.0.113.0" in clients and "2001:db8::" in clients, clients


def test_test_dns_answer_uses_the_table():  # §2.4: TestDNSAnswer locates the client the same way
    with R53Sim(CONFIG) as sim:
        def answer(*args):
            p = aws(sim, "test-dns-answer", "--hosted-zone-id", "ZLATENCY", "--record-name",
                    "app.example.com", "--record-type", "A", *args)
            assert p.returncode == 0, p.stderr
            return json.loads(p.stdout)["RecordData"]
        assert answer("--edns0-client-subnet-ip", "203.0.113.7") == [EUW1]
        assert answer("--resolver-ip", "127.0.0.2") == [APSE1]
        assert answer("--resolver-ip", "192.0.2.200") == [USE1]


def test_alias_resolves_in_the_zone_its_hosted_zone_id_names():
    with R53Sim(CONFIG) as sim:
        assert dig(sim, "www.example.com") == ["198.51.100.1"]
        status, body = sim.admin("GET", "/v1/explain?name=www.example.com&type=A")
        assert "alias to lb.shared.test. A (simple, EvaluateTargetHealth=true)" in body["trace"], body

        batch = json.dumps({"Changes": [{"Action": "CREATE", "ResourceRecordSet": {
            "Name": "api.example.com", "Type": "A", "AliasTarget": {
                "HostedZoneId": "ZLATENCY", "DNSName": "lb.shared.test",
                "EvaluateTargetHealth": False}}}]})
        p = aws(sim, "change-resource-record-sets", "--hosted-zone-id", "ZLATENCY",
                "--change-batch", batch)
        assert p.returncode != 0
        assert p.stderr.strip().splitlines()[0] == (
            "An error occurred (InvalidChangeBatch) when calling the ChangeResourceRecordSets "
            "operation: [Tried to create an alias that targets lb.shared.test., type A in zone "
            "ZLATENCY, but the alias target name does not lie within the target zone "
            "(lb.shared.test. lies in zone shared.test., HostedZoneId ZSHARED)]"), p.stderr
        p = aws(sim, "change-resource-record-sets", "--hosted-zone-id", "ZLATENCY",
                "--change-batch", batch.replace('"ZLATENCY"', '"ZSHARED"'))
        assert p.returncode == 0, p.stderr
        assert dig(sim, "api.example.com") == ["198.51.100.1"]


def check_first_line(text):
    directory = tempfile.mkdtemp(prefix="r53sim-latency-")
    path = os.path.join(directory, "bad.yaml")
    with open(path, "w") as f:
        f.write(text)
    r = subprocess.run([BINARY, "check", "-c", path], capture_output=True, text=True, timeout=30)
    assert r.returncode == 1, r.stdout + r.stderr
    return r.stderr.splitlines()[0].replace(path, "bad.yaml")


def test_check_names_a_misspelt_region():
    bad = CONFIG.replace("[eu-west-1, us-east-1]", "[eu-wset-1, us-east-1]")
    line = bad.splitlines().index("    - {client: 203.0.113.0/24, regions: [eu-wset-1, us-east-1]}") + 1
    assert check_first_line(bad) == (
        f"bad.yaml:{line}: error: InvalidConfig: unknown latency region 'eu-wset-1' in "
        "local.latency[0].regions (did you mean 'eu-west-1'?)")


def test_check_names_a_bad_or_repeated_client():
    bad = CONFIG.replace("client: 127.0.0.2,", "client: 127.0.0.2/33,")
    line = [i for i, l in enumerate(bad.splitlines(), 1) if "127.0.0.2/33" in l][0]
    assert check_first_line(bad) == (
        f"bad.yaml:{line}: error: InvalidConfig: invalid CIDR in local.latency[1].client: "
        "'127.0.0.2/33' has an invalid prefix length (0-32 for IPv4)")
    twice = CONFIG.replace("client: 127.0.0.2,", "client: 203.0.113.0/24,")
    first = [i for i, l in enumerate(twice.splitlines(), 1) if "203.0.113.0/24" in l]
    assert check_first_line(twice) == (
        f"bad.yaml:{first[1]}: error: InvalidConfig: client 203.0.113.0/24 is listed twice in "
        f"local.latency (first at line {first[0]})")


def test_check_refuses_an_alias_whose_hosted_zone_id_does_not_hold_the_name():
    bad = CONFIG.replace("HostedZoneId: ZSHARED", "HostedZoneId: ZLATENCY")
    line = [i for i, l in enumerate(bad.splitlines(), 1) if "Name: www.example.com" in l][0]
    assert check_first_line(bad) == (
        f"bad.yaml:{line}: error: InvalidChangeBatch: Tried to create an alias that targets "
        "lb.shared.test., type A in zone ZLATENCY, but the alias target name does not lie within "
        "the target zone (lb.shared.test. lies in zone shared.test., HostedZoneId ZSHARED)")
