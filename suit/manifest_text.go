package suit

// Text is SUIT_Text_Map (manifest key 23, severable):
// { + language-tag => { int => tstr, * SUIT_Component_Identifier => { int => tstr } } }.
type Text struct {
	// Raw is the exact bstr content this value was decoded from; nil when
	// built.
	Raw []byte
	// Languages in encoded-key order (decoding preserves the received,
	// sorted order; encoding sorts).
	Languages []TextLanguage
}

// TextLanguage holds the text of one language tag, e.g. "en-US".
type TextLanguage struct {
	Tag string
	// Manifest holds the manifest-level entries (1 manifest-description,
	// 2 update-description, 3 json-source, 4 yaml-source, ...).
	Manifest []TextEntry
	// Components holds per-component entries.
	Components []ComponentText
	// Extensions holds members with other key types, verbatim.
	Extensions []RawEntry
}

// TextEntry is one int => tstr member.
type TextEntry struct {
	Key   int64
	Value string
}

// ComponentText holds the text of one component (1 vendor-name, 2
// model-name, 3 vendor-domain, 4 model-info, 5 component-description, 6
// component-version, 7 version-required, 8 current-version).
type ComponentText struct {
	Component ComponentID
	Entries   []TextEntry
}

// Lookup returns the manifest-level text with the given key.
func (l *TextLanguage) Lookup(key int64) (string, bool) {
	for _, e := range l.Manifest {
		if e.Key == key {
			return e.Value, true
		}
	}
	return "", false
}

// ComponentLookup returns the text with the given key for component c.
func (l *TextLanguage) ComponentLookup(c ComponentID, key int64) (string, bool) {
	for _, ct := range l.Components {
		if ct.Component.Equal(c) {
			for _, e := range ct.Entries {
				if e.Key == key {
					return e.Value, true
				}
			}
		}
	}
	return "", false
}
