package verify

import (
	"errors"
	"fmt"

	"github.com/suitkit/suitkit/internal/cbor"
	"github.com/suitkit/suitkit/internal/cose"
)

// Caps on COSE structures. The tags, header labels and the to-be-signed
// structures come from internal/cose, shared with the signing side.
const (
	maxCOSESignatures = 16 // signatures in one COSE_Sign, recipients in one COSE_Mac
	maxTBS            = 512
)

// coseSig is one signature or MAC tag found in a COSE block, with the
// structure it covers.
type coseSig struct {
	alg  int64
	kid  []byte // hint only: never decides which key is trusted
	mac  bool
	prot []byte // body protected header (bstr content)
	sign []byte // COSE_Signature protected header (COSE_Sign only)
	ctx  string // "Signature1", "Signature", "MAC0", "MAC"
	val  []byte // signature or tag
}

// header is the result of checking a protected and unprotected bucket.
type header struct {
	alg    int64
	hasAlg bool
	kid    []byte
}

// parseHeaders checks one protected (bstr content) + unprotected (read from
// r) header pair: alg must be an integer in the protected bucket only; crit
// may list only labels this package understands; no label may appear in
// both buckets.
func parseHeaders(prot []byte, r *cborReader, requireAlg bool) (header, error) {
	var h header
	var protLabels [16][]byte
	np := 0
	if len(prot) > 0 {
		pr := &cborReader{b: prot}
		m, n, err := pr.head()
		if err != nil {
			return h, err
		}
		if m != cbor.Map {
			return h, errors.New("protected header is not a map")
		}
		var crit []byte
		err = pr.mapItems(n, 1, func(key []byte) error {
			if np == len(protLabels) {
				return errors.New("too many protected header parameters")
			}
			protLabels[np] = key
			np++
			switch labelInt(key) {
			case cose.HeaderAlg:
				a, err := pr.int()
				if err != nil {
					return fmt.Errorf("alg: %w", err)
				}
				h.alg, h.hasAlg = a, true
				return nil
			case cose.HeaderCrit:
				start := pr.off
				if err := pr.skip(1); err != nil {
					return err
				}
				crit = pr.b[start:pr.off]
				return nil
			case cose.HeaderKid:
				k, err := pr.bytes()
				h.kid = k
				return err
			}
			return pr.skip(1)
		})
		if err != nil {
			return h, fmt.Errorf("protected header: %w", err)
		}
		if !pr.done() {
			return h, errors.New("protected header: trailing bytes")
		}
		if crit != nil {
			if err := checkCrit(crit, protLabels[:np]); err != nil {
				return h, err
			}
		}
	}
	m, n, err := r.head()
	if err != nil {
		return h, err
	}
	if m != cbor.Map {
		return h, errors.New("unprotected header is not a map")
	}
	err = r.mapItems(n, 1, func(key []byte) error {
		for _, pl := range protLabels[:np] {
			if string(pl) == string(key) {
				return errors.New("label in both protected and unprotected header")
			}
		}
		switch labelInt(key) {
		case cose.HeaderAlg:
			return errors.New("alg in the unprotected header")
		case cose.HeaderCrit:
			return errors.New("crit in the unprotected header")
		case cose.HeaderKid:
			k, err := r.bytes()
			h.kid = k
			return err
		}
		return r.skip(1)
	})
	if err != nil {
		return h, fmt.Errorf("unprotected header: %w", err)
	}
	if requireAlg && !h.hasAlg {
		return h, errors.New("no alg in the protected header")
	}
	return h, nil
}

// checkCrit checks a crit value: a non-empty array of labels, each present
// in the protected header and understood by this package.
func checkCrit(crit []byte, protLabels [][]byte) error {
	r := &cborReader{b: crit}
	n, err := r.array()
	if err != nil || n == 0 {
		return errors.New("crit is not a non-empty array")
	}
	for range n {
		start := r.off
		if err := r.skip(1); err != nil {
			return err
		}
		label := r.b[start:r.off]
		switch labelInt(label) {
		case cose.HeaderAlg, cose.HeaderContentType, cose.HeaderKid:
		default:
			return fmt.Errorf("%w: label %x", ErrUnsupportedHeader, label)
		}
		found := false
		for _, pl := range protLabels {
			found = found || string(pl) == string(label)
		}
		if !found {
			return errors.New("crit names a label missing from the protected header")
		}
	}
	return nil
}

// labelInt returns the value of a small unsigned integer label, or -1000
// for anything else.
func labelInt(key []byte) int {
	if len(key) == 1 && key[0] < 24 {
		return int(key[0])
	}
	return -1000
}

