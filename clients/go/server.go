// Package r53sim runs the real r53sim binary (Route 53 DNS failover, locally) as a test fixture:
// on free loopback ports, stopped by pid, driven through its admin API. Standard library only.
//
//	func TestFailover(t *testing.T) {
//		sim := r53sim.Start(t, r53sim.Options{Config: "two-region.yaml", Args: []string{"--manual-clock"}})
//		sim.SetHealth("hc-us-east-1", r53sim.Unhealthy)
//		sim.WaitForAnswer("app.example.com", "A", []string{"127.0.0.12"}, time.Second)
//	}
package r53sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// Options say how to run the server.
type Options struct {
	// Config is a config file or directory path, or YAML text (anything with a newline).
	Config string
	// Args are extra `r53sim serve` options, such as "--manual-clock" or "--time-scale", "0.1".
	Args []string
	// Binary overrides the search: R53SIM_BIN, then r53sim on PATH, then build/server/r53sim in
	// the working directory or above it (or above this package's source).
	Binary string
	// Dir holds the config, ready file and log; a temporary directory (removed at Stop) if empty.
	Dir string
	// StartupTimeout bounds the wait for the ready file; 20 s if zero.
	StartupTimeout time.Duration
}

var (
	// ErrNotStarted is returned by calls on a server that is not running (never started, or stopped).
	ErrNotStarted = errors.New("r53sim: the server is not running")
	// ErrBinaryNotFound says no r53sim binary was found.
	ErrBinaryNotFound = errors.New("r53sim: no r53sim binary")
	// ErrTimeout is wrapped by every *TimeoutError.
	ErrTimeout = errors.New("r53sim: timed out")
)

// StartError is a server that exited, or wrote no ready file, before it served.
type StartError struct {
	Reason   string
	ExitCode int // -1 if it did not exit
	Log      string
}

func (e *StartError) Error() string {
	return fmt.Sprintf("r53sim: %s\n--- r53sim log ---\n%s", e.Reason, e.Log)
}

// APIError is an error answer of the admin API or the Route 53 API.
type APIError struct {
	Status  int
	Code    string
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("r53sim: %d %s: %s", e.Status, e.Code, e.Message)
}

// TimeoutError is a wait that ran out of time; Last is what the server saw last.
type TimeoutError struct {
	What string
	Last map[string]any
}

func (e *TimeoutError) Error() string {
	last, _ := json.Marshal(e.Last)
	return fmt.Sprintf("r53sim: timed out: %s (last: %s)", e.What, last)
}

func (e *TimeoutError) Unwrap() error { return ErrTimeout }

// Server is one r53sim server, started by Launch or attached to by Attach. Its methods return
// errors; Sim wraps them for tests.
type Server struct {
	cmd     *exec.Cmd
	exited  chan struct{}
	dir     string
	ownDir  bool
	logPath string
	admin   string
	dns     string
	client  *http.Client
}

func executable(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir() && info.Mode()&0o111 != 0
}

