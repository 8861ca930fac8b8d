"""The Route 53 REST API (semantics §6) driven by the real aws CLI: zones, health checks that
probe real loopback HTTPS endpoints, record changes served by the DNS listener at once, failover
when an endpoint stops (§2.3), the CLI's own rejections of the seed's config (§4.1), AWS error
codes (§4), and --state-dir persistence.
"""
import json
import os
import subprocess
import tempfile
import urllib.error
import urllib.request

import pytest

from harness import Endpoint, R53Sim, make_certificate, poll, FILE_ZONE_CONFIG

AWS = "/usr/bin/aws"
TIME_SCALE = "0.05"  # RequestInterval 10 s -> 0.5 s between probes of one checker

CONFIG = FILE_ZONE_CONFIG


def aws_env():
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "PYTHON")) and k != "VIRTUAL_ENV"}
    env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE="/dev/null",
               AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_PAGER="")
    return env


def aws(sim, *args):
    """Runs `aws route53 ARGS` against the simulator: (exit code, parsed stdout, stderr)."""
    cmd = [AWS, "--endpoint-url", f"http://127.0.0.1:{sim.admin_port}", "--no-cli-pager",
           "--output", "json", "route53", *args]
    p = subprocess.run(cmd, env=aws_env(), capture_output=True, text=True, timeout=120)
    out = json.loads(p.stdout) if p.stdout.strip() else None
    return p.returncode, out, p.stderr


def aws_ok(sim, *args):
    rc, out, err = aws(sim, *args)
    assert rc == 0, f"aws {' '.join(args)} failed ({rc}): {err}"
    return out


def raw(sim, method, path, body=None):
    """A plain HTTP request (no SigV4): (status, headers, body text)."""
    req = urllib.request.Request(f"http://127.0.0.1:{sim.admin_port}{path}", method=method,
                                 data=body.encode() if body is not None else None)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def write_json(directory, name, value):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        json.dump(value, f)
    return "file://" + path


def failover_batch(primary_check, secondary_check):
    def record(role, ip, check):
        return {"Action": "CREATE", "ResourceRecordSet": {
            "Name": "app.api.test.", "Type": "A", "SetIdentifier": role.lower(), "Failover": role,
            "TTL": 60, "ResourceRecords": [{"Value": ip}], "HealthCheckId": check}}
    return {"Comment": "failover pair", "Changes": [
        record("PRIMARY", "192.0.2.10", primary_check),
        record("SECONDARY", "198.51.100.20", secondary_check)]}


def check_config(port):
    return (f"Type=HTTPS,IPAddress=127.0.0.1,Port={port},ResourcePath=/health,RequestInterval=10,"
            "FailureThreshold=1,Regions=[us-east-1,us-west-1,eu-west-1]")


@pytest.fixture(scope="module")
def world():
    tmp = tempfile.mkdtemp(prefix="r53sim-r53api-")
    cert, key = make_certificate(tmp, cn="app.api.test")
    primary = Endpoint("primary", cert=cert, key=key)
    secondary = Endpoint("secondary", cert=cert, key=key)
    state_dir = os.path.join(tmp, "state")
    sim = R53Sim(CONFIG, args=["--time-scale", TIME_SCALE, "--state-dir", state_dir])
    world = {"tmp": tmp, "sim": sim, "primary": primary, "secondary": secondary,
             "state_dir": state_dir}
    yield world
    world["sim"].stop()
    primary.stop()
    secondary.stop()


@pytest.fixture(scope="module")
def flow(world):
    """create-hosted-zone, create-health-check x2, change-resource-record-sets (failover pair)."""
    sim = world["sim"]
    zone = aws_ok(sim, "create-hosted-zone", "--name", "api.test", "--caller-reference", "zone-1")
    zone_id = zone["HostedZone"]["Id"].split("/")[-1]
    checks = {}
    for role in ("primary", "secondary"):
        out = aws_ok(sim, "create-health-check", "--caller-reference", f"hc-{role}",
                     "--health-check-config", check_config(world[role].port))
        checks[role] = out["HealthCheck"]["Id"]
    batch = write_json(world["tmp"], "batch.json", failover_batch(checks["primary"], checks["secondary"]))
    change = aws_ok(sim, "change-resource-record-sets", "--hosted-zone-id", zone_id,
                    "--change-batch", batch)
    return {"zone": zone, "zone_id": zone_id, "checks": checks, "change": change}


