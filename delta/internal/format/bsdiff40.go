package format

import "encoding/binary"

// PutOfft encodes x as bsdiff's 8-byte sign-magnitude integer.
// math.MinInt64 has no sign-magnitude form; callers never pass it.
func PutOfft(x int64, b []byte) {
	if x < 0 {
		binary.LittleEndian.PutUint64(b, uint64(-x)|1<<63)
		return
	}
	binary.LittleEndian.PutUint64(b, uint64(x))
}
