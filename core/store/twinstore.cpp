#include "twinstore.h"

#include "twin/twintext.h"

#include <nlohmann/json.hpp>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace ts {

using json = nlohmann::json;

namespace {

// Schema migrations: index i upgrades user_version i to i + 1. Never edit a shipped step; append a new one.
const char *const kMigrations[] = {
    R"SQL(
CREATE TABLE videos(
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  path TEXT NOT NULL,
  content_hash TEXT,
  file_size INTEGER,
  mtime_ms INTEGER,
  status TEXT NOT NULL CHECK(status IN ('done','failed')),
  error TEXT,
  pipeline_version INTEGER NOT NULL,
  duration_ms INTEGER, fps REAL, width INTEGER, height INTEGER, rotation INTEGER, frame_count INTEGER,
  codec TEXT,
  meta_json TEXT,
  ingested_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));
CREATE TABLE frames(
  video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  frame_index INTEGER NOT NULL, time_ms INTEGER NOT NULL, keyframe INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(video_id, frame_index)) WITHOUT ROWID;
CREATE TABLE tracks(
  video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  track_id INTEGER NOT NULL, category TEXT, synset TEXT, confidence REAL,
  first_frame INTEGER, last_frame INTEGER, data_json TEXT,
  PRIMARY KEY(video_id, track_id)) WITHOUT ROWID;
CREATE TABLE instances(
  video_id INTEGER NOT NULL, frame_index INTEGER NOT NULL, track_id INTEGER NOT NULL,
  category TEXT, synset TEXT, confidence REAL, label_json TEXT, attributes_json TEXT,
  mask_h INTEGER, mask_w INTEGER, mask_rle BLOB, mask_source TEXT,
  box_x REAL, box_y REAL, box_w REAL, box_h REAL, cx REAL, cy REAL,
  depth REAL, depth_source TEXT, area INTEGER,
  PRIMARY KEY(video_id, frame_index, track_id),
  FOREIGN KEY(video_id, frame_index) REFERENCES frames(video_id, frame_index) ON DELETE CASCADE) WITHOUT ROWID;
CREATE TABLE relationships(
  id INTEGER PRIMARY KEY,
  video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  subject INTEGER NOT NULL, predicate TEXT NOT NULL, object INTEGER NOT NULL,
  first_frame INTEGER, last_frame INTEGER, confidence REAL, source TEXT);
CREATE INDEX relationships_video ON relationships(video_id);
CREATE TABLE components(
  id INTEGER PRIMARY KEY,
  video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  kind TEXT NOT NULL, ref TEXT, text TEXT NOT NULL, weight REAL NOT NULL DEFAULT 1);
CREATE INDEX components_video ON components(video_id);
CREATE TABLE embeddings(
  component_id INTEGER PRIMARY KEY REFERENCES components(id) ON DELETE CASCADE,
  encoder_version TEXT NOT NULL, dim INTEGER NOT NULL, vector BLOB NOT NULL);
CREATE INDEX embeddings_version ON embeddings(encoder_version);
CREATE VIRTUAL TABLE twin_text USING fts5(key UNINDEXED, body, tokenize = 'porter unicode61');
CREATE TABLE queries(
  id INTEGER PRIMARY KEY, text TEXT NOT NULL, options_json TEXT,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));
CREATE TABLE results(
  query_id INTEGER NOT NULL REFERENCES queries(id) ON DELETE CASCADE,
  rank INTEGER NOT NULL,
  video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  score REAL, data_json TEXT,
  PRIMARY KEY(query_id, rank));
CREATE INDEX results_video ON results(video_id);
CREATE TABLE traces(
  query_id INTEGER NOT NULL REFERENCES queries(id) ON DELETE CASCADE,
  video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  trace_json TEXT, PRIMARY KEY(query_id, video_id));
CREATE INDEX traces_video ON traces(video_id);
CREATE TABLE annotations(
  query_set TEXT NOT NULL, query_id TEXT NOT NULL, video_key TEXT NOT NULL,
  grade INTEGER NOT NULL DEFAULT -1, verdict TEXT NOT NULL DEFAULT '', objects_json TEXT,
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  PRIMARY KEY(query_set, query_id, video_key));
)SQL",
    // 2: frames whose masks were propagated by optical flow rather than detected.
    "ALTER TABLE frames ADD COLUMN detected INTEGER NOT NULL DEFAULT 1;",
    // 3: files being analysed, so two ingests on one library share the work instead of both doing all of it.
    "CREATE TABLE ingest_claims(path TEXT PRIMARY KEY, owner TEXT NOT NULL, claimed_ms INTEGER NOT NULL);",
    // 4: other files with the same content as a stored video: one video, several paths.
    "CREATE TABLE video_copies(path TEXT PRIMARY KEY, video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE "
    "CASCADE, file_size INTEGER, mtime_ms INTEGER);"
    "CREATE INDEX video_copies_video ON video_copies(video_id);",
};

VideoStatus parseStatus(const std::string &s) { return s == "failed" ? VideoStatus::Failed : VideoStatus::Done; }

constexpr const char *kVideoColumns =
    "v.id, v.key, v.path, v.content_hash, v.file_size, v.mtime_ms, v.status, v.error, v.pipeline_version, "
    "v.duration_ms, v.fps, v.width, v.height, v.frame_count, v.ingested_at, "
    "(SELECT COUNT(*) FROM tracks t WHERE t.video_id = v.id), "
    "(SELECT e.encoder_version FROM components c JOIN embeddings e ON e.component_id = c.id "
    " WHERE c.video_id = v.id LIMIT 1)";

