package build

import (
	"errors"
	"fmt"
	"strings"

	"github.com/suitkit/suitkit/profile"
	"github.com/suitkit/suitkit/suit"
)

// Image describes one component for a [Builder]: what the device must hold
// there, and where the updater gets it.
type Image struct {
	// Component is the component identifier. Nil selects [h'NN'] where NN
	// is the component index (00, 01, ...).
	Component suit.ComponentID

	// VendorID and ClassID are checked by the shared sequence
	// (condition-vendor-identifier / class-identifier). The zero UUID
	// omits the check; the draft recommends both, derived with suit.NewUUID5.
	VendorID, ClassID suit.UUID

	// Data is the image. When set, its digest and size are computed.
	// Otherwise Digest and Size must be given.
	Data   []byte
	Digest *suit.Digest
	Size   uint64
	// DigestAlgorithm hashes Data; zero selects SHA-256.
	DigestAlgorithm int64

	// URI is where the install sequence fetches the image from. For an
	// integrated payload leave URI empty and set Integrated.
	URI string
	// Integrated, when set (e.g. "#fw.bin"), carries Data in the envelope
	// under this key, and the install sequence fetches from it.
	Integrated string

	// EncryptionInfo, when set, is the encoded encryption info
	// (encryption.Info.Encode) of an encrypted image
	// (draft-ietf-suit-firmware-encryption): the install fetch sets it
	// as suit-parameter-encryption-info, so the device decrypts the
	// payload while it stages it. Data (or Digest and Size) stays the
	// plaintext image, which image-match checks; Payload is what is
	// fetched or integrated, the ciphertext.
	EncryptionInfo []byte
	// Payload is the integrated payload when it differs from Data (the
	// ciphertext of an encrypted image); nil integrates Data.
	Payload []byte

	// ValidateOnly allows an image with neither URI nor Integrated: the
	// manifest then checks (validate, and the shared sequence) an image
	// already on the device and installs nothing. Without it such an
	// image is refused, since it is most often a forgotten URI.
	ValidateOnly bool

	// Invoke adds the component to the invoke sequence (boot it).
	Invoke bool

	// Slots, when set, offers one alternative per slot (A/B images, the
	// draft's example 3): the shared sequence picks the digest and size of
	// the slot the component is in (condition-component-slot inside
	// try-each), and install fetches that slot's URI. Data, Digest, Size,
	// URI and Integrated of the Image are then unused.
	Slots []Slot

	// Text holds component text (keys suit.TextVendorName, TextModelName,
	// TextVendorDomain, TextModelInfo, TextComponentDescription,
	// TextComponentVersion, ...), written in Builder.TextLanguage.
	Text map[int64]string
}

// Slot is one alternative of an [Image] that may live in several slots.
type Slot struct {
	Slot   uint64       // the value of suit-parameter-component-slot
	Data   []byte       // the image for this slot (digest and size computed)
	Digest *suit.Digest // otherwise its digest and size
	Size   uint64
	URI    string // where install fetches it from; empty for none
}

// Builder assembles an unsigned, deterministic envelope for the common
// case: one or more images, each checked against vendor and class, fetched
// and verified by the install sequence, verified again by validate, and
// optionally invoked. With more than one component every sequence selects
// the component with set-component-index before its commands. Signing is
// the sign package's job: the authentication wrapper Build produces holds
// only the manifest digest.
type Builder struct {
	// SequenceNumber is the manifest's anti-rollback counter.
	SequenceNumber uint64
	// ReferenceURI, when set, is written as suit-reference-uri.
	ReferenceURI string
	// Description, when set, is the manifest-level description text
	// (suit-text-manifest-description).
	Description string
	// TextLanguage is the language tag of all text. Empty means "en-US".
	TextLanguage string
	// SeverText and SeverInstall move suit-text and suit-install out of the
	// manifest into the envelope, leaving their digests in the manifest.
	SeverText, SeverInstall bool
	// Untagged omits CBOR tag 107.
	Untagged bool
	// Profile, when set, restricts the manifest to one MTI algorithm
	// profile (package profile): AddImage refuses an image digest or
	// encryption info with another algorithm. Signing is checked by the
	// signer (suitkit sign --profile), not here.
	Profile *profile.Profile

	components   []builderComponent
	dependencies []builderDependency
	integrated   map[string][]byte
	err          error
}

