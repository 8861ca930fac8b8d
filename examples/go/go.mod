module example.com/failover

go 1.19

require r53sim v0.0.0

// The r53sim package from this repository (it is not published to a module proxy).
replace r53sim => ../../clients/go
