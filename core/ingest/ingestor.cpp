#include "ingestor.h"

#include "base/workers.h"
#include "twin/twintext.h"
#include "vision/modelregistry.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>

#include <algorithm>
#include <chrono>
#include <optional>
#include <set>

namespace ts {

namespace {

const char *const kVideoExtensions[] = {"mp4", "m4v", "mov", "avi", "mkv", "webm", "mpg", "mpeg", "ts", "mts",
                                        "m2ts", "wmv", "flv", "3gp", "ogv", "vob", "mxf", "dv", "y4m"};

bool looksLikeNonMedia(const QFileInfo &fi)
{
    static const std::set<QString> kSkip = {"txt", "md", "json", "jsonl", "csv", "yml", "yaml", "xml", "png", "jpg",
                                            "jpeg", "bmp", "gif", "pdf", "html", "py", "sh", "cpp", "h", "sqlite",
                                            "db", "wal", "shm", "onnx", "pt", "zip", "gz", "tgz", "tsv", "srt", "vtt"};
    return kSkip.count(fi.suffix().toLower()) > 0;
}

// SQLite keeps its locks per process and file: closing any descriptor of the library's files in this process (a hash,
// a content sniff, an FFmpeg probe) silently drops the connection's locks, and another process may then delete the
// write-ahead log the connection still writes to. So the library's files and any SQLite side files are recognised
// by name, before anything opens them.
bool isDatabaseFile(const QFileInfo &fi, const QString &library)
{
    const QString name = fi.fileName();
    for (const char *side : {"-wal", "-shm", "-journal"})
        if (name.endsWith(QLatin1String(side)))
            return true;
    if (library.isEmpty())
        return false;
    const QFileInfo lib(library);
    const QString dir = fi.absoluteDir().canonicalPath();
    return !dir.isEmpty() && dir == lib.absoluteDir().canonicalPath() && name == lib.fileName();
}

} // namespace

bool hasVideoExtension(const std::string &path)
{
    const QString suffix = QFileInfo(QString::fromStdString(path)).suffix().toLower();
    for (const char *e : kVideoExtensions)
        if (suffix == QLatin1String(e))
            return true;
    return false;
}

std::string ingestOutcomeName(IngestOutcome o)
{
    switch (o) {
    case IngestOutcome::Ingested: return "ingested";
    case IngestOutcome::Unchanged: return "unchanged";
    case IngestOutcome::Failed: return "failed";
    case IngestOutcome::NotVideo: return "not a video";
    case IngestOutcome::Skipped: return "skipped";
    case IngestOutcome::Cancelled: return "cancelled";
    }
    return "?";
}

int IngestSummary::count(IngestOutcome o) const
{
    return static_cast<int>(std::count_if(items.begin(), items.end(), [o](const IngestItem &i) { return i.outcome == o; }));
}

Ingestor::Ingestor(TwinStore &store, BuilderFactory factory, IngestOptions options)
    : m_store(store), m_factory(std::move(factory)), m_options(options)
{
}

namespace {

/// Depth-first, sorted walk of one folder. Every entry that is not scanned says why, except hidden ones (.git too):
/// dangling links, links that lead back into scanned folders, folders that cannot be read, devices and sockets.
void walkFolder(const QFileInfo &folder, std::set<QString> &visited, std::vector<QString> &found,
                std::vector<IngestItem> &problems)
{
    auto skip = [&problems](const QFileInfo &fi, const std::string &why) {
        IngestItem item;
        item.path = fi.absoluteFilePath().toStdString();
        item.outcome = IngestOutcome::Skipped;
        item.message = why;
        problems.push_back(item);
    };
    const QDir dir(folder.absoluteFilePath());
    const QFileInfoList entries =
        dir.entryInfoList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System, QDir::Name);
    for (const QFileInfo &fi : entries) {
        if (fi.fileName().startsWith('.'))
            continue;
        if (fi.isSymLink() && !fi.exists()) {
            skip(fi, "dangling symbolic link (to " + fi.symLinkTarget().toStdString() + ")");
            continue;
        }
        if (fi.isDir()) {
            const QString canon = fi.canonicalFilePath();
            if (canon.isEmpty()) {
                skip(fi, "cannot resolve the folder's path");
            } else if (visited.count(canon)) {
                skip(fi, "symbolic link to a folder already scanned (" + canon.toStdString() + "): not followed");
            } else if (!fi.isReadable() || !fi.isExecutable()) {
                skip(fi, "cannot read the folder (permission denied)");
            } else {
                visited.insert(canon);
                walkFolder(fi, visited, found, problems);
            }
            continue;
        }
        if (!fi.isFile()) {
            skip(fi, "not a regular file (device, pipe or socket)");
            continue;
        }
        found.push_back(fi.absoluteFilePath());
    }
}

} // namespace

