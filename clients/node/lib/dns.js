'use strict';
// A minimal DNS client of its own (node:dns cannot send an EDNS Client Subnet): one question,
// EDNS0, UDP with a TCP retry on truncation, the answer in presentation format.
const dgram = require('node:dgram');
const net = require('node:net');
const crypto = require('node:crypto');

const TYPES = { 1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA',
  33: 'SRV', 35: 'NAPTR', 41: 'OPT', 43: 'DS', 44: 'SSHFP', 52: 'TLSA', 64: 'SVCB', 65: 'HTTPS',
  99: 'SPF', 255: 'ANY', 257: 'CAA' };
const RCODES = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED' };

function typeCode(qtype) {
  const name = String(qtype).toUpperCase();
  for (const [code, n] of Object.entries(TYPES)) if (n === name) return Number(code);
  const m = /^TYPE(\d+)$/.exec(name);
  if (m && Number(m[1]) < 65536) return Number(m[1]);
  throw new TypeError(`unknown record type ${JSON.stringify(qtype)}`);
}

const typeName = (code) => TYPES[code] || `TYPE${code}`;

function encodeName(name) {
  const trimmed = name.replace(/\.$/, '');
  const parts = [];
  for (const label of trimmed === '' ? [] : trimmed.split('.')) {
    const raw = Buffer.from(label, 'ascii');
    if (raw.length === 0 || raw.length > 63) throw new TypeError(`not a valid domain name: ${name}`);
    parts.push(Buffer.from([raw.length]), raw);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

// EDNS0 Client Subnet (RFC 7871) for an address ("198.51.100.7") or a prefix ("192.0.2.0/24").
function clientSubnet(client) {
  const [address, bitsText] = client.split('/');
  const family = net.isIP(address);
  if (!family) throw new TypeError(`client must be an address or prefix: ${client}`);
  const bits = bitsText === undefined ? (family === 4 ? 32 : 128) : Number(bitsText);
  let bytes;
  if (family === 4) {
    bytes = Buffer.from(address.split('.').map(Number));
  } else {
    bytes = ipv6Bytes(address);
  }
  const kept = Buffer.from(bytes.subarray(0, Math.ceil(bits / 8)));
  if (bits % 8 && kept.length) kept[kept.length - 1] &= 0xff << (8 - (bits % 8));
  const data = Buffer.concat([Buffer.from([0, family === 4 ? 1 : 2, bits, 0]), kept]);
  const header = Buffer.alloc(4);
  header.writeUInt16BE(8, 0);
  header.writeUInt16BE(data.length, 2);
  return Buffer.concat([header, data]);
}

function ipv6Bytes(address) {
  const [head, tail] = address.split('::');
  const groups = (text) => (text ? text.split(':') : []);
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function ipv6Text(data) {
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push(data.readUInt16BE(i).toString(16));
  // RFC 5952: the longest run of two or more zero groups becomes "::".
  let best = -1, bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLength) { best = i; bestLength = j - i; }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLength).join(':')}`;
}

function buildQuery(name, qtype, client) {
  const id = crypto.randomBytes(2).readUInt16BE(0);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0, 2); // RD clear: the question is for the authority itself
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(1, 10);
  const question = Buffer.alloc(4);
  question.writeUInt16BE(typeCode(qtype), 0);
  question.writeUInt16BE(1, 2);
  const options = client ? clientSubnet(client) : Buffer.alloc(0);
  const opt = Buffer.alloc(11);
  opt.writeUInt16BE(41, 1);
  opt.writeUInt16BE(4096, 3);
  opt.writeUInt16BE(options.length, 9);
  return { id, message: Buffer.concat([header, encodeName(name), question, opt, options]) };
}

function readName(msg, offset) {
  const labels = [];
  let end = -1;
  for (let jumps = 0; ;) {
    if (offset >= msg.length) throw new Error('malformed DNS response');
    const length = msg[offset];
    if ((length & 0xc0) === 0xc0) {
      if (end < 0) end = offset + 2;
      if (++jumps > 64) throw new Error('compression loop in a DNS response');
      offset = ((length & 0x3f) << 8) | msg[offset + 1];
      continue;
    }
    offset += 1;
    if (length === 0) break;
    labels.push(msg.toString('latin1', offset, offset + length));
    offset += length;
  }
  return [labels.join('.') + '.', end >= 0 ? end : offset];
}

function characterStrings(data) {
  const out = [];
  for (let i = 0; i < data.length;) {
    const n = data[i];
    const text = data.toString('utf8', i + 1, i + 1 + n);
    out.push(`"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
    i += 1 + n;
  }
  return out.join(' ');
}

