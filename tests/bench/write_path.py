#!/usr/bin/env python3
"""Route 53 API writes against a large zone, and /healthz while they run (tests/bench/write_path.sh).

Starts r53sim on a generated zone of RECORDS simple record sets (config file), then sends CHANGES
single-record UPSERT change batches through the REST API one after another, each on a kept-alive
connection, while another thread times GET /healthz every 10 ms. Then does RELOADS config
reloads (POST /v1/reload) of the same zone with one record changed each, the other way a
change reaches a served zone. Prints per-change latency p50/p99/max, total time, and /healthz
latency p50/p99/max during each phase. Loopback only; every wait is bounded.
"""
import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

NS = "https://route53.amazonaws.com/doc/2013-04-01/"
HERE = os.path.dirname(os.path.abspath(__file__))


def upsert(name, value):
    return (f'<ChangeResourceRecordSetsRequest xmlns="{NS}"><ChangeBatch><Changes><Change>'
            f"<Action>UPSERT</Action><ResourceRecordSet><Name>{name}</Name><Type>A</Type>"
            f"<TTL>60</TTL><ResourceRecords><ResourceRecord><Value>{value}</Value>"
            f"</ResourceRecord></ResourceRecords></ResourceRecordSet></Change></Changes>"
            f"</ChangeBatch></ChangeResourceRecordSetsRequest>")


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))]


def ms(xs):
    return (f"p50 {pct(xs, 50) * 1e3:8.2f} ms  p99 {pct(xs, 99) * 1e3:8.2f} ms  "
            f"max {max(xs) * 1e3 if xs else float('nan'):8.2f} ms  (n={len(xs)})")


class HealthzProbe(threading.Thread):
    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.samples, self.stop_at = port, [], None
        self.running = True

    def run(self):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        while self.running:
            t = time.perf_counter()
            c.request("GET", "/healthz")
            r = c.getresponse()
            r.read()
            assert r.status == 200
            self.samples.append(time.perf_counter() - t)
            time.sleep(0.01)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--records", type=int, default=100000)
    p.add_argument("--changes", type=int, default=10000)
    p.add_argument("--reloads", type=int, default=3)
    p.add_argument("--time-limit", type=float, default=1800, help="stop the API phase after this")
    p.add_argument("--binary", default=os.environ.get("R53SIM_BINARY",
                                                      os.path.join(HERE, "../../build/server/r53sim")))
    a = p.parse_args()
    work = tempfile.mkdtemp(prefix="r53sim-write-path.")
    config = os.path.join(work, "zone.yaml")
    subprocess.run([sys.executable, os.path.join(HERE, "gen_zone.py"), str(a.records),
                    "--simple-only", "-o", config], check=True)
    ready = os.path.join(work, "ready.json")
    t0 = time.perf_counter()
    proc = subprocess.Popen([a.binary, "serve", "-c", config, "--dns", "127.0.0.1:0", "--admin",
                             "127.0.0.1:0", "--ready-file", ready, "--log-level", "error"],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "log"), "w"))
    try:
        deadline = time.time() + 900
        while not os.path.exists(ready) or not os.path.getsize(ready):
            if proc.poll() is not None or time.time() > deadline:
                sys.exit(f"r53sim did not become ready (see {work}/log)")
            time.sleep(0.05)
        admin = int(json.load(open(ready))["admin"].rsplit(":", 1)[1])
        print(f"zone of {a.records} record sets ready in {time.perf_counter() - t0:.1f} s")

        probe = HealthzProbe(admin)
        probe.start()
        time.sleep(0.5)
        idle = list(probe.samples)
        print(f"/healthz idle:             {ms(idle)}")

        c = http.client.HTTPConnection("127.0.0.1", admin, timeout=600)
        path = "/2013-04-01/hostedzone/ZBIGTEST/rrset"
        lat = []
        before = len(probe.samples)
        start = time.perf_counter()
        for i in range(a.changes):
            body = upsert(f"s{i % a.records}.big.test.", f"192.0.2.{i % 250 + 1}")
            t = time.perf_counter()
            c.request("POST", path, body=body.encode())
            r = c.getresponse()
            text = r.read()
            if r.status != 200:
                sys.exit(f"change {i}: HTTP {r.status}: {text[:300]!r}")
            lat.append(time.perf_counter() - t)
            if time.perf_counter() - start > a.time_limit:
                print(f"time limit: stopped after {i + 1} of {a.changes} changes")
                break
        total = time.perf_counter() - start
        during = probe.samples[before:]
        print(f"REST API, {len(lat)} single-record UPSERTs: total {total:.1f} s, "
              f"{len(lat) / total:.1f} changes/s")
        print(f"  per change:              {ms(lat)}")
        print(f"  /healthz during:         {ms(during)}")

        rl = []
        before = len(probe.samples)
        text = open(config).read()
        for i in range(a.reloads):
            with open(config, "w") as f:
                f.write(text.replace("{Value: 10.0.0.0}", f"{{Value: 192.0.2.{i + 1}}}", 1))
            t = time.perf_counter()
            c.request("POST", "/v1/reload")
            r = c.getresponse()
            r.read()
            if r.status != 200:
                sys.exit(f"reload {i}: HTTP {r.status}")
            rl.append(time.perf_counter() - t)
        during = probe.samples[before:]
        print(f"config reload, {len(rl)} one-record edits:")
        print(f"  per change:              {ms(rl)}")
        print(f"  /healthz during:         {ms(during)}")
        probe.running = False
        probe.join(timeout=60)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
        if not os.environ.get("KEEP_WORK"):
            subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
