package diffcore

import (
	"bytes"
	"compress/bzip2"
	"io"
	"math/rand/v2"
	"os/exec"
	"testing"
)

func bzCompress(t testing.TB, raw []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	z := newBZWriter(&b)
	// Feed in uneven pieces to exercise runs split across writes.
	for len(raw) > 0 {
		n := min(len(raw), 1+len(raw)%7919)
		if _, err := z.Write(raw[:n]); err != nil {
			t.Fatal(err)
		}
		raw = raw[n:]
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func bzInputs() map[string][]byte {
	rng := rand.New(rand.NewPCG(11, 12))
	sparse := make([]byte, 5_000_000) // like a bsdiff diff stream: mostly zeros
	for i := range sparse {
		if rng.IntN(20) == 0 {
			sparse[i] = byte(rng.IntN(8))
		}
	}
	runs := []byte{}
	for _, n := range []int{1, 2, 3, 4, 5, 254, 255, 256, 259, 510, 511, 1000} {
		runs = append(runs, bytes.Repeat([]byte{byte(n)}, n)...)
		runs = append(runs, bytes.Repeat([]byte{7}, n)...)
	}
	return map[string][]byte{
		"empty":    nil,
		"one byte": {42},
		"all 256 values": func() []byte {
			b := make([]byte, 256)
			for i := range b {
				b[i] = byte(i)
			}
			return b
		}(),
		"runs around 4/255": runs,
		"random 100k":       randomBytes(rng, 100_000),
		"zeros 5 MB":        make([]byte, 5<<20),     // RLE1 shrinks it to one small block
		"sparse 5 MB":       sparse,                  // more than one 900 kB block after RLE1
		"random 1 MB":       randomBytes(rng, 1<<20), // two blocks
		"periodic":          bytes.Repeat([]byte("abcabcabd"), 200_000),
	}
}

func TestBzip2EncoderRoundTripsThroughStdlibDecoder(t *testing.T) {
	for name, raw := range bzInputs() {
		t.Run(name, func(t *testing.T) {
			z := bzCompress(t, raw)
			got, err := io.ReadAll(bzip2.NewReader(bytes.NewReader(z)))
			if err != nil {
				t.Fatalf("stdlib decoder: %v", err)
			}
			if !bytes.Equal(got, raw) {
				t.Fatalf("round trip gives %d bytes, want %d", len(got), len(raw))
			}
		})
	}
}

// TestBzip2EncoderMatchesLibbz2 checks the output against the reference
// bzip2 program: it must decode there, and be about as small as its own.
func TestBzip2EncoderMatchesLibbz2(t *testing.T) {
	bz, err := exec.LookPath("bzip2")
	if err != nil {
		t.Skip("bzip2 program not installed; skipping the libbz2 cross-check")
	}
	for name, raw := range bzInputs() {
		t.Run(name, func(t *testing.T) {
			z := bzCompress(t, raw)
			cmd := exec.Command(bz, "-d", "-c")
			cmd.Stdin = bytes.NewReader(z)
			got, err := cmd.Output()
			if err != nil {
				t.Fatalf("bzip2 -d rejected our stream: %v", err)
			}
			if !bytes.Equal(got, raw) {
				t.Fatal("bzip2 -d output differs")
			}
			cmd = exec.Command(bz, "-9", "-c")
			cmd.Stdin = bytes.NewReader(raw)
			ref, err := cmd.Output()
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d bytes: ours %d, bzip2 -9 %d", len(raw), len(z), len(ref))
			if len(z) > len(ref)+len(ref)/50+16 {
				t.Errorf("ours %d bytes is more than 2%% over bzip2's %d", len(z), len(ref))
			}
		})
	}
}

// FuzzBzip2RoundTrip: whatever the input, the stdlib decoder gives it back
// from our stream.
func FuzzBzip2RoundTrip(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("aaaab"))
	f.Add(bytes.Repeat([]byte{0}, 300))
	f.Add([]byte("banana bandana"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := io.ReadAll(bzip2.NewReader(bytes.NewReader(bzCompress(t, raw))))
		if err != nil {
			t.Fatalf("decoder rejected our stream: %v", err)
		}
		if !bytes.Equal(got, raw) {
			t.Fatalf("round trip: got %q, want %q", got, raw)
		}
	})
}
