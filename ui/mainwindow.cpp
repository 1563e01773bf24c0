#include "mainwindow.h"

#include "annotator.h"
#include "frameview.h"
#include "ingestqueue.h"
#include "inspector.h"
#include "librarymodel.h"
#include "librarypanel.h"
#include "querybar.h"
#include "resultdelegate.h"
#include "resultsmodel.h"
#include "settingsdialog.h"
#include "thumbnailcache.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QCryptographicHash>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QLabel>
#include <QListView>
#include <QListWidget>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyle>
#include <QTableView>
#include <QTextBrowser>
#include <QThreadPool>
#include <QTimer>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <thread>

namespace ts {

namespace {
constexpr int kLayoutVersion = 2; // 2: the twin JSON sits below the inspector, no longer in its tab
const char *const kLastLibraryKey = "library/last";

/// The results grid: its cards widen or narrow with it so that whole columns fill the width it has (room for the
/// scroll bar is kept, so its appearing does not push a card onto the next row).
class ResultsGrid : public QListView {
public:
    using QListView::QListView;

protected:
    void resizeEvent(QResizeEvent *event) override
    {
        if (auto *cards = qobject_cast<ResultDelegate *>(itemDelegate())) {
            const int room = width() - 2 * frameWidth() - style()->pixelMetric(QStyle::PM_ScrollBarExtent, nullptr, this);
            cards->setCardWidth(ResultDelegate::cardWidthFor(room, spacing()));
        }
        QListView::resizeEvent(event);
    }
};
} // namespace

MainWindow::MainWindow(ExplorerServices services, QWidget *parent) : QMainWindow(parent), m_deps(std::move(services))
{
    setWindowTitle(tr("TwinSeek"));
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks | QMainWindow::AllowNestedDocks);
    m_storeThread = new QThreadPool(this);
    m_storeThread->setMaxThreadCount(1);

    // Ingest: builders made on the workers with the configuration of the moment the file was queued.
    m_library = new LibraryModel(this);
    m_ingest = new IngestQueue(*m_deps.tasks, {}, this);
    {
        const TwinBuilderConfig config = appSettings().builderConfig();
        m_ingest->setBuilderFactory(builderFactoryFor(config));
    }
    if (m_deps.storedHook)
        m_ingest->setStoredHookFactory(m_deps.storedHook);
    m_libraryPanel = new LibraryPanel(m_library, m_ingest, this);

    // Centre: query bar, summary, results grid.
    m_queryBar = new QueryBar(m_deps.settings, this);
    m_runner = new QueryRunner(
        [this]() -> std::unique_ptr<RetrievalEngine> {
            return m_deps.engineFactory ? m_deps.engineFactory(appSettings()) : nullptr;
        },
        this);
    m_thumbnails = new ThumbnailCache(m_deps.tasks->pool(TaskKind::Decode), this);
    m_results = new ResultsModel(m_thumbnails, this);
    m_resultsView = new ResultsGrid(this);
    m_resultsView->setModel(m_results);
    m_resultsView->setItemDelegate(new ResultDelegate(m_resultsView));
    m_resultsView->setViewMode(QListView::IconMode);
    m_resultsView->setResizeMode(QListView::Adjust);
    m_resultsView->setMovement(QListView::Static);
    m_resultsView->setUniformItemSizes(true);
    m_resultsView->setSpacing(4);
    m_resultsView->setWrapping(true);
    m_resultsView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_resultsView->setContextMenuPolicy(Qt::CustomContextMenu);
    m_resultsView->setMouseTracking(true);
    m_resultsSummary = new QLabel(tr("Open a library and ask for what you are looking for."), this);
    m_resultsSummary->setObjectName("resultsSummary");
    m_resultsSummary->setWordWrap(true);
    m_resultsSummary->setContentsMargins(6, 2, 6, 2);
    auto *centre = new QWidget(this);
    auto *centreLayout = new QVBoxLayout(centre);
    centreLayout->setContentsMargins(0, 0, 0, 0);
    centreLayout->setSpacing(2);
    centreLayout->addWidget(m_queryBar);
    centreLayout->addWidget(m_resultsSummary);
    centreLayout->addWidget(m_resultsView, 1);
    setCentralWidget(centre);

    // The inspector loads twins on a pool of its own: an interactive load must not wait behind an export.
    auto *inspectorPool = new QThreadPool(this);
    inspectorPool->setMaxThreadCount(1);
    m_inspector = new Inspector(inspectorPool, this);
    m_annotator = new AnnotatorController(this);
    m_annotatorPanel = new AnnotatorPanel(m_annotator, this);
    addActions(m_annotatorPanel->keyActions());

    buildDocks();
    buildMenus();

    // Status bar: messages on the left, background work on the right.
    m_taskText = new QLabel(this);
    m_taskProgress = new QProgressBar(this);
    m_taskProgress->setRange(0, 1000);
    m_taskProgress->setMaximumWidth(160);
    m_taskProgress->setTextVisible(false);
    m_taskCancel = new QToolButton(this);
    m_taskCancel->setText(tr("Cancel"));
    m_taskCancel->setToolTip(tr("Cancel all ingests and exports"));
    statusBar()->addPermanentWidget(m_taskText);
    statusBar()->addPermanentWidget(m_taskProgress);
    statusBar()->addPermanentWidget(m_taskCancel);
    updateTaskIndicator();

