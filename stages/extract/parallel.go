package extract

import (
	"bytes"
	"io"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/actsync/actsync/pipeline"
)

// defaultBlockSize is the size of the blocks a parallel CSV/TSV read splits
// a file into: large enough that splitting and hand-off cost nothing next to
// parsing, small enough that 2×workers of them in flight stay a few tens of
// MiB.
const defaultBlockSize = 4 << 20

// A block is a run of whole records of one file, cut by the splitter, and
// what a parser made of it. The parser's results are valid once done is
// closed.
type block struct {
	data []byte
	line int64 // line of data[0]
	err  error // the read error that ended the input after data, if any
	done chan struct{}

	// seq means the block must be parsed by the sequential parser, from
	// its first byte on: its parser hit a quote error, which a split
	// inside a quoted field can cause, or err is set.
	seq     bool
	batches []arrow.RecordBatch
	rejects []pipeline.Reject
	rows    int64 // records read, rejected or not
}

func (b *block) release() {
	for _, p := range b.batches {
		p.Release()
	}
	b.batches, b.rejects, b.rows = nil, nil, 0
}

// splitter reads one CSV/TSV input after its header, cuts it into blocks at
// record boundaries and has them parsed concurrently; next returns the
// parsed blocks in input order.
//
// A newline is a record boundary when an even number of '"' precede it:
// that holds for every file encoding/csv parses without a quote error,
// because then every quote opens or closes a quoted field or is one of a
// doubled pair inside it. A block starting at a boundary that parses
// without a quote error therefore parses exactly as the sequential reader
// would, and ends at a boundary. The first block that does not is marked
// seq, and the reader parses the rest of the input sequentially from its
// first byte (fallback).
//
// Goroutines: one splitter and Workers parsers, started by the first call to
// next unless the input fits in one block, which is then parsed by the
// caller; stop ends them. At most 2×Workers blocks are cut and not yet taken
// by next: the splitter blocks on the ordered channel (backpressure).
type splitter struct {
	in      io.Reader
	line    int64 // line of the next byte of in
	size    int
	workers int
	parse   func(*block)

	started bool
	ordered chan *block // every block, in input order
	work    chan *block // blocks to parse
	free    chan []byte // buffers of blocks next's caller is done with
	quit    chan struct{}
	stopped bool
	abandon atomic.Bool // set on fallback: parse no more blocks
	wg      sync.WaitGroup
}

func newSplitter(in io.Reader, line int64, opts Options, parse func(*block)) *splitter {
	return &splitter{in: in, line: line, size: opts.blockSize, workers: opts.Workers, parse: parse}
}

// next returns the next block in input order once it is parsed, or false
// when the input is exhausted. The caller owns the block's batches.
func (s *splitter) next() (*block, bool) {
	if !s.started {
		s.start()
	}
	b, ok := <-s.ordered
	if !ok {
		return nil, false
	}
	<-b.done
	return b, true
}

// start reads the first block. An input that ends within it is parsed here,
// with no goroutine; otherwise the splitter and the parsers start.
func (s *splitter) start() {
	s.started = true
	s.quit = make(chan struct{})
	sc := &scanner{}
	buf, eof, err := s.fill(make([]byte, 0, s.size))
	if eof || err != nil {
		s.ordered = make(chan *block, 1)
		if len(buf) > 0 || err != nil {
			b := &block{data: buf, line: s.line, err: err, seq: err != nil, done: make(chan struct{})}
			if !b.seq {
				s.parse(b)
			}
			close(b.done)
			s.ordered <- b
		}
		close(s.ordered)
		return
	}
	s.ordered = make(chan *block, 2*s.workers)
	s.work = make(chan *block, s.workers)
	s.free = make(chan []byte, 2*s.workers+2)
	s.wg.Add(1 + s.workers)
	go s.split(buf, sc)
	for range s.workers {
		go func() {
			defer s.wg.Done()
			for b := range s.work {
				if !s.abandon.Load() {
					s.parse(b)
				}
				close(b.done)
			}
		}()
	}
}

// fill reads into buf up to its capacity, reporting the end of the input
// (eof) or a read error.
func (s *splitter) fill(buf []byte) (_ []byte, eof bool, err error) {
	for len(buf) < cap(buf) {
		n, err := s.in.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, true, nil
		}
		if err != nil {
			return buf, true, err
		}
	}
	return buf, false, nil
}

