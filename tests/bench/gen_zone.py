#!/usr/bin/env python3
"""Writes an r53sim config with one hosted zone of N record sets, for the scale benchmarks.

Mixed like a real zone: half simple A records, a quarter weighted pairs, a quarter failover pairs
whose PRIMARY carries a health check (checks are shared, CHECKS of them, TCP on a loopback port
nothing listens on, at a 30 s interval). Written as flow-style YAML, one record set a line.
"""
import argparse
import sys


def main():
    p = argparse.ArgumentParser()
    p.add_argument("records", type=int, help="record sets in the zone (besides SOA and NS)")
    p.add_argument("--checks", type=int, default=100)
    p.add_argument("--simple-only", action="store_true", help="only simple A records")
    p.add_argument("--zone", default="big.test.")
    p.add_argument("-o", "--output", default="-")
    a = p.parse_args()
    out = sys.stdout if a.output == "-" else open(a.output, "w")
    w = out.write
    z = a.zone
    if not a.simple_only and a.checks:
        w("health_checks:\n")
        for c in range(a.checks):
            w(f"  hc-{c}: {{HealthCheckConfig: {{Type: TCP, IPAddress: 127.0.0.1, Port: 9, "
              f"RequestInterval: 30}}}}\n")
    w(f"hosted_zones:\n  - Name: {z}\n    Id: ZBIGTEST\n    ResourceRecordSets:\n")
    n = 0
    i = 0
    while n < a.records:
        ip = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"
        kind = 0 if a.simple_only else i % 4
        if kind in (0, 1) or n + 2 > a.records:
            w(f"      - {{Name: s{i}.{z}, Type: A, TTL: 60, ResourceRecords: [{{Value: {ip}}}]}}\n")
            n += 1
        elif kind == 2:
            for s in ("a", "b"):
                w(f"      - {{Name: w{i}.{z}, Type: A, SetIdentifier: {s}, Weight: 10, TTL: 60, "
                  f"ResourceRecords: [{{Value: {ip}}}]}}\n")
            n += 2
        else:
            w(f"      - {{Name: f{i}.{z}, Type: A, SetIdentifier: p, Failover: PRIMARY, "
              f"HealthCheckId: hc-{i % a.checks}, TTL: 60, ResourceRecords: [{{Value: {ip}}}]}}\n")
            w(f"      - {{Name: f{i}.{z}, Type: A, SetIdentifier: s, Failover: SECONDARY, TTL: 60, "
              f"ResourceRecords: [{{Value: {ip}}}]}}\n")
            n += 2
        i += 1
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
