// The explorer's custom widgets: the timeline's geometry and clicks, frame-accurate decoding that keeps only the
// latest request, the frame view's picking and hover text, and the query bar's history and options.
#include "framedecoder.h"
#include "frameview.h"
#include "media/videoreader.h"
#include "maskoverlay.h"
#include "querybar.h"
#include "resultdelegate.h"
#include "timeline.h"
#include "tst_gui_fixture.h"

#include <QAction>
#include <QAbstractItemView>
#include <QComboBox>
#include <QLineEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace ts;
using namespace ts::guitest;

class TestGuiWidgets : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(makeClip(m_dir.filePath("clip.mp4")), "ffmpeg could not make a test clip");
    }

    void timelineSeeks()
    {
        Timeline timeline(nullptr);
        const Twin twin = makeTwin("a", "/videos/a.mp4");
        timeline.resize(600, timeline.sizeHint().height());
        timeline.setVideo(twin.tracks, kFrames, kFps);
        timeline.setGrounding({{1, "dog", {{10, 30}}, 1.f, {0}}});
        timeline.setMarkers({{5, "reason", "saw a dog"}, {40, "refine", "read text"}});
        timeline.show();
        QVERIFY(QTest::qWaitForWindowExposed(&timeline));
        // Frame <-> x is monotonic and round-trips.
        for (FrameIndex f : {FrameIndex(0), FrameIndex(17), FrameIndex(kFrames - 1)})
            QCOMPARE(timeline.frameAtX(timeline.xOfFrame(f)), f);
        QVERIFY(timeline.xOfFrame(10) < timeline.xOfFrame(11));
        QSignalSpy seek(&timeline, &Timeline::seekRequested);
        QTest::mouseClick(&timeline, Qt::LeftButton, {}, timeline.markerRect(1).center());
        QCOMPARE(seek.count(), 1);
        QCOMPARE(seek.takeFirst().first().toLongLong(), 40);
        QCOMPARE(timeline.markerAt(timeline.markerRect(0).center()), 0);
        // Clicking the ruler seeks to the frame under the mouse.
        const QPoint ruler(timeline.xOfFrame(33), timeline.rulerRect().center().y());
        QTest::mouseClick(&timeline, Qt::LeftButton, {}, ruler);
        QCOMPARE(seek.takeFirst().first().toLongLong(), 33);
        // Clicks left of the lanes (the labels) do nothing.
        QTest::mouseClick(&timeline, Qt::LeftButton, {}, QPoint(3, timeline.laneRect(0).center().y()));
        QCOMPARE(seek.count(), 0);
    }

    void decoderIsExactAndKeepsOnlyTheLatest()
    {
        FrameDecoder decoder(nullptr);
        decoder.setFile(m_dir.filePath("clip.mp4"));
        QSignalSpy ready(&decoder, &FrameDecoder::frameReady);
        // A burst of requests: the ones not started yet are replaced, the last one is always delivered.
        for (FrameIndex f : {FrameIndex(3), FrameIndex(40), FrameIndex(7), FrameIndex(29), FrameIndex(12)})
            decoder.request(f);
        QTRY_VERIFY(!ready.isEmpty() && ready.last().first().toLongLong() == 12);
        QCOMPARE(ready.count() + decoder.droppedCount(), 5);
        // The image is exactly the frame a fresh reader decodes at that index.
        auto reader = VideoReader::open(m_dir.filePath("clip.mp4").toStdString());
        QVERIFY(reader);
        auto frame = (*reader)->frameAt(12);
        QVERIFY(frame);
        QCOMPARE(ready.last().at(1).value<QImage>(), matToImage(frame->bgr));
        // Sequential requests (playback) decode on without seeking and stay exact.
        ready.clear();
        decoder.request(13);
        QTRY_COMPARE(ready.count(), 1);
        auto next = (*reader)->frameAt(13);
        QCOMPARE(ready.last().at(1).value<QImage>(), matToImage(next->bgr));
        // Past the end: an error, not a hang or a crash.
        QSignalSpy failed(&decoder, &FrameDecoder::failed);
        decoder.request(kFrames + 10);
        QTRY_COMPARE(failed.count(), 1);
        // A broken file says so.
        decoder.setFile(m_dir.filePath("missing.mp4"));
        decoder.request(0);
        QTRY_COMPARE(failed.count(), 2);
    }

    void frameViewPicksWhatIsShown()
    {
        FrameView view(nullptr);
        view.resize(kWidth * 2, kHeight * 2);
        const Twin twin = makeTwin("a", "/videos/a.mp4");
        QImage image(kWidth, kHeight, QImage::Format_RGB32);
        image.fill(Qt::darkGray);
        view.setVideoSize(kWidth, kHeight);
        view.setFrame(image, 0, &twin.frames[0]);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy clicked(&view, &FrameView::instanceClicked);
        QSignalSpy hovered(&view, &FrameView::instanceHovered);
        // The widget is twice the video: video pixel (30, 35) is the dog.
        QCOMPARE(view.toVideo(view.toWidget({30, 35})), QPoint(30, 35));
        QTest::mouseMove(&view, view.toWidget({30, 35}).toPoint());
        QTRY_COMPARE(hovered.count(), 1);
        const QString text = hovered.first().at(1).toString();
        QVERIFY(text.contains("dog"));
        QVERIFY(text.contains("brown"));
        QVERIFY(text.contains("proxy")); // depth source
        QVERIFY(text.contains("yolox_nano")); // category model
        QTest::mouseClick(&view, Qt::LeftButton, {}, view.toWidget({30, 35}).toPoint());
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked.first().at(1).value<TrackId>(), TrackId(1));
        // A hidden track cannot be picked.
        OverlayStyle style;
        style.hidden = {1};
        view.setOverlayStyle(style);
        QTest::mouseClick(&view, Qt::LeftButton, {}, view.toWidget({30, 35}).toPoint());
        QCOMPARE(clicked.count(), 1);
        // Nothing there.
        QTest::mouseClick(&view, Qt::LeftButton, {}, view.toWidget({2, 2}).toPoint());
        QCOMPARE(clicked.count(), 1);
    }

    // A busy frame: six objects in a crowd, some at the picture's edge. Every label sits inside the picture, none
    // covers another, the most important one keeps its place above its box, and a label that cannot fit is left out.
    void labelsOfABusyFrameDoNotOverlap()
    {
        const QRectF bounds(0, 0, 320, 240);
        std::vector<QRectF> boxes{{40, 60, 120, 120}, {50, 70, 100, 100}, {60, 65, 90, 110},
                                  {0, 0, 60, 40},     {280, 200, 40, 40}, {45, 62, 110, 115}};
        std::vector<QSizeF> sizes(boxes.size(), QSizeF(90, 16));
        const std::vector<QRectF> tags = FrameView::placeLabels(boxes, sizes, bounds);
        QCOMPARE(tags.size(), boxes.size());
        QCOMPARE(tags[0], QRectF(40, 44, 90, 16)); // first in importance: its preferred spot
        int shown = 0;
        for (size_t i = 0; i < tags.size(); ++i) {
            if (tags[i].isNull())
                continue;
            ++shown;
            QVERIFY2(bounds.contains(tags[i]), qPrintable(QString("label %1 leaves the picture").arg(i)));
            for (size_t j = i + 1; j < tags.size(); ++j)
                QVERIFY2(tags[j].isNull() || !tags[i].intersects(tags[j]),
                         qPrintable(QString("labels %1 and %2 overlap").arg(i).arg(j)));
        }
        QCOMPARE(shown, 6);
        // Near its box: each label touches or sits within the box it names.
        for (size_t i = 0; i < tags.size(); ++i)
            QVERIFY(tags[i].adjusted(-1, -1, 1, 1).intersects(boxes[i]));
        // Wider than the picture: left out.
        const auto none = FrameView::placeLabels({{0, 0, 10, 10}}, {QSizeF(400, 16)}, bounds);
        QVERIFY(none[0].isNull());
    }

    // Result cards fill the grid's width: whole columns of cards no narrower than the least width, leaving less
    // than one more card's room unused (unless the cards are at their widest).
    void resultCardsFillTheGrid()
    {
        const int spacing = 4;
        for (int room = 150; room <= 2000; room += 7) {
            const int card = ResultDelegate::cardWidthFor(room, spacing);
            const int columns = std::max(1, (room - spacing) / (card + spacing));
            const QString at = QString("room %1, card %2, %3 columns").arg(room).arg(card).arg(columns);
            QVERIFY2(card <= ResultDelegate::kMaxCardWidth, qPrintable(at));
            QVERIFY2(room < ResultDelegate::kMinCardWidth + 2 * spacing || card >= ResultDelegate::kMinCardWidth,
                     qPrintable(at));
            QVERIFY2(columns * (card + spacing) + spacing <= room || columns == 1, qPrintable(at));
            const int unused = room - columns * (card + spacing) - spacing;
            QVERIFY2(card == ResultDelegate::kMaxCardWidth || unused < ResultDelegate::kMinCardWidth + spacing,
                     qPrintable(at));
        }
    }

    void queryBarHistoryAndOptions()
    {
        QSettings settings(m_dir.filePath("bar.ini"), QSettings::IniFormat);
        {
            QueryBar bar(&settings, nullptr);
            bar.setLibraryHistory({"from the library", "shared"});
            bar.addToHistory("shared");
            bar.addToHistory("typed by me");
            QCOMPARE(bar.history(), (QStringList{"typed by me", "shared", "from the library"}));
            QSignalSpy search(&bar, &QueryBar::searchRequested);
            bar.setText("  a red car  ");
            QTest::keyClick(bar.findChild<QComboBox *>()->lineEdit(), Qt::Key_Return);
            QCOMPARE(search.count(), 1);
            QCOMPARE(search.first().first().toString(), QStringLiteral("a red car"));
            // A query picked from the history list runs at once.
            auto *combo = bar.findChild<QComboBox *>();
            const int shared = combo->findText("shared");
            QVERIFY(shared >= 0);
            combo->showPopup();
            QAbstractItemView *list = combo->view();
            QTRY_VERIFY(list->isVisible());
            const QRect item = list->visualRect(combo->model()->index(shared, 0));
            QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, item.center());
            QTRY_COMPARE(search.count(), 2);
            QCOMPARE(search.last().first().toString(), QStringLiteral("shared"));
            QCOMPARE(bar.text(), QStringLiteral("shared"));
            const RetrievalOptions o = bar.options();
            QVERIFY(o.saveToLibrary);
            // 0 means "chosen by the reasoner"; anything else must let the rerank see at least what it returns.
            QVERIFY(o.candidates == 0 || o.candidates >= o.top);
            QVERIFY(o.top > 0);
            bar.setSubQueries({{SubQueryKind::Object, "car", 1.f, false, {}}, {SubQueryKind::Attribute, "red", 1.f, true, {}}}, "fake");
            QCOMPARE(bar.chipCount(), 2);
            bar.clearSubQueries();
            QCOMPARE(bar.chipCount(), 0);
            bool found = false;
            for (QAction *a : bar.findChildren<QAction *>())
                if (a->text().contains(QStringLiteral("(LR)"))) {
                    a->setChecked(false);
                    found = true;
                }
            QVERIFY(found);
            QVERIFY(!bar.options().reason);
        }
        // The user's history and options survive a restart.
        QueryBar again(&settings, nullptr);
        QCOMPARE(again.history().first(), QStringLiteral("typed by me"));
        QVERIFY(!again.options().reason);
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestGuiWidgets)
#include "tst_gui_widgets.moc"
