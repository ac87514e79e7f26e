module github.com/suitkit/suitkit

go 1.26

require (
	github.com/fxamacker/cbor/v2 v2.10.0
	github.com/klauspost/compress v1.20.4
	github.com/ulikunitz/xz v0.5.17
	github.com/veraison/go-cose v1.3.0
	go.yaml.in/yaml/v3 v3.0.6
)

require github.com/x448/float16 v0.8.4 // indirect
