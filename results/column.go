package results

import (
	"fmt"
	"unsafe"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
)

// colKind is the physical type of a column buffer.
type colKind uint8

const (
	kString colKind = iota
	kFloat64
	kInt64
	kInt32
	kUint64
	kBool
)

func (k colKind) String() string {
	return [...]string{"string", "float64", "int64", "int32", "uint64", "bool"}[k]
}

// column buffers one batch of one non-nullable column in plain Go slices. Appending to a
// slice costs a few nanoseconds, where an Arrow builder's Append also checks capacity
// through an interface and sets a validity bit; the table writes ~25 columns for each of
// ~10^5 rows per run, so that difference is most of the output cost. At a flush the slices
// become Arrow buffers without a copy (no validity bitmap: there are no nulls), and after
// the batch is written they are emptied and reused, so once a table's batches reach their
// size it appends without allocating.
type column struct {
	kind colKind
	f64  []float64
	i64  []int64
	i32  []int32
	u64  []uint64
	bits []byte  // bool: LSB-first bitmap, as Arrow stores it
	nb   int     // bool: values in bits
	offs []int32 // string: len+1 offsets into data, starting at 0
	data []byte  // string: UTF-8 bytes of every value, back to back
}

func newColumn(t arrow.DataType) column {
	switch t.ID() {
	case arrow.STRING:
		return column{kind: kString}
	case arrow.FLOAT64:
		return column{kind: kFloat64}
	case arrow.INT64:
		return column{kind: kInt64}
	case arrow.INT32:
		return column{kind: kInt32}
	case arrow.UINT64:
		return column{kind: kUint64}
	case arrow.BOOL:
		return column{kind: kBool}
	}
	panic(fmt.Sprintf("results: no column buffer for Arrow type %s", t))
}

func (c *column) appendString(v string, batchRows int) {
	if len(c.offs) == 0 {
		c.offs = push(c.offs, 0, batchRows+1)
	}
	if len(c.data)+len(v) > cap(c.data) {
		c.data = growBytes(c.data, len(v))
	}
	c.data = append(c.data, v...)
	c.offs = push(c.offs, int32(len(c.data)), batchRows+1)
}

// Growth: a column's buffers are allocated while its first batch fills and then reused, so
// growth happens once per table and run. Growing fourfold (to at most a full batch) rather
// than Go's doubling halves the bytes allocated and copied on the way to a full batch.
const (
	minColumnCap  = 64
	columnGrowth  = 4
	minStringData = 1024
)

// push appends v to s, growing s fourfold when full, to at most limit elements (the
// batch size, which a column never exceeds).
func push[T any](s []T, v T, limit int) []T {
	if len(s) == cap(s) {
		n := max(minColumnCap, cap(s)*columnGrowth)
		n = max(min(n, limit), len(s)+1)
		g := make([]T, len(s), n)
		copy(g, s)
		s = g
	}
	return append(s, v)
}

// growBytes returns b with room for extra more bytes, at least four times its capacity.
func growBytes(b []byte, extra int) []byte {
	n := max(minStringData, cap(b)*columnGrowth, len(b)+extra)
	g := make([]byte, len(b), n)
	copy(g, b)
	return g
}

func (c *column) appendBool(v bool) {
	if c.nb%8 == 0 {
		c.bits = append(c.bits, 0)
	}
	if v {
		c.bits[c.nb/8] |= 1 << (c.nb % 8)
	}
	c.nb++
}

// array returns the buffered n values as an Arrow array of type t that aliases the
// buffers: it is valid until the next reset.
func (c *column) array(t arrow.DataType, n int) arrow.Array {
	var bufs []*memory.Buffer
	switch c.kind {
	case kString:
		data := c.data
		if data == nil {
			data = []byte{} // n empty strings: the data buffer must still exist
		}
		bufs = []*memory.Buffer{nil, memory.NewBufferBytes(bytesOf(c.offs)), memory.NewBufferBytes(data)}
	case kFloat64:
		bufs = []*memory.Buffer{nil, memory.NewBufferBytes(bytesOf(c.f64))}
	case kInt64:
		bufs = []*memory.Buffer{nil, memory.NewBufferBytes(bytesOf(c.i64))}
	case kInt32:
		bufs = []*memory.Buffer{nil, memory.NewBufferBytes(bytesOf(c.i32))}
	case kUint64:
		bufs = []*memory.Buffer{nil, memory.NewBufferBytes(bytesOf(c.u64))}
	case kBool:
		bufs = []*memory.Buffer{nil, memory.NewBufferBytes(c.bits)}
	}
	d := array.NewData(t, n, bufs, nil, 0, 0)
	defer d.Release()
	return array.MakeFromData(d)
}

// reset empties the column for the next batch, keeping its capacity. keepData false drops
// the string bytes instead (a writer still references them); the next batch's buffer then
// starts at this one's size, so it does not grow by doubling again.
func (c *column) reset(keepData bool) {
	c.f64, c.i64, c.i32, c.u64 = c.f64[:0], c.i64[:0], c.i32[:0], c.u64[:0]
	c.bits, c.nb = c.bits[:0], 0
	c.offs = c.offs[:0]
	if keepData {
		c.data = c.data[:0]
	} else if c.data != nil {
		c.data = make([]byte, 0, len(c.data)+len(c.data)/8)
	}
}

// bytesOf views a slice of fixed-width values as its bytes (little-endian machine order,
// which is what Arrow buffers hold on every platform Go's Arrow supports).
func bytesOf[T int32 | int64 | uint64 | float64](s []T) []byte {
	if len(s) == 0 {
		return []byte{}
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(s[0])))
}