    // --- wiring
    connect(m_deps.tasks, &TaskManager::taskStarted, this, [this](quint64 id, const QString &, const QString &) {
        m_taskFractions.insert(id, 0.0);
        updateTaskIndicator();
    });
    connect(m_deps.tasks, &TaskManager::taskProgress, this, [this](quint64 id, const QString &, double f, const QString &) {
        m_taskFractions.insert(id, f);
        updateTaskIndicator();
    });
    connect(m_deps.tasks, &TaskManager::taskFinished, this,
            [this](quint64 id, const QString &, ErrorCode code, const QString &message) {
                m_taskFractions.remove(id);
                const QString title = m_exportTasks.take(id);
                m_exportOwners.remove(id);
                if (!title.isEmpty()) {
                    if (code == ErrorCode::None)
                        showStatus(tr("%1: done").arg(title));
                    else if (code == ErrorCode::Cancelled)
                        showStatus(tr("%1: cancelled").arg(title));
                    else
                        QMessageBox::warning(this, tr("Export failed"), tr("%1 failed:\n%2").arg(title, message));
                }
                updateTaskIndicator();
            });
    connect(m_taskCancel, &QToolButton::clicked, this, [this] {
        m_ingest->cancelAll();
        for (const QString &owner : std::as_const(m_exportOwners))
            m_deps.tasks->cancelOwner(owner);
    });
    connect(m_libraryPanel, &LibraryPanel::statusMessage, this, [this](const QString &t) { showStatus(t); });
    connect(m_libraryPanel, &LibraryPanel::libraryNeeded, this, &MainWindow::ensureLibrary);
    connect(m_libraryPanel, &LibraryPanel::videoActivated, this, [this](const QString &key) {
        m_inspectorDock->show();
        m_inspectorDock->raise();
        m_inspector->showVideo(key);
    });
    connect(m_ingest, &IngestQueue::watchedFoldersChanged, this, &MainWindow::rememberFolders);

