package delta

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"io"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
)

// Diff writes a patch that turns old into new (format: see the package
// documentation). The output is deterministic for given inputs and
// options (it does not depend on the number of CPUs). opts may be nil.
//
// Memory: old, new and a suffix array of old (4 bytes per old byte; for
// old images of 8 MiB and more a sparse one of 2 bytes per old byte, plus
// 1 byte per old byte while it is built), then, once the suffix array is
// released, the compression trials (a few tens of MB). For old images of
// 8 MiB and more Diff calls debug.FreeOSMemory once, between the two
// phases: a forced collection that returns the suffix array's pages to
// the operating system before the compressors allocate, so the peak is
// the larger phase, not their sum. It changes no GC setting; a process
// that diffs large images and wants a lower peak can lower its own GC
// percentage (the suitkit CLI sets 40 for large inputs).
//
// Concurrency: the scan of new runs on GOMAXPROCS goroutines (at most 8),
// the compression on 2 (see the package documentation); the output does
// not depend on either. Time is near-linear in the input sizes (about
// 2.7 s for 24 MB on a 2-core machine).
func Diff(old, new []byte, w io.Writer, opts *DiffOptions) error {
	if err := checkDiffInput(old, new); err != nil {
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
	ctrl, err := computeControls(old, new, opts)
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
	return writePatch(old, new, ctrl, dg, w, opts)
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

// encodedBlock is one block's header and compressed streams.
type encodedBlock struct {
	hdr     blockHeader
	streams [numStreams][]byte
}

// blockBuilder accumulates the raw streams of one block.
type blockBuilder struct {
	budget int // raw bytes allowed in the block's streams
	recs   []record
	gaps   []byte
	values []byte
	extra  []byte
	words  wordEncoder // the same diff in word coding
	arith  wordEncoder // word coding of the 32-bit word-arithmetic diff
	arith2 wordEncoder // word coding of the 16-bit halfword-arithmetic diff
	arithA wordEncoder // word arithmetic on AArch64 canonical words (a64.go)
	units  unitEncoder // unit coding (unitcode.go)
	start  int64       // new-image offset of the block's first byte
	zeros  uint64      // zero diff bytes since the last non-zero one
	ctrlSz int         // upper bound of the control stream's raw size
	newLen int64
}

func (b *blockBuilder) size() int {
	return b.ctrlSz + len(b.gaps) + len(b.values) + len(b.extra)
}

// newBlockBuilder returns an empty builder for a block that starts at
// new-image offset start.
func newBlockBuilder(budget int, start int64) *blockBuilder {
	b := &blockBuilder{budget: budget, start: start}
	b.words.reset(start)
	b.arith.reset(start)
	b.arith2.reset(start)
	b.arithA.reset(start)
	b.arith.signed, b.arithA.signed = signedArith, signedArith
	return b
}

// recordReserve is the room kept for one record's control varints plus
// one gap varint and value.
const recordReserve = 3*binary.MaxVarintLen64 + binary.MaxVarintLen64 + 1

func writePatch(old, new []byte, ctrl []control, dg digests, w io.Writer, opts *DiffOptions) error {
	blockMem := opts.blockMemory()
	// Memory of a block is at most raw + largest compressed (< largest
	// raw) + largest LZMA dictionary (= largest raw): 3x raw.
	budget := max((blockMem-fixedApplyMemory-lzmaMinDict)/3, 4*recordReserve)
	cm, err := newCompressor(budget, opts != nil && opts.FastCompression)
	if err != nil {
		return err
	}
	if opts != nil {
		cm.force = opts.forceCoding
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
		inflight = make(chan struct{}, encodeWorkers())
	)
	defer wg.Wait() // on an early return, before cm.close
	bb := newBlockBuilder(budget, 0)
	flush := func() {
		if len(bb.recs) == 0 {
			return
		}
		p, b := &pending{}, bb
		queue = append(queue, p)
		inflight <- struct{}{}
		wg.Go(func() {
			defer func() { <-inflight }()
			p.eb, p.err = b.encode(cm)
		})
		bb = newBlockBuilder(budget, b.start+b.newLen)
	}
	var o, n int64
	for _, r := range toRecords(ctrl) {
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
				appendArith(&bb.arith, 4, false, new[n:n+k], old[o:o+k], n)
				appendArith(&bb.arith2, 2, false, new[n:n+k], old[o:o+k], n)
				appendArith(&bb.arithA, 4, true, new[n:n+k], old[o:o+k], n)
				bb.units.addRun(new[n:n+k], old[o:o+k])
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
	blocks := make([]encodedBlock, len(queue))
	for i, p := range queue {
		if p.err != nil {
			return p.err
		}
		blocks[i] = p.eb
	}
	h := Header{
		Version: FormatVersion,
		OldSize: int64(len(old)),
		NewSize: int64(len(new)),
	}
	h.OldDigest, h.NewDigest = dg.old, dg.new
	h.ApplyMemory = fixedApplyMemory
	for i := range blocks {
		h.ApplyMemory = max(h.ApplyMemory, blocks[i].hdr.memory())
		for s := 0; s < numStreams; s++ {
			h.Codecs |= 1 << blocks[i].hdr.codec[s]
		}
	}
	out := h.appendTo(make([]byte, 0, maxHeaderLen))
	if _, err := w.Write(out); err != nil {
		return err
	}
	for i := range blocks {
		out = blocks[i].hdr.appendTo(out[:0])
		if _, err := w.Write(out); err != nil {
			return err
		}
		for s := 0; s < numStreams; s++ {
			if _, err := w.Write(blocks[i].streams[s]); err != nil {
				return err
			}
		}
	}
	return nil
}

// encodeWorkers is how many blocks writePatch encodes at once (their
// compression trials share trialSlots).
func encodeWorkers() int { return min(runtime.GOMAXPROCS(0), 2) }

// lzmaMinDict is the smallest LZMA dictionary (a block's memory figure
// counts at least this for an LZMA stream).
const lzmaMinDict = 4096

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
		b.words.add(at+int64(i), nw[i]-od[i])
		b.zeros = 0
		i++
	}
	return int64(i)
}

// encode serialises the control records (three columns: seeks as zigzag
// varints, adds, copies) and compresses each stream.
func (b *blockBuilder) encode(cm *compressor) (encodedBlock, error) {
	var ctrl []byte
	for _, r := range b.recs {
		ctrl = binary.AppendVarint(ctrl, r.seek)
	}
	for _, r := range b.recs {
		ctrl = binary.AppendUvarint(ctrl, uint64(r.add))
	}
	for _, r := range b.recs {
		ctrl = binary.AppendUvarint(ctrl, uint64(r.copy))
	}
	wg, wv, wo := b.words.finish()
	ag, av, ao := b.arith.finish()
	hg, hv, ho := b.arith2.finish()
	xg, xv, xo := b.arithA.finish()
	ug, uv, uo := b.units.finish()
	raws := make([][]byte, 19)
	raws[0], raws[1], raws[2], raws[3] = ctrl, b.extra, b.gaps, b.values
	const (
		iCtrl = iota
		iExtra
		iGaps
		iValues
		iWGaps
		iWValues  // word coding, values by lane
		iWOrdered // word coding, values in position order
		iAGaps    // word arithmetic: gaps
		iAValues  // word arithmetic, values by lane
		iAOrdered // word arithmetic, values in position order
		iHGaps    // halfword arithmetic: gaps
		iHValues  // halfword arithmetic, values by lane
		iHOrdered // halfword arithmetic, values in position order
		iXGaps    // AArch64 canonical word arithmetic: gaps
		iXValues  // AArch64 canonical word arithmetic, values by lane
		iXOrdered // AArch64 canonical word arithmetic, values in position order
		iUGaps    // unit coding: gaps
		iUValues  // unit coding, values by index in the unit
		iUOrdered // unit coding, values in position order
	)
	// The word codings are alternatives only when their raw streams fit
	// the block budget too.
	fits := func(g, v []byte) bool {
		return len(ctrl)+len(g)+len(v)+len(b.extra) <= b.budget || cm.force > codingBytes
	}
	if fits(wg, wv) {
		raws[iWGaps], raws[iWValues], raws[iWOrdered] = wg, wv, wo
	}
	if fits(ag, av) {
		raws[iAGaps], raws[iAValues], raws[iAOrdered] = ag, av, ao
	}
	if fits(hg, hv) {
		raws[iHGaps], raws[iHValues], raws[iHOrdered] = hg, hv, ho
	}
	// The AArch64 form is an alternative only when it differs from plain
	// word arithmetic (some ADRP changed).
	if fits(xg, xv) && (cm.force != 0 || !bytes.Equal(xg, ag) || !bytes.Equal(xo, ao)) {
		raws[iXGaps], raws[iXValues], raws[iXOrdered] = xg, xv, xo
	}
	if fits(ug, uv) {
		raws[iUGaps], raws[iUValues], raws[iUOrdered] = ug, uv, uo
	}
	kinds := []streamKind{kindCtrl, kindExtra, kindGaps, kindValues, kindGaps, kindValues, kindValues, kindGaps, kindValues, kindValues, kindGaps, kindValues, kindValues, kindGaps, kindValues, kindValues, kindGaps, kindValues, kindValues}
	type coding struct {
		gaps, values   int
		words, ordered bool
		arith          int
		a64, units     bool
	}
	all := map[int]coding{
		codingBytes:           {iGaps, iValues, false, false, 0, false, false},
		codingLanes:           {iWGaps, iWValues, true, false, 0, false, false},
		codingOrdered:         {iWGaps, iWOrdered, true, true, 0, false, false},
		codingArithLanes:      {iAGaps, iAValues, true, false, 4, false, false},
		codingArithOrdered:    {iAGaps, iAOrdered, true, true, 4, false, false},
		codingArith16Lanes:    {iHGaps, iHValues, true, false, 2, false, false},
		codingArith16Ordered:  {iHGaps, iHOrdered, true, true, 2, false, false},
		codingArithA64Lanes:   {iXGaps, iXValues, true, false, 4, true, false},
		codingArithA64Ordered: {iXGaps, iXOrdered, true, true, 4, true, false},
		codingUnitLanes:       {iUGaps, iUValues, false, false, 0, false, true},
		codingUnitOrdered:     {iUGaps, iUOrdered, false, true, 0, false, true},
	}
	order := []int{codingBytes, codingLanes, codingOrdered, codingArithLanes, codingArithOrdered, codingArith16Lanes, codingArith16Ordered, codingArithA64Lanes, codingArithA64Ordered, codingUnitLanes, codingUnitOrdered}
	// Shortlist: rank the codings by a quick zstd estimate and give the
	// full (LZMA2) trials only to the best two. LZMA2 trials are most of
	// Diff's compression time; the ranking rarely differs between codecs.
	shortlist := order
	if _, forced := all[cm.force]; forced {
		shortlist = []int{cm.force}
	} else if !cm.fast {
		est := make(map[int]int, len(raws))
		estimate := func(i int) int {
			if n, ok := est[i]; ok {
				return n
			}
			n := len(cm.zstd.EncodeAll(raws[i], nil))
			est[i] = n
			return n
		}
		type ranked struct{ id, size int }
		var rs []ranked
		for _, k := range order {
			c := all[k]
			if raws[c.gaps] == nil {
				continue
			}
			rs = append(rs, ranked{k, estimate(c.gaps) + estimate(c.values)})
		}
		slices.SortStableFunc(rs, func(x, y ranked) int { return x.size - y.size })
		shortlist = nil
		for _, r := range rs[:min(shortlistLen, len(rs))] {
			shortlist = append(shortlist, r.id)
		}
		// The zstd estimate underrates the unit coding against LZMA2
		// (esp8266: ranked 4th, smallest after LZMA2): it always gets a
		// trial.
		if raws[iUGaps] != nil && !slices.Contains(shortlist, codingUnitOrdered) {
			shortlist = append(shortlist, codingUnitOrdered)
		}
		if len(shortlist) == 0 {
			shortlist = []int{codingBytes} // no diff bytes at all
		}
	}
	need := map[int]bool{iCtrl: true, iExtra: true}
	for _, k := range shortlist {
		need[all[k].gaps], need[all[k].values] = true, true
	}
	codecs := make([]Codec, len(raws))
	comps := make([][]byte, len(raws))
	for i, raw := range raws {
		if !need[i] || (i >= iWGaps && raw == nil) {
			continue
		}
		c, comp, err := cm.compressStream(raw, kinds[i])
		if err != nil {
			return encodedBlock{}, err
		}
		codecs[i], comps[i] = c, comp
	}
	// Pick the smallest shortlisted diff coding.
	var choice coding
	best := -1
	for _, k := range shortlist {
		c := all[k]
		if raws[c.gaps] == nil && k != codingBytes {
			continue
		}
		if n := len(comps[c.gaps]) + len(comps[c.values]); best < 0 || n < best {
			best, choice = n, c
		}
	}
	pick := [numStreams]int{iCtrl, choice.gaps, choice.values, iExtra}
	sep := encodedBlock{hdr: blockHeader{newLen: b.newLen, records: int64(len(b.recs)), signed: choice.arith == 4 && signedArith,
		words: choice.words, ordered: choice.ordered, arith: choice.arith, a64: choice.a64, units: choice.units}}
	var chosen [numStreams][]byte
	for s, i := range pick {
		chosen[s] = raws[i]
		sep.hdr.codec[s] = codecs[i]
		sep.hdr.rawLen[s] = int64(len(raws[i]))
		sep.hdr.compLen[s] = int64(len(comps[i]))
		sep.streams[s] = bytes.Clone(comps[i])
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
	joint.hdr.joint = true
	joint.hdr.codec = [numStreams]Codec{c, c, c, c}
	joint.hdr.jointComp = int64(len(comp))
	joint.streams = [numStreams][]byte{comp}
	if joint.size() < sep.size() {
		return joint, nil
	}
	return sep, nil
}

// size is the encoded size of the block.
func (e *encodedBlock) size() int {
	n := len(e.hdr.appendTo(nil))
	for _, s := range e.streams {
		n += len(s)
	}
	return n
}

// jointTrialMax: blocks whose separately compressed streams exceed this
// are not tried in the joint layout (it only wins on small blocks).
const jointTrialMax = 64 << 10

// signedArith makes Diff code 32-bit word arithmetic with signed words
// (layout bit7); tests turn it off to cover unsigned blocks.
var signedArith = true

// shortlistLen is how many diff codings, ranked by the zstd estimate, get
// full compression trials (plus the unit coding). 4 found the unit coding
// where the estimate ranked it low, but cost 1.3 s and 6 MB of peak RSS on
// libjvm; the unit coding now always gets a trial instead.
const shortlistLen = 2
