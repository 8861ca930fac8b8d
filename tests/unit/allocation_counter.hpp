// A counting global operator new for the no-allocation tests of the query path (design §4 rule
// 6). It replaces the program's operator new, so include it from exactly one file of a test
// executable. Allocations are counted on the calling thread while `counting` is set.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>

// The replacement operators below pair malloc with free; GCC cannot see that through inlining.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

// AddressSanitizer replaces operator new itself; counting is left to the plain build, and a
// test checks kAllocationsCounted before relying on the count.
#ifndef __SANITIZE_ADDRESS__
inline constexpr bool kAllocationsCounted = true;
namespace {
thread_local bool counting = false;
thread_local std::size_t allocations = 0;
}  // namespace

void* operator new(std::size_t size) {
    if (counting) ++allocations;
    if (void* p = std::malloc(size ? size : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
#else
inline constexpr bool kAllocationsCounted = false;
namespace {
bool counting = false;
std::size_t allocations = 0;
}  // namespace
#endif