    connect(m_queryBar, &QueryBar::searchRequested, this, &MainWindow::runQuery);
    connect(m_queryBar, &QueryBar::cancelRequested, m_runner, &QueryRunner::cancel);
    connect(m_runner, &QueryRunner::runningChanged, m_queryBar, &QueryBar::setBusy);
    connect(m_runner, &QueryRunner::progress, m_queryBar, &QueryBar::setProgress);
    connect(m_runner, &QueryRunner::started, this, [this](const QString &q) {
        m_summaryShowsLibrary = false;
        showStatus(tr("Searching for “%1”…").arg(q), 0);
    });
    connect(m_runner, &QueryRunner::decomposed, this,
            [this](const QString &q, const std::vector<SubQuery> &subQueries, const QString &decomposer) {
                m_runningSubQueries = subQueries;
                m_runningDecomposer = decomposer;
                m_queryBar->setSubQueries(subQueries, decomposer);
                m_resultsSummary->setText(tr("“%1”: %n sub-quer(ies) by %2; judging the candidates…", nullptr,
                                             static_cast<int>(subQueries.size()))
                                              .arg(q, decomposer));
            });
    // An LLM's verdicts arrive one by one (seconds each on a CPU): the grid shows them as a provisional ranking, and
    // from then on it (and the annotator) refers to the running query.
    connect(m_runner, &QueryRunner::candidateJudged, this, [this](const QString &q, const CandidateEvent &e) {
        if (!m_results->isProvisional() || m_results->result().query != q.toStdString()) {
            m_results->beginProvisional(q, m_runningSubQueries, m_runningDecomposer);
            m_annotator->setShownQuery(q);
            if (m_annotator->isOpen())
                m_results->setGrades(m_annotator->gradesForCurrentQuery());
        }
        m_results->addProvisional(e.result);
        const QString who = QString::fromStdString(e.result.reasoner);
        m_resultsSummary->setText(
            e.refined ? tr("Provisional: %1 re-judged after refinement by %2…")
                            .arg(QString::fromStdString(e.result.key), who)
                      : tr("Provisional: %1 of %2 candidates judged by %3…").arg(e.judged).arg(e.toJudge).arg(who));
    });
    connect(m_runner, &QueryRunner::cancelled, this, [this](const QString &q) {
        showStatus(tr("Query “%1” cancelled").arg(q));
        if (m_results->isProvisional())
            m_resultsSummary->setText(
                tr("“%1” cancelled: %n result(s) judged before the cancel are shown, not a full ranking", nullptr,
                   m_results->rowCount())
                    .arg(q));
    });
    connect(m_runner, &QueryRunner::failed, this, [this](const QString &q, const QString &message) {
        m_resultsSummary->setText(tr("The query “%1” failed: %2").arg(q, message));
        showStatus(tr("Query failed: %1").arg(message));
        emit queryFailed(message);
    });
    connect(m_runner, &QueryRunner::finished, this, [this](const QueryResult &result) {
        const QString query = QString::fromStdString(result.query);
        m_queryBar->addToHistory(query);
        m_queryBar->setSubQueries(result.subQueries, QString::fromStdString(result.decomposer));
        // A provisional card the user opened stays selected when the final ranking replaces the provisional one.
        QString keep;
        if (m_results->isProvisional())
            if (const VideoResult *r = m_results->resultAt(m_resultsView->currentIndex().row()))
                keep = QString::fromStdString(r->key);
        m_results->setResult(result);
        m_annotator->setShownQuery(query);
        if (m_annotator->isOpen())
            m_results->setGrades(m_annotator->gradesForCurrentQuery());
        double ms = 0;
        for (const StageTiming &t : result.timings)
            ms += t.ms;
        QString summary = tr("%n result(s) for “%1”", nullptr, static_cast<int>(result.results.size())).arg(query);
        summary += tr(" — library of %n video(s)", nullptr, result.librarySize);
        if (result.dropped > 0)
            summary += tr(", %n rejected by the reasoner", nullptr, result.dropped);
        if (!result.damaged.empty())
            summary += tr(", %n not read (damaged twin: run twinseek-cli validate-twins)", nullptr,
                          static_cast<int>(result.damaged.size()));
        if (ms > 0)
            summary += tr(", %1 s").arg(QLocale().toString(ms / 1000.0, 'f', 2));
        for (const TraceStep &t : result.trace)
            if (t.kind == "language")
                summary += tr(". Note: %1").arg(QString::fromStdString(t.text));
        m_resultsSummary->setText(summary);
        showStatus(summary);
        if (!result.results.empty())
            m_resultsView->setCurrentIndex(m_results->index(std::max(0, m_results->rowOfKey(keep))));
        else {
            m_inspector->clear();
            showTrace(nullptr);
        }
        emit queryFinished(static_cast<int>(result.results.size()));
    });
    connect(m_resultsView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) { openResult(current.row()); });
    connect(m_resultsView, &QListView::customContextMenuRequested, this, [this](const QPoint &pos) {
        const QModelIndex index = m_resultsView->indexAt(pos);
        QMenu menu(this);
        if (index.isValid()) {
            menu.addAction(tr("Open in Inspector"), this, [this, index] { openResult(index.row()); });
            menu.addAction(tr("Export Masks…"), this, [this, index] {
                m_resultsView->setCurrentIndex(index);
                exportInspected();
            });
            menu.addSeparator();
        }
        QAction *all = menu.addAction(tr("Export All Results…"), this, &MainWindow::exportResults);
        all->setEnabled(m_results->rowCount() > 0);
        menu.exec(m_resultsView->viewport()->mapToGlobal(pos));
    });

    connect(m_inspector, &Inspector::statusMessage, this, [this](const QString &t) { showStatus(t, 4000); });
    connect(m_inspector, &Inspector::loadFailed, this, [this](const QString &key, const QString &message) {
        showStatus(tr("Cannot open %1: %2").arg(key, message));
    });
    connect(m_inspector, &Inspector::videoLoaded, this, [this](const QString &key) {
        if (const BenchQuery *q = m_annotator->currentQuery())
            m_inspector->setMarkedTracks(m_annotator->objectsOf(QString::fromStdString(q->id), key));
        else
            m_inspector->setMarkedTracks({});
    });
    connect(m_inspector, &Inspector::instanceSelected, this,
            [this](const QString &key, TrackId track, const QString &json) {
                m_json->setPlainText(json);
                m_jsonDock->setWindowTitle(tr("Twin JSON — %1 #%2").arg(key).arg(track));
                if (annotatorMode() && m_annotator->currentQuery() && key == m_annotator->currentVideo()) {
                    const Status s = m_annotator->toggleObject(track);
                    if (!s)
                        showStatus(QString::fromStdString(s.message()));
                } else {
                    const bool opening = !m_jsonDock->isVisible();
                    m_jsonDock->show();
                    m_jsonDock->raise(); // in front of any dock the user tabbed it with
                    if (opening && !m_jsonDock->isFloating() &&
                        dockWidgetArea(m_jsonDock) == dockWidgetArea(m_inspectorDock))
                        resizeDocks({m_inspectorDock, m_jsonDock}, {m_inspectorDock->height() * 2 / 3,
                                                                    m_inspectorDock->height() / 3},
                                    Qt::Vertical);
                }
            });

    connect(m_annotatorPanel, &AnnotatorPanel::runRequested, this, [this](const QString &q) {
        m_queryBar->setText(q);
        runQuery(q);
    });
    connect(m_annotatorPanel, &AnnotatorPanel::nextResultRequested, this, [this] { moveResult(1); });
    connect(m_annotatorPanel, &AnnotatorPanel::previousResultRequested, this, [this] { moveResult(-1); });
    connect(m_annotatorPanel, &AnnotatorPanel::openRequested, this, &MainWindow::openQuerySet);
    connect(m_annotatorPanel, &AnnotatorPanel::exportRequested, this, &MainWindow::exportQuerySet);
    connect(m_annotator, &AnnotatorController::currentQueryChanged, this, [this] {
        m_results->setGrades(m_annotator->gradesForCurrentQuery());
        // Stepping to a query runs it: the annotator's hands stay on N/P, J/K and the grades.
        if (const BenchQuery *q = m_annotator->currentQuery(); q && annotatorMode()) {
            m_queryBar->setText(QString::fromStdString(q->query));
            runQuery(QString::fromStdString(q->query));
        }
    });
    connect(m_annotator, &AnnotatorController::annotationChanged, this, [this](const QString &queryId, const QString &key) {
        m_results->setGrades(m_annotator->gradesForCurrentQuery());
        if (key == m_inspector->currentKey())
            m_inspector->setMarkedTracks(m_annotator->objectsOf(queryId, key));
    });
    connect(m_annotator, &AnnotatorController::annotationsLoaded, this, [this] {
        m_results->setGrades(m_annotator->gradesForCurrentQuery());
        const QString key = m_inspector->currentKey();
        if (const BenchQuery *q = m_annotator->currentQuery(); q && !key.isEmpty())
            m_inspector->setMarkedTracks(m_annotator->objectsOf(QString::fromStdString(q->id), key));
    });
    connect(m_annotator, &AnnotatorController::errorOccurred, this, [this](const QString &m) { showStatus(m); });
    connect(m_ingest, &IngestQueue::rescanned, this, [this](int queued) {
        if (queued > 0)
            showStatus(tr("%n new file(s) in watched folders queued", nullptr, queued));
    });
    // The library's size arrives with the library panel's rows (read on a worker).
    connect(m_library, &QAbstractItemModel::modelReset, this, [this] {
        if (m_summaryShowsLibrary && m_store)
            m_resultsSummary->setText(tr("Library %1 with %n video(s). Type a query above.", nullptr, m_library->rowCount())
                                          .arg(m_libraryPath));
    });

    restoreLayout();
}

MainWindow::~MainWindow()
{
    // Work that reports to this window must not outlive it.
    m_ingest->cancelAll();
}

