// Cooperative cancellation and throttled progress, passed into every long-running job.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace ts {

/// Shared flag a job polls in its loops; cheap to copy, safe from any thread.
class CancelToken {
public:
    CancelToken() : m_flag(std::make_shared<std::atomic_bool>(false)) {}
    void cancel() const { m_flag->store(true, std::memory_order_relaxed); }
    bool isCancelled() const { return m_flag->load(std::memory_order_relaxed); }
private:
    std::shared_ptr<std::atomic_bool> m_flag;
};

/// Progress in 0..1 with a short stage text; the callback may run on a worker thread.
using ProgressFn = std::function<void(double fraction, const std::string &stage)>;

/// Forwards at most one report per interval (and always 0 and 1) so UIs are not flooded.
class ProgressThrottle {
public:
    explicit ProgressThrottle(ProgressFn fn, std::chrono::milliseconds interval = std::chrono::milliseconds(100))
        : m_fn(std::move(fn)), m_interval(interval)
    {
    }
    void report(double fraction, const std::string &stage)
    {
        if (!m_fn)
            return;
        const auto now = std::chrono::steady_clock::now();
        std::lock_guard<std::mutex> lock(m_mutex);
        const bool edge = fraction <= 0.0 || fraction >= 1.0 || stage != m_lastStage;
        if (!edge && now - m_last < m_interval)
            return;
        m_last = now;
        m_lastStage = stage;
        m_fn(fraction, stage);
    }

private:
    ProgressFn m_fn;
    std::chrono::milliseconds m_interval;
    std::mutex m_mutex;
    std::chrono::steady_clock::time_point m_last{};
    std::string m_lastStage;
};

} // namespace ts
