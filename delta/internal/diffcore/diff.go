package diffcore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"io"
	"runtime/debug"
	"slices"
	"sync"

	"github.com/suitkit/suitkit/delta/internal/format"
)

// Diff writes a patch that turns old into new; see the public wrapper
// (package delta/differ) for its contract.
func Diff(ctx context.Context, old, new []byte, w io.Writer, opts *Options) error {
	if err := checkDiffInput(old, new); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// The digests are computed on another goroutine while the suffix
	// array is built (that phase uses one core).
	var dg digests
	done := make(chan struct{})
	go func() {
		defer close(done)
		dg.old, dg.new = sha256.Sum256(old), sha256.Sum256(new)
	}()
	ctrl, err := computeControls(ctx, old, new, opts)
	<-done
	if err != nil {
		return err
	}
	if len(old) >= bigInput {
		// The suffix array is garbage now; collect it and return its
		// pages before the compressors allocate, so peak memory is the
		// larger of the two phases rather than their sum.
		debug.FreeOSMemory()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return writePatch(ctx, old, new, ctrl, dg, w, opts)
}

// digests holds the SHA-256 digests of the old and new images.
type digests struct{ old, new [32]byte }

// bigInput is the old-image size above which Diff collects the suffix
// array explicitly before compressing.
const bigInput = 8 << 20

// record is one control record of the suitkit format. Unlike bsdiff's
// triple, the seek comes first (o += seek; add; copy), so every record
// makes progress (add+copy > 0) and an initial seek needs no empty record.
type record struct {
	seek      int64
	add, copy int64
}

// toRecords converts bsdiff triples to records: the seek of triple i
// moves to record i+1, and zero-progress triples fold into the next seek.
func toRecords(ctrl []control) []record {
	recs := make([]record, 0, len(ctrl))
	var seek int64
	for _, c := range ctrl {
		if c.add == 0 && c.copy == 0 {
			seek += c.seek
			continue
		}
		recs = append(recs, record{seek: seek, add: c.add, copy: c.copy})
		seek = c.seek
	}
	return recs
}

// format.MinJumpAdd is the shortest add run allowed to start away from
// where the previous add run ended (a jump in the old image), except in a
// block's last record. Each jump may cost the applier a read of the old
// image (a syscall when it is a file); this bounds them to one per
// MinJumpAdd output bytes, so no patch buys more than a small constant of
// CPU per output byte (a few KB of records "seek -1, add 1" cost 16 s for
// 10 MB before). The differ's matches are at least minSeedLen long, so it
// rarely has a shorter jumping add; boundJumps turns one into literals.

// boundJumps rewrites the records so that every add run that jumps is at
// least format.MinJumpAdd bytes long: a shorter one becomes literal (copy) bytes
// and the old position it would have advanced moves into the next seek.
func boundJumps(recs []record) []record {
	var o, addEnd, carry int64
	for i := range recs {
		r := &recs[i]
		r.seek += carry
		carry = 0
		o += r.seek
		if r.add == 0 {
			continue
		}
		if r.add < format.MinJumpAdd && o != addEnd {
			r.copy += r.add
			carry, r.add = r.add, 0
			continue
		}
		o += r.add
		addEnd = o
	}
	return recs
}

// encodedBlock is one block's header and compressed streams.
type encodedBlock struct {
	hdr     format.BlockHeader
	streams [format.NumStreams][]byte
}

// blockBuilder accumulates the raw streams of one block.
type blockBuilder struct {
	budget int // raw bytes allowed in the block's streams
	recs   []record
	gaps   []byte
	values []byte
	extra  []byte
	words  format.WordEncoder // the same diff in word coding
	arith  format.WordEncoder // word coding of the 32-bit word-arithmetic diff
	arith2 format.WordEncoder // word coding of the 16-bit halfword-arithmetic diff
	arithA format.WordEncoder // word arithmetic on AArch64 canonical words (a64.go)
	units  format.UnitEncoder // unit coding (unitcode.go)
	// instr: instruction unit coding (format version 2), one encoder per
	// instruction set and relative/absolute form, famInstr order
	instr  [numInstr]format.InstrEncoder
	start  int64  // new-image offset of the block's first byte
	zeros  uint64 // zero diff bytes since the last non-zero one
	ctrlSz int    // upper bound of the control stream's raw size
	newLen int64
}

func (b *blockBuilder) size() int {
	return b.ctrlSz + len(b.gaps) + len(b.values) + len(b.extra)
}

// newBlockBuilder returns an empty builder for a block that starts at
// new-image offset start.
func newBlockBuilder(budget int, start int64, signed bool) *blockBuilder {
	b := &blockBuilder{budget: budget, start: start}
	b.words.Reset(start)
	b.arith.Reset(start)
	b.arith2.Reset(start)
	b.arithA.Reset(start)
	b.arith.Signed, b.arithA.Signed = signed, signed
	for k := range b.instr {
		b.instr[k].ISA, b.instr[k].Abs = uint8(1+k/2), k%2 == 1
	}
	return b
}

// recordReserve is the room kept for one record's control varints plus
// one gap varint and value.
const recordReserve = 3*binary.MaxVarintLen64 + binary.MaxVarintLen64 + 1

func writePatch(ctx context.Context, old, new []byte, ctrl []control, dg digests, w io.Writer, opts *Options) error {
	blockMem := opts.blockMemory()
	// Memory of a block is at most raw + largest compressed (< largest
	// raw) + largest LZMA dictionary (= largest raw): 3x raw.
	budget := max((blockMem-format.FixedApplyMemory-lzmaMinDict)/3, 4*recordReserve)
	cm, err := newCompressor(budget, opts)
	if err != nil {
		return err
	}
	defer cm.close()

	// Full blocks are encoded (compression trials) on up to
	// encodeWorkers goroutines while the next block is built; each
	// block's encoding depends only on its own streams, so the patch is
	// the same as a sequential encoding's.
	type pending struct {
		eb  encodedBlock
		err error
	}
	var (
		queue    []*pending
		wg       sync.WaitGroup
		inflight = make(chan struct{}, opts.encodeWorkers())
	)
	defer wg.Wait() // on an early return, before cm.close
	bb := newBlockBuilder(budget, 0, cm.signed)
	flush := func() {
		if len(bb.recs) == 0 {
			return
		}
		p, b := &pending{}, bb
		queue = append(queue, p)
		inflight <- struct{}{}
		wg.Go(func() {
			defer func() { <-inflight }()
			if p.err = ctx.Err(); p.err == nil {
				p.eb, p.err = b.encode(cm)
			}
		})
		bb = newBlockBuilder(budget, b.start+b.newLen, cm.signed)
	}
	var o, n int64
	for _, r := range boundJumps(toRecords(ctrl)) {
		if ctx.Err() != nil {
			break // the queued blocks report it
		}
		seek := r.seek
		o += seek
		add, cp := r.add, r.copy
		for add > 0 || cp > 0 {
			if bb.budget-bb.size() < 2*recordReserve {
				flush()
			}
			// One record (or the part of it that fits).
			rec := record{seek: seek}
			seek = 0
			bb.ctrlSz += 3 * binary.MaxVarintLen64
			if add > 0 {
				k := bb.appendDiff(new[n:n+add], old[o:o+add], n)
				format.AppendArith(&bb.arith, 4, false, new[n:n+k], old[o:o+k], n)
				format.AppendArith(&bb.arith2, 2, false, new[n:n+k], old[o:o+k], n)
				format.AppendArith(&bb.arithA, 4, true, new[n:n+k], old[o:o+k], n)
				bb.units.AddRun(new[n:n+k], old[o:o+k])
				for e := range bb.instr {
					if cm.instr[e] {
						bb.instr[e].AddRun(new[n:n+k], old[o:o+k], n, o)
					}
				}
				rec.add = k
				add -= k
				n += k
				o += k
			}
			if add == 0 && cp > 0 {
				k := min(cp, int64(bb.budget-bb.size()))
				if k > 0 {
					bb.extra = append(bb.extra, new[n:n+k]...)
					rec.copy = k
					cp -= k
					n += k
				}
			}
			bb.recs = append(bb.recs, rec)
			bb.newLen += rec.add + rec.copy
		}
	}
	flush()
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	blocks := make([]encodedBlock, len(queue))
	for i, p := range queue {
		if p.err != nil {
			return p.err
		}
		blocks[i] = p.eb
	}
	applyMem := int64(format.FixedApplyMemory)
	var codecs uint8
	version := uint8(format.Version1)
	for i := range blocks {
		if blocks[i].hdr.Transform != 0 {
			version = format.Version2
		}
	}
	for i := range blocks {
		blocks[i].hdr.V2 = version == format.Version2
		applyMem = max(applyMem, blocks[i].hdr.Memory())
		for s := 0; s < format.NumStreams; s++ {
			codecs |= 1 << blocks[i].hdr.Codec[s]
		}
	}
	out := format.AppendHeader(make([]byte, 0, 128), version, codecs, uint64(len(old)), uint64(len(new)), uint64(applyMem), &dg.old, &dg.new)
	if _, err := w.Write(out); err != nil {
		return err
	}
	for i := range blocks {
		out = blocks[i].hdr.AppendTo(out[:0])
		if _, err := w.Write(out); err != nil {
			return err
		}
		for s := 0; s < format.NumStreams; s++ {
			if _, err := w.Write(blocks[i].streams[s]); err != nil {
				return err
			}
		}
	}
	return nil
}

// lzmaMinDict is the smallest LZMA dictionary (a block's memory figure
// counts at least this for an LZMA stream).
const lzmaMinDict = format.LZMAMinDict

// appendDiff appends the sparse coding of nw-od (bytewise) to the gap and
// value streams, stopping early when the block budget is reached. It
// returns how many bytes it consumed (at least 1 when len(nw) > 0 and the
// block has room for one record).
func (b *blockBuilder) appendDiff(nw, od []byte, at int64) int64 {
	i := 0
	for i < len(nw) {
		if r := commonPrefix(nw[i:], od[i:]); r > 0 {
			b.zeros += uint64(r)
			i += r
			continue
		}
		if b.budget-b.size() < binary.MaxVarintLen64+1 {
			break
		}
		b.gaps = binary.AppendUvarint(b.gaps, b.zeros)
		b.values = append(b.values, nw[i]-od[i])
		b.words.Add(at+int64(i), nw[i]-od[i])
		b.zeros = 0
		i++
	}
	return int64(i)
}

// encode serialises the control records (three columns: seeks as zigzag
// varints, adds, copies), compresses each stream, and picks the diff
// coding (see diffCodings) whose compressed streams are smallest.
func (b *blockBuilder) encode(cm *compressor) (encodedBlock, error) {
	var ctrlRaw []byte
	for _, r := range b.recs {
		ctrlRaw = binary.AppendVarint(ctrlRaw, r.seek)
	}
	for _, r := range b.recs {
		ctrlRaw = binary.AppendUvarint(ctrlRaw, uint64(r.add))
	}
	for _, r := range b.recs {
		ctrlRaw = binary.AppendUvarint(ctrlRaw, uint64(r.copy))
	}
	ctrl := &blockStream{raw: ctrlRaw, kind: kindCtrl}
	extra := &blockStream{raw: b.extra, kind: kindExtra}
	fams := b.familyStreams(cm, len(ctrlRaw))
	shortlist := cm.shortlist(fams)
	for _, s := range append([]*blockStream{ctrl, extra}, shortlistStreams(fams, shortlist)...) {
		if err := s.compress(cm); err != nil {
			return encodedBlock{}, err
		}
	}
	// Pick the smallest shortlisted diff coding (the first on a tie).
	var choice *diffCoding
	best := -1
	for _, c := range shortlist {
		fs := fams[c.family]
		if !fs.usable && c.family != famBytes {
			continue
		}
		if n := len(fs.gaps.comp) + len(fs.values(c).comp); best < 0 || n < best {
			best, choice = n, c
		}
	}
	fs := fams[choice.family]
	pick := [format.NumStreams]*blockStream{ctrl, fs.gaps, fs.values(choice), extra}
	sep := encodedBlock{hdr: format.BlockHeader{NewLen: b.newLen, Records: int64(len(b.recs))}}
	choice.setLayout(&sep.hdr, cm.signed)
	var chosen [format.NumStreams][]byte
	for s, st := range pick {
		chosen[s] = st.raw
		sep.hdr.Codec[s] = uint8(st.codec)
		sep.hdr.RawLen[s] = int64(len(st.raw))
		sep.hdr.CompLen[s] = int64(len(st.comp))
		sep.streams[s] = bytes.Clone(st.comp)
	}
	// Joint layout: worth trying when the streams are small enough that
	// per-stream codec overhead matters.
	if sep.size() > jointTrialMax {
		return sep, nil
	}
	c, comp, err := cm.compressStream(bytes.Join(chosen[:], nil), kindJoint)
	if err != nil {
		return sep, err
	}
	joint := encodedBlock{hdr: sep.hdr}
	joint.hdr.Joint = true
	joint.hdr.Codec = [format.NumStreams]uint8{uint8(c), uint8(c), uint8(c), uint8(c)}
	joint.hdr.JointComp = int64(len(comp))
	joint.streams = [format.NumStreams][]byte{comp}
	if joint.size() < sep.size() {
		return joint, nil
	}
	return sep, nil
}

// diffFamily names the encoder whose streams a diff coding uses.
type diffFamily int

const (
	famBytes    diffFamily = iota // byte coding: byte gaps, values in order
	famWords                      // word masks, bytewise values
	famArith                      // word masks, 32-bit word arithmetic
	famArith16                    // word masks, 16-bit halfword arithmetic
	famArithA64                   // 32-bit word arithmetic on AArch64 canonical words
	famUnits                      // unit coding
	famInstr                      // instruction unit codings: numInstr families
	numFamilies = famInstr + numInstr
)

// numInstr is the number of instruction unit codings: each instruction
// set, relative and absolute.
const numInstr = 2 * (format.NumISAs - 1)

// diffCoding is one way a block can code its diff bytes: the family of
// streams it takes its gaps and values from, and the layout bits that tell
// the applier how to read them.
type diffCoding struct {
	id      int        // the coding* constant (Options.ForceCoding)
	family  diffFamily // where the gaps and values streams come from
	ordered bool       // values in position order, not grouped by lane or unit byte
	words   bool       // word-mask coding (layout bit1)
	arith   int        // 0, or 4 or 2: width of the units added with carries
	a64     bool       // 32-bit units in AArch64 canonical form
	units   bool       // unit coding (layout bit6)
	// transform (format version 2): the transform byte of an
	// instruction unit coding
	transform uint8
}

// diffCodings lists every diff coding, in the order Diff ranks them (a
// coding listed earlier wins a tie).
var diffCodings = [...]diffCoding{
	{id: CodingBytes, family: famBytes},
	{id: CodingLanes, family: famWords, words: true},
	{id: CodingOrdered, family: famWords, words: true, ordered: true},
	{id: CodingArithLanes, family: famArith, words: true, arith: 4},
	{id: CodingArithOrdered, family: famArith, words: true, ordered: true, arith: 4},
	{id: CodingArith16Lanes, family: famArith16, words: true, arith: 2},
	{id: CodingArith16Ordered, family: famArith16, words: true, ordered: true, arith: 2},
	{id: CodingArithA64Lanes, family: famArithA64, words: true, arith: 4, a64: true},
	{id: CodingArithA64Ordered, family: famArithA64, words: true, ordered: true, arith: 4, a64: true},
	{id: CodingUnitLanes, family: famUnits, units: true},
	{id: CodingUnitOrdered, family: famUnits, ordered: true, units: true},
	{id: CodingInstr + 0, family: famInstr + 0, transform: format.ISAThumb2},
	{id: CodingInstr + 1, family: famInstr + 1, transform: format.ISAThumb2 | format.TransformAbs},
	{id: CodingInstr + 2, family: famInstr + 2, transform: format.ISAARM32},
	{id: CodingInstr + 3, family: famInstr + 3, transform: format.ISAARM32 | format.TransformAbs},
	{id: CodingInstr + 4, family: famInstr + 4, transform: format.ISAA64},
	{id: CodingInstr + 5, family: famInstr + 5, transform: format.ISAA64 | format.TransformAbs},
	{id: CodingInstr + 6, family: famInstr + 6, transform: format.ISAX86},
	{id: CodingInstr + 7, family: famInstr + 7, transform: format.ISAX86 | format.TransformAbs},
	{id: CodingInstr + 8, family: famInstr + 8, transform: format.ISAXtensa},
	{id: CodingInstr + 9, family: famInstr + 9, transform: format.ISAXtensa | format.TransformAbs},
}

// codingByID returns the coding with the given coding* constant, or nil.
func codingByID(id int) *diffCoding {
	for i := range diffCodings {
		if diffCodings[i].id == id {
			return &diffCodings[i]
		}
	}
	return nil
}

// setLayout sets the block header's layout fields for coding c. signed
// marks 32-bit word arithmetic as signed (layout bit7).
func (c *diffCoding) setLayout(h *format.BlockHeader, signed bool) {
	h.Words, h.Ordered, h.Arith, h.A64, h.Units = c.words, c.ordered, c.arith, c.a64, c.units
	h.Signed = c.arith == 4 && signed
	h.Transform = c.transform
}

// blockStream is one raw stream a block may carry and, once compressed,
// its smallest encoding.
type blockStream struct {
	raw   []byte
	kind  streamKind
	codec uint8
	comp  []byte
	done  bool // compressed
	est   int  // zstd estimate of the compressed size, when estOK
	estOK bool
}

func (s *blockStream) compress(cm *compressor) error {
	if s.done {
		return nil
	}
	c, comp, err := cm.compressStream(s.raw, s.kind)
	if err != nil {
		return err
	}
	s.codec, s.comp, s.done = c, comp, true
	return nil
}

// estimate is a quick zstd figure of the stream's compressed size, used
// to rank codings before the full trials.
func (s *blockStream) estimate(cm *compressor) int {
	if !s.estOK {
		s.est, s.estOK = len(cm.zstd.EncodeAll(s.raw, nil)), true
	}
	return s.est
}

// familyStreams are one family's candidate streams for a block.
type familyStreams struct {
	gaps    *blockStream
	lanes   *blockStream // values grouped by lane (byte coding: in order)
	ordered *blockStream // values in position order
	// usable: the family has diff bytes and its streams fit the block
	// budget (the byte coding is the fallback whatever this says)
	usable bool
}

// values returns the values stream coding c reads.
func (f *familyStreams) values(c *diffCoding) *blockStream {
	if c.ordered {
		return f.ordered
	}
	return f.lanes
}

// familyStreams finishes every encoder of the block and says which
// families are alternatives: the others only when their raw streams fit
// the block budget too (any forced coding is taken as it is), and the
// AArch64 form only when it differs from plain word arithmetic (some ADRP
// changed).
func (b *blockBuilder) familyStreams(cm *compressor, ctrlLen int) [numFamilies]familyStreams {
	var f [numFamilies]familyStreams
	set := func(fam diffFamily, e interface{ Finish() (g, v, o []byte) }) {
		g, v, o := e.Finish()
		f[fam] = familyStreams{
			gaps:    &blockStream{raw: g, kind: kindGaps},
			lanes:   &blockStream{raw: v, kind: kindValues},
			ordered: &blockStream{raw: o, kind: kindValues},
			usable:  g != nil && (ctrlLen+len(g)+len(v)+len(b.extra) <= b.budget || cm.force > CodingBytes),
		}
	}
	values := &blockStream{raw: b.values, kind: kindValues}
	f[famBytes] = familyStreams{gaps: &blockStream{raw: b.gaps, kind: kindGaps}, lanes: values, ordered: values, usable: b.gaps != nil}
	set(famWords, &b.words)
	set(famArith, &b.arith)
	set(famArith16, &b.arith2)
	set(famArithA64, &b.arithA)
	set(famUnits, &b.units)
	for k := range b.instr {
		set(famInstr+diffFamily(k), &b.instr[k])
	}
	a, x := &f[famArith], &f[famArithA64]
	if cm.force == 0 && bytes.Equal(x.gaps.raw, a.gaps.raw) && bytes.Equal(x.ordered.raw, a.ordered.raw) {
		x.usable = false
	}
	return f
}

// shortlist returns the codings that get full compression trials: a
// forced coding (or the byte coding when the forced one has no streams),
// every coding in fast mode, or else the best shortlistLen by a quick
// zstd estimate plus the unit coding. LZMA2 trials are most of Diff's
// compression time; the ranking rarely differs between codecs.
func (cm *compressor) shortlist(f [numFamilies]familyStreams) []*diffCoding {
	if c := codingByID(cm.force); c != nil {
		if !f[c.family].usable && c.family != famBytes {
			c = codingByID(CodingBytes)
		}
		return []*diffCoding{c}
	}
	var all []*diffCoding
	for i := range diffCodings {
		all = append(all, &diffCodings[i])
	}
	if cm.fast {
		return all
	}
	type ranked struct {
		c    *diffCoding
		size int
	}
	var rs []ranked
	for _, c := range all {
		fs := &f[c.family]
		if !fs.usable {
			continue
		}
		rs = append(rs, ranked{c, fs.gaps.estimate(cm) + fs.values(c).estimate(cm)})
	}
	slices.SortStableFunc(rs, func(x, y ranked) int { return x.size - y.size })
	// The version-1 codings and the instruction unit codings are ranked
	// apart, so the version-1 trials are the same as without transforms:
	// a block then never gets larger for them.
	var short []*diffCoding
	v1, v2 := 0, 0
	for _, r := range rs {
		if r.c.transform == 0 && v1 < shortlistLen {
			short, v1 = append(short, r.c), v1+1
		} else if r.c.transform != 0 && v2 < instrShortlistLen {
			short, v2 = append(short, r.c), v2+1
		}
	}
	// The zstd estimate underrates the unit coding against LZMA2
	// (esp8266: ranked 4th, smallest after LZMA2): it always gets a
	// trial.
	if unit := codingByID(CodingUnitOrdered); f[famUnits].usable && !slices.Contains(short, unit) {
		short = append(short, unit)
	}
	if len(short) == 0 {
		short = []*diffCoding{codingByID(CodingBytes)} // no diff bytes at all
	}
	return short
}

// shortlistStreams returns the gaps and values streams the shortlisted
// codings read (those of a family that is no alternative are not needed).
func shortlistStreams(f [numFamilies]familyStreams, short []*diffCoding) []*blockStream {
	var ss []*blockStream
	for _, c := range short {
		if fs := &f[c.family]; fs.usable || c.family == famBytes {
			ss = append(ss, fs.gaps, fs.values(c))
		}
	}
	return ss
}

// size is the encoded size of the block.
func (e *encodedBlock) size() int {
	n := len(e.hdr.AppendTo(nil))
	for _, s := range e.streams {
		n += len(s)
	}
	return n
}

// jointTrialMax: blocks whose separately compressed streams exceed this
// are not tried in the joint layout (it only wins on small blocks).
const jointTrialMax = 64 << 10

// shortlistLen is how many diff codings, ranked by the zstd estimate, get
// full compression trials (plus the unit coding). 4 found the unit coding
// where the estimate ranked it low, but cost 1.3 s and 6 MB of peak RSS on
// libjvm; the unit coding now always gets a trial instead.
const shortlistLen = 2

// instrShortlistLen is how many instruction unit codings, ranked by the
// zstd estimate, get full trials (with 2, the second never won on the
// bench firmware).
const instrShortlistLen = 1
