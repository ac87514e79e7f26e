package text

import (
	"strings"

	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/suit/internal/cbornode"
	"github.com/suitkit/suitkit/suit/internal/schema"
)

// This file reads the values of the text form that have authoring
// conveniences: digests (given, computed from a file, or computed from the
// envelope's copy of a severed element) and UUIDs (given, or UUIDv5 of a
// name).

// severedDigest converts the digest of a severed element; without
// suit-digest-bytes it is computed over the envelope's copy of the element.
func (r *textIn) severedDigest(t *tnode, key int64, path string) (*cbornode.Node, error) {
	if _, ok := t.get(tnDigestBytes); ok || t.kind != tnObject {
		return r.digest(t, path)
	}
	item, ok := r.severed[key]
	if !ok {
		return nil, textErrf(path, "no digest bytes given and the envelope holds no element %d to compute them from", key)
	}
	alg, err := r.digestAlg(t, path)
	if err != nil {
		return nil, err
	}
	return digestItem(alg, item, path)
}

func digestItem(alg int64, data []byte, path string) (*cbornode.Node, error) {
	d, err := suit.ComputeDigest(alg, data)
	if err != nil {
		return nil, textErrf(path, "%v", err)
	}
	return cbornode.Array(cbornode.Int(d.Algorithm), cbornode.Bytes(d.Value)), nil
}

func (r *textIn) digestAlg(t *tnode, path string) (int64, error) {
	a, ok := t.get(tnDigestAlg)
	if !ok {
		return suit.AlgSHA256, nil
	}
	p := joinPath(path, tnDigestAlg)
	if a.kind == tnString {
		if v, ok := schema.DigestAlgByName(a.s); ok {
			return v, nil
		}
		return 0, textErrf(p, "unknown digest algorithm %q", a.s)
	}
	n, err := textNumber(a, p)
	if err != nil {
		return 0, err
	}
	v, ok := n.Int64()
	if !ok {
		return 0, textErrf(p, "algorithm out of range")
	}
	return v, nil
}

// digest converts {"suit-digest-algorithm-id", "suit-digest-bytes"} or
// {"file": path[, "suit-digest-algorithm-id"]} to a SUIT_Digest array.
func (r *textIn) digest(t *tnode, path string) (*cbornode.Node, error) {
	if n, ok, err := r.rawEscape(t, path); ok {
		return n, err
	}
	if t.kind != tnObject {
		return nil, textErrf(path, "a digest is an object with %s and %s, or {%q: path}", tnDigestAlg, tnDigestBytes, tnFile)
	}
	for _, k := range t.keys {
		if k != tnDigestAlg && k != tnDigestBytes && k != tnFile {
			return nil, textErrf(joinPath(path, k), "unknown digest member")
		}
	}
	if _, ok := t.get(tnFile); ok {
		alg, err := r.digestAlg(t, path)
		if err != nil {
			return nil, err
		}
		data, err := r.files.fromSpec(t, path)
		if err != nil {
			return nil, err
		}
		return digestItem(alg, data, path)
	}
	bt, ok := t.get(tnDigestBytes)
	if !ok {
		return nil, textErrf(path, "digest without %s or %s", tnDigestBytes, tnFile)
	}
	b, err := textHex(bt, joinPath(path, tnDigestBytes))
	if err != nil {
		return nil, err
	}
	// A number is taken as it is (any CBOR integer round-trips); a name
	// must be known.
	var algItem *cbornode.Node
	if a, ok := t.get(tnDigestAlg); ok && a.kind == tnNumber {
		algItem, err = textNumber(a, joinPath(path, tnDigestAlg))
	} else {
		var alg int64
		alg, err = r.digestAlg(t, path)
		algItem = cbornode.Int(alg)
	}
	if err != nil {
		return nil, err
	}
	return cbornode.Array(algItem, cbornode.Bytes(b)), nil
}

// uuid converts a UUID string, {"uuid5-dns": name} or
// {"uuid5": {"namespace": ns, "name": name}}; any other string is hex.
func (r *textIn) uuid(t *tnode, path string) (*cbornode.Node, error) {
	switch t.kind {
	case tnString:
		if strings.Contains(t.s, "-") {
			u, err := suit.ParseUUID(t.s)
			if err != nil {
				return nil, textErrf(path, "%v", err)
			}
			return cbornode.Bytes(u.Bytes()), nil
		}
		b, err := textHex(t, path)
		if err != nil {
			return nil, err
		}
		return cbornode.Bytes(b), nil
	case tnObject:
		k, v, ok := t.single()
		if ok && k == tnUUID5DNS && v.kind == tnString {
			return cbornode.Bytes(suit.NewUUID5(suit.NamespaceDNS, []byte(v.s)).Bytes()), nil
		}
		if ok && k == tnUUID5 && v.kind == tnObject {
			ns, _ := v.get(tnUUIDNamespace)
			name, _ := v.get(tnUUIDName)
			if ns == nil || name == nil || ns.kind != tnString || name.kind != tnString || len(v.keys) != 2 {
				return nil, textErrf(joinPath(path, tnUUID5), "want {%q: uuid or dns/url/oid/x500, %q: string}", tnUUIDNamespace, tnUUIDName)
			}
			var nsID suit.UUID
			switch strings.ToLower(ns.s) {
			case "dns":
				nsID = suit.NamespaceDNS
			case "url":
				nsID = suit.NamespaceURL
			case "oid":
				nsID = suit.NamespaceOID
			case "x500":
				nsID = suit.NamespaceX500
			default:
				var err error
				if nsID, err = suit.ParseUUID(ns.s); err != nil {
					return nil, textErrf(joinPath(path, tnUUID5), "%v", err)
				}
			}
			return cbornode.Bytes(suit.NewUUID5(nsID, []byte(name.s)).Bytes()), nil
		}
	}
	return nil, textErrf(path, "want a UUID string, {%q: name} or {%q: {...}}", tnUUID5DNS, tnUUID5)
}
