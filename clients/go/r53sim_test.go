package r53sim_test

// Every operation of the package against the real binary (R53SIM_BIN, else found as a user's
// would be), each with the way it fails.

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"r53sim"
)

const configTemplate = `
hosted_zones:
  - Name: example.com
    Id: Z1CLIENTTEST
    ResourceRecordSets:
      - {Name: app.example.com, Type: A, SetIdentifier: primary, Failover: PRIMARY,
         HealthCheckId: hc-primary, TTL: 60, ResourceRecords: [{Value: 192.0.2.10}]}
      - {Name: app.example.com, Type: A, SetIdentifier: secondary, Failover: SECONDARY,
         TTL: 60, ResourceRecords: [{Value: 198.51.100.20}]}
      - {Name: geo.example.com, Type: A, SetIdentifier: europe, GeoLocation: {ContinentCode: EU},
         TTL: 60, ResourceRecords: [{Value: 198.51.100.31}]}
      - {Name: geo.example.com, Type: A, SetIdentifier: default, GeoLocation: {CountryCode: "*"},
         TTL: 60, ResourceRecords: [{Value: 192.0.2.31}]}
      - {Name: example.com, Type: MX, TTL: 300, ResourceRecords: [{Value: "10 mail.example.com."}]}
      - {Name: example.com, Type: TXT, TTL: 300, ResourceRecords: [{Value: '"v=spf1 -all"'}]}
health_checks:
  hc-primary:
    HealthCheckConfig: {Type: HTTP, IPAddress: 127.0.0.1, Port: %d, ResourcePath: /health,
                        RequestInterval: 30, FailureThreshold: 1,
                        Regions: [us-east-1, us-west-1, eu-west-1]}
local:
  client_locations:
    - {cidr: 198.51.100.0/24, continent: EU, country: DE}
`

var (
	backendOnce sync.Once
	backendPort int
)

// config returns the test config, its check probing a loopback HTTP server whose /health is 200.
func config(t *testing.T) string {
	backendOnce.Do(func() {
		backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/health" {
				w.WriteHeader(http.StatusNotFound)
			}
		}))
		backendPort = backend.Listener.Addr().(*net.TCPAddr).Port
	})
	return fmt.Sprintf(configTemplate, backendPort)
}

func manual(t *testing.T) *r53sim.Sim {
	return r53sim.Start(t, r53sim.Options{Config: config(t), Args: []string{"--manual-clock"}})
}

func equal(t *testing.T, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v, want %#v", got, want)
	}
}

func apiError(t *testing.T, err error, status int, code string) {
	t.Helper()
	var e *r53sim.APIError
	if !errors.As(err, &e) || e.Status != status || (code != "" && e.Code != code) {
		t.Fatalf("got %v, want a %d %s API error", err, status, code)
	}
}

// --- start, stop, attach, the binary -----------------------------------------------------------

