// Package diffcore is the differ behind package delta/differ: suffix
// array, matcher, block builder and compressors. It does not import
// package delta (it shares the format with the applier through
// delta/internal/format), so delta's own tests can make patches with it;
// users call delta/differ.
package diffcore
