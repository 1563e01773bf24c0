// Runs retrieval queries off the UI thread: one query at a time on a private worker, the latest request wins
// (a new query cancels the running one), progress and the result come back on the UI thread.
#pragma once

#include "retrieval/engine.h"

#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <mutex>

class QThreadPool;

namespace ts {

class TwinStore;

/// Makes the retrieval engine; called once, on the UI thread, the first time a query runs.
using EngineFactory = std::function<std::unique_ptr<RetrievalEngine>()>;

class QueryRunner : public QObject {
    Q_OBJECT
public:
    QueryRunner(EngineFactory factory, QObject *parent);
    /// Cancels the running query and waits for its worker (it stops between candidates).
    ~QueryRunner() override;

    bool hasEngine();
    /// Drops the engine so the next query makes a new one (after the LLM settings changed).
    void resetEngine();
    bool isRunning() const { return m_running; }
    /// Starts a query; false (with failed emitted) when there is no engine or no library.
    bool run(std::shared_ptr<TwinStore> store, const QString &query, const RetrievalOptions &options);
    void cancel();

signals:
    void started(const QString &query);
    void progress(double fraction, const QString &stage);
    /// The running query's sub-queries, as soon as decomposition ends.
    void decomposed(const QString &query, const std::vector<ts::SubQuery> &subQueries, const QString &decomposer);
    /// An LLM verdict on one candidate of the running query, as it arrives (a provisional result).
    void candidateJudged(const QString &query, const ts::CandidateEvent &event);
    void finished(const ts::QueryResult &result);
    void failed(const QString &query, const QString &message);
    void cancelled(const QString &query);
    void runningChanged(bool running);

private:
    void setRunning(bool running);
    /// Runs f on the UI thread unless a newer query started meanwhile; callable from any thread.
    void post(quint64 generation, std::function<void()> f);

    EngineFactory m_factory;
    bool m_factoryTried = false;
    std::shared_ptr<RetrievalEngine> m_engine;
    std::shared_ptr<std::mutex> m_engineMutex;
    QThreadPool *m_pool = nullptr;
    CancelToken m_cancel;
    quint64 m_generation = 0;
    bool m_running = false;
};

} // namespace ts
