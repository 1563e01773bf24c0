// Ingest: scan files and folders, detect videos by probing, build twins on a pool of workers and store each
// in one transaction. Per-file errors are recorded and the run goes on; cancellation is cooperative.
#pragma once

#include "base/cancel.h"
#include "base/result.h"
#include "store/twinstore.h"
#include "vision/twinbuilder.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ts {

/// Skipped: an entry of a scanned folder that cannot be looked at (dangling link, link loop, unreadable folder).
enum class IngestOutcome { Ingested, Unchanged, Failed, NotVideo, Skipped, Cancelled };

struct IngestItem {
    std::string path;
    std::string key;
    IngestOutcome outcome = IngestOutcome::Failed;
    std::string message;
    double seconds = 0.0;
    BuildStats stats;
};

struct IngestSummary {
    std::vector<IngestItem> items;
    bool cancelled = false;
    int count(IngestOutcome o) const;
};

/// Byte-identical files: one video with several paths (the default), or a video each.
enum class DuplicatePolicy { OneVideo, Separate };

struct IngestOptions {
    int workers = 2;
    bool force = false; ///< rebuild even unchanged files
    DuplicatePolicy duplicates = DuplicatePolicy::OneVideo;
};

/// Runs after a twin is stored (e.g. embedding its components for the coarse stage); on a worker thread.
using TwinStoredHook = std::function<Status(const Twin &twin, VideoId id)>;
using BuilderFactory = std::function<std::unique_ptr<TwinBuilder>()>;

class Ingestor {
public:
    Ingestor(TwinStore &store, BuilderFactory factory, IngestOptions options);

    void setStoredHook(TwinStoredHook hook) { m_hook = std::move(hook); }

    /// Regular files under the given paths (recursively, sorted; hidden entries and .git left out). Paths that do
    /// not exist come back as failed items; entries of the folders that cannot be scanned as skipped ones, saying why.
    static std::vector<std::string> collectFiles(const std::vector<std::string> &paths, std::vector<IngestItem> &problems);

    /// Ingests paths. progress(overall 0..1, current file) and itemDone are called from worker threads.
    IngestSummary run(const std::vector<std::string> &paths, const CancelToken &cancel,
                      const std::function<void(double, const std::string &)> &progress,
                      const std::function<void(const IngestItem &)> &itemDone);

    /// Ingests one file with the given builder (exposed for the UI's per-video tasks and for tests).
    IngestItem ingestFile(const std::string &path, TwinBuilder &builder, const CancelToken &cancel,
                          const ProgressFn &progress, bool explicitlyNamed);

private:
    std::string chooseKey(const std::string &path, const std::string &hash);

    TwinStore &m_store;
    BuilderFactory m_factory;
    IngestOptions m_options;
    TwinStoredHook m_hook;
    std::mutex m_keyMutex;
    std::vector<std::string> m_keysInFlight;
};

std::string ingestOutcomeName(IngestOutcome o);
/// Extensions that mark a file as meant to be a video, so a failure is an error rather than "not a video".
bool hasVideoExtension(const std::string &path);

} // namespace ts
