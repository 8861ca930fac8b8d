"""etcd out of reach for 10 s under a DNS load loop: every query to every replica is answered from
the last state, health keeps updating on each replica by its own probes, writes are refused with
ServiceUnavailable in AWS's error shape (nothing half-written), reads keep working; when etcd
returns the replicas resync, accept writes again, hand probing back to one replica and converge.
"""
import time

import boto3
import botocore.config
import botocore.exceptions
import pytest

from etcd_harness import Etcd, leader_pid, start_replicas
from harness import Endpoint, poll
from test_etcd_health import CONFIG, PRIMARY, SECONDARY, AnswerWatch, probes
from test_etcd_replicas import client, post, upsert

PREFIX = "r53sim-outage"
LEASE_TTL = 2
OUTAGE = 10.0  # seconds etcd stays down (issue 18)


def advance(sims, seconds):
    for s in sims:
        status, body = s.admin("POST", "/v1/clock/advance", {"seconds": seconds})
        assert status == 200, body


@pytest.fixture
def world():
    etcd = Etcd()
    primary, secondary = Endpoint("primary"), Endpoint("secondary")
    sims = start_replicas(CONFIG.format(primary=primary.port, secondary=secondary.port),
                          etcd.url(PREFIX, lease_ttl=LEASE_TTL), 3,
                          extra_args=["--manual-clock", "--seed", "7"])
    yield {"etcd": etcd, "sims": sims, "primary": primary}
    for s in sims:
        s.stop()
    primary.stop()
    secondary.stop()
    etcd.close()


def test_etcd_outage_keeps_dns_answering_refuses_writes_and_resyncs(world):
    etcd, sims, primary = world["etcd"], world["sims"], world["primary"]
    r1, r2, r3 = sims
    c1 = client(r1)
    zone = c1.create_hosted_zone(Name="outage.test", CallerReference="outage")["HostedZone"]["Id"]
    zone = zone.split("/")[-1]
    change = c1.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{
        "Action": "CREATE", "ResourceRecordSet": {
            "Name": "before.outage.test", "Type": "A", "TTL": 60,
            "ResourceRecords": [{"Value": "192.0.2.1"}]}}]})["ChangeInfo"]
    poll(lambda: c1.get_change(Id=change["Id"])["ChangeInfo"]["Status"] == "INSYNC", 10,
         what="INSYNC before the outage")
    advance(sims, 0)

    watches = [AnswerWatch(s) for s in sims]  # the DNS load loop
    etcd.stop()
    stopped_at = time.monotonic()
    try:
        # Writes: refused cleanly, in AWS's shape, on every replica.
        for s in sims:
            status, body = post(s, f"hostedzone/{zone}/rrset", upsert("during.outage.test",
                                                                      "192.0.2.2"))
            assert status == 503, body
            assert "<Type>Receiver</Type><Code>ServiceUnavailable</Code>" in body
        with pytest.raises(botocore.exceptions.ClientError) as refused:
            client(r2).create_hosted_zone(Name="refused.test", CallerReference="refused")
        assert refused.value.response["Error"]["Code"] == "ServiceUnavailable"
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
        # Reads answer from the last state.
        names = [r["Name"] for r in client(r3).list_resource_record_sets(
            HostedZoneId=zone)["ResourceRecordSets"]]
        assert "before.outage.test." in names and "during.outage.test." not in names
        for s in sims:
            assert s.answer("before.outage.test") == ["192.0.2.1"]

        # Once its lease is past its TTL, every replica probes for itself.
        def all_probing():
            counts = [probes(s) for s in sims]
            advance(sims, 10)
            return all(probes(s) > n for s, n in zip(sims, counts))
        poll(all_probing, LEASE_TTL + 5, interval=0.1, what="every replica probing on its own")
        primary.set_down(True)
        advance(sims, 10)
        advance(sims, 10)  # FailureThreshold 2: each replica flips on its own two failures
        for s in sims:
            assert s.answer("app.fleet.test") == [SECONDARY]

        # The rest of the outage: DNS keeps answering (the watches count every query).
        while time.monotonic() < stopped_at + OUTAGE:
            time.sleep(0.1)
    finally:
        etcd.start()
    print(f"\netcd was down {time.monotonic() - stopped_at:.1f} s")

    # Resync: writes are accepted again once a replica has reloaded the state.
    resynced_at = time.monotonic()
    poll(lambda: post(r2, f"hostedzone/{zone}/rrset",
                      upsert("after.outage.test", "192.0.2.3"))[0] == 200, 20, interval=0.05,
         what="a write accepted after etcd returned")
    print(f"writes accepted again {time.monotonic() - resynced_at:.2f} s after etcd returned")
    for s in sims:
        poll(lambda: s.answer("after.outage.test") == ["192.0.2.3"], 10, what="the new record")
        assert s.answer("during.outage.test") == []  # the refused write never landed
    # One prober again, and the others stop probing.
    poll(lambda: leader_pid(etcd, PREFIX) in {s.proc.pid for s in sims}, 10, what="one prober")
    prober = next(s for s in sims if s.proc.pid == leader_pid(etcd, PREFIX))

    def followers_quiet():
        counts = [probes(s) for s in sims]
        advance(sims, 10)
        return all(probes(s) == n for s, n in zip(sims, counts) if s is not prober) and \
            probes(prober) > counts[sims.index(prober)]
    poll(followers_quiet, 10, interval=0.1, what="only the prober probing")
    # Converged: the primary comes back, the prober sees it, every replica follows.
    primary.set_down(False)
    advance(sims, 10)
    advance(sims, 10)
    for s in sims:
        poll(lambda: s.answer("app.fleet.test") == [PRIMARY], 5, what="every replica failing back")
    for w in watches:
        w.stop()
    answered = sum(w.queries for w in watches)
    lost = sum(w.lost for w in watches)
    print(f"DNS load loop: {answered} queries answered, {lost} lost")
    assert lost == 0
    # No replica ever answered nothing, and none went back to the primary before it was up.
    for w in watches:
        assert all(a in ([PRIMARY], [SECONDARY]) for _, a in w.changes), w.changes
        flips = [a for _, a in w.changes]
        assert flips == [[PRIMARY], [SECONDARY], [PRIMARY]], flips