def test_create_hosted_zone_reply(world, flow):
    zone = flow["zone"]
    assert zone["HostedZone"]["Id"].startswith("/hostedzone/Z")
    assert 14 <= len(zone["HostedZone"]["Id"].split("/")[-1]) <= 22
    assert zone["HostedZone"]["Name"] == "api.test."
    assert zone["ChangeInfo"]["Id"].startswith("/change/C")
    assert zone["ChangeInfo"]["Status"] == "PENDING"
    servers = zone["DelegationSet"]["NameServers"]
    assert len(servers) == 4 and all(".awsdns-" in s for s in servers)
    assert zone["Location"].endswith("/2013-04-01/hostedzone/" + flow["zone_id"])
    # The new zone is served at once (§5 apex defaults).
    soa = world["sim"].answer("api.test", "SOA")
    assert len(soa) == 1 and "awsdns-hostmaster.amazon.com." in soa[0]


def test_same_caller_reference_is_rejected(world, flow):
    rc, _, err = aws(world["sim"], "create-hosted-zone", "--name", "other.test",
                     "--caller-reference", "zone-1")
    assert rc != 0 and "HostedZoneAlreadyExists" in err


def test_change_is_insync_for_the_waiter(world, flow):
    sim = world["sim"]
    change_id = flow["change"]["ChangeInfo"]["Id"]
    assert flow["change"]["ChangeInfo"]["Status"] == "PENDING"
    assert aws_ok(sim, "get-change", "--id", change_id)["ChangeInfo"]["Status"] == "INSYNC"
    rc, _, err = aws(sim, "wait", "resource-record-sets-changed", "--id", change_id)
    assert rc == 0, err


def test_list_resource_record_sets_order(world, flow):
    out = aws_ok(world["sim"], "list-resource-record-sets", "--hosted-zone-id", flow["zone_id"])
    rows = [(r["Name"], r["Type"], r.get("SetIdentifier")) for r in out["ResourceRecordSets"]]
    assert rows == [("api.test.", "NS", None), ("api.test.", "SOA", None),
                    ("app.api.test.", "A", "primary"), ("app.api.test.", "A", "secondary")]
    primary = out["ResourceRecordSets"][2]
    assert primary["Failover"] == "PRIMARY" and primary["TTL"] == 60
    assert primary["HealthCheckId"] == flow["checks"]["primary"]
    assert primary["ResourceRecords"] == [{"Value": "192.0.2.10"}]


def test_file_zones_are_listed_too(world, flow):
    names = [z["Name"] for z in aws_ok(world["sim"], "list-hosted-zones")["HostedZones"]]
    assert sorted(names) == ["api.test.", "file.test."]
    assert aws_ok(world["sim"], "get-hosted-zone-count")["HostedZoneCount"] == 2


def test_health_check_shape_and_status(world, flow):
    sim = world["sim"]
    check_id = flow["checks"]["primary"]
    hc = aws_ok(sim, "get-health-check", "--health-check-id", check_id)["HealthCheck"]
    assert hc["HealthCheckVersion"] == 1 and hc["CallerReference"] == "hc-primary"
    cfg = hc["HealthCheckConfig"]
    assert cfg["Type"] == "HTTPS" and cfg["Port"] == world["primary"].port
    assert cfg["Regions"] == ["us-east-1", "us-west-1", "eu-west-1"]
    assert cfg["EnableSNI"] is True and cfg["FailureThreshold"] == 1

    def observed():
        obs = aws_ok(sim, "get-health-check-status", "--health-check-id", check_id)
        obs = obs["HealthCheckObservations"]
        return obs if len(obs) == 6 and all(o["StatusReport"]["Status"].startswith("Success")
                                            for o in obs) else None
    obs = poll(observed, 20, interval=0.2, what="6 successful checker observations")
    assert {o["Region"] for o in obs} == {"us-east-1", "us-west-1", "eu-west-1"}
    assert all("CheckedTime" in o["StatusReport"] and o["IPAddress"] for o in obs)


def test_test_dns_answer_agrees_with_dig(world, flow):
    sim = world["sim"]
    out = aws_ok(sim, "test-dns-answer", "--hosted-zone-id", flow["zone_id"],
                 "--record-name", "app.api.test", "--record-type", "A")
    assert out["RecordData"] == ["192.0.2.10"]
    assert out["ResponseCode"] == "NOERROR" and out["Protocol"] == "UDP"
    assert sim.answer("app.api.test") == ["192.0.2.10"]


def test_failover_when_the_primary_stops(world, flow):
    sim, primary = world["sim"], world["primary"]
    poll(lambda: sim.answer("app.api.test") == ["192.0.2.10"], 10, what="primary answer")
    primary.stop()
    try:
        poll(lambda: sim.answer("app.api.test") == ["198.51.100.20"], 20, interval=0.1,
             what="the secondary after the primary stopped")
        reasons = aws_ok(sim, "get-health-check-last-failure-reason", "--health-check-id",
                         flow["checks"]["primary"])["HealthCheckObservations"]
        assert reasons and all(r["StatusReport"]["Status"].startswith("Failure") for r in reasons)
    finally:
        primary.start()
    poll(lambda: sim.answer("app.api.test") == ["192.0.2.10"], 20, interval=0.1,
         what="the primary after it came back")


