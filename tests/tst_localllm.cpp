// The embedded LLM end to end on the real llama.cpp path with the small GGUF of the model cache (Gemma 3 270M):
// decomposition, one judgement and one comparison of a shortlist, schema-valid through grammar-constrained decoding; the prompt-prefix cache
// re-evaluating only what differs; cancellation before and during a generation; the reply cache answering a
// repeated request without the model; and the OpenAI-compatible client against a real peer, llama-server built from
// the same sources, on loopback.
#include "llm/llmcache.h"
#include "reason/llmcomparer.h"
#include "reason/llmreasoner.h"
#include "llm/localllm.h"
#include "services.h"
#include "smallllm.h"
#include "testsupport.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <thread>

using namespace ts;
using nlohmann::json;

class TestLocalLlm : public QObject {
    Q_OBJECT

private:
    std::shared_ptr<LocalLlm> m_model;
    std::string m_path;

private slots:
    void initTestCase()
    {
        TS_LOAD_SMALL_LLM(m_model, 4096, &m_path);
    }

    void decomposesSchemaValid()
    {
        LlmDecomposer d(makeLocalLlmClient(m_model, 1024));
        CancelToken cancel;
        auto r = d.decompose("a red car parked next to a tree", cancel);
        QVERIFY2(r.isOk(), r.message().c_str());
        QVERIFY(!r->subQueries.empty());
        QVERIFY(r->source.rfind("local:", 0) == 0);
        for (const SubQuery &s : r->subQueries)
            QVERIFY(!s.text.empty());
    }

    void judgesOneTwinSchemaValid()
    {
        LlmReasonerOptions options;
        options.compact.maxTokens = 800;
        options.maxGaps = 1;
        options.maxSteps = 3;
        options.maxStepChars = 120;
        options.maxObjects = 4; // the grammar bounds the reply well within the token budget
        options.maxSpans = 2;
        LlmReasoner reasoner(makeLocalLlmClient(m_model, 1024), options);
        ReasonQuery q{"a brown dog", {{SubQueryKind::Object, "brown dog", 1.f, false, {"dog"}}}, true, true,
                      std::vector<RefinementKind>{}}; // no specialist can run
        CancelToken cancel;
        auto v = reasoner.reason(q, test::sampleTwin(), cancel);
        QVERIFY2(v.isOk(), v.message().c_str());
        QVERIFY(v->relevance >= 0.0 && v->relevance <= 1.0);
        for (const GroundedObject &o : v->objects)
            QCOMPARE(o.trackId, TrackId(1)); // the only track of the sample twin
    }

    void comparesAShortlistSchemaValid()
    {
        LlmComparer comparer(makeLocalLlmClient(m_model, 1024));
        Twin dog = test::sampleTwin();
        Twin cat = dog;
        cat.video.key = "cat";
        cat.tracks[0].id = 4;
        cat.tracks[0].category = {"cat", "n02121620", 0.9f, "yolox_nano", {}};
        ReasonQuery q{"a brown dog", {{SubQueryKind::Object, "brown dog", 1.f, false, {"dog"}}}, true, true,
                      std::vector<RefinementKind>{}}; // no specialist can run
        CancelToken cancel;
        auto v = comparer.compare(q, {&cat, &dog}, cancel);
        QVERIFY2(v.isOk(), v.message().c_str());
        QCOMPARE(v->fits.size(), size_t(2)); // a verdict for each candidate
        QCOMPARE(v->notes.size(), size_t(2));
        QVERIFY(v->source.rfind("local:", 0) == 0);
    }

    void prefixCacheReusesTheSharedPrompt()
    {
        const std::string system(1200, 'x');
        auto ask = [&](const std::string &tail, LocalLlmStats *stats) {
            CancelToken cancel;
            std::vector<LlmMessage> msgs{{LlmMessageRole::System, "Instructions " + system, {}},
                                         {LlmMessageRole::User, "query: dogs. candidate: " + tail, {}}};
            return m_model->generate(msgs, "root ::= \"ok\"", 4, cancel, stats);
        };
        LocalLlmStats first, second;
        QVERIFY(ask("one", &first).isOk());
        auto r = ask("two two two", &second);
        QVERIFY2(r.isOk(), r.message().c_str());
        QCOMPARE(QString::fromStdString(*r), QString("ok"));
        // Everything up to the candidate's text was already evaluated.
        QVERIFY2(second.reusedTokens > second.promptTokens / 2,
                 qPrintable(QString("reused %1 of %2").arg(second.reusedTokens).arg(second.promptTokens)));
        QVERIFY(second.reusedTokens < second.promptTokens);
    }

