#include "inspector.h"

#include "framedecoder.h"
#include "frameview.h"
#include "maskoverlay.h"
#include "store/twinstore.h"
#include "thumbnailcache.h"
#include "timeline.h"
#include "trackmodel.h"

#include <QAction>
#include <QCheckBox>
#include <QFuture>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QLocale>
#include <QScrollArea>
#include <QProxyStyle>
#include <QSettings>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QThreadPool>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace ts {

namespace {

/// A click on the groove jumps there, as in every video player; Qt's default pages by the page step.
class JumpSliderStyle : public QProxyStyle {
public:
    int styleHint(StyleHint hint, const QStyleOption *option, const QWidget *widget,
                  QStyleHintReturn *returnData) const override
    {
        if (hint == QStyle::SH_Slider_AbsoluteSetButtons)
            return Qt::LeftButton;
        return QProxyStyle::styleHint(hint, option, widget, returnData);
    }
};

} // namespace

Inspector::Inspector(QThreadPool *loadPool, QWidget *parent) : QWidget(parent), m_loadPool(loadPool)
{
    m_decoder = new FrameDecoder(this);
    m_view = new FrameView(this);
    m_timeline = new Timeline(this);
    m_tracks = new TrackModel(this);

    m_title = new QLabel(this);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A long title is cut by the layout (and shown whole in the tooltip) instead of widening the whole window.
    m_title->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_title->setMinimumWidth(80);

    m_play = new QToolButton(this);
    m_play->setText(tr("Play"));
    m_play->setCheckable(true);
    m_play->setToolTip(tr("Play or pause (Space)"));
    auto *prev = new QToolButton(this);
    prev->setText(QStringLiteral("◀"));
    prev->setToolTip(tr("Previous frame (Left)"));
    auto *next = new QToolButton(this);
    next->setText(QStringLiteral("▶"));
    next->setToolTip(tr("Next frame (Right)"));
    m_slider = new QSlider(Qt::Horizontal, this);
    m_slider->setRange(0, 0);
    m_slider->setToolTip(tr("Scrub through the video; a click seeks there"));
    m_slider->setMinimumWidth(120); // narrower, a pixel would be several frames
    auto *jump = new JumpSliderStyle; // follows the application's style, owned by the slider
    jump->setParent(m_slider);
    m_slider->setStyle(jump);
    m_frameBox = new QSpinBox(this);
    // Sized for six digits once: a spin box sized by its range would widen the window when a longer video opens.
    m_frameBox->setRange(0, 999999);
    m_frameBox->setFixedWidth(m_frameBox->sizeHint().width());
    m_frameBox->setRange(0, 0);
    m_frameBox->setToolTip(tr("Frame number (0-based)"));
    m_frameBox->setKeyboardTracking(false);
    m_time = new QLabel(this);
    m_time->setMinimumWidth(m_time->fontMetrics().horizontalAdvance(QStringLiteral("00:00.000 / 00:00.000")));

    m_opacity = new QSlider(Qt::Horizontal, this);
    m_opacity->setRange(0, 100);
    m_opacity->setValue(45);
    m_opacity->setMinimumWidth(70);
    m_opacity->setMaximumWidth(120);
    m_opacity->setToolTip(tr("Mask opacity"));
    m_labels = new QCheckBox(tr("Labels"), this);
    m_labels->setChecked(true);

    m_trackList = new QListView(this);
    m_trackList->setModel(m_tracks);
    m_trackList->setMinimumWidth(150);
    m_trackList->setToolTip(tr("Tracks: untick to hide a mask; bold tracks satisfy the query"));
    auto *all = new QToolButton(this);
    all->setText(tr("All"));
    auto *none = new QToolButton(this);
    none->setText(tr("None"));
    auto *grounded = new QToolButton(this);
    grounded->setText(tr("Query"));
    grounded->setToolTip(tr("Show only the objects that satisfy the query"));

    auto *controls = new QHBoxLayout;
    controls->setContentsMargins(0, 0, 0, 0);
    controls->addWidget(prev);
    controls->addWidget(m_play);
    controls->addWidget(next);
    controls->addWidget(m_slider, 1);
    controls->addWidget(m_frameBox);
    controls->addWidget(m_time);

    auto *overlayRow = new QHBoxLayout;
    overlayRow->setContentsMargins(0, 0, 0, 0);
    overlayRow->addWidget(m_title, 1);
    overlayRow->addWidget(new QLabel(tr("Opacity"), this));
    overlayRow->addWidget(m_opacity);
    overlayRow->addWidget(m_labels);

    auto *trackButtons = new QHBoxLayout;
    trackButtons->setContentsMargins(0, 0, 0, 0);
    trackButtons->addWidget(all);
    trackButtons->addWidget(none);
    trackButtons->addWidget(grounded);
    auto *trackBox = new QWidget(this);
    auto *trackLayout = new QVBoxLayout(trackBox);
    trackLayout->setContentsMargins(0, 0, 0, 0);
    trackLayout->addWidget(new QLabel(tr("Tracks"), trackBox));
    trackLayout->addWidget(m_trackList, 1);
    trackLayout->addLayout(trackButtons);

    auto *viewBox = new QWidget(this);
    auto *viewLayout = new QVBoxLayout(viewBox);
    viewLayout->setContentsMargins(0, 0, 0, 0);
    viewLayout->addLayout(overlayRow);
    viewLayout->addWidget(m_view, 1);
    viewLayout->addLayout(controls);

    auto *top = new QSplitter(Qt::Horizontal, this);
    top->setObjectName(QStringLiteral("inspectorTop"));
    m_top = top;
    top->addWidget(viewBox);
    top->addWidget(trackBox);
    top->setStretchFactor(0, 5);
    top->setStretchFactor(1, 1);

    auto *timelineScroll = new QScrollArea(this);
    timelineScroll->setWidget(m_timeline);
    timelineScroll->setWidgetResizable(true);
    timelineScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    timelineScroll->setFrameShape(QFrame::NoFrame);

    m_split = new QSplitter(Qt::Vertical, this);
    m_split->setObjectName(QStringLiteral("inspectorSplit"));
    m_split->addWidget(top);
    m_split->addWidget(timelineScroll);
    m_split->setStretchFactor(0, 4);
    m_split->setStretchFactor(1, 1);
    connect(m_split, &QSplitter::splitterMoved, this, [this] { m_userSizedTimeline = true; });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(m_split);

    m_playTimer = new QTimer(this);
    m_playTimer->setTimerType(Qt::PreciseTimer);

    // Keyboard: Space plays, arrows step, Home/End jump; only while the inspector has focus.
    auto addKey = [this](const QKeySequence &key, auto fn) {
        auto *a = new QAction(this);
        a->setShortcut(key);
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(a, &QAction::triggered, this, fn);
        addAction(a);
    };
    addKey(QKeySequence(Qt::Key_Space), [this] { setPlaying(!isPlaying()); });
    addKey(QKeySequence(Qt::Key_Left), [this] { step(-1); });
    addKey(QKeySequence(Qt::Key_Right), [this] { step(1); });
    addKey(QKeySequence(Qt::SHIFT | Qt::Key_Left), [this] { step(-qRound(m_fps)); });
    addKey(QKeySequence(Qt::SHIFT | Qt::Key_Right), [this] { step(qRound(m_fps)); });
    addKey(QKeySequence(Qt::Key_Home), [this] { seek(0); });
    addKey(QKeySequence(Qt::Key_End), [this] { seek(m_frameCount - 1); });
    addKey(QKeySequence(Qt::Key_J), [this] { shuttle(-1); });
    addKey(QKeySequence(Qt::Key_K), [this] { shuttle(0); });
    addKey(QKeySequence(Qt::Key_L), [this] { shuttle(1); });

    connect(m_play, &QToolButton::toggled, this, &Inspector::setPlaying);
    connect(prev, &QToolButton::clicked, this, [this] { step(-1); });
    connect(next, &QToolButton::clicked, this, [this] { step(1); });
    connect(m_slider, &QSlider::valueChanged, this, [this](int v) {
        if (v != m_current)
            seek(v);
    });
    connect(m_frameBox, &QSpinBox::valueChanged, this, [this](int v) {
        if (v != m_current)
            seek(v);
    });
    connect(m_opacity, &QSlider::valueChanged, this, &Inspector::updateStyle);
    connect(m_labels, &QCheckBox::toggled, m_view, &FrameView::setShowLabels);
    connect(m_tracks, &TrackModel::visibilityChanged, this, [this](const QSet<TrackId> &hidden) {
        updateStyle();
        m_timeline->setHiddenTracks(hidden);
    });
    connect(all, &QToolButton::clicked, this, [this] { m_tracks->setAllVisible(true); });
    connect(none, &QToolButton::clicked, this, [this] { m_tracks->setAllVisible(false); });
    connect(grounded, &QToolButton::clicked, m_tracks, &TrackModel::showOnlyGrounded);
    connect(m_timeline, &Timeline::seekRequested, this, [this](qint64 f) {
        setPlaying(false);
        seek(f);
    });
    connect(m_decoder, &FrameDecoder::frameReady, this, &Inspector::onFrameReady);
    connect(m_decoder, &FrameDecoder::failed, this,
            [this](const QString &message) { emit statusMessage(tr("Cannot decode %1: %2").arg(m_key, message)); });
    connect(m_playTimer, &QTimer::timeout, this, &Inspector::onPlayTick);
    connect(m_view, &FrameView::instanceClicked, this, [this](int index, TrackId track) {
        emit instanceSelected(m_key, track, instanceJson(index));
    });
    connect(m_view, &FrameView::instanceHovered, this, [this](int, const QString &text) {
        emit statusMessage(QString(text).replace(QLatin1Char('\n'), QStringLiteral(" · ")));
    });
    updateStyle();
}