std::vector<std::string> Ingestor::collectFiles(const std::vector<std::string> &paths, std::vector<IngestItem> &problems)
{
    std::vector<std::string> files;
    std::set<QString> seen;
    for (const std::string &p : paths) {
        const QFileInfo fi(QString::fromStdString(p));
        if (!fi.exists()) {
            IngestItem item;
            item.path = p;
            item.message = fi.isSymLink() ? "broken symbolic link" : "no such file or folder";
            problems.push_back(item);
            continue;
        }
        if (fi.isFile()) {
            const QString canon = fi.canonicalFilePath();
            if (seen.insert(canon).second)
                files.push_back(fi.absoluteFilePath().toStdString());
            continue;
        }
        if (!fi.isDir()) {
            IngestItem item;
            item.path = p;
            item.message = "not a regular file or folder";
            problems.push_back(item);
            continue;
        }
        if (!fi.isReadable() || !fi.isExecutable()) {
            IngestItem item;
            item.path = p;
            item.message = "cannot read the folder (permission denied)";
            problems.push_back(item);
            continue;
        }
        // Sorted walk so runs are reproducible; canonical paths break symlink loops.
        std::set<QString> visited{fi.canonicalFilePath()};
        std::vector<QString> found;
        walkFolder(fi, visited, found, problems);
        for (const QString &f : found) {
            const QString canon = QFileInfo(f).canonicalFilePath();
            if (!canon.isEmpty() && seen.insert(canon).second)
                files.push_back(f.toStdString());
        }
    }
    return files;
}

std::string Ingestor::chooseKey(const std::string &path, const std::string &hash)
{
    const QFileInfo fi(QString::fromStdString(path));
    std::string key = fi.completeBaseName().toStdString();
    if (key.empty())
        key = fi.fileName().toStdString();
    std::lock_guard<std::mutex> lock(m_keyMutex);
    auto taken = [&](const std::string &k) {
        if (std::find(m_keysInFlight.begin(), m_keysInFlight.end(), k) != m_keysInFlight.end())
            return true;
        auto row = m_store.videoByKey(k);
        if (!row || row->path == path)
            return false;
        // Same content moved here: the key follows the file.
        if (row->contentHash == hash && !QFileInfo::exists(QString::fromStdString(row->path)))
            return false;
        return QFileInfo::exists(QString::fromStdString(row->path));
    };
    if (taken(key))
        key += "-" + hash.substr(0, 8);
    m_keysInFlight.push_back(key);
    return key;
}

