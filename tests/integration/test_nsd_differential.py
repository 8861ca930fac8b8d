r"""Differential test: the same zones served by NSD and by r53sim, asked the same few hundred
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
  * Character-strings: the zone file gives NSD RFC 1035's decimal `\DDD`, r53sim's config gives
    Route 53's octal `\ooo` for the same bytes (semantics §5 "Names/case/types"); the wire must
    be the same.
  * Referral glue (RFC 9471): when not all glue for in-domain name servers fits, r53sim sets TC;
    NSD 4.6 sets it only when no address fits at all. Those cases are checked one by one
    (EXPLAINED below), not as equal.
  * AXFR over UDP: NSD answers NOTIMP (a transfer needs TCP, RFC 5936 §4.2), r53sim REFUSED as
    over TCP. Both refuse IXFR and AXFR of a zone over TCP alike; for a name that is no zone's
    apex NSD says NOTAUTH, r53sim REFUSED as for every transfer.
  * Above 1232 bytes NSD leaves optional records out over UDP (its minimal-responses build);
    r53sim fills up to the client's EDNS size. The edge cases therefore use 512 bytes (no EDNS)
    and EDNS sizes up to 1232.
"""
import os
import shutil
import signal
import struct
import subprocess
import tempfile

import pytest

import dnswire
from harness import R53Sim, free_port, poll

NSD = shutil.which("nsd") or "/usr/sbin/nsd"

SOA = "ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 86400"
BIG = [f"10.0.0.{i}" for i in range(40)]  # 40 x 16 bytes: over 512, under 4096


def nsd_escape(data):
    """One character-string as a zone file writes it: RFC 1035 decimal escapes."""
    return '"' + "".join(chr(b) if 0x20 <= b < 0x7F and b not in (0x22, 0x5C) else
                         (f"\\{chr(b)}" if b in (0x22, 0x5C) else f"\\{b:03d}")
                         for b in data) + '"'


def route53_escape(data):
    """The same bytes as Route 53 writes them: octal escapes (semantics §5)."""
    return '"' + "".join(chr(b) if 0x20 <= b < 0x7F and b not in (0x22, 0x5C) else
                         (f"\\{chr(b)}" if b in (0x22, 0x5C) else f"\\{b:03o}")
                         for b in data) + '"'


def both(data_strings):
    """A TXT value of several strings in both forms: (NSD's, r53sim's)."""
    return (" ".join(nsd_escape(d) for d in data_strings),
            " ".join(route53_escape(d) for d in data_strings))


ALL_BYTES = [bytes(range(0, 255)), bytes([255])]  # every byte 0-255, one string at the 255 edge

# (name relative to the zone, type, ttl, values): one table renders both configurations. A value
# is the same text for both, or a pair (NSD's zone-file text, r53sim's Route 53 text).
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
    # Escaped character-strings with non-ASCII bytes (the example, then every byte).
    ("esc", "TXT", 60, [('"caf\\233 \\009tab"', '"caf\\351 \\011tab"'), both(ALL_BYTES),
                        both([b'say "hi" \\o/', b"", b"\xe9t\xe9"])]),
    ("esc", "CAA", 60, [('0 iodef "mailto:caf\\233@example.com"',
                         '0 iodef "mailto:caf\\351@example.com"')]),
    ("esc", "NAPTR", 60, [('100 10 "S" "SIP+D2U" "!^.*$!sip:caf\\233@example.com!" .',
                           '100 10 "S" "SIP+D2U" "!^.*$!sip:caf\\351@example.com!" .')]),
    ("esc", "SPF", 60, [('"v=spf1 \\009-all"', '"v=spf1 \\011-all"')]),
    # Many names under one parent.
    *[(f"h{i:03d}.many", "A", 300, [f"198.51.100.{i % 250}"]) for i in range(300)],
    ("h042.many", "TXT", 300, ['"forty-two"']),
]

# Answers at the 512-byte edge: 13 name servers (7 with addresses in the zone) in every positive
# answer's authority, their A and AAAA in additional, TXT answers of growing size; a delegation
# whose in-domain glue cannot all fit in 512 bytes, and one whose glue does.
EDGE_SOA = "ns1.edge.test. hostmaster.edge.test. 1 7200 900 1209600 86400"
EDGE_NS = [f"ns{i}.edge.test." for i in range(1, 8)] + [
    f"ns-{i}.a-rather-long-name-server-label.example.net." for i in range(6)]
EDGE_RECORDS = [
    ("@", "SOA", 900, [EDGE_SOA]),
    ("@", "NS", 172800, EDGE_NS),
    *[(f"ns{i}", "A", 300, [f"192.0.2.{i}"]) for i in range(1, 8)],
    *[(f"ns{i}", "AAAA", 300, [f"2001:db8::{i}"]) for i in range(1, 8)],
    *[(f"t{n}", "TXT", 60, ['"' + "x" * n + '"']) for n in (10, 40, 80, 120, 160, 200, 240)],
    ("two", "TXT", 60, ['"' + "y" * 250 + '" "' + "z" * 150 + '"']),
    ("wide", "NS", 3600, [f"ns{i}.wide.edge.test." for i in range(1, 9)]),
    *[(f"ns{i}.wide", "A", 3600, [f"198.51.100.{i}"]) for i in range(1, 9)],
    *[(f"ns{i}.wide", "AAAA", 3600, [f"2001:db8:1::{i}"]) for i in range(1, 9)],
    ("narrow", "NS", 3600, ["ns1.narrow.edge.test.", "ns2.narrow.edge.test."]),
    ("ns1.narrow", "A", 3600, ["198.51.100.101"]),
    ("ns2.narrow", "A", 3600, ["198.51.100.102"]),
]

