#include "framedecoder.h"

#include "maskoverlay.h"
#include "media/videoreader.h"

#include <QMetaObject>
#include <QThreadPool>

#include <mutex>

namespace ts {

struct FrameDecoder::Shared {
    std::mutex mutex;
    // Guarded by mutex.
    std::string path;
    FrameIndex pending = -1;
    bool running = false;
    int decoded = 0;
    int dropped = 0;
    // Worker only (one worker at a time).
    std::unique_ptr<VideoReader> reader;
    std::string openedPath;
    FrameIndex lastIndex = -2;
};

FrameDecoder::FrameDecoder(QObject *parent) : QObject(parent), m_shared(std::make_shared<Shared>())
{
    m_pool = new QThreadPool(this);
    m_pool->setMaxThreadCount(1);
}

FrameDecoder::~FrameDecoder()
{
    {
        std::lock_guard<std::mutex> lock(m_shared->mutex);
        m_shared->pending = -1;
    }
    m_pool->waitForDone();
}

void FrameDecoder::setFile(const QString &path)
{
    std::lock_guard<std::mutex> lock(m_shared->mutex);
    m_shared->path = path.toStdString();
    m_shared->pending = -1;
}

int FrameDecoder::decodedCount() const
{
    std::lock_guard<std::mutex> lock(m_shared->mutex);
    return m_shared->decoded;
}

int FrameDecoder::droppedCount() const
{
    std::lock_guard<std::mutex> lock(m_shared->mutex);
    return m_shared->dropped;
}

void FrameDecoder::request(FrameIndex frameIndex)
{
    std::lock_guard<std::mutex> lock(m_shared->mutex);
    if (m_shared->pending >= 0)
        ++m_shared->dropped;
    m_shared->pending = std::max<FrameIndex>(0, frameIndex);
    if (m_shared->running)
        return;
    m_shared->running = true;
    m_pool->start([this] { work(); });
}

void FrameDecoder::work()
{
    Shared &s = *m_shared;
    for (;;) {
        std::string path;
        FrameIndex frame;
        {
            std::lock_guard<std::mutex> lock(s.mutex);
            if (s.pending < 0) {
                s.running = false;
                return;
            }
            frame = s.pending;
            path = s.path;
            s.pending = -1;
        }
        if (path != s.openedPath || !s.reader) {
            s.reader.reset();
            s.openedPath = path;
            s.lastIndex = -2;
            auto reader = VideoReader::open(path);
            if (!reader) {
                const QString message = QString::fromStdString(reader.message());
                QMetaObject::invokeMethod(this, [this, message] { emit failed(message); }, Qt::QueuedConnection);
                continue;
            }
            s.reader = std::move(reader).value();
        }
        // Playback asks for the next frame most of the time: decode on instead of seeking.
        if (frame != s.lastIndex + 1) {
            const Status seek = s.reader->seekToFrame(frame);
            if (!seek) {
                const QString message = QString::fromStdString(seek.message());
                s.lastIndex = -2;
                QMetaObject::invokeMethod(this, [this, message] { emit failed(message); }, Qt::QueuedConnection);
                continue;
            }
        }
        DecodedFrame decoded;
        auto more = s.reader->next(decoded, FramePixels::Bgr);
        if (!more || !*more) {
            s.lastIndex = -2;
            const QString message = more ? tr("frame %1 is past the end of the video").arg(frame)
                                         : QString::fromStdString(more.message());
            QMetaObject::invokeMethod(this, [this, message] { emit failed(message); }, Qt::QueuedConnection);
            continue;
        }
        s.lastIndex = decoded.frameIndex;
        const QImage image = matToImage(decoded.bgr);
        const qint64 index = decoded.frameIndex;
        {
            std::lock_guard<std::mutex> lock(s.mutex);
            ++s.decoded;
        }
        // Safe: the destructor waits for this worker before the object goes away.
        QMetaObject::invokeMethod(this, [this, index, image] { emit frameReady(index, image); }, Qt::QueuedConnection);
    }
}

} // namespace ts
