package scenarios

import "strings"

// suggest returns "did you mean X?" for the candidate closest to got, or "" when none is
// close enough to be a plausible typo. A case-insensitive exact match (SubnetID vs
// SubnetIds differs in more than case, subnetids vs SubnetIds does not) always wins.
func suggest(got string, candidates []string) string {
	if c := closest(got, candidates); c != "" {
		return "did you mean " + c + "?"
	}
	return ""
}

// closest is the candidate got is a plausible typo of, or "".
func closest(got string, candidates []string) string {
	// A prefix of a longer name is a truncation ("UpdateFunctionConfig").
	for _, c := range candidates {
		if len(got) >= 4 && strings.HasPrefix(strings.ToLower(c), strings.ToLower(got)) {
			return c
		}
	}
	best, bestD := "", 1<<30
	for _, c := range candidates {
		d := editDistance(strings.ToLower(got), strings.ToLower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	// Allow about one edit in three characters, and at least two (a swapped pair):
	// "SubnetID" → "SubnetIds" and "cuont" → "count" are typos, "foo" → "count" is not.
	limit := max(2, len(got)/3)
	if best != "" && bestD <= limit && bestD < len(got) {
		return best
	}
	return ""
}

// editDistance is the Levenshtein distance between a and b (bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
