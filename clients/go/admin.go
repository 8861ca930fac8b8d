package r53sim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"
)

// HealthState is what SetHealth forces; WaitForHealth takes Healthy or Unhealthy.
type HealthState string

const (
	Healthy   HealthState = "healthy"
	Unhealthy HealthState = "unhealthy"
	// Auto returns a check (or checkers) to what the probes measure.
	Auto HealthState = "auto"
	// Timeout makes checkers' probes time out (per checker only).
	Timeout HealthState = "timeout"
)

// Checker names virtual checkers of a check's fleet: every checker of a region, or one.
type Checker struct {
	region string
	index  int // -1: every checker in the region
}

// Region is every checker of a region ("us-east-1").
func Region(region string) Checker { return Checker{region, -1} }

// OneChecker is the index-th checker of a region.
func OneChecker(region string, index int) Checker { return Checker{region, index} }

// HealthStatus is a check's status as /v1/health-checks/ID gives it.
type HealthStatus struct {
	ID                string  `json:"id"`
	Type              string  `json:"type"`
	Status            string  `json:"status"` // "healthy" or "unhealthy", as DNS sees it
	Healthy           bool    `json:"healthy"`
	MeasuredHealthy   bool    `json:"measured_healthy"`
	Forced            *string `json:"forced"`
	PercentageHealthy float64 `json:"percentage_healthy"`
	Transitions       int     `json:"transitions"`
	HasData           bool    `json:"has_data"`
}

// Clock is the probe engine's clock: its mode, Route 53's time since it started, and its scale.
type Clock struct {
	Mode  string // "real", "scaled" or "manual"
	Now   time.Duration
	Scale float64
}

// WaitResult is the answer WaitForAnswer saw.
type WaitResult struct {
	Values []string `json:"values"` // the asked type's values, as compared
	Answer []string `json:"answer"` // every answer line, "owner TTL IN TYPE value"
	Rcode  string   `json:"rcode"`
	Client string   `json:"client"`
}

// Explanation is the routing trace of /v1/explain.
type Explanation struct {
	Name          string   `json:"name"`
	Type          string   `json:"type"`
	Client        string   `json:"client"`
	Rcode         string   `json:"rcode"`
	Authoritative bool     `json:"authoritative"`
	Answer        []string `json:"answer"`
	Authority     []string `json:"authority"`
	Additional    []string `json:"additional"`
	Trace         []string `json:"trace"`
}

// Zone is a hosted zone served (from the config file or the Route 53 API).
type Zone struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	RecordSetCount int    `json:"record_set_count"`
}

func (s *Server) send(method, path, contentType string, body []byte,
	timeout time.Duration) (int, []byte, error) {
	if s.admin == "" {
		return 0, nil, ErrNotStarted
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.admin+path, reader)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := s.client.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("r53sim: %s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	return res.StatusCode, data, err
}

// exchange sends JSON and decodes the reply into out (when non-nil); error answers are *APIError.
func (s *Server) exchange(method, path string, in any, timeout time.Duration) (int, map[string]any, []byte, error) {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return 0, nil, nil, err
		}
	}
	status, data, err := s.send(method, path, "application/json", body, timeout)
	if err != nil {
		return 0, nil, nil, err
	}
	var reply map[string]any
	if json.Unmarshal(data, &reply) != nil {
		reply = map[string]any{"error": map[string]any{"code": "NotJson", "message": string(data)}}
	}
	return status, reply, data, nil
}

func apiError(status int, reply map[string]any) *APIError {
	e := &APIError{Status: status, Code: "Unknown"}
	if inner, ok := reply["error"].(map[string]any); ok {
		e.Code, _ = inner["code"].(string)
		e.Message, _ = inner["message"].(string)
	}
	return e
}

