"""Replicas on one etcd prefix act as one Route 53 (--store etcd://...): a change through one
replica's REST API is answered by the others, GetChange is INSYNC only once every live replica
serves the change (semantics §6 GetChange, §8 point 25), two writers racing on one hosted zone
get exactly one success and Route 53's PriorRequestNotComplete (§4 "rate / concurrency"), and a
SIGKILLed replica loses no acknowledged change. Real etcd (Debian's etcd-server), real dig.
"""
import os
import signal
import statistics
import subprocess
import threading
import time
import urllib.error
import urllib.request

import boto3
import botocore.config
import pytest

from etcd_harness import Etcd, replica_ids, start_replicas
from harness import BINARY, FILE_ZONE_CONFIG, R53Sim, poll
from test_route53_api import aws_ok

NS = "https://route53.amazonaws.com/doc/2013-04-01/"


def client(sim):
    # No retries: botocore retries PriorRequestNotComplete and 5xx, which would hide them.
    return boto3.client("route53", endpoint_url=f"http://127.0.0.1:{sim.admin_port}",
                        region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test",
                        config=botocore.config.Config(retries={"total_max_attempts": 1}))


def upsert(name, value):
    return (f'<ChangeResourceRecordSetsRequest xmlns="{NS}"><ChangeBatch><Changes><Change>'
            f"<Action>UPSERT</Action><ResourceRecordSet><Name>{name}</Name><Type>A</Type>"
            f"<TTL>60</TTL><ResourceRecords><ResourceRecord><Value>{value}</Value>"
            f"</ResourceRecord></ResourceRecords></ResourceRecordSet></Change></Changes>"
            f"</ChangeBatch></ChangeResourceRecordSetsRequest>")


def post(sim, path, body):
    req = urllib.request.Request(f"http://127.0.0.1:{sim.admin_port}/2013-04-01/{path}",
                                 data=body.encode(), method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def upsert_record(c, zone, name, value):
    return c.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{
        "Action": "UPSERT", "ResourceRecordSet": {
            "Name": name, "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": value}]}}]})


@pytest.fixture(scope="module")
def etcd():
    e = Etcd()
    yield e
    e.close()


@pytest.fixture(scope="module")
def replicas(etcd):
    # A lease of 3 s: a stopped replica counts as live for up to 3 s (the INSYNC test).
    sims = start_replicas(FILE_ZONE_CONFIG, etcd.url("r53sim-replicas", lease_ttl=3), 3)
    yield sims
    for s in sims:
        s.stop()


def test_every_replica_registers_and_serves_the_config_file(etcd, replicas):
    assert len(replica_ids(etcd, "r53sim-replicas")) == 3
    for s in replicas:
        assert s.answer("www.file.test") == ["192.0.2.1"]


def test_aws_cli_change_on_one_replica_is_answered_by_the_others(replicas):
    r1, r2, r3 = replicas
    zone = aws_ok(r1, "create-hosted-zone", "--name", "cli.replicas.test",
                  "--caller-reference", "cli-replicas")["HostedZone"]["Id"].split("/")[-1]
    batch = ('{"Changes":[{"Action":"CREATE","ResourceRecordSet":{"Name":"www.cli.replicas.test",'
             '"Type":"A","TTL":60,"ResourceRecords":[{"Value":"192.0.2.77"}]}}]}')
    change = aws_ok(r1, "change-resource-record-sets", "--hosted-zone-id", zone,
                    "--change-batch", batch)["ChangeInfo"]
    assert change["Status"] == "PENDING"
    poll(lambda: aws_ok(r1, "get-change", "--id", change["Id"])["ChangeInfo"]["Status"] == "INSYNC",
         30, interval=0.2, what="INSYNC")
    # INSYNC promises every replica serves it: no polling from here on.
    for s in (r2, r3):
        assert s.answer("www.cli.replicas.test") == ["192.0.2.77"]
    listed = aws_ok(r3, "list-resource-record-sets", "--hosted-zone-id", zone)
    assert "www.cli.replicas.test." in [r["Name"] for r in listed["ResourceRecordSets"]]
    # Another replica answers GetChange for it too.
    assert aws_ok(r2, "get-change", "--id", change["Id"])["ChangeInfo"]["Status"] == "INSYNC"