AppSettings MainWindow::appSettings() const
{
    return m_deps.settings ? AppSettings::load(*m_deps.settings) : AppSettings();
}

void MainWindow::buildDocks()
{
    auto makeDock = [this](const QString &title, const QString &name, QWidget *content, Qt::DockWidgetArea area) {
        auto *dock = new QDockWidget(title, this);
        dock->setObjectName(name);
        dock->setWidget(content);
        addDockWidget(area, dock);
        return dock;
    };
    m_libraryDock = makeDock(tr("Library"), QStringLiteral("libraryDock"), m_libraryPanel, Qt::LeftDockWidgetArea);
    m_inspectorDock = makeDock(tr("Inspector"), QStringLiteral("inspectorDock"), m_inspector, Qt::RightDockWidgetArea);
    // The annotator's rows keep their height in a short dock: they scroll rather than overlap.
    auto *annotatorScroll = new QScrollArea(this);
    annotatorScroll->setWidget(m_annotatorPanel);
    annotatorScroll->setWidgetResizable(true);
    annotatorScroll->setFrameShape(QFrame::NoFrame);
    annotatorScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_annotatorDock = makeDock(tr("Annotator"), QStringLiteral("annotatorDock"), annotatorScroll, Qt::LeftDockWidgetArea);
    m_json = new QPlainTextEdit(this);
    m_json->setReadOnly(true);
    m_json->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_json->setPlaceholderText(tr("Click an object in the inspector to see its twin JSON."));
    m_jsonDock = makeDock(tr("Twin JSON"), QStringLiteral("jsonDock"), m_json, Qt::RightDockWidgetArea);
    m_trace = new QListWidget(this);
    m_trace->setWordWrap(true);
    m_trace->setToolTip(tr("The reasoning steps for the selected result; click a step with a frame to go there"));
    m_traceDock = makeDock(tr("Reasoning"), QStringLiteral("traceDock"), m_trace, Qt::LeftDockWidgetArea);
    // The twin JSON opens below the viewer and timeline (clicking an object), never in place of them.
    splitDockWidget(m_inspectorDock, m_jsonDock, Qt::Vertical);
    tabifyDockWidget(m_libraryDock, m_traceDock);
    m_libraryDock->raise();
    m_jsonDock->hide();
    m_annotatorDock->hide();
    connect(m_trace, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        const qint64 frame = item->data(Qt::UserRole).toLongLong();
        if (frame >= 0)
            m_inspector->seek(frame);
    });
    connect(m_trace, &QListWidget::itemClicked, this, [this](QListWidgetItem *item) {
        const qint64 frame = item->data(Qt::UserRole).toLongLong();
        if (frame >= 0)
            m_inspector->seek(frame);
    });
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    auto libraryFolder = [this] {
        return m_libraryPath.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
                                       : QFileInfo(m_libraryPath).absolutePath();
    };
    QAction *open = file->addAction(tr("&Open Library…"));
    open->setShortcut(QKeySequence::Open);
    connect(open, &QAction::triggered, this, [this, libraryFolder] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open Library"), libraryFolder(),
                                                          tr("TwinSeek libraries (*.sqlite);;All files (*)"));
        if (!path.isEmpty())
            openLibrary(path);
    });
    QAction *create = file->addAction(tr("&New Library…"));
    create->setShortcut(QKeySequence::New);
    connect(create, &QAction::triggered, this, [this, libraryFolder] {
        const QString path = QFileDialog::getSaveFileName(this, tr("New Library"), libraryFolder(),
                                                          tr("TwinSeek libraries (*.sqlite)"));
        if (!path.isEmpty())
            openLibrary(path.endsWith(QLatin1String(".sqlite")) ? path : path + QStringLiteral(".sqlite"));
    });
    file->addAction(m_libraryPanel->addFolderAction());
    file->addAction(m_libraryPanel->addFilesAction());
    file->addSeparator();
    QAction *exportMasks = file->addAction(tr("&Export Masks of Inspected Video…"));
    exportMasks->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    connect(exportMasks, &QAction::triggered, this, &MainWindow::exportInspected);
    QAction *exportResults = file->addAction(tr("Export &Results…"));
    exportResults->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    connect(exportResults, &QAction::triggered, this, &MainWindow::exportResults);
    file->addSeparator();
    QAction *settings = file->addAction(tr("&Settings…"));
    settings->setShortcut(QKeySequence::Preferences);
    if (settings->shortcut().isEmpty())
        settings->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    settings->setMenuRole(QAction::PreferencesRole);
    connect(settings, &QAction::triggered, this, &MainWindow::showSettings);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    QAction *undo = m_annotator->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction *redo = m_annotator->undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    edit->addAction(undo);
    edit->addAction(redo);
    edit->addSeparator();
    edit->addAction(m_libraryPanel->removeAction());
    QAction *find = edit->addAction(tr("&Find…"));
    find->setShortcuts({QKeySequence::Find, QKeySequence(Qt::CTRL | Qt::Key_L)});
    connect(find, &QAction::triggered, m_queryBar, &QueryBar::focusQuery);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget *d : {m_libraryDock, m_inspectorDock, m_traceDock, m_jsonDock, m_annotatorDock})
        view->addAction(d->toggleViewAction());
    view->addSeparator();
    m_annotatorAction = view->addAction(tr("&Annotator Mode"));
    m_annotatorAction->setCheckable(true);
    m_annotatorAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
    connect(m_annotatorAction, &QAction::toggled, this, &MainWindow::setAnnotatorMode);
    QAction *openSet = view->addAction(tr("Open &Query Set…"));
    connect(openSet, &QAction::triggered, this, &MainWindow::openQuerySet);
    view->addSeparator();
    QAction *resetLayout = view->addAction(tr("Reset &Layout"));
    connect(resetLayout, &QAction::triggered, this, [this] {
        for (QDockWidget *d : {m_libraryDock, m_traceDock})
            addDockWidget(Qt::LeftDockWidgetArea, d);
        for (QDockWidget *d : {m_inspectorDock, m_jsonDock})
            addDockWidget(Qt::RightDockWidgetArea, d);
        for (QDockWidget *d : {m_libraryDock, m_inspectorDock, m_traceDock, m_jsonDock})
            d->setFloating(false), d->show();
        m_jsonDock->hide();
        splitDockWidget(m_inspectorDock, m_jsonDock, Qt::Vertical);
        tabifyDockWidget(m_libraryDock, m_traceDock);
        m_libraryDock->raise();
        applyDefaultDockShares();
    });

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *keys = help->addAction(tr("&Keyboard Shortcuts"));
    keys->setShortcut(QKeySequence::HelpContents);
    connect(keys, &QAction::triggered, this, &MainWindow::showShortcuts);
    QAction *about = help->addAction(tr("&About TwinSeek"));
    connect(about, &QAction::triggered, this, [this] {
        QMessageBox::about(this, tr("About TwinSeek"),
                           tr("<h3>TwinSeek %1</h3><p>Reasoning text-to-video retrieval over digital twins of your "
                              "videos: vision specialists describe every video, a language model splits your query "
                              "into explicit conditions, paired text encoders find candidates and a reasoner "
                              "checks them against the twins, refining them just in time.</p>")
                               .arg(QApplication::applicationVersion().toHtmlEscaped()));
    });
}

