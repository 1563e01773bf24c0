// Ingestion for the explorer: one TaskManager task per file (owner = the file's absolute path), so a file can be
// cancelled or removed on its own while the others go on. Watched folders pick up new files. Lives on the UI
// thread; the tasks run on the inference pool and report back through TaskManager's queued signals, and every
// library lookup (removals, the rescan's stored sizes) runs on the queue's own store thread.
#pragma once

#include "ingest/ingestor.h"
#include "librarymodel.h"
#include "tasks/taskmanager.h"

#include <QFuture>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QStringList>

#include <memory>

class QFileSystemWatcher;
class QThreadPool;
class QTimer;

namespace ts {

enum class IngestMode { Normal, Force };

class IngestQueue : public QObject {
    Q_OBJECT
public:
    using BuilderFactory = std::function<std::unique_ptr<TwinBuilder>()>;

    IngestQueue(TaskManager &tasks, BuilderFactory factory, QObject *parent);
    ~IngestQueue() override;

    /// Makes the hook run after each twin is stored (embedding its components for the coarse stage). Called
    /// when a library is set; the hook runs on the ingest workers.
    using HookFactory = std::function<TwinStoredHook(std::shared_ptr<TwinStore> store)>;
    void setStoredHookFactory(HookFactory factory) { m_hookFactory = std::move(factory); }
    /// Builders for files queued from now on (e.g. after the sampling rate changed).
    void setBuilderFactory(BuilderFactory factory) { m_factory = std::move(factory); }
    /// Switches to another library: cancels the work queued for the previous one, then queues the files that
    /// waited for a library.
    void setStore(std::shared_ptr<TwinStore> store);
    /// Queues every file under the paths (folders recursively); files already queued are skipped. Without a
    /// library the files wait for the next setStore. Returns the number of files queued (or waiting).
    int addPaths(const QStringList &paths, IngestMode mode = IngestMode::Normal);
    /// Forgets the files waiting for a library (the library could not be opened).
    void discardWaiting() { m_waiting.clear(); }
    /// Cancels the work of one file (queued or running).
    void cancel(const QString &path);
    void cancelAll();
    /// Cancels the work of each (key, path) and removes its video from the library, on the store thread; one status
    /// per video, in order. A key that is empty or not stored only cancels.
    QFuture<std::vector<Status>> remove(const QList<QPair<QString, QString>> &videos);
    bool isPending(const QString &path) const { return m_pending.contains(path); }
    int pendingCount() const { return static_cast<int>(m_pending.size()); }

    /// Folders whose new and changed files are ingested as they appear.
    void watchFolder(const QString &dir);
    void unwatchFolder(const QString &dir);
    QStringList watchedFolders() const { return m_watched; }
    /// Looks for new or changed files in the watched folders now (also done after every change); the files are
    /// compared with the library on the store thread and rescanned() tells how many were queued.
    void rescanWatched();

signals:
    void stateChanged(const QString &path, ts::IngestState state, double progress, const QString &message);
    /// A file's task ended; key is empty when nothing was stored (not a video, cancelled before start).
    void fileFinished(const QString &path, const QString &key, ts::IngestState state, const QString &message);
    /// A path that could not be scanned (missing, not a file or folder).
    void problem(const QString &path, const QString &message);
    void watchedFoldersChanged(const QStringList &folders);
    /// A rescan of the watched folders ended with `queued` new or changed files queued.
    void rescanned(int queued);

private:
    struct Pending {
        quint64 taskId = 0;
        std::shared_ptr<IngestItem> item;
    };
    void enqueue(const QString &path, bool named, IngestMode mode);
    void onStarted(quint64 id);
    void onProgress(quint64 id, double fraction, const QString &stage);
    void onFinished(quint64 id, ErrorCode code, const QString &message);
    void onDirectoryChanged();
    void addWatchPaths(const QString &dir);

    TaskManager &m_tasks;
    BuilderFactory m_factory;
    HookFactory m_hookFactory;
    std::shared_ptr<TwinStore> m_store;
    std::shared_ptr<Ingestor> m_ingestor;
    std::shared_ptr<Ingestor> m_forceIngestor;
    QHash<QString, Pending> m_pending; ///< by path
    QHash<quint64, QString> m_pathOfTask;
    QFileSystemWatcher *m_watcher = nullptr;
    QTimer *m_rescanTimer = nullptr;
    QStringList m_watched;
    QThreadPool *m_storeThread = nullptr;
    std::vector<std::pair<QStringList, IngestMode>> m_waiting; ///< files added before a library was open
    quint64 m_rescanGeneration = 0;
};

} // namespace ts

Q_DECLARE_METATYPE(ts::IngestState)