Inspector::~Inspector() = default;

void Inspector::setStore(std::shared_ptr<TwinStore> store)
{
    m_store = std::move(store);
    clear();
}

void Inspector::clear()
{
    setPlaying(false);
    ++m_loadGeneration;
    m_twin.reset();
    m_grounding.reset();
    m_key.clear();
    m_current = -1;
    m_frameCount = 0;
    m_title->clear();
    m_view->clear();
    m_timeline->clear();
    m_tracks->setTracks({});
    m_slider->blockSignals(true);
    m_slider->setRange(0, 0);
    m_slider->blockSignals(false);
    m_frameBox->blockSignals(true);
    m_frameBox->setRange(0, 0);
    m_frameBox->blockSignals(false);
    m_time->clear();
}

void Inspector::showVideo(const QString &key, const std::optional<VideoResult> &grounding,
                          const std::vector<SubQuery> &subQueries)
{
    if (!m_store || key.isEmpty())
        return;
    if (key == m_key && m_twin) {
        // Same video: only the grounding changes.
        onTwinLoaded(key, m_twin, grounding);
        return;
    }
    setPlaying(false);
    const quint64 generation = ++m_loadGeneration;
    m_title->setText(tr("%1 (loading…)").arg(key));
    const std::shared_ptr<TwinStore> store = m_store;
    const std::string k = key.toStdString();
    QFuture<std::shared_ptr<Result<Twin>>> future = QtConcurrent::run(m_loadPool, [store, k] {
        return std::make_shared<Result<Twin>>(store->loadTwin(k));
    });
    future.then(this, [this, generation, key, grounding](const std::shared_ptr<Result<Twin>> &twin) {
        if (generation != m_loadGeneration)
            return; // another video was asked for meanwhile
        if (!*twin) {
            m_title->setText(tr("%1: cannot load the twin").arg(key));
            emit loadFailed(key, QString::fromStdString(twin->message()));
            return;
        }
        onTwinLoaded(key, std::make_shared<Twin>(std::move(*twin).value()), grounding);
    });
    Q_UNUSED(subQueries)
}

