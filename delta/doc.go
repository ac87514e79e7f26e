// Package delta applies binary patches between firmware images: a
// compact, versioned patch format that a device can apply while it
// downloads, in bounded memory. Patches are made on the host by package
// [github.com/suitkit/suitkit/delta/differ], a bsdiff-class differ (own
// suffix array, approximate matching); a device imports only this package,
// so it links no differ, suffix array or compressor.
//
// [Apply] applies a patch as it streams in (the old image read at random
// through an io.ReaderAt, the new one written sequentially), [ReadHeader]
// reads what a patch declares. For interoperation with classic
// bsdiff/bspatch the package also applies BSDIFF40 patches (bzip2;
// differ.WriteBSDIFF40 writes them). Options are structs whose zero value
// (or nil) is safe: [Limits] for the appliers, differ.Options for the
// differ, both per call, so concurrent calls share nothing.
//
// Errors match the sentinels [ErrMalformed], [ErrUnsupported], [ErrLimit],
// [ErrOldImageMismatch] and [ErrDigestMismatch] with errors.Is; a
// [*PatchError] says where in the patch the problem is. The BSDIFF40 writer
// shares the differ's matching (bsdiff-style control triples); a BSDIFF40
// patch carries no digests, so only our own format can reject a wrong old
// image before writing anything.
//
// # How the differ works (package delta/differ)
//
// The old image is indexed by a suffix array built with induced sorting
// (SA-IS, linear time, int32 indices); from 8 MiB on, the array is sparse
// (even positions only, sorted as suffixes of the text of byte pairs, so
// 2 bytes per old byte instead of 4) and a match at an odd position is
// found as one byte before an even-position match of the pattern's tail.
// One left-to-right scan of the new image keeps a current alignment (old offset - new offset): exact runs
// along it are skipped in one step, isolated mismatches become diff bytes,
// and elsewhere the suffix array is searched for the longest match,
// preferring the one nearest the current old position. A match replaces
// the alignment only when it beats the alignment's own matches over the
// same bytes by more than a control record costs. Alignments are then
// extended approximately (forwards and backwards, maximising matches minus
// mismatches, weighted 6:5 because a mismatch costs more than a literal),
// overlaps are split where most bytes match, and what is left becomes
// literal "extra" bytes. Every search either consumes the match
// or suppresses further searches inside a rejected one, so runs of zeros,
// identical or unrelated images all take near-linear time.
//
// Diff uses several cores without changing its output. While the
// suffix array is built, a second goroutine counts the two-byte prefix
// table and hashes both images. The scan of new is cut into 8 chunks,
// each scanned speculatively from its start by GOMAXPROCS goroutines (at
// most 8); the chunks are joined in order by running the sequential scan
// into each until it takes the same seed in the same state (position,
// alignment, rejected range) as the chunk's scan, after which the two
// are identical (usually a few seeds in). Full blocks are compressed (2
// at a time, sharing the call's 2 trial slots; differ.Options.Concurrency
// changes both limits) while the next block is built. On
// the 24 MB libjvm pair (2 cores) the CLI takes about 2.7 s (Debian
// bsdiff: 16.4 s).
//
// # Patch format (version 1)
//
// All integers are unsigned LEB128 varints (minimal encoding required)
// unless stated; "zigzag" means the signed varint of encoding/binary.
//
//	header:
//	  "SKDF"                  magic, 4 bytes
//	  version                 1 byte (1)
//	  codec mask              1 byte: bit c set if codec c is used (0 stored, 1 zstd, 2 LZMA2)
//	  old size, new size      varints
//	  apply memory            varint: bytes of working memory the applier needs
//	  old SHA-256, new SHA-256  32 bytes each
//	blocks, until new size bytes are produced, then end of patch:
//	  output length           varint, >= 1 (bytes of new this block makes)
//	  record count            varint, 1..output length
//	  layout                  1 byte: bit0 joint, bit1 word-coded diff,
//	                          bit2 values in position order (needs bit1 or bit6),
//	                          bit3 32-bit word arithmetic, bit4 16-bit halfword
//	                          arithmetic (either needs bit1; not both),
//	                          bit5 AArch64 canonical words (needs bit3),
//	                          bit6 unit coding (not with bit1),
//	                          bit7 signed 32-bit words (needs bit3);
//	                          all bits are assigned: another coding needs a
//	                          new format version
//	  separate layout: codecs 1 byte (2 bits per stream), then per stream:
//	                          decoded length, and compressed length unless stored
//	  joint layout:    codec  1 byte, the four decoded lengths, compressed
//	                          length of their concatenation unless stored
//	  stream data: control, gaps, values, extra (or their joint compression)
//
// The control stream holds the block's records as three columns: all
// seeks (zigzag), all add lengths, all copy lengths. A record means: old
// position += seek (it must stay inside old); new += old[pos:pos+add] +
// diff bytes (bytewise mod 256), old position += add; new += the next copy
// bytes of the extra stream. Every record must make progress (add+copy >
// 0); the old position carries over from block to block. An add run that
// starts anywhere but where the previous add run ended (the start of old
// before the first) must add at least 8 bytes, unless its record is the
// last of its block: a patch then cannot make the applier read the old
// image more than once per 8 output bytes (Diff turns a shorter jumping
// add into literal bytes; it never found one on the bench firmware).
//
// The diff bytes of a block are sparse. Byte coding: the gaps stream has,
// for each non-zero diff byte, a varint count of the zero diff bytes before
// it (counted over the block's add runs only); the values stream has the
// non-zero bytes. Word coding: per 4-byte word of the new image that holds
// a non-zero diff byte, a varint (words skipped << 4 | byte mask), counted
// from the word before the block's first byte; values are grouped by byte
// lane (all lane-0 values, then lanes 1, 2, 3), or with layout bit2 kept
// in position order. With layout bit3, the diff of every 4-byte word of
// the new image that lies wholly inside an add run is a 32-bit word,
// LE32(new) - LE32(old) mod 2^32, which the applier adds with carries; the
// other bytes of the run use bytewise diffs. Bit4 does the same with
// 2-byte halfwords (Thumb). A moved branch target or pointer then gives
// the same small diff word at every use, without bytewise borrow noise.
// Bit5 (with bit3) takes both words in AArch64 canonical form before the
// subtraction and after the addition: an ADRP instruction (word & 0x9F000000
// == 0x90000000) has its 21-bit page offset, split as immlo (bits 30..29)
// and immhi (bits 23..5), rewritten as one field whose low 19 bits are in
// bits 23..5 and high 2 bits in bits 30..29; other words are unchanged.
// The rewrite keeps the class bits, so it is a bijection and
// the applier undoes it on the sum. A page shift of the referenced data
// then gives one diff word for every ADRP (libpython aarch64: -11%).
// Bit7 (with bit3) makes each word's gap varint (gap << 5 | negative << 4
// | mask): a word whose 32-bit diff d is >= 2^31 codes its magnitude
// 2^32 - d, which the applier subtracts, so a pointer that moved down is
// 01 00 00 00 rather than FF FF FF FF (libpython: -2.8%). The sign bit
// may only be set on a word the applier adds as a whole 32-bit unit.
//
// Unit coding (bit6) needs no alignment: at each add-run byte where new
// and old differ (after the previous unit), a unit of w = min(4, bytes
// left in the add run) bytes starts, whose diff is d = LE(new) - LE(old)
// mod 2^(8w). If d >= 2^(8w-1) the unit is negative: it codes 2^(8w) - d,
// which the applier subtracts with borrows; otherwise it codes d, which
// the applier adds with carries. The gaps stream has per unit a varint
// (zeros << 4 | negative << 3 | mask >> 1): zeros counts the add-run bytes
// since the previous unit's end (or the block start), mask the non-zero
// bytes of the coded value (bit 0 is always set, so it is not stored).
// Values are grouped by byte index in the unit (all first bytes, then
// second, third, fourth) or, with bit2, in position order. An x86
// rel32/disp32 whose target moved becomes one small number instead of a
// change plus borrow bytes (libjvm x86-64: -14% against the word codings).
//
// Diff writes whichever layout and coding is smallest for each block (the
// two codings a quick zstd estimate ranks best, and the unit coding, get
// full trials), and for each stream the smallest of stored, zstd and LZMA2
// (two to four literal-context settings per stream kind). On the bench firmware LZMA2 makes patches
// 8-14% smaller than zstd alone (differ.Options.FastCompression).
//
// Compressed streams: CodecZstd is one zstd frame; CodecLZMA2 is an LZMA2
// chunk sequence whose dictionary size is the decoded length, clamped to
// [4 KiB, 1 MiB].
//
// A block's memory is the sum of its decoded stream lengths, plus the
// largest compressed stream, plus the largest LZMA2 dictionary, plus a
// fixed 512 KiB allowance for I/O buffers and decoder tables. The header's
// apply memory is the maximum over all blocks; the applier rejects a block
// that needs more than the header says, and a header that asks for more
// than Limits.MaxMemory.
//
// # Format version 2: instruction unit coding
//
// Version 2 is version 1 plus one byte in every block header, right after
// the layout byte: the transform. 0 means the block is coded as in version
// 1. Otherwise its low four bits name an instruction set (1 Thumb-2, 2
// ARM32, 3 AArch64, 4 x86-64, 5 Xtensa; others are ErrUnsupported), bit 4
// asks for absolute fields, and the layout byte may have only its joint
// bit. The block's diff is then in instruction unit coding: the gaps
// stream has one varint per item, the count of add-run bytes since the
// previous item's end (or the block's start). An item starts at the first
// byte where new and old differ, moved back to the earliest start of an
// instruction unit that covers that byte, starts after the previous item,
// fits in the add run and is recognised in the OLD image at an old
// position that is a multiple of the set's alignment; the applier tests
// the same places of old, so no marker is needed, and any new bytes can be
// coded (recognition only decides how). Per item the values stream has:
//
//   - instruction unit: varint(zigzag(d) << 1 | r), d the difference of the
//     unit's offset field (new minus old, wrapped to the field's width and
//     sign-extended; with bit 4, new target minus old target, the target
//     being field plus the unit's position in the field's unit of
//     displacement), then, when r is 1, the unit's bytes XOR the old unit
//     with the new field put in (the other bits that changed; not all zero);
//   - data unit (no instruction unit covers the byte): w = min(4, bytes left
//     in the add run), varint(zigzag(d)), d = LE(new[w]) - LE(old[w]) as a
//     signed w-byte integer, never 0.
//
// A branch whose target moved by k then codes k however the encoding
// scatters the offset's bits (Thumb-2 BL: over two halfwords, J1/J2 flipped
// by the sign; AArch64 ADRP: the low two bits above the other nineteen),
// and nothing for the rest of the instruction. Recognition, on the old
// bytes at the unit's start:
//
//   - Thumb-2 (2-byte aligned, 4 bytes): BL and B.W (T4): first halfword
//     11110xxx xxxxxxxx, second 11x1xxxx xxxxxxxx (BL) or 10x1xxxx xxxxxxxx
//     (B.W); field S:I1:I2:imm10:imm11, target address + 4 + 2*field. BLX
//     to ARM state is left out (M-profile cores have no ARM state).
//   - ARM32 (4-byte aligned): B, BL, BLX (immediate), bits 27..25 = 101;
//     field imm24, target address + 8 + 4*field.
//   - AArch64 (4-byte aligned): B/BL (imm26, target address + 4*field);
//     B.cond, CBZ/CBNZ and LDR (literal) (imm19 in bits 23..5, same
//     scale); ADR (immhi:immlo, target address + field) and ADRP
//     (immhi:immlo, target page = address page + field). Version 1's ADRP
//     canonical word (layout bit5) is kept for version-1 patches; version 2
//     covers ADRP in this coding.
//   - x86-64 (any alignment): CALL/JMP rel32 (E8, E9), Jcc rel32 (0F 80 to
//     0F 8F), CALL/JMP [rip+disp32] (FF 15, FF 25), and RIP-relative
//     operands of MOV, LEA, CMP, ADD, SUB, XOR, TEST, MOVSXD (opcode 8B, 8D,
//     89, 3B, 39, 03, 2B, 33, 85 or 63, ModRM mod=00 r/m=101), with or
//     without a REX prefix (40 to 4F); field the 32-bit displacement,
//     target end of instruction + field.
//   - Xtensa (any alignment, 3 bytes little-endian): CALL0 and CALL4/8/12
//     (op0 = 5: offset in bits 23..6, target (address & ~3) + 4 +
//     4*offset), J (low six bits 000110: offset in bits 23..6, target
//     address + 4 + offset) and L32R (op0 = 1: imm16 in bits 23..8,
//     literal at ((address + 3) & ~3) + 4*(imm16 - 65536)).
//
// Recognition is a pattern test, not a disassembly: it also matches data
// and the middle of other instructions. That costs size there, never
// correctness, and the differ keeps an instruction coding only in blocks
// where its compressed streams are the smallest: it trials the two best
// version-1 codings and the best instruction coding by a quick zstd
// estimate (plus the unit coding), so a block is never larger than
// without transforms. A patch whose blocks use no transform is written as
// version 1, which appliers from before version 2 read. The applier's
// memory and CPU bounds are those of version 1 (an item is computed whole
// from the old bytes, up to 6 of them past the current chunk).
//
// # Security
//
// Apply treats the patch as hostile. Before writing anything it checks
// the old image's size and SHA-256 against the header (it reads the old
// image through the io.ReaderAt to hash it). Every size in the patch is
// checked against the remaining output and the limits before it is used,
// in overflow-safe arithmetic: a negative, overflowing or out-of-range
// seek, an add that reads past old, a record or block that would write
// past the declared new size, a record that makes no progress, a stream
// that decodes to more or less than declared (decompression bombs stop at
// the declared size, never at what the compressed data would produce),
// unused or missing stream bytes and trailing data all return an error
// matching [ErrMalformed], [ErrLimit] or [ErrUnsupported]. Apply never
// writes more than the declared size. Its CPU time is bounded by a small
// constant per output byte plus per patch byte, whatever the records: the
// old image is read through a cached window, output is buffered, jumping
// add runs are at least 8 bytes, and every decoded stream length is
// checked against what the block's output can use before it is decoded
// (BENCHMARKS.md gives the worst case found next to a real patch). The new image's SHA-256 is checked
// at the end ([ErrDigestMismatch]): output written before an error must be
// discarded, which is why a device writes it to a staging slot. A SUIT
// manifest should still carry and check both digests itself
// (precursor-digest and image-digest).
//
// # Limits
//
// Apply's memory does not depend on the image sizes: it is bounded by
// Limits.MaxMemory (default 16 MiB), which caps the header's apply memory,
// which in turn bounds every allocation made for patch data. Patches made
// with the default differ.Options need at most differ.DefaultBlockMemory
// (2 MiB); differ.Options.BlockMemory trades device RAM for patch size. The new image
// is capped by Limits.MaxNewSize (default 1 GiB).
//
// Diff holds old, new and the suffix array of old (4 bytes per old byte,
// 2 from 8 MiB on, plus 1 byte per old byte while it is built) in memory;
// both inputs must be smaller than 2 GiB. Peak RSS of the CLI on the
// 24 MB libjvm pair: 129 MiB (5.6x the old image), with the CLI's GC
// percentage of 40 for large inputs; Diff itself changes no GC setting
// (it forces one collection between its phases, see differ.Diff).
//
// # Fuzzing
//
// FuzzApply and FuzzApplyBSDIFF40 (here), FuzzDiffApply and
// FuzzBzip2RoundTrip (delta/internal/diffcore) run at full speed with the
// engine's minimization bounded, for example:
//
//	go test ./delta -run '^$' -fuzz '^FuzzApply$' -fuzzminimizetime=10x -fuzztime=60s
//
// (without -fuzzminimizetime the engine spends up to 60 s minimizing each
// new input; the seeds are kept under 1.5 KB for the same reason).
package delta
