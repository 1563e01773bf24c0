#include "workers.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace ts {

void forEachOnWorkers(std::size_t count, int workers, const std::function<void(std::size_t index, int slot)> &work)
{
    if (count == 0)
        return;
    const int n = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(std::max(1, workers)), count));
    std::atomic<std::size_t> next{0};
    auto run = [&](int slot) {
        for (std::size_t i = next++; i < count; i = next++)
            work(i, slot);
    };
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(n - 1));
    for (int slot = 1; slot < n; ++slot)
        threads.emplace_back(run, slot);
    run(0);
    for (std::thread &t : threads)
        t.join();
}

} // namespace ts