void Inspector::onTwinLoaded(const QString &key, std::shared_ptr<const Twin> twin,
                             const std::optional<VideoResult> &grounding)
{
    const bool sameVideo = key == m_key;
    m_key = key;
    m_twin = twin;
    m_grounding = grounding;
    m_fps = twin->video.fps > 0 ? twin->video.fps : 25.0;
    m_frameCount = std::max<FrameIndex>(1, twin->video.frameCount);
    m_title->setText(tr("%1 — %2×%3, %4 fps, %n frame(s)", nullptr, static_cast<int>(m_frameCount))
                         .arg(key)
                         .arg(twin->video.width)
                         .arg(twin->video.height)
                         .arg(QLocale().toString(m_fps, 'f', 2)));
    m_title->setToolTip(m_title->text());
    m_view->setVideoSize(twin->video.width, twin->video.height);
    if (!sameVideo) {
        m_tracks->setTracks(twin->tracks);
        m_decoder->setFile(QString::fromStdString(twin->video.path));
    }
    QSet<TrackId> groundedIds;
    std::vector<TrackId> groundedList;
    std::vector<TimelineMarker> markers;
    if (grounding) {
        for (const GroundedObject &o : grounding->objects) {
            groundedIds.insert(o.trackId);
            groundedList.push_back(o.trackId);
        }
        for (const TraceStep &s : grounding->trace)
            if (s.frameIndex >= 0)
                markers.push_back({s.frameIndex, QString::fromStdString(s.kind),
                                   QString::fromStdString(s.source.empty() ? s.text : s.source + ": " + s.text)});
    }
    // Refinements stored in the twin (OCR, descriptions) are markers too.
    for (const Observation &o : twin->observations)
        markers.push_back({o.firstFrame, QStringLiteral("refine"),
                           QStringLiteral("%1 (%2): %3")
                               .arg(QString::fromStdString(o.kind), QString::fromStdString(o.source),
                                    QString::fromStdString(o.text))});
    m_tracks->setGrounded(groundedIds);
    m_timeline->setVideo(twin->tracks, m_frameCount, m_fps);
    m_timeline->setGrounding(grounding ? grounding->objects : std::vector<GroundedObject>{});
    m_timeline->setMarkers(std::move(markers));
    m_timeline->setHiddenTracks(m_tracks->hiddenTracks());
    updateStyle();
    if (!m_userSizedTimeline) {
        // Room for every lane, up to two fifths of the inspector; the rest scrolls.
        const int total = m_split->height();
        const int want = std::min(m_timeline->sizeHint().height() + 6, total * 2 / 5);
        m_split->setSizes({total - want, want});
    }

    for (QWidget *w : std::initializer_list<QWidget *>{m_slider, m_frameBox})
        w->blockSignals(true);
    m_slider->setRange(0, static_cast<int>(m_frameCount - 1));
    m_frameBox->setRange(0, static_cast<int>(m_frameCount - 1));
    for (QWidget *w : std::initializer_list<QWidget *>{m_slider, m_frameBox})
        w->blockSignals(false);
    m_playTimer->setInterval(std::max(5, qRound(1000.0 / m_fps)));

    m_current = -1;
    seek(sameVideo && m_view->frameIndex() >= 0 ? m_view->frameIndex()
                                                : ThumbnailCache::representativeFrame(*twin, groundedList));
    emit videoLoaded(key);
}

