// One seedable random source per worker (semantics §8 point 13): fixed seed -> exact sequence.
#pragma once

#include <cstdint>

namespace r53::resolver {

class Random {
  public:
    explicit Random(uint64_t seed = 0x9E3779B97F4A7C15ull) noexcept : state_(seed) {}
    uint64_t next() noexcept {  // splitmix64
        uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // Uniform in [0, bound); bound > 0.
    uint64_t below(uint64_t bound) noexcept { return next() % bound; }

  private:
    uint64_t state_;
};

}  // namespace r53::resolver