// Extending the builder (builder_delta.go does this for delta images):
// addComponent appends a component and returns its index; imageCommands
// generates the standard commands of an Image for it; appendCommands adds
// further commands for a component to any sequence (sharedKey for the
// shared sequence, ManifestPayloadFetch, ManifestInstall, ManifestValidate,
// ManifestLoad, ManifestInvoke); addIntegrated carries a payload in the
// envelope; fail records an error that Build returns. Build then assembles
// each sequence component by component in index order, selecting each with
// set-component-index when there is more than one. So a component added
// earlier (say, a patch fetched into a scratch component) has its install
// commands run before those of a later one (the target the patch applies
// to).

// builderComponent holds the commands generated for one component, per
// sequence, without the set-component-index that Build adds.
type builderComponent struct {
	id   suit.ComponentID
	seqs map[int64][]suit.Command // keyed by CommonSharedSequence or a Manifest* key
	text map[int64]string
}

// builderSequences is the order in which Build assembles the sequences.
var builderSequences = []int64{suit.ManifestPayloadFetch, suit.ManifestInstall, suit.ManifestValidate, suit.ManifestLoad, suit.ManifestInvoke}

// sharedKey marks the shared sequence in builderComponent.seqs; it is the
// manifest key of suit-common.
const sharedKey = suit.ManifestCommon

// ErrInvalid reports an image or builder setting that cannot be turned into a
// valid manifest.
var ErrInvalid = errors.New("suit: cannot build manifest")

// New returns a Builder for a manifest with the given sequence number.
func New(sequenceNumber uint64) *Builder {
	return &Builder{SequenceNumber: sequenceNumber}
}

// AddImage adds one component. It returns an error wrapping ErrInvalid when
// the image is incomplete (no data and no digest, integrated without data,
// a component identifier used twice); Build then fails with the same error.
func (b *Builder) AddImage(img Image) error {
	if err := b.checkProfile(&img); err != nil {
		return b.fail(err)
	}
	idx, err := b.addComponent(img.Component)
	if err != nil {
		return b.fail(err)
	}
	if err := b.imageCommands(idx, &img); err != nil {
		b.components = b.components[:idx]
		return b.fail(err)
	}
	return nil
}

func (b *Builder) fail(err error) error {
	if b.err == nil {
		b.err = err
	}
	return err
}

// addComponent appends a component and returns its index. A nil id
// selects [h'NN'].
func (b *Builder) addComponent(id suit.ComponentID) (int, error) {
	idx := len(b.components)
	if id == nil {
		if idx > 255 {
			return 0, fmt.Errorf("%w: too many components for default identifiers", ErrInvalid)
		}
		id = suit.ComponentID{{byte(idx)}}
	}
	for _, c := range b.components {
		if c.id.Equal(id) {
			return 0, fmt.Errorf("%w: component %s added twice", ErrInvalid, id)
		}
	}
	b.components = append(b.components, builderComponent{id: id.Clone(), seqs: map[int64][]suit.Command{}})
	return idx, nil
}

// addIntegrated carries data in the envelope under key (a "#name" URI).
func (b *Builder) addIntegrated(key string, data []byte) error {
	if _, dup := b.integrated[key]; dup {
		return fmt.Errorf("%w: integrated payload %q added twice", ErrInvalid, key)
	}
	if b.integrated == nil {
		b.integrated = map[string][]byte{}
	}
	b.integrated[key] = data
	return nil
}

// appendCommands adds commands for component idx to a sequence (sharedKey
// or a Manifest* sequence key).
func (b *Builder) appendCommands(idx int, seq int64, cmds ...suit.Command) {
	c := &b.components[idx]
	c.seqs[seq] = append(c.seqs[seq], cmds...)
}

// reportAll and reportFailure are the reporting policies the draft's
// examples use for conditions and for directives.
const (
	reportAll     = suit.ReportSendRecordOnSuccess | suit.ReportSendRecordOnFailure | suit.ReportSendSysinfoOnSuccess | suit.ReportSendSysinfoOnFailure
	reportFailure = suit.ReportSendRecordOnFailure
)

func condition(id int64) suit.Command { return suit.Command{ID: id, ReportingPolicy: reportAll} }
func directive(id int64) suit.Command { return suit.Command{ID: id, ReportingPolicy: reportFailure} }
func override(ps ...suit.Parameter) suit.Command {
	return suit.Command{ID: suit.DirectiveOverrideParameters, Params: ps}
}

