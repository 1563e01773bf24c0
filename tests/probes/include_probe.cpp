// Built only by the core_include_enforced test (tests/include_probe.cmake), never by the normal build: includes
// TWINSEEK_PROBE_HEADER while linking the library named by the target, to show which includes the build accepts.
#include TWINSEEK_PROBE_HEADER