// parseBlock decodes one authentication block (a tagged COSE_Sign1,
// COSE_Sign, COSE_Mac0 or COSE_Mac) into the signatures or tags it holds.
// The payload must be detached (null): an attached payload is refused, never
// verified (threats A4).
func parseBlock(b []byte, dst []coseSig) ([]coseSig, error) {
	r := &cborReader{b: b}
	m, tag, err := r.head()
	if err != nil {
		return dst, err
	}
	if m != cbor.Tag {
		return dst, errors.New("not a tagged COSE structure")
	}
	var ctx string
	fields := 4
	switch tag {
	case cose.TagSign1:
		ctx = cose.ContextSignature1
	case cose.TagSign:
		ctx = cose.ContextSignature
	case cose.TagMac0:
		ctx = cose.ContextMAC0
	case cose.TagMac:
		ctx, fields = cose.ContextMAC, 5
	default:
		return dst, fmt.Errorf("COSE tag %d is not Sign1 (18), Sign (98), Mac0 (17) or Mac (97)", tag)
	}
	n, err := r.array()
	if err != nil {
		return dst, err
	}
	if n != fields {
		return dst, fmt.Errorf("COSE %s array has %d elements, want %d", ctx, n, fields)
	}
	prot, err := r.bytes()
	if err != nil {
		return dst, fmt.Errorf("protected header: %w", err)
	}
	h, err := parseHeaders(prot, r, tag != cose.TagSign)
	if err != nil {
		return dst, err
	}
	_, isNil, err := r.bytesOrNil()
	if err != nil {
		return dst, fmt.Errorf("payload: %w", err)
	}
	if !isNil {
		return dst, errors.New("attached payload: SUIT requires a detached (nil) payload")
	}
	mac := tag == cose.TagMac0 || tag == cose.TagMac
	switch tag {
	case cose.TagSign1, cose.TagMac0:
		val, err := r.bytes()
		if err != nil {
			return dst, err
		}
		dst = append(dst, coseSig{alg: h.alg, kid: h.kid, mac: mac, prot: prot, ctx: ctx, val: val})
	case cose.TagMac:
		val, err := r.bytes()
		if err != nil {
			return dst, err
		}
		kid, err := parseDirectRecipients(r)
		if err != nil {
			return dst, err
		}
		if kid == nil {
			kid = h.kid
		}
		dst = append(dst, coseSig{alg: h.alg, kid: kid, mac: true, prot: prot, ctx: ctx, val: val})
	case cose.TagSign:
		ns, err := r.array()
		if err != nil {
			return dst, fmt.Errorf("signatures: %w", err)
		}
		if ns == 0 || ns > maxCOSESignatures {
			return dst, fmt.Errorf("COSE_Sign with %d signatures (1 to %d allowed)", ns, maxCOSESignatures)
		}
		for range ns {
			if k, err := r.array(); err != nil || k != 3 {
				return dst, errors.New("COSE_Signature is not a 3-element array")
			}
			sp, err := r.bytes()
			if err != nil {
				return dst, err
			}
			sh, err := parseHeaders(sp, r, true)
			if err != nil {
				return dst, fmt.Errorf("COSE_Signature: %w", err)
			}
			val, err := r.bytes()
			if err != nil {
				return dst, err
			}
			dst = append(dst, coseSig{alg: sh.alg, kid: sh.kid, prot: prot, sign: sp, ctx: ctx, val: val})
		}
	}
	if !r.done() {
		return dst, errors.New("trailing bytes after the COSE structure")
	}
	return dst, nil
}

// parseDirectRecipients reads a COSE_Mac recipients array. Only the direct
// key mode (alg -6, empty protected header, empty ciphertext) is supported:
// the MAC key is a trusted HMAC secret.
func parseDirectRecipients(r *cborReader) ([]byte, error) {
	n, err := r.array()
	if err != nil {
		return nil, fmt.Errorf("recipients: %w", err)
	}
	if n != 1 {
		return nil, fmt.Errorf("COSE_Mac with %d recipients; only one direct recipient is supported", n)
	}
	if k, err := r.array(); err != nil || k != 3 {
		return nil, errors.New("COSE_recipient is not a 3-element array")
	}
	prot, err := r.bytes()
	if err != nil {
		return nil, err
	}
	// For direct mode the alg may sit in either bucket; read both leniently.
	h, err := parseRecipientHeaders(prot, r)
	if err != nil {
		return nil, err
	}
	if h.alg != cose.AlgDirect {
		return nil, &AlgorithmError{Kind: "COSE_Mac recipient", Algorithm: h.alg, Reason: "is not supported (only direct, -6)"}
	}
	ct, isNil, err := r.bytesOrNil()
	if err != nil || (!isNil && len(ct) != 0) {
		return nil, errors.New("direct recipient must have an empty ciphertext")
	}
	return h.kid, nil
}

func parseRecipientHeaders(prot []byte, r *cborReader) (header, error) {
	if len(prot) != 0 {
		return header{}, errors.New("direct recipient must have an empty protected header")
	}
	var h header
	m, n, err := r.head()
	if err != nil {
		return h, err
	}
	if m != cbor.Map {
		return h, errors.New("recipient header is not a map")
	}
	err = r.mapItems(n, 1, func(key []byte) error {
		switch labelInt(key) {
		case cose.HeaderAlg:
			a, err := r.int()
			h.alg, h.hasAlg = a, true
			return err
		case cose.HeaderKid:
			k, err := r.bytes()
			h.kid = k
			return err
		case cose.HeaderCrit:
			return errors.New("crit in the recipient's unprotected header")
		}
		return r.skip(1)
	})
	return h, err
}

// toBeSigned builds the Sig_structure or MAC_structure for s over the
// detached payload, appending to buf.
func (s *coseSig) toBeSigned(buf, payload []byte) []byte {
	return cose.AppendToBeSigned(buf, s.ctx, s.prot, s.sign, payload)
}
