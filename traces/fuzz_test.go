package traces

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/enisim/enisim/sim"
)

// checkFuzzErr: a parser error must be a positioned *Error wrapping ErrBadTrace.
func checkFuzzErr(t *testing.T, err error) {
	if err == nil {
		return
	}
	var te *Error
	if !errors.Is(err, ErrBadTrace) || !errors.As(err, &te) || te.Line < 1 || te.Column < 1 || te.File == "" {
		t.Fatalf("error without a position or sentinel: %v", err)
	}
}

// checkSorted drains it and checks the arrivals are in time order with valid indices.
func checkSorted(t *testing.T, it Arrivals, nfuncs func() int) {
	var prev Arrival
	for i := 0; ; i++ {
		a, ok := it.Next()
		if !ok {
			break
		}
		if i > 0 && a.At < prev.At {
			t.Fatalf("arrival %d at %v before %v", i, a.At, prev.At)
		}
		if a.At < 0 || a.Duration < 0 || a.Func < 0 || int(a.Func) >= nfuncs() {
			t.Fatalf("bad arrival %+v", a)
		}
		prev = a
	}
	checkFuzzErr(t, it.Err())
}

// FuzzAzure2019Invocations parses the input as it is and, so that small inputs reach the
// paths of valid tables, also as the rows of a file: the header is prepended and each line
// is padded with ",0" up to the 1,443 columns. Inputs stay small, which keeps the fuzzer's
// minimisation fast (a real row is 3–6 KB).
func FuzzAzure2019Invocations(f *testing.F) {
	f.Add([]byte("f,a,o,3,0,1\ng,a,o,0,0,0,7\n"))
	f.Add([]byte("f,a,o,1\r\n\r\nf,a,o,2\n"))
	f.Add([]byte("f,a,o,1,x\n"))
	f.Add([]byte("f,a,o,4294967295\n"))
	f.Add([]byte(strings.Join(invColumns[:5], ",") + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			return
		}
		_, err := ReadAzure2019Invocations(bytes.NewReader(data), "raw_inv.csv")
		checkFuzzErr(t, err)

		var b bytes.Buffer
		b.WriteString(strings.Join(invColumns, ","))
		b.WriteByte('\n')
		for _, line := range bytes.Split(data, []byte{'\n'}) {
			b.Write(line)
			for n := bytes.Count(line, []byte{','}); n < len(invColumns)-1; n++ {
				b.WriteString(",0")
			}
			b.WriteByte('\n')
		}
		table, err := ReadAzure2019Invocations(&b, "rows_inv.csv")
		checkFuzzErr(t, err)
		if err != nil {
			return
		}
		var n int64
		it := table.Arrivals(1, nil)
		prev := sim.Time(-1)
		for {
			a, ok := it.Next()
			if !ok {
				break
			}
			if a.At < prev || int(a.Func) >= len(table.Functions) {
				t.Fatalf("arrival %d %+v after %v", n, a, prev)
			}
			prev = a.At
			n++
			if n > 1<<12 {
				return // a valid fuzzed table may hold billions of invocations
			}
		}
		if n != table.Total() {
			t.Fatalf("%d arrivals, table total %d", n, table.Total())
		}
	})
}

func FuzzAzure2019Runs(f *testing.F) {
	h := strings.Join(runColumns, ",") + "\n"
	f.Add([]byte(h + "f0,a0,o,10,50,10,100,10,10,20,40,60,90,100\n"))
	f.Add([]byte(h + "f0,a0,o,14,81067,81067.0,81067.0,81067,81067,81067,81067,81067,81067,81067\n"))
	f.Add([]byte(h + "f0,a0,o,10,50,10,100,10,10,20,40,30,90,100\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		runs, err := ReadAzure2019Runs(bytes.NewReader(data), "f_run.csv")
		checkFuzzErr(t, err)
		for i := range runs {
			if err := runs[i].Durations().Validate(); err != nil {
				t.Fatalf("run %d: %v", i, err)
			}
		}
	})
}

func FuzzAzure2019Memory(f *testing.F) {
	h := strings.Join(memColumns, ",") + "\n"
	f.Add([]byte(h + "a0,o,12,256,100,120,200,250,300,400,500,512\n"))
	f.Add([]byte(h + "a0,o,1.5,256,100,120,200,250,300,400,500,512\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := ReadAzure2019Memory(bytes.NewReader(data), "f_mem.csv")
		checkFuzzErr(t, err)
	})
}

func FuzzAzure2021(f *testing.F) {
	h := "app,func,end_timestamp,duration\n"
	f.Add([]byte(h+"a,f,6,1\na,g,2,1\na,f,4,1\n\"b\",\"h\",2.5,0.5\n"), 2)
	f.Add([]byte(h+"7b2c,e3cd,0.07949090003967285,0.078\n1573,337c,57.15786004066467,57.154\n"), 0)
	f.Add([]byte(h+"a,f,1,2\n"), 1)
	f.Fuzz(func(t *testing.T, data []byte, window int) {
		if window > 1<<12 {
			window = 1 << 12
		}
		r := NewAzure2021(bytes.NewReader(data), "f.csv", window)
		checkSorted(t, r, func() int { return len(r.Functions) })
	})
}

func FuzzPlainCSV(f *testing.F) {
	f.Add([]byte("function,timestamp\nf,0\ng,1.5\nf,1.5\n"), 0)
	f.Add([]byte("function,timestamp,duration\nf,2024-03-01T12:00:00Z,100ms\ng,2024-03-01T13:00:00.5+01:00,1\nf,2024-03-01T12:00:02Z,1h2m3.5s\n"), 0)
	f.Add([]byte("function,timestamp\nf,5\nf,6\nf,7\nf,1\n"), 2)
	f.Fuzz(func(t *testing.T, data []byte, window int) {
		if window > 1<<12 {
			window = 1 << 12
		}
		p := NewPlainCSV(bytes.NewReader(data), "f.csv", PlainCSVOptions{Window: window})
		checkSorted(t, p, func() int { return len(p.Functions) })
	})
}
