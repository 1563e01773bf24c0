// The explorer end to end with a fake engine: a typed query shows results, the first opens in the inspector,
// a mask toggle changes the overlay, the timeline seeks, and annotator keys change what the library stores.
#include "annotator.h"
#include "frameview.h"
#include "inspector.h"
#include "librarymodel.h"
#include "librarypanel.h"
#include "mainwindow.h"
#include "querybar.h"
#include "resultdelegate.h"
#include "resultsmodel.h"
#include "timeline.h"
#include "trackmodel.h"
#include "tst_gui_fixture.h"

#include <QAction>
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QLabel>
#include <QLayout>
#include <QLineEdit>
#include <QListView>
#include <QPlainTextEdit>
#include <QProcess>
#include <QProcessEnvironment>
#include <QScreen>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QSplitter>
#include <QStandardPaths>
#include <QStyle>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <cstring>

using namespace ts;
using namespace ts::guitest;

namespace {

/// The annotation as the library holds it once the window's queued writes are in.
std::optional<Annotation> findAnnotation(MainWindow &w, TwinStore &store, const std::string &set,
                                         const std::string &query, const std::string &key)
{
    w.annotator()->waitForWrites();
    for (const Annotation &a : offUiThread([&] { return store.annotations(set); }))
        if (a.queryId == query && a.videoKey == key)
            return a;
    return std::nullopt;
}

QRgb overlayPixel(const FrameView *view, int x, int y) { return view->overlay().pixel(x, y); }

/// What a window needs in these tests: settings, a task manager and, when engine is given, a fake engine over clipa
/// and clipb whose address lands in *engine once the window makes it (at its first query).
ExplorerServices windowServices(QSettings &settings, TaskManager &tasks, FakeEngine **engine = nullptr)
{
    ExplorerServices deps;
    deps.tasks = &tasks;
    deps.settings = &settings;
    if (engine)
        deps.engineFactory = [engine](const AppSettings &) -> std::unique_ptr<RetrievalEngine> {
            auto e = std::make_unique<FakeEngine>(std::vector<std::string>{"clipa", "clipb"});
            *engine = e.get();
            return e;
        };
    return deps;
}

} // namespace