// FindBinary returns the r53sim binary: explicit, else R53SIM_BIN, else r53sim on PATH, else
// build/server/r53sim in the working directory or a parent, or in a parent of this package.
func FindBinary(explicit string) (string, error) {
	for _, c := range []struct{ origin, path string }{{"Binary", explicit},
		{"R53SIM_BIN", os.Getenv("R53SIM_BIN")}} {
		if c.path != "" {
			if !executable(c.path) {
				return "", fmt.Errorf("%w: %s=%s is not an executable file", ErrBinaryNotFound,
					c.origin, c.path)
			}
			return filepath.Abs(c.path)
		}
	}
	if path, err := exec.LookPath("r53sim"); err == nil {
		return path, nil
	}
	var bases, looked []string
	if wd, err := os.Getwd(); err == nil {
		bases = append(bases, wd)
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		bases = append(bases, filepath.Dir(file))
	}
	for _, base := range bases {
		for dir := base; ; dir = filepath.Dir(dir) {
			candidate := filepath.Join(dir, "build", "server", "r53sim")
			looked = append(looked, candidate)
			if executable(candidate) {
				return candidate, nil
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	return "", fmt.Errorf("%w: set R53SIM_BIN, put r53sim on PATH, or build it (looked in %s)",
		ErrBinaryNotFound, strings.Join(looked, ", "))
}

// Launch starts the binary on free loopback ports and returns once it serves.
func Launch(opts Options) (*Server, error) {
	binary, err := FindBinary(opts.Binary)
	if err != nil {
		return nil, err
	}
	s := &Server{dir: opts.Dir, client: &http.Client{}}
	if s.dir == "" {
		if s.dir, err = os.MkdirTemp("", "r53sim-"); err != nil {
			return nil, err
		}
		s.ownDir = true
	} else if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return nil, err
	}
	config, err := s.configPath(opts.Config)
	if err != nil {
		s.removeDir()
		return nil, err
	}
	ready := filepath.Join(s.dir, "r53sim-ready.json")
	os.Remove(ready)
	s.logPath = filepath.Join(s.dir, "r53sim.log")
	log, err := os.Create(s.logPath)
	if err != nil {
		s.removeDir()
		return nil, err
	}
	args := append([]string{"serve", "-c", config, "--dns", "127.0.0.1:0", "--admin",
		"127.0.0.1:0", "--ready-file", ready}, opts.Args...)
	s.cmd = exec.Command(binary, args...)
	s.cmd.Stdout, s.cmd.Stderr = log, log
	if err := s.cmd.Start(); err != nil {
		log.Close()
		s.removeDir()
		return nil, err
	}
	log.Close()
	s.exited = make(chan struct{})
	go func() { s.cmd.Wait(); close(s.exited) }()

	timeout := opts.StartupTimeout
	if timeout == 0 {
		timeout = 20 * time.Second
	}
	deadline := time.Now().Add(timeout)
	for {
		select {
		case <-s.exited:
			err := &StartError{Reason: fmt.Sprintf("exited with status %d before serving",
				s.cmd.ProcessState.ExitCode()), ExitCode: s.cmd.ProcessState.ExitCode(), Log: s.Logs()}
			s.cmd = nil
			s.removeDir()
			return nil, err
		default:
		}
		var addresses struct{ DNS, Admin string }
		if data, err := os.ReadFile(ready); err == nil && json.Unmarshal(data, &addresses) == nil {
			s.dns, s.admin = addresses.DNS, "http://"+addresses.Admin
			return s, nil
		}
		if time.Now().After(deadline) {
			log := s.Logs()
			s.Stop()
			return nil, &StartError{Reason: fmt.Sprintf("no ready file within %v", timeout),
				ExitCode: -1, Log: log}
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Attach drives a server that is already running (a container) by its admin URL; dnsAddress is
// its DNS listener's "host:port", or "" for the admin host on port 53.
func Attach(adminURL, dnsAddress string) (*Server, error) {
	if !strings.Contains(adminURL, "://") {
		adminURL = "http://" + adminURL
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		return nil, err
	}
	if dnsAddress == "" {
		dnsAddress = net.JoinHostPort(u.Hostname(), "53")
	}
	s := &Server{admin: u.Scheme + "://" + u.Host, dns: dnsAddress, client: &http.Client{}}
	if err := s.call("GET", "/healthz", nil, nil, 10*time.Second); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Server) configPath(config string) (string, error) {
	if strings.Contains(config, "\n") || config == "" {
		if config == "" {
			config = "{}\n"
		}
		path := filepath.Join(s.dir, "r53sim.yaml")
		return path, os.WriteFile(path, []byte(config), 0o644)
	}
	if _, err := os.Stat(config); err != nil {
		return "", fmt.Errorf("r53sim: config: %w", err)
	}
	return filepath.Abs(config)
}

func (s *Server) removeDir() {
	if s.ownDir {
		os.RemoveAll(s.dir)
		s.ownDir = false
	}
}

// Stop sends SIGTERM (by pid) to a server Launch started and waits for it: nil for a clean exit.
// An attached server is left running.
func (s *Server) Stop() error {
	s.admin = ""
	if s.cmd == nil {
		return nil
	}
	cmd := s.cmd
	s.cmd = nil
	defer s.removeDir()
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-s.exited
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		return fmt.Errorf("r53sim: exited with status %d (%s)", code, cmd.ProcessState)
	}
	return nil
}

// Logs returns what the server has logged so far.
func (s *Server) Logs() string {
	if s.logPath == "" {
		return ""
	}
	data, _ := os.ReadFile(s.logPath)
	return string(data)
}

// PID is the server's process id (0 when attached or stopped).
func (s *Server) PID() int {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// AdminURL is the admin API's base URL ("http://127.0.0.1:PORT").
func (s *Server) AdminURL() string { return s.admin }

// DNSAddress is the DNS listener's "host:port", the same port for UDP and TCP.
func (s *Server) DNSAddress() string { return s.dns }

// APIEndpoint is what an AWS SDK needs for the Route 53 REST API (any credentials are accepted).
type APIEndpoint struct {
	URL, Region, AccessKeyID, SecretAccessKey string
}

// APIEndpoint returns the Route 53 REST API's URL with a region and dummy credentials.
func (s *Server) APIEndpoint() APIEndpoint {
	return APIEndpoint{URL: s.admin, Region: "us-east-1", AccessKeyID: "test",
		SecretAccessKey: "test"}
}

// Resolve asks the DNS listener (UDP, TCP if truncated); client, if given, is sent as an EDNS
// Client Subnet (an address or a prefix).
func (s *Server) Resolve(name, qtype string, client ...string) (*Answer, error) {
	return s.resolve(name, qtype, false, client)
}

// ResolveTCP asks the DNS listener over TCP.
func (s *Server) ResolveTCP(name, qtype string, client ...string) (*Answer, error) {
	return s.resolve(name, qtype, true, client)
}

func (s *Server) resolve(name, qtype string, tcp bool, client []string) (*Answer, error) {
	if s.admin == "" {
		return nil, ErrNotStarted
	}
	answer, err := query(s.dns, name, qtype, first(client), tcp, 2*time.Second)
	if err != nil {
		return nil, fmt.Errorf("r53sim: no DNS answer from %s for %s %s: %w", s.dns, name, qtype, err)
	}
	return answer, nil
}

func first(values []string) string {
	if len(values) > 0 {
		return values[0]
	}
	return ""
}
