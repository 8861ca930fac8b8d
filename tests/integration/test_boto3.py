"""The Route 53 REST API through boto3 (semantics §6): the same zone/check/record flow as the aws
CLI test, ListResourceRecordSets paginated over more than 1,000 records, and the
resource_record_sets_changed waiter.
"""
import tempfile
import urllib.error
import urllib.request

import boto3
import botocore.exceptions
import pytest

from harness import Endpoint, R53Sim, make_certificate, poll, FILE_ZONE_CONFIG

CONFIG = FILE_ZONE_CONFIG
RECORDS = 1100  # more than 1,000: several pages of at most 300


@pytest.fixture(scope="module")
def world():
    tmp = tempfile.mkdtemp(prefix="r53sim-boto3-")
    cert, key = make_certificate(tmp, cn="app.boto.test")
    primary = Endpoint("primary", cert=cert, key=key)
    secondary = Endpoint("secondary", cert=cert, key=key)
    sim = R53Sim(CONFIG, args=["--time-scale", "0.05"])
    client = boto3.client("route53", endpoint_url=f"http://127.0.0.1:{sim.admin_port}",
                          region_name="us-east-1", aws_access_key_id="test",
                          aws_secret_access_key="test")
    yield {"sim": sim, "client": client, "primary": primary, "secondary": secondary}
    sim.stop()
    primary.stop()
    secondary.stop()


@pytest.fixture(scope="module")
def zone_id(world):
    out = world["client"].create_hosted_zone(Name="boto.test", CallerReference="boto-zone")
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 201
    return out["HostedZone"]["Id"].split("/")[-1]


def health_check(client, reference, port):
    return client.create_health_check(CallerReference=reference, HealthCheckConfig={
        "Type": "HTTPS", "IPAddress": "127.0.0.1", "Port": port, "ResourcePath": "/health",
        "RequestInterval": 10, "FailureThreshold": 1,
        "Regions": ["us-east-1", "eu-west-1", "ap-southeast-1"]})["HealthCheck"]["Id"]


