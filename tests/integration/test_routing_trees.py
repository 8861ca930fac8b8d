"""Nested Route 53 routing trees through the real binary, with real endpoints going down and dig
playing clients in different places with +subnet (semantics §2.3, §2.4, §3)."""
import re

import pytest

from harness import Endpoint, R53Sim

CHECKS = ["use1-a", "use1-b", "euw1-a", "euw1-b", "green", "blue-1", "blue-2"]

CONFIG = """
hosted_zones:
  - Name: example.com
    Id: ZTREES
    ResourceRecordSets:
      # Latency -> weighted (§3 "in a latency->weighted tree a region whose weighted records all
      # fail is abandoned for the next-best latency").
      - {{Name: app.example.com, Type: A, SetIdentifier: use1, Region: us-east-1,
         AliasTarget: {{HostedZoneId: ZTREES, DNSName: use1.app.example.com, EvaluateTargetHealth: true}}}}
      - {{Name: app.example.com, Type: A, SetIdentifier: euw1, Region: eu-west-1,
         AliasTarget: {{HostedZoneId: ZTREES, DNSName: euw1.app.example.com, EvaluateTargetHealth: true}}}}
      - {{Name: use1.app.example.com, Type: A, SetIdentifier: a, Weight: 1, HealthCheckId: use1-a, TTL: 30, ResourceRecords: [{{Value: 192.0.2.1}}]}}
      - {{Name: use1.app.example.com, Type: A, SetIdentifier: b, Weight: 1, HealthCheckId: use1-b, TTL: 30, ResourceRecords: [{{Value: 192.0.2.2}}]}}
      - {{Name: euw1.app.example.com, Type: A, SetIdentifier: a, Weight: 1, HealthCheckId: euw1-a, TTL: 30, ResourceRecords: [{{Value: 198.51.100.1}}]}}
      - {{Name: euw1.app.example.com, Type: A, SetIdentifier: b, Weight: 1, HealthCheckId: euw1-b, TTL: 30, ResourceRecords: [{{Value: 198.51.100.2}}]}}

      # Failover of aliases to weighted groups.
      - {{Name: svc.example.com, Type: A, SetIdentifier: primary, Failover: PRIMARY,
         AliasTarget: {{HostedZoneId: ZTREES, DNSName: blue.svc.example.com, EvaluateTargetHealth: true}}}}
      - {{Name: svc.example.com, Type: A, SetIdentifier: secondary, Failover: SECONDARY,
         AliasTarget: {{HostedZoneId: ZTREES, DNSName: green.svc.example.com, EvaluateTargetHealth: true}}}}
      - {{Name: blue.svc.example.com, Type: A, SetIdentifier: one, Weight: 50, HealthCheckId: blue-1, TTL: 30, ResourceRecords: [{{Value: 203.0.113.1}}]}}
      - {{Name: blue.svc.example.com, Type: A, SetIdentifier: two, Weight: 50, HealthCheckId: blue-2, TTL: 30, ResourceRecords: [{{Value: 203.0.113.2}}]}}
      - {{Name: green.svc.example.com, Type: A, SetIdentifier: one, Weight: 1, HealthCheckId: green, TTL: 30, ResourceRecords: [{{Value: 203.0.113.9}}]}}

      # Geolocation with a default, Europe aliased to a failover pair.
      - {{Name: geo.example.com, Type: A, SetIdentifier: europe, GeoLocation: {{ContinentCode: EU}},
         AliasTarget: {{HostedZoneId: ZTREES, DNSName: eu.geo.example.com, EvaluateTargetHealth: true}}}}
      - {{Name: geo.example.com, Type: A, SetIdentifier: default, GeoLocation: {{CountryCode: "*"}}, TTL: 30, ResourceRecords: [{{Value: 192.0.2.200}}]}}
      - {{Name: eu.geo.example.com, Type: A, SetIdentifier: p, Failover: PRIMARY, HealthCheckId: euw1-a, TTL: 30, ResourceRecords: [{{Value: 198.51.100.11}}]}}
      - {{Name: eu.geo.example.com, Type: A, SetIdentifier: s, Failover: SECONDARY, HealthCheckId: euw1-b, TTL: 30, ResourceRecords: [{{Value: 198.51.100.12}}]}}
health_checks:
{checks}
local:
  client_locations:
    - {{cidr: 198.51.100.0/24, continent: EU, country: IE, region: eu-west-1}}
    - {{cidr: 192.0.2.0/24, continent: NA, country: US, subdivision: VA, region: us-east-1}}
  default_client: 192.0.2.7
"""

