package scenarios

import (
	"errors"
	"testing"
)

// FuzzParse: no input makes Parse panic, and every failure is an *Errors wrapping
// ErrInvalid. Seeds are under testdata/fuzz/FuzzParse and the built-in library.
func FuzzParse(f *testing.F) {
	f.Add([]byte(base))
	for _, n := range BuiltinNames() {
		if n == "azure-trace" {
			continue // reads a large trace file per input
		}
		data, _ := BuiltinSource(n)
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.yaml", data)
		if err != nil {
			var es *Errors
			if !errors.As(err, &es) || !errors.Is(err, ErrInvalid) || len(es.List) == 0 {
				t.Fatalf("error is not a non-empty *Errors: %T %v", err, err)
			}
			return
		}
		for _, pt := range s.Sweep() {
			if _, err := s.Model(pt); err != nil && !errors.Is(err, ErrInvalid) {
				t.Fatalf("Model(%s): %v", pt.Label(), err)
			}
		}
		_ = s.Hash()
	})
}
