package iam

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// globRegexp is the reference: the same wildcard semantics expressed as a regexp.
func globRegexp(pat string, fold bool) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^(?s)")
	if fold {
		b.WriteString("(?i)")
	}
	for _, r := range pat {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// TestGlobMatchesRegexp: differential test of glob against regexp on random patterns and
// strings over a small alphabet with ASCII and non-ASCII letters in both cases.
func TestGlobMatchesRegexp(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(alpha []string, n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString(alpha[rng.IntN(len(alpha))])
		}
		return b.String()
	}
	patAlpha := []string{"a", "b", "A", "é", "É", ":", "*", "?", "*"}
	strAlpha := []string{"a", "b", "A", "B", "é", "É", ":"}
	for i := 0; i < 5000; i++ {
		pat := pick(patAlpha, rng.IntN(7))
		s := pick(strAlpha, rng.IntN(9))
		fold := i%2 == 0
		if got, want := glob(pat, s, fold), globRegexp(pat, fold).MatchString(s); got != want {
			t.Fatalf("glob(%q, %q, fold=%v) = %v, regexp says %v", pat, s, fold, got, want)
		}
	}
}
