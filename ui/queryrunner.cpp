#include "queryrunner.h"

#include "store/twinstore.h"

#include <QFuture>
#include <QPointer>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

namespace ts {

QueryRunner::QueryRunner(EngineFactory factory, QObject *parent)
    : QObject(parent), m_factory(std::move(factory)), m_engineMutex(std::make_shared<std::mutex>())
{
    m_pool = new QThreadPool(this);
    m_pool->setMaxThreadCount(1);
}

QueryRunner::~QueryRunner()
{
    m_cancel.cancel();
    m_pool->waitForDone();
}

bool QueryRunner::hasEngine()
{
    if (!m_factoryTried) {
        m_factoryTried = true;
        if (m_factory)
            m_engine = m_factory();
    }
    return m_engine != nullptr;
}

void QueryRunner::resetEngine()
{
    // A running query keeps its own reference to the old engine until it ends.
    m_engine.reset();
    m_factoryTried = false;
}

void QueryRunner::cancel()
{
    if (!m_running)
        return;
    m_cancel.cancel();
}

void QueryRunner::setRunning(bool running)
{
    if (m_running == running)
        return;
    m_running = running;
    emit runningChanged(running);
}

bool QueryRunner::run(std::shared_ptr<TwinStore> store, const QString &query, const RetrievalOptions &options)
{
    if (!store) {
        emit failed(query, tr("Open or create a library first."));
        return false;
    }
    if (!hasEngine()) {
        emit failed(query, tr("No retrieval engine is available in this build."));
        return false;
    }
    m_cancel.cancel(); // the previous query, if any, stops at its next check
    m_cancel = CancelToken();
    const quint64 generation = ++m_generation;
    const CancelToken cancel = m_cancel;
    std::shared_ptr<RetrievalEngine> engine = m_engine;
    std::shared_ptr<std::mutex> engineMutex = m_engineMutex;
    const std::string text = query.toStdString();
    // Progress hops to the UI thread through a queued call on this object; the pool is this object's child and
    // is drained in the destructor, so the object outlives every call.
    QPointer<QueryRunner> self(this);
    ProgressFn progressFn = [self, generation](double f, const std::string &stage) {
        const QString s = QString::fromStdString(stage);
        QMetaObject::invokeMethod(
            self.data(),
            [self, generation, f, s] {
                if (self && self->m_generation == generation)
                    emit self->progress(f, s);
            },
            Qt::QueuedConnection);
    };
    auto throttle = std::make_shared<ProgressThrottle>(progressFn);
    QFuture<Result<QueryResult>> future = QtConcurrent::run(
        m_pool, [store, engine, engineMutex, text, options, cancel, throttle]() -> Result<QueryResult> {
            // Engines need not be re-entrant: queries take turns (a cancelled one returns quickly).
            std::lock_guard<std::mutex> lock(*engineMutex);
            if (cancel.isCancelled())
                return Result<QueryResult>::error("cancelled");
            try {
                return engine->run(*store, text, options, cancel,
                                   [throttle](double f, const std::string &s) { throttle->report(f, s); });
            } catch (const std::exception &e) {
                return Result<QueryResult>::error(std::string("internal error: ") + e.what());
            }
        });
    future.then(this, [this, generation, query, cancel](const Result<QueryResult> &result) {
        if (generation != m_generation)
            return; // superseded by a newer query
        setRunning(false);
        if (cancel.isCancelled()) {
            emit cancelled(query);
            return;
        }
        if (!result) {
            emit failed(query, QString::fromStdString(result.message()));
            return;
        }
        emit finished(*result);
    });
    setRunning(true);
    emit started(query);
    return true;
}

} // namespace ts