ZONES = {"example.com": RECORDS, "edge.test": EDGE_RECORDS}

NAMES = ["example.com", "www.example.com", "mail.example.com", "txt.example.com",
         "alias.example.com", "chain.example.com", "ext.example.com", "x.wild.example.com",
         "a.b.wild.example.com", "wild.example.com", "_sip._tcp.example.com", "1.ptr.example.com",
         "sub.example.com", "host.sub.example.com", "ns.sub.example.com", "ent.example.com",
         "b.ent.example.com", "a.b.ent.example.com", "nope.example.com", "deep.nope.example.com",
         "ns2.example.com", "www.example.org", "esc.example.com", "many.example.com",
         "h000.many.example.com", "h042.many.example.com", "h299.many.example.com",
         "h300.many.example.com", "x.h042.many.example.com"]
TYPES = ["A", "AAAA", "MX", "TXT", "NS", "SOA", "CNAME", "SRV", "PTR", "CAA", "NAPTR", "SPF"]
EDGE_NAMES = ["edge.test", "ns1.edge.test", "nope.edge.test", "wide.edge.test",
              "host.wide.edge.test", "narrow.edge.test", "host.narrow.edge.test", "two.edge.test"] + [
    f"t{n}.edge.test" for n in (10, 40, 80, 120, 160, 200, 240)]
EDGE_SIZES = [None, 512, 600, 800, 1232]  # no EDNS = 512; small EDNS sizes


def nsd_text(value):
    return value[0] if isinstance(value, tuple) else value


def r53sim_text(value):
    return value[1] if isinstance(value, tuple) else value


def absolute(name, zone):
    return f"{zone}." if name == "@" else f"{name}.{zone}."


def zone_file(zone):
    lines = [f"$ORIGIN {zone}."]
    for name, rtype, ttl, values in ZONES[zone]:
        lines += [f"{absolute(name, zone)} {ttl} IN {rtype} {nsd_text(v)}" for v in values]
    return "\n".join(lines) + "\n"


def yaml_quote(value):
    return "'" + value.replace("'", "''") + "'"


def r53sim_config():
    out = ["hosted_zones:"]
    for zone, records in ZONES.items():
        out += [f"  - Name: {zone}", "    ResourceRecordSets:"]
        for name, rtype, ttl, values in records:
            out.append(f"      - Name: {yaml_quote(absolute(name, zone))}")
            out.append(f"        Type: {rtype}")
            out.append(f"        TTL: {ttl}")
            out.append("        ResourceRecords:")
            out += [f"          - Value: {yaml_quote(r53sim_text(v))}" for v in values]
    return "\n".join(out) + "\n"


class Nsd:
    """NSD in the foreground with its own config in a temp dir; stopped by pid."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="r53sim-nsd-")
        self.port = free_port()
        for zone in ZONES:
            with open(os.path.join(self.dir, f"{zone}.zone"), "w") as f:
                f.write(zone_file(zone))
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
""" + "".join(f"""zone:
  name: {zone}
  zonefile: "{self.dir}/{zone}.zone"
""" for zone in ZONES))
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
    assert os.path.exists(NSD), "nsd is not installed (Makefile TEST_PACKAGES)"
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


AXFR, IXFR = 252, 251


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
    for name in EDGE_NAMES:  # the 512-byte edge and small EDNS sizes
        for qtype in ("A", "TXT", "NS"):
            out += [(name, qtype, size, "udp") for size in EDGE_SIZES]
            out.append((name, qtype, None, "tcp"))
    for zone in ZONES:  # zone transfers: refused
        for qtype in (AXFR, IXFR, "IXFR+SOA"):
            out += [(zone, qtype, None, "udp"), (zone, qtype, None, "tcp")]
    out += [("www.example.com", AXFR, None, "tcp"), ("nope.example.org", AXFR, None, "tcp")]
    return out


def ixfr_query(zone, serial=0, qid=0x5151):
    """IXFR as RFC 1995 asks it: the client's SOA in the authority section."""
    header = struct.pack("!HHHHHH", qid, 0, 1, 0, 1, 0)
    name = dnswire.encode_name(zone)
    soa = (dnswire.encode_name("ns1." + zone) + dnswire.encode_name("hostmaster." + zone) +
           struct.pack("!IIIII", serial, 7200, 900, 1209600, 86400))
    return (header + name + struct.pack("!HH", IXFR, 1) + name +
            struct.pack("!HHIH", 6, 1, 900, len(soa)) + soa)


