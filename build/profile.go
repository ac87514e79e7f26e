package build

import (
	"fmt"

	"github.com/suitkit/suitkit/encryption"
	"github.com/suitkit/suitkit/suit"
)

// checkProfile refuses an image whose digest or encryption is outside the
// builder's profile (errors match both ErrInvalid and profile.ErrProfile).
func (b *Builder) checkProfile(img *Image) error {
	p := b.Profile
	if p == nil {
		return nil
	}
	fail := func(err error) error { return fmt.Errorf("%w: %w", ErrInvalid, err) }
	digestAlg := func(alg int64, d *suit.Digest, data []byte) int64 {
		if data == nil && d != nil {
			return d.Algorithm
		}
		if alg == 0 {
			return suit.AlgSHA256
		}
		return alg
	}
	if len(img.Slots) == 0 {
		if err := p.CheckDigest(digestAlg(img.DigestAlgorithm, img.Digest, img.Data)); err != nil {
			return fail(err)
		}
	}
	for _, s := range img.Slots {
		if err := p.CheckDigest(digestAlg(0, s.Digest, s.Data)); err != nil {
			return fail(err)
		}
	}
	if img.EncryptionInfo != nil {
		info, err := encryption.ParseInfo(img.EncryptionInfo)
		if err != nil {
			return fmt.Errorf("%w: encryption info: %w", ErrInvalid, err)
		}
		if err := p.CheckEncryption(int64(info.Alg)); err != nil {
			return fail(err)
		}
		for _, r := range info.Recipients {
			if err := p.CheckKeyExchange(int64(r.Alg)); err != nil {
				return fail(err)
			}
		}
	}
	return nil
}
