// Result thumbnails decoded in the background and kept in a bounded cache: a representative frame of the video
// with the masks of the grounded objects tinted over it in their track colours.
#pragma once

#include "base/cancel.h"
#include "base/types.h"

#include <QCache>
#include <QHash>
#include <QImage>
#include <QObject>
#include <QSet>

#include <memory>
#include <vector>

class QThreadPool;

namespace ts {

class TwinStore;
struct Twin;

class ThumbnailCache : public QObject {
    Q_OBJECT
public:
    /// Decoding runs on pool (e.g. the task manager's decode pool), never on the UI thread.
    ThumbnailCache(QThreadPool *pool, QObject *parent);
    ~ThumbnailCache() override;

    /// Switches library; drops the cache and abandons queued work.
    void setStore(std::shared_ptr<TwinStore> store);
    /// The thumbnail if it is ready; otherwise a null image, and the decode is queued (once).
    QImage thumbnail(const QString &videoKey, const std::vector<TrackId> &grounded);
    /// True when the decode failed (the delegate then shows a placeholder instead of waiting).
    bool hasFailed(const QString &videoKey, const std::vector<TrackId> &grounded) const;
    void setMaxSide(int pixels) { m_maxSide = pixels; }
    int pendingCount() const { return static_cast<int>(m_inFlight.size()); }

    /// Representative frame: the analysed frame where the grounded objects together cover the most pixels,
    /// else the middle of the video. Runs on a worker thread.
    static FrameIndex representativeFrame(const Twin &twin, const std::vector<TrackId> &grounded);

signals:
    void thumbnailReady(const QString &videoKey);

private:
    static QString cacheKey(const QString &videoKey, const std::vector<TrackId> &grounded);

    QThreadPool *m_pool = nullptr;
    std::shared_ptr<TwinStore> m_store;
    CancelToken m_cancel;
    quint64 m_generation = 0;
    QCache<QString, QImage> m_cache;
    QSet<QString> m_inFlight;
    QSet<QString> m_failed;
    int m_maxSide = 320;
};

} // namespace ts
