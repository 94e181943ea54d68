package extract

import (
	"bytes"
	"io"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/actsync/actsync/pipeline"
)

// DefaultBlockSize is the size of the blocks a parallel CSV/TSV read splits
// a file into: large enough that splitting and hand-off cost nothing next to
// parsing, small enough that 2×workers of them in flight stay a few tens of
// MiB.
const DefaultBlockSize = 4 << 20

// A Block is a run of whole records of one file, cut by a Splitter, and
// what a parser made of it: Arrow batches and rejects of type R, in input
// order. The parser's results are valid once Splitter.Next returns the
// block.
type Block[R any] struct {
	Data []byte
	Line int64 // line of Data[0]
	Err  error // the read error that ended the input after Data, if any
	done chan struct{}

	// Seq means the block must be parsed by the sequential parser, from
	// its first byte on (Splitter.Fallback): its parser was not sure that
	// it parsed the block as the sequential parser would (a quote error,
	// which a split inside a quoted field can cause, or a record still
	// open at the block's end), or Err is set. A parser that sets it
	// calls Release.
	Seq     bool
	Batches []arrow.RecordBatch
	Rejects []R
	Rows    int64 // records read, rejected or not
}

// Release releases the block's batches and forgets its results.
func (b *Block[R]) Release() {
	for _, p := range b.Batches {
		p.Release()
	}
	b.Batches, b.Rejects, b.Rows = nil, nil, 0
}

// block is the people reader's block.
type block = Block[pipeline.Reject]

// Splitter reads one CSV/TSV input after its header, cuts it into blocks at
// record boundaries and has them parsed concurrently; Next returns the
// parsed blocks in input order. The people reader and the activities reader
// both parse big files through one: each brings its own parse function,
// which turns a block's records into its own Arrow batches and rejects.
//
// A newline is a record boundary when an even number of '"' precede it:
// that holds for every file encoding/csv parses without a quote error,
// because then every quote opens or closes a quoted field or is one of a
// doubled pair inside it. A block starting at a boundary that parses
// without a quote error therefore parses exactly as the sequential reader
// would, and ends at a boundary. The first block that does not is marked
// Seq, and the reader parses the rest of the input sequentially from its
// first byte (Fallback). A parser whose dialect is laxer than RFC 4180 (the
// activities scanner) relies on this instead: a block it parses to the end
// with no record left open parses as it would sequentially, wherever the
// cut fell, because the sequential parser decides each record from its
// own lines alone.
//
// Goroutines: one splitter and workers parsers, started by the first call to
// Next unless the input fits in one block, which is then parsed by the
// caller; Stop ends them, and must be called unless Next has returned
// false. At most 2×workers blocks are cut and not yet taken by Next: the
// splitter blocks on the ordered channel (backpressure).
type Splitter[R any] struct {
	in      io.Reader
	line    int64 // line of the next byte of in
	size    int
	workers int
	parse   func(*Block[R])

	started bool
	ordered chan *Block[R] // every block, in input order
	work    chan *Block[R] // blocks to parse
	free    chan []byte    // buffers of blocks next's caller is done with
	quit    chan struct{}
	stopped bool
	abandon atomic.Bool // set on fallback: parse no more blocks
	wg      sync.WaitGroup
}

// NewSplitter returns a splitter of in, whose first byte is on the given
// line and at a record boundary, into blocks of about blockSize bytes
// (DefaultBlockSize when 0) parsed by parse on workers goroutines. parse
// must be safe for concurrent use.
func NewSplitter[R any](in io.Reader, line int64, workers, blockSize int, parse func(*Block[R])) *Splitter[R] {
	if blockSize <= 0 {
		blockSize = DefaultBlockSize
	}
	return &Splitter[R]{in: in, line: line, size: blockSize, workers: max(workers, 1), parse: parse}
}

