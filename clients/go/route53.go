package r53sim

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Route 53 REST XML for the few requests the client sends: a change batch in AWS's JSON shape
// (as `aws route53 change-resource-record-sets --change-batch` takes it) becomes the XML body of
// ChangeResourceRecordSets.

const route53Namespace = "https://route53.amazonaws.com/doc/2013-04-01/"

// The lists of a change batch and the name of their members (botocore's model).
var listMembers = map[string]string{"Changes": "Change", "ResourceRecords": "ResourceRecord"}

// ChangeInfo is what ChangeResourceRecordSets answered.
type ChangeInfo struct {
	ID     string `xml:"ChangeInfo>Id"`
	Status string `xml:"ChangeInfo>Status"`
}

func writeElement(out *bytes.Buffer, key string, value any) error {
	out.WriteString("<" + key + ">")
	switch v := value.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := writeElement(out, k, v[k]); err != nil {
				return err
			}
		}
	case []any:
		member, ok := listMembers[key]
		if !ok {
			return fmt.Errorf("r53sim: %s is not a list in a Route 53 change batch", key)
		}
		for _, item := range v {
			if err := writeElement(out, member, item); err != nil {
				return err
			}
		}
	case bool:
		fmt.Fprint(out, v)
	case json.Number:
		out.WriteString(v.String())
	case string:
		xml.EscapeText(out, []byte(v))
	case nil:
	default:
		return fmt.Errorf("r53sim: unexpected %T in a change batch", value)
	}
	out.WriteString("</" + key + ">")
	return nil
}

// asJSON turns a batch given as JSON bytes, JSON text or any value encoding/json marshals into
// the generic form, numbers kept as written.
func asJSON(batch any) (any, error) {
	var data []byte
	switch b := batch.(type) {
	case []byte:
		data = b
	case json.RawMessage:
		data = b
	case string:
		data = []byte(b)
	default:
		var err error
		if data, err = json.Marshal(batch); err != nil {
			return nil, err
		}
	}
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.UseNumber()
	var out any
	if err := decoder.Decode(&out); err != nil {
		return nil, fmt.Errorf("r53sim: the change batch is not JSON: %w", err)
	}
	return out, nil
}

func (s *Server) route53(method, path string, body []byte, out any) error {
	status, data, err := s.send(method, path, "text/xml", body, defaultTimeout)
	if err != nil {
		return err
	}
	if status >= 400 {
		var e struct {
			Code    string `xml:"Error>Code"`
			Message string `xml:"Error>Message"`
		}
		if xml.Unmarshal(data, &e) != nil || e.Code == "" {
			e.Code, e.Message = "Unknown", string(data)
		}
		return &APIError{Status: status, Code: e.Code, Message: e.Message}
	}
	if out != nil {
		return xml.Unmarshal(data, out)
	}
	return nil
}

func (s *Server) zoneID(zone string) (string, error) {
	wanted := zone[strings.LastIndex(zone, "/")+1:]
	asName := strings.TrimSuffix(strings.ToLower(wanted), ".") + "."
	zones, err := s.Zones()
	if err != nil {
		return "", err
	}
	for _, z := range zones {
		if z.ID == wanted || z.Name == asName {
			return z.ID, nil
		}
	}
	return "", fmt.Errorf("%w: %q", errNoSuchZone, zone)
}

// ApplyChangeBatch runs ChangeResourceRecordSets on a zone (its id or name). batch is in AWS's
// JSON shape ({"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {...}}]}), as JSON bytes
// or text, or a value that marshals to it. The change is served when this returns.
func (s *Server) ApplyChangeBatch(zone string, batch any) (*ChangeInfo, error) {
	generic, err := asJSON(batch)
	if err != nil {
		return nil, err
	}
	id, err := s.zoneID(zone)
	if err != nil {
		return nil, err
	}
	var body bytes.Buffer
	body.WriteString(xml.Header + `<ChangeResourceRecordSetsRequest xmlns="` + route53Namespace + `">`)
	if err := writeElement(&body, "ChangeBatch", generic); err != nil {
		return nil, err
	}
	body.WriteString("</ChangeResourceRecordSetsRequest>")
	var out ChangeInfo
	return &out, s.route53("POST", "/2013-04-01/hostedzone/"+id+"/rrset", body.Bytes(), &out)
}

// LoadZone creates the hosted zone name unless it is served, UPSERTs recordSets (a list of
// ResourceRecordSets in AWS's JSON shape, or nil), and returns the zone's id.
func (s *Server) LoadZone(name string, recordSets any) (string, error) {
	id, err := s.zoneID(name)
	if err != nil {
		if s.admin == "" {
			return "", ErrNotStarted
		}
		var reference [8]byte
		rand.Read(reference[:])
		var body bytes.Buffer
		body.WriteString(xml.Header + `<CreateHostedZoneRequest xmlns="` + route53Namespace + `"><Name>`)
		xml.EscapeText(&body, []byte(name))
		body.WriteString("</Name><CallerReference>" + hex.EncodeToString(reference[:]) +
			fmt.Sprint(time.Now().UnixNano()) + "</CallerReference></CreateHostedZoneRequest>")
		var created struct {
			ID string `xml:"HostedZone>Id"`
		}
		if err := s.route53("POST", "/2013-04-01/hostedzone", body.Bytes(), &created); err != nil {
			return "", err
		}
		id = created.ID[strings.LastIndex(created.ID, "/")+1:]
	}
	if recordSets == nil {
		return id, nil
	}
	sets, err := asJSON(recordSets)
	if err != nil {
		return "", err
	}
	list, ok := sets.([]any)
	if !ok {
		return "", fmt.Errorf("r53sim: LoadZone takes a list of record sets")
	}
	if len(list) == 0 {
		return id, nil
	}
	changes := make([]any, 0, len(list))
	for _, rrset := range list {
		changes = append(changes, map[string]any{"Action": "UPSERT", "ResourceRecordSet": rrset})
	}
	if _, err := s.ApplyChangeBatch(id, map[string]any{"Changes": changes}); err != nil {
		return "", err
	}
	return id, nil
}