func (s *Server) call(method, path string, in, out any, timeout time.Duration) error {
	status, reply, data, err := s.exchange(method, path, in, timeout)
	if err != nil {
		return err
	}
	if status >= 400 {
		return apiError(status, reply)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// wait is call for the waits: 408 becomes a *TimeoutError holding the last state.
func (s *Server) wait(method, path string, in, out any, timeout time.Duration, what string) error {
	status, reply, data, err := s.exchange(method, path, in, timeout+10*time.Second)
	if err != nil {
		return err
	}
	if status == http.StatusRequestTimeout {
		delete(reply, "error")
		return &TimeoutError{What: fmt.Sprintf("%s within %v", what, timeout), Last: reply}
	}
	if status >= 400 {
		return apiError(status, reply)
	}
	return json.Unmarshal(data, out)
}

const defaultTimeout = 30 * time.Second

// Health returns a check's status.
func (s *Server) Health(check string) (*HealthStatus, error) {
	var out HealthStatus
	return &out, s.call("GET", "/v1/health-checks/"+url.PathEscape(check), nil, &out, defaultTimeout)
}

// SetHealth forces a check Healthy or Unhealthy, or returns it to its probes with Auto. With
// checkers, it forces what those virtual checkers' probes report instead (Timeout too), and the
// fleet rule decides; on the manual clock that shows after the next Advance.
func (s *Server) SetHealth(check string, state HealthState, checkers ...Checker) (*HealthStatus, error) {
	base := "/v1/health-checks/" + url.PathEscape(check)
	var out HealthStatus
	if len(checkers) == 0 {
		switch state {
		case Auto:
			return &out, s.call("DELETE", base+"/override", nil, &out, defaultTimeout)
		case Healthy, Unhealthy:
			return &out, s.call("PUT", base+"/override", map[string]any{"status": state}, &out,
				defaultTimeout)
		}
		return nil, fmt.Errorf("r53sim: a check's state is healthy, unhealthy or auto, not %q", state)
	}
	if state != Healthy && state != Unhealthy && state != Timeout && state != Auto {
		return nil, fmt.Errorf("r53sim: a checker's state is healthy, unhealthy, timeout or auto, not %q", state)
	}
	for _, c := range checkers {
		var err error
		if state == Auto {
			query := url.Values{"region": {c.region}}
			if c.index >= 0 {
				query.Set("checker", strconv.Itoa(c.index))
			}
			err = s.call("DELETE", base+"/inject?"+query.Encode(), nil, &out, defaultTimeout)
		} else {
			body := map[string]any{"region": c.region, "result": state}
			if c.index >= 0 {
				body["checker"] = c.index
			}
			err = s.call("PUT", base+"/inject", body, &out, defaultTimeout)
		}
		if err != nil {
			return nil, err
		}
	}
	return &out, nil
}

// WaitForHealth returns once the check's aggregate status is state (Healthy or Unhealthy).
func (s *Server) WaitForHealth(check string, state HealthState, timeout time.Duration) (*HealthStatus, error) {
	if state != Healthy && state != Unhealthy {
		return nil, fmt.Errorf("r53sim: WaitForHealth takes healthy or unhealthy, not %q", state)
	}
	query := url.Values{"check": {check}, "status": {string(state)},
		"timeout": {strconv.FormatInt(timeout.Milliseconds(), 10) + "ms"}}
	var out HealthStatus
	err := s.wait("GET", "/v1/wait?"+query.Encode(), nil, &out, timeout,
		fmt.Sprintf("%s was not %s", check, state))
	return &out, err
}

// WaitForAnswer returns once the routing core answers exactly expected (a set of values; empty
// for no value of that type); after timeout, a *TimeoutError with the last answer.
func (s *Server) WaitForAnswer(name, qtype string, expected []string, timeout time.Duration,
	client ...string) (*WaitResult, error) {
	if expected == nil {
		expected = []string{}
	}
	body := map[string]any{"name": name, "type": qtype, "expected": expected,
		"timeout": timeout.Seconds()}
	if c := first(client); c != "" {
		body["client"] = c
	}
	sorted := append([]string(nil), expected...)
	sort.Strings(sorted)
	var out WaitResult
	err := s.wait("POST", "/v1/wait", body, &out, timeout,
		fmt.Sprintf("%s %s was not answered %v", name, qtype, sorted))
	return &out, err
}

// Explain returns the routing trace of a question.
func (s *Server) Explain(name, qtype string, client ...string) (*Explanation, error) {
	query := url.Values{"name": {name}, "type": {qtype}}
	if c := first(client); c != "" {
		query.Set("client", c)
	}
	var out Explanation
	return &out, s.call("GET", "/v1/explain?"+query.Encode(), nil, &out, defaultTimeout)
}

// Clock reads the probe engine's clock.
func (s *Server) Clock() (Clock, error) {
	var raw struct {
		Mode  string  `json:"mode"`
		Now   float64 `json:"now"`
		Scale float64 `json:"scale"`
	}
	if err := s.call("GET", "/v1/clock", nil, &raw, defaultTimeout); err != nil {
		return Clock{}, err
	}
	return Clock{raw.Mode, time.Duration(raw.Now * float64(time.Second)), raw.Scale}, nil
}

// Advance moves the manual clock (--manual-clock) forward, running every probe due in the span,
// and returns once their results are published.
func (s *Server) Advance(by time.Duration) (Clock, error) {
	if err := s.call("POST", "/v1/clock/advance", map[string]any{"seconds": by.Seconds()}, nil,
		2*time.Minute); err != nil {
		return Clock{}, err
	}
	return s.Clock()
}

// Zones lists the hosted zones served.
func (s *Server) Zones() ([]Zone, error) {
	var out struct {
		Zones []Zone `json:"zones"`
	}
	return out.Zones, s.call("GET", "/v1/zones", nil, &out, defaultTimeout)
}

var errNoSuchZone = errors.New("r53sim: no such hosted zone is served")
