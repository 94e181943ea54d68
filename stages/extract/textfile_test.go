package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/actsync/actsync/internal/pipelinetest"
)

// TestOpenText checks the text a TextFile gives, its Gzip flag, the errors
// of OpenText and Read, and that Finish measures the whole raw file however
// much of the text was read.
func TestOpenText(t *testing.T) {
	// Random hex compresses to about half, so the gzip form of big is
	// larger than the buffer gzip reads the file through: a reader that
	// stops early leaves raw bytes unread for Finish.
	rng := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	b.WriteString("id,email\n")
	for i := 1; b.Len() < 1<<20; i++ {
		fmt.Fprintf(&b, "%d,%016x@example.com\n", i, rng.Uint64())
	}
	big := []byte(b.String())
	small := []byte("id,email\n1,a@example.com\n")
	bigGz := pipelinetest.Gzip(t, big)
	if len(bigGz) <= gzipBufSize {
		t.Fatalf("gzip of big is %d bytes, want more than %d", len(bigGz), gzipBufSize)
	}
	twoMembers := append(pipelinetest.Gzip(t, small), pipelinetest.Gzip(t, []byte("2,b@example.com\n"))...)

	tests := []struct {
		name  string
		file  string
		raw   []byte // the file; nil: no file
		named bool   // Source.Gzip, as Discover sets it from a .gz name
		// read is how many text bytes to read before Finish; -1 reads to
		// the end.
		read    int
		text    []byte // the text read is its prefix (all of it for -1)
		gzip    bool
		openErr string // OpenText fails with this
		readErr string // reading fails with this, through AsFileError
	}{
		{name: "plain", file: "a.csv", raw: small, read: -1, text: small},
		{name: "plain, stopped early", file: "a.csv", raw: big, read: 100, text: big},
		{name: "empty", file: "a.csv", raw: []byte{}, read: -1, text: []byte{}},
		{name: "one byte", file: "a.csv", raw: []byte{0x1f}, read: -1, text: []byte{0x1f}},
		{name: "gzip", file: "a.csv.gz", raw: pipelinetest.Gzip(t, small), named: true, read: -1, text: small, gzip: true},
		{name: "gzip, stopped early", file: "a.csv.gz", raw: bigGz, named: true, read: 100, text: big, gzip: true},
		{name: "gzip read to the end", file: "a.csv.gz", raw: bigGz, named: true, read: -1, text: big, gzip: true},
		{name: "gzip not named .gz", file: "a.csv", raw: pipelinetest.Gzip(t, small), read: -1, text: small, gzip: true},
		{name: "two gzip members", file: "a.csv.gz", raw: twoMembers, named: true, read: -1,
			text: []byte("id,email\n1,a@example.com\n2,b@example.com\n"), gzip: true},
		{name: "named .gz but plain", file: "a.csv.gz", raw: small, named: true, openErr: "named .gz but not gzip data"},
		{name: "gzip cut in the header", file: "a.csv.gz", raw: bigGz[:5], named: true, openErr: "gzip: unexpected EOF"},
		{name: "gzip cut in the middle", file: "a.csv.gz", raw: bigGz[:len(bigGz)/2], named: true, read: -1, text: big, gzip: true,
			readErr: "truncated or corrupt file: unexpected EOF"},
		{name: "missing file", file: "gone.csv", openErr: "open "}, // and os.ErrNotExist
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tt.file)
			if tt.raw != nil {
				pipelinetest.WriteFile(t, filepath.Dir(path), tt.file, tt.raw)
			}
			f, err := OpenText(Source{Path: path, Format: CSV, Gzip: tt.named})
			if tt.openErr != "" {
				if f != nil {
					f.Close()
					t.Errorf("OpenText returned a file along with its error")
				}
				checkFileError(t, err, path, tt.openErr)
				if tt.raw == nil && !errors.Is(err, os.ErrNotExist) {
					t.Errorf("error %v does not wrap os.ErrNotExist", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("OpenText: %v", err)
			}
			defer f.Close()
			if f.Gzip() != tt.gzip {
				t.Errorf("Gzip() = %v, want %v", f.Gzip(), tt.gzip)
			}

			var got []byte
			if tt.read < 0 {
				got, err = io.ReadAll(f)
			} else {
				got = make([]byte, tt.read)
				_, err = io.ReadFull(f, got)
			}
			if tt.readErr != "" {
				checkFileError(t, AsFileError(path, err), path, tt.readErr)
			} else if err != nil {
				t.Fatalf("reading: %v", err)
			}
			switch {
			case !bytes.HasPrefix(tt.text, got):
				t.Errorf("read %d bytes that are not a prefix of the text", len(got))
			case tt.readErr == "" && tt.read < 0 && len(got) != len(tt.text):
				t.Errorf("read %d bytes to the end, want all %d of the text", len(got), len(tt.text))
			case tt.read >= 0 && len(got) != tt.read:
				t.Errorf("read %d bytes, want %d", len(got), tt.read)
			}

			sum, n, err := f.Finish()
			if err != nil {
				t.Fatalf("Finish: %v", err)
			}
			checkDigest(t, path, sum, n)
		})
	}
}

// checkFileError checks that err is a *FileError for path whose message
// contains want.
func checkFileError(t *testing.T, err error, path, want string) {
	t.Helper()
	var fe *FileError
	if !errors.As(err, &fe) || fe.File != path {
		t.Fatalf("error = %#v, want a *FileError with File %s", err, path)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error = %q, want it to contain %q", err, want)
	}
}

func TestAsFileError(t *testing.T) {
	other := errors.New("disk on fire")
	tests := []struct {
		name string
		err  error
		want string // the message, for path "p"
		is   error  // it still wraps this
	}{
		{"plain error", other, "p: disk on fire", other},
		{"truncated", io.ErrUnexpectedEOF, "p: truncated or corrupt file: unexpected EOF", io.ErrUnexpectedEOF},
		{"wrapped truncated", fmt.Errorf("reading: %w", io.ErrUnexpectedEOF), "p: truncated or corrupt file: reading: unexpected EOF", io.ErrUnexpectedEOF},
		{"file error without a file", &FileError{Line: 7, Err: other}, "p:7: disk on fire", other},
		{"file error of another file", &FileError{File: "q", Err: other}, "q: disk on fire", other},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := AsFileError("p", tt.err)
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("AsFileError = %#v, want a *FileError", err)
			}
			if err.Error() != tt.want || !errors.Is(err, tt.is) {
				t.Errorf("AsFileError = %q, want %q wrapping %v", err, tt.want, tt.is)
			}
		})
	}
}
