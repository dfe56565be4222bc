package results

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v15/parquet/file"
	"github.com/apache/arrow/go/v15/parquet/metadata"
	"github.com/enisim/enisim/model"
)

// Column buffers are reused from batch to batch; the Parquet writer keeps slices of a
// batch's string bytes in its column statistics. Each row group's string min/max must
// therefore still be that row group's own values after later batches were appended.
func TestParquetStringStatisticsSurviveBufferReuse(t *testing.T) {
	dir := t.TempDir()
	r, err := Create(Options{Dir: dir, Format: Parquet, Run: testRunInfo(), BatchRows: 4})
	if err != nil {
		t.Fatal(err)
	}
	s := r.Partition(0)
	// Row group g holds subnets "g<g>-0".."g<g>-3": later groups sort after earlier ones, so
	// overwritten bytes would show up as a wrong min or max.
	const groups = 5
	for g := 0; g < groups; g++ {
		for i := 0; i < 4; i++ {
			s.SubnetSample(model.SubnetSample{Account: "a", VPC: "v", Subnet: fmt.Sprintf("g%d-%d", g, i), IPsUsable: 10})
		}
	}
	if _, err := r.Close(true); err != nil {
		t.Fatal(err)
	}
	rd, err := file.OpenParquetFile(filepath.Join(dir, "subnet_samples.parquet"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	if rd.NumRowGroups() != groups {
		t.Fatalf("row groups: got %d, want %d", rd.NumRowGroups(), groups)
	}
	col := rd.MetaData().Schema.ColumnIndexByName("subnet")
	for g := 0; g < groups; g++ {
		cc, err := rd.MetaData().RowGroup(g).ColumnChunk(col)
		if err != nil {
			t.Fatal(err)
		}
		st, err := cc.Statistics()
		if err != nil || st == nil || !st.HasMinMax() {
			t.Fatalf("row group %d: no statistics (%v)", g, err)
		}
		bs := st.(*metadata.ByteArrayStatistics)
		wantMin, wantMax := fmt.Sprintf("g%d-0", g), fmt.Sprintf("g%d-3", g)
		if got := string(bs.Min()); got != wantMin {
			t.Errorf("row group %d: min %q, want %q", g, got, wantMin)
		}
		if got := string(bs.Max()); got != wantMax {
			t.Errorf("row group %d: max %q, want %q", g, got, wantMax)
		}
	}
}

// push grows fourfold up to the limit and never past it.
func TestPushGrowth(t *testing.T) {
	var s []int64
	caps := []int{}
	for i := 0; i < 1000; i++ {
		before := cap(s)
		s = push(s, int64(i), 1000)
		if cap(s) != before {
			caps = append(caps, cap(s))
		}
	}
	want := []int{64, 256, 1000}
	if fmt.Sprint(caps) != fmt.Sprint(want) {
		t.Fatalf("capacities %v, want %v", caps, want)
	}
	for i, v := range s {
		if v != int64(i) {
			t.Fatalf("s[%d] = %d", i, v)
		}
	}
}
