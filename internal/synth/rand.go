package synth

import "math/rand/v2"

// Stream identifiers keep the generators of different purposes independent.
const (
	streamPerson uint64 = iota + 1
	streamRender
	streamMutate
	streamSelect
	streamDup
	streamCompany
	streamReps
	streamActivity
	streamSFID
)

const golden = 0x9e3779b97f4a7c15

// mix64 is the splitmix64 finaliser.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// hash derives a 64-bit value from (seed, stream, a, b).
func hash(seed int64, stream, a, b uint64) uint64 {
	h := mix64(uint64(seed) + stream*golden)
	h = mix64(h ^ (a + golden))
	h = mix64(h ^ (b + 0xd1b54a32d192ed03))
	return h
}

// unit maps a hash to [0, 1).
func unit(h uint64) float64 {
	return float64(h>>11) * (1.0 / (1 << 53))
}

// rng is a re-seedable PCG generator. It must not be copied after init.
type rng struct {
	pcg rand.PCG
	*rand.Rand
}

func (r *rng) init() { r.Rand = rand.New(&r.pcg) }

// reset re-seeds r from (seed, stream, a, b), so that whatever it produces
// next depends only on those values.
func (r *rng) reset(seed int64, stream, a, b uint64) {
	r.pcg.Seed(hash(seed, stream, a, b), hash(seed, stream^0x5bd1e995, b, a))
}

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return r.Float64() < p }