IngestItem Ingestor::ingestFile(const std::string &path, TwinBuilder &builder, const CancelToken &cancel,
                                const ProgressFn &progress, bool explicitlyNamed)
{
    const auto t0 = std::chrono::steady_clock::now();
    IngestItem item;
    item.path = path;
    bool claimed = false;
    auto finish = [&](IngestOutcome o, std::string message) {
        if (claimed)
            m_store.releaseIngest(path);
        item.outcome = o;
        item.message = std::move(message);
        item.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (!item.key.empty()) {
            std::lock_guard<std::mutex> lock(m_keyMutex);
            m_keysInFlight.erase(std::remove(m_keysInFlight.begin(), m_keysInFlight.end(), item.key),
                                 m_keysInFlight.end());
        }
        return item;
    };

    const QFileInfo fi(QString::fromStdString(path));
    if (isDatabaseFile(fi, QString::fromStdString(m_store.path())))
        return finish(IngestOutcome::NotVideo, "a database file, never opened by ingest");
    const int64_t size = fi.size();
    const int64_t mtime = fi.lastModified().toMSecsSinceEpoch();
    const std::string stem = fi.completeBaseName().toStdString();
    const bool meantAsVideo = explicitlyNamed || hasVideoExtension(path);
    // Failures of files meant as videos are recorded in the library, so every video has a twin or an error.
    auto failEarly = [&](const std::string &message) {
        item.key = chooseKey(path, QCryptographicHash::hash(QByteArray::fromStdString(path), QCryptographicHash::Sha256)
                                       .toHex()
                                       .toStdString());
        m_store.recordFailure(item.key, path, "", size, mtime, TwinBuilder::kPipelineVersion, message);
        return finish(IngestOutcome::Failed, message);
    };
    if (!fi.isReadable())
        return meantAsVideo ? failEarly("cannot read the file (permission denied)")
                            : finish(IngestOutcome::NotVideo, "unreadable");
    if (size == 0)
        return meantAsVideo ? failEarly("empty file (0 bytes)") : finish(IngestOutcome::NotVideo, "empty file");
    if (!meantAsVideo && looksLikeNonMedia(fi))
        return finish(IngestOutcome::NotVideo, "not a video (by content type)");

    // Cheap check first: same path, size and mtime, same pipeline (or a known copy): nothing to do. It needs no
    // write, so an unchanged library is re-scanned without claiming anything.
    auto known = [&]() -> std::optional<std::pair<std::string, std::string>> {
        if (m_options.force)
            return std::nullopt;
        if (auto row = m_store.videoByPath(path))
            if (row->status == VideoStatus::Done && row->fileSize == size && row->mtimeMs == mtime &&
                row->pipelineVersion == TwinBuilder::kPipelineVersion)
                return std::make_pair(row->key, std::string("unchanged"));
        if (m_options.duplicates == DuplicatePolicy::OneVideo)
            if (auto owner = m_store.videoOfCopy(path, size, mtime))
                return std::make_pair(owner->key, "a copy of " + owner->key);
        return std::nullopt;
    };
    auto unchanged = [&](const std::pair<std::string, std::string> &k) {
        item.key = k.first;
        return finish(IngestOutcome::Unchanged, k.second);
    };
    if (auto k = known())
        return unchanged(*k);

    // Another ingest on this library (the window, a second CLI) may be analysing this file right now.
    std::string holder;
    auto claim = m_store.claimIngest(path, &holder);
    if (!claim)
        return finish(IngestOutcome::Failed, "cannot write to the library: " + claim.message());
    if (!*claim)
        return finish(IngestOutcome::Skipped, "being analysed by another TwinSeek process (" + holder + ")");
    claimed = true;
    if (auto k = known()) // it may have finished it just before we claimed
        return unchanged(*k);

    const std::string hash = sha256File(path);
    if (hash.empty())
        return meantAsVideo ? failEarly("cannot read the file") : finish(IngestOutcome::NotVideo, "unreadable");
    if (!m_options.force) {
        // Same content already stored under the stem (possibly moved or touched): update where it lives.
        auto row = m_store.videoByKey(stem);
        if (row && row->status == VideoStatus::Done && row->contentHash == hash &&
            row->pipelineVersion == TwinBuilder::kPipelineVersion &&
            (row->path == path || !QFileInfo::exists(QString::fromStdString(row->path)))) {
            item.key = row->key;
            if (row->path != path || row->mtimeMs != mtime)
                m_store.updateLocation(row->key, path, mtime);
            return finish(IngestOutcome::Unchanged, row->path == path ? "unchanged (content)" : "moved from " + row->path);
        }
        // Byte-identical to a stored video under another name: the same video, found at one more path.
        auto same = m_options.duplicates == DuplicatePolicy::OneVideo ? m_store.videoByContentHash(hash) : std::nullopt;
        if (same && same->path != path && same->pipelineVersion == TwinBuilder::kPipelineVersion) {
            item.key = same->key;
            if (!QFileInfo::exists(QString::fromStdString(same->path))) {
                m_store.updateLocation(same->key, path, mtime);
                return finish(IngestOutcome::Unchanged, "moved from " + same->path);
            }
            if (Status s = m_store.addCopy(same->id, path, size, mtime); !s)
                return finish(IngestOutcome::Failed, s.message());
            return finish(IngestOutcome::Unchanged, "a copy of " + same->key);
        }
    }
    m_store.forgetCopy(path); // it may have been a copy of another video before it changed
    item.key = chooseKey(path, hash);

    VideoInfo seed;
    seed.key = item.key;
    seed.path = path;
    seed.contentHash = hash;
    seed.fileSize = size;
    auto twin = builder.build(path, seed, cancel, progress, &item.stats);
    if (!twin) {
        if (cancel.isCancelled())
            return finish(IngestOutcome::Cancelled, "cancelled");
        if (!meantAsVideo)
            return finish(IngestOutcome::NotVideo, twin.message());
        m_store.recordFailure(item.key, path, hash, size, mtime, TwinBuilder::kPipelineVersion, twin.message());
        return finish(IngestOutcome::Failed, twin.message());
    }
    if (cancel.isCancelled())
        return finish(IngestOutcome::Cancelled, "cancelled");
    auto id = m_store.putTwin(*twin, TwinBuilder::kPipelineVersion, mtime, twinSearchText(*twin));
    if (!id)
        return finish(IngestOutcome::Failed, "cannot store the twin: " + id.message());
    if (m_hook) {
        Status s = m_hook(*twin, *id);
        if (!s)
            return finish(IngestOutcome::Ingested, "stored; indexing failed: " + s.message());
    }
    std::string note = std::to_string(twin->tracks.size()) + " tracks, " + std::to_string(twin->frames.size()) +
                       " analysed frames";
    if (!twin->errors.empty())
        note += "; warnings: " + twin->errors.front();
    return finish(IngestOutcome::Ingested, note);
}