func TestLaunchServesOnFreeLoopbackPortsAndStopsCleanly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r53sim.yaml")
	if err := os.WriteFile(path, []byte(config(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	server, err := r53sim.Launch(r53sim.Options{Config: path})
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(server.DNSAddress())
	if host != "127.0.0.1" || port == "0" || !strings.HasPrefix(server.AdminURL(), "http://127.0.0.1:") {
		t.Fatalf("addresses %s %s", server.DNSAddress(), server.AdminURL())
	}
	answer, err := server.Resolve("app.example.com", "A")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, answer.Values(), []string{"192.0.2.10"})
	if err := server.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := server.Resolve("app.example.com", "A"); !errors.Is(err, r53sim.ErrNotStarted) {
		t.Fatalf("after Stop: %v", err)
	}
	if _, err := server.SetHealth("hc-primary", r53sim.Unhealthy); !errors.Is(err, r53sim.ErrNotStarted) {
		t.Fatalf("after Stop: %v", err)
	}
}

func TestAnInvalidConfigFailsLaunchWithTheServersOwnWords(t *testing.T) {
	_, err := r53sim.Launch(r53sim.Options{Config: "hosted_zones:\n  - Name: example.com\n    Bogus: 1\n"})
	var start *r53sim.StartError
	if !errors.As(err, &start) || start.ExitCode != 1 || !strings.Contains(start.Log, "Bogus") {
		t.Fatalf("got %v", err)
	}
}

func TestTheBinaryIsFoundFromR53simBinThenPathThenTheBuildTree(t *testing.T) {
	real := os.Getenv("R53SIM_BIN")
	found, err := r53sim.FindBinary("")
	if err != nil || found != real {
		t.Fatalf("FindBinary: %q %v, want %q", found, err, real)
	}
	dir := t.TempDir()
	t.Setenv("R53SIM_BIN", filepath.Join(dir, "missing"))
	if _, err := r53sim.Launch(r53sim.Options{}); !errors.Is(err, r53sim.ErrBinaryNotFound) {
		t.Fatalf("bad R53SIM_BIN: %v", err)
	}
	t.Setenv("R53SIM_BIN", "")
	bin := filepath.Join(dir, "bin")
	os.Mkdir(bin, 0o755)
	os.Symlink(real, filepath.Join(bin, "r53sim"))
	t.Setenv("PATH", bin+":/usr/bin:/bin")
	if found, _ := r53sim.FindBinary(""); found != filepath.Join(bin, "r53sim") {
		t.Fatalf("from PATH: %q", found)
	}
	t.Setenv("PATH", "/usr/bin:/bin")
	tree := filepath.Join(dir, "checkout")
	os.MkdirAll(filepath.Join(tree, "build", "server"), 0o755)
	os.MkdirAll(filepath.Join(tree, "tests"), 0o755)
	os.Symlink(real, filepath.Join(tree, "build", "server", "r53sim"))
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	os.Chdir(filepath.Join(tree, "tests"))
	if found, _ := r53sim.FindBinary(""); found != filepath.Join(tree, "build", "server", "r53sim") {
		t.Fatalf("from the build tree: %q", found)
	}
}

func TestAttachDrivesARunningServerAndLeavesItRunning(t *testing.T) {
	sim := manual(t)
	attached, err := r53sim.Attach(sim.AdminURL(), sim.DNSAddress())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := attached.SetHealth("hc-primary", r53sim.Unhealthy); err != nil {
		t.Fatal(err)
	}
	equal(t, sim.Resolve("app.example.com", "A").Values(), []string{"198.51.100.20"})
	if err := attached.Stop(); err != nil {
		t.Fatal(err)
	}
	equal(t, sim.Clock().Mode, "manual") // still serving

	listener, _ := net.Listen("tcp", "127.0.0.1:0")
	address := listener.Addr().String()
	listener.Close()
	if _, err := r53sim.Attach("http://"+address, ""); err == nil {
		t.Fatal("attached to nothing")
	}
}

// --- DNS ---------------------------------------------------------------------------------------

func TestResolveOverUDPAndTCPAndAsAClient(t *testing.T) {
	sim := manual(t)
	answer := sim.Resolve("app.example.com", "A")
	equal(t, answer.Rcode, "NOERROR")
	equal(t, answer.Records, []r53sim.Record{{Name: "app.example.com.", Type: "A", TTL: 60, Value: "192.0.2.10"}})
	equal(t, sim.ResolveTCP("app.example.com", "A").Values(), []string{"192.0.2.10"})
	equal(t, sim.Resolve("geo.example.com", "A", "198.51.100.7").Values(), []string{"198.51.100.31"})
	equal(t, sim.Resolve("geo.example.com", "A", "192.0.2.0/24").Values(), []string{"192.0.2.31"})
	equal(t, sim.Resolve("example.com", "MX").Values(), []string{"10 mail.example.com."})
	equal(t, sim.Resolve("example.com", "TXT").Values(), []string{`"v=spf1 -all"`})
	missing := sim.Resolve("nothing.example.com", "A")
	equal(t, missing.Rcode, "NXDOMAIN")
	equal(t, missing.Values(), []string{})
	equal(t, missing.Authority[0].Type, "SOA")
	equal(t, sim.Resolve("example.org", "A").Rcode, "REFUSED")
	if _, err := sim.Server.Resolve("app.example.com", "NOTATYPE"); err == nil {
		t.Fatal("resolved an unknown type")
	}
}

func TestExplainGivesTheRoutingTrace(t *testing.T) {
	sim := manual(t)
	e := sim.Explain("app.example.com", "A")
	equal(t, e.Answer, []string{"app.example.com. 60 IN A 192.0.2.10"})
	if !strings.Contains(strings.Join(e.Trace, "\n"), "failover") {
		t.Fatalf("trace %v", e.Trace)
	}
	equal(t, sim.Explain("geo.example.com", "A", "198.51.100.7").Client, "198.51.100.7")
	_, err := sim.Server.Explain("app.example.com", "NOTATYPE")
	apiError(t, err, 400, "")
}

func TestAPIEndpoint(t *testing.T) {
	sim := manual(t)
	e := sim.APIEndpoint()
	equal(t, e.URL, sim.AdminURL())
	equal(t, e.Region, "us-east-1")
	res, err := http.Get(e.URL + "/2013-04-01/hostedzone")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("ListHostedZones: %v %v", res, err)
	}
	res.Body.Close()
}

// --- health ------------------------------------------------------------------------------------

