package process

import (
	"errors"
	"io"

	"github.com/suitkit/suitkit/encryption"
	"github.com/suitkit/suitkit/suit"
)

// Firmware encryption (draft-ietf-suit-firmware-encryption): when the
// manifest sets suit-parameter-encryption-info for the component that
// write, copy or fetch fills, the content is decrypted while it is staged,
// with a content key that one of Platform.DecryptionKeys unwraps. Nothing
// decrypted becomes visible before the whole payload has been read: for
// AES-GCM and ChaCha20/Poly1305 the tag is checked at the end of the
// stream and a failure discards the staging area, like a digest mismatch.
//
// Content whose AEAD tag verifies under the content key that the
// authenticated manifest delivers is authenticated content: a fetch or copy
// that decrypts it needs no image-digest (the draft's own examples carry
// none). AES-CTR authenticates nothing, so CTR content always needs an
// image-digest, whatever Platform.AllowUnauthenticatedContentUnsafe says.

// encryptionTagSize is the AEAD tag that follows the ciphertext.
const encryptionTagSize = 16

// encryptionInfo returns the parsed encryption-info parameter of ci, nil
// when it is not set.
func (r *run) encryptionInfo(ci uint64) (*encryption.Info, error) {
	p, ok := r.param(ci, suit.ParamEncryptionInfo)
	if !ok {
		return nil, nil
	}
	b, err := p.Bytes()
	if err != nil {
		return nil, errf(ErrManifest, "encryption-info: %v", err)
	}
	info, err := encryption.ParseInfo(b)
	switch {
	case err == nil:
		if pe := r.p.pf.Profile.CheckEncryption(int64(info.Alg)); pe != nil {
			return nil, wrapErr(ErrUnsupported, pe, "encryption-info")
		}
		for _, rc := range info.Recipients {
			if pe := r.p.pf.Profile.CheckKeyExchange(int64(rc.Alg)); pe != nil {
				return nil, wrapErr(ErrUnsupported, pe, "encryption-info recipient")
			}
		}
		return info, nil
	case errors.Is(err, encryption.ErrUnsupported), errors.Is(err, encryption.ErrUnsupportedAlgorithm):
		return nil, wrapErr(ErrUnsupported, err, "encryption-info")
	}
	return nil, wrapErr(ErrManifest, err, "encryption-info")
}

// requireAuth applies the rule that nothing unauthenticated is installed
// (requireDigest) to content of origin o for ci, decrypted with info when
// it is not nil: AEAD content authenticates itself; CTR content needs an
// image-digest in every case.
func (r *run) requireAuth(ci uint64, what string, o origin, info *encryption.Info) error {
	if info != nil {
		if info.Alg.IsAEAD() {
			return nil
		}
		if _, set := r.param(ci, suit.ParamImageDigest); !set {
			return errf(ErrUnauthenticatedContent, "%s: %s content has no integrity protection and the manifest sets no image-digest for %s", what, info.Alg, r.comps[ci])
		}
		return nil
	}
	if o == fromManifest {
		return nil
	}
	if o == fromOutside && r.decryptedLater(ci) {
		return nil
	}
	return r.requireDigest(ci, what)
}

// decrypting returns the plaintext stream of src.
func (r *run) decrypting(info *encryption.Info, what string, src io.Reader) (io.Reader, error) {
	cek, err := info.ContentKey(r.p.pf.DecryptionKeys...)
	if err != nil {
		return nil, wrapErr(ErrDecrypt, err, what)
	}
	pr, err := info.NewReader(cek, src)
	clear(cek)
	if err != nil {
		return nil, wrapErr(ErrDecrypt, err, what)
	}
	return pr, nil
}

// decryptedLater reports whether the component ci, about to receive a
// fetch without an image-digest, is consumed later in the same command
// sequence only through authenticated decryption: an override-parameters
// or set-parameters that names ci as source-component together with
// encryption-info for an AEAD algorithm, followed by a copy. This is the
// draft's fetch-then-copy flow (the ciphertext is downloaded to one
// component and decrypted into another); what reaches the installed
// component is then authenticated by the AEAD tag. The ciphertext itself
// stays in ci.
func (r *run) decryptedLater(ci uint64) bool {
	if r.curSeq == nil {
		return false
	}
	armed := false
	for _, c := range r.curSeq.Commands[r.curOff+1:] {
		switch c.ID {
		case suit.DirectiveOverrideParameters, suit.DirectiveSetParameters:
			src, okSrc := c.Params.Get(suit.ParamSourceComponent)
			ei, okInfo := c.Params.Get(suit.ParamEncryptionInfo)
			if !okSrc || !okInfo {
				continue
			}
			if n, err := src.Uint(); err != nil || n != ci {
				continue
			}
			b, err := ei.Bytes()
			if err != nil {
				continue
			}
			if info, err := encryption.ParseInfo(b); err == nil && info.Alg.IsAEAD() {
				armed = true
			}
		case suit.DirectiveCopy:
			if armed {
				return true
			}
		}
	}
	return false
}