IngestSummary Ingestor::run(const std::vector<std::string> &paths, const CancelToken &cancel,
                            const std::function<void(double, const std::string &)> &progress,
                            const std::function<void(const IngestItem &)> &itemDone)
{
    IngestSummary summary;
    std::vector<IngestItem> problems;
    std::vector<std::string> files = collectFiles(paths, problems);
    std::set<std::string> named;
    for (const std::string &p : paths)
        if (QFileInfo(QString::fromStdString(p)).isFile())
            named.insert(QFileInfo(QString::fromStdString(p)).absoluteFilePath().toStdString());
    for (auto &p : problems) {
        if (itemDone)
            itemDone(p);
        summary.items.push_back(p);
    }

    // Largest files first: the run then ends with small files on both workers instead of one long file alone.
    std::stable_sort(files.begin(), files.end(), [](const std::string &a, const std::string &b) {
        return QFileInfo(QString::fromStdString(a)).size() > QFileInfo(QString::fromStdString(b)).size();
    });
    std::mutex mutex;
    std::vector<double> fractions(files.size(), 0.0);
    auto report = [&](const std::string &current) {
        if (!progress)
            return;
        double sum = 0;
        {
            std::lock_guard<std::mutex> lock(mutex);
            for (double f : fractions)
                sum += f;
        }
        progress(files.empty() ? 1.0 : sum / files.size(), current);
    };
    // One builder per worker, made at its first file (its models are not shared between threads).
    std::vector<std::unique_ptr<TwinBuilder>> builders(static_cast<size_t>(std::max(1, m_options.workers)));
    forEachOnWorkers(files.size(), m_options.workers, [&](size_t i, int slot) {
        IngestItem item;
        if (cancel.isCancelled()) {
            item.path = files[i];
            item.outcome = IngestOutcome::Cancelled;
            item.message = "cancelled";
        } else {
            std::unique_ptr<TwinBuilder> &builder = builders[static_cast<size_t>(slot)];
            if (!builder)
                builder = m_factory();
            const std::string name = QFileInfo(QString::fromStdString(files[i])).fileName().toStdString();
            ProgressFn fileProgress = [&, i, name](double f, const std::string &) {
                {
                    std::lock_guard<std::mutex> lock(mutex);
                    fractions[i] = f;
                }
                report(name);
            };
            item = ingestFile(files[i], *builder, cancel, fileProgress, named.count(files[i]) > 0);
        }
        {
            std::lock_guard<std::mutex> lock(mutex);
            fractions[i] = 1.0;
            summary.items.push_back(item);
        }
        if (itemDone)
            itemDone(item);
        report(item.path);
    });
    summary.cancelled = cancel.isCancelled();
    return summary;
}

} // namespace ts