function rdataText(msg, type, start, length) {
  const data = msg.subarray(start, start + length);
  if (type === 1 && length === 4) return [...data].join('.');
  if (type === 28 && length === 16) return ipv6Text(data);
  if (type === 2 || type === 5 || type === 12) return readName(msg, start)[0];
  if (type === 15) return `${data.readUInt16BE(0)} ${readName(msg, start + 2)[0]}`;
  if (type === 16 || type === 99) return characterStrings(data);
  if (type === 33) {
    return `${data.readUInt16BE(0)} ${data.readUInt16BE(2)} ${data.readUInt16BE(4)} ${readName(msg, start + 6)[0]}`;
  }
  if (type === 6) {
    const [mname, next] = readName(msg, start);
    const [rname, at] = readName(msg, next);
    const numbers = [0, 1, 2, 3, 4].map((i) => msg.readUInt32BE(at + 4 * i));
    return [mname, rname, ...numbers].join(' ');
  }
  if (type === 257) {
    const tagEnd = 2 + data[1];
    return `${data[0]} ${data.toString('ascii', 2, tagEnd)} "${data.toString('utf8', tagEnd)}"`;
  }
  return length ? `\\# ${length} ${data.toString('hex').toUpperCase()}` : '\\# 0';
}

function parseResponse(msg, id, qtype) {
  if (msg.length < 12 || msg.readUInt16BE(0) !== id) throw new Error('not the answer to this query');
  const flags = msg.readUInt16BE(2);
  let offset = 12;
  for (let i = 0; i < msg.readUInt16BE(4); i++) offset = readName(msg, offset)[1] + 4;
  const sections = [[], []];
  [msg.readUInt16BE(6), msg.readUInt16BE(8)].forEach((count, s) => {
    for (let i = 0; i < count; i++) {
      const [name, next] = readName(msg, offset);
      const type = msg.readUInt16BE(next);
      const ttl = msg.readUInt32BE(next + 4);
      const length = msg.readUInt16BE(next + 8);
      offset = next + 10;
      sections[s].push({ name, type: typeName(type), ttl, value: rdataText(msg, type, offset, length) });
      offset += length;
    }
  });
  const asked = String(qtype).toUpperCase();
  const answer = {
    rcode: RCODES[flags & 0xf] || String(flags & 0xf),
    records: sections[0],
    authority: sections[1],
    values: sections[0].filter((r) => r.type === asked).map((r) => r.value).sort(),
  };
  return { answer, truncated: Boolean(flags & 0x0200) };
}

function udpQuery(host, port, id, message, qtype, timeout) {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    const timer = setTimeout(() => done(new Error(`no DNS answer within ${timeout} ms`)), timeout);
    function done(error, result) {
      clearTimeout(timer);
      socket.close();
      if (error) reject(error); else resolve(result);
    }
    socket.on('error', (e) => done(e));
    socket.on('message', (data) => {
      try {
        done(null, parseResponse(data, id, qtype));
      } catch {
        // a stray datagram: wait on until the timeout
      }
    });
    socket.send(message, port, host);
  });
}

function tcpQuery(host, port, id, message, qtype, timeout) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let received = Buffer.alloc(0);
    socket.setTimeout(timeout, () => socket.destroy(new Error(`no DNS answer within ${timeout} ms`)));
    socket.on('error', reject);
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(message.length, 0);
      socket.write(Buffer.concat([length, message]));
    });
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        socket.end();
        try {
          resolve(parseResponse(received.subarray(2, 2 + received.readUInt16BE(0)), id, qtype));
        } catch (e) {
          reject(e);
        }
      }
    });
    socket.on('close', () => reject(new Error('the DNS server closed the TCP connection')));
  });
}

// `tcpPort`: where TCP is served when it differs from `port` (a container publishes 53/udp and
// 53/tcp on two host ports).
async function query(host, port, name, qtype = 'A', { client, tcp = false, timeout = 2000, tcpPort } = {}) {
  const { id, message } = buildQuery(name, qtype, client);
  if (!tcp) {
    const { answer, truncated } = await udpQuery(host, port, id, message, qtype, timeout);
    if (!truncated) return answer;
  }
  return (await tcpQuery(host, tcpPort || port, id, message, qtype, timeout)).answer;
}

module.exports = { query, typeCode };
