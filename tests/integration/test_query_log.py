"""The query log: Route 53's format in a file (text and JSON lines, reopened on SIGHUP) and in
memory through GET /v1/queries, checked against the queries a real dig loop made."""
import json
import os
import re
import signal

from harness import R53Sim, poll

CONFIG = """
hosted_zones:
  - Name: example.com
    Id: Z0LOGTEST12345
    ResourceRecordSets:
      - {Name: www.example.com, Type: A, TTL: 60, ResourceRecords: [{Value: 192.0.2.1}]}
  - Name: example.net
    Id: Z0OTHERZONE999
    ResourceRecordSets:
      - {Name: example.net, Type: TXT, TTL: 60, ResourceRecords: [{Value: '"hi"'}]}
"""

# (name as sent, type, dig options, expected zone, rcode, protocol, client subnet)
DIG_LOOP = [
    ("www.example.com", "A", [], "Z0LOGTEST12345", "NOERROR", "UDP", "-"),
    ("nope.example.com", "A", [], "Z0LOGTEST12345", "NXDOMAIN", "UDP", "-"),
    ("www.example.com", "AAAA", [], "Z0LOGTEST12345", "NOERROR", "UDP", "-"),
    ("example.org", "A", [], "-", "REFUSED", "UDP", "-"),
    ("WWW.Example.COM", "A", ["+tcp"], "Z0LOGTEST12345", "NOERROR", "TCP", "-"),
    ("example.net", "TXT", ["+subnet=198.51.100.7/24"], "Z0OTHERZONE999", "NOERROR", "UDP",
     "198.51.100.0/24"),
    ("www.example.com", "MX", [], "Z0LOGTEST12345", "NOERROR", "UDP", "-"),
    ("gone.example.net", "AAAA", [], "Z0OTHERZONE999", "NXDOMAIN", "UDP", "-"),
]

# version timestamp zone name type rcode protocol edge resolver subnet
LINE = re.compile(r"^1\.0 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (\S+) (\S+) (\S+) (\S+) "
                  r"(UDP|TCP) (\S+) (\S+) (\S+)$")
ROUTE53_KEYS = ["version", "query_timestamp", "hosted_zone_id", "query_name", "query_type",
                "response_code", "protocol", "edge_location", "resolver_ip", "edns_client_subnet"]


def run_dig_loop(sim):
    for name, qtype, options, *_ in DIG_LOOP:
        out = sim.dig(name, qtype, *options)
        assert "status:" in out, out


def expected_fields(entry):
    name, qtype, _, zone, rcode, protocol, subnet = entry
    return [zone, name, qtype, rcode, protocol, "LCL1", "127.0.0.1", subnet]


def file_lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [line.rstrip("\n") for line in f]


def test_queries_endpoint_and_file_show_the_dig_loop_in_order(tmp_path):
    log_path = str(tmp_path / "queries.log")
    with R53Sim(CONFIG, args=["--workers", "2", "--query-log", log_path]) as sim:
        run_dig_loop(sim)
        status, body = sim.admin("GET", "/v1/queries?limit=100")
        assert status == 200, body
        got = body["queries"]
        assert body["count"] == len(DIG_LOOP)
        assert [[q[k] for k in ROUTE53_KEYS[2:]] for q in got] == \
            [expected_fields(e) for e in DIG_LOOP]
        assert all(q["version"] == "1.0" for q in got)
        assert [q["time"] for q in got] == sorted(q["time"] for q in got)

        # Filters: name (any case, optional final dot), type, since, limit.
        _, by_name = sim.admin("GET", "/v1/queries?name=www.example.com.")
        assert [q["query_type"] for q in by_name["queries"]] == ["A", "AAAA", "A", "MX"]
        _, by_type = sim.admin("GET", "/v1/queries?type=aaaa")
        assert [q["query_name"] for q in by_type["queries"]] == \
            ["www.example.com", "gone.example.net"]
        since = got[5]["query_timestamp"]
        _, recent = sim.admin("GET", f"/v1/queries?since={since}")
        assert [q["query_name"] for q in recent["queries"]][0] == "example.net"
        assert len(recent["queries"]) == 3
        _, numeric = sim.admin("GET", f"/v1/queries?since={got[6]['time'] - 0.0000005}")
        assert len(numeric["queries"]) == 2
        _, last = sim.admin("GET", "/v1/queries?limit=2")
        assert [q["query_name"] for q in last["queries"]] == ["www.example.com", "gone.example.net"]
        assert sim.admin("GET", "/v1/queries?limit=0")[0] == 400
        assert sim.admin("GET", "/v1/queries?since=yesterday")[0] == 400
        assert sim.admin("POST", "/v1/queries", {})[0] == 405

        # The file: one line per query, parsed with the documented format, the same fields.
        lines = poll(lambda: len(file_lines(log_path)) >= len(DIG_LOOP) and file_lines(log_path),
                     10, what="query log lines")
        assert len(lines) == len(DIG_LOOP)
        for line, entry, record in zip(lines, DIG_LOOP, got):
            m = LINE.match(line)
            assert m, line
            assert m.group(1) == record["query_timestamp"]
            assert list(m.groups()[1:]) == expected_fields(entry)

        metrics = sim.admin("GET", "/metrics")[1]
        assert f"r53sim_dns_query_log_lines_total {len(DIG_LOOP)}" in metrics
        assert "r53sim_dns_query_log_lost_total 0" in metrics

        # Log rotation: move the file away, SIGHUP, and the next queries go to a new file.
        os.rename(log_path, log_path + ".1")
        sim.proc.send_signal(signal.SIGHUP)
        poll(lambda: os.path.exists(log_path), 10, what="query log reopened")
        sim.dig("www.example.com", "A")
        new_lines = poll(lambda: file_lines(log_path), 10, what="line in the reopened log")
        assert len(new_lines) == 1 and " www.example.com A NOERROR " in new_lines[0]
        assert len(file_lines(log_path + ".1")) == len(DIG_LOOP)


def test_json_lines_keep_route53_field_order(tmp_path):
    log_path = str(tmp_path / "queries.jsonl")
    with R53Sim(CONFIG, args=["--query-log", log_path, "--query-log-format", "json"]) as sim:
        run_dig_loop(sim)
        lines = poll(lambda: len(file_lines(log_path)) >= len(DIG_LOOP) and file_lines(log_path),
                     10, what="json query log lines")
    assert len(lines) == len(DIG_LOOP)
    for line, entry in zip(lines, DIG_LOOP):
        record = json.loads(line)
        assert list(record) == ROUTE53_KEYS
        assert [record[k] for k in ROUTE53_KEYS[2:]] == expected_fields(entry)


def test_buffer_zero_turns_query_logging_off(tmp_path):
    with R53Sim(CONFIG, args=["--query-log-buffer", "0"]) as sim:
        sim.dig("www.example.com", "A")
        status, body = sim.admin("GET", "/v1/queries")
        assert status == 409 and body["error"]["code"] == "QueryLogOff"
        assert "r53sim_dns_query_log" not in sim.admin("GET", "/metrics")[1]
