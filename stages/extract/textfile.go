package extract

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
)

// TextFile is an open CSV, TSV or JSON Lines export: Read gives its bytes,
// decompressed when the file is gzip data; the raw file's sha256 and size
// are measured as it is read. Read is buffered only as far as gzip needs:
// wrap it in a bufio.Reader.
type TextFile struct {
	path string
	f    *os.File
	raw  meter     // the file's bytes, hashed and counted
	in   io.Reader // what Read gives
	gzip bool
}

// gzipBufSize is the buffer gzip reads the raw file through.
const gzipBufSize = 256 << 10

// OpenText opens src for reading as text. Gzip data is recognised by its
// magic bytes, whatever the name; a Source whose Gzip flag is set (it is
// named .gz) must hold gzip data. Errors are *FileError naming the file.
func OpenText(src Source) (*TextFile, error) {
	t, err := openMeasured(src.Path)
	if err != nil {
		return nil, err
	}
	if err := t.decode(src.Gzip); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// openMeasured opens path with the meter set up but nothing read: Finish
// then hashes the whole file. The Parquet reader uses it as it is, reading
// the file through ReadAt.
func openMeasured(path string) (*TextFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &FileError{File: path, Err: err}
	}
	return &TextFile{path: path, f: f, raw: meter{r: f, sum: sha256.New()}}, nil
}

// decode looks for the gzip magic and sets up Read.
func (t *TextFile) decode(named bool) error {
	// head is only as large as the peek: a Read larger than it, once its
	// bytes are taken, goes straight to the file, so the caller's buffer
	// is the only copy. A read error here is kept and returned by Read.
	head := bufio.NewReaderSize(&t.raw, 16)
	t.in = head
	magic, _ := head.Peek(2)
	if !bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		if named {
			return &FileError{File: t.path, Err: errors.New("named .gz but not gzip data")}
		}
		return nil
	}
	zr, err := gzip.NewReader(bufio.NewReaderSize(head, gzipBufSize))
	if err != nil {
		return &FileError{File: t.path, Err: fmt.Errorf("gzip: %w", err)}
	}
	t.in, t.gzip = zr, true
	return nil
}

// Read reads the file's decompressed bytes. Its errors are the underlying
// ones (a truncated gzip stream is io.ErrUnexpectedEOF); AsFileError makes
// a *FileError of one.
func (t *TextFile) Read(p []byte) (int, error) { return t.in.Read(p) }

// Gzip reports whether the file is gzip data.
func (t *TextFile) Gzip() bool { return t.gzip }

// Finish reads the rest of the raw file, which the reader of the text did
// not need (data after a parser stopped, a trailing gzip member, padding),
// and returns the sha256 (hex) and size of the whole file.
func (t *TextFile) Finish() (sha256hex string, size int64, err error) {
	if _, err := io.Copy(io.Discard, &t.raw); err != nil {
		return "", 0, &FileError{File: t.path, Err: err}
	}
	return hex.EncodeToString(t.raw.sum.Sum(nil)), t.raw.n, nil
}

// Close closes the file.
func (t *TextFile) Close() error { return t.f.Close() }

// meter hashes and counts the bytes read through it.
type meter struct {
	r   io.Reader
	sum hash.Hash
	n   int64
}

func (m *meter) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	m.sum.Write(p[:n])
	m.n += int64(n)
	return n, err
}

// AsFileError makes err, a problem with the whole file at path, a
// *FileError: one that already is gets path if it names no file; a truncated or
// corrupt gzip stream says so.
func AsFileError(path string, err error) error {
	var fe *FileError
	if errors.As(err, &fe) {
		if fe.File == "" {
			fe.File = path
		}
		return err
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) {
		err = fmt.Errorf("truncated or corrupt file: %w", err)
	}
	return &FileError{File: path, Err: err}
}