def test_failover_flow_and_waiter(world, zone_id):
    client, sim = world["client"], world["sim"]
    primary_id = health_check(client, "boto-primary", world["primary"].port)
    secondary_id = health_check(client, "boto-secondary", world["secondary"].port)

    def record(role, ip, check):
        return {"Action": "UPSERT", "ResourceRecordSet": {
            "Name": "app.boto.test", "Type": "A", "SetIdentifier": role, "Failover": role,
            "TTL": 30, "ResourceRecords": [{"Value": ip}], "HealthCheckId": check}}
    change = client.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={
        "Changes": [record("PRIMARY", "192.0.2.30", primary_id),
                    record("SECONDARY", "198.51.100.40", secondary_id)]})
    assert change["ChangeInfo"]["Status"] == "PENDING"
    client.get_waiter("resource_record_sets_changed").wait(
        Id=change["ChangeInfo"]["Id"], WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    assert client.get_change(Id=change["ChangeInfo"]["Id"])["ChangeInfo"]["Status"] == "INSYNC"

    answer = client.test_dns_answer(HostedZoneId=zone_id, RecordName="app.boto.test",
                                    RecordType="A")
    assert answer["RecordData"] == ["192.0.2.30"]
    assert sim.answer("app.boto.test") == ["192.0.2.30"]
    world["primary"].stop()
    poll(lambda: sim.answer("app.boto.test") == ["198.51.100.40"], 20, interval=0.1,
         what="the secondary after the primary stopped")
    # Five failures of six flip the aggregate (healthy only while more than 18 % say so, §1.4);
    # the sixth checker may not have reported its probe yet, so wait for all six reports.
    status = poll(lambda: (lambda obs: obs if len(obs) == 6 else None)(
        client.get_health_check_status(HealthCheckId=primary_id)["HealthCheckObservations"]),
        10, interval=0.1, what="all six checkers' reports")
    assert sum(o["StatusReport"]["Status"].startswith("Failure") for o in status) >= 5


def test_paginating_more_than_a_thousand_records(world, zone_id):
    client = world["client"]
    for start in range(0, RECORDS, 500):  # 1,000 ResourceRecord elements per request at most
        changes = [{"Action": "CREATE", "ResourceRecordSet": {
            "Name": f"host{i:04d}.bulk.boto.test", "Type": "TXT", "TTL": 300,
            "ResourceRecords": [{"Value": f'"record {i}"'}]}}
            for i in range(start, min(start + 500, RECORDS))]
        client.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": changes})
    pages = list(client.get_paginator("list_resource_record_sets").paginate(HostedZoneId=zone_id))
    assert len(pages) >= 4 and all(len(p["ResourceRecordSets"]) <= 300 for p in pages)
    names = [r["Name"] for p in pages for r in p["ResourceRecordSets"]
             if r["Name"].endswith(".bulk.boto.test.")]
    assert names == [f"host{i:04d}.bulk.boto.test." for i in range(RECORDS)]
    small = client.list_resource_record_sets(HostedZoneId=zone_id, MaxItems="2",
                                             StartRecordName="host0100.bulk.boto.test",
                                             StartRecordType="TXT")
    assert [r["Name"] for r in small["ResourceRecordSets"]] == [
        "host0100.bulk.boto.test.", "host0101.bulk.boto.test."]
    assert small["IsTruncated"] and small["NextRecordName"] == "host0102.bulk.boto.test."
    assert client.get_hosted_zone(Id=zone_id)["HostedZone"]["ResourceRecordSetCount"] >= RECORDS + 2


def test_error_codes(world, zone_id):
    client = world["client"]
    with pytest.raises(client.exceptions.NoSuchHostedZone):
        client.get_hosted_zone(Id="ZDOESNOTEXIST1")
    with pytest.raises(client.exceptions.NoSuchHealthCheck):
        client.get_health_check_status(HealthCheckId="00000000-0000-4000-8000-000000000001")
    with pytest.raises(client.exceptions.InvalidChangeBatch) as e:
        client.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [{
            "Action": "DELETE", "ResourceRecordSet": {
                "Name": "missing.boto.test", "Type": "A", "TTL": 60,
                "ResourceRecords": [{"Value": "192.0.2.1"}]}}]})
    assert "but it was not found" in str(e.value)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client.create_hosted_zone(Name="boto.test", CallerReference="boto-zone")
    assert e.value.response["Error"]["Code"] == "HostedZoneAlreadyExists"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409


def test_update_health_check_resets_and_immutables(world):
    client = world["client"]
    check_id = client.create_health_check(CallerReference="boto-update", HealthCheckConfig={
        "Type": "HTTP", "IPAddress": "127.0.0.1", "Port": 9, "ResourcePath": "/health",
        "Regions": ["us-east-1", "us-west-1", "us-west-2"]})["HealthCheck"]["Id"]
    updated = client.update_health_check(
        HealthCheckId=check_id, HealthCheckVersion=1, Port=10, Inverted=True,
        Regions=["eu-west-1", "sa-east-1", "ap-northeast-1", "us-east-1"],
        ResetElements=["ResourcePath"])["HealthCheck"]
    cfg = updated["HealthCheckConfig"]
    assert updated["HealthCheckVersion"] == 2
    assert cfg["Port"] == 10 and cfg["Inverted"] is True and "ResourcePath" not in cfg
    assert cfg["Regions"] == ["eu-west-1", "sa-east-1", "ap-northeast-1", "us-east-1"]
    assert cfg["RequestInterval"] == 30 and cfg["Type"] == "HTTP"
    # The engine probes the updated check: 4 regions x 2 checkers.
    poll(lambda: len(client.get_health_check_status(HealthCheckId=check_id)
                     ["HealthCheckObservations"]) == 8, 20, interval=0.2,
         what="observations from the 4 updated regions")
    with pytest.raises(client.exceptions.InvalidInput) as e:
        client.update_health_check(HealthCheckId=check_id, FailureThreshold=11)
    assert "less than or equal to 10" in str(e.value)
    client.delete_health_check(HealthCheckId=check_id)
    with pytest.raises(client.exceptions.HealthCheckAlreadyExists):  # a deleted check's reference
        client.create_health_check(CallerReference="boto-update", HealthCheckConfig={
            "Type": "HTTP", "IPAddress": "127.0.0.1", "Port": 9, "ResourcePath": "/health",
            "Regions": ["us-east-1", "us-west-1", "us-west-2"]})


