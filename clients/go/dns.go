package r53sim

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"
)

// A minimal DNS client of its own (net.Resolver cannot send an EDNS Client Subnet): one question,
// EDNS0, UDP with a TCP retry on truncation, the answer in presentation format.

// Record is one resource record; Value is what dig prints ("192.0.2.1", "10 mail.example.com.").
type Record struct {
	Name  string
	Type  string
	TTL   uint32
	Value string
}

// Answer is what the DNS listener answered.
type Answer struct {
	Rcode     string // "NOERROR", "NXDOMAIN", ...
	Records   []Record
	Authority []Record
	QType     string
}

// Values are the asked type's values in the answer section, sorted.
func (a *Answer) Values() []string {
	values := []string{}
	for _, r := range a.Records {
		if r.Type == a.QType {
			values = append(values, r.Value)
		}
	}
	sort.Strings(values)
	return values
}

var typeNames = map[uint16]string{1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX",
	16: "TXT", 28: "AAAA", 33: "SRV", 35: "NAPTR", 41: "OPT", 43: "DS", 44: "SSHFP", 52: "TLSA",
	64: "SVCB", 65: "HTTPS", 99: "SPF", 255: "ANY", 257: "CAA"}

var rcodeNames = map[int]string{0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN",
	4: "NOTIMP", 5: "REFUSED"}

func typeCode(qtype string) (uint16, error) {
	name := strings.ToUpper(qtype)
	for code, n := range typeNames {
		if n == name {
			return code, nil
		}
	}
	if strings.HasPrefix(name, "TYPE") {
		if n, err := strconv.ParseUint(name[4:], 10, 16); err == nil {
			return uint16(n), nil
		}
	}
	return 0, fmt.Errorf("r53sim: unknown record type %q", qtype)
}

func typeName(code uint16) string {
	if n, ok := typeNames[code]; ok {
		return n
	}
	return fmt.Sprintf("TYPE%d", code)
}

func encodeName(name string) ([]byte, error) {
	var out []byte
	trimmed := strings.TrimSuffix(name, ".")
	if trimmed != "" {
		for _, label := range strings.Split(trimmed, ".") {
			if len(label) == 0 || len(label) > 63 {
				return nil, fmt.Errorf("r53sim: not a valid domain name: %q", name)
			}
			out = append(out, byte(len(label)))
			out = append(out, label...)
		}
	}
	return append(out, 0), nil
}

// clientSubnet is the EDNS0 Client Subnet option (RFC 7871) for an address or a prefix.
func clientSubnet(client string) ([]byte, error) {
	var prefix netip.Prefix
	var err error
	if strings.Contains(client, "/") {
		prefix, err = netip.ParsePrefix(client)
	} else {
		var addr netip.Addr
		addr, err = netip.ParseAddr(client)
		if err == nil {
			prefix = netip.PrefixFrom(addr, addr.BitLen())
		}
	}
	if err != nil {
		return nil, fmt.Errorf("r53sim: client must be an address or prefix: %w", err)
	}
	prefix = prefix.Masked()
	family := uint16(1)
	if prefix.Addr().Is6() {
		family = 2
	}
	bytes := prefix.Addr().AsSlice()[:(prefix.Bits()+7)/8]
	data := binary.BigEndian.AppendUint16(nil, family)
	data = append(data, byte(prefix.Bits()), 0)
	data = append(data, bytes...)
	option := binary.BigEndian.AppendUint16(nil, 8)
	option = binary.BigEndian.AppendUint16(option, uint16(len(data)))
	return append(option, data...), nil
}

func buildQuery(name, qtype, client string) (uint16, []byte, error) {
	code, err := typeCode(qtype)
	if err != nil {
		return 0, nil, err
	}
	wire, err := encodeName(name)
	if err != nil {
		return 0, nil, err
	}
	var idBytes [2]byte
	if _, err := rand.Read(idBytes[:]); err != nil {
		return 0, nil, err
	}
	id := binary.BigEndian.Uint16(idBytes[:])
	// RD clear: the question is for the authority itself. One question, one OPT record.
	msg := binary.BigEndian.AppendUint16(nil, id)
	msg = append(msg, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1)
	msg = append(msg, wire...)
	msg = binary.BigEndian.AppendUint16(msg, code)
	msg = binary.BigEndian.AppendUint16(msg, 1)
	var options []byte
	if client != "" {
		if options, err = clientSubnet(client); err != nil {
			return 0, nil, err
		}
	}
	msg = append(msg, 0)
	msg = binary.BigEndian.AppendUint16(msg, 41)
	msg = binary.BigEndian.AppendUint16(msg, 4096)
	msg = append(msg, 0, 0, 0, 0)
	msg = binary.BigEndian.AppendUint16(msg, uint16(len(options)))
	return id, append(msg, options...), nil
}

var errMalformed = errors.New("r53sim: malformed DNS response")

func readName(msg []byte, offset int) (string, int, error) {
	var labels []string
	end := -1
	for jumps := 0; ; {
		if offset >= len(msg) {
			return "", 0, errMalformed
		}
		length := int(msg[offset])
		if length&0xC0 == 0xC0 {
			if offset+1 >= len(msg) || jumps > 64 {
				return "", 0, errMalformed
			}
			if end < 0 {
				end = offset + 2
			}
			offset = (length&0x3F)<<8 | int(msg[offset+1])
			jumps++
			continue
		}
		offset++
		if length == 0 {
			break
		}
		if offset+length > len(msg) {
			return "", 0, errMalformed
		}
		labels = append(labels, string(msg[offset:offset+length]))
		offset += length
	}
	if end < 0 {
		end = offset
	}
	return strings.Join(labels, ".") + ".", end, nil
}

