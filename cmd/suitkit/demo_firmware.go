package main

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
)

// demoFirmware returns size bytes of deterministic, firmware-like data: a
// vector table of pointers into the image, "functions" of 32-bit
// instruction words drawn from a small vocabulary (with branch offsets and
// literal-pool addresses), and a string table. Real images have this mix of
// repetition and addresses, which is what delta patches exploit.
func demoFirmware(size int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 0x5017))
	const base = 0x08000000
	img := make([]byte, 0, size)
	// Vector table: 64 pointers into the code.
	for i := 0; i < 64; i++ {
		img = binary.LittleEndian.AppendUint32(img, base+0x400+uint32(r.IntN(size/2))&^1|1)
	}
	vocab := make([]uint32, 48)
	for i := range vocab {
		vocab[i] = r.Uint32()
	}
	strs := size / 8
	for len(img) < size-strs {
		n := 8 + r.IntN(56) // words in this function
		for i := 0; i < n && len(img) < size-strs; i++ {
			w := vocab[r.IntN(len(vocab))]
			switch r.IntN(6) {
			case 0: // branch with a small relative offset
				w = 0xf000d000 | uint32(r.IntN(1<<11))
			case 1: // literal-pool address
				w = base + uint32(len(img)+r.IntN(4096))
			}
			img = binary.LittleEndian.AppendUint32(img, w)
		}
	}
	for i := 0; len(img) < size; i++ {
		img = fmt.Appendf(img, "demo firmware build %d: module %03d ready\x00", seed, i)
	}
	return img[:size]
}

// demoMutate makes v2 from v1 the way a small code change does: a new
// function inserted in the middle (shifting what follows), addresses after
// it adjusted, and a changed version string.
func demoMutate(v1 []byte) []byte {
	mid := len(v1) / 2 &^ 3
	fn := demoFirmware(768, 99)[256:]
	v2 := make([]byte, 0, len(v1)+len(fn))
	v2 = append(v2, v1[:mid]...)
	v2 = append(v2, fn...)
	v2 = append(v2, v1[mid:]...)
	shift := uint32(len(fn))
	for off := 0; off+4 <= len(v2); off += 4 {
		w := binary.LittleEndian.Uint32(v2[off:])
		if w >= 0x08000000+uint32(mid) && w < 0x08000000+uint32(len(v1)) {
			binary.LittleEndian.PutUint32(v2[off:], w+shift)
		}
	}
	copy(v2[len(v2)-64:], "demo firmware v2 (fixes the sensor timeout)\x00")
	return v2
}
