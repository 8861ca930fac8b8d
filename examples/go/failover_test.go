// The two-region failover of Route 53's documentation, tested as a project that uses r53sim
// would: us-east-1 (127.0.0.11) is PRIMARY, eu-west-1 (127.0.0.12) SECONDARY. With the manual
// clock no probe runs, so the override alone decides: no endpoint, no sleep.
package failover

import (
	"reflect"
	"testing"
	"time"

	"r53sim"
)

func TestFailsOverToEuWest1(t *testing.T) {
	sim := r53sim.Start(t, r53sim.Options{Config: "two-region.yaml", Args: []string{"--manual-clock"}})
	sim.SetHealth("hc-us-east-1", r53sim.Unhealthy)
	sim.WaitForAnswer("app.example.com", "A", []string{"127.0.0.12"}, time.Second)
	if got := sim.Resolve("app.example.com", "A").Values(); !reflect.DeepEqual(got, []string{"127.0.0.12"}) {
		t.Fatalf("DNS answers %v", got)
	}
}
