package pkg

import "testing"

func TestPresent(t *testing.T) {
	t.Run("table case", func(t *testing.T) {})
}

func FuzzPresent(f *testing.F) {}

func ExamplePresent() {}