def test_cli_rejects_the_seed_health_check_config(world):
    # seed/two-region-failover.txt, without its trailing stray --health-check-id (§4.1).
    rc, _, err = aws(world["sim"], "create-health-check", "--caller-reference", "seed",
                     "--health-check-config",
                     "Type=HTTPS,FullyQualifiedDomainName=app.example.com,RequestInterval=30,"
                     "FailureThreshold=3,RequestTimeout=10,Port=443,ResourcePath=/health,"
                     "Inverted=false,EnableSNI=true,Regions=us-east-1")
    assert rc != 0
    assert ('Unknown parameter in HealthCheckConfig: "RequestTimeout", must be one of: '
            "IPAddress, Port, Type") in err
    assert "Invalid length for parameter HealthCheckConfig.Regions, value: 1, valid min length: 3" in err


def test_seed_change_batch_is_invalid_input(world):
    sim = world["sim"]
    zone_id = aws_ok(sim, "create-hosted-zone", "--name", "example.com", "--caller-reference",
                     "seed-zone")["HostedZone"]["Id"].split("/")[-1]
    batch = {"Comment": "Active-Active US East 1 Record", "Changes": [{
        "Action": "UPSERT", "ResourceRecordSet": {
            "Name": "app.example.com.", "Type": "A", "SetIdentifier": "us-east-1-active",
            "Weight": 100,
            "AliasTarget": {"HostedZoneId": "Z3XXXXXXXXXXXXXX",
                            "DNSName": "dualstack.my-alb-us-east-1.amazonaws.com.",
                            "EvaluateTargetHealth": False},
            "Failover": "PRIMARY", "HealthCheckId": "hc-xxxxxxxxxxxxxx"}}]}
    rc, _, err = aws(sim, "change-resource-record-sets", "--hosted-zone-id", zone_id,
                     "--change-batch", json.dumps(batch))
    assert rc != 0
    assert "An error occurred (InvalidInput) when calling the ChangeResourceRecordSets" in err
    assert ("Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation, "
            "MultiValueAnswer, GeoProximityLocation, or CidrRoutingConfig], but found more than "
            "one in Change with [Action=UPSERT, Name=app.example.com., Type=A, "
            "SetIdentifier=us-east-1-active]") in err


def test_unknown_ids_are_404(world):
    sim = world["sim"]
    rc, _, err = aws(sim, "get-hosted-zone", "--id", "ZNOSUCHZONE0000")
    assert rc != 0 and "NoSuchHostedZone" in err and "ZNOSUCHZONE0000" in err
    rc, _, err = aws(sim, "get-health-check", "--health-check-id",
                     "00000000-0000-4000-8000-000000000000")
    assert rc != 0 and "NoSuchHealthCheck" in err
    status, headers, body = raw(sim, "GET", "/2013-04-01/hostedzone/ZNOSUCHZONE0000")
    assert status == 404
    assert body.endswith("</ErrorResponse>")
    assert ('<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>'
            "Sender</Type><Code>NoSuchHostedZone</Code>") in body
    assert headers.get("x-amz-request-id") and "<RequestId>" in body
    assert headers.get("Content-Type") == "text/xml"
    status, _, body = raw(sim, "GET", "/2013-04-01/change/CNOSUCHCHANGE")
    assert status == 404 and "<Code>NoSuchChange</Code>" in body


def test_malformed_xml_is_400(world):
    status, _, body = raw(world["sim"], "POST", "/2013-04-01/healthcheck",
                          "<CreateHealthCheckRequest><CallerReference>x</Call")
    assert status == 400 and "<Code>MalformedInput</Code>" in body