VideoRow readVideo(const SqliteStatement &q)
{
    VideoRow r;
    r.id = q.int64(0);
    r.key = q.text(1);
    r.path = q.text(2);
    r.contentHash = q.text(3);
    r.fileSize = q.int64(4);
    r.mtimeMs = q.int64(5);
    r.status = parseStatus(q.text(6));
    r.error = q.text(7);
    r.pipelineVersion = q.integer(8);
    r.durationMs = q.int64(9);
    r.fps = q.real(10);
    r.width = q.integer(11);
    r.height = q.integer(12);
    r.frameCount = q.int64(13);
    r.ingestedAt = q.text(14);
    r.tracks = q.integer(15);
    r.encoderVersion = q.text(16);
    return r;
}

} // namespace

std::string videoStatusName(VideoStatus s) { return s == VideoStatus::Failed ? "failed" : "done"; }

TwinStore::~TwinStore() = default;

Result<std::unique_ptr<TwinStore>> TwinStore::open(const std::string &path, StoreAccess access)
{
    using R = Result<std::unique_ptr<TwinStore>>;
    std::unique_ptr<TwinStore> store(new TwinStore());
    store->m_path = path;
    store->m_access = access;
    SqliteDb &db = store->m_db;
    const bool readOnly = access == StoreAccess::ReadOnly;
    Status s = db.open(path, readOnly ? SqliteOpen::ReadOnly : SqliteOpen::ReadWriteCreate);
    if (!s)
        return R::error("cannot open library: " + s.message());
    // Probe that this is a database at all before changing anything.
    int probeCode = SQLITE_OK;
    auto probe = [&db, &probeCode]() -> std::string {
        auto q = db.prepare("SELECT count(*) FROM sqlite_master");
        if (!q.isValid() || (!q.step() && !q.error().empty())) {
            probeCode = sqlite3_errcode(db.handle()) & 0xff;
            return q.error().empty() ? db.lastError() : q.error();
        }
        return {};
    };
    std::string error = probe();
    if (!error.empty() && readOnly) {
        // A write-ahead-logged library in a folder this user cannot write: SQLite cannot make the shared-memory
        // file it reads through, and nobody else can change the library either, so it is read as immutable. Not
        // when a log is left over: immutable reading would ignore what it holds.
        std::error_code ec;
        if (std::filesystem::file_size(path + "-wal", ec) > 0 && !ec)
            return R::error(path + ": cannot be read (" + error +
                            ") and its write-ahead log is not merged yet; open it once where it can be written");
        s = db.open(path, SqliteOpen::Immutable);
        if (!s)
            return R::error("cannot open library: " + s.message());
        error = probe();
    }
    if (!error.empty() && !readOnly && (probeCode == SQLITE_READONLY || probeCode == SQLITE_CANTOPEN))
        return R::error(path + ": cannot be opened for writing (" + error + "; is its folder writable?)");
    if (!error.empty())
        return R::error(path + ": not a TwinSeek library (" + error + ")");
    if (readOnly) {
        const int version = store->schemaVersion();
        if (version <= 0)
            return R::error(path + ": not a TwinSeek library (no TwinSeek schema)");
        if (version > kSchemaVersion)
            return R::error(path + ": library was made by a newer TwinSeek (schema " + std::to_string(version) + ")");
        if (version < kMinReadableSchema)
            return R::error(path + ": library of an older TwinSeek (schema " + std::to_string(version) +
                            "); a command that writes (e.g. `twinseek-cli ingest`) upgrades it");
        return R(std::move(store));
    }
    if (db.isReadOnly())
        return R::error(path + ": the library cannot be written (file permissions)");
    for (const char *pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"}) {
        s = db.exec(pragma);
        if (!s)
            return R::error(path + ": " + s.message());
    }
    s = store->migrate();
    if (!s)
        return R::error(path + ": " + s.message());
    return R(std::move(store));
}

void TwinStore::forbidThread(std::thread::id thread, ThreadViolationFn onViolation)
{
    m_onViolation = std::move(onViolation);
    m_forbiddenThread.store(thread);
}

std::unique_lock<std::mutex> TwinStore::serialise(const char *call) const
{
    if (m_forbiddenThread.load() == std::this_thread::get_id()) {
        ++m_threadViolations;
        if (m_onViolation)
            m_onViolation(call);
    }
    return std::unique_lock<std::mutex>(m_mutex);
}

int TwinStore::schemaVersion() const
{
    const auto lock = serialise(__func__);
    auto q = m_db.prepare("PRAGMA user_version");
    return q.step() ? q.integer(0) : -1;
}

Status TwinStore::migrate()
{
    int version = 0;
    {
        auto q = m_db.prepare("PRAGMA user_version");
        version = q.step() ? q.integer(0) : 0;
    }
    const int known = static_cast<int>(sizeof(kMigrations) / sizeof(kMigrations[0]));
    if (version > known)
        return Status::error("library was made by a newer TwinSeek (schema " + std::to_string(version) + ")");
    while (version < known) {
        SqliteTransaction tx(m_db);
        if (!tx.isActive())
            return Status::error("cannot start migration: " + m_db.lastError());
        Status s = m_db.exec(kMigrations[version]);
        if (!s)
            return Status::error("migration to schema " + std::to_string(version + 1) + " failed: " + s.message());
        s = m_db.exec("PRAGMA user_version=" + std::to_string(version + 1));
        if (!s)
            return s;
        s = tx.commit();
        if (!s)
            return s;
        ++version;
    }
    return Status::ok();
}