// split is the splitter goroutine: it cuts buf, and what follows it in the
// input, into blocks and hands them out.
func (s *splitter) split(buf []byte, sc *scanner) {
	defer s.wg.Done()
	defer close(s.work)
	defer close(s.ordered)
	for {
		cut := len(buf)
		if !s.abandon.Load() {
			// After a fallback the blocks are only a stream of bytes to
			// the sequential parser: no need to find boundaries.
			cut = sc.scan(buf)
		}
		if cut <= 0 {
			// No boundary yet (a record longer than the block): read on.
			grown := make([]byte, len(buf), 2*cap(buf))
			copy(grown, buf)
			grown, eof, err := s.fill(grown)
			if eof || err != nil {
				s.emit(grown, err)
				return
			}
			buf = grown
			continue
		}
		next := s.buffer(len(buf) - cut)
		copy(next, buf[cut:])
		sc.rebase(cut)
		if !s.emit(buf[:cut], nil) {
			return
		}
		next, eof, err := s.fill(next)
		if eof || err != nil {
			s.emit(next, err)
			return
		}
		buf = next
	}
}

// buffer returns a buffer of length n for the next block, reusing one
// whose block has been taken where it can: fresh 4 MiB buffers cost page
// faults and GC work.
func (s *splitter) buffer(n int) []byte {
	want := max(s.size, 2*n)
	select {
	case buf := <-s.free:
		if cap(buf) >= want {
			return buf[:n]
		}
	default:
	}
	return make([]byte, n, want)
}

// recycle gives b's buffer back for another block; b's caller must be done
// with b.data, which the block's batches and rejects do not reference.
func (s *splitter) recycle(b *block) {
	if s.free != nil && b.data != nil {
		select {
		case s.free <- b.data[:0]:
		default:
		}
	}
	b.data = nil
}

// emit hands one block out, to the parsers and in order to next. It
// reports false when the splitter is stopped. The last block (data up to
// the end of the input or a read error) may be empty, which is not sent
// unless it carries an error.
func (s *splitter) emit(data []byte, err error) bool {
	if len(data) == 0 && err == nil {
		return true
	}
	b := &block{data: data, line: s.line, err: err, seq: err != nil, done: make(chan struct{})}
	s.line += int64(bytes.Count(data, []byte{'\n'}))
	select {
	case s.ordered <- b:
	case <-s.quit:
		return false
	}
	if b.seq {
		close(b.done)
		return true
	}
	select {
	case s.work <- b:
		return true
	case <-s.quit:
		close(b.done)
		return false
	}
}

// fallback switches the splitter to feeding the sequential parser: it
// returns the input from b's first byte on. Blocks parsed ahead are
// released as the stream passes them.
func (s *splitter) fallback(b *block) io.Reader {
	s.abandon.Store(true)
	b.release()
	return &blockStream{s: s, b: b, cur: b.data, err: b.err}
}

// stop ends the goroutines, if started, and releases the batches of the
// blocks not taken by next. It may be called more than once.
func (s *splitter) stop() {
	if s.stopped || !s.started {
		return
	}
	s.stopped = true
	s.abandon.Store(true)
	close(s.quit)
	s.wg.Wait()
	for b := range s.ordered {
		<-b.done
		b.release()
	}
}

// blockStream reads the data of blocks in order, starting with cur, then
// returns the error that ended the input, or io.EOF.
type blockStream struct {
	s   *splitter
	b   *block // the block cur is the rest of
	cur []byte
	err error
}

func (bs *blockStream) Read(p []byte) (int, error) {
	for len(bs.cur) == 0 {
		if bs.err != nil {
			return 0, bs.err
		}
		bs.s.recycle(bs.b)
		b, ok := bs.s.next()
		if !ok {
			return 0, io.EOF
		}
		b.release() // parsed before the fallback was seen
		bs.b, bs.cur, bs.err = b, b.data, b.err
	}
	n := copy(p, bs.cur)
	bs.cur = bs.cur[n:]
	return n, nil
}

// scanner finds record boundaries in a buffer that grows at its end: the
// end of the last newline preceded by an even number of quotes since the
// buffer's start, which is itself a boundary.
type scanner struct {
	pos int  // bytes of the buffer scanned
	odd bool // an odd number of quotes in buf[:pos]
	cut int  // the last boundary found in buf[:pos], 0 for none
}

// scan scans the rest of buf and returns the last boundary, or 0.
func (sc *scanner) scan(buf []byte) int {
	tail := buf[sc.pos:]
	endOdd := sc.odd != (bytes.Count(tail, []byte{'"'})%2 == 1)
	// Walk back over the newlines of tail: the quotes after each one
	// decide its parity.
	odd := endOdd
	end := len(tail)
	for {
		nl := bytes.LastIndexByte(tail[:end], '\n')
		if nl < 0 {
			break
		}
		if bytes.Count(tail[nl+1:end], []byte{'"'})%2 == 1 {
			odd = !odd
		}
		if !odd {
			sc.cut = sc.pos + nl + 1
			break
		}
		end = nl
	}
	sc.pos, sc.odd = len(buf), endOdd
	return sc.cut
}

// rebase drops the first cut bytes of the buffer, up to a boundary.
func (sc *scanner) rebase(cut int) {
	sc.pos -= cut
	sc.cut = 0
}