CHECK = """  {name}:
    HealthCheckConfig: {{Type: HTTP, IPAddress: 127.0.0.1, Port: {port}, ResourcePath: /health, FailureThreshold: 1}}
    local: {{interval: 0.1s, connect_timeout: 0.5s, response_timeout: 0.5s}}
"""

EUROPE = "+subnet=198.51.100.0/24"
VIRGINIA = "+subnet=192.0.2.0/24"


@pytest.fixture(scope="module")
def tree():
    endpoints = {name: Endpoint(name) for name in CHECKS}
    checks = "".join(CHECK.format(name=n, port=e.port) for n, e in endpoints.items())
    sim = R53Sim(CONFIG.format(checks=checks))
    yield sim, endpoints
    sim.stop()
    for e in endpoints.values():
        e.stop()


def set_health(sim, endpoints, **states):
    """Really takes endpoints down (their /health answers 503) and waits for the verdicts."""
    for name, healthy in states.items():
        endpoints[name.replace("_", "-")].set_down(not healthy)
    for name, healthy in states.items():
        check = name.replace("_", "-")
        want = "healthy" if healthy else "unhealthy"
        status, body = sim.admin("GET", f"/v1/wait?check={check}&status={want}&timeout=10s")
        assert status == 200, body


@pytest.fixture(autouse=True)
def all_up(tree):
    sim, endpoints = tree
    set_health(sim, endpoints, **{n.replace("-", "_"): True for n in CHECKS})


def answers(sim, name, where, n=12):
    seen = set()
    for _ in range(n):
        seen.update(sim.answer(name, "A", where))
    return seen


def test_latency_picks_the_client_region(tree):
    sim, _ = tree
    assert answers(sim, "app.example.com", EUROPE) == {"198.51.100.1", "198.51.100.2"}
    assert answers(sim, "app.example.com", VIRGINIA) == {"192.0.2.1", "192.0.2.2"}
    # Without ECS, loopback queries come from local.default_client (Virginia).
    assert set(sim.answer("app.example.com")) <= {"192.0.2.1", "192.0.2.2"}


def test_latency_weighted_one_record_down_stays_in_region(tree):
    sim, endpoints = tree
    set_health(sim, endpoints, euw1_a=False)
    # §2.3 weighted: the unhealthy record leaves the sum; the region still has a healthy one.
    assert answers(sim, "app.example.com", EUROPE) == {"198.51.100.2"}


def test_latency_abandons_a_region_whose_weighted_records_all_fail(tree):
    sim, endpoints = tree
    set_health(sim, endpoints, euw1_a=False, euw1_b=False)
    # §3 ETH=true: the eu-west-1 branch has no healthy record -> next-best latency region.
    assert answers(sim, "app.example.com", EUROPE) == {"192.0.2.1", "192.0.2.2"}
    # The TTL is the alias target's (§3 "same-zone target -> the target record's TTL").
    assert re.search(r"^app\.example\.com\.\s+30\s+IN\s+A\s", sim.dig("app.example.com", "A", EUROPE), re.M)


def test_failover_of_aliases_to_weighted_groups(tree):
    sim, endpoints = tree
    assert answers(sim, "svc.example.com", VIRGINIA) == {"203.0.113.1", "203.0.113.2"}
    set_health(sim, endpoints, blue_1=False)
    assert answers(sim, "svc.example.com", VIRGINIA) == {"203.0.113.2"}
    set_health(sim, endpoints, blue_2=False)
    # Every record of the primary's group is unhealthy: the primary alias is unhealthy (§3).
    assert answers(sim, "svc.example.com", VIRGINIA) == {"203.0.113.9"}
    set_health(sim, endpoints, green=False)
    # Both branches unhealthy: failover answers the primary (§2.3), whose weighted group then
    # fails open among all its records (§2.2).
    assert answers(sim, "svc.example.com", VIRGINIA) == {"203.0.113.1", "203.0.113.2"}


def test_geolocation_default_and_failover_pair_below_it(tree):
    sim, endpoints = tree
    assert answers(sim, "geo.example.com", EUROPE) == {"198.51.100.11"}
    assert answers(sim, "geo.example.com", VIRGINIA) == {"192.0.2.200"}
    set_health(sim, endpoints, euw1_a=False)
    assert answers(sim, "geo.example.com", EUROPE) == {"198.51.100.12"}
    set_health(sim, endpoints, euw1_b=False)
    # The failover pair has no healthy record: Europe falls back to the default (§2.3, §3).
    assert answers(sim, "geo.example.com", EUROPE) == {"192.0.2.200"}


def test_ecs_scope_is_echoed_for_location_dependent_answers(tree):
    sim, _ = tree
    out = sim.dig("app.example.com", "A", EUROPE)
    assert "CLIENT-SUBNET: 198.51.100.0/24/24" in out, out