QSet<TrackId> Inspector::visibleTracks() const
{
    QSet<TrackId> visible;
    if (m_twin)
        for (const Track &t : m_twin->tracks)
            if (!m_tracks->hiddenTracks().contains(t.id))
                visible.insert(t.id);
    return visible;
}

void Inspector::setMarkedTracks(const QSet<TrackId> &tracks)
{
    m_tracks->setMarked(tracks);
    m_view->setMarkedTracks(tracks);
}

void Inspector::updateStyle()
{
    OverlayStyle style;
    style.opacity = m_opacity->value() / 100.0;
    style.hidden = m_tracks->hiddenTracks();
    if (m_grounding)
        for (const GroundedObject &o : m_grounding->objects)
            style.highlighted.insert(o.trackId);
    m_view->setOverlayStyle(style);
}

const FrameRecord *Inspector::recordFor(FrameIndex frameIndex) const
{
    if (!m_twin)
        return nullptr;
    const int i = m_twin->nearestFrame(frameIndex);
    return i >= 0 ? &m_twin->frames[static_cast<size_t>(i)] : nullptr;
}

void Inspector::seek(FrameIndex frameIndex)
{
    if (!m_twin)
        return;
    const FrameIndex f = std::clamp<FrameIndex>(frameIndex, 0, m_frameCount - 1);
    if (f == m_current)
        return;
    m_current = f;
    m_slider->blockSignals(true);
    m_slider->setValue(static_cast<int>(f));
    m_slider->blockSignals(false);
    m_frameBox->blockSignals(true);
    m_frameBox->setValue(static_cast<int>(f));
    m_frameBox->blockSignals(false);
    m_timeline->setCurrentFrame(f);
    updateTimeLabel();
    m_decoder->request(f);
    emit currentFrameChanged(f);
}

void Inspector::step(int frames)
{
    setPlaying(false);
    seek(m_current + frames);
}

void Inspector::onFrameReady(qint64 frameIndex, const QImage &image)
{
    if (!m_twin)
        return;
    m_view->setFrame(image, frameIndex, recordFor(frameIndex));
}

