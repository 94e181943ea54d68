package filter

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/pipeline"
)

// store holds the batches of a run between Process and Finish, by index in
// the order put saw them.
type store interface {
	// put keeps b; it borrows b.
	put(b arrow.RecordBatch) error
	// take returns batch i as a new reference the caller releases; the
	// store no longer holds it in memory. Each i is taken at most once.
	take(i int) (arrow.RecordBatch, error)
	// close releases or removes whatever the store holds; it is idempotent.
	close() error
}

// memStore retains the batches: the filter's memory is the whole run.
type memStore struct {
	batches []arrow.RecordBatch
}

func (s *memStore) put(b arrow.RecordBatch) error {
	b.Retain()
	s.batches = append(s.batches, b)
	return nil
}

func (s *memStore) take(i int) (arrow.RecordBatch, error) {
	b := s.batches[i] // the store's reference passes to the caller
	s.batches[i] = nil
	return b, nil
}

func (s *memStore) close() error {
	for _, b := range s.batches {
		if b != nil {
			b.Release()
		}
	}
	s.batches = nil
	return nil
}

// spillBuffer is the write buffer of a spill file: the IPC writer writes
// every buffer of every column separately.
const spillBuffer = 1 << 20

// spillFile writes the batches to one uncompressed Arrow IPC file in dir,
// created by the first put, and reads them back by position once the first
// take has written the footer. The file is removed by close.
type spillFile struct {
	mem  memory.Allocator
	dir  string
	f    *os.File
	buf  *bufio.Writer
	w    *ipc.FileWriter
	r    *ipc.FileReader
	done bool // closed: no put or take any more
}

func (s *spillFile) put(b arrow.RecordBatch) error {
	if s.done || s.r != nil {
		return errors.New("spill: put after Finish")
	}
	if s.w == nil {
		f, err := os.CreateTemp(s.dir, "filter-spill-*.arrow")
		if err != nil {
			return fmt.Errorf("spill: %w", err)
		}
		s.f = f
		s.buf = bufio.NewWriterSize(f, spillBuffer)
		w, err := ipc.NewFileWriter(s.buf, ipc.WithSchema(pipeline.RawSchema), ipc.WithAllocator(s.mem))
		if err != nil {
			return fmt.Errorf("spill %s: %w", f.Name(), err)
		}
		s.w = w
	}
	if err := s.w.Write(b); err != nil {
		return fmt.Errorf("spill %s: %w", s.f.Name(), err)
	}
	return nil
}

func (s *spillFile) take(i int) (arrow.RecordBatch, error) {
	if s.done {
		return nil, errors.New("spill: take after close")
	}
	if s.r == nil {
		if s.w == nil {
			return nil, fmt.Errorf("spill: no batch %d", i)
		}
		// The footer indexes the batches: write it, flush, then read.
		err := s.w.Close()
		s.w = nil
		if err == nil {
			err = s.buf.Flush()
		}
		if err != nil {
			return nil, fmt.Errorf("spill %s: %w", s.f.Name(), err)
		}
		r, err := ipc.NewFileReader(s.f, ipc.WithAllocator(s.mem), ipc.WithSchema(pipeline.RawSchema))
		if err != nil {
			return nil, fmt.Errorf("spill %s: %w", s.f.Name(), err)
		}
		s.r = r
	}
	b, err := s.r.RecordBatchAt(i)
	if err != nil {
		return nil, fmt.Errorf("spill %s: %w", s.f.Name(), err)
	}
	return b, nil
}

func (s *spillFile) close() error {
	if s.done {
		return nil
	}
	s.done = true
	var errs []error
	if s.w != nil {
		// Unfinished: the content is garbage, only the writer's
		// dictionaries and encoder need releasing.
		s.w.Close()
		s.w = nil
	}
	if s.r != nil {
		errs = append(errs, s.r.Close())
		s.r = nil
	}
	if s.f != nil {
		errs = append(errs, s.f.Close())
		// The directory may have gone first (the loader removes its
		// staging directory on abort): the file is gone with it.
		if err := os.Remove(s.f.Name()); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
		s.f = nil
	}
	return errors.Join(errs...)
}
