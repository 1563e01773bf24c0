// One entry point per fuzz target, compiled two ways: for libFuzzer (scripts/fuzz.sh, clang) it is
// LLVMFuzzerTestOneInput; for the regression test (tests/tst_fuzzcorpus.cpp, the normal build) it gets the
// target's own name, so the committed corpus is replayed on every test run without libFuzzer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#ifdef TS_FUZZ_REGRESSION
#define TS_FUZZ_TARGET(name) int tsFuzz_##name(const std::uint8_t *data, std::size_t size)
#else
#define TS_FUZZ_TARGET(name) extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
#endif

/// A property the code under test broke: stops the fuzzer (and fails the regression test) with the reason.
#define TS_FUZZ_CHECK(cond)                                                                                            \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            std::fprintf(stderr, "fuzz property failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);                     \
            std::abort();                                                                                              \
        }                                                                                                              \
    } while (0)