def test_insync_latency(replicas):
    r1 = replicas[0]
    c = client(r1)
    zone = c.create_hosted_zone(Name="latency.replicas.test",
                                CallerReference="latency")["HostedZone"]["Id"].split("/")[-1]
    latencies = []
    for i in range(20):
        started = time.monotonic()
        change = upsert_record(c, zone, "www.latency.replicas.test", f"192.0.2.{i + 1}")
        acked = time.monotonic()
        poll(lambda: c.get_change(Id=change["ChangeInfo"]["Id"])["ChangeInfo"]["Status"] == "INSYNC",
             10, interval=0.002, what="INSYNC")
        latencies.append((time.monotonic() - started, acked - started))
        for s in replicas:
            assert s.answer("www.latency.replicas.test") == [f"192.0.2.{i + 1}"]
    total = sorted(t for t, _ in latencies)
    ack = sorted(a for _, a in latencies)
    print(f"\nINSYNC latency over 3 replicas, 20 changes: median {statistics.median(total) * 1000:.1f} ms, "
          f"max {total[-1] * 1000:.1f} ms (acknowledged after median {statistics.median(ack) * 1000:.1f} ms)")


def test_insync_waits_for_every_live_replica(etcd, replicas):
    r1, r2, r3 = replicas
    c = client(r1)
    zone = c.create_hosted_zone(Name="stopped.replicas.test",
                                CallerReference="stopped")["HostedZone"]["Id"].split("/")[-1]
    created = c.create_hosted_zone(Name="unused.replicas.test", CallerReference="unused")
    poll(lambda: c.get_change(Id=created["ChangeInfo"]["Id"])["ChangeInfo"]["Status"] == "INSYNC",
         10, what="every replica caught up")
    r3.proc.send_signal(signal.SIGSTOP)  # registered, but applies nothing
    try:
        change = upsert_record(c, zone, "www.stopped.replicas.test", "192.0.2.55")
        stopped_at = time.monotonic()
        change_id = change["ChangeInfo"]["Id"]
        poll(lambda: r2.answer("www.stopped.replicas.test") == ["192.0.2.55"], 10,
             what="the running replica applying it")
        # r2 and r1 serve it, r3 cannot: still PENDING while r3's lease (3 s) holds.
        assert c.get_change(Id=change_id)["ChangeInfo"]["Status"] == "PENDING"
        assert client(r2).get_change(Id=change_id)["ChangeInfo"]["Status"] == "PENDING"
        # Once r3's lease expires it is no longer a live replica, and the change is INSYNC.
        poll(lambda: c.get_change(Id=change_id)["ChangeInfo"]["Status"] == "INSYNC", 10,
             interval=0.05, what="INSYNC after the stopped replica's lease expired")
        waited = time.monotonic() - stopped_at
        assert len(replica_ids(etcd, "r53sim-replicas")) == 2
        print(f"\nINSYNC waited {waited:.2f} s for a stopped replica (lease TTL 3 s)")
    finally:
        r3.proc.send_signal(signal.SIGCONT)
    # Back, it catches up and registers again.
    poll(lambda: r3.answer("www.stopped.replicas.test") == ["192.0.2.55"], 10,
         what="the resumed replica serving the change")
    poll(lambda: len(replica_ids(etcd, "r53sim-replicas")) == 3, 10, what="registered again")
    change = upsert_record(c, zone, "www.stopped.replicas.test", "192.0.2.56")
    poll(lambda: c.get_change(Id=change["ChangeInfo"]["Id"])["ChangeInfo"]["Status"] == "INSYNC",
         10, what="INSYNC with all three")
    assert r3.answer("www.stopped.replicas.test") == ["192.0.2.56"]


