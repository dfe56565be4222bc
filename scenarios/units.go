package scenarios

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Duration is a span written with units: 90s, 10m, 1h30m, 14d, 250ms. A bare number is
// rejected (except 0) because "90" could mean seconds or minutes.
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String prints d with days when it is a whole number of days, e.g. "14d", else Go's form.
func (d Duration) String() string { return formatDuration(time.Duration(d)) }

func formatDuration(d time.Duration) string {
	const day = 24 * time.Hour
	if d != 0 && d%day == 0 {
		return strconv.FormatInt(int64(d/day), 10) + "d"
	}
	return d.String()
}

var durationUnits = []struct {
	name string
	d    time.Duration
}{
	// Longest names first so "ms" is not read as "m" followed by "s".
	{"ns", time.Nanosecond}, {"us", time.Microsecond}, {"µs", time.Microsecond},
	{"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}, {"h", time.Hour},
	{"d", 24 * time.Hour}, {"w", 7 * 24 * time.Hour},
}

// parseDuration reads "1h30m", "14d", "2.5s", "-5m" (callers reject negatives where they
// matter, so the message can name the field).
func parseDuration(s string) (time.Duration, error) {
	orig := s
	s = strings.TrimSpace(s)
	if s == "0" {
		return 0, nil
	}
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" {
		return 0, fmt.Errorf("%q is not a duration", orig)
	}
	var total float64
	for s != "" {
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			i++
		}
		if i == 0 {
			return 0, fmt.Errorf("%q is not a duration (want a number with a unit such as 90s, 10m, 14d)", orig)
		}
		num, err := strconv.ParseFloat(s[:i], 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration (bad number %q)", orig, s[:i])
		}
		s = s[i:]
		if s == "" {
			return 0, fmt.Errorf("%q has no unit (write e.g. %ss or %sm)", orig, strconv.FormatFloat(num, 'f', -1, 64), strconv.FormatFloat(num, 'f', -1, 64))
		}
		unit := time.Duration(0)
		for _, u := range durationUnits {
			if strings.HasPrefix(s, u.name) {
				// "m" must not swallow the "m" of "ms"; the table order handles "ms"
				// before "m", but "min" is a common spelling of minutes too.
				if u.name == "m" && strings.HasPrefix(s, "min") {
					s = s[3:]
					unit = time.Minute
					break
				}
				unit = u.d
				s = s[len(u.name):]
				break
			}
		}
		if unit == 0 {
			return 0, fmt.Errorf("%q has an unknown unit (want ns, us, ms, s, m, h, d or w)", orig)
		}
		total += num * float64(unit)
	}
	if total > math.MaxInt64 {
		return 0, fmt.Errorf("%q is too long (at most about 292 years)", orig)
	}
	if neg {
		total = -total
	}
	return time.Duration(math.Round(total)), nil
}

// Rate is events per second, written N/unit: 2/min, 50/s, 1000/h, 3/d, or N/span (1/5m).
type Rate float64

// PerSecond returns the rate in events per second.
func (r Rate) PerSecond() float64 { return float64(r) }

func parseRate(s string) (float64, error) {
	s = strings.TrimSpace(s)
	num, per, ok := strings.Cut(s, "/")
	if !ok {
		return 0, fmt.Errorf("%q is not a rate (want a count per unit such as 2/min, 50/s, 1000/h)", s)
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return 0, fmt.Errorf("%q is not a rate (bad count %q)", s, num)
	}
	per = strings.TrimSpace(per)
	var span time.Duration
	switch per {
	case "s", "sec", "second":
		span = time.Second
	case "min", "minute":
		span = time.Minute
	case "h", "hour":
		span = time.Hour
	case "d", "day":
		span = 24 * time.Hour
	default:
		span, err = parseDuration(per)
		if err != nil || span <= 0 {
			return 0, fmt.Errorf("%q is not a rate (unknown unit %q: want s, min, h, d or a span such as 5m)", s, per)
		}
	}
	return n / span.Seconds(), nil
}

// Size is a memory size in MiB, written 512MB, 1.5GB, 10240 (a bare number is MB, as in
// Lambda's MemorySize). Lambda's MB are MiB, so GB means 1024 MB.
type Size int64

func parseSizeMB(s string) (int64, error) {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	n, err := strconv.ParseFloat(s[:i], 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a size (want e.g. 512MB or 2GB)", s)
	}
	mult := 1.0
	switch strings.TrimSpace(s[i:]) {
	case "", "MB", "MiB", "M":
	case "GB", "GiB", "G":
		mult = 1024
	case "TB", "TiB":
		mult = 1024 * 1024
	case "KB", "KiB", "K":
		mult = 1.0 / 1024
	default:
		return 0, fmt.Errorf("%q has an unknown size unit (want KB, MB, GB or TB)", s)
	}
	v := n * mult
	if v > 1<<40 {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return int64(math.Round(v)), nil
}

// CIDR is an IPv4 or IPv6 prefix written as a string: "10.0.0.0/16", "2600:1f18::/56".
type CIDR struct{ netip.Prefix }

// MarshalText prints the prefix (for the canonical hash and golden files).
func (c CIDR) MarshalText() ([]byte, error) {
	if !c.IsValid() {
		return []byte{}, nil
	}
	return []byte(c.String()), nil
}

func parseCIDR(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(strings.TrimSpace(s))
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not a CIDR block (want e.g. 10.0.1.0/24)", s)
	}
	if p.Masked() != p {
		return netip.Prefix{}, fmt.Errorf("%q has host bits set (did you mean %s?)", s, p.Masked())
	}
	return p, nil
}

// prefixesOverlap reports whether a and b share an address.
func prefixesOverlap(a, b netip.Prefix) bool { return a.Overlaps(b) }

// prefixContains reports whether outer contains all of inner.
func prefixContains(outer, inner netip.Prefix) bool {
	return outer.Bits() <= inner.Bits() && outer.Contains(inner.Addr())
}