    void cancelStopsBeforeAndDuring()
    {
        std::vector<LlmMessage> msgs{{LlmMessageRole::User, "Count from one to one thousand in words.", {}}};
        CancelToken before;
        before.cancel();
        auto r = m_model->generate(msgs, {}, 2000, before);
        QVERIFY(!r.isOk());
        QCOMPARE(QString::fromStdString(r.message()), QString("cancelled"));
        QCOMPARE(r.code(), ErrorCode::Cancelled);

        CancelToken during;
        std::thread stopper([during] {
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            during.cancel();
        });
        QElapsedTimer t;
        t.start();
        r = m_model->generate(msgs, {}, 2000, during);
        stopper.join();
        QVERIFY(!r.isOk());
        QCOMPARE(QString::fromStdString(r.message()), QString("cancelled"));
        QCOMPARE(r.code(), ErrorCode::Cancelled);
        QVERIFY2(t.elapsed() < 20000, qPrintable(QString::number(t.elapsed())));
        // The model still answers afterwards (the interrupted state was dropped, not reused).
        CancelToken fresh;
        auto again = m_model->generate({{LlmMessageRole::User, "Say yes.", {}}}, "root ::= \"yes\"", 4, fresh);
        QVERIFY2(again.isOk(), again.message().c_str());
        QCOMPARE(QString::fromStdString(*again), QString("yes"));
    }

    void replyCacheAnswersRepeats()
    {
        QTemporaryDir dir;
        auto client = makeCachingLlmClient(makeLocalLlmClient(m_model, 1024), dir.path().toStdString());
        LlmDecomposer probe(makeLocalLlmClient(m_model, 1024));
        LlmRequest req = probe.buildRequest("two people on a bench");
        CancelToken cancel;
        auto first = client->complete(req, cancel);
        QVERIFY2(first.isOk(), first.message().c_str());
        QCOMPARE(first->attempts, 1);
        const LocalLlmStats before = m_model->totals();
        auto second = client->complete(req, cancel);
        QVERIFY2(second.isOk(), second.message().c_str());
        QCOMPARE(second->attempts, 0); // from the cache
        QCOMPARE(second->rawText, first->rawText);
        QCOMPARE(m_model->totals().generatedTokens, before.generatedTokens);
        // A different request is a different key.
        QVERIFY(llmCacheKey("m", req) != llmCacheKey("m", probe.buildRequest("three people on a bench")));
        QVERIFY(llmCacheKey("m", req) != llmCacheKey("n", req));
    }

    void openAiClientAgainstLlamaServer()
    {
#ifndef TWINSEEK_LLAMA_SERVER
        TS_MISSING("llama-server was not built (run scripts/setup.sh)");
#else
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 port = probe.serverPort();
        probe.close();
        QProcess server;
        server.setProcessChannelMode(QProcess::MergedChannels);
        server.start(TWINSEEK_LLAMA_SERVER, {"-m", QString::fromStdString(m_path), "--host", "127.0.0.1", "--port",
                                              QString::number(port), "-c", "2048", "-t", "2", "--no-webui"});
        QVERIFY(server.waitForStarted(10000));
        LlmEndpoint e;
        e.protocol = LlmProtocol::OpenAiCompatible;
        e.baseUrl = "http://127.0.0.1:" + std::to_string(port) + "/v1";
        e.model = "gemma";
        e.maxRetries = 0;
        // A small structured request: the server must honour the JSON schema (response_format) and the client
        // must read its reply. The server loads the model first; until then connections fail or it answers 503.
        LlmRequest req;
        req.messages = {{LlmMessageRole::User, "Is a cat an animal? Answer in JSON.", {}}};
        req.schema = {{"type", "object"},
                      {"properties", {{"answer", {{"type", "boolean"}}}}},
                      {"required", {"answer"}},
                      {"additionalProperties", false}};
        req.schemaName = "answer";
        e.maxTokens = 20;
        e.timeoutMs = 120000;
        auto client = makeLlmClient(e);
        Result<LlmReply> reply = Result<LlmReply>::error("not run");
        for (int attempt = 0; attempt < 120; ++attempt) {
            CancelToken cancel;
            reply = client->complete(req, cancel);
            const std::string m = reply.isOk() ? std::string() : reply.message();
            const bool notReady = m.rfind("cannot reach", 0) == 0 || m.rfind("HTTP 503", 0) == 0;
            if (!notReady || server.state() != QProcess::Running)
                break;
            QThread::msleep(1000);
        }
        const QByteArray log = server.readAll();
        server.terminate();
        server.waitForFinished(10000);
        QVERIFY2(reply.isOk(), (reply.message() + "\n" + log.right(800).toStdString()).c_str());
        QVERIFY(reply->json.contains("answer") && reply->json["answer"].is_boolean());
#endif
    }
};

QTEST_GUILESS_MAIN(TestLocalLlm)
#include "tst_localllm.moc"