void MainWindow::applyDefaultDockShares()
{
    // Shares of what the window has (library 1/5, inspector 2/5, the grid the rest), each at least its
    // minimum; the grid's minimum is met by taking from the library. Sizes that add up to more than the
    // window would widen it.
    const int room = width() - 24;
    const int central = centralWidget()->minimumSizeHint().width();
    const int inspector = std::max(m_inspectorDock->minimumSizeHint().width(), room * 2 / 5);
    const int library = std::max(m_libraryDock->minimumSizeHint().width(),
                                 std::min({room / 5, 330, room - inspector - central}));
    resizeDocks({m_libraryDock, m_inspectorDock}, {library, inspector}, Qt::Horizontal);
}

void MainWindow::restoreLayout()
{
    // 1500 x 900 where there is room; on a laptop's 1366 x 768 (or any smaller screen) what the screen leaves.
    const QRect avail = screen() ? screen()->availableGeometry() : QRect(0, 0, 1500, 900);
    const QSize wanted(std::min(1500, avail.width() - 16), std::min(900, avail.height() - 48));
    m_annotatorDock->setVisible(false); // before sizing: a visible dock would raise the minimum width for good
    layout()->activate();
    resize(wanted);
    const bool restored = m_deps.settings &&
                          restoreGeometry(m_deps.settings->value("window/geometry").toByteArray()) &&
                          restoreState(m_deps.settings->value("window/state").toByteArray(), kLayoutVersion);
    if (m_deps.settings) {
        m_inspector->restoreLayout(*m_deps.settings);
        m_libraryPanel->restoreLayout(*m_deps.settings);
    }
    // A geometry saved on a larger screen is brought inside this one.
    if (width() > avail.width() || height() > avail.height())
        resize(std::min(width(), wanted.width()), std::min(height(), wanted.height()));
    if (!restored) // first start: give the docks room once the window has its real size
        QTimer::singleShot(0, this, &MainWindow::applyDefaultDockShares);
    m_annotatorDock->setVisible(false); // annotator mode is switched on explicitly
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_deps.settings) {
        m_deps.settings->setValue("window/geometry", saveGeometry());
        m_deps.settings->setValue("window/state", saveState(kLayoutVersion));
        m_inspector->saveLayout(*m_deps.settings);
        m_libraryPanel->saveLayout(*m_deps.settings);
    }
    m_runner->cancel();
    m_ingest->cancelAll();
    event->accept();
}

void MainWindow::showStatus(const QString &text, int timeoutMs) { statusBar()->showMessage(text, timeoutMs); }

void MainWindow::updateTaskIndicator()
{
    const int n = static_cast<int>(m_taskFractions.size());
    const int queued = std::max(0, m_ingest->pendingCount() - n);
    m_taskText->setVisible(n > 0 || queued > 0);
    m_taskProgress->setVisible(n > 0);
    m_taskCancel->setVisible(n > 0 || queued > 0);
    if (n == 0 && queued == 0)
        return;
    double sum = 0;
    for (double f : std::as_const(m_taskFractions))
        sum += f;
    m_taskProgress->setValue(n > 0 ? qRound(sum / n * 1000) : 0);
    QString text = tr("%n task(s) running", nullptr, n);
    if (queued > 0)
        text += tr(", %n queued", nullptr, queued);
    m_taskText->setText(text);
}

QString MainWindow::libraryGroup() const
{
    const QByteArray hash = QCryptographicHash::hash(m_libraryPath.toUtf8(), QCryptographicHash::Sha1).toHex().left(16);
    return QStringLiteral("libraries/") + QString::fromLatin1(hash);
}

void MainWindow::rememberFolders()
{
    if (!m_deps.settings || m_libraryPath.isEmpty() || m_switchingLibrary)
        return;
    m_deps.settings->setValue(libraryGroup() + QStringLiteral("/path"), m_libraryPath);
    m_deps.settings->setValue(libraryGroup() + QStringLiteral("/folders"), m_ingest->watchedFolders());
}

