package iam

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// glob reports whether s matches pat, where '*' matches any run of characters (including
// none) and '?' exactly one. With fold, letters compare case-insensitively. It is the
// classic single-backtrack-point algorithm: O(len(pat)·len(s)) at worst, no allocation,
// no recursion (so a hostile pattern cannot blow the stack).
func glob(pat, s string, fold bool) bool {
	px, sx := 0, 0
	starP, starS := -1, -1
	for sx < len(s) {
		if px < len(pat) {
			switch c := pat[px]; c {
			case '*':
				starP, starS = px, sx
				px++
				continue
			case '?':
				w := 1
				if s[sx] >= utf8.RuneSelf {
					_, w = utf8.DecodeRuneInString(s[sx:])
				}
				px++
				sx += w
				continue
			default:
				if sc := s[sx]; c < utf8.RuneSelf && sc < utf8.RuneSelf {
					// ASCII fast path: action names and ARNs are ASCII.
					if c == sc || fold && lowerASCII(c) == lowerASCII(sc) {
						px++
						sx++
						continue
					}
					break
				}
				pr, pw := utf8.DecodeRuneInString(pat[px:])
				sr, sw := utf8.DecodeRuneInString(s[sx:])
				if pr == sr || fold && foldEqual(pr, sr) {
					px += pw
					sx += sw
					continue
				}
			}
		}
		if starP >= 0 {
			// Let the last '*' swallow one more character and retry from just after it.
			_, w := utf8.DecodeRuneInString(s[starS:])
			starS += w
			px, sx = starP+1, starS
			continue
		}
		return false
	}
	for px < len(pat) && pat[px] == '*' {
		px++
	}
	return px == len(pat)
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func foldEqual(a, b rune) bool {
	return unicode.ToLower(a) == unicode.ToLower(b) || unicode.ToUpper(a) == unicode.ToUpper(b)
}

// arnMatch matches an ARN against an ARN pattern the way IAM's ArnLike does: each of the
// five colon-delimited leading components (arn, partition, service, region, account) is
// matched separately, and the sixth — the resource, which may itself contain colons, as in
// "function:name:alias" — takes the rest. Wildcards therefore cannot span a component
// boundary. A pattern of "*" matches anything, ARN or not. Matching is case-sensitive.
func arnMatch(pat, v string) bool {
	if pat == "*" {
		return true
	}
	for i := 0; i < 5; i++ {
		p, prest, ok1 := strings.Cut(pat, ":")
		s, srest, ok2 := strings.Cut(v, ":")
		if !ok1 || !ok2 || !glob(p, s, false) {
			return false
		}
		pat, v = prest, srest
	}
	return glob(pat, v, false)
}

// actionMatch matches a request action ("ec2:CreateNetworkInterface") against a policy
// action pattern; IAM action names are case-insensitive.
func actionMatch(pat, action string) bool {
	return pat == "*" || glob(pat, action, true)
}

// resourceMatch matches a request resource against a policy Resource entry. A request for
// an action without resource-level permissions carries "*", which only a policy resource of
// "*" covers: that is why ec2:DescribeNetworkInterfaces works only with "Resource": "*".
func resourceMatch(pat, resource string) bool {
	if pat == "*" {
		return true
	}
	return arnMatch(pat, resource)
}
