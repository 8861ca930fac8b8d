"""A small DNS client for the integration tests: builds queries byte by byte (case, EDNS, ECS,
UDP or TCP) and decodes responses into comparable sets. Standard library only."""
import socket
import struct

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28,
         "SRV": 33, "NAPTR": 35, "OPT": 41, "DS": 43, "SPF": 99, "CAA": 257, "ANY": 255}
TYPE_NAMES = {v: k for k, v in TYPES.items()}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED",
          16: "BADVERS"}


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def build_query(name, qtype, qid=0x4242, edns=None, rd=False, dnssec_ok=False, ecs=None):
    """edns: None or the UDP payload size; ecs: (family, source_prefix, address_bytes)."""
    flags = 0x0100 if rd else 0
    header = struct.pack("!HHHHHH", qid, flags, 1, 0, 0, 1 if edns else 0)
    qt = TYPES[qtype] if isinstance(qtype, str) else qtype
    msg = header + encode_name(name) + struct.pack("!HH", qt, 1)
    if edns:
        options = b""
        if ecs:
            family, source, address = ecs
            body = struct.pack("!HBB", family, source, 0) + address
            options = struct.pack("!HH", 8, len(body)) + body
        msg += b"\0" + struct.pack("!HHIH", 41, edns, 0x8000 if dnssec_ok else 0, len(options))
        msg += options
    return msg


def read_name(msg, pos):
    labels, jumped, end, hops = [], False, pos, 0
    while True:
        length = msg[pos]
        if length & 0xC0 == 0xC0:
            if not jumped:
                end = pos + 2
            pos = ((length & 0x3F) << 8) | msg[pos + 1]
            jumped = True
            hops += 1
            if hops > 64:
                raise ValueError("pointer loop")
            continue
        if length == 0:
            return ".".join(labels) + ".", (end if jumped else pos + 1)
        labels.append(msg[pos + 1:pos + 1 + length].decode("latin-1"))
        pos += 1 + length


def rdata_text(msg, rtype, start, length):
    """Presentation-ish form with names decompressed and lower-cased, so two servers compare."""
    data = msg[start:start + length]
    if rtype == 1:
        return socket.inet_ntop(socket.AF_INET, data)
    if rtype == 28:
        return socket.inet_ntop(socket.AF_INET6, data)
    if rtype in (2, 5, 12):
        return read_name(msg, start)[0].lower()
    if rtype == 15:
        return f"{struct.unpack('!H', data[:2])[0]} {read_name(msg, start + 2)[0].lower()}"
    if rtype == 33:
        prio, weight, port = struct.unpack("!HHH", data[:6])
        return f"{prio} {weight} {port} {read_name(msg, start + 6)[0].lower()}"
    if rtype == 6:
        mname, pos = read_name(msg, start)
        rname, pos = read_name(msg, pos)
        return f"{mname.lower()} {rname.lower()} " + " ".join(map(str, struct.unpack("!IIIII", msg[pos:pos + 20])))
    if rtype in (16, 99):
        parts, at = [], 0
        while at < len(data):
            n = data[at]
            parts.append('"' + data[at + 1:at + 1 + n].decode("latin-1") + '"')
            at += 1 + n
        return " ".join(parts)
    return data.hex()


class Response:
    def __init__(self, msg):
        self.raw = msg
        self.id, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", msg[:12])
        self.flags = {name for bit, name in [(15, "qr"), (10, "aa"), (9, "tc"), (8, "rd"), (7, "ra"),
                                             (5, "ad"), (4, "cd")] if flags & (1 << bit)}
        self.opcode = (flags >> 11) & 0xF
        rcode = flags & 0xF
        pos = 12
        self.question = []
        for _ in range(qd):
            name, pos = read_name(msg, pos)
            qtype, qclass = struct.unpack("!HH", msg[pos:pos + 4])
            pos += 4
            self.question.append((name, qtype, qclass))
        self.sections = []
        self.edns = None
        for count in (an, ns, ar):
            records = []
            for _ in range(count):
                name, pos = read_name(msg, pos)
                rtype, rclass, ttl, rdlength = struct.unpack("!HHIH", msg[pos:pos + 10])
                pos += 10
                if rtype == 41:
                    self.edns = {"payload": rclass, "version": (ttl >> 16) & 0xFF,
                                 "do": bool(ttl & 0x8000), "options": msg[pos:pos + rdlength]}
                    rcode |= (ttl >> 24) << 4
                else:
                    records.append((name.lower(), TYPE_NAMES.get(rtype, str(rtype)), rclass, ttl,
                                    rdata_text(msg, rtype, pos, rdlength)))
                pos += rdlength
            self.sections.append(records)
        if pos != len(msg):
            raise ValueError(f"{len(msg) - pos} trailing bytes")
        self.rcode = RCODES.get(rcode, str(rcode))
        self.answer, self.authority, self.additional = self.sections


def query_udp(port, message, timeout=3.0, host="127.0.0.1"):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(message, (host, port))
        while True:
            data = s.recv(65535)
            if data[:2] == message[:2]:
                return Response(data)


def recv_exactly(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise ConnectionError("connection closed")
        data += chunk
    return data


def query_tcp(port, messages, timeout=5.0, host="127.0.0.1"):
    """Sends every message on one connection at once (pipelined); returns the responses in order."""
    single = isinstance(messages, bytes)
    if single:
        messages = [messages]
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(b"".join(struct.pack("!H", len(m)) + m for m in messages))
        out = []
        for _ in messages:
            length = struct.unpack("!H", recv_exactly(s, 2))[0]
            out.append(Response(recv_exactly(s, length)))
    return out[0] if single else out