namespace {

/// What opening a library reads, on the store thread: the store itself and the library's recent queries.
struct OpenedLibrary {
    Result<std::unique_ptr<TwinStore>> store = Result<std::unique_ptr<TwinStore>>::error("not opened");
    QStringList recentQueries;
};

std::shared_ptr<OpenedLibrary> openOnStoreThread(const std::string &file, bool exists)
{
    auto opened = std::make_shared<OpenedLibrary>();
    opened->store = TwinStore::open(file);
    if (!opened->store && exists) {
        // A library on a read-only disk or in someone else's folder can still be searched and inspected.
        auto reader = TwinStore::open(file, StoreAccess::ReadOnly);
        if (reader)
            opened->store = std::move(reader);
    }
    if (opened->store)
        for (const auto &[id, text] : (*opened->store)->recentQueries(30))
            opened->recentQueries.push_back(QString::fromStdString(text));
    return opened;
}

} // namespace

void MainWindow::openLibrary(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    const quint64 generation = ++m_openGeneration;
    m_openingLibrary = absolute;
    showStatus(tr("Opening the library %1…").arg(absolute), 0);
    const bool exists = QFileInfo::exists(absolute);
    QtConcurrent::run(m_storeThread, openOnStoreThread, absolute.toStdString(), exists)
        .then(this, [this, generation, absolute, exists](const std::shared_ptr<OpenedLibrary> &opened) {
            if (generation != m_openGeneration)
                return; // another library was asked for meanwhile
            m_openingLibrary.clear();
            if (!opened->store) {
                m_afterOpen.clear();
                m_ingest->discardWaiting();
                showStatus(tr("%1 could not be opened").arg(absolute));
                QMessageBox::warning(this, tr("Cannot open library"),
                                     tr("%1 could not be opened:\n%2")
                                         .arg(absolute, QString::fromStdString(opened->store.message())));
                emit libraryOpened(absolute, false);
                return;
            }
            adoptLibrary(absolute, std::shared_ptr<TwinStore>(std::move(opened->store).value()), opened->recentQueries,
                         exists ? LibraryOpening::Existing : LibraryOpening::Created);
            emit libraryOpened(absolute, true);
            for (const auto &next : std::exchange(m_afterOpen, {}))
                next();
        });
}

void MainWindow::adoptLibrary(const QString &path, std::shared_ptr<TwinStore> store, const QStringList &recentQueries,
                              LibraryOpening how)
{
    // From here on the window reaches the library only through worker threads: a call on this thread would wait
    // behind whatever a worker is writing (a large twin), with the window frozen meanwhile.
    store->forbidThread(std::this_thread::get_id(), [](const char *call) {
        qCritical("TwinSeek: TwinStore::%s called on the UI thread", call);
        Q_ASSERT_X(false, "TwinStore", "database call on the UI thread");
    });
    m_runner->cancel();
    // The old library's folders stay remembered for it; they are only no longer watched.
    m_switchingLibrary = true;
    for (const QString &dir : m_ingest->watchedFolders())
        m_ingest->unwatchFolder(dir);
    m_switchingLibrary = false;
    m_store = std::move(store);
    m_libraryPath = path;
    m_ingest->setStore(m_store);
    m_libraryPanel->setStore(m_store);
    m_thumbnails->setStore(m_store);
    m_inspector->setStore(m_store);
    m_annotator->setStore(m_store);
    m_results->clear();
    m_annotator->setShownQuery(QString());
    m_queryBar->clearSubQueries();
    showTrace(nullptr);
    m_queryBar->setLibraryHistory(recentQueries);
    // The platform appends the application's display name ("lib.sqlite — TwinSeek"); saying it here doubled it.
    setWindowTitle(QFileInfo(path).fileName());
    m_summaryShowsLibrary = true;
    m_resultsSummary->setText(tr("Library %1. Type a query above.").arg(m_libraryPath));
    showStatus(m_store->isReadOnly()
                   ? tr("%1 is opened read-only: it can be searched, not changed (videos cannot be added or removed)")
                         .arg(m_libraryPath)
                   : (how == LibraryOpening::Created ? tr("Created the library %1") : tr("Opened the library %1"))
                         .arg(m_libraryPath));
    if (m_deps.settings) {
        m_deps.settings->setValue(kLastLibraryKey, m_libraryPath);
        const QStringList folders = m_deps.settings->value(libraryGroup() + QStringLiteral("/folders")).toStringList();
        for (const QString &dir : folders)
            m_ingest->watchFolder(dir);
        // New files that arrived while TwinSeek was closed (IngestQueue::rescanned reports them).
        m_ingest->rescanWatched();
    }
}

IngestQueue::BuilderFactory MainWindow::builderFactoryFor(const TwinBuilderConfig &config) const
{
    auto make = m_deps.builderFactory;
    return [make, config]() -> std::unique_ptr<TwinBuilder> { return make ? make(config) : nullptr; };
}

QString MainWindow::defaultLibraryPath()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QDir().mkpath(dir);
    return QDir(dir).filePath(QStringLiteral("library.sqlite"));
}

void MainWindow::ensureLibrary()
{
    if (m_store || !m_openingLibrary.isEmpty())
        return;
    openLibrary(defaultLibraryPath());
}

void MainWindow::addPaths(const QStringList &paths)
{
    ensureLibrary();
    // Without a library yet, the queue keeps the files until the library is open.
    const int n = m_ingest->addPaths(paths);
    showStatus(tr("%n file(s) queued", nullptr, n));
    updateTaskIndicator();
}

void MainWindow::runQuery(const QString &query)
{
    const QString q = query.trimmed();
    if (q.isEmpty())
        return;
    if (m_queryBar->text() != q)
        m_queryBar->setText(q);
    if (!m_store && !m_openingLibrary.isEmpty()) {
        m_afterOpen.push_back([this, q] { runQuery(q); });
        return;
    }
    m_runner->run(m_store, q, m_queryBar->options());
}

bool MainWindow::annotatorMode() const { return m_annotatorPanel->isActive(); }