func TestSetHealthForcesAndAutoReturnsToTheProbes(t *testing.T) {
	sim := manual(t)
	if forced := sim.SetHealth("hc-primary", r53sim.Unhealthy).Forced; forced == nil || *forced != "unhealthy" {
		t.Fatalf("forced %v", forced)
	}
	equal(t, sim.Resolve("app.example.com", "A").Values(), []string{"198.51.100.20"})
	equal(t, sim.Health("hc-primary").Status, "unhealthy")
	equal(t, sim.SetHealth("hc-primary", r53sim.Auto).Forced, (*string)(nil))
	equal(t, sim.Resolve("app.example.com", "A").Values(), []string{"192.0.2.10"})
}

func TestSetHealthOfAnUnknownCheckFails(t *testing.T) {
	sim := manual(t)
	_, err := sim.Server.SetHealth("hc-nope", r53sim.Unhealthy)
	apiError(t, err, 404, "NoSuchHealthCheck")
	if _, err := sim.Server.SetHealth("hc-primary", "sideways"); err == nil {
		t.Fatal("accepted a state that is none")
	}
}

func TestSetHealthPerCheckerLetsTheFleetRuleDecide(t *testing.T) {
	sim := manual(t)
	sim.Advance(0)
	// Two of six checkers failing: 67 % healthy, above Route 53's 18 %.
	sim.SetHealth("hc-primary", r53sim.Unhealthy, r53sim.Region("us-east-1"))
	sim.Advance(30 * time.Second)
	status := sim.Health("hc-primary")
	if status.Status != "healthy" || math.Round(status.PercentageHealthy) != 67 {
		t.Fatalf("status %+v", status)
	}
	sim.SetHealth("hc-primary", r53sim.Timeout, r53sim.Region("us-west-1"),
		r53sim.OneChecker("eu-west-1", 0), r53sim.OneChecker("eu-west-1", 1))
	sim.Advance(30 * time.Second)
	sim.WaitForHealth("hc-primary", r53sim.Unhealthy, 5*time.Second)
	equal(t, sim.Resolve("app.example.com", "A").Values(), []string{"198.51.100.20"})
	// One checker back: 1 of 6 is 17 %, still below 18 %.
	sim.SetHealth("hc-primary", r53sim.Auto, r53sim.OneChecker("eu-west-1", 1))
	sim.Advance(30 * time.Second)
	equal(t, sim.Health("hc-primary").Status, "unhealthy")
	sim.SetHealth("hc-primary", r53sim.Auto, r53sim.Region("us-east-1"), r53sim.Region("us-west-1"),
		r53sim.Region("eu-west-1"))
	sim.Advance(30 * time.Second)
	equal(t, sim.WaitForHealth("hc-primary", r53sim.Healthy, 5*time.Second).Status, "healthy")
	_, err := sim.Server.SetHealth("hc-primary", r53sim.Unhealthy, r53sim.Region("mars-north-1"))
	apiError(t, err, 404, "")
}

func TestWaitForHealthTimesOutOrKnowsNoSuchCheck(t *testing.T) {
	sim := manual(t)
	_, err := sim.Server.WaitForHealth("hc-primary", r53sim.Unhealthy, 200*time.Millisecond)
	var timeout *r53sim.TimeoutError
	if !errors.Is(err, r53sim.ErrTimeout) || !errors.As(err, &timeout) || timeout.Last["status"] != "healthy" {
		t.Fatalf("got %v", err)
	}
	_, err = sim.Server.WaitForHealth("hc-nope", r53sim.Healthy, 200*time.Millisecond)
	apiError(t, err, 404, "NoSuchHealthCheck")
}

// --- waiting for answers -----------------------------------------------------------------------

func TestWaitForAnswerReturnsOnceDNSGivesTheExpectedValues(t *testing.T) {
	sim := manual(t)
	result := sim.WaitForAnswer("app.example.com", "A", []string{"192.0.2.10"}, 5*time.Second)
	equal(t, result.Values, []string{"192.0.2.10"})
	equal(t, result.Rcode, "NOERROR")
	sim.SetHealth("hc-primary", r53sim.Unhealthy)
	equal(t, sim.WaitForAnswer("app.example.com", "A", []string{"198.51.100.20"}, 5*time.Second).Values,
		[]string{"198.51.100.20"})
	equal(t, sim.WaitForAnswer("geo.example.com", "A", []string{"198.51.100.31"}, 5*time.Second,
		"198.51.100.7").Client, "198.51.100.7")
}

func TestWaitForAnswerTimesOutWithTheLastAnswer(t *testing.T) {
	sim := manual(t)
	_, err := sim.Server.WaitForAnswer("app.example.com", "A", []string{"203.0.113.1"}, 200*time.Millisecond)
	var timeout *r53sim.TimeoutError
	if !errors.As(err, &timeout) || !errors.Is(err, r53sim.ErrTimeout) {
		t.Fatalf("got %v", err)
	}
	equal(t, timeout.Last["values"], []any{"192.0.2.10"})
}

