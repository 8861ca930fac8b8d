package r53sim

// Sim fails the test it was given: at Start, in a method, and at cleanup when the server died.

import (
	"fmt"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// recordingTB keeps a test's failures and cleanups; Fatalf ends the calling goroutine as
// testing.T's does.
type recordingTB struct {
	testing.TB
	fatal, errors string
	cleanups      []func()
}

func (r *recordingTB) Helper()                           {}
func (r *recordingTB) TempDir() string                   { return r.TB.TempDir() }
func (r *recordingTB) Cleanup(f func())                  { r.cleanups = append(r.cleanups, f) }
func (r *recordingTB) Errorf(format string, args ...any) { r.errors += fmt.Sprintf(format, args...) }
func (r *recordingTB) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls f on its own goroutine, as a test body, and returns once it ended or failed.
func (r *recordingTB) run(f func()) *recordingTB {
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	<-done
	return r
}

func (r *recordingTB) end() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

func TestStartFailsTheTestWithTheServersLog(t *testing.T) {
	tb := &recordingTB{TB: t}
	tb.run(func() { Start(tb, Options{Config: "hosted_zones:\n  - Name: example.com\n    Bogus: 1\n"}) })
	if !strings.Contains(tb.fatal, "exited with status 1") || !strings.Contains(tb.fatal, "Bogus") {
		t.Fatalf("Start failed the test with %q", tb.fatal)
	}
	tb = &recordingTB{TB: t}
	tb.run(func() { Start(tb, Options{Config: "/nonexistent.yaml"}) })
	if !strings.Contains(tb.fatal, "/nonexistent.yaml") {
		t.Fatalf("Start failed the test with %q", tb.fatal)
	}
}

func TestSimMethodsFailTheirTest(t *testing.T) {
	tb := &recordingTB{TB: t}
	defer tb.end()
	var sim *Sim
	tb.run(func() { sim = Start(tb, Options{Config: "hosted_zones: [{Name: example.com}]\n"}) })
	if sim == nil {
		t.Fatalf("Start: %s", tb.fatal)
	}
	tb.run(func() { sim.SetHealth("hc-nope", Unhealthy) })
	if !strings.Contains(tb.fatal, "NoSuchHealthCheck") {
		t.Fatalf("SetHealth failed the test with %q", tb.fatal)
	}
	tb.run(func() { sim.WaitForAnswer("example.com", "A", []string{"192.0.2.1"}, 50*time.Millisecond) })
	if !strings.Contains(tb.fatal, "timed out") || !strings.Contains(tb.fatal, "192.0.2.1") {
		t.Fatalf("WaitForAnswer failed the test with %q", tb.fatal)
	}
	tb.run(func() { sim.Advance(time.Second) })
	if !strings.Contains(tb.fatal, "NotManualClock") {
		t.Fatalf("Advance failed the test with %q", tb.fatal)
	}
}

func TestACleanupFindingTheServerDeadFailsTheTest(t *testing.T) {
	tb := &recordingTB{TB: t}
	var sim *Sim
	tb.run(func() { sim = Start(tb, Options{}) })
	if sim == nil {
		t.Fatalf("Start: %s", tb.fatal)
	}
	syscall.Kill(sim.PID(), syscall.SIGKILL)
	tb.end()
	if !strings.Contains(tb.errors, "signal: killed") {
		t.Fatalf("the cleanup reported %q", tb.errors)
	}
	if _, err := sim.Server.Resolve("example.com", "A"); err != ErrNotStarted {
		t.Fatalf("after the cleanup: %v", err)
	}
}
