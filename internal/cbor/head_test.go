package cbor

import (
	"bytes"
	"testing"
)

func TestAppendHeadIsShortestAndReadsBack(t *testing.T) {
	for _, c := range []struct {
		arg  uint64
		want []byte
	}{
		{0, []byte{0x40}},
		{23, []byte{0x57}},
		{24, []byte{0x58, 24}},
		{0xff, []byte{0x58, 0xff}},
		{0x100, []byte{0x59, 1, 0}},
		{0xffff, []byte{0x59, 0xff, 0xff}},
		{0x10000, []byte{0x5a, 0, 1, 0, 0}},
		{0xffffffff, []byte{0x5a, 0xff, 0xff, 0xff, 0xff}},
		{1 << 32, []byte{0x5b, 0, 0, 0, 1, 0, 0, 0, 0}},
		{^uint64(0), []byte{0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
	} {
		got := AppendHead([]byte{0xaa}, Bytes, c.arg)
		if !bytes.Equal(got[1:], c.want) || got[0] != 0xaa {
			t.Fatalf("AppendHead(%d) = %x, want aa%x", c.arg, got, c.want)
		}
		maj, ai, arg, n, err := ReadHead(append(c.want, 0x00))
		if err != nil || maj != Bytes || arg != c.arg || n != len(c.want) || !Shortest(ai, arg) {
			t.Fatalf("ReadHead(%x) = %d %d %d %d %v", c.want, maj, ai, arg, n, err)
		}
	}
}

func TestReadHeadRejectsTruncatedIndefiniteReserved(t *testing.T) {
	for _, c := range []struct {
		in   []byte
		want error
	}{
		{nil, ErrTruncated},
		{[]byte{0x18}, ErrTruncated},
		{[]byte{0x59, 0x01}, ErrTruncated},
		{[]byte{0x1b, 0, 0, 0, 0, 0, 0, 0}, ErrTruncated},
		{[]byte{0x5f}, ErrIndefinite},
		{[]byte{0xff}, ErrIndefinite},
		{[]byte{0x1c}, ErrReserved},
		{[]byte{0xfe}, ErrReserved},
	} {
		if _, _, _, n, err := ReadHead(c.in); err != c.want || n != 0 {
			t.Errorf("ReadHead(%x) = n %d, %v; want %v", c.in, n, err, c.want)
		}
	}
}

func TestShortestFlagsPaddedArguments(t *testing.T) {
	for _, c := range []struct {
		in   []byte
		want bool
	}{
		{[]byte{0x17}, true},
		{[]byte{0x18, 23}, false},
		{[]byte{0x18, 24}, true},
		{[]byte{0x19, 0, 0xff}, false},
		{[]byte{0x1a, 0, 0, 0xff, 0xff}, false},
		{[]byte{0x1b, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}, false},
		{[]byte{0x1b, 0, 0, 0, 1, 0, 0, 0, 0}, true},
	} {
		_, ai, arg, _, err := ReadHead(c.in)
		if err != nil || Shortest(ai, arg) != c.want {
			t.Errorf("%x: Shortest = %v, err %v; want %v", c.in, !c.want, err, c.want)
		}
	}
}

// FuzzReadHead: ReadHead never panics and never claims more bytes than it
// was given; a head it accepts as shortest re-encodes to exactly its bytes.
func FuzzReadHead(f *testing.F) {
	for _, s := range [][]byte{{}, {0x00}, {0x18, 0x18}, {0x59, 1, 0}, {0x5f}, {0xfc}, {0xf8, 0x20}, {0x1b, 0, 0, 0, 1, 0, 0, 0, 0}} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		maj, ai, arg, n, err := ReadHead(b)
		if err != nil {
			if n != 0 {
				t.Fatalf("error %v with length %d", err, n)
			}
			return
		}
		if n < 1 || n > len(b) || n > 9 || maj != b[0]>>5 || ai != b[0]&0x1f {
			t.Fatalf("ReadHead(%x) = maj %d ai %d n %d", b, maj, ai, n)
		}
		if Shortest(ai, arg) && maj != Simple {
			if enc := AppendHead(nil, maj, arg); !bytes.Equal(enc, b[:n]) {
				t.Fatalf("shortest head %x re-encodes to %x", b[:n], enc)
			}
		}
	})
}