def test_unknown_health_check_element_is_invalid_input(world):
    """§8 point 11: what the CLI stops locally (RequestTimeout) the server rejects too."""
    status, body = raw_post(world["sim"], "/2013-04-01/healthcheck", (
        '<CreateHealthCheckRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">'
        "<CallerReference>raw</CallerReference><HealthCheckConfig><Type>HTTPS</Type>"
        "<IPAddress>127.0.0.1</IPAddress><RequestTimeout>10</RequestTimeout>"
        "</HealthCheckConfig></CreateHealthCheckRequest>"))
    assert status == 400
    assert "<Code>InvalidInput</Code>" in body and "RequestTimeout" in body


def test_list_hosted_zones_by_name_pages(world, zone_id):
    client = world["client"]
    for name in ("a.paging.test", "b.paging.test", "c.paging.test"):
        client.create_hosted_zone(Name=name, CallerReference="paging-" + name)
    first = client.list_hosted_zones_by_name(DNSName="a.paging.test", MaxItems="2")
    assert [z["Name"] for z in first["HostedZones"]] == ["a.paging.test.", "b.paging.test."]
    assert first["IsTruncated"] and first["NextDNSName"] == "c.paging.test."
    second = client.list_hosted_zones_by_name(DNSName=first["NextDNSName"],
                                              HostedZoneId=first["NextHostedZoneId"])
    assert second["HostedZones"][0]["Name"] == "c.paging.test."
    ids = [z["Id"] for p in client.get_paginator("list_hosted_zones").paginate(
        PaginationConfig={"PageSize": 2}) for z in p["HostedZones"]]
    assert len(ids) == len(set(ids)) == client.get_hosted_zone_count()["HostedZoneCount"]


def test_list_health_checks_pages_by_marker(world):
    client = world["client"]
    for i in range(5):
        client.create_health_check(CallerReference=f"paging-check-{i}", HealthCheckConfig={
            "Type": "TCP", "IPAddress": "127.0.0.1", "Port": 9, "Regions": ["us-east-1", "us-west-2", "eu-west-1"]})
    first = client.list_health_checks(MaxItems="2")
    assert len(first["HealthChecks"]) == 2 and first["IsTruncated"]
    assert first["NextMarker"] == sorted(c["Id"] for c in client.list_health_checks()["HealthChecks"])[2]
    ids = [c["Id"] for p in client.get_paginator("list_health_checks").paginate(
        PaginationConfig={"PageSize": 2}) for c in p["HealthChecks"]]
    assert ids == sorted(ids)
    assert len(ids) == len(set(ids)) == client.get_health_check_count()["HealthCheckCount"]


