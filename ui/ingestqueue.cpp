#include "ingestqueue.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QThreadPool>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

namespace ts {

namespace {
constexpr int kRescanDelayMs = 1500; ///< lets a file being copied settle before it is probed
}

IngestQueue::IngestQueue(TaskManager &tasks, BuilderFactory factory, QObject *parent)
    : QObject(parent), m_tasks(tasks), m_factory(std::move(factory))
{
    m_storeThread = new QThreadPool(this);
    m_storeThread->setMaxThreadCount(1);
    m_watcher = new QFileSystemWatcher(this);
    m_rescanTimer = new QTimer(this);
    m_rescanTimer->setSingleShot(true);
    m_rescanTimer->setInterval(kRescanDelayMs);
    connect(m_watcher, &QFileSystemWatcher::directoryChanged, this, &IngestQueue::onDirectoryChanged);
    connect(m_rescanTimer, &QTimer::timeout, this, &IngestQueue::rescanWatched);
    connect(&m_tasks, &TaskManager::taskStarted, this,
            [this](quint64 id, const QString &, const QString &) { onStarted(id); });
    connect(&m_tasks, &TaskManager::taskProgress, this,
            [this](quint64 id, const QString &, double f, const QString &stage) { onProgress(id, f, stage); });
    connect(&m_tasks, &TaskManager::taskFinished, this,
            [this](quint64 id, const QString &, ErrorCode code, const QString &message) { onFinished(id, code, message); });
}

IngestQueue::~IngestQueue() { cancelAll(); }

void IngestQueue::setStore(std::shared_ptr<TwinStore> store)
{
    cancelAll();
    m_pending.clear();
    m_pathOfTask.clear();
    m_store = std::move(store);
    if (!m_store) {
        m_ingestor.reset();
        m_forceIngestor.reset();
        return;
    }
    // One ingestor per library so that two files with the same stem get distinct keys even when they run at once.
    IngestOptions normal;
    m_ingestor = std::make_shared<Ingestor>(*m_store, m_factory, normal);
    IngestOptions force;
    force.force = true;
    m_forceIngestor = std::make_shared<Ingestor>(*m_store, m_factory, force);
    if (m_hookFactory) {
        TwinStoredHook hook = m_hookFactory(m_store);
        m_ingestor->setStoredHook(hook);
        m_forceIngestor->setStoredHook(hook);
    }
    for (const auto &[paths, mode] : std::exchange(m_waiting, {}))
        addPaths(paths, mode);
}

int IngestQueue::addPaths(const QStringList &paths, IngestMode mode)
{
    std::vector<std::string> list;
    QSet<QString> named;
    for (const QString &p : paths) {
        list.push_back(p.toStdString());
        const QFileInfo fi(p);
        if (fi.isFile())
            named.insert(fi.absoluteFilePath());
    }
    std::vector<IngestItem> problems;
    const std::vector<std::string> files = Ingestor::collectFiles(list, problems);
    for (const IngestItem &p : problems)
        emit problem(QString::fromStdString(p.path), QString::fromStdString(p.message));
    if (!m_store) {
        m_waiting.emplace_back(paths, mode);
        return static_cast<int>(files.size());
    }
    int queued = 0;
    for (const std::string &f : files) {
        const QString path = QString::fromStdString(f);
        if (m_pending.contains(path))
            continue;
        enqueue(path, named.contains(path), mode);
        ++queued;
    }
    return queued;
}

void IngestQueue::enqueue(const QString &path, bool named, IngestMode mode)
{
    std::shared_ptr<TwinStore> store = m_store;
    std::shared_ptr<Ingestor> ingestor = mode == IngestMode::Force ? m_forceIngestor : m_ingestor;
    auto item = std::make_shared<IngestItem>();
    BuilderFactory factory = m_factory;
    const std::string file = path.toStdString();
    // The task owns what it uses (store, ingestor), so switching libraries while it runs is safe.
    TaskFn fn = [store, ingestor, item, factory, file, named](const CancelToken &cancel,
                                                              const ProgressFn &progress) -> Status {
        std::unique_ptr<TwinBuilder> builder = factory();
        if (!builder)
            return Status::error("no twin builder available");
        *item = ingestor->ingestFile(file, *builder, cancel, progress, named);
        if (item->outcome == IngestOutcome::Failed)
            return Status::error(item->message);
        return Status::ok();
    };
    Pending p;
    p.item = item;
    m_pending.insert(path, p);
    emit stateChanged(path, IngestState::Queued, 0.0, {});
    p.taskId = m_tasks.submit(TaskKind::Inference, path, tr("Ingest %1").arg(QFileInfo(path).fileName()), std::move(fn));
    m_pending[path].taskId = p.taskId;
    m_pathOfTask.insert(p.taskId, path);
}

void IngestQueue::onStarted(quint64 id)
{
    const QString path = m_pathOfTask.value(id);
    if (!path.isEmpty())
        emit stateChanged(path, IngestState::Ingesting, 0.0, {});
}

void IngestQueue::onProgress(quint64 id, double fraction, const QString &stage)
{
    const QString path = m_pathOfTask.value(id);
    if (!path.isEmpty())
        emit stateChanged(path, IngestState::Ingesting, std::clamp(fraction, 0.0, 1.0), stage);
}

void IngestQueue::onFinished(quint64 id, ErrorCode code, const QString &message)
{
    const QString path = m_pathOfTask.take(id);
    if (path.isEmpty())
        return;
    auto it = m_pending.find(path);
    if (it == m_pending.end() || it->taskId != id)
        return;
    const std::shared_ptr<IngestItem> item = it->item;
    m_pending.erase(it);
    const QString key = QString::fromStdString(item->key);
    IngestState state = code == ErrorCode::None ? IngestState::Done : IngestState::Failed;
    QString text = message;
    if (item->outcome == IngestOutcome::Cancelled || code == ErrorCode::Cancelled) {
        state = IngestState::Cancelled;
        text = tr("cancelled");
    } else if (code == ErrorCode::None) {
        text = QString::fromStdString(item->message);
    }
    if (item->outcome == IngestOutcome::NotVideo)
        emit fileFinished(path, QString(), IngestState::Done, tr("not a video: %1").arg(text));
    else
        emit fileFinished(path, key, state, text);
}

void IngestQueue::cancel(const QString &path)
{
    if (m_pending.contains(path))
        m_tasks.cancelOwner(path);
}

void IngestQueue::cancelAll()
{
    for (auto it = m_pending.cbegin(); it != m_pending.cend(); ++it)
        m_tasks.cancelOwner(it.key());
}

QFuture<std::vector<Status>> IngestQueue::remove(const QList<QPair<QString, QString>> &videos)
{
    std::vector<std::string> keys;
    for (const auto &[key, path] : videos) {
        if (!path.isEmpty())
            cancel(path);
        keys.push_back(key.toStdString());
    }
    const std::shared_ptr<TwinStore> store = m_store;
    return QtConcurrent::run(m_storeThread, [store, keys] {
        std::vector<Status> out;
        for (const std::string &key : keys) {
            if (!store)
                out.push_back(Status::error("no library is open"));
            else if (key.empty() || !store->videoByKey(key))
                out.push_back(Status::ok()); // queued only: cancelling was all there was to do
            else
                out.push_back(store->removeVideo(key));
        }
        return out;
    });
}

void IngestQueue::watchFolder(const QString &dir)
{
    const QString abs = QDir(dir).absolutePath();
    if (m_watched.contains(abs) || !QFileInfo(abs).isDir())
        return;
    m_watched.push_back(abs);
    addWatchPaths(abs);
    emit watchedFoldersChanged(m_watched);
}

void IngestQueue::unwatchFolder(const QString &dir)
{
    const QString abs = QDir(dir).absolutePath();
    if (!m_watched.removeAll(abs))
        return;
    const QStringList dirs = m_watcher->directories();
    for (const QString &d : dirs)
        if (d == abs || d.startsWith(abs + QLatin1Char('/')))
            m_watcher->removePath(d);
    emit watchedFoldersChanged(m_watched);
}

void IngestQueue::addWatchPaths(const QString &dir)
{
    QStringList dirs = {dir};
    QDirIterator it(dir, QDir::Dirs | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString d = it.next();
        if (!QFileInfo(d).fileName().startsWith(QLatin1Char('.')))
            dirs.push_back(d);
    }
    const QStringList known = m_watcher->directories();
    for (const QString &d : dirs)
        if (!known.contains(d))
            m_watcher->addPath(d);
}

void IngestQueue::onDirectoryChanged() { m_rescanTimer->start(); }

void IngestQueue::rescanWatched()
{
    if (!m_store)
        return;
    // The folders are walked here (the watcher needs the new subfolders); the library is asked on the store thread.
    std::vector<std::string> candidates;
    for (const QString &dir : std::as_const(m_watched)) {
        if (!QFileInfo(dir).isDir())
            continue;
        addWatchPaths(dir); // new subfolders
        std::vector<IngestItem> problems;
        for (const std::string &f : Ingestor::collectFiles({dir.toStdString()}, problems))
            // Only files that look like videos: a watched folder may hold anything.
            if (hasVideoExtension(f) && !m_pending.contains(QString::fromStdString(f)))
                candidates.push_back(f);
    }
    const std::shared_ptr<TwinStore> store = m_store;
    const quint64 generation = ++m_rescanGeneration;
    QtConcurrent::run(m_storeThread, [store, candidates] {
        QStringList changed;
        for (const std::string &f : candidates) {
            const QFileInfo fi(QString::fromStdString(f));
            if (auto row = store->videoByPath(f))
                if (row->fileSize == fi.size() && row->mtimeMs == fi.lastModified().toMSecsSinceEpoch())
                    continue;
            changed.push_back(QString::fromStdString(f));
        }
        return changed;
    }).then(this, [this, store, generation](const QStringList &changed) {
        if (store != m_store || generation != m_rescanGeneration)
            return; // another library, or a newer rescan will answer
        int queued = 0;
        for (const QString &path : changed) {
            if (m_pending.contains(path))
                continue;
            enqueue(path, false, IngestMode::Normal);
            ++queued;
        }
        emit rescanned(queued);
    });
}

} // namespace ts