def ask(port, name, qtype, edns, transport):
    if qtype == "IXFR+SOA":
        message = ixfr_query(name)
    else:
        message = dnswire.build_query(name, qtype, qid=0x5151, edns=edns)
    if transport == "tcp":
        return dnswire.query_tcp(port, message)
    return dnswire.query_udp(port, message)


def is_referral(r):
    return ("aa" not in r.flags and r.rcode == "NOERROR" and not r.answer and
            any(rr[1] == "NS" for rr in r.authority))


def explained(case, nsd, sim):
    """Why NSD and r53sim may differ on this case (module docstring), checked; or None."""
    _, qtype, _, transport = case
    if qtype == AXFR and transport == "udp":
        if (nsd.rcode, sim.rcode) == ("NOTIMP", "REFUSED") and "aa" not in sim.flags and not (
                sim.answer or sim.authority or sim.additional):
            return "AXFR over UDP: NSD NOTIMP, r53sim REFUSED"
    if qtype in (AXFR, IXFR) and transport == "tcp" and case[0] not in ZONES:
        if (nsd.rcode, sim.rcode) == ("9", "REFUSED") and "aa" not in sim.flags and not (
                sim.answer or sim.authority or sim.additional):
            return "transfer of a name that is no zone: NSD NOTAUTH, r53sim REFUSED"
    if is_referral(nsd) and "tc" not in nsd.flags and "tc" in sim.flags:
        missing = IN_DOMAIN_GLUE.get(case[0].lower(), set()) - {rr[0:2] for rr in nsd.additional}
        if missing:
            return ("referral without all in-domain glue: NSD no TC, r53sim TC (RFC 9471)")
    return None


# Referral name -> the (owner, type) of every address of its in-domain name servers, from NSD's
# full answer over TCP.
IN_DOMAIN_GLUE = {}


def learn_glue(port):
    for name in EDGE_NAMES + NAMES:
        full = ask(port, name, "A", None, "tcp")
        if is_referral(full):
            cut = next(rr[0] for rr in full.authority if rr[1] == "NS")
            IN_DOMAIN_GLUE[name.lower()] = {rr[0:2] for rr in full.additional
                                            if rr[0] == cut or rr[0].endswith("." + cut)}


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
    assert len(cases()) >= 700


def test_escaped_strings_are_the_same_bytes(servers):
    """Decimal escapes for NSD, Route 53's octal ones for r53sim: the same wire (semantics §5)."""
    nsd_port, sim_port = servers
    for qtype, count in (("TXT", 3), ("CAA", 1), ("NAPTR", 1), ("SPF", 1)):
        nsd = ask(nsd_port, "esc.example.com", qtype, 4096, "udp")
        sim = ask(sim_port, "esc.example.com", qtype, 4096, "udp")
        assert len(sim.answer) == count and set(sim.answer) == set(nsd.answer), (qtype, nsd.answer,
                                                                                sim.answer)
    txt = {rr[4] for rr in ask(sim_port, "esc.example.com", "TXT", None, "tcp").answer}
    assert '"caf\xe9 \ttab"' in txt
    assert '"' + bytes(range(255)).decode("latin-1") + '" "\xff"' in txt


def test_r53sim_matches_nsd(servers):
    nsd_port, sim_port = servers
    learn_glue(nsd_port)
    differences, reasons = [], {}
    optional_dropped = glue_dropped = 0
    for case in cases():
        name, qtype, edns, transport = case
        qname = name + "."
        nsd = ask(nsd_port, name, qtype, edns, transport)
        sim = ask(sim_port, name, qtype, edns, transport)
        expected, actual = comparable(nsd, qname), comparable(sim, qname)
        if edns in EDGE_SIZES and name in EDGE_NAMES and "tc" not in sim.flags and sim.answer:
            full = ask(sim_port, name, qtype, None, "tcp")
            optional_dropped += len(sim.authority) < len(full.authority)
            glue_dropped += len(sim.authority) == len(full.authority) and len(
                sim.additional) < len(full.additional)
        if expected == actual:
            continue
        reason = explained(case, nsd, sim)
        if reason:
            reasons[reason] = reasons.get(reason, 0) + 1
            continue
        keys = [k for k in expected if expected.get(k) != actual.get(k)]
        differences.append(f"{name} {qtype} edns={edns} {transport}: " + "; ".join(
            f"{k}: nsd={expected.get(k)!r} r53sim={actual.get(k)!r}" for k in keys))
    print(f"{len(cases())} cases; explained differences: {reasons}; at the edge, answers without "
          f"their authority: {optional_dropped}, with part of their additional: {glue_dropped}")
    assert not differences, f"{len(differences)} of {len(cases())} differ:\n" + "\n".join(differences)
    # The intended differences did occur: the cases exercise what they are meant to.
    assert any(r.startswith("AXFR over UDP") for r in reasons), reasons
    assert any("RFC 9471" in r for r in reasons), reasons
    assert optional_dropped > 0 and glue_dropped > 0  # RFC 2181 §9 without TC, and NSD agrees


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