void MainWindow::setAnnotatorMode(bool on)
{
    if (m_annotatorAction->isChecked() != on) {
        m_annotatorAction->setChecked(on); // re-enters through toggled
        return;
    }
    m_annotatorPanel->setActive(on);
    m_annotatorDock->setVisible(on);
    if (on) {
        m_annotatorDock->raise();
        showStatus(tr("Annotator mode: N/P step through queries, J/K through results, 2/1/0 grade, A/R accept/reject"));
        if (!m_annotator->isOpen())
            QMetaObject::invokeMethod(this, &MainWindow::openQuerySet, Qt::QueuedConnection);
    }
}

void MainWindow::moveResult(int delta)
{
    const int n = m_results->rowCount();
    if (n == 0)
        return;
    const int row = std::clamp(m_resultsView->currentIndex().row() + delta, 0, n - 1);
    m_resultsView->setCurrentIndex(m_results->index(row));
    m_resultsView->scrollTo(m_results->index(row));
}

void MainWindow::openResult(int row)
{
    const VideoResult *r = m_results->resultAt(row);
    showTrace(r);
    if (!r)
        return;
    const QString key = QString::fromStdString(r->key);
    m_annotator->setCurrentVideo(key);
    m_inspector->showVideo(key, *r, m_results->result().subQueries);
}

void MainWindow::showTrace(const VideoResult *r)
{
    m_trace->clear();
    auto add = [this](const TraceStep &s) {
        QString text = QStringLiteral("[%1] ").arg(QString::fromStdString(s.kind));
        if (!s.source.empty())
            text += QString::fromStdString(s.source) + QStringLiteral(": ");
        text += QString::fromStdString(s.text);
        if (s.frameIndex >= 0)
            text += tr(" (frame %1)").arg(s.frameIndex);
        auto *item = new QListWidgetItem(text, m_trace);
        item->setData(Qt::UserRole, static_cast<qlonglong>(s.frameIndex));
        item->setToolTip(text);
    };
    for (const TraceStep &s : m_results->result().trace)
        add(s);
    if (r)
        for (const TraceStep &s : r->trace)
            add(s);
}

void MainWindow::submitExport(const QString &title, std::function<Status(const CancelToken &, const ProgressFn &)> job)
{
    const QString owner = QStringLiteral("export:%1").arg(++m_exportSerial);
    const quint64 id = m_deps.tasks->submit(TaskKind::Database, owner, title,
                                            [job = std::move(job)](const CancelToken &c, const ProgressFn &p) {
                                                return job(c, p);
                                            });
    m_exportOwners.insert(id, owner);
    m_exportTasks.insert(id, title);
    showStatus(tr("%1…").arg(title), 0);
    updateTaskIndicator();
}

void MainWindow::exportInspected()
{
    std::shared_ptr<const Twin> twin = m_inspector->sharedTwin();
    if (!twin) {
        showStatus(tr("Open a video in the inspector first."));
        return;
    }
    const QString key = m_inspector->currentKey();
    const bool grounded = m_inspector->grounding() && !m_inspector->grounding()->objects.empty();
    ExportDialog dialog(key, grounded, true, m_lastExportDir, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const ExportRequest req = dialog.request();
    m_lastExportDir = QFileInfo(req.destination).absolutePath();
    std::vector<TrackId> tracks;
    switch (req.objects) {
    case ExportObjects::Grounded: tracks = ResultsModel::groundedTracks(*m_inspector->grounding()); break;
    case ExportObjects::Visible:
        for (TrackId t : m_inspector->visibleTracks())
            tracks.push_back(t);
        std::sort(tracks.begin(), tracks.end());
        if (tracks.empty()) {
            showStatus(tr("No track is shown: nothing to export."));
            return;
        }
        break;
    case ExportObjects::All: break;
    }
    const std::string dest = req.destination.toStdString();
    const MaskFormat format = req.format;
    submitExport(tr("Export %1 (%2)").arg(key, ExportDialog::formatName(format)),
                 [twin, tracks, format, dest](const CancelToken &cancel, const ProgressFn &progress) {
                     return exportMasks(*twin, tracks, format, dest, cancel, progress);
                 });
}

void MainWindow::exportResults()
{
    if (!m_store || m_results->rowCount() == 0) {
        showStatus(tr("Run a query first: there are no results to export."));
        return;
    }
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder for the results and their masks"),
                                                          m_lastExportDir);
    if (dir.isEmpty())
        return;
    m_lastExportDir = dir;
    const QueryResult result = m_results->result();
    const std::shared_ptr<TwinStore> store = m_store;
    const std::string out = dir.toStdString();
    submitExport(tr("Export results of “%1”").arg(QString::fromStdString(result.query)),
                 [store, result, out](const CancelToken &cancel, const ProgressFn &progress) -> Status {
                     // The ranking with its grounding, then each video's grounded masks as COCO RLE.
                     Status s = writeFileAtomically(out + "/results.json", toJson(result).dump(2));
                     if (!s)
                         return s;
                     const size_t n = result.results.size();
                     for (size_t i = 0; i < n; ++i) {
                         if (cancel.isCancelled())
                             return Status::cancelled();
                         const VideoResult &r = result.results[i];
                         progress(static_cast<double>(i) / n, r.key);
                         const std::vector<TrackId> tracks = ResultsModel::groundedTracks(r);
                         if (tracks.empty())
                             continue;
                         auto twin = store->loadTwin(r.key);
                         if (!twin)
                             return Status::error("cannot load the twin of " + r.key + ": " + twin.message());
                         s = exportMasks(*twin, tracks, MaskFormat::CocoRle, out + "/" + r.key + "_coco.json", cancel, {});
                         if (!s)
                             return s;
                     }
                     progress(1.0, "done");
                     return Status::ok();
                 });
}

