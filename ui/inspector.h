// The inspector: one video of the library, frame by frame. Frame-accurate scrubbing (slider and frame box, exact
// seek on a worker keeping only the latest request), playback at the video's rate dropping frames when decoding
// is slow, mask overlays per track with toggles and opacity, hover details, click for an instance's twin JSON,
// the query's grounded objects highlighted, and the timeline underneath.
#pragma once

#include "query/results.h"
#include "twin/twin.h"

#include <QElapsedTimer>
#include <QSet>
#include <QWidget>

#include <memory>
#include <optional>

class QCheckBox;
class QLabel;
class QListView;
class QSlider;
class QSpinBox;
class QSettings;
class QSplitter;
class QThreadPool;
class QTimer;
class QToolButton;

namespace ts {

class FrameDecoder;
class FrameView;
class Timeline;
class TrackModel;
class TwinStore;

class Inspector : public QWidget {
    Q_OBJECT
public:
    /// Twins are loaded on loadPool (never on the UI thread).
    Inspector(QThreadPool *loadPool, QWidget *parent);
    ~Inspector() override;

    void setStore(std::shared_ptr<TwinStore> store);
    /// Loads the video's twin in the background, then shows it at the grounding's representative frame.
    /// grounding is the query's result for this video (its objects get highlighted), if any.
    void showVideo(const QString &key, const std::optional<VideoResult> &grounding = std::nullopt,
                   const std::vector<SubQuery> &subQueries = {});
    void clear();

    void seek(FrameIndex frameIndex);
    void step(int frames);
    void setPlaying(bool playing);
    bool isPlaying() const;
    /// J/K/L shuttle as in editing tools: L plays forward and doubles the speed on each press (up to 8x), J the
    /// same backward, K stops. direction: +1 (L), -1 (J), 0 (K).
    void shuttle(int direction);
    /// Splitter sizes (frame and tracks, view and timeline), kept between sessions.
    void saveLayout(QSettings &settings) const;
    void restoreLayout(const QSettings &settings);
    QSplitter *timelineSplitter() const { return m_split; }
    /// Frames per frame of real time while playing: 1 normal, negative backward, 0 stopped.
    double playbackRate() const { return isPlaying() ? m_rate : 0.0; }
    QSlider *slider() const { return m_slider; }
    /// Ground-truth objects chosen by the annotator (dashed outline and a star in the track list).
    void setMarkedTracks(const QSet<TrackId> &tracks);

    QString currentKey() const { return m_key; }
    FrameIndex currentFrame() const { return m_current; }
    const Twin *twin() const { return m_twin.get(); }
    std::shared_ptr<const Twin> sharedTwin() const { return m_twin; }
    const std::optional<VideoResult> &grounding() const { return m_grounding; }
    QSet<TrackId> visibleTracks() const;
    FrameView *frameView() const { return m_view; }
    TrackModel *trackModel() const { return m_tracks; }
    Timeline *timeline() const { return m_timeline; }
    FrameDecoder *decoder() const { return m_decoder; }

    /// The instance of the shown frame with its track, relationships and observations, as twin JSON.
    QString instanceJson(int instanceIndex) const;

signals:
    void videoLoaded(const QString &key);
    void loadFailed(const QString &key, const QString &message);
    void instanceSelected(const QString &key, ts::TrackId trackId, const QString &json);
    void currentFrameChanged(qint64 frameIndex);
    void statusMessage(const QString &text);

private:
    void onTwinLoaded(const QString &key, std::shared_ptr<const Twin> twin, const std::optional<VideoResult> &grounding);
    void onFrameReady(qint64 frameIndex, const QImage &image);
    void onPlayTick();
    void updateStyle();
    void updateTimeLabel();
    const FrameRecord *recordFor(FrameIndex frameIndex) const;

    QThreadPool *m_loadPool = nullptr;
    std::shared_ptr<TwinStore> m_store;
    std::shared_ptr<const Twin> m_twin;
    std::optional<VideoResult> m_grounding;
    QString m_key;
    quint64 m_loadGeneration = 0;
    FrameIndex m_current = -1;
    FrameIndex m_frameCount = 0;
    double m_fps = 25.0;

    FrameDecoder *m_decoder = nullptr;
    FrameView *m_view = nullptr;
    Timeline *m_timeline = nullptr;
    TrackModel *m_tracks = nullptr;
    QListView *m_trackList = nullptr;
    QSlider *m_slider = nullptr;
    QSpinBox *m_frameBox = nullptr;
    QLabel *m_time = nullptr;
    QLabel *m_title = nullptr;
    QToolButton *m_play = nullptr;
    QSlider *m_opacity = nullptr;
    QCheckBox *m_labels = nullptr;
    QTimer *m_playTimer = nullptr;
    QSplitter *m_split = nullptr;
    QSplitter *m_top = nullptr;
    bool m_userSizedTimeline = false;
    QElapsedTimer m_playClock;
    FrameIndex m_playStart = 0;
    double m_rate = 1.0;
};

} // namespace ts