def test_health_check_version_mismatch(world):
    sim = world["sim"]
    hc = aws_ok(sim, "create-health-check", "--caller-reference", "versioned",
                "--health-check-config", "Type=TCP,IPAddress=127.0.0.1,Port=9,RequestInterval=30")
    check_id = hc["HealthCheck"]["Id"]
    updated = aws_ok(sim, "update-health-check", "--health-check-id", check_id,
                     "--health-check-version", "1", "--failure-threshold", "5")["HealthCheck"]
    assert updated["HealthCheckVersion"] == 2
    assert updated["HealthCheckConfig"]["FailureThreshold"] == 5
    rc, _, err = aws(sim, "update-health-check", "--health-check-id", check_id,
                     "--health-check-version", "1", "--failure-threshold", "4")
    assert rc != 0 and "HealthCheckVersionMismatch" in err
    # Same reference and config: the existing check; other config: HealthCheckAlreadyExists.
    again = aws_ok(sim, "create-health-check", "--caller-reference", "versioned",
                   "--health-check-config", "Type=TCP,IPAddress=127.0.0.1,Port=9,"
                   "RequestInterval=30,FailureThreshold=5")
    assert again["HealthCheck"]["Id"] == check_id
    rc, _, err = aws(sim, "create-health-check", "--caller-reference", "versioned",
                     "--health-check-config", "Type=TCP,IPAddress=127.0.0.1,Port=10")
    assert rc != 0 and "HealthCheckAlreadyExists" in err
    # Out of range values are the server's InvalidInput (botocore checks only minimums).
    rc, _, err = aws(sim, "create-health-check", "--caller-reference", "too-many",
                     "--health-check-config", "Type=TCP,IPAddress=127.0.0.1,Port=9,FailureThreshold=11")
    assert rc != 0 and "InvalidInput" in err and "less than or equal to 10" in err
    aws_ok(sim, "delete-health-check", "--health-check-id", check_id)
    rc, _, err = aws(sim, "get-health-check", "--health-check-id", check_id)
    assert rc != 0 and "NoSuchHealthCheck" in err


def test_create_existing_and_delete_mismatched(world, flow):
    sim = world["sim"]
    batch = failover_batch(flow["checks"]["primary"], flow["checks"]["secondary"])
    rc, _, err = aws(sim, "change-resource-record-sets", "--hosted-zone-id", flow["zone_id"],
                     "--change-batch", json.dumps(batch))
    assert rc != 0 and "InvalidChangeBatch" in err
    assert ("[Tried to create resource record set [name='app.api.test.', type='A', "
            "set-identifier='primary'] but it already exists, ") in err
    delete = {"Changes": [{"Action": "DELETE", "ResourceRecordSet": {
        "Name": "app.api.test.", "Type": "A", "SetIdentifier": "primary", "Failover": "PRIMARY",
        "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.99"}],
        "HealthCheckId": flow["checks"]["primary"]}}]}
    rc, _, err = aws(sim, "change-resource-record-sets", "--hosted-zone-id", flow["zone_id"],
                     "--change-batch", json.dumps(delete))
    assert rc != 0 and "InvalidChangeBatch" in err
    assert "but the values provided do not match the current values" in err
    rc, _, err = aws(sim, "delete-hosted-zone", "--id", flow["zone_id"])
    assert rc != 0 and "HostedZoneNotEmpty" in err


def test_tags_and_dnssec(world, flow):
    sim = world["sim"]
    aws_ok(sim, "change-tags-for-resource", "--resource-type", "hostedzone", "--resource-id",
           flow["zone_id"], "--add-tags", "Key=team,Value=dns", "Key=env,Value=test")
    tags = aws_ok(sim, "list-tags-for-resource", "--resource-type", "hostedzone",
                  "--resource-id", flow["zone_id"])["ResourceTagSet"]
    assert sorted((t["Key"], t["Value"]) for t in tags["Tags"]) == [("env", "test"), ("team", "dns")]
    dnssec = aws_ok(sim, "get-dnssec", "--hosted-zone-id", flow["zone_id"])
    assert dnssec["Status"]["ServeSignature"] == "NOT_SIGNING"


def test_restart_with_state_dir_restores_everything(world, flow):
    sim = world["sim"]
    zones = aws_ok(sim, "list-hosted-zones")
    records = aws_ok(sim, "list-resource-record-sets", "--hosted-zone-id", flow["zone_id"])
    checks = aws_ok(sim, "list-health-checks")
    tags = aws_ok(sim, "list-tags-for-resource", "--resource-type", "hostedzone",
                  "--resource-id", flow["zone_id"])
    assert os.path.exists(os.path.join(world["state_dir"], "route53-api.json"))
    sim.stop()
    restarted = R53Sim(CONFIG, args=["--time-scale", TIME_SCALE, "--state-dir", world["state_dir"]])
    world["sim"] = restarted
    assert aws_ok(restarted, "list-hosted-zones") == zones
    assert aws_ok(restarted, "list-resource-record-sets", "--hosted-zone-id", flow["zone_id"]) == records
    assert aws_ok(restarted, "list-health-checks") == checks
    assert aws_ok(restarted, "list-tags-for-resource", "--resource-type", "hostedzone",
                  "--resource-id", flow["zone_id"]) == tags
    # Served and probed again: the restored failover pair answers from the primary.
    poll(lambda: restarted.answer("app.api.test") == ["192.0.2.10"], 20, interval=0.1,
         what="the restored primary answer")
