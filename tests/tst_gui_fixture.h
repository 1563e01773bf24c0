// Shared by the GUI tests: synthetic clips with matching twins, libraries holding them, and a fake retrieval
// engine with a fixed answer (the real one is tested on its own).
#pragma once

#include "retrieval/engine.h"
#include "store/twinstore.h"
#include "twin/twin.h"

#include <QString>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <memory>
#include <mutex>
#include <vector>

namespace ts {
class MainWindow;
}

namespace ts::guitest {

constexpr int kWidth = 160;
constexpr int kHeight = 120;
constexpr double kFps = 25.0;
constexpr int kFrames = 50;

/// Writes a 2 s testsrc2 clip (160x120, 25 fps, every frame different) to path. False if ffmpeg failed.
bool makeClip(const QString &path);
/// A twin of such a clip: track 1 ("dog") moves right, track 2 ("ball", nearer) stays; both on every 2nd frame.
Twin makeTwin(const QString &key, const QString &path);
/// A new library at dbPath holding the twins.
std::shared_ptr<TwinStore> makeLibrary(const QString &dbPath, const std::vector<Twin> &twins);

/// Opens the library in the window and waits until it is open (or failed). True when it opened.
bool openLibraryAndWait(MainWindow &window, const QString &path);
/// Runs fn on a thread of its own and returns its result: how a test reads the library of a window, whose UI thread
/// must not call the store (TwinStore::threadViolations counts such calls).
template <class Fn>
auto offUiThread(Fn fn)
{
    return std::async(std::launch::async, std::move(fn)).get();
}

/// Returns one result per key given, best first; the first grounds track 1 with a refinement marker.
class FakeEngine : public RetrievalEngine {
public:
    explicit FakeEngine(std::vector<std::string> keys) : m_keys(std::move(keys)) {}
    Result<QueryResult> run(TwinStore &store, const std::string &query, const RetrievalOptions &options,
                            const CancelToken &cancel, const QueryObserver &observer) override;
    int runs() const { return m_runs.load(); }
    /// Streaming: the decomposition and a verdict for the first key are reported, then the run waits for release()
    /// (or a cancel) before it returns, as a query does while an LLM judges the other candidates.
    void setStreaming(bool on) { m_streaming = on; }
    void release() { m_released = true; }
    std::string lastQuery() const
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        return m_last;
    }

private:
    std::vector<std::string> m_keys;
    std::atomic<int> m_runs{0};
    std::atomic<bool> m_streaming{false};
    std::atomic<bool> m_released{false};
    mutable std::mutex m_mutex;
    std::string m_last;
};

} // namespace ts::guitest
