// Package build assembles unsigned SUIT envelopes for the common cases, so
// that an update server does not write command sequences by hand.
//
// A [Builder] turns one [Image] per component into a manifest that checks
// vendor and class, fetches each image (from a URI or an integrated
// payload), checks its digest at install and again at validate, and
// optionally invokes it; A/B slots become the draft's try-each over
// component slots. [DeltaUpdate] makes a delta update: it diffs the old and
// the new image with package delta and writes the manifest that applies the
// patch, checking the old image first (the authenticated precursor) and the
// result after, so the digests in the manifest are always those of the
// images the patch was made from.
//
// The output is an unsigned envelope: signing is package sign's job, and
// severing is suit.Sever's, so a built envelope is severed exactly as one
// written by hand would be. The builder is a package of its own because it
// is the only SUIT code that needs the differ and its compressors; servers
// and tools import it, devices never do.
package build