std::vector<VideoRow> TwinStore::videos() const
{
    const auto lock = serialise(__func__);
    std::vector<VideoRow> out;
    auto q = m_db.prepare(std::string("SELECT ") + kVideoColumns + " FROM videos v ORDER BY v.key");
    while (q.step())
        out.push_back(readVideo(q));
    return out;
}

std::optional<VideoRow> TwinStore::videoWhere(const std::string &clause, const std::string &arg) const
{
    const auto lock = serialise(__func__);
    auto q = m_db.prepare(std::string("SELECT ") + kVideoColumns + " FROM videos v WHERE " + clause);
    q.bind(1, arg);
    if (q.step())
        return readVideo(q);
    return std::nullopt;
}

std::optional<VideoRow> TwinStore::videoByKey(const std::string &key) const { return videoWhere("v.key = ?1", key); }

std::optional<VideoRow> TwinStore::videoByContentHash(const std::string &hash) const
{
    if (hash.empty())
        return std::nullopt;
    return videoWhere("v.content_hash = ?1 AND v.status = 'done' ORDER BY v.id LIMIT 1", hash);
}

Status TwinStore::addCopy(VideoId id, const std::string &path, int64_t fileSize, int64_t mtimeMs)
{
    const auto lock = serialise(__func__);
    auto q = m_db.prepare("INSERT OR REPLACE INTO video_copies(path, video_id, file_size, mtime_ms) VALUES(?1, ?2, ?3, ?4)");
    q.bind(1, path).bind(2, static_cast<int64_t>(id)).bind(3, fileSize).bind(4, mtimeMs);
    return q.run() ? Status::ok() : Status::error("cannot record the copy " + path + ": " + q.error());
}

void TwinStore::forgetCopy(const std::string &path)
{
    const auto lock = serialise(__func__);
    auto q = m_db.prepare("DELETE FROM video_copies WHERE path = ?1");
    q.bind(1, path);
    q.run();
}

std::optional<VideoRow> TwinStore::videoOfCopy(const std::string &path, int64_t fileSize, int64_t mtimeMs) const
{
    int64_t id = 0;
    {
        const auto lock = serialise(__func__);
        auto q = m_db.prepare("SELECT video_id FROM video_copies WHERE path = ?1 AND file_size = ?2 AND mtime_ms = ?3");
        q.bind(1, path).bind(2, fileSize).bind(3, mtimeMs);
        if (!q.step())
            return std::nullopt;
        id = q.int64(0);
    }
    return videoWhere("v.id = CAST(?1 AS INTEGER)", std::to_string(id));
}

std::map<VideoId, std::vector<std::string>> TwinStore::copies() const
{
    const auto lock = serialise(__func__);
    std::map<VideoId, std::vector<std::string>> out;
    auto q = m_db.prepare("SELECT video_id, path FROM video_copies ORDER BY video_id, path");
    while (q.step())
        out[q.int64(0)].push_back(q.text(1));
    return out;
}
std::optional<VideoRow> TwinStore::videoByPath(const std::string &path) const
{
    return videoWhere("v.path = ?1", path);
}

Status TwinStore::deleteChildren(VideoId id)
{
    // Instances go with their frames; components take their embeddings along (ON DELETE CASCADE).
    for (const char *sql : {"DELETE FROM frames WHERE video_id = ?1", "DELETE FROM tracks WHERE video_id = ?1",
                            "DELETE FROM relationships WHERE video_id = ?1",
                            "DELETE FROM components WHERE video_id = ?1", "DELETE FROM twin_text WHERE rowid = ?1"}) {
        auto q = m_db.prepare(sql);
        q.bind(1, static_cast<int64_t>(id));
        if (!q.run())
            return Status::error(q.error());
    }
    return Status::ok();
}

