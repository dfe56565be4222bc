package model

import "fmt"

var routeNames = [...]string{"private", "nat", "public"}

func (r Route) String() string {
	if int(r) < len(routeNames) {
		return routeNames[r]
	}
	return fmt.Sprintf("Route(%d)", int(r))
}

// ParseRoute maps "private", "nat" or "public" to a Route.
func ParseRoute(s string) (Route, error) {
	for i, n := range routeNames {
		if n == s {
			return Route(i), nil
		}
	}
	return 0, fmt.Errorf("%w: route %q: want private, nat or public", ErrInvalidConfig, s)
}

var tenancyNames = [...]string{"default", "dedicated"}

func (t Tenancy) String() string {
	if int(t) < len(tenancyNames) {
		return tenancyNames[t]
	}
	return fmt.Sprintf("Tenancy(%d)", int(t))
}

// ParseTenancy maps "default" or "dedicated" to a Tenancy.
func ParseTenancy(s string) (Tenancy, error) {
	for i, n := range tenancyNames {
		if n == s {
			return Tenancy(i), nil
		}
	}
	return 0, fmt.Errorf("%w: tenancy %q: want default or dedicated", ErrInvalidConfig, s)
}

var quotaNames = [...]string{"vpcENIs", "concurrency", "regionENIs"}

func (q QuotaKind) String() string {
	if int(q) < len(quotaNames) {
		return quotaNames[q]
	}
	return fmt.Sprintf("QuotaKind(%d)", int(q))
}

// ParseQuotaKind maps "vpcENIs", "concurrency" or "regionENIs" to a QuotaKind.
func ParseQuotaKind(s string) (QuotaKind, error) {
	for i, n := range quotaNames {
		if n == s {
			return QuotaKind(i), nil
		}
	}
	return 0, fmt.Errorf("%w: quota %q: want vpcENIs, concurrency or regionENIs", ErrInvalidConfig, s)
}