def test_changes_stay_pending_for_the_configured_delay(monkeypatch):
    monkeypatch.setenv("R53SIM_CHANGE_INSYNC_DELAY", "1.5")
    sim = R53Sim(CONFIG)
    try:
        client = boto3.client("route53", endpoint_url=f"http://127.0.0.1:{sim.admin_port}",
                              region_name="us-east-1", aws_access_key_id="test",
                              aws_secret_access_key="test")
        zone = client.create_hosted_zone(Name="slow.test", CallerReference="slow")
        change_id = zone["ChangeInfo"]["Id"]
        assert client.get_change(Id=change_id)["ChangeInfo"]["Status"] == "PENDING"
        client.get_waiter("resource_record_sets_changed").wait(
            Id=change_id, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
        assert client.get_change(Id=change_id)["ChangeInfo"]["Status"] == "INSYNC"
    finally:
        sim.stop()


def raw_post(sim, path, body):
    req = urllib.request.Request(f"http://127.0.0.1:{sim.admin_port}{path}", method="POST",
                                 data=body.encode())
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_concurrent_changes_all_land(world, zone_id):
    """The admin server runs handlers on several threads: writers are serialized, none is lost."""
    from concurrent.futures import ThreadPoolExecutor
    endpoint = world["client"].meta.endpoint_url

    def writer(n):
        client = boto3.client("route53", endpoint_url=endpoint, region_name="us-east-1",
                              aws_access_key_id="test", aws_secret_access_key="test")
        for i in range(10):
            client.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [{
                "Action": "UPSERT", "ResourceRecordSet": {
                    "Name": f"w{n}-{i}.concurrent.boto.test", "Type": "A", "TTL": 60,
                    "ResourceRecords": [{"Value": f"192.0.2.{n * 10 + i + 1}"}]}}]})
        return n
    with ThreadPoolExecutor(4) as pool:
        assert sorted(pool.map(writer, range(4))) == [0, 1, 2, 3]
    pages = world["client"].get_paginator("list_resource_record_sets").paginate(
        HostedZoneId=zone_id, StartRecordName="concurrent.boto.test")
    names = {r["Name"] for p in pages for r in p["ResourceRecordSets"]
             if r["Name"].endswith(".concurrent.boto.test.")}
    assert len(names) == 40
    assert world["sim"].answer("w3-9.concurrent.boto.test") == ["192.0.2.40"]


def test_invalid_state_file_is_kept_aside(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    (state / "route53-api.json").write_text("{not json")
    sim = R53Sim(CONFIG, args=["--state-dir", str(state)])
    try:
        assert (state / "route53-api.json.invalid").read_text() == "{not json"
        client = boto3.client("route53", endpoint_url=f"http://127.0.0.1:{sim.admin_port}",
                              region_name="us-east-1", aws_access_key_id="test",
                              aws_secret_access_key="test")
        client.create_hosted_zone(Name="fresh.test", CallerReference="fresh")
        assert "fresh.test." in (state / "route53-api.json").read_text()
        assert "cannot restore" in sim.logs()
    finally:
        sim.stop()


GEO_CONFIG = """
hosted_zones:
  - Name: geo.test
    ResourceRecordSets:
      - {Name: www.geo.test, Type: A, TTL: 60, SetIdentifier: eu, GeoLocation: {ContinentCode: EU},
         ResourceRecords: [{Value: 203.0.113.1}]}
      - {Name: www.geo.test, Type: A, TTL: 60, SetIdentifier: default, GeoLocation: {CountryCode: "*"},
         ResourceRecords: [{Value: 203.0.113.9}]}
local:
  client_locations:
    - {cidr: 198.51.100.0/24, continent: EU, country: IE, region: eu-west-1}
"""


def test_test_dns_answer_uses_the_client_subnet():
    """§2.4: TestDNSAnswer locates the client by ECS, else by the resolver, like the listener."""
    sim = R53Sim(GEO_CONFIG)
    try:
        client = boto3.client("route53", endpoint_url=f"http://127.0.0.1:{sim.admin_port}",
                              region_name="us-east-1", aws_access_key_id="test",
                              aws_secret_access_key="test")
        zone_id = client.list_hosted_zones()["HostedZones"][0]["Id"].split("/")[-1]

        def test_answer(**kw):
            return client.test_dns_answer(HostedZoneId=zone_id, RecordName="www.geo.test",
                                          RecordType="A", **kw)["RecordData"]
        assert test_answer(EDNS0ClientSubnetIP="198.51.100.77") == ["203.0.113.1"]
        assert test_answer(EDNS0ClientSubnetIP="198.51.100.77", EDNS0ClientSubnetMask="16") == \
            ["203.0.113.9"]  # 198.51.0.0 is outside the EU prefix
        assert test_answer(ResolverIP="198.51.100.5") == ["203.0.113.1"]
        assert test_answer() == ["203.0.113.9"]
        assert sim.answer("www.geo.test", "A", "+subnet=198.51.100.0/24") == ["203.0.113.1"]
        with pytest.raises(client.exceptions.InvalidInput):
            test_answer(EDNS0ClientSubnetIP="198.51.100.77", EDNS0ClientSubnetMask="40")
    finally:
        sim.stop()