// imageDigest returns the image's digest and size.
func imageDigest(img *Image) (suit.Digest, uint64, error) {
	if img.Data != nil {
		alg := img.DigestAlgorithm
		if alg == 0 {
			alg = suit.AlgSHA256
		}
		d, err := suit.ComputeDigest(alg, img.Data)
		if err != nil {
			return suit.Digest{}, 0, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		return d, uint64(len(img.Data)), nil
	}
	if img.Digest == nil || len(img.Digest.Value) == 0 {
		return suit.Digest{}, 0, fmt.Errorf("%w: image needs Data or Digest", ErrInvalid)
	}
	return *img.Digest, img.Size, nil
}

// imageCommands generates the commands of one image for component idx:
// shared: override vendor/class/digest/size, check vendor and class;
// install: override uri, fetch, image-match; validate: image-match;
// invoke: invoke.
func (b *Builder) imageCommands(idx int, img *Image) error {
	if len(img.Slots) > 0 {
		if img.EncryptionInfo != nil || img.Payload != nil {
			return fmt.Errorf("%w: EncryptionInfo and Payload are not supported with Slots", ErrInvalid)
		}
		return b.slotCommands(idx, img)
	}
	d, size, err := imageDigest(img)
	if err != nil {
		return err
	}
	var ps suit.Parameters
	if img.VendorID != (suit.UUID{}) {
		ps = append(ps, suit.ParamBytes(suit.ParamVendorIdentifier, img.VendorID.Bytes()))
	}
	if img.ClassID != (suit.UUID{}) {
		ps = append(ps, suit.ParamBytes(suit.ParamClassIdentifier, img.ClassID.Bytes()))
	}
	dp, err := suit.ParamDigest(suit.ParamImageDigest, d)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	ps = append(ps, dp, suit.ParamUint(suit.ParamImageSize, size))
	b.appendCommands(idx, sharedKey, override(ps...))
	if img.VendorID != (suit.UUID{}) {
		b.appendCommands(idx, sharedKey, condition(suit.ConditionVendorIdentifier))
	}
	if img.ClassID != (suit.UUID{}) {
		b.appendCommands(idx, sharedKey, condition(suit.ConditionClassIdentifier))
	}

	uri := img.URI
	if img.Integrated != "" {
		if img.URI != "" {
			return fmt.Errorf("%w: image has both URI and Integrated", ErrInvalid)
		}
		if img.Data == nil {
			return fmt.Errorf("%w: integrated image %q without Data", ErrInvalid, img.Integrated)
		}
		if !strings.HasPrefix(img.Integrated, "#") {
			return fmt.Errorf("%w: integrated payload key %q must start with '#'", ErrInvalid, img.Integrated)
		}
		if _, dup := b.integrated[img.Integrated]; dup {
			return fmt.Errorf("%w: integrated payload %q added twice", ErrInvalid, img.Integrated)
		}
		uri = img.Integrated
	}
	if img.Integrated != "" {
		payload := img.Data
		if img.Payload != nil {
			payload = img.Payload
		}
		if err := b.addIntegrated(img.Integrated, payload); err != nil {
			return err
		}
	}
	if img.EncryptionInfo != nil && uri == "" {
		return fmt.Errorf("%w: encrypted image without URI or Integrated", ErrInvalid)
	}
	if uri == "" && !img.ValidateOnly {
		// Without a URI the manifest has no install step for this
		// component: a device could only check an image already there.
		return fmt.Errorf("%w: image has no URI and is not Integrated, so nothing installs it (set ValidateOnly for a manifest that only checks the image already on the device)", ErrInvalid)
	}
	if uri != "" {
		fetchParams := suit.Parameters{suit.ParamText(suit.ParamURI, uri)}
		if img.EncryptionInfo != nil {
			fetchParams = append(suit.Parameters{suit.ParamBytes(suit.ParamEncryptionInfo, img.EncryptionInfo)}, fetchParams...)
		}
		b.appendCommands(idx, suit.ManifestInstall,
			override(fetchParams...),
			directive(suit.DirectiveFetch),
			condition(suit.ConditionImageMatch))
	}
	b.finishImage(idx, img)
	return nil
}

// finishImage adds what every image gets whatever its install commands:
// the image check in validate, the invoke if asked, and its text.
func (b *Builder) finishImage(idx int, img *Image) {
	b.appendCommands(idx, suit.ManifestValidate, condition(suit.ConditionImageMatch))
	if img.Invoke {
		b.appendCommands(idx, suit.ManifestInvoke, directive(suit.DirectiveInvoke))
	}
	if len(img.Text) > 0 {
		b.components[idx].text = img.Text
	}
}
