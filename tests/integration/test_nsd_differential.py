"""Differential test: the same zone served by NSD and by r53sim, asked the same few hundred
queries (names x types x case x EDNS x UDP/TCP), responses compared as sets.

Intended differences (each is handled below, not hidden):
  * CNAME chasing: NSD follows an in-zone CNAME inside the answer section; Route 53 does not
    (semantics §5 "Sections": "CNAMEs are not chased"). For a CNAME answer only the records owned
    by the question name and the rcode/flags are compared. What follows from chasing differs too
    and is not compared: NSD's authority is the target's (SOA when the target has no data of the
    type, nothing for an out-of-zone target), r53sim's is that of a positive answer (zone NS, §5);
    r53sim puts the known A/AAAA of the CNAME target in Additional (§5), NSD in the answer.
  * OPT payload size: r53sim advertises 4096 (Route 53's documented maximum); NSD is configured
    with the same so truncation matches, but the advertised size itself is not compared.
  * Truncated UDP responses: only TC, rcode and the question are compared; servers may send
    any complete RRsets that fit (RFC 2181 §9), r53sim sends none.
"""
import os
import shutil
import signal
import subprocess
import tempfile

import pytest

import dnswire
from harness import R53Sim, free_port, poll

NSD = shutil.which("nsd") or "/usr/sbin/nsd"

SOA = "ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 86400"
BIG = [f"10.0.0.{i}" for i in range(40)]  # 40 x 16 bytes: over 512, under 4096

# (name relative to example.com, type, ttl, values): one table renders both configurations.
RECORDS = [
    ("@", "SOA", 900, [SOA]),
    ("@", "NS", 172800, ["ns1.example.com.", "ns2.example.com."]),
    ("@", "MX", 300, ["10 mail.example.com."]),
    ("@", "TXT", 300, ['"v=spf1 -all"']),
    ("@", "CAA", 300, ['0 issue "amazon.com"']),
    ("ns1", "A", 300, ["192.0.2.53"]),
    ("ns2", "A", 300, ["192.0.2.54"]),
    ("ns2", "AAAA", 300, ["2001:db8::54"]),
    ("www", "A", 300, ["192.0.2.1", "192.0.2.2"]),
    ("www", "AAAA", 300, ["2001:db8::1"]),
    ("mail", "A", 300, ["192.0.2.25"]),
    ("txt", "TXT", 60, ['"hello world" "second string"']),
    ("alias", "CNAME", 300, ["www.example.com."]),
    ("chain", "CNAME", 300, ["alias.example.com."]),
    ("ext", "CNAME", 300, ["target.example.net."]),
    ("*.wild", "A", 120, ["192.0.2.100"]),
    ("*.wild", "TXT", 120, ['"wild"']),
    ("_sip._tcp", "SRV", 300, ["10 5 5060 sip.example.com."]),
    ("sip", "A", 300, ["192.0.2.60"]),
    ("1.ptr", "PTR", 300, ["host.example.com."]),
    ("sub", "NS", 3600, ["ns.sub.example.com."]),
    ("ns.sub", "A", 3600, ["192.0.2.200"]),
    ("a.b.ent", "A", 300, ["192.0.2.7"]),
    ("big", "A", 60, BIG),
]

NAMES = ["example.com", "www.example.com", "mail.example.com", "txt.example.com",
         "alias.example.com", "chain.example.com", "ext.example.com", "x.wild.example.com",
         "a.b.wild.example.com", "wild.example.com", "_sip._tcp.example.com", "1.ptr.example.com",
         "sub.example.com", "host.sub.example.com", "ns.sub.example.com", "ent.example.com",
         "b.ent.example.com", "a.b.ent.example.com", "nope.example.com", "deep.nope.example.com",
         "ns2.example.com", "www.example.org"]
TYPES = ["A", "AAAA", "MX", "TXT", "NS", "SOA", "CNAME", "SRV", "PTR", "CAA"]


def absolute(name):
    return "example.com." if name == "@" else f"{name}.example.com."


def zone_file():
    lines = ["$ORIGIN example.com."]
    for name, rtype, ttl, values in RECORDS:
        lines += [f"{absolute(name)} {ttl} IN {rtype} {v}" for v in values]
    return "\n".join(lines) + "\n"


def yaml_quote(value):
    return "'" + value.replace("'", "''") + "'"


def r53sim_config():
    out = ["hosted_zones:", "  - Name: example.com", "    ResourceRecordSets:"]
    for name, rtype, ttl, values in RECORDS:
        out.append(f"      - Name: {yaml_quote(absolute(name))}")
        out.append(f"        Type: {rtype}")
        out.append(f"        TTL: {ttl}")
        out.append("        ResourceRecords:")
        out += [f"          - Value: {yaml_quote(v)}" for v in values]
    return "\n".join(out) + "\n"


