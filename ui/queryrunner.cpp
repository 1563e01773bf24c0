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

void QueryRunner::post(quint64 generation, std::function<void()> f)
{
    // The pool is this object's child and is drained in the destructor, so the object outlives every call.
    QPointer<QueryRunner> self(this);
    QMetaObject::invokeMethod(
        this,
        [self, generation, f = std::move(f)] {
            if (self && self->m_generation == generation)
                f();
        },
        Qt::QueuedConnection);
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
    // Progress, the sub-queries and LLM verdicts hop to the UI thread through queued calls on this object.
    ProgressFn progressFn = [this, generation](double f, const std::string &stage) {
        const QString s = QString::fromStdString(stage);
        post(generation, [this, f, s] { emit progress(f, s); });
    };
    auto throttle = std::make_shared<ProgressThrottle>(progressFn);
    QueryObserver observer([throttle](double f, const std::string &s) { throttle->report(f, s); });
    observer.decomposed = [this, generation, query](const std::vector<SubQuery> &subQueries,
                                                    const std::string &decomposer) {
        const QString by = QString::fromStdString(decomposer);
        post(generation, [this, query, subQueries, by] { emit decomposed(query, subQueries, by); });
    };
    observer.judged = [this, generation, query](const CandidateEvent &e) {
        post(generation, [this, query, e] { emit candidateJudged(query, e); });
    };
    QFuture<Result<QueryResult>> future = QtConcurrent::run(
        m_pool, [store, engine, engineMutex, text, options, cancel, observer]() -> Result<QueryResult> {
            // Engines need not be re-entrant: queries take turns (a cancelled one returns quickly).
            std::lock_guard<std::mutex> lock(*engineMutex);
            if (cancel.isCancelled())
                return Result<QueryResult>::cancelled();
            try {
                return engine->run(*store, text, options, cancel, observer);
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