// Next returns the next block in input order once it is parsed, or false
// when the input is exhausted. The caller owns the block's batches; it
// hands the block back with Recycle once done with its Data.
func (s *Splitter[R]) Next() (*Block[R], bool) {
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
func (s *Splitter[R]) start() {
	s.started = true
	s.quit = make(chan struct{})
	sc := &scanner{}
	buf, eof, err := s.first()
	if eof || err != nil {
		s.ordered = make(chan *Block[R], 1)
		if len(buf) > 0 || err != nil {
			b := &Block[R]{Data: buf, Line: s.line, Err: err, Seq: err != nil, done: make(chan struct{})}
			if !b.Seq {
				s.parse(b)
			}
			close(b.done)
			s.ordered <- b
		}
		close(s.ordered)
		return
	}
	s.ordered = make(chan *Block[R], 2*s.workers)
	s.work = make(chan *Block[R], s.workers)
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

// first reads the first block. Its buffer grows from a small one, so that
// a small file does not cost a block-sized allocation.
func (s *Splitter[R]) first() (buf []byte, eof bool, err error) {
	buf = make([]byte, 0, min(s.size, 64<<10))
	for {
		buf, eof, err = s.fill(buf)
		if eof || err != nil || cap(buf) >= s.size {
			return buf, eof, err
		}
		grown := make([]byte, len(buf), min(s.size, 2*cap(buf)))
		copy(grown, buf)
		buf = grown
	}
}

// fill reads into buf up to its capacity, reporting the end of the input
// (eof) or a read error.
func (s *Splitter[R]) fill(buf []byte) (_ []byte, eof bool, err error) {
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
func (s *Splitter[R]) split(buf []byte, sc *scanner) {
	defer s.wg.Done()
	defer close(s.work)
	defer close(s.ordered)
	seq := false // cut no more: the rest goes to the sequential parser
	for {
		cut := len(buf)
		if !seq && !s.abandon.Load() {
			// After a fallback the blocks are only a stream of bytes to
			// the sequential parser: no need to find boundaries.
			cut = sc.scan(buf)
		}
		if cut <= 0 && cap(buf) >= maxGrowth*s.size {
			// No boundary in many blocks' worth of input: an open quote
			// (or a laxer dialect's stray one) has thrown the parity
			// off. Rather than read the rest of the file into memory,
			// hand it all to the sequential parser, which streams.
			seq, cut = true, len(buf)
		}
		if cut <= 0 {
			// No boundary yet (a record longer than the block): read on.
			grown := make([]byte, len(buf), 2*cap(buf))
			copy(grown, buf)
			grown, eof, err := s.fill(grown)
			if eof || err != nil {
				s.emit(grown, err, seq)
				return
			}
			buf = grown
			continue
		}
		next := s.buffer(len(buf) - cut)
		copy(next, buf[cut:])
		sc.rebase(cut)
		if !s.emit(buf[:cut], nil, seq) {
			return
		}
		next, eof, err := s.fill(next)
		if eof || err != nil {
			s.emit(next, err, seq)
			return
		}
		buf = next
	}
}

// maxGrowth is how many block sizes a block may grow to while no record
// boundary is found in it.
const maxGrowth = 8

// buffer returns a buffer of length n for the next block, reusing one
// whose block has been taken where it can: fresh 4 MiB buffers cost page
// faults and GC work.
func (s *Splitter[R]) buffer(n int) []byte {
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

// Recycle gives b's buffer back for another block; b's caller must be done
// with b.Data, which the block's batches and rejects must not reference.
func (s *Splitter[R]) Recycle(b *Block[R]) {
	if s.free != nil && b.Data != nil {
		select {
		case s.free <- b.Data[:0]:
		default:
		}
	}
	b.Data = nil
}

// emit hands one block out, to the parsers and in order to Next; a block
// marked seq goes to Next only. It reports false when the splitter is
// stopped. The last block (data up to the end of the input or a read
// error) may be empty, which is not sent unless it carries an error.
func (s *Splitter[R]) emit(data []byte, err error, seq bool) bool {
	if len(data) == 0 && err == nil {
		return true
	}
	b := &Block[R]{Data: data, Line: s.line, Err: err, Seq: seq || err != nil, done: make(chan struct{})}
	s.line += int64(bytes.Count(data, []byte{'\n'}))
	select {
	case s.ordered <- b:
	case <-s.quit:
		return false
	}
	if b.Seq {
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

// Taken is what Take returns: one of a block's results, the input to
// parse sequentially, or the end.
type Taken[R any] struct {
	Batches []arrow.RecordBatch // the caller owns them
	Rejects []R
	Rows    int64     // records read, rejected or not
	Rest    io.Reader // non-nil: parse the rest sequentially from here
	Line    int64     // the line of Rest's first byte
	Done    bool      // the input is exhausted and the splitter stopped
}

// Take is Next for a reader that hands each block's results on and falls
// back to its sequential parser on a block marked Seq: it returns the next
// block's results (recycling its buffer), or for a Seq block the input from
// its first byte on (Fallback), or Done once the input is exhausted, having
// stopped the splitter so that the rest of the file may be read.
func (s *Splitter[R]) Take() Taken[R] {
	b, ok := s.Next()
	if !ok {
		s.Stop()
		return Taken[R]{Done: true}
	}
	if b.Seq {
		return Taken[R]{Rest: s.Fallback(b), Line: b.Line}
	}
	t := Taken[R]{Batches: b.Batches, Rejects: b.Rejects, Rows: b.Rows}
	b.Batches = nil
	s.Recycle(b)
	return t
}

// Fallback switches the splitter to feeding the sequential parser: it
// returns the input from b's first byte on, b being the block Next just
// returned, marked Seq. Blocks parsed ahead are released as the stream
// passes them. The splitter must still be stopped.
func (s *Splitter[R]) Fallback(b *Block[R]) io.Reader {
	s.abandon.Store(true)
	b.Release()
	return &blockStream[R]{s: s, b: b, cur: b.Data, err: b.Err}
}

// Stop ends the goroutines, if started, and releases the batches of the
// blocks not taken by Next. It may be called more than once.
func (s *Splitter[R]) Stop() {
	if s.stopped || !s.started {
		return
	}
	s.stopped = true
	s.abandon.Store(true)
	close(s.quit)
	s.wg.Wait()
	for b := range s.ordered {
		<-b.done
		b.Release()
	}
}

// blockStream reads the data of blocks in order, starting with cur, then
// returns the error that ended the input, or io.EOF.
type blockStream[R any] struct {
	s   *Splitter[R]
	b   *Block[R] // the block cur is the rest of
	cur []byte
	err error
}

func (bs *blockStream[R]) Read(p []byte) (int, error) {
	for len(bs.cur) == 0 {
		if bs.err != nil {
			return 0, bs.err
		}
		bs.s.Recycle(bs.b)
		b, ok := bs.s.Next()
		if !ok {
			return 0, io.EOF
		}
		b.Release() // parsed before the fallback was seen
		bs.b, bs.cur, bs.err = b, b.Data, b.Err
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
