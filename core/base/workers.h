// The ways core runs work on several threads: a fixed number of workers take the items of a list in order, each
// item once (forEachOnWorkers); a stage runs ahead of the stage that consumes its results (Prefetcher). The UI's
// background work goes through TaskManager (tasks/), whose jobs call into code that uses these.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace ts {

/// Calls work(index, slot) for every index in [0, count) on min(workers, count) threads, the calling thread being
/// one of them (slot 0); each thread takes the next index when it is done with one, so the order of starting is
/// the order of the list. slot (0..workers-1) names the thread, for state a worker keeps between its items (a
/// model, a reader). Returns when every item is done. work must not throw. Cancellation is the work's own: it
/// checks its token and returns early for the items left.
void forEachOnWorkers(std::size_t count, int workers, const std::function<void(std::size_t index, int slot)> &work);

/// Runs produce() on a thread of its own up to `depth` results ahead of the consumer (a bounded queue), so that a
/// producing stage overlaps the stage that consumes it; depth 0 runs produce() inside next(), on the consumer's
/// thread. produce() returns std::nullopt at the end and is not called again after that. Destruction stops the
/// producer after its current call and joins it. produce must not throw. One consumer.
template <class T>
class Prefetcher {
public:
    Prefetcher(std::size_t depth, std::function<std::optional<T>()> produce)
        : m_depth(depth), m_produce(std::move(produce))
    {
        if (m_depth > 0)
            m_thread = std::thread([this] { produceAhead(); });
    }
    ~Prefetcher()
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_stop = true;
        }
        m_changed.notify_all();
        if (m_thread.joinable())
            m_thread.join();
    }
    Prefetcher(const Prefetcher &) = delete;
    Prefetcher &operator=(const Prefetcher &) = delete;

    /// The next result in order; std::nullopt once the producer has ended. Blocks while none is ready.
    std::optional<T> next()
    {
        if (m_depth == 0)
            return m_ended ? std::nullopt : endIfEmpty(m_produce());
        std::unique_lock<std::mutex> lock(m_mutex);
        m_changed.wait(lock, [this] { return !m_queue.empty() || m_ended; });
        if (m_queue.empty())
            return std::nullopt;
        T item = std::move(m_queue.front());
        m_queue.pop_front();
        lock.unlock();
        m_changed.notify_all();
        return item;
    }

private:
    std::optional<T> endIfEmpty(std::optional<T> item)
    {
        m_ended = !item.has_value();
        return item;
    }
    void produceAhead()
    {
        for (;;) {
            {
                std::unique_lock<std::mutex> lock(m_mutex);
                m_changed.wait(lock, [this] { return m_queue.size() < m_depth || m_stop; });
                if (m_stop)
                    break;
            }
            std::optional<T> item = m_produce();
            std::lock_guard<std::mutex> lock(m_mutex);
            if (!item) {
                m_ended = true;
                break;
            }
            m_queue.push_back(std::move(*item));
            m_changed.notify_all();
        }
        m_changed.notify_all();
    }

    const std::size_t m_depth;
    std::function<std::optional<T>()> m_produce;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<T> m_queue;
    bool m_ended = false;
    bool m_stop = false;
    std::thread m_thread;
};

} // namespace ts
