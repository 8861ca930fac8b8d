package r53sim

import (
	"testing"
	"time"
)

// Sim is a Server for one test: Start launches it and stops it in t.Cleanup, and its methods
// fail the test (t.Fatalf) instead of returning errors. The embedded Server has the same
// methods returning errors, for a test that expects one (sim.Server.SetHealth(...)).
type Sim struct {
	*Server
	t testing.TB
}

// Start launches r53sim for the test t, failing it with the server's log if the server does not
// serve, and stops it when the test ends (an unclean exit fails the test).
func Start(t testing.TB, opts Options) *Sim {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	server, err := Launch(opts)
	if err != nil {
		t.Fatalf("r53sim: %v", err)
	}
	t.Cleanup(func() {
		if err := server.Stop(); err != nil {
			t.Errorf("%v\n--- r53sim log ---\n%s", err, server.Logs())
		}
	})
	return &Sim{server, t}
}

func (s *Sim) check(err error) {
	s.t.Helper()
	if err != nil {
		s.t.Fatalf("%v", err)
	}
}

// Resolve asks the DNS listener; see Server.Resolve.
func (s *Sim) Resolve(name, qtype string, client ...string) *Answer {
	s.t.Helper()
	answer, err := s.Server.Resolve(name, qtype, client...)
	s.check(err)
	return answer
}

// ResolveTCP asks the DNS listener over TCP.
func (s *Sim) ResolveTCP(name, qtype string, client ...string) *Answer {
	s.t.Helper()
	answer, err := s.Server.ResolveTCP(name, qtype, client...)
	s.check(err)
	return answer
}

// SetHealth forces a check or some of its checkers; see Server.SetHealth.
func (s *Sim) SetHealth(check string, state HealthState, checkers ...Checker) *HealthStatus {
	s.t.Helper()
	status, err := s.Server.SetHealth(check, state, checkers...)
	s.check(err)
	return status
}

// Health returns a check's status.
func (s *Sim) Health(check string) *HealthStatus {
	s.t.Helper()
	status, err := s.Server.Health(check)
	s.check(err)
	return status
}

// WaitForHealth blocks until the check's aggregate status is state.
func (s *Sim) WaitForHealth(check string, state HealthState, timeout time.Duration) *HealthStatus {
	s.t.Helper()
	status, err := s.Server.WaitForHealth(check, state, timeout)
	s.check(err)
	return status
}

// WaitForAnswer blocks until the routing core answers exactly expected.
func (s *Sim) WaitForAnswer(name, qtype string, expected []string, timeout time.Duration,
	client ...string) *WaitResult {
	s.t.Helper()
	result, err := s.Server.WaitForAnswer(name, qtype, expected, timeout, client...)
	s.check(err)
	return result
}

// Explain returns the routing trace of a question.
func (s *Sim) Explain(name, qtype string, client ...string) *Explanation {
	s.t.Helper()
	explanation, err := s.Server.Explain(name, qtype, client...)
	s.check(err)
	return explanation
}

// Clock reads the probe engine's clock.
func (s *Sim) Clock() Clock {
	s.t.Helper()
	clock, err := s.Server.Clock()
	s.check(err)
	return clock
}

// Advance moves the manual clock forward.
func (s *Sim) Advance(by time.Duration) Clock {
	s.t.Helper()
	clock, err := s.Server.Advance(by)
	s.check(err)
	return clock
}

// Zones lists the hosted zones served.
func (s *Sim) Zones() []Zone {
	s.t.Helper()
	zones, err := s.Server.Zones()
	s.check(err)
	return zones
}

// ApplyChangeBatch runs ChangeResourceRecordSets; see Server.ApplyChangeBatch.
func (s *Sim) ApplyChangeBatch(zone string, batch any) *ChangeInfo {
	s.t.Helper()
	info, err := s.Server.ApplyChangeBatch(zone, batch)
	s.check(err)
	return info
}

// LoadZone creates a zone unless served and UPSERTs record sets; see Server.LoadZone.
func (s *Sim) LoadZone(name string, recordSets any) string {
	s.t.Helper()
	id, err := s.Server.LoadZone(name, recordSets)
	s.check(err)
	return id
}