// --- clock -------------------------------------------------------------------------------------

func TestClockAndAdvance(t *testing.T) {
	sim := manual(t)
	equal(t, sim.Clock(), r53sim.Clock{Mode: "manual", Now: 0, Scale: 1})
	equal(t, sim.Advance(30*time.Second).Now, 30*time.Second)
	equal(t, sim.Advance(2500*time.Millisecond), r53sim.Clock{Mode: "manual", Now: 32500 * time.Millisecond, Scale: 1})
}

func TestAdvanceNeedsTheManualClock(t *testing.T) {
	sim := r53sim.Start(t, r53sim.Options{Config: config(t), Args: []string{"--time-scale", "0.5"}})
	clock := sim.Clock()
	if clock.Mode != "scaled" || clock.Scale != 0.5 {
		t.Fatalf("clock %+v", clock)
	}
	_, err := sim.Server.Advance(30 * time.Second)
	apiError(t, err, 409, "NotManualClock")
}

// --- records -----------------------------------------------------------------------------------

func TestZonesAndApplyChangeBatch(t *testing.T) {
	sim := manual(t)
	equal(t, sim.Zones(), []r53sim.Zone{{ID: "Z1CLIENTTEST", Name: "example.com.", RecordSetCount: 8}})
	rrset := map[string]any{"Name": "new.example.com", "Type": "A", "TTL": 30,
		"ResourceRecords": []map[string]string{{"Value": "192.0.2.77"}, {"Value": "192.0.2.78"}}}
	info := sim.ApplyChangeBatch("example.com", map[string]any{"Comment": "new",
		"Changes": []any{map[string]any{"Action": "CREATE", "ResourceRecordSet": rrset}}})
	if info.ID == "" || (info.Status != "PENDING" && info.Status != "INSYNC") {
		t.Fatalf("change %+v", info)
	}
	equal(t, sim.Resolve("new.example.com", "A").Values(), []string{"192.0.2.77", "192.0.2.78"})
	equal(t, sim.Zones()[0].RecordSetCount, 9)
	// By id, as JSON text as the aws CLI takes it.
	sim.ApplyChangeBatch("/hostedzone/Z1CLIENTTEST", `{"Changes": [{"Action": "DELETE",
		"ResourceRecordSet": {"Name": "new.example.com", "Type": "A", "TTL": 30,
		"ResourceRecords": [{"Value": "192.0.2.77"}, {"Value": "192.0.2.78"}]}}]}`)
	equal(t, sim.Resolve("new.example.com", "A").Rcode, "NXDOMAIN")
}

func TestAChangeBatchRoute53RejectsFailsWhole(t *testing.T) {
	sim := manual(t)
	batch := `{"Changes": [{"Action": "CREATE", "ResourceRecordSet": {"Name": "app.example.com",
		"Type": "CNAME", "TTL": 30, "ResourceRecords": [{"Value": "elsewhere.example.net"}]}}]}`
	_, err := sim.Server.ApplyChangeBatch("example.com", batch)
	apiError(t, err, 400, "InvalidChangeBatch")
	if _, err := sim.Server.ApplyChangeBatch("nowhere.test", batch); err == nil {
		t.Fatal("changed a zone that is not served")
	}
	if _, err := sim.Server.ApplyChangeBatch("example.com", "{not json"); err == nil {
		t.Fatal("sent a batch that is not JSON")
	}
}

func TestLoadZoneCreatesAZoneAndUpsertsItsRecords(t *testing.T) {
	sim := manual(t)
	record := func(value string) []any {
		return []any{map[string]any{"Name": "www.loaded.test", "Type": "A", "TTL": 60,
			"ResourceRecords": []any{map[string]any{"Value": value}}}}
	}
	id := sim.LoadZone("loaded.test", record("192.0.2.90"))
	if !strings.HasPrefix(id, "Z") {
		t.Fatalf("zone id %q", id)
	}
	equal(t, sim.Resolve("www.loaded.test", "A").Values(), []string{"192.0.2.90"})
	equal(t, sim.LoadZone("loaded.test.", record("192.0.2.91")), id)
	equal(t, sim.Resolve("www.loaded.test", "A").Values(), []string{"192.0.2.91"})
	equal(t, len(sim.Zones()), 2)
	_, err := sim.Server.LoadZone("loaded.test", []any{map[string]any{"Name": "www.elsewhere.test",
		"Type": "A", "TTL": 60, "ResourceRecords": []any{map[string]any{"Value": "192.0.2.1"}}}})
	apiError(t, err, 400, "InvalidChangeBatch") // a record outside the zone
}
