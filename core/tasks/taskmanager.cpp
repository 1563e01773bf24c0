#include "taskmanager.h"

#include <QRunnable>

namespace ts {

namespace {

class LambdaRunnable : public QRunnable {
public:
    explicit LambdaRunnable(std::function<void()> fn) : m_fn(std::move(fn)) { setAutoDelete(true); }
    void run() override { m_fn(); }

private:
    std::function<void()> m_fn;
};

} // namespace

TaskManager::TaskManager(int inferenceThreads, QObject *parent) : QObject(parent)
{
    qRegisterMetaType<ErrorCode>();
    const int counts[4] = {1, std::max(1, inferenceThreads), 1, 4};
    for (int i = 0; i < 4; ++i) {
        m_pools[i] = std::make_unique<QThreadPool>();
        m_pools[i]->setMaxThreadCount(counts[i]);
    }
}

TaskManager::~TaskManager()
{
    cancelAll();
    waitForDone();
}

QThreadPool *TaskManager::pool(TaskKind kind) const { return m_pools[static_cast<int>(kind)].get(); }

quint64 TaskManager::submit(TaskKind kind, const QString &owner, const QString &title, TaskFn fn)
{
    quint64 id;
    CancelToken cancel;
    {
        QMutexLocker lock(&m_mutex);
        id = m_nextId++;
        m_tasks.insert(id, {owner, cancel});
    }
    auto body = [this, id, owner, title, cancel, fn = std::move(fn)]() {
        if (cancel.isCancelled()) {
            emit taskFinished(id, owner, ErrorCode::Cancelled, tr("cancelled"));
            finish(id);
            return;
        }
        emit taskStarted(id, owner, title);
        auto throttle = std::make_shared<ProgressThrottle>(
            [this, id, owner](double f, const std::string &stage) {
                emit taskProgress(id, owner, f, QString::fromStdString(stage));
            });
        ProgressFn progress = [throttle](double f, const std::string &s) { throttle->report(f, s); };
        Status s;
        try {
            s = fn(cancel, progress);
        } catch (const std::exception &e) {
            s = Status::error(std::string("internal error: ") + e.what());
        }
        if (cancel.isCancelled() && s.isOk())
            s = Status::cancelled();
        emit taskFinished(id, owner, s.code(), QString::fromStdString(s.message()));
        finish(id);
    };
    pool(kind)->start(new LambdaRunnable(std::move(body)));
    return id;
}

void TaskManager::finish(quint64 id)
{
    QMutexLocker lock(&m_mutex);
    m_tasks.remove(id);
}

void TaskManager::cancelOwner(const QString &owner)
{
    QMutexLocker lock(&m_mutex);
    for (auto it = m_tasks.begin(); it != m_tasks.end(); ++it)
        if (it->owner == owner)
            it->cancel.cancel();
}

void TaskManager::cancelAll()
{
    QMutexLocker lock(&m_mutex);
    for (auto it = m_tasks.begin(); it != m_tasks.end(); ++it)
        it->cancel.cancel();
}

void TaskManager::waitForDone()
{
    for (auto &p : m_pools)
        p->waitForDone();
}

int TaskManager::activeCount() const
{
    QMutexLocker lock(&m_mutex);
    return m_tasks.size();
}

} // namespace ts