Result<VideoId> TwinStore::putTwin(const Twin &twin, int pipelineVersion, int64_t mtimeMs, const std::string &textBody)
{
    const auto lock = serialise(__func__);
    using R = Result<VideoId>;
    SqliteTransaction tx(m_db);
    if (!tx.isActive())
        return R::error("cannot start a transaction: " + m_db.lastError());

    json meta{{"schema_version", twin.schemaVersion}};
    {
        json full = toJson(twin);
        for (const char *k : {"sampling", "roles", "scene", "observations", "errors"})
            meta[k] = full[k];
    }
    auto up = m_db.prepare(
        "INSERT INTO videos(key, path, content_hash, file_size, mtime_ms, status, error, pipeline_version, "
        "duration_ms, fps, width, height, rotation, frame_count, codec, meta_json) "
        "VALUES(?1, ?2, ?3, ?4, ?5, 'done', NULL, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
        "ON CONFLICT(key) DO UPDATE SET path = excluded.path, content_hash = excluded.content_hash, "
        "file_size = excluded.file_size, mtime_ms = excluded.mtime_ms, status = 'done', error = NULL, "
        "pipeline_version = excluded.pipeline_version, duration_ms = excluded.duration_ms, fps = excluded.fps, "
        "width = excluded.width, height = excluded.height, rotation = excluded.rotation, "
        "frame_count = excluded.frame_count, codec = excluded.codec, meta_json = excluded.meta_json, "
        "ingested_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')");
    const VideoInfo &v = twin.video;
    up.bind(1, v.key).bind(2, v.path).bind(3, v.contentHash).bind(4, v.fileSize).bind(5, mtimeMs);
    up.bind(6, pipelineVersion).bind(7, v.durationMs).bind(8, v.fps).bind(9, v.width).bind(10, v.height);
    up.bind(11, v.rotation).bind(12, v.frameCount).bind(13, v.codec);
    up.bind(14, meta.dump(-1, ' ', false, json::error_handler_t::replace));
    if (!up.run())
        return R::error("cannot store video: " + up.error());
    auto idq = m_db.prepare("SELECT id FROM videos WHERE key = ?1");
    idq.bind(1, v.key);
    if (!idq.step())
        return R::error("video row vanished");
    const VideoId id = idq.int64(0);
    Status s = deleteChildren(id);
    if (!s)
        return R::error(s);

    auto fq = m_db.prepare(
        "INSERT INTO frames(video_id, frame_index, time_ms, keyframe, detected) VALUES(?1, ?2, ?3, ?4, ?5)");
    auto iq = m_db.prepare(
        "INSERT INTO instances(video_id, frame_index, track_id, category, synset, confidence, label_json, "
        "attributes_json, mask_h, mask_w, mask_rle, mask_source, box_x, box_y, box_w, box_h, cx, cy, depth, "
        "depth_source, area) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
        "?18, ?19, ?20, ?21)");
    for (const FrameRecord &f : twin.frames) {
        fq.bind(1, static_cast<int64_t>(id)).bind(2, static_cast<int64_t>(f.frameIndex)).bind(3, f.timeMs);
        fq.bind(4, f.keyframe ? 1 : 0).bind(5, f.detected ? 1 : 0);
        if (!fq.run())
            return R::error("cannot store frame " + std::to_string(f.frameIndex) + ": " + fq.error());
        for (const Instance &in : f.instances) {
            iq.bind(1, static_cast<int64_t>(id)).bind(2, static_cast<int64_t>(f.frameIndex)).bind(3, in.trackId);
            iq.bind(4, in.category.name).bind(5, in.category.synset).bind(6, static_cast<double>(in.category.score));
            iq.bind(7, toJson(in.category).dump(-1, ' ', false, json::error_handler_t::replace));
            iq.bind(8, toJson(in.attributes).dump(-1, ' ', false, json::error_handler_t::replace));
            if (in.mask.counts().empty()) {
                iq.bindNull(9).bindNull(10).bindNull(11);
            } else {
                const std::string counts = in.mask.toString();
                iq.bind(9, in.mask.height()).bind(10, in.mask.width()).bindBlob(11, counts.data(), counts.size());
            }
            iq.bind(12, in.maskSource);
            iq.bind(13, static_cast<double>(in.box.x)).bind(14, static_cast<double>(in.box.y));
            iq.bind(15, static_cast<double>(in.box.w)).bind(16, static_cast<double>(in.box.h));
            iq.bind(17, static_cast<double>(in.centroidX)).bind(18, static_cast<double>(in.centroidY));
            iq.bind(19, static_cast<double>(in.depth.value)).bind(20, in.depth.source).bind(21, in.areaPx);
            if (!iq.run())
                return R::error("cannot store instance of track " + std::to_string(in.trackId) + ": " + iq.error());
        }
    }

    auto tq = m_db.prepare("INSERT INTO tracks(video_id, track_id, category, synset, confidence, first_frame, "
                           "last_frame, data_json) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    json fullTracks = toJson(twin)["tracks"];
    for (size_t i = 0; i < twin.tracks.size(); ++i) {
        const Track &t = twin.tracks[i];
        tq.bind(1, static_cast<int64_t>(id)).bind(2, t.id).bind(3, t.category.name).bind(4, t.category.synset);
        tq.bind(5, static_cast<double>(t.category.score)).bind(6, static_cast<int64_t>(t.firstFrame));
        tq.bind(7, static_cast<int64_t>(t.lastFrame));
        tq.bind(8, fullTracks[i].dump(-1, ' ', false, json::error_handler_t::replace));
        if (!tq.run())
            return R::error("cannot store track " + std::to_string(t.id) + ": " + tq.error());
    }

    auto rq = m_db.prepare("INSERT INTO relationships(video_id, subject, predicate, object, first_frame, last_frame, "
                           "confidence, source) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    for (const Relationship &r : twin.relationships) {
        rq.bind(1, static_cast<int64_t>(id)).bind(2, r.subject).bind(3, r.predicate).bind(4, r.object);
        rq.bind(5, static_cast<int64_t>(r.firstFrame)).bind(6, static_cast<int64_t>(r.lastFrame));
        rq.bind(7, static_cast<double>(r.confidence)).bind(8, r.source);
        if (!rq.run())
            return R::error("cannot store relationship: " + rq.error());
    }

    auto xq = m_db.prepare("INSERT INTO twin_text(rowid, key, body) VALUES(?1, ?2, ?3)");
    xq.bind(1, static_cast<int64_t>(id)).bind(2, v.key).bind(3, textBody);
    if (!xq.run())
        return R::error("cannot index twin text: " + xq.error());

    s = tx.commit();
    if (!s)
        return R::error("commit failed: " + s.message());
    return id;
}

Status TwinStore::recordFailure(const std::string &key, const std::string &path, const std::string &contentHash,
                                int64_t fileSize, int64_t mtimeMs, int pipelineVersion, const std::string &error)
{
    const auto lock = serialise(__func__);
    SqliteTransaction tx(m_db);
    if (!tx.isActive())
        return Status::error("cannot start a transaction: " + m_db.lastError());
    auto q = m_db.prepare(
        "INSERT INTO videos(key, path, content_hash, file_size, mtime_ms, status, error, pipeline_version) "
        "VALUES(?1, ?2, ?3, ?4, ?5, 'failed', ?6, ?7) "
        "ON CONFLICT(key) DO UPDATE SET error = excluded.error, "
        "status = CASE WHEN videos.status = 'done' AND videos.path = excluded.path THEN 'done' ELSE 'failed' END, "
        "path = excluded.path, content_hash = CASE WHEN videos.status = 'done' THEN videos.content_hash "
        "ELSE excluded.content_hash END, file_size = excluded.file_size, "
        "mtime_ms = CASE WHEN videos.status = 'done' THEN videos.mtime_ms ELSE excluded.mtime_ms END, "
        "pipeline_version = CASE WHEN videos.status = 'done' THEN videos.pipeline_version "
        "ELSE excluded.pipeline_version END");
    q.bind(1, key).bind(2, path).bind(3, contentHash).bind(4, fileSize).bind(5, mtimeMs).bind(6, error);
    q.bind(7, pipelineVersion);
    if (!q.run())
        return Status::error("cannot record failure: " + q.error());
    return tx.commit();
}

Result<Twin> TwinStore::loadTwin(const std::string &key, TwinDetail detail) const
{
    const auto lock = serialise(__func__);
    using R = Result<Twin>;
    auto vq = m_db.prepare("SELECT id, key, path, content_hash, file_size, duration_ms, fps, width, height, rotation, "
                           "frame_count, codec, meta_json, status, error FROM videos WHERE key = ?1");
    vq.bind(1, key);
    if (!vq.step())
        return R::error("no video with key '" + key + "'");
    if (vq.text(13) == "failed")
        return R::error("'" + key + "' failed to ingest: " + vq.text(14));
    const VideoId id = vq.int64(0);
    json j = json::parse(vq.text(12), nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return R::error("'" + key + "': stored metadata is not valid JSON");
    j["video"] = {{"key", vq.text(1)},        {"path", vq.text(2)},         {"content_hash", vq.text(3)},
                  {"file_size", vq.int64(4)}, {"duration_ms", vq.int64(5)}, {"fps", vq.real(6)},
                  {"width", vq.integer(7)},   {"height", vq.integer(8)},    {"rotation", vq.integer(9)},
                  {"frame_count", vq.int64(10)}, {"codec", vq.text(11)}};

    json frames = json::array();
    auto fq = m_db.prepare(
        "SELECT frame_index, time_ms, keyframe, detected FROM frames WHERE video_id = ?1 ORDER BY frame_index");
    fq.bind(1, static_cast<int64_t>(id));
    std::vector<int64_t> frameIndex;
    while (fq.step()) {
        json f{{"index", fq.int64(0)}, {"time_ms", fq.int64(1)}, {"instances", json::array()}};
        if (fq.integer(2))
            f["keyframe"] = true;
        if (!fq.integer(3))
            f["detected"] = false;
        frameIndex.push_back(fq.int64(0));
        frames.push_back(std::move(f));
    }
    const bool masks = detail == TwinDetail::Full;
    auto iq = m_db.prepare(std::string("SELECT frame_index, track_id, label_json, attributes_json, mask_h, mask_w, ") +
                           (masks ? "mask_rle, " : "NULL, ") +
                           "mask_source, box_x, box_y, box_w, box_h, cx, cy, depth, depth_source, area "
                           "FROM instances WHERE video_id = ?1 ORDER BY frame_index, track_id");
    iq.bind(1, static_cast<int64_t>(id));
    size_t fi = 0;
    while (iq.step()) {
        const int64_t frame = iq.int64(0);
        while (fi < frameIndex.size() && frameIndex[fi] < frame)
            ++fi;
        if (fi >= frameIndex.size() || frameIndex[fi] != frame)
            return R::error("'" + key + "': instance on a frame that is not stored");
        json in{{"track", iq.integer(1)},
                {"category", json::parse(iq.text(2), nullptr, false)},
                {"attributes", json::parse(iq.text(3), nullptr, false)},
                {"box", {iq.real(8), iq.real(9), iq.real(10), iq.real(11)}},
                {"centroid", {iq.real(12), iq.real(13)}},
                {"depth", {{"value", iq.real(14)}, {"source", iq.text(15)}}},
                {"area", iq.int64(16)}};
        if (!iq.isNull(6)) {
            const auto blob = iq.blob(6);
            in["mask"] = {{"size", {iq.integer(4), iq.integer(5)}}, {"counts", std::string(blob.begin(), blob.end())}};
            in["mask_source"] = iq.text(7);
        }
        frames[fi]["instances"].push_back(std::move(in));
    }
    j["frames"] = std::move(frames);

    json tracks = json::array();
    auto tq = m_db.prepare("SELECT data_json FROM tracks WHERE video_id = ?1 ORDER BY track_id");
    tq.bind(1, static_cast<int64_t>(id));
    while (tq.step())
        tracks.push_back(json::parse(tq.text(0), nullptr, false));
    j["tracks"] = std::move(tracks);

    json rels = json::array();
    auto rq = m_db.prepare("SELECT subject, predicate, object, first_frame, last_frame, confidence, source "
                           "FROM relationships WHERE video_id = ?1 ORDER BY id");
    rq.bind(1, static_cast<int64_t>(id));
    while (rq.step())
        rels.push_back({{"subject", rq.integer(0)},    {"predicate", rq.text(1)},   {"object", rq.integer(2)},
                        {"first_frame", rq.int64(3)}, {"last_frame", rq.int64(4)}, {"confidence", rq.real(5)},
                        {"source", rq.text(6)}});
    j["relationships"] = std::move(rels);
    auto t = twinFromJson(j);
    if (!t)
        return R::error("'" + key + "': stored twin is damaged: " + t.message());
    return t;
}

Status TwinStore::removeVideo(const std::string &key)
{
    const auto lock = serialise(__func__);
    SqliteTransaction tx(m_db);
    if (!tx.isActive())
        return Status::error("cannot start a transaction: " + m_db.lastError());
    auto idq = m_db.prepare("SELECT id FROM videos WHERE key = ?1");
    idq.bind(1, key);
    if (!idq.step())
        return Status::error("no video with key '" + key + "'");
    const VideoId id = idq.int64(0);
    auto tq = m_db.prepare("DELETE FROM twin_text WHERE rowid = ?1");
    tq.bind(1, static_cast<int64_t>(id));
    if (!tq.run())
        return Status::error(tq.error());
    auto q = m_db.prepare("DELETE FROM videos WHERE id = ?1");
    q.bind(1, static_cast<int64_t>(id));
    if (!q.run())
        return Status::error(q.error());
    return tx.commit();
}

Status TwinStore::updateLocation(const std::string &key, const std::string &path, int64_t mtimeMs)
{
    const auto lock = serialise(__func__);
    auto q = m_db.prepare("UPDATE videos SET path = ?2, mtime_ms = ?3 WHERE key = ?1");
    q.bind(1, key).bind(2, path).bind(3, mtimeMs);
    return q.run() ? Status::ok() : Status::error(q.error());
}

Result<VideoId> TwinStore::putRefinedTwin(const Twin &twin)
{
    using R = Result<VideoId>;
    const auto row = videoByKey(twin.video.key);
    if (!row)
        return R::error("video '" + twin.video.key + "' is not in the library");
    if (row->status != VideoStatus::Done)
        return R::error("video '" + twin.video.key + "' has no stored twin to refine");
    if (!row->contentHash.empty() && !twin.video.contentHash.empty() && row->contentHash != twin.video.contentHash)
        return R::error("video '" + twin.video.key + "' changed since its twin was loaded; refine the new twin");
    return putTwin(twin, row->pipelineVersion, row->mtimeMs, twinSearchText(twin));
}

Status TwinStore::addObservations(const std::string &key, const std::vector<Observation> &observations)
{
    const auto lock = serialise(__func__);
    SqliteTransaction tx(m_db);
    if (!tx.isActive())
        return Status::error("cannot start a transaction: " + m_db.lastError());
    auto q = m_db.prepare("SELECT meta_json FROM videos WHERE key = ?1 AND status = 'done'");
    q.bind(1, key);
    if (!q.step())
        return Status::error("no ingested video with key '" + key + "'");
    json meta = json::parse(q.text(0), nullptr, false);
    if (!meta.is_object())
        return Status::error("stored metadata is damaged");
    if (!meta.contains("observations") || !meta["observations"].is_array())
        meta["observations"] = json::array();
    Twin tmp;
    tmp.observations = observations;
    const json added = toJson(tmp)["observations"];
    for (const json &o : added)
        meta["observations"].push_back(o);
    auto u = m_db.prepare("UPDATE videos SET meta_json = ?2 WHERE key = ?1");
    u.bind(1, key).bind(2, meta.dump(-1, ' ', false, json::error_handler_t::replace));
    if (!u.run())
        return Status::error(u.error());
    return tx.commit();
}

Status TwinStore::putComponents(VideoId videoId, const std::vector<Component> &components,
                                const std::vector<std::vector<float>> &vectors, const std::string &encoderVersion)
{
    if (!vectors.empty() && vectors.size() != components.size())
        return Status::error("one vector per component is required");
    const auto lock = serialise(__func__);
    SqliteTransaction tx(m_db);
    if (!tx.isActive())
        return Status::error("cannot start a transaction: " + m_db.lastError());
    auto d = m_db.prepare("DELETE FROM components WHERE video_id = ?1");
    d.bind(1, static_cast<int64_t>(videoId));
    if (!d.run())
        return Status::error(d.error());
    auto cq = m_db.prepare("INSERT INTO components(video_id, kind, ref, text, weight) VALUES(?1, ?2, ?3, ?4, ?5)");
    auto eq = m_db.prepare("INSERT INTO embeddings(component_id, encoder_version, dim, vector) VALUES(?1, ?2, ?3, ?4)");
    for (size_t i = 0; i < components.size(); ++i) {
        const Component &c = components[i];
        cq.bind(1, static_cast<int64_t>(videoId)).bind(2, c.kind).bind(3, c.ref).bind(4, c.text);
        cq.bind(5, static_cast<double>(c.weight));
        if (!cq.run())
            return Status::error("cannot store component: " + cq.error());
        if (vectors.empty())
            continue;
        const int64_t cid = m_db.lastInsertId();
        const auto &v = vectors[i];
        eq.bind(1, cid).bind(2, encoderVersion).bind(3, static_cast<int64_t>(v.size()));
        eq.bindBlob(4, v.data(), v.size() * sizeof(float));
        if (!eq.run())
            return Status::error("cannot store embedding: " + eq.error());
    }
    return tx.commit();
}

std::vector<Component> TwinStore::components(VideoId videoId) const
{
    const auto lock = serialise(__func__);
    std::vector<Component> out;
    auto q = m_db.prepare(videoId ? "SELECT id, video_id, kind, ref, text, weight FROM components WHERE video_id = ?1 "
                                    "ORDER BY id"
                                  : "SELECT id, video_id, kind, ref, text, weight FROM components ORDER BY id");
    if (videoId)
        q.bind(1, static_cast<int64_t>(videoId));
    while (q.step())
        out.push_back({q.int64(0), q.int64(1), q.text(2), q.text(3), q.text(4), static_cast<float>(q.real(5))});
    return out;
}

std::vector<StoredEmbedding> TwinStore::embeddings(const std::string &encoderVersion) const
{
    const auto lock = serialise(__func__);
    std::vector<StoredEmbedding> out;
    auto q = m_db.prepare("SELECT e.component_id, c.video_id, e.dim, e.vector FROM embeddings e "
                          "JOIN components c ON c.id = e.component_id WHERE e.encoder_version = ?1 ORDER BY c.id");
    q.bind(1, encoderVersion);
    while (q.step()) {
        StoredEmbedding e;
        e.componentId = q.int64(0);
        e.videoId = q.int64(1);
        const auto blob = q.blob(3);
        const int64_t dim = q.int64(2);
        if (dim <= 0 || blob.size() != static_cast<size_t>(dim) * sizeof(float))
            continue; // a damaged row is skipped rather than trusted
        e.vector.resize(static_cast<size_t>(dim));
        std::memcpy(e.vector.data(), blob.data(), blob.size());
        out.push_back(std::move(e));
    }
    return out;
}

Status TwinStore::forEachEmbedding(const std::string &encoderVersion,
                                   const std::function<bool(const EmbeddingRow &)> &fn) const
{
    const auto lock = serialise(__func__);
    auto q = m_db.prepare("SELECT e.component_id, c.video_id, c.weight, e.dim, e.vector FROM embeddings e "
                          "JOIN components c ON c.id = e.component_id WHERE e.encoder_version = ?1 "
                          "ORDER BY c.video_id, c.id");
    q.bind(1, encoderVersion);
    std::vector<float> aligned;
    while (q.step()) {
        EmbeddingRow row;
        row.componentId = q.int64(0);
        row.videoId = q.int64(1);
        row.weight = static_cast<float>(q.real(2));
        row.dim = q.integer(3);
        const auto blob = q.blob(4);
        if (row.dim <= 0 || blob.size() != static_cast<size_t>(row.dim) * sizeof(float))
            continue; // a damaged row is skipped rather than trusted
        aligned.resize(static_cast<size_t>(row.dim));
        std::memcpy(aligned.data(), blob.data(), blob.size());
        row.vector = aligned.data();
        if (!fn(row))
            return Status::ok();
    }
    if (!q.error().empty())
        return Status::error("cannot read embeddings: " + q.error());
    return Status::ok();
}

EmbeddingSignature TwinStore::embeddingSignature(const std::string &encoderVersion) const
{
    const auto lock = serialise(__func__);
    EmbeddingSignature s;
    auto q = m_db.prepare("SELECT COUNT(*), COALESCE(MAX(component_id), 0), COALESCE(SUM(component_id), 0) "
                          "FROM embeddings WHERE encoder_version = ?1");
    q.bind(1, encoderVersion);
    if (q.step()) {
        s.count = q.int64(0);
        s.maxComponentId = q.int64(1);
        s.sumComponentId = q.int64(2);
    }
    auto v = m_db.prepare("SELECT COALESCE(MAX(ingested_at), '') FROM videos");
    if (v.step())
        s.lastIngest = v.text(0);
    return s;
}

std::pair<int64_t, int64_t> TwinStore::changeMarker() const
{
    const auto lock = serialise(__func__);
    auto q = m_db.prepare("PRAGMA data_version");
    const int64_t dataVersion = q.step() ? q.int64(0) : -1;
    return {dataVersion, static_cast<int64_t>(sqlite3_total_changes(m_db.handle()))};
}

std::vector<std::pair<VideoId, double>> TwinStore::searchText(const std::string &ftsQuery, int limit) const
{
    const auto lock = serialise(__func__);
    std::vector<std::pair<VideoId, double>> out;
    auto q = m_db.prepare("SELECT rowid, bm25(twin_text) FROM twin_text WHERE twin_text MATCH ?1 "
                          "ORDER BY bm25(twin_text) LIMIT ?2");
    q.bind(1, ftsQuery).bind(2, limit);
    while (q.step())
        out.emplace_back(q.int64(0), q.real(1));
    return out;
}

Result<int64_t> TwinStore::saveQuery(const std::string &text, const std::string &optionsJson,
                                     const std::vector<std::pair<VideoId, double>> &ranking,
                                     const std::vector<std::string> &resultJson)
{
    const auto lock = serialise(__func__);
    using R = Result<int64_t>;
    SqliteTransaction tx(m_db);
    if (!tx.isActive())
        return R::error("cannot start a transaction: " + m_db.lastError());
    auto q = m_db.prepare("INSERT INTO queries(text, options_json) VALUES(?1, ?2)");
    q.bind(1, text).bind(2, optionsJson);
    if (!q.run())
        return R::error(q.error());
    const int64_t qid = m_db.lastInsertId();
    auto r = m_db.prepare("INSERT INTO results(query_id, rank, video_id, score, data_json) VALUES(?1, ?2, ?3, ?4, ?5)");
    auto t = m_db.prepare("INSERT OR REPLACE INTO traces(query_id, video_id, trace_json) VALUES(?1, ?2, ?3)");
    for (size_t i = 0; i < ranking.size(); ++i) {
        r.bind(1, qid).bind(2, static_cast<int64_t>(i + 1)).bind(3, static_cast<int64_t>(ranking[i].first));
        r.bind(4, ranking[i].second).bind(5, i < resultJson.size() ? resultJson[i] : std::string("{}"));
        if (!r.run())
            return R::error(r.error());
        if (i < resultJson.size()) {
            t.bind(1, qid).bind(2, static_cast<int64_t>(ranking[i].first)).bind(3, resultJson[i]);
            if (!t.run())
                return R::error(t.error());
        }
    }
    Status s = tx.commit();
    if (!s)
        return R::error(s);
    return qid;
}

std::vector<std::pair<int64_t, std::string>> TwinStore::recentQueries(int limit) const
{
    const auto lock = serialise(__func__);
    std::vector<std::pair<int64_t, std::string>> out;
    auto q = m_db.prepare("SELECT MAX(id), text FROM queries GROUP BY text ORDER BY MAX(id) DESC LIMIT ?1");
    q.bind(1, limit);
    while (q.step())
        out.emplace_back(q.int64(0), q.text(1));
    return out;
}

Status TwinStore::putAnnotation(const Annotation &a)
{
    const auto lock = serialise(__func__);
    auto q = m_db.prepare(
        "INSERT INTO annotations(query_set, query_id, video_key, grade, verdict, objects_json) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(query_set, query_id, video_key) DO UPDATE SET "
        "grade = excluded.grade, verdict = excluded.verdict, objects_json = excluded.objects_json, "
        "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')");
    q.bind(1, a.querySet).bind(2, a.queryId).bind(3, a.videoKey).bind(4, a.grade).bind(5, a.verdict);
    q.bind(6, a.objectsJson);
    return q.run() ? Status::ok() : Status::error(q.error());
}

std::vector<Annotation> TwinStore::annotations(const std::string &querySet) const
{
    const auto lock = serialise(__func__);
    std::vector<Annotation> out;
    auto q = m_db.prepare("SELECT query_set, query_id, video_key, grade, verdict, objects_json, updated_at "
                          "FROM annotations WHERE query_set = ?1 ORDER BY query_id, video_key");
    q.bind(1, querySet);
    while (q.step())
        out.push_back({q.text(0), q.text(1), q.text(2), q.integer(3), q.text(4), q.text(5), q.text(6)});
    return out;
}

Status TwinStore::copyTo(const std::string &path) const
{
    const auto lock = serialise(__func__);
    auto q = m_db.prepare("VACUUM INTO ?1");
    q.bind(1, path);
    if (!q.run())
        return Status::error("cannot copy the library to " + path + ": " + q.error());
    return Status::ok();
}

Status TwinStore::checkIntegrity(IntegrityCheck depth) const
{
    const auto lock = serialise(__func__);
    const bool quick = depth == IntegrityCheck::Quick;
    auto q = m_db.prepare(quick ? "PRAGMA quick_check" : "PRAGMA integrity_check");
    std::string result;
    while (q.step())
        result += q.text(0) + ";";
    if (!q.error().empty())
        result += q.error() + ";";
    if (result != "ok;")
        return Status::error(std::string(quick ? "quick_check: " : "integrity_check: ") + result);
    if (quick)
        return Status::ok();
    auto f = m_db.prepare("PRAGMA foreign_key_check");
    if (f.step())
        return Status::error("foreign_key_check: orphan rows in " + f.text(0));
    return Status::ok();
}

namespace {

std::string thisProcess()
{
    char host[256] = {};
    if (gethostname(host, sizeof(host) - 1) != 0)
        host[0] = '\0';
    return std::string(host) + ":" + std::to_string(getpid());
}

int64_t nowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// A claim is honoured while its process runs: on this host that can be asked; from another host (a library on a
/// shared disk) it is believed for six hours, longer than any one video takes.
bool claimIsLive(const std::string &owner, int64_t claimedMs)
{
    const size_t colon = owner.rfind(':');
    if (colon == std::string::npos)
        return false;
    const std::string me = thisProcess();
    const bool sameHost = owner.substr(0, colon) == me.substr(0, me.rfind(':'));
    if (!sameHost)
        return nowMs() - claimedMs < 6LL * 3600 * 1000;
    const long pid = std::strtol(owner.c_str() + colon + 1, nullptr, 10);
    return pid > 0 && (kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

} // namespace

Result<bool> TwinStore::claimIngest(const std::string &path, std::string *holder)
{
    const auto lock = serialise(__func__);
    using R = Result<bool>;
    const std::string me = thisProcess();
    // One immediate transaction: two processes cannot both see the path unclaimed.
    Status s = m_db.exec("BEGIN IMMEDIATE");
    if (!s)
        return R::error(s);
    auto q = m_db.prepare("SELECT owner, claimed_ms FROM ingest_claims WHERE path = ?1");
    q.bind(1, path);
    if (q.step()) {
        const std::string owner = q.text(0);
        if (owner != me && claimIsLive(owner, q.int64(1))) {
            m_db.exec("ROLLBACK");
            if (holder)
                *holder = owner;
            return false;
        }
    }
    auto up = m_db.prepare("INSERT OR REPLACE INTO ingest_claims(path, owner, claimed_ms) VALUES(?1, ?2, ?3)");
    up.bind(1, path).bind(2, me).bind(3, nowMs());
    if (!up.run()) {
        m_db.exec("ROLLBACK");
        return R::error(up.error());
    }
    s = m_db.exec("COMMIT");
    if (!s) {
        m_db.exec("ROLLBACK");
        return R::error(s);
    }
    return true;
}

void TwinStore::releaseIngest(const std::string &path)
{
    const auto lock = serialise(__func__);
    auto q = m_db.prepare("DELETE FROM ingest_claims WHERE path = ?1 AND owner = ?2");
    q.bind(1, path).bind(2, thisProcess());
    q.run();
}

} // namespace ts
