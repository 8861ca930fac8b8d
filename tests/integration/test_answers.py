"""GET /v1/answers: every record group with the answer now and its routing tree, the branch taken
marked from the real explain() trace: a failover pair whose primary is an alias to a weighted
pool, and latency records answering by the client's location (semantics §2.3, §2.4, §3)."""
from harness import R53Sim

CONFIG = """
hosted_zones:
  - Name: example.com
    Id: ZANSWERS
    ResourceRecordSets:
      - {Name: app.example.com, Type: A, SetIdentifier: primary, Failover: PRIMARY,
         AliasTarget: {HostedZoneId: ZANSWERS, DNSName: pool.example.com, EvaluateTargetHealth: true}}
      - {Name: app.example.com, Type: A, SetIdentifier: secondary, Failover: SECONDARY,
         TTL: 60, ResourceRecords: [{Value: 198.51.100.9}]}
      - {Name: pool.example.com, Type: A, SetIdentifier: a, Weight: 1, HealthCheckId: hc-a,
         TTL: 60, ResourceRecords: [{Value: 192.0.2.1}]}
      - {Name: pool.example.com, Type: A, SetIdentifier: b, Weight: 0, HealthCheckId: hc-b,
         TTL: 60, ResourceRecords: [{Value: 192.0.2.2}]}
      - {Name: near.example.com, Type: A, SetIdentifier: us, Region: us-east-1,
         TTL: 60, ResourceRecords: [{Value: 203.0.113.1}]}
      - {Name: near.example.com, Type: A, SetIdentifier: eu, Region: eu-west-1,
         TTL: 60, ResourceRecords: [{Value: 203.0.113.2}]}
health_checks:
  hc-a:
    HealthCheckConfig: {Type: CLOUDWATCH_METRIC, AlarmIdentifier: {Region: us-east-1, Name: a},
                        InsufficientDataHealthStatus: Healthy}
    local: {state: OK}
  hc-b:
    HealthCheckConfig: {Type: CLOUDWATCH_METRIC, AlarmIdentifier: {Region: us-east-1, Name: b},
                        InsufficientDataHealthStatus: Healthy}
    local: {state: OK}
local:
  client_locations:
    - {cidr: 192.0.2.0/24, region: eu-west-1, country: IE}
    - {cidr: 198.51.100.0/24, region: us-east-1, country: US}
"""


def group(body, name, rtype="A"):
    for zone in body["zones"]:
        for rs in zone["record_sets"]:
            if rs["name"] == name and rs["type"] == rtype:
                return rs
    raise AssertionError(f"no {name} {rtype} in {body}")


def taken(nodes):
    return [n["label"] for n in nodes if n["chosen"]]


def test_tree_marks_the_branch_taken_and_follows_health():
    with R53Sim(CONFIG, args=["--manual-clock"]) as sim:
        status, body = sim.admin("GET", "/v1/answers")
        assert status == 200, body
        assert body["clock"] == {"mode": "manual"}
        assert [c["address"] for c in body["clients"]] == ["127.0.0.1", "192.0.2.0", "198.51.100.0"]
        app = group(body, "app.example.com.")
        assert app["policy"] == "failover"
        assert app["answer"] == ["192.0.2.1"] == sim.answer("app.example.com")
        assert taken(app["records"]) == ["primary"]
        primary = app["records"][0]
        assert primary["routing"] == {"Failover": "PRIMARY"}
        assert primary["alias"]["target"] == "record"
        assert taken(primary["children"]) == ["a"]  # weight 0 is never picked while a is up
        assert [c["healthy"] for c in primary["children"]] == [True, True]

        # a's alarm: the pool falls back to b, still under the primary.
        assert sim.admin("PUT", "/v1/health-checks/hc-a/state", {"state": "ALARM"})[0] == 200
        app = group(sim.admin("GET", "/v1/answers")[1], "app.example.com.")
        assert app["answer"] == ["192.0.2.2"] == sim.answer("app.example.com")
        assert taken(app["records"]) == ["primary"]
        assert taken(app["records"][0]["children"]) == ["b"]
        assert app["records"][0]["children"][0]["healthy"] is False

        # Both alarms: the alias branch is unhealthy, the secondary is taken.
        assert sim.admin("PUT", "/v1/health-checks/hc-b/state", {"state": "ALARM"})[0] == 200
        app = group(sim.admin("GET", "/v1/answers")[1], "app.example.com.")
        assert app["answer"] == ["198.51.100.9"] == sim.answer("app.example.com")
        assert taken(app["records"]) == ["secondary"]


def test_the_client_picks_the_latency_record():
    with R53Sim(CONFIG, args=["--manual-clock"]) as sim:
        for client, expected, label in (("192.0.2.7", "203.0.113.2", "eu"),
                                        ("198.51.100.7", "203.0.113.1", "us")):
            status, body = sim.admin("GET", f"/v1/answers?client={client}")
            assert status == 200 and body["client"] == client
            near = group(body, "near.example.com.")
            assert near["policy"] == "latency"
            assert near["answer"] == [expected]
            assert taken(near["records"]) == [label]
            assert near["records"][0]["routing"] == {"Region": "us-east-1"}
            assert sim.answer("near.example.com", "A", f"+subnet={client}/24") == [expected]
        assert sim.admin("GET", "/v1/answers?client=not-an-ip")[0] == 400