class Nsd:
    """NSD in the foreground with its own config in a temp dir; stopped by pid."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="r53sim-nsd-")
        self.port = free_port()
        with open(os.path.join(self.dir, "example.com.zone"), "w") as f:
            f.write(zone_file())
        conf = os.path.join(self.dir, "nsd.conf")
        with open(conf, "w") as f:
            f.write(f"""server:
  ip-address: 127.0.0.1@{self.port}
  port: {self.port}
  username: ""
  chroot: ""
  zonesdir: "{self.dir}"
  database: ""
  zonelistfile: "{self.dir}/zone.list"
  xfrdfile: "{self.dir}/xfrd.state"
  xfrdir: "{self.dir}"
  pidfile: "{self.dir}/nsd.pid"
  logfile: "{self.dir}/nsd.log"
  server-count: 1
  rrl-ratelimit: 0
  ipv4-edns-size: 4096
  hide-version: yes
  verbosity: 1
remote-control:
  control-enable: no
zone:
  name: example.com
  zonefile: "{self.dir}/example.com.zone"
""")
        self.log = open(os.path.join(self.dir, "stdout.log"), "w")
        self.proc = subprocess.Popen([NSD, "-d", "-c", conf], stdout=self.log, stderr=subprocess.STDOUT)

        def answers():
            if self.proc.poll() is not None:
                raise AssertionError(f"nsd exited: {open(os.path.join(self.dir, 'nsd.log')).read()}")
            try:
                return dnswire.query_udp(self.port, dnswire.build_query("example.com", "SOA"), 0.2)
            except OSError:
                return None
        poll(answers, 20, what="nsd answering")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture(scope="module")
def servers():
    if not os.path.exists(NSD):
        pytest.skip("nsd not installed")
    nsd = Nsd()
    try:
        sim = R53Sim(config_text=r53sim_config())
    except BaseException:
        nsd.stop()
        raise
    try:
        yield nsd.port, sim.dns_port
    finally:
        sim.stop()
        nsd.stop()


def vary_case(name, k):
    return "".join(c.upper() if c.isalpha() and (i + k) % 2 == 0 else c for i, c in enumerate(name))


def cases():
    out = []
    for name in NAMES:  # every name x type, EDNS on, UDP
        for qtype in TYPES:
            out.append((name, qtype, 4096, "udp"))
    for name in NAMES:  # case variants, no EDNS, both transports
        out.append((vary_case(name, 0), "A", None, "udp"))
        out.append((vary_case(name, 1), "TXT", None, "tcp"))
        out.append((name, "MX", None, "tcp"))
    out += [("big.example.com", "A", None, "udp"), ("big.example.com", "A", 4096, "udp"),
            ("big.example.com", "A", 1232, "udp"), ("big.example.com", "A", None, "tcp"),
            ("BIG.example.COM", "A", 512, "udp")]
    return out


def ask(port, name, qtype, edns, transport):
    message = dnswire.build_query(name, qtype, qid=0x5151, edns=edns)
    if transport == "tcp":
        return dnswire.query_tcp(port, message)
    return dnswire.query_udp(port, message)


def comparable(response, qname):
    view = {"rcode": response.rcode, "flags": sorted(response.flags), "question": response.question,
            "edns": response.edns is not None}
    if "tc" in response.flags:
        return view
    answer = set(response.answer)
    if any(r[1] == "CNAME" and r[0] == qname.lower() for r in answer):
        view["answer"] = {r for r in answer if r[0] == qname.lower()}
    else:
        view["answer"] = answer
        view["authority"] = set(response.authority)
        view["additional"] = set(response.additional)
    return view


def test_query_count_is_large_enough():
    assert len(cases()) >= 200


def test_r53sim_matches_nsd(servers):
    nsd_port, sim_port = servers
    differences = []
    for name, qtype, edns, transport in cases():
        qname = name + "."
        expected = comparable(ask(nsd_port, name, qtype, edns, transport), qname)
        actual = comparable(ask(sim_port, name, qtype, edns, transport), qname)
        if expected != actual:
            keys = [k for k in expected if expected.get(k) != actual.get(k)]
            differences.append(f"{name} {qtype} edns={edns} {transport}: " + "; ".join(
                f"{k}: nsd={expected.get(k)!r} r53sim={actual.get(k)!r}" for k in keys))
    assert not differences, f"{len(differences)} of {len(cases())} differ:\n" + "\n".join(differences)


def test_pipelined_tcp_matches_nsd(servers):
    nsd_port, sim_port = servers
    messages = [dnswire.build_query(n, "A", qid=i) for i, n in enumerate(NAMES)]
    nsd = dnswire.query_tcp(nsd_port, messages)
    sim = dnswire.query_tcp(sim_port, messages)
    assert [r.id for r in sim] == list(range(len(NAMES)))
    assert [r.rcode for r in sim] == [r.rcode for r in nsd]


def test_truncation_without_edns(servers):
    _, sim_port = servers
    udp = ask(sim_port, "big.example.com", "A", None, "udp")
    assert "tc" in udp.flags and len(udp.raw) <= 512
    tcp = ask(sim_port, "big.example.com", "A", None, "tcp")
    assert "tc" not in tcp.flags and sorted(r[4] for r in tcp.answer) == sorted(BIG)