class TestGuiFlow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(makeClip(m_dir.filePath("clipa.mp4")), "ffmpeg could not make a test clip");
        QVERIFY(makeClip(m_dir.filePath("clipb.mp4")));
        auto store = makeLibrary(m_dir.filePath("lib.sqlite"), {makeTwin("clipa", m_dir.filePath("clipa.mp4")),
                                                                 makeTwin("clipb", m_dir.filePath("clipb.mp4"))});
        QVERIFY(store);
    }

    void queryInspectAnnotate()
    {
        QSettings settings(m_dir.filePath("settings.ini"), QSettings::IniFormat);
        TaskManager tasks(1);
        FakeEngine *engine = nullptr;
        MainWindow w(windowServices(settings, tasks, &engine));
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(openLibraryAndWait(w, m_dir.filePath("lib.sqlite")));
        QTRY_COMPARE(w.libraryModel()->rowCount(), 2);

        // A query typed into the bar runs on the worker and fills the grid.
        QLineEdit *edit = w.queryBar()->findChild<QComboBox *>()->lineEdit();
        QVERIFY(edit);
        edit->setFocus();
        QTest::keyClicks(edit, QStringLiteral("a dog left of a ball"));
        QSignalSpy finished(&w, &MainWindow::queryFinished);
        QTest::keyClick(edit, Qt::Key_Return);
        QTRY_COMPARE(finished.count(), 1);
        QCOMPARE(w.resultsModel()->rowCount(), 2);
        QCOMPARE(w.resultsModel()->index(0).data(ResultsModel::KeyRole).toString(), QStringLiteral("clipa"));
        QCOMPARE(w.resultsModel()->index(0).data(ResultsModel::RankRole).toInt(), 1);
        QCOMPARE(w.queryBar()->chipCount(), 2);
        QVERIFY(engine);
        QCOMPARE(engine->lastQuery(), std::string("a dog left of a ball"));
        QVERIFY(settings.value("query/history").toStringList().contains("a dog left of a ball"));
        // Thumbnails arrive from the decode pool, with the grounded mask tinted in.
        QTRY_VERIFY(!w.resultsModel()->index(0).data(ResultsModel::ThumbnailRole).value<QImage>().isNull());

        // The first result is opened in the inspector with its frame decoded and its grounded object highlighted.
        Inspector *inspector = w.inspector();
        QTRY_COMPARE(inspector->currentKey(), QStringLiteral("clipa"));
        QTRY_VERIFY(inspector->twin() && inspector->frameView()->frameIndex() == inspector->currentFrame());
        FrameView *view = inspector->frameView();
        QVERIFY(view->overlayStyle().highlighted.contains(1));
        QVERIFY(!view->overlayStyle().highlighted.contains(2));

        // Toggling the dog's track removes its mask from the overlay and leaves the ball's.
        const FrameRecord record = *view->frameRecord();
        const Box dogBox = record.instances[0].box;
        const QPoint dog(static_cast<int>(dogBox.centerX()), static_cast<int>(dogBox.centerY()));
        const QPoint ball(115, 85);
        const QImage before = view->overlay();
        QVERIFY(qAlpha(overlayPixel(view, dog.x(), dog.y())) > 0);
        QVERIFY(qAlpha(overlayPixel(view, ball.x(), ball.y())) > 0);
        TrackModel *tracks = inspector->trackModel();
        const QModelIndex dogRow = tracks->index(tracks->rowOfTrack(1));
        QVERIFY(tracks->setData(dogRow, Qt::Unchecked, Qt::CheckStateRole));
        QVERIFY(view->overlay() != before);
        QCOMPARE(qAlpha(overlayPixel(view, dog.x(), dog.y())), 0);
        QVERIFY(qAlpha(overlayPixel(view, ball.x(), ball.y())) > 0);
        QVERIFY(tracks->setData(dogRow, Qt::Checked, Qt::CheckStateRole));
        QCOMPARE(view->overlay(), before);

        // A refinement marker on the timeline seeks the inspector to its frame.
        Timeline *timeline = inspector->timeline();
        int refine = -1;
        for (size_t i = 0; i < timeline->markers().size(); ++i)
            if (timeline->markers()[i].frameIndex == 22)
                refine = static_cast<int>(i);
        QVERIFY(refine >= 0);
        QTest::mouseClick(timeline, Qt::LeftButton, {}, timeline->markerRect(refine).center());
        QCOMPARE(inspector->currentFrame(), FrameIndex(22));
        QTRY_COMPARE(view->frameIndex(), FrameIndex(22));

        // Playback runs to the last frame and stops there.
        inspector->setPlaying(true);
        QVERIFY(inspector->isPlaying());
        QTRY_VERIFY_WITH_TIMEOUT(!inspector->isPlaying(), 30000);
        QCOMPARE(inspector->currentFrame(), FrameIndex(kFrames - 1));
        QTRY_COMPARE(view->frameIndex(), FrameIndex(kFrames - 1));

        // J/K/L: L doubles the forward speed, K stops, J plays backward to the first frame.
        inspector->seek(0);
        inspector->shuttle(1);
        QCOMPARE(inspector->playbackRate(), 1.0);
        inspector->shuttle(1);
        QCOMPARE(inspector->playbackRate(), 2.0);
        inspector->shuttle(0);
        QVERIFY(!inspector->isPlaying());
        inspector->seek(kFrames - 1);
        inspector->shuttle(-1);
        QCOMPARE(inspector->playbackRate(), -1.0);
        QTRY_VERIFY_WITH_TIMEOUT(!inspector->isPlaying(), 30000);
        QCOMPARE(inspector->currentFrame(), FrameIndex(0));

        // A click on the slider's groove seeks to that place (not one page step from where it was).
        QSlider *slider = inspector->slider();
        QVERIFY(slider->isVisible() && slider->width() > 100);
        QTest::mouseClick(slider, Qt::LeftButton, {}, QPoint(slider->width() * 3 / 4, slider->height() / 2));
        const FrameIndex clicked = inspector->currentFrame();
        QVERIFY2(std::abs(clicked - (kFrames - 1) * 3 / 4) <= 3, qPrintable(QString::number(clicked)));

        // Clicking an object opens its twin JSON beside the viewer: the frame and the timeline stay in sight.
        auto *jsonDock = w.findChild<QDockWidget *>("jsonDock");
        auto *inspectorDock = w.findChild<QDockWidget *>("inspectorDock");
        QVERIFY(jsonDock && inspectorDock);
        QVERIFY(!jsonDock->isVisible());
        {
            const Box b = view->frameRecord()->instances[0].box;
            QTest::mouseClick(view, Qt::LeftButton, {}, view->toWidget({b.centerX(), b.centerY()}).toPoint());
        }
        QTRY_VERIFY(jsonDock->isVisible());
        QVERIFY(jsonDock->findChild<QPlainTextEdit *>()->toPlainText().contains("dog"));
        QVERIFY(inspectorDock->isVisible() && !inspectorDock->visibleRegion().isEmpty());
        QVERIFY(!view->visibleRegion().isEmpty() && !timeline->visibleRegion().isEmpty());
        QVERIFY(!jsonDock->geometry().intersects(inspectorDock->geometry()));

        // Annotator: a query set whose first query is the one above.
        const QString setPath = m_dir.filePath("review.jsonl");
        QFile f(setPath);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"id":"Q1","query":"a dog left of a ball","relevant":{"clipb":1}})"
                "\n"
                R"({"id":"Q2","query":"a ball","relevant":{}})"
                "\n");
        f.close();
        QVERIFY(w.annotator()->openQuerySet(setPath).isOk());
        w.setAnnotatorMode(true);
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        QListView *grid = w.resultsView();
        grid->setFocus();
        // Its rows stay readable in a short dock (they scroll): no two texts overlap.
        auto *annotatorDock = w.findChild<QDockWidget *>("annotatorDock");
        QVERIFY(annotatorDock && annotatorDock->isVisible());
        w.resizeDocks({annotatorDock}, {260}, Qt::Horizontal);
        w.resizeDocks({annotatorDock}, {140}, Qt::Vertical);
        QTRY_VERIFY(annotatorDock->height() <= 200);
        QList<QRect> texts;
        for (QLabel *l : annotatorDock->findChildren<QLabel *>())
            if (l->isVisible() && !l->text().isEmpty())
                texts.append(QRect(l->mapTo(annotatorDock, QPoint(0, 0)), l->size()));
        QVERIFY(texts.size() >= 8);
        for (int i = 0; i < texts.size(); ++i)
            for (int j = i + 1; j < texts.size(); ++j)
                QVERIFY2(!texts[i].intersects(texts[j]),
                         qPrintable(QString("label %1 overlaps label %2").arg(i).arg(j)));

        // J selects the next result, 2 grades it; K goes back, 1 grades; A accepts the query.
        QTest::keyClick(grid, Qt::Key_J);
        QCOMPARE(w.annotator()->currentVideo(), QStringLiteral("clipb"));
        QCOMPARE(w.resultsModel()->index(1).data(ResultsModel::GradeRole).toInt(), 1); // from the query set
        QTest::keyClick(grid, Qt::Key_2);
        std::shared_ptr<TwinStore> store = w.store();
        auto b = findAnnotation(w, *store, "review", "Q1", "clipb");
        QVERIFY(b);
        QCOMPARE(b->grade, 2);
        QCOMPARE(w.resultsModel()->index(1).data(ResultsModel::GradeRole).toInt(), 2);
        QTest::keyClick(grid, Qt::Key_K);
        QCOMPARE(w.annotator()->currentVideo(), QStringLiteral("clipa"));
        QTest::keyClick(grid, Qt::Key_1);
        QCOMPARE(findAnnotation(w, *store, "review", "Q1", "clipa")->grade, 1);
        QTest::keyClick(grid, Qt::Key_A);
        QCOMPARE(findAnnotation(w, *store, "review", "Q1", "")->verdict, std::string("accepted"));

        // Undo takes back the verdict in the library too.
        QTest::keyClick(grid, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(findAnnotation(w, *store, "review", "Q1", "")->verdict, std::string());
        QCOMPARE(findAnnotation(w, *store, "review", "Q1", "clipa")->grade, 1);

        // Clicking the dog in the inspector marks it as the ground-truth object of clipa.
        QTRY_COMPARE(inspector->currentKey(), QStringLiteral("clipa"));
        QTRY_VERIFY(view->frameRecord().has_value() && view->frameIndex() == inspector->currentFrame());
        const Box shownDog = view->frameRecord()->instances[0].box;
        const QPointF click = view->toWidget({shownDog.centerX(), shownDog.centerY()});
        QTest::mouseClick(view, Qt::LeftButton, {}, click.toPoint());
        const auto objects = nlohmann::json::parse(findAnnotation(w, *store, "review", "Q1", "clipa")->objectsJson);
        QVERIFY(objects == nlohmann::json::parse(R"([{"track":1}])"));
        QVERIFY(tracks->index(tracks->rowOfTrack(1)).data(TrackModel::MarkedRole).toBool());

        // N steps to the next query and runs it.
        QTest::keyClick(grid, Qt::Key_N);
        QCOMPARE(w.annotator()->currentIndex(), 1);
        QTRY_COMPARE(finished.count(), 2);
        QCOMPARE(engine->lastQuery(), std::string("a ball"));
        QCOMPARE(w.queryBar()->text(), QStringLiteral("a ball"));

        // Outside annotator mode the keys mean nothing.
        w.setAnnotatorMode(false);
        QTest::keyClick(grid, Qt::Key_P);
        QCOMPARE(w.annotator()->currentIndex(), 1);

        // Opening, listing, querying, inspecting and annotating reached the library only from worker threads; a
        // call from this (the UI) thread is counted (and stops a debug build).
        QCOMPARE(store->threadViolations(), 0);
#ifdef QT_NO_DEBUG
        QVERIFY(store->schemaVersion() > 0);
        QCOMPARE(store->threadViolations(), 1);
#endif
    }

    void noEngineSaysSo()
    {
        QSettings settings(m_dir.filePath("settings2.ini"), QSettings::IniFormat);
        TaskManager tasks(1);
        MainWindow w(windowServices(settings, tasks));
        QVERIFY(openLibraryAndWait(w, m_dir.filePath("lib.sqlite")));
        // The platform adds " — TwinSeek" to the title; the window names only the library.
        QCOMPARE(w.windowTitle(), QStringLiteral("lib.sqlite"));
        QSignalSpy failed(&w, &MainWindow::queryFailed);
        w.runQuery(QStringLiteral("anything"));
        QCOMPARE(failed.count(), 1);
        QVERIFY(failed.first().first().toString().contains(QStringLiteral("engine")));
        QCOMPARE(w.resultsModel()->rowCount(), 0);
    }

    // An LLM's results appear as they arrive: the sub-queries, then each judged video as a provisional card the
    // annotator refers to; the final ranking replaces them, and a cancel keeps what was judged, saying so.
    void provisionalResultsAndCancel()
    {
        QSettings settings(m_dir.filePath("provisional.ini"), QSettings::IniFormat);
        TaskManager tasks(1);
        FakeEngine *engine = nullptr;
        MainWindow w(windowServices(settings, tasks, &engine));
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(openLibraryAndWait(w, m_dir.filePath("lib.sqlite")));
        auto *summary = w.findChild<QLabel *>("resultsSummary");
        QVERIFY(summary);
        QSignalSpy finished(&w, &MainWindow::queryFinished);
        QVERIFY(w.queryRunner()->hasEngine() && engine);
        engine->setStreaming(true);

        w.runQuery(QStringLiteral("a dog left of a ball"));
        QTRY_COMPARE(w.resultsModel()->rowCount(), 1);
        QVERIFY(w.resultsModel()->isProvisional());
        QCOMPARE(w.resultsModel()->index(0).data(ResultsModel::KeyRole).toString(), QStringLiteral("clipb"));
        QCOMPARE(w.queryBar()->chipCount(), 2);
        QVERIFY2(summary->text().contains("1 of 2 candidates judged by fake-llm"), qPrintable(summary->text()));
        QCOMPARE(finished.count(), 0);
        // The annotator follows the grid: a grade now refers to the running query.
        QCOMPARE(w.annotator()->shownQuery(), QStringLiteral("a dog left of a ball"));

        engine->release();
        QTRY_COMPARE(finished.count(), 1);
        QVERIFY(!w.resultsModel()->isProvisional());
        QCOMPARE(w.resultsModel()->rowCount(), 2);
        QCOMPARE(w.resultsModel()->index(0).data(ResultsModel::KeyRole).toString(), QStringLiteral("clipa"));

        // Cancelled while the LLM judges: the judged card stays, marked as not a full ranking.
        w.runQuery(QStringLiteral("a ball right of a dog"));
        QTRY_VERIFY(w.resultsModel()->isProvisional());
        QCOMPARE(w.resultsModel()->rowCount(), 1);
        auto *cancel = w.queryBar()->findChild<QToolButton *>("cancelQuery");
        QVERIFY(cancel && cancel->isEnabled());
        QTest::mouseClick(cancel, Qt::LeftButton);
        QTRY_VERIFY(summary->text().contains("cancelled"));
        QVERIFY2(summary->text().contains("judged before the cancel"), qPrintable(summary->text()));
        QCOMPARE(w.resultsModel()->rowCount(), 1);
        QCOMPARE(finished.count(), 1);
        QTRY_VERIFY(!cancel->isEnabled());
    }

    // The layout sits still: a query neither resizes the window nor raises its minimum width; the window fits the
    // screen it opens on.
    void layoutStaysPut()
    {
        QSettings settings(m_dir.filePath("layout.ini"), QSettings::IniFormat);
        TaskManager tasks(1);
        FakeEngine *engine = nullptr;
        const ExplorerServices deps = windowServices(settings, tasks, &engine);
        MainWindow w(deps);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        // Fits a 1366 x 768 laptop screen; fills at most the screen it opens on when that is larger.
        const QSize least = w.minimumSizeHint().expandedTo(w.layout()->minimumSize());
        QVERIFY2(least.width() <= 1366 - 16 && least.height() <= 768 - 48,
                 qPrintable(QString("minimum %1x%2").arg(least.width()).arg(least.height())));
        const QRect screen = w.screen()->availableGeometry();
        QVERIFY2(w.width() <= std::max(screen.width(), least.width()) && w.height() <= std::max(screen.height(), least.height()),
                 qPrintable(QString("%1x%2 on %3x%4").arg(w.width()).arg(w.height()).arg(screen.width()).arg(screen.height())));
        QVERIFY(openLibraryAndWait(w, m_dir.filePath("lib.sqlite")));
        QTest::qWait(50);
        const QSize size = w.size();
        const int minimum = w.minimumSizeHint().width();
        QSignalSpy finished(&w, &MainWindow::queryFinished);
        // While it runs too: the stage and the model's name are long, the window stays as it is.
        QVERIFY(w.queryRunner()->hasEngine());
        QVERIFY(engine);
        engine->setStreaming(true);
        w.runQuery(QString("a dog left of a ball ").repeated(12));
        QTRY_VERIFY(w.resultsModel()->isProvisional());
        QTest::qWait(150); // the stage label shows, the layout settles
        QVERIFY2(w.minimumSizeHint().width() <= minimum + 8,
                 qPrintable(QString("minimum width %1 -> %2 while running").arg(minimum).arg(w.minimumSizeHint().width())));
        QCOMPARE(w.size(), size);
        engine->setStreaming(false);
        engine->release();
        QTRY_COMPARE(finished.count(), 1);
        QTest::qWait(50);
        QCOMPARE(w.size(), size);
        QVERIFY2(w.minimumSizeHint().width() <= minimum + 8,
                 qPrintable(QString("minimum width %1 -> %2").arg(minimum).arg(w.minimumSizeHint().width())));

        // The grid reflows to its width: as many columns as cards of the least width fit, and no blank column.
        auto gridProblem = [&w]() -> QString {
            QListView *grid = w.resultsView();
            const QRect first = grid->visualRect(w.resultsModel()->index(0));
            const QRect second = grid->visualRect(w.resultsModel()->index(1));
            const int room = grid->width() - 2 * grid->frameWidth() -
                             grid->style()->pixelMetric(QStyle::PM_ScrollBarExtent, nullptr, grid);
            const int fit = (room - grid->spacing()) / (ResultDelegate::kMinCardWidth + grid->spacing());
            const bool sideBySide = first.top() == second.top();
            if ((fit >= 2) != sideBySide || first.width() != ResultDelegate::cardWidthFor(room, grid->spacing()))
                return QString("room %1: %2 fit, cards %3 wide %4")
                    .arg(room).arg(fit).arg(first.width()).arg(sideBySide ? "side by side" : "stacked");
            return {};
        };
        QTRY_VERIFY2(gridProblem().isEmpty(), qPrintable(gridProblem()));
        auto *inspectorDock = w.findChild<QDockWidget *>("inspectorDock");
        auto *libraryDock = w.findChild<QDockWidget *>("libraryDock");
        w.resize(1500, w.height());
        QTRY_COMPARE(w.width(), 1500);
        QTest::qWait(50);
        QSet<int> widths;
        for (int inspector : {950, 800, 650}) {
            w.resizeDocks({libraryDock, inspectorDock}, {libraryDock->minimumSizeHint().width(), inspector},
                          Qt::Horizontal);
            QTest::qWait(50);
            QTRY_VERIFY2(gridProblem().isEmpty(), qPrintable(gridProblem()));
            widths.insert(w.resultsView()->visualRect(w.resultsModel()->index(0)).width());
        }
        QVERIFY2(widths.size() >= 2, "the cards kept their width while the grid's changed");
        // The library shows each video's name, status and duration without a horizontal scroll bar; the other
        // columns are a right-click on the header away.
        // On a 1366 x 768 laptop with the default dock shares.
        w.resize(1350, 720);
        QTRY_COMPARE(w.width(), 1350);
        w.applyDefaultDockShares();
        QTest::qWait(50);
        QTableView *table = w.libraryPanel()->view();
        QVERIFY(!table->horizontalScrollBar()->isVisible());
        for (int c : {LibraryModel::Key, LibraryModel::Status, LibraryModel::Duration})
            QVERIFY(!table->isColumnHidden(c));
        QVERIFY2(table->columnWidth(LibraryModel::Key) >= 100, qPrintable(QString::number(table->columnWidth(0))));
        QCOMPARE(w.libraryPanel()->columnActions().size(), LibraryModel::ColumnCount - 1);
        QAction *tracksColumn = w.libraryPanel()->columnActions()[LibraryModel::Tracks - 1];
        QVERIFY(table->isColumnHidden(LibraryModel::Tracks));
        tracksColumn->setChecked(true);
        QVERIFY(!table->isColumnHidden(LibraryModel::Tracks));
        w.resize(size);

        // The inspector's splitter sizes survive a query and a restart.
        QSplitter *split = w.inspector()->timelineSplitter();
        const QList<int> sizes = split->sizes();
        QVERIFY(sizes.size() == 2 && sizes[0] + sizes[1] > 100);
        const QList<int> chosen{(sizes[0] + sizes[1]) / 2, sizes[0] + sizes[1] - (sizes[0] + sizes[1]) / 2};
        split->setSizes(chosen);
        emit split->splitterMoved(chosen[0], 1);
        w.runQuery(QStringLiteral("a ball"));
        QTRY_COMPARE(finished.count(), 2);
        QTest::qWait(50);
        QCOMPARE(split->sizes(), chosen);
        w.close();
        MainWindow again(deps);
        again.show();
        QVERIFY(QTest::qWaitForWindowExposed(&again));
        QVERIFY(!again.libraryPanel()->view()->isColumnHidden(LibraryModel::Tracks));
        QVERIFY(again.libraryPanel()->view()->isColumnHidden(LibraryModel::Path));
        const QList<int> restored = again.inspector()->timelineSplitter()->sizes();
        QVERIFY2(std::abs(restored[0] - chosen[0]) <= 4,
                 qPrintable(QString("%1 vs %2").arg(restored[0]).arg(chosen[0])));
    }

    // First run: adding videos needs no library chosen first; the default one is made in the user's data folder.
    void firstRunMakesTheDefaultLibrary()
    {
        QStandardPaths::setTestModeEnabled(true);
        const QString expected = MainWindow::defaultLibraryPath();
        QVERIFY(expected.startsWith(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)));
        QFile::remove(expected);
        {
            QSettings settings(m_dir.filePath("first.ini"), QSettings::IniFormat);
            TaskManager tasks(1);
            MainWindow w(windowServices(settings, tasks));
            QVERIFY(!w.store());
            QVERIFY(w.libraryPanel()->addFolderAction()->isEnabled());
            QVERIFY(w.libraryPanel()->addFilesAction()->isEnabled());
            QSignalSpy opened(&w, &MainWindow::libraryOpened);
            w.ensureLibrary();
            QVERIFY(opened.wait(60000));
            QVERIFY(opened.last().at(1).toBool());
            QVERIFY(w.store());
            QCOMPARE(QString::fromStdString(w.store()->path()), expected);
            QVERIFY(QFile::exists(expected));
            QCOMPARE(w.windowTitle(), QStringLiteral("library.sqlite"));
        }
        QFile::remove(expected);
        QStandardPaths::setTestModeEnabled(false);
    }

    // --help and --version need no display: a terminal without X (or CI) can ask what the program takes.
    void helpWithoutDisplay()
    {
        QProcess gui;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char *var : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
            env.remove(var);
        gui.setProcessEnvironment(env);
        gui.setProcessChannelMode(QProcess::MergedChannels);
        for (const char *arg : {"--help", "--version"}) {
            gui.start(QStringLiteral(TWINSEEK_GUI_PATH), {arg});
            QVERIFY(gui.waitForFinished(30000));
            const QString out = QString::fromUtf8(gui.readAll());
            QCOMPARE(gui.exitStatus(), QProcess::NormalExit);
            QVERIFY2(gui.exitCode() == 0, qPrintable(out));
            QVERIFY2(out.contains(std::strcmp(arg, "--help") == 0 ? "--db" : "twinseek "), qPrintable(out));
        }
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestGuiFlow)
#include "tst_gui_flow.moc"