def test_racing_writers_exactly_one_wins(etcd):
    # Each commit waits 400 ms between validating and writing, so the two requests below always
    # validate against the same revision: the race is certain, not a matter of luck.
    a, b = start_replicas(FILE_ZONE_CONFIG, etcd.url("r53sim-race"), 2,
                          env={"R53SIM_ETCD_COMMIT_DELAY_MS": "400"})
    try:
        zone = client(a).create_hosted_zone(Name="race.test", CallerReference="race")
        zone_id = zone["HostedZone"]["Id"].split("/")[-1]
        poll(lambda: [z["Name"] for z in client(b).list_hosted_zones()["HostedZones"]
                      if z["Name"] == "race.test."], 10, what="the zone on the second replica")
        for round_ in range(3):
            results = {}
            start = threading.Barrier(2)

            def write(sim, value):
                start.wait()
                results[value] = post(sim, f"hostedzone/{zone_id}/rrset",
                                      upsert("www.race.test", value))

            # New values every round: a batch that changes nothing conflicts with nothing.
            threads = [threading.Thread(target=write, args=(a, f"192.0.2.{10 + 2 * round_}")),
                       threading.Thread(target=write, args=(b, f"192.0.2.{11 + 2 * round_}"))]
            for t in threads:
                t.start()
            for t in threads:
                t.join(30)
            statuses = sorted(status for status, _ in results.values())
            assert statuses == [200, 400], results
            winner = next(v for v, (status, _) in results.items() if status == 200)
            loser_body = next(body for status, body in results.values() if status == 400)
            assert "<Code>PriorRequestNotComplete</Code>" in loser_body
            assert "<Type>Sender</Type>" in loser_body
            for s in (a, b):
                poll(lambda: s.answer("www.race.test") == [winner], 10, what="the winner's value")
        # The loser retrying after the race is validated against the new state and succeeds.
        assert post(b, f"hostedzone/{zone_id}/rrset", upsert("www.race.test", "192.0.2.9"))[0] == 200
        poll(lambda: a.answer("www.race.test") == ["192.0.2.9"], 10, what="the retry")
    finally:
        a.stop()
        b.stop()


def test_sigkill_loses_no_acknowledged_change(etcd):
    url = etcd.url("r53sim-kill")
    a, b = start_replicas(FILE_ZONE_CONFIG, url, 2)
    c = None
    try:
        ca = client(a)
        zone = ca.create_hosted_zone(Name="kill.test", CallerReference="kill")["HostedZone"]["Id"]
        zone = zone.split("/")[-1]
        for i in range(20):
            upsert_record(ca, zone, f"r{i}.kill.test", f"192.0.2.{i + 1}")  # 200 = acknowledged
        a.proc.send_signal(signal.SIGKILL)
        a.proc.wait(10)
        poll(lambda: b.answer("r19.kill.test") == ["192.0.2.20"], 10, what="the last change")
        names = {r["Name"] for r in client(b).list_resource_record_sets(
            HostedZoneId=zone)["ResourceRecordSets"]}
        assert {f"r{i}.kill.test." for i in range(20)} <= names
        # A replica started now loads everything before it is ready: no polling.
        c = R53Sim(FILE_ZONE_CONFIG, args=["--store", url])
        for i in range(20):
            assert c.answer(f"r{i}.kill.test") == [f"192.0.2.{i + 1}"]
    finally:
        for s in (a, b, c):
            if s:
                s.stop()


def test_store_flag_usage_errors_exit_2(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(FILE_ZONE_CONFIG)
    for args, message in (
            (["--store", "http://127.0.0.1:2379/p"], "etcd://HOST:PORT"),
            (["--store", "etcd://127.0.0.1:2379"], "PREFIX"),
            (["--store", "etcd://127.0.0.1:2379/p?lease_ttl=0"], "lease_ttl"),
            (["--store", "etcd://127.0.0.1:2379/p", "--state-dir", str(tmp_path)], "exclude")):
        r = subprocess.run([BINARY, "serve", "-c", str(config), *args], capture_output=True,
                           text=True, timeout=10)
        assert r.returncode == 2, (args, r.stderr)
        assert message in r.stderr, (args, r.stderr)
