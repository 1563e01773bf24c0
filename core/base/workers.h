// The one way core runs work on several threads: a fixed number of workers take the items of a list in order, each
// item once. The UI's background work goes through TaskManager (tasks/), whose jobs call into code that uses this.
#pragma once

#include <cstddef>
#include <functional>

namespace ts {

/// Calls work(index, slot) for every index in [0, count) on min(workers, count) threads, the calling thread being
/// one of them (slot 0); each thread takes the next index when it is done with one, so the order of starting is
/// the order of the list. slot (0..workers-1) names the thread, for state a worker keeps between its items (a
/// model, a reader). Returns when every item is done. work must not throw. Cancellation is the work's own: it
/// checks its token and returns early for the items left.
void forEachOnWorkers(std::size_t count, int workers, const std::function<void(std::size_t index, int slot)> &work);

} // namespace ts
