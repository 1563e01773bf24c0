// Background work for the UI and the CLI: one pool per kind of work, tasks keyed by owner, cooperative
// cancellation, throttled progress. Signals are emitted from worker threads; connect with queued
// connections (the default across threads) and touch widgets only in the receiving slot.
#pragma once

#include "base/cancel.h"
#include "base/result.h"

#include <QHash>
#include <QMutex>
#include <QObject>
#include <QString>
#include <QThreadPool>

#include <functional>
#include <memory>

namespace ts {

enum class TaskKind { Decode, Inference, Database, Network };

using TaskFn = std::function<Status(const CancelToken &cancel, const ProgressFn &progress)>;

class TaskManager : public QObject {
    Q_OBJECT
public:
    explicit TaskManager(int inferenceThreads, QObject *parent = nullptr);
    ~TaskManager() override;

    /// Queues fn; returns its id. Work for an owner that is cancelled before it starts never runs.
    quint64 submit(TaskKind kind, const QString &owner, const QString &title, TaskFn fn);
    /// Cancels every queued or running task of owner (e.g. a video being removed).
    void cancelOwner(const QString &owner);
    void cancelAll();
    /// Blocks until every pool is idle (for shutdown and tests; never call on the UI thread while busy).
    void waitForDone();
    int activeCount() const;
    QThreadPool *pool(TaskKind kind) const;

signals:
    void taskStarted(quint64 id, const QString &owner, const QString &title);
    void taskProgress(quint64 id, const QString &owner, double fraction, const QString &stage);
    /// code is ErrorCode::None when the task succeeded, Cancelled when it was cancelled (before or while running).
    void taskFinished(quint64 id, const QString &owner, ts::ErrorCode code, const QString &message);

private:
    struct Entry {
        QString owner;
        CancelToken cancel;
    };
    void finish(quint64 id);

    std::unique_ptr<QThreadPool> m_pools[4];
    mutable QMutex m_mutex;
    QHash<quint64, Entry> m_tasks;
    quint64 m_nextId = 1;
};

} // namespace ts

Q_DECLARE_METATYPE(ts::ErrorCode)
