// The library database: twins, their components and embeddings, queries, results, traces and annotations.
// SQLite in WAL mode with foreign keys; schema migrations by PRAGMA user_version. Every mutating call is one
// transaction: it fully succeeds or changes nothing, so a killed ingest never leaves a half-written video.
#pragma once

#include "base/result.h"
#include "store/sqlite.h"
#include "twin/twin.h"

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace ts {

enum class VideoStatus { Done, Failed };
enum class TwinDetail { Full, NoMasks };

struct VideoRow {
    VideoId id = 0;
    std::string key;
    std::string path;
    std::string contentHash;
    int64_t fileSize = 0;
    int64_t mtimeMs = 0;
    VideoStatus status = VideoStatus::Done;
    std::string error;
    int pipelineVersion = 0;
    int64_t durationMs = 0;
    double fps = 0.0;
    int width = 0;
    int height = 0;
    int64_t frameCount = 0;
    int tracks = 0;
    std::string encoderVersion; ///< of the stored embeddings, empty when none
    std::string ingestedAt;
};

/// A piece of a twin that the coarse stage embeds: an object track or a relationship, as text.
struct Component {
    int64_t id = 0;
    VideoId videoId = 0;
    std::string kind; ///< "object", "relation", "scene", "text"
    std::string ref; ///< track id, "s:predicate:o", ...
    std::string text;
    float weight = 1.f;
};

/// A cheap fingerprint of one encoder's embeddings: the coarse index reloads when it changes.
struct EmbeddingSignature {
    int64_t count = 0;
    int64_t maxComponentId = 0;
    int64_t sumComponentId = 0; ///< catches a removal plus an addition of the same size
    std::string lastIngest; ///< latest videos.ingested_at: catches reused ids after a remove and re-ingest
    bool operator==(const EmbeddingSignature &o) const
    {
        return count == o.count && maxComponentId == o.maxComponentId && sumComponentId == o.sumComponentId &&
               lastIngest == o.lastIngest;
    }
    bool operator!=(const EmbeddingSignature &o) const { return !(*this == o); }
};

/// One row of forEachEmbedding: the vector points into SQLite's buffer, valid during the call only.
struct EmbeddingRow {
    int64_t componentId = 0;
    VideoId videoId = 0;
    float weight = 1.f;
    const float *vector = nullptr;
    int dim = 0;
};

struct StoredEmbedding {
    int64_t componentId = 0;
    VideoId videoId = 0;
    std::vector<float> vector;
};

struct Annotation {
    std::string querySet;
    std::string queryId;
    std::string videoKey;
    int grade = -1; ///< 2, 1, 0, or -1 when not graded
    std::string verdict; ///< "", "accepted", "rejected"
    std::string objectsJson; ///< ground-truth objects: [{"track": id}] or mask references
    std::string updatedAt;
};

/// ReadWrite creates and migrates the library and fails when it cannot be written (a read-only file or folder is
/// found at open, not after a video has been analysed). ReadOnly never writes, never creates, and also reads a
/// library in a read-only folder.
enum class StoreAccess { ReadWrite, ReadOnly };
enum class IntegrityCheck { Full, Quick };

class TwinStore {
public:
    static constexpr int kSchemaVersion = 4;
    /// Read-only opening accepts libraries from this schema on (later steps only add what readers do not read).
    static constexpr int kMinReadableSchema = 2;

    /// Opens the library. Safe to call from any thread; calls are serialised.
    static Result<std::unique_ptr<TwinStore>> open(const std::string &path, StoreAccess access = StoreAccess::ReadWrite);
    ~TwinStore();

    const std::string &path() const { return m_path; }
    bool isReadOnly() const { return m_access == StoreAccess::ReadOnly; }

    // --- videos and twins
    std::vector<VideoRow> videos() const;
    std::optional<VideoRow> videoByKey(const std::string &key) const;
    std::optional<VideoRow> videoByPath(const std::string &path) const;
    /// Replaces everything stored for twin.video.key in one transaction; textBody feeds full-text search.
    Result<VideoId> putTwin(const Twin &twin, int pipelineVersion, int64_t mtimeMs, const std::string &textBody);
    /// Records a file that could not be ingested. A video that has a good twin keeps it; only the error is noted.
    Status recordFailure(const std::string &key, const std::string &path, const std::string &contentHash,
                         int64_t fileSize, int64_t mtimeMs, int pipelineVersion, const std::string &error);
    /// The stored twin; NoMasks leaves instance masks empty (what reasoning and search need, ~10x less to read).
    Result<Twin> loadTwin(const std::string &key, TwinDetail detail = TwinDetail::Full) const;
    /// Removes a video and every row that belongs to it.
    Status removeVideo(const std::string &key);
    /// Updates the path (and mtime) of an unchanged file that moved.
    Status updateLocation(const std::string &key, const std::string &path, int64_t mtimeMs);
    /// Replaces the stored twin of a video with its refined version (just-in-time refinement), keeping the row's
    /// pipeline version and file mtime (a refined twin is not stale). Refuses when the video is not stored as done
    /// or its content changed since the twin was made. The video's components and embeddings go with the old twin;
    /// the caller re-makes them.
    Result<VideoId> putRefinedTwin(const Twin &twin);
    /// Appends refinement results (OCR text, descriptions...) to a stored twin.
    Status addObservations(const std::string &key, const std::vector<Observation> &observations);

    // --- coarse-stage components and embeddings
    Status putComponents(VideoId videoId, const std::vector<Component> &components,
                         const std::vector<std::vector<float>> &vectors, const std::string &encoderVersion);
    std::vector<Component> components(VideoId videoId = 0) const;
    /// All embeddings made by encoderVersion (for building the search index).
    std::vector<StoredEmbedding> embeddings(const std::string &encoderVersion) const;
    /// Streams the embeddings of encoderVersion (with their component weight) ordered by video, without copying
    /// them into one allocation per row; fn returns false to stop early. Rows of another size are skipped.
    Status forEachEmbedding(const std::string &encoderVersion, const std::function<bool(const EmbeddingRow &)> &fn) const;
    EmbeddingSignature embeddingSignature(const std::string &encoderVersion) const;
    /// Changes whenever anything is written to the library, by this connection or another process (PRAGMA
    /// data_version and the connection's change count): a microsecond check before computing a signature.
    std::pair<int64_t, int64_t> changeMarker() const;

    // --- full-text (BM25 baseline)
    /// (video id, bm25 score; lower is better as SQLite reports it) best first.
    std::vector<std::pair<VideoId, double>> searchText(const std::string &ftsQuery, int limit) const;

    // --- copies: files with the content of a stored video, kept as that one video
    /// The first stored (done) video with this content hash.
    std::optional<VideoRow> videoByContentHash(const std::string &hash) const;
    Status addCopy(VideoId id, const std::string &path, int64_t fileSize, int64_t mtimeMs);
    /// The video a file was recorded as a copy of, while the file keeps its size and modification time.
    std::optional<VideoRow> videoOfCopy(const std::string &path, int64_t fileSize, int64_t mtimeMs) const;
    /// The file no longer holds that content (it changed): it is no longer listed as a copy.
    void forgetCopy(const std::string &path);
    /// Every video's other paths.
    std::map<VideoId, std::vector<std::string>> copies() const;

    // --- ingest claims
    /// Marks a file as being analysed by this process. False when another live process holds it (its "host:pid" in
    /// holder); claims of processes that ended are taken over.
    Result<bool> claimIngest(const std::string &path, std::string *holder = nullptr);
    /// Drops this process's claim on the file (after its twin or its failure is stored).
    void releaseIngest(const std::string &path);

    // --- queries, results, traces
    Result<int64_t> saveQuery(const std::string &text, const std::string &optionsJson,
                              const std::vector<std::pair<VideoId, double>> &ranking,
                              const std::vector<std::string> &resultJson);
    std::vector<std::pair<int64_t, std::string>> recentQueries(int limit) const;

    // --- annotations
    Status putAnnotation(const Annotation &a);
    std::vector<Annotation> annotations(const std::string &querySet) const;

    /// A consistent copy of the whole library in a new file (VACUUM INTO), e.g. for an evaluation that refines
    /// twins without touching the user's library. Fails when the file exists.
    Status copyTo(const std::string &path) const;

    /// PRAGMA integrity_check and foreign_key_check; ok when both are clean.
    /// Full: every page, index and foreign key; Quick: page structure only (about a second per 100 MB), what a
    /// writer checks before adding to a library.
    Status checkIntegrity(IntegrityCheck depth = IntegrityCheck::Full) const;
    int schemaVersion() const;

    /// Told the name of a call made on a thread that must not wait on the database.
    using ThreadViolationFn = std::function<void(const char *call)>;
    /// From now on every call made on `thread` (the explorer's UI thread) is counted and reported to onViolation
    /// before it runs. Call once, before the store is shared with other threads.
    void forbidThread(std::thread::id thread, ThreadViolationFn onViolation);
    /// Calls made on the forbidden thread so far.
    int threadViolations() const { return m_threadViolations.load(); }

private:
    TwinStore() = default;
    Status migrate();
    std::optional<VideoRow> videoWhere(const std::string &clause, const std::string &arg) const;
    Status deleteChildren(VideoId id);

    /// Every call takes the connection through here: one call at a time, and the forbidden thread checked.
    std::unique_lock<std::mutex> serialise(const char *call) const;

    mutable std::mutex m_mutex;
    std::atomic<std::thread::id> m_forbiddenThread{};
    ThreadViolationFn m_onViolation;
    mutable std::atomic<int> m_threadViolations{0};
    mutable SqliteDb m_db;
    std::string m_path;
    StoreAccess m_access = StoreAccess::ReadWrite;
};

std::string videoStatusName(VideoStatus s);

} // namespace ts
