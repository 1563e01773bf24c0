#include "thumbnailcache.h"

#include "maskoverlay.h"
#include "media/videoreader.h"
#include "store/twinstore.h"

#include <QFuture>
#include <QStringList>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

namespace ts {

namespace {
constexpr int kCacheKiB = 96 * 1024;
}

ThumbnailCache::ThumbnailCache(QThreadPool *pool, QObject *parent) : QObject(parent), m_pool(pool)
{
    m_cache.setMaxCost(kCacheKiB);
}

ThumbnailCache::~ThumbnailCache() { m_cancel.cancel(); }

void ThumbnailCache::setStore(std::shared_ptr<TwinStore> store)
{
    m_cancel.cancel();
    m_cancel = CancelToken();
    ++m_generation;
    m_store = std::move(store);
    m_cache.clear();
    m_inFlight.clear();
    m_failed.clear();
}

QString ThumbnailCache::cacheKey(const QString &videoKey, const std::vector<TrackId> &grounded)
{
    QStringList parts = {videoKey};
    for (TrackId t : grounded)
        parts.push_back(QString::number(t));
    return parts.join(QLatin1Char(':'));
}

bool ThumbnailCache::hasFailed(const QString &videoKey, const std::vector<TrackId> &grounded) const
{
    return m_failed.contains(cacheKey(videoKey, grounded));
}

FrameIndex ThumbnailCache::representativeFrame(const Twin &twin, const std::vector<TrackId> &grounded)
{
    const FrameIndex middle = twin.video.frameCount > 0 ? twin.video.frameCount / 2 : 0;
    if (grounded.empty())
        return middle;
    FrameIndex best = -1;
    int64_t bestArea = 0;
    for (const FrameRecord &f : twin.frames) {
        int64_t area = 0;
        for (const Instance &in : f.instances)
            if (std::find(grounded.begin(), grounded.end(), in.trackId) != grounded.end())
                area += in.areaPx > 0 ? in.areaPx : static_cast<int64_t>(in.box.area());
        if (area > bestArea) {
            bestArea = area;
            best = f.frameIndex;
        }
    }
    return best >= 0 ? best : middle;
}

QImage ThumbnailCache::thumbnail(const QString &videoKey, const std::vector<TrackId> &grounded)
{
    const QString key = cacheKey(videoKey, grounded);
    if (QImage *img = m_cache.object(key))
        return *img;
    if (!m_store || m_inFlight.contains(key) || m_failed.contains(key))
        return {};
    m_inFlight.insert(key);
    const std::shared_ptr<TwinStore> store = m_store;
    const CancelToken cancel = m_cancel;
    const std::string k = videoKey.toStdString();
    const int maxSide = m_maxSide;
    const quint64 generation = m_generation;
    QFuture<QImage> future = QtConcurrent::run(m_pool, [store, cancel, k, grounded, maxSide]() -> QImage {
        if (cancel.isCancelled())
            return {};
        auto twin = store->loadTwin(k);
        if (!twin)
            return {};
        const FrameIndex frame = representativeFrame(*twin, grounded);
        auto mat = makeThumbnail(twin->video.path, maxSide, frame);
        if (!mat || cancel.isCancelled())
            return {};
        QImage image = matToImage(*mat);
        for (TrackId t : grounded)
            tintMask(image, twin->maskOf({t}, frame), trackColor(t), 0.45);
        return image;
    });
    future.then(this, [this, key, videoKey, generation](const QImage &image) {
        if (generation != m_generation)
            return;
        m_inFlight.remove(key);
        if (image.isNull())
            m_failed.insert(key);
        else
            m_cache.insert(key, new QImage(image), std::max<qsizetype>(1, image.sizeInBytes() / 1024));
        emit thumbnailReady(videoKey);
    });
    return {};
}

} // namespace ts