void MainWindow::openQuerySet()
{
    const QString dir = m_deps.settings ? m_deps.settings->value("annotator/lastDir").toString() : QString();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Query Set"), dir,
                                                      tr("Query sets (*.jsonl *.json);;All files (*)"));
    if (path.isEmpty())
        return;
    if (m_deps.settings)
        m_deps.settings->setValue("annotator/lastDir", QFileInfo(path).absolutePath());
    openQuerySetFile(path);
}

bool MainWindow::openQuerySetFile(const QString &path)
{
    QStringList warnings;
    const Status s = m_annotator->openQuerySet(path, &warnings);
    if (!s) {
        QMessageBox::warning(this, tr("Cannot open the query set"),
                             tr("%1:\n%2").arg(path, QString::fromStdString(s.message())));
        return false;
    }
    if (!warnings.isEmpty())
        QMessageBox::information(this, tr("Query set loaded with problems"),
                                 tr("Some lines were skipped or look wrong:\n%1").arg(warnings.mid(0, 20).join('\n')));
    setAnnotatorMode(true);
    return true;
}

void MainWindow::exportQuerySet()
{
    if (!m_annotator->isOpen() || !m_store)
        return;
    const QString file = QFileDialog::getSaveFileName(
        this, tr("Export Verified Query Set"),
        QDir(m_lastExportDir.isEmpty() ? QDir::homePath() : m_lastExportDir)
            .filePath(m_annotator->querySetName() + QStringLiteral("-verified.jsonl")),
        tr("Query sets (*.jsonl)"));
    if (file.isEmpty())
        return;
    m_lastExportDir = QFileInfo(file).absolutePath();
    const QString masks = QFileInfo(file).absoluteDir().filePath(QFileInfo(file).completeBaseName() + QStringLiteral("-masks"));
    const AnnotatorController::ExportSnapshot snap = m_annotator->snapshot();
    const std::shared_ptr<TwinStore> store = m_store;
    const std::string f = file.toStdString(), m = masks.toStdString();
    submitExport(tr("Export query set %1").arg(QFileInfo(file).fileName()),
                 [store, snap, f, m](const CancelToken &cancel, const ProgressFn &progress) {
                     return AnnotatorController::exportSet(*store, snap, f, m, cancel, progress);
                 });
}

void MainWindow::showSettings()
{
    const AppSettings current = appSettings();
    SettingsDialog dialog(current, m_deps.models, m_deps.connectionTester,
                          m_deps.tasks->pool(TaskKind::Network), this);
    if (dialog.exec() != QDialog::Accepted || !m_deps.settings)
        return;
    const AppSettings s = dialog.settings();
    s.save(*m_deps.settings);
    m_runner->resetEngine();
    m_deps.tasks->pool(TaskKind::Inference)->setMaxThreadCount(s.threads);
    const TwinBuilderConfig config = s.builderConfig();
    m_ingest->setBuilderFactory(builderFactoryFor(config));
    showStatus(tr("Settings saved; they apply to the next query and the next ingested video."));
}

void MainWindow::showShortcuts()
{
    const QString html = tr(
        "<h3>Everywhere</h3><table>"
        "<tr><td><b>Ctrl+L</b>, <b>Ctrl+F</b></td><td>type a query</td></tr>"
        "<tr><td><b>Enter</b></td><td>run the query</td></tr>"
        "<tr><td><b>Esc</b></td><td>cancel the running query</td></tr>"
        "<tr><td><b>Ctrl+O</b></td><td>open or create a library</td></tr>"
        "<tr><td><b>Ctrl+I</b></td><td>add videos</td></tr>"
        "<tr><td><b>Del</b></td><td>remove the selected videos (asks first)</td></tr>"
        "<tr><td><b>Ctrl+E</b></td><td>export the inspected video's masks</td></tr>"
        "<tr><td><b>Ctrl+Shift+E</b></td><td>export all results</td></tr>"
        "<tr><td><b>Ctrl+Shift+A</b></td><td>annotator mode</td></tr></table>"
        "<h3>Inspector</h3><table>"
        "<tr><td><b>Space</b></td><td>play / pause</td></tr>"
        "<tr><td><b>Left</b>, <b>Right</b></td><td>previous / next frame</td></tr>"
        "<tr><td><b>Shift+Left</b>, <b>Shift+Right</b></td><td>one second back / forward</td></tr>"
        "<tr><td><b>Home</b>, <b>End</b></td><td>first / last frame</td></tr></table>"
        "<h3>Annotator mode</h3><table>"
        "<tr><td><b>N</b>, <b>P</b></td><td>next / previous query (runs it)</td></tr>"
        "<tr><td><b>J</b>, <b>K</b></td><td>next / previous result</td></tr>"
        "<tr><td><b>2</b>, <b>1</b>, <b>0</b></td><td>grade the result: correct, partial, irrelevant</td></tr>"
        "<tr><td><b>A</b>, <b>R</b></td><td>accept / reject the query</td></tr>"
        "<tr><td>click an object</td><td>mark or unmark it as ground truth</td></tr>"
        "<tr><td><b>Ctrl+Z</b>, <b>Ctrl+Shift+Z</b></td><td>undo / redo</td></tr></table>");
    QMessageBox box(QMessageBox::NoIcon, tr("Keyboard Shortcuts"), html, QMessageBox::Close, this);
    box.setTextFormat(Qt::RichText);
    box.exec();
}

bool MainWindow::isSettled() const
{
    if (m_runner->isRunning() || m_thumbnails->pendingCount() > 0)
        return false;
    const VideoResult *r = m_results->resultAt(m_resultsView->currentIndex().row());
    if (!r)
        return true;
    return m_inspector->currentKey() == QString::fromStdString(r->key) && m_inspector->twin() &&
           m_inspector->frameView()->frameIndex() == m_inspector->currentFrame();
}

} // namespace ts