func characterStrings(data []byte) string {
	var parts []string
	for i := 0; i < len(data); {
		n := int(data[i])
		if i+1+n > len(data) {
			n = len(data) - i - 1
		}
		text := string(data[i+1 : i+1+n])
		text = strings.ReplaceAll(strings.ReplaceAll(text, `\`, `\\`), `"`, `\"`)
		parts = append(parts, `"`+text+`"`)
		i += 1 + n
	}
	return strings.Join(parts, " ")
}

func rdataText(msg []byte, rtype uint16, start, length int) (string, error) {
	data := msg[start : start+length]
	u16 := func(b []byte) uint16 { return binary.BigEndian.Uint16(b) }
	switch {
	case rtype == 1 && length == 4, rtype == 28 && length == 16:
		addr, _ := netip.AddrFromSlice(data)
		return addr.String(), nil
	case rtype == 2 || rtype == 5 || rtype == 12:
		name, _, err := readName(msg, start)
		return name, err
	case rtype == 15 && length > 2:
		name, _, err := readName(msg, start+2)
		return fmt.Sprintf("%d %s", u16(data), name), err
	case rtype == 16 || rtype == 99:
		return characterStrings(data), nil
	case rtype == 33 && length > 6:
		name, _, err := readName(msg, start+6)
		return fmt.Sprintf("%d %d %d %s", u16(data), u16(data[2:]), u16(data[4:]), name), err
	case rtype == 6:
		mname, next, err := readName(msg, start)
		if err != nil {
			return "", err
		}
		rname, next, err := readName(msg, next)
		if err != nil || next+20 > len(msg) {
			return "", errMalformed
		}
		n := func(i int) uint32 { return binary.BigEndian.Uint32(msg[next+4*i:]) }
		return fmt.Sprintf("%s %s %d %d %d %d %d", mname, rname, n(0), n(1), n(2), n(3), n(4)), nil
	case rtype == 257 && length >= 2 && 2+int(data[1]) <= length:
		tagEnd := 2 + int(data[1])
		return fmt.Sprintf(`%d %s "%s"`, data[0], data[2:tagEnd], data[tagEnd:]), nil
	}
	if length == 0 {
		return `\# 0`, nil
	}
	return fmt.Sprintf(`\# %d %s`, length, strings.ToUpper(hex.EncodeToString(data))), nil
}

// parseResponse returns the answer and whether it was truncated.
func parseResponse(msg []byte, id uint16, qtype string) (*Answer, bool, error) {
	if len(msg) < 12 || binary.BigEndian.Uint16(msg) != id {
		return nil, false, errMalformed
	}
	flags := binary.BigEndian.Uint16(msg[2:])
	counts := []int{int(binary.BigEndian.Uint16(msg[4:])), int(binary.BigEndian.Uint16(msg[6:])),
		int(binary.BigEndian.Uint16(msg[8:]))}
	offset := 12
	for i := 0; i < counts[0]; i++ {
		_, next, err := readName(msg, offset)
		if err != nil {
			return nil, false, err
		}
		offset = next + 4
	}
	sections := [2][]Record{}
	for s := 0; s < 2; s++ {
		for i := 0; i < counts[s+1]; i++ {
			name, next, err := readName(msg, offset)
			if err != nil || next+10 > len(msg) {
				return nil, false, errMalformed
			}
			rtype := binary.BigEndian.Uint16(msg[next:])
			ttl := binary.BigEndian.Uint32(msg[next+4:])
			length := int(binary.BigEndian.Uint16(msg[next+8:]))
			offset = next + 10
			if offset+length > len(msg) {
				return nil, false, errMalformed
			}
			value, err := rdataText(msg, rtype, offset, length)
			if err != nil {
				return nil, false, err
			}
			offset += length
			sections[s] = append(sections[s], Record{name, typeName(rtype), ttl, value})
		}
	}
	rcode, ok := rcodeNames[int(flags&0xF)]
	if !ok {
		rcode = strconv.Itoa(int(flags & 0xF))
	}
	answer := &Answer{Rcode: rcode, Records: sections[0], Authority: sections[1],
		QType: strings.ToUpper(qtype)}
	return answer, flags&0x0200 != 0, nil
}

func query(address, name, qtype, client string, tcp bool, timeout time.Duration) (*Answer, error) {
	id, msg, err := buildQuery(name, qtype, client)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(timeout)
	if !tcp {
		conn, err := net.DialTimeout("udp", address, timeout)
		if err != nil {
			return nil, err
		}
		defer conn.Close()
		conn.SetDeadline(deadline)
		if _, err := conn.Write(msg); err != nil {
			return nil, err
		}
		buf := make([]byte, 65535)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return nil, err
			}
			answer, truncated, err := parseResponse(buf[:n], id, qtype)
			if err != nil {
				continue // a stray datagram: wait on until the deadline
			}
			if !truncated {
				return answer, nil
			}
			break
		}
	}
	conn, err := net.DialTimeout("tcp", address, timeout)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	conn.SetDeadline(deadline)
	framed := binary.BigEndian.AppendUint16(nil, uint16(len(msg)))
	if _, err := conn.Write(append(framed, msg...)); err != nil {
		return nil, err
	}
	var lengthBytes [2]byte
	if _, err := io.ReadFull(conn, lengthBytes[:]); err != nil {
		return nil, err
	}
	reply := make([]byte, binary.BigEndian.Uint16(lengthBytes[:]))
	if _, err := io.ReadFull(conn, reply); err != nil {
		return nil, err
	}
	answer, _, err := parseResponse(reply, id, qtype)
	return answer, err
}
