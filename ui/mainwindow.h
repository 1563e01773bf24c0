// The desktop explorer's main window: the library on the left, the query bar and the results grid in the
// centre, the inspector with its timeline on the right, the annotator and the twin JSON in docks. Layout,
// library, watched folders and history persist in QSettings.
#pragma once

#include "appsettings.h"
#include "exportdialog.h"
#include "ingest/ingestor.h"
#include "ingestqueue.h"
#include "queryrunner.h"
#include "tasks/taskmanager.h"

#include <QMainWindow>

#include <functional>
#include <memory>
#include <vector>

class QDockWidget;
class QLabel;
class QListView;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;
class QSettings;
class QThreadPool;
class QToolButton;

namespace ts {

class AnnotatorController;
class AnnotatorPanel;
class IngestQueue;
class Inspector;
class LibraryModel;
class LibraryPanel;
class QueryBar;
class ResultsModel;
class ThumbnailCache;

/// What the composition root hands the window.
struct ExplorerServices {
    /// The installed models (Settings lists them); may be null.
    const ModelRegistry *models = nullptr;
    TaskManager *tasks = nullptr;
    QSettings *settings = nullptr;
    /// Makes the retrieval engine from the current settings (LLM roles); may return nullptr.
    std::function<std::unique_ptr<RetrievalEngine>(const AppSettings &)> engineFactory;
    /// Tests an LLM endpoint (Settings > Test Connection); may be empty.
    ConnectionTester connectionTester;
    /// The hook run after each ingested twin is stored (coarse-stage embeddings); may be empty.
    std::function<TwinStoredHook(std::shared_ptr<TwinStore>)> storedHook;
    /// Makes twin builders for ingestion with the settings' configuration; empty: files cannot be ingested.
    std::function<std::unique_ptr<TwinBuilder>(const TwinBuilderConfig &)> builderFactory;
};

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    MainWindow(ExplorerServices services, QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Opens (or creates) a library database on the store thread; libraryOpened says how it went (on failure a
    /// message box says why). Queries asked for meanwhile run once it is open.
    void openLibrary(const QString &path);
    /// Queues videos and folders in the background; without an open library the default one is made first.
    void addPaths(const QStringList &paths);
    /// Starts opening the default library (created in the user's data folder) when none is open or opening.
    void ensureLibrary();
    static QString defaultLibraryPath();
    /// Runs a query as if typed in the query bar.
    void runQuery(const QString &query);
    void setAnnotatorMode(bool on);
    /// Sizes the docks as on a first start: library 1/5 of the width, inspector 2/5, the grid the rest.
    void applyDefaultDockShares();
    /// Opens a query set (JSON lines) in annotator mode; false after telling the user why it could not.
    bool openQuerySetFile(const QString &path);
    bool annotatorMode() const;

    std::shared_ptr<TwinStore> store() const { return m_store; }
    LibraryModel *libraryModel() const { return m_library; }
    LibraryPanel *libraryPanel() const { return m_libraryPanel; }
    IngestQueue *ingestQueue() const { return m_ingest; }
    QueryBar *queryBar() const { return m_queryBar; }
    QueryRunner *queryRunner() const { return m_runner; }
    ResultsModel *resultsModel() const { return m_results; }
    QListView *resultsView() const { return m_resultsView; }
    ThumbnailCache *thumbnails() const { return m_thumbnails; }
    Inspector *inspector() const { return m_inspector; }
    AnnotatorController *annotator() const { return m_annotator; }
    AnnotatorPanel *annotatorPanel() const { return m_annotatorPanel; }
    /// No query running, the selected result shown with its frame decoded, no thumbnail pending.
    bool isSettled() const;

signals:
    void libraryOpened(const QString &path, bool ok);
    void queryFinished(int resultCount);
    void queryFailed(const QString &message);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildDocks();
    void buildMenus();
    void restoreLayout();
    void showStatus(const QString &text, int timeoutMs = 8000);
    void updateTaskIndicator();
    void openResult(int row);
    void moveResult(int delta);
    void showTrace(const VideoResult *result);
    void exportInspected();
    void exportResults();
    void openQuerySet();
    void exportQuerySet();
    void showSettings();
    void showShortcuts();
    void submitExport(const QString &title, std::function<Status(const CancelToken &, const ProgressFn &)> job);
    void rememberFolders();
    QString libraryGroup() const;
    AppSettings appSettings() const;

    enum class LibraryOpening { Existing, Created };
    void adoptLibrary(const QString &path, std::shared_ptr<TwinStore> store, const QStringList &recentQueries,
                      LibraryOpening how);
    IngestQueue::BuilderFactory builderFactoryFor(const TwinBuilderConfig &config) const;

    ExplorerServices m_deps;
    std::shared_ptr<TwinStore> m_store;
    QString m_libraryPath;
    QThreadPool *m_storeThread = nullptr; ///< opens libraries (one at a time)
    quint64 m_openGeneration = 0;
    QString m_openingLibrary; ///< being opened, empty when none
    std::vector<std::function<void()>> m_afterOpen; ///< what waits for the library being opened
    bool m_summaryShowsLibrary = false;

    LibraryModel *m_library = nullptr;
    IngestQueue *m_ingest = nullptr;
    LibraryPanel *m_libraryPanel = nullptr;
    QueryBar *m_queryBar = nullptr;
    QueryRunner *m_runner = nullptr;
    ThumbnailCache *m_thumbnails = nullptr;
    ResultsModel *m_results = nullptr;
    QListView *m_resultsView = nullptr;
    QLabel *m_resultsSummary = nullptr;
    /// The running query's decomposition, shown with its provisional results.
    std::vector<SubQuery> m_runningSubQueries;
    QString m_runningDecomposer;
    Inspector *m_inspector = nullptr;
    AnnotatorController *m_annotator = nullptr;
    AnnotatorPanel *m_annotatorPanel = nullptr;
    QPlainTextEdit *m_json = nullptr;
    QListWidget *m_trace = nullptr;
    QDockWidget *m_libraryDock = nullptr;
    QDockWidget *m_inspectorDock = nullptr;
    QDockWidget *m_annotatorDock = nullptr;
    QDockWidget *m_jsonDock = nullptr;
    QDockWidget *m_traceDock = nullptr;
    QAction *m_annotatorAction = nullptr;
    QLabel *m_taskText = nullptr;
    QProgressBar *m_taskProgress = nullptr;
    QToolButton *m_taskCancel = nullptr;
    QHash<quint64, double> m_taskFractions;
    QHash<quint64, QString> m_exportTasks; ///< task id -> title
    QHash<quint64, QString> m_exportOwners; ///< task id -> owner (for cancelling)
    int m_exportSerial = 0;
    QString m_lastExportDir;
    bool m_switchingLibrary = false;
};

} // namespace ts