void Inspector::updateTimeLabel()
{
    auto fmt = [](double ms) {
        const int total = static_cast<int>(ms);
        return QStringLiteral("%1:%2.%3")
            .arg(total / 60000, 2, 10, QLatin1Char('0'))
            .arg((total / 1000) % 60, 2, 10, QLatin1Char('0'))
            .arg(total % 1000, 3, 10, QLatin1Char('0'));
    };
    m_time->setText(QStringLiteral("%1 / %2").arg(fmt(m_current * 1000.0 / m_fps), fmt(m_frameCount * 1000.0 / m_fps)));
}

void Inspector::saveLayout(QSettings &settings) const
{
    settings.setValue(QStringLiteral("inspector/split"), m_split->saveState());
    settings.setValue(QStringLiteral("inspector/top"), m_top->saveState());
    settings.setValue(QStringLiteral("inspector/userSizedTimeline"), m_userSizedTimeline);
}

void Inspector::restoreLayout(const QSettings &settings)
{
    m_split->restoreState(settings.value(QStringLiteral("inspector/split")).toByteArray());
    m_top->restoreState(settings.value(QStringLiteral("inspector/top")).toByteArray());
    // Sizes the user chose are kept when the next video opens.
    m_userSizedTimeline = settings.value(QStringLiteral("inspector/userSizedTimeline"), false).toBool();
}

bool Inspector::isPlaying() const { return m_playTimer->isActive(); }

void Inspector::setPlaying(bool playing)
{
    if (playing && (!m_twin || m_frameCount <= 1))
        playing = false;
    if (playing == isPlaying()) {
        m_play->setChecked(playing);
        return;
    }
    if (playing) {
        if (m_rate > 0 && m_current >= m_frameCount - 1)
            seek(0);
        if (m_rate < 0 && m_current <= 0)
            seek(m_frameCount - 1);
        m_playStart = m_current;
        m_playClock.start();
        m_playTimer->start();
    } else {
        m_playTimer->stop();
        m_rate = 1.0; // Space and the Play button play forward at normal speed
    }
    m_play->blockSignals(true);
    m_play->setChecked(playing);
    m_play->setText(playing ? tr("Pause") : tr("Play"));
    m_play->blockSignals(false);
}

void Inspector::shuttle(int direction)
{
    if (direction == 0) {
        setPlaying(false);
        return;
    }
    const double current = playbackRate();
    double rate = direction > 0 ? 1.0 : -1.0;
    if (current * direction > 0)
        rate = std::clamp(current * 2.0, -8.0, 8.0);
    // A new speed starts from where the video is now.
    m_playTimer->stop();
    m_rate = rate;
    setPlaying(true);
}

void Inspector::onPlayTick()
{
    // The frame due now by the wall clock: when decoding lags, intermediate frames are skipped, not queued.
    const FrameIndex due =
        m_playStart + static_cast<FrameIndex>(std::floor(m_playClock.elapsed() * m_fps * m_rate / 1000.0));
    if (due >= m_frameCount || due < 0) {
        seek(due < 0 ? 0 : m_frameCount - 1);
        setPlaying(false);
        return;
    }
    seek(due);
}

QString Inspector::instanceJson(int instanceIndex) const
{
    const FrameRecord *shown = m_twin && m_view->frameRecord() ? &*m_view->frameRecord() : nullptr;
    if (!shown || instanceIndex < 0 || instanceIndex >= static_cast<int>(shown->instances.size()))
        return {};
    const Instance &in = shown->instances[static_cast<size_t>(instanceIndex)];
    // A twin holding only this instance, its track and what refers to it: serialised by the twin's own code.
    Twin part;
    part.video = m_twin->video;
    FrameRecord frame = *shown;
    frame.instances = {in};
    part.frames = {frame};
    if (const Track *t = m_twin->track(in.trackId))
        part.tracks = {*t};
    for (const Relationship &r : m_twin->relationships)
        if (r.subject == in.trackId || r.object == in.trackId)
            part.relationships.push_back(r);
    for (const Observation &o : m_twin->observations)
        if (o.trackId == in.trackId)
            part.observations.push_back(o);
    const nlohmann::json full = toJson(part);
    nlohmann::json out;
    out["video"] = m_twin->video.key;
    out["frame"] = full["frames"][0];
    out["frame"].erase("instances");
    out["instance"] = full["frames"][0]["instances"][0];
    if (!full["tracks"].empty())
        out["track"] = full["tracks"][0];
    out["relationships"] = full["relationships"];
    out["observations"] = full["observations"];
    return QString::fromStdString(out.dump(2));
}

} // namespace ts
