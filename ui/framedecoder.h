// Frame-accurate decoding for the inspector, off the UI thread. Requests coalesce: while one frame decodes only
// the latest request waits, so scrubbing and playback never queue up stale frames (slow decode drops frames).
#pragma once

#include "base/types.h"

#include <QImage>
#include <QObject>

#include <memory>

class QThreadPool;

namespace ts {

class FrameDecoder : public QObject {
    Q_OBJECT
public:
    explicit FrameDecoder(QObject *parent);
    /// Waits for the frame being decoded (at most one).
    ~FrameDecoder() override;

    /// Decodes from this file from now on (opened by the worker on the next request).
    void setFile(const QString &path);
    /// Asks for a frame; replaces any request that has not started yet.
    void request(FrameIndex frameIndex);
    /// Frames decoded so far and requests that were replaced before they ran (for the status bar).
    int decodedCount() const;
    int droppedCount() const;

signals:
    void frameReady(qint64 frameIndex, const QImage &image);
    void failed(const QString &message);

private:
    struct Shared;
    void work();

    std::shared_ptr<Shared> m_shared;
    QThreadPool *m_pool = nullptr;
};

} // namespace ts
