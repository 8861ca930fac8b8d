"""A minimal DNS client of its own (standard library only): one question, EDNS0 with an optional
Client Subnet, UDP with a TCP retry on truncation, and the answer in presentation format."""
import ipaddress
import random
import socket
import struct
from typing import List, NamedTuple, Optional, Tuple

TYPES = {1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX", 16: "TXT", 28: "AAAA",
         33: "SRV", 35: "NAPTR", 41: "OPT", 43: "DS", 44: "SSHFP", 52: "TLSA", 64: "SVCB",
         65: "HTTPS", 99: "SPF", 255: "ANY", 257: "CAA"}
TYPE_CODES = {name: code for code, name in TYPES.items()}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}


class Record(NamedTuple):
    """One resource record: `value` as dig prints it ("192.0.2.1", "10 mail.example.com.")."""
    name: str
    type: str
    ttl: int
    value: str


class Answer(NamedTuple):
    """What the DNS listener answered; `values` are the asked type's values, sorted."""
    rcode: str
    records: List[Record]
    authority: List[Record]
    qtype: str

    @property
    def values(self) -> List[str]:
        return sorted(r.value for r in self.records if r.type == self.qtype)


def type_code(qtype: str) -> int:
    name = qtype.upper()
    if name in TYPE_CODES:
        return TYPE_CODES[name]
    if name.startswith("TYPE") and name[4:].isdigit():
        return int(name[4:])
    raise ValueError(f"unknown record type {qtype!r}")


def encode_name(name: str) -> bytes:
    out = b""
    for label in name.rstrip(".").split(".") if name not in (".", "") else []:
        raw = label.encode("idna") if not label.isascii() else label.encode()
        if not 0 < len(raw) < 64:
            raise ValueError(f"not a valid domain name: {name!r}")
        out += bytes([len(raw)]) + raw
    return out + b"\0"


def client_subnet_option(client: str) -> bytes:
    """EDNS0 Client Subnet (RFC 7871) for an address ("198.51.100.7") or prefix ("/24")."""
    network = ipaddress.ip_network(client, strict=False)
    family = 1 if network.version == 4 else 2
    prefix = network.prefixlen
    address = network.network_address.packed[:(prefix + 7) // 8]
    data = struct.pack("!HBB", family, prefix, 0) + address
    return struct.pack("!HH", 8, len(data)) + data


def build_query(name: str, qtype: str, client: Optional[str]) -> Tuple[int, bytes]:
    query_id = random.getrandbits(16)
    header = struct.pack("!HHHHHH", query_id, 0, 1, 0, 0, 1)  # RD clear: ask the authority
    question = encode_name(name) + struct.pack("!HH", type_code(qtype), 1)
    options = client_subnet_option(client) if client else b""
    opt = b"\0" + struct.pack("!HHIH", 41, 4096, 0, len(options)) + options
    return query_id, header + question + opt


def read_name(message: bytes, offset: int) -> Tuple[str, int]:
    labels, end, jumps = [], None, 0
    while True:
        length = message[offset]
        if length & 0xC0 == 0xC0:
            if end is None:
                end = offset + 2
            offset = ((length & 0x3F) << 8) | message[offset + 1]
            jumps += 1
            if jumps > 64:
                raise ValueError("compression loop in the answer")
            continue
        offset += 1
        if length == 0:
            break
        labels.append(message[offset:offset + length].decode("ascii", "backslashreplace"))
        offset += length
    return ".".join(labels) + ".", end if end is not None else offset


def character_strings(data: bytes) -> List[str]:
    out, i = [], 0
    while i < len(data):
        length = data[i]
        text = data[i + 1:i + 1 + length].decode("utf-8", "backslashreplace")
        out.append('"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')
        i += 1 + length
    return out


def rdata_text(message: bytes, rtype: int, start: int, length: int) -> str:
    data = message[start:start + length]
    if rtype == 1 and length == 4:
        return socket.inet_ntop(socket.AF_INET, data)
    if rtype == 28 and length == 16:
        return socket.inet_ntop(socket.AF_INET6, data)
    if rtype in (2, 5, 12):
        return read_name(message, start)[0]
    if rtype == 15:
        return f"{struct.unpack('!H', data[:2])[0]} {read_name(message, start + 2)[0]}"
    if rtype in (16, 99):
        return " ".join(character_strings(data))
    if rtype == 33:
        priority, weight, port = struct.unpack("!HHH", data[:6])
        return f"{priority} {weight} {port} {read_name(message, start + 6)[0]}"
    if rtype == 6:
        mname, offset = read_name(message, start)
        rname, offset = read_name(message, offset)
        numbers = struct.unpack("!IIIII", message[offset:offset + 20])
        return " ".join([mname, rname, *map(str, numbers)])
    if rtype == 257:
        flags, tag_length = data[0], data[1]
        tag = data[2:2 + tag_length].decode("ascii", "backslashreplace")
        return f'{flags} {tag} "{data[2 + tag_length:].decode("utf-8", "backslashreplace")}"'
    return f"\\# {length} {data.hex().upper()}" if length else "\\# 0"


def parse_response(message: bytes, query_id: int, qtype: str) -> Tuple[Answer, bool]:
    """The answer, and whether it was truncated."""
    if len(message) < 12:
        raise ValueError("short DNS response")
    rid, flags, qd, an, ns, _ = struct.unpack("!HHHHHH", message[:12])
    if rid != query_id:
        raise ValueError("DNS response for another query")
    offset = 12
    for _ in range(qd):
        offset = read_name(message, offset)[1] + 4
    sections: List[List[Record]] = [[], []]
    for index, count in enumerate((an, ns)):
        for _ in range(count):
            name, offset = read_name(message, offset)
            rtype, _, ttl, length = struct.unpack("!HHIH", message[offset:offset + 10])
            offset += 10
            value = rdata_text(message, rtype, offset, length)
            offset += length
            sections[index].append(Record(name, TYPES.get(rtype, f"TYPE{rtype}"), ttl, value))
    rcode = RCODES.get(flags & 0xF, str(flags & 0xF))
    return Answer(rcode, sections[0], sections[1], qtype.upper()), bool(flags & 0x0200)


def query(host: str, port: int, name: str, qtype: str = "A", client: Optional[str] = None,
          timeout: float = 2.0, tcp: bool = False) -> Answer:
    query_id, message = build_query(name, qtype, client)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    if not tcp:
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.settimeout(timeout)
            s.sendto(message, (host, port))
            while True:
                data = s.recv(65535)
                try:
                    answer, truncated = parse_response(data, query_id, qtype)
                    break
                except ValueError:
                    continue  # a stray datagram: keep waiting until the timeout
        if not truncated:
            return answer
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(struct.pack("!H", len(message)) + message)
        length = struct.unpack("!H", recv_exactly(s, 2))[0]
        return parse_response(recv_exactly(s, length), query_id, qtype)[0]


def recv_exactly(s: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = s.recv(count - len(data))
        if not chunk:
            raise ConnectionError("the DNS server closed the TCP connection")
        data += chunk
    return data
