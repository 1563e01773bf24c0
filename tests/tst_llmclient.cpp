// LLM providers against a misbehaving server on loopback: both protocols x timeouts, retries, broken replies,
// schema violations, refusals, cancellation, the concurrency limit, images, and API keys that never leak.
// Also the schema validator and the endpoint/role configuration (JSON and environment).
#include "fakellmserver.h"
#include "llm/jsonschema.h"
#include "llm/llmclient.h"
#include "llm/llmconfig.h"

#include <QFile>
#include <QProcessEnvironment>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <atomic>
#include <functional>
#include <thread>

using namespace ts;
using ts::test::FakeLlmReply;
using ts::test::FakeLlmServer;
using nlohmann::json;

using Script = std::vector<FakeLlmReply>;
Q_DECLARE_METATYPE(Script)
Q_DECLARE_METATYPE(ts::LlmProtocol)

namespace {

// QCOMPARE cannot take nlohmann::json (its conversions clash with QTest's overloads); this prints both sides.
#define COMPARE_JSON(actual, expected)                                                                                 \
    do {                                                                                                               \
        const nlohmann::json actual_ = (actual);                                                                       \
        const nlohmann::json expected_ = (expected);                                                                   \
        QVERIFY2(actual_ == expected_, ("got " + actual_.dump() + ", expected " + expected_.dump()).c_str());          \
    } while (0)

const LlmProtocol kProtocols[] = {LlmProtocol::OpenAiCompatible, LlmProtocol::Ollama};

json relevanceSchema()
{
    return {{"type", "object"},
            {"properties",
             {{"relevance", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}}, {"reason", {{"type", "string"}}}}},
            {"required", {"relevance", "reason"}},
            {"additionalProperties", false}};
}

json goodAnswer()
{
    return {{"relevance", 0.8}, {"reason", "a red car turns left at 00:03"}};
}

LlmEndpoint endpointFor(const FakeLlmServer &server, LlmProtocol protocol)
{
    LlmEndpoint e;
    e.protocol = protocol;
    e.baseUrl = protocol == LlmProtocol::Ollama ? server.ollamaBaseUrl() : server.openAiBaseUrl();
    e.model = "fake-model";
    e.timeoutMs = 300;
    e.maxRetries = 1;
    e.backoffMs = 10;
    e.maxConcurrent = 4;
    e.maxTokens = 256;
    e.temperature = 0.1;
    return e;
}

LlmRequest relevanceRequest()
{
    LlmRequest r;
    r.messages.push_back({LlmMessageRole::System, "Rate how well the video twin matches the query.", {}});
    r.messages.push_back({LlmMessageRole::User, R"({"query":"a red car turning","twin":{"objects":["car"]}})", {}});
    r.schema = relevanceSchema();
    r.schemaName = "relevance";
    return r;
}

std::vector<std::uint8_t> encodeImage(const char *ext)
{
    cv::Mat image(8, 12, CV_8UC3, cv::Scalar(10, 120, 240));
    std::vector<uchar> bytes;
    cv::imencode(ext, image, bytes);
    return {bytes.begin(), bytes.end()};
}

std::string toBase64(const std::vector<std::uint8_t> &bytes)
{
    return QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size())).toBase64().toStdString();
}

QString protocolTag(LlmProtocol p)
{
    return QString::fromStdString(toString(p));
}

/// A port on loopback that nothing listens on.
quint16 closedPort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    const quint16 port = probe.serverPort();
    probe.close();
    return port;
}

/// Threads that call a client. On every exit, a failed check included, their calls are cancelled, the server
/// lets held requests go and the threads are joined, so a failing test reports instead of terminating.
class Callers {
public:
    explicit Callers(FakeLlmServer &server) : m_server(server) {}
    ~Callers()
    {
        m_cancel.cancel();
        m_server.setHolding(false);
        join();
    }
    /// Cancelled when the test ends.
    const CancelToken &token() const { return m_cancel; }
    void start(std::function<void()> fn) { m_threads.emplace_back(std::move(fn)); }
    void join()
    {
        for (auto &t : m_threads)
            if (t.joinable())
                t.join();
    }

private:
    FakeLlmServer &m_server;
    CancelToken m_cancel;
    std::vector<std::thread> m_threads;
};

} // namespace

class TestLlmClient : public QObject {
    Q_OBJECT
private slots:
    void behaviours_data()
    {
        QTest::addColumn<LlmProtocol>("protocol");
        QTest::addColumn<Script>("script");
        QTest::addColumn<int>("maxRetries");
        QTest::addColumn<QString>("error"); // empty: success expected
        QTest::addColumn<int>("requests"); // the server sees exactly this many (= attempts)

        const json bad = {{"relevance", "high"}, {"reason", "looks right"}};
        const json outOfRange = {{"relevance", 1.5}, {"reason", "very"}};
        FakeLlmReply tooMany = FakeLlmReply::http(429, R"({"error":"rate limited"})");
        tooMany.headers.push_back({"Retry-After", "0"});
        FakeLlmReply waitForever = FakeLlmReply::http(429, R"({"error":"rate limited"})");
        waitForever.headers.push_back({"Retry-After", "2147484"}); // * 1000 overflows a 32-bit int

        for (LlmProtocol p : kProtocols) {
            const QString t = protocolTag(p) + ": ";
            const auto row = [&](const char *name) -> QTestData & { return QTest::newRow(qPrintable(t + name)) << p; };
            row("success") << Script{FakeLlmReply::json(goodAnswer())} << 1 << QString() << 1;
            row("json in a markdown fence")
                << Script{FakeLlmReply::plain("```json\n" + goodAnswer().dump(2) + "\n```")} << 1 << QString() << 1;
            row("timeout then success") << Script{FakeLlmReply::json(goodAnswer()).delayed(3000),
                                                  FakeLlmReply::json(goodAnswer())}
                                        << 1 << QString() << 2;
            row("500 then success") << Script{FakeLlmReply::http(500, R"({"error":"overloaded"})"),
                                              FakeLlmReply::json(goodAnswer())}
                                    << 1 << QString() << 2;
            row("429 then success") << Script{tooMany, FakeLlmReply::json(goodAnswer())} << 1 << QString() << 2;
            row("429 asking for weeks is not waited for")
                << Script{waitForever, FakeLlmReply::json(goodAnswer())} << 2
                << "HTTP 429: the server asks to retry after" << 1;

            row("persistent 500") << Script(3, FakeLlmReply::http(500, R"({"error":"model crashed"})")) << 2
                                  << "HTTP 500: model crashed (after 3 attempts)" << 3;
            row("persistent timeout") << Script(2, FakeLlmReply::hang()) << 1
                                      << "timeout after 2 attempts (300 ms each)" << 2;
            row("400 is not retried") << Script{FakeLlmReply::http(400, R"({"error":{"message":"unknown model"}})"),
                                                FakeLlmReply::json(goodAnswer())}
                                      << 2 << "HTTP 400: unknown model" << 1;
            row("malformed JSON body") << Script{FakeLlmReply::malformedBody()} << 2
                                       << "malformed JSON in reply: the response body is not JSON" << 1;
            row("content is not JSON") << Script{FakeLlmReply::plain("The video shows a red car.")} << 2
                                       << "malformed JSON in reply: the model's content is not JSON: The video"
                                       << 1;
            row("schema violation: type") << Script{FakeLlmReply::json(bad)} << 2
                                          << "reply violates schema: $.relevance: expected number, got string" << 1;
            row("schema violation: range") << Script{FakeLlmReply::json(outOfRange)} << 2
                                           << "reply violates schema: $.relevance: 1.5 is above the maximum 1" << 1;
            row("schema violation: missing") << Script{FakeLlmReply::json({{"relevance", 0.5}})} << 2
                                             << "reply violates schema: $: missing required property 'reason'" << 1;
            // Ollama has no refusal field: a refusing model there says so in content, which is "not JSON" above.
            if (p == LlmProtocol::OpenAiCompatible)
                row("refusal") << Script{FakeLlmReply::refusal("I can't help with identifying people.")} << 2
                               << "model refused: I can't help with identifying people." << 1;
        }
    }

    void oversizedReplyIsRefused_data()
    {
        QTest::addColumn<LlmProtocol>("protocol");
        for (LlmProtocol p : kProtocols)
            QTest::newRow(qPrintable(protocolTag(p))) << p;
    }

    // A reply far bigger than any answer is cut off and not retried (the server would send it again). The timeout
    // is generous: building 20 MB takes the scripted server a while under the sanitizers.
    void oversizedReplyIsRefused()
    {
        QFETCH(LlmProtocol, protocol);
        FakeLlmServer server;
        QVERIFY(server.isListening());
        server.enqueue(FakeLlmReply::plain(std::string(20 * 1024 * 1024, 'x')));
        LlmEndpoint e = endpointFor(server, protocol);
        e.timeoutMs = 60000;
        e.maxRetries = 2;
        const auto result = makeLlmClient(e)->complete(relevanceRequest(), CancelToken());
        QVERIFY(!result.isOk());
        QVERIFY2(QString::fromStdString(result.message()).startsWith("reply too large: over 16 MB"),
                 result.message().c_str());
        QCOMPARE(server.requestCount(), 1);
    }

    void behaviours()
    {
        QFETCH(LlmProtocol, protocol);
        QFETCH(Script, script);
        QFETCH(int, maxRetries);
        QFETCH(QString, error);
        QFETCH(int, requests);

        FakeLlmServer server;
        QVERIFY(server.isListening());
        for (const auto &reply : script)
            server.enqueue(reply);
        LlmEndpoint e = endpointFor(server, protocol);
        e.maxRetries = maxRetries;
        auto client = makeLlmClient(e);

        const auto result = client->complete(relevanceRequest(), CancelToken());
        if (error.isEmpty()) {
            QVERIFY2(result.isOk(), result.message().c_str());
            COMPARE_JSON(result->json, goodAnswer());
            QCOMPARE(result->attempts, requests);
            QCOMPARE(result->model, std::string("fake-model"));
            QVERIFY(result->rawText.find("a red car turns left") != std::string::npos);
            QVERIFY(result->seconds > 0.0);
        } else {
            QVERIFY(!result.isOk());
            QVERIFY2(QString::fromStdString(result.message()).startsWith(error), result.message().c_str());
        }
        QCOMPARE(server.requestCount(), requests);
    }

    void requestBody_data()
    {
        QTest::addColumn<LlmProtocol>("protocol");
        for (LlmProtocol p : kProtocols)
            QTest::newRow(qPrintable(protocolTag(p))) << p;
    }

    void requestBody()
    {
        QFETCH(LlmProtocol, protocol);
        FakeLlmServer server;
        server.enqueue(FakeLlmReply::json(goodAnswer()));
        auto client = makeLlmClient(endpointFor(server, protocol));
        QVERIFY(client->complete(relevanceRequest(), CancelToken()).isOk());

        const auto requests = server.requests();
        QCOMPARE(requests.size(), size_t(1));
        const auto &r = requests[0];
        const json body = r.json();
        QCOMPARE(r.method, std::string("POST"));
        QVERIFY(r.header("content-type").find("application/json") == 0);
        QVERIFY(r.header("authorization").empty()); // no key configured
        COMPARE_JSON(body["model"], json("fake-model"));
        COMPARE_JSON(body["stream"], json(false));
        COMPARE_JSON(body["messages"].size(), size_t(2));
        COMPARE_JSON(body["messages"][0]["role"], json("system"));
        COMPARE_JSON(body["messages"][1]["role"], json("user"));
        COMPARE_JSON(body["messages"][1]["content"], json(relevanceRequest().messages[1].text));
        if (protocol == LlmProtocol::OpenAiCompatible) {
            QCOMPARE(r.path, std::string("/v1/chat/completions"));
            COMPARE_JSON(body["response_format"]["type"], json("json_schema"));
            COMPARE_JSON(body["response_format"]["json_schema"]["name"], json("relevance"));
            COMPARE_JSON(body["response_format"]["json_schema"]["schema"], relevanceSchema());
            COMPARE_JSON(body["response_format"]["json_schema"]["strict"], json(true));
            COMPARE_JSON(body["max_tokens"], json(256));
            COMPARE_JSON(body["temperature"], json(0.1));
            QVERIFY(!body.contains("format"));
        } else {
            QCOMPARE(r.path, std::string("/api/chat"));
            COMPARE_JSON(body["format"], relevanceSchema());
            COMPARE_JSON(body["options"]["num_predict"], json(256));
            COMPARE_JSON(body["options"]["temperature"], json(0.1));
            QVERIFY(!body.contains("response_format"));
        }
    }

    void freeText_data() { requestBody_data(); }

    void freeText()
    {
        // Without a schema (e.g. a VLM describing a frame) the reply is text and nothing asks for JSON.
        QFETCH(LlmProtocol, protocol);
        FakeLlmServer server;
        server.enqueue(FakeLlmReply::plain("A man in a yellow jacket opens a door."));
        auto client = makeLlmClient(endpointFor(server, protocol));
        LlmRequest request;
        request.messages.push_back({LlmMessageRole::User, "Describe the frame.", {}});
        const auto result = client->complete(request, CancelToken());
        QVERIFY2(result.isOk(), result.message().c_str());
        QVERIFY(result->json.is_null());
        QCOMPARE(result->rawText, std::string("A man in a yellow jacket opens a door."));
        const json body = server.requests().at(0).json();
        QVERIFY(!body.contains("format"));
        QVERIFY(!body.contains("response_format"));
    }

    void images_data() { requestBody_data(); }

    void images()
    {
        QFETCH(LlmProtocol, protocol);
        FakeLlmServer server;
        server.enqueue(FakeLlmReply::json(goodAnswer()));
        auto client = makeLlmClient(endpointFor(server, protocol));
        const auto png = encodeImage(".png");
        const auto jpeg = encodeImage(".jpg");
        QVERIFY(!png.empty() && !jpeg.empty());
        LlmRequest request = relevanceRequest();
        request.messages[1].images = {png, jpeg};
        const auto result = client->complete(request, CancelToken());
        QVERIFY2(result.isOk(), result.message().c_str());

        const json user = server.requests().at(0).json()["messages"][1];
        if (protocol == LlmProtocol::OpenAiCompatible) {
            // Content parts: the text, then each image as a data: URL with its real type.
            QVERIFY(user["content"].is_array());
            COMPARE_JSON(user["content"].size(), size_t(3));
            COMPARE_JSON(user["content"][0]["type"], json("text"));
            COMPARE_JSON(user["content"][0]["text"], json(request.messages[1].text));
            COMPARE_JSON(user["content"][1]["type"], json("image_url"));
            COMPARE_JSON(user["content"][1]["image_url"]["url"], json("data:image/png;base64," + toBase64(png)));
            COMPARE_JSON(user["content"][2]["image_url"]["url"], json("data:image/jpeg;base64," + toBase64(jpeg)));
        } else {
            COMPARE_JSON(user["content"], json(request.messages[1].text));
            COMPARE_JSON(user["images"], json::array({toBase64(png), toBase64(jpeg)}));
        }

        // Anything else is refused before a byte goes out.
        request.messages[1].images = {std::vector<std::uint8_t>{'G', 'I', 'F', '8', '9', 'a', 0, 0}};
        const auto refused = client->complete(request, CancelToken());
        QVERIFY(!refused.isOk());
        QCOMPARE(refused.message(), std::string("image 1 of message 2 is neither PNG nor JPEG"));
        QCOMPARE(server.requestCount(), 1);
    }

    void apiKeyFromEnvironment_data() { requestBody_data(); }

    void apiKeyFromEnvironment()
    {
        QFETCH(LlmProtocol, protocol);
        const QByteArray var = "TWINSEEK_TEST_LLM_KEY_" + QByteArray::number(int(protocol));
        const std::string key = "sk-test-Zq81SECRETkeyVALUE";
        qputenv(var.constData(), QByteArray::fromStdString(key));

        FakeLlmServer server;
        LlmEndpoint e = endpointFor(server, protocol);
        e.apiKeyEnv = var.toStdString();
        e.maxRetries = 0;
        auto client = makeLlmClient(e);

        server.enqueue(FakeLlmReply::json(goodAnswer()));
        QVERIFY(client->complete(relevanceRequest(), CancelToken()).isOk());
        QCOMPARE(server.requests().at(0).header("authorization"), "Bearer " + key);

        // Servers that echo the key back in every kind of failure: no message may carry it.
        const std::vector<FakeLlmReply> echoes = {
            FakeLlmReply::http(401, R"({"error":{"message":"invalid key )" + key + R"("}})"),
            FakeLlmReply::http(503, "upstream rejected Bearer " + key),
            FakeLlmReply::plain("your key is " + key),
            FakeLlmReply::json({{"relevance", key}, {"reason", key}}),
            FakeLlmReply::refusal("I will not use " + key),
        };
        for (const auto &echo : echoes) {
            server.enqueue(echo);
            const auto result = client->complete(relevanceRequest(), CancelToken());
            QVERIFY(!result.isOk());
            QVERIFY2(result.message().find(key) == std::string::npos, "the API key leaked into an error");
            QVERIFY(result.message().find("SECRET") == std::string::npos);
        }
        // Nothing reached the server unauthenticated, and the key went only into the header.
        for (const auto &r : server.requests()) {
            QCOMPARE(r.header("authorization"), "Bearer " + key);
            QVERIFY(r.body.find(key) == std::string::npos);
        }

        // A named variable that is not set is an error before any request, naming the variable only.
        qunsetenv(var.constData());
        const int before = server.requestCount();
        const auto missing = client->complete(relevanceRequest(), CancelToken());
        QVERIFY(!missing.isOk());
        QCOMPARE(missing.message(), "environment variable " + var.toStdString() + " (apiKeyEnv) is not set");
        QCOMPARE(server.requestCount(), before);
    }

    void apiKeyFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("llm.key");
        const std::string key = "sk-file-Jw44SECRETfromFILE";
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray::fromStdString(key) + "\n");
        f.close();

        FakeLlmServer server;
        server.setFallback(FakeLlmReply::json(goodAnswer()));
        LlmEndpoint e = endpointFor(server, LlmProtocol::OpenAiCompatible);
        e.apiKeyFile = path.toStdString();
        auto client = makeLlmClient(e);

        QVERIFY(QFile::setPermissions(path,
                                      QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther));
        auto refused = client->complete(relevanceRequest(), CancelToken());
        QVERIFY(!refused.isOk());
        QVERIFY2(refused.message().find("is readable by group or others") != std::string::npos,
                 refused.message().c_str());
        QVERIFY(refused.message().find(key) == std::string::npos);
        QCOMPARE(server.requestCount(), 0);

        QVERIFY(QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup));
        QVERIFY(!client->complete(relevanceRequest(), CancelToken()).isOk());
        QCOMPARE(server.requestCount(), 0);

        QVERIFY(QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner));
        const auto ok = client->complete(relevanceRequest(), CancelToken());
        QVERIFY2(ok.isOk(), ok.message().c_str());
        QCOMPARE(server.requests().at(0).header("authorization"), "Bearer " + key);

        // An environment variable, when set, wins over the file.
        qputenv("TWINSEEK_TEST_LLM_KEY_PRECEDENCE", "sk-env-wins");
        e.apiKeyEnv = "TWINSEEK_TEST_LLM_KEY_PRECEDENCE";
        auto resolved = resolveApiKey(e);
        QVERIFY(resolved.isOk());
        QCOMPARE(*resolved, std::string("sk-env-wins"));
        qunsetenv("TWINSEEK_TEST_LLM_KEY_PRECEDENCE");
        resolved = resolveApiKey(e);
        QVERIFY(resolved.isOk());
        QCOMPARE(*resolved, key);
    }

    void cancellation_data() { requestBody_data(); }

    void cancellation()
    {
        // The server never answers, the timeout is long and there are no retries, so only aborting the request on
        // cancellation can end the call with "cancelled" (a broken abort ends it with a timeout instead).
        QFETCH(LlmProtocol, protocol);
        FakeLlmServer server;
        server.setFallback(FakeLlmReply::hang());
        LlmEndpoint e = endpointFor(server, protocol);
        e.timeoutMs = 10000;
        e.maxRetries = 0;
        auto client = makeLlmClient(e);

        CancelToken cancel;
        std::string message;
        Callers callers(server);
        callers.start([&] {
            const auto result = client->complete(relevanceRequest(), cancel);
            message = result.isOk() ? "ok" : result.message();
        });
        QTRY_COMPARE(server.inFlight(), 1);
        cancel.cancel();
        callers.join();
        QCOMPARE(message, std::string("cancelled"));
        QCOMPARE(server.requestCount(), 1);
        QTRY_COMPARE(server.inFlight(), 0); // the connection was closed, not left open

        // A token cancelled before the call sends nothing.
        const auto early = client->complete(relevanceRequest(), cancel);
        QCOMPARE(early.message(), std::string("cancelled"));
        QCOMPARE(server.requestCount(), 1);
    }

    void cancelDuringBackoff()
    {
        // After a 503 the client waits before retrying; a cancel then ends the call without a second request.
        FakeLlmServer server;
        server.setFallback(FakeLlmReply::http(503, R"({"error":"warming up"})"));
        LlmEndpoint e = endpointFor(server, LlmProtocol::Ollama);
        e.backoffMs = 20000;
        e.maxRetries = 1;
        auto client = makeLlmClient(e);
        CancelToken cancel;
        std::string message;
        Callers callers(server);
        callers.start([&] {
            const auto result = client->complete(relevanceRequest(), cancel);
            message = result.isOk() ? "ok" : result.message();
        });
        QTRY_COMPARE(server.requestCount(), 1);
        cancel.cancel();
        callers.join();
        QCOMPARE(message, std::string("cancelled"));
        QCOMPARE(server.requestCount(), 1);
    }

    void cancelWhileQueued()
    {
        // One slot, held by a request the server keeps waiting: a second caller waits for the slot, and cancelling
        // it returns while the first is still in flight.
        FakeLlmServer server;
        server.setFallback(FakeLlmReply::json(goodAnswer()));
        server.setHolding(true);
        LlmEndpoint e = endpointFor(server, LlmProtocol::OpenAiCompatible);
        e.timeoutMs = 60000;
        e.maxConcurrent = 1;
        auto client = makeLlmClient(e);

        Callers callers(server);
        std::string first;
        callers.start([&] {
            const auto r = client->complete(relevanceRequest(), callers.token());
            first = r.isOk() ? "ok" : r.message();
        });
        QTRY_COMPARE(server.inFlight(), 1);
        CancelToken cancel;
        std::string second;
        std::thread queued([&] {
            const auto r = client->complete(relevanceRequest(), cancel);
            second = r.isOk() ? "ok" : r.message();
        });
        cancel.cancel();
        queued.join();
        QCOMPARE(second, std::string("cancelled"));
        QCOMPARE(server.requestCount(), 1);
        QCOMPARE(server.inFlight(), 1);

        server.setHolding(false);
        callers.join();
        QCOMPARE(first, std::string("ok"));
    }

    void concurrencyLimit_data()
    {
        QTest::addColumn<LlmProtocol>("protocol");
        QTest::addColumn<int>("limit");
        for (LlmProtocol p : kProtocols) {
            QTest::newRow(qPrintable(protocolTag(p) + ": 1")) << p << 1;
            QTest::newRow(qPrintable(protocolTag(p) + ": 3")) << p << 3;
        }
    }

    void concurrencyLimit()
    {
        QFETCH(LlmProtocol, protocol);
        QFETCH(int, limit);
        constexpr int kCallers = 6;
        FakeLlmServer server;
        server.setFallback(FakeLlmReply::json(goodAnswer()));
        server.setHolding(true);
        LlmEndpoint e = endpointFor(server, protocol);
        e.timeoutMs = 120000;
        e.maxConcurrent = limit;
        auto client = makeLlmClient(e);

        std::atomic<int> started{0};
        std::atomic<int> succeeded{0};
        Callers callers(server);
        for (int i = 0; i < kCallers; ++i)
            callers.start([&] {
                ++started;
                if (client->complete(relevanceRequest(), callers.token()).isOk())
                    ++succeeded;
            });
        QTRY_COMPARE(started.load(), kCallers);
        QTRY_COMPARE(server.inFlight(), limit);
        // Give a broken limit the chance to show before looking again (not a timing assertion).
        QTest::qWait(200);
        QCOMPARE(server.inFlight(), limit);
        QCOMPARE(server.requestCount(), limit);

        server.setHolding(false);
        callers.join();
        QCOMPARE(succeeded.load(), kCallers);
        QCOMPARE(server.requestCount(), kCallers);
        QCOMPARE(server.maxInFlight(), limit);
    }

    void fromThreadPool()
    {
        // Workers of a QThreadPool have no running event loop either; each call brings its own.
        FakeLlmServer server;
        server.setFallback(FakeLlmReply::json(goodAnswer()));
        auto client = makeLlmClient(endpointFor(server, LlmProtocol::Ollama));
        QThreadPool pool;
        pool.setMaxThreadCount(3);
        std::atomic<int> succeeded{0};
        for (int i = 0; i < 5; ++i)
            pool.start([&] {
                if (client->complete(relevanceRequest(), CancelToken()).isOk())
                    ++succeeded;
            });
        pool.waitForDone();
        QCOMPARE(succeeded.load(), 5);
        QCOMPARE(server.requestCount(), 5);
    }

    void connectionRefused()
    {
        LlmEndpoint e;
        e.baseUrl = "http://127.0.0.1:" + std::to_string(closedPort()) + "/v1";
        e.model = "m";
        e.timeoutMs = 2000;
        e.maxRetries = 1;
        e.backoffMs = 10;
        const auto result = makeLlmClient(e)->complete(relevanceRequest(), CancelToken());
        QVERIFY(!result.isOk());
        const QString message = QString::fromStdString(result.message());
        QVERIFY2(message.startsWith("cannot reach http://127.0.0.1:"), qPrintable(message));
        QVERIFY2(message.endsWith("(after 2 attempts)"), qPrintable(message));
    }

    void invalidRequests()
    {
        FakeLlmServer server;
        server.setFallback(FakeLlmReply::json(goodAnswer()));
        auto client = makeLlmClient(endpointFor(server, LlmProtocol::OpenAiCompatible));

        LlmRequest unsupported = relevanceRequest();
        unsupported.schema["properties"]["relevance"] = {{"anyOf", json::array({{{"type", "number"}}})}};
        auto r = client->complete(unsupported, CancelToken());
        QCOMPARE(r.message(), std::string("the request's schema is not supported: unsupported schema keyword "
                                          "'anyOf' at $.relevance"));

        LlmRequest badName = relevanceRequest();
        badName.schemaName = "relevance score";
        QVERIFY(!client->complete(badName, CancelToken()).isOk());

        QCOMPARE(client->complete(LlmRequest(), CancelToken()).message(), std::string("the request has no messages"));

        LlmEndpoint noModel = endpointFor(server, LlmProtocol::Ollama);
        noModel.model.clear();
        QCOMPARE(makeLlmClient(noModel)->complete(relevanceRequest(), CancelToken()).message(),
                 std::string("invalid LLM endpoint: model is empty"));
        QCOMPARE(server.requestCount(), 0);
        QCOMPARE(makeLlmClient(endpointFor(server, LlmProtocol::Ollama))->name(), std::string("ollama:fake-model"));
    }

    void schemaValidation_data()
    {
        QTest::addColumn<QByteArray>("schema");
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<QString>("violation"); // empty: valid

        // Raw strings stay on one line each: moc loses its brace count in multi-line ones.
        const QByteArray steps = R"({"type":"object","properties":{"steps":{"type":"array","minItems":1,)"
                                 R"("maxItems":2,"items":{"type":"object","properties":{"score":{"type":"number"}},)"
                                 R"("required":["score"]}}}})";
        const QByteArray schemaText = QByteArray::fromStdString(relevanceSchema().dump());
        const QByteArray answerText = QByteArray::fromStdString(goodAnswer().dump());
        QTest::newRow("valid") << schemaText << answerText << QString();
        QTest::newRow("type") << QByteArray(R"({"type":"object"})") << QByteArray("[1]")
                              << "$: expected object, got array";
        QTest::newRow("integer accepts 2.0") << QByteArray(R"({"type":"integer"})") << QByteArray("2.0") << QString();
        QTest::newRow("integer refuses 2.5") << QByteArray(R"({"type":"integer"})") << QByteArray("2.5")
                                             << "$: expected integer, got number";
        QTest::newRow("number accepts integers") << QByteArray(R"({"type":"number"})") << QByteArray("3") << QString();
        QTest::newRow("type array accepts null") << QByteArray(R"({"type":["string","null"]})") << QByteArray("null")
                                                 << QString();
        QTest::newRow("type array refuses") << QByteArray(R"({"type":["string","null"]})") << QByteArray("3")
                                            << "$: expected string or null, got integer";
        QTest::newRow("required") << schemaText << QByteArray(R"({"relevance":0.2})")
                                  << "$: missing required property 'reason'";
        QTest::newRow("additionalProperties false")
            << schemaText << QByteArray(R"({"relevance":0.2,"reason":"x","extra":1})")
            << "$: unexpected property 'extra'";
        QTest::newRow("additionalProperties schema")
            << QByteArray(R"({"type":"object","additionalProperties":{"type":"number"}})")
            << QByteArray(R"({"a":1,"b":"two"})") << "$.b: expected number, got string";
        QTest::newRow("nested item path") << steps << QByteArray(R"({"steps":[{"score":1},{"score":"x"}]})")
                                          << "$.steps[1].score: expected number, got string";
        QTest::newRow("minItems") << steps << QByteArray(R"({"steps":[]})")
                                  << "$.steps: expected at least 1 item, got 0";
        QTest::newRow("maxItems") << steps << QByteArray(R"({"steps":[{"score":1},{"score":2},{"score":3}]})")
                                  << "$.steps: expected at most 2 items, got 3";
        QTest::newRow("enum") << QByteArray(R"({"properties":{"verdict":{"enum":["yes","no"]}}})")
                              << QByteArray(R"({"verdict":"maybe"})")
                              << R"($.verdict: "maybe" is not one of ["yes","no"])";
        QTest::newRow("minimum") << QByteArray(R"({"type":"number","minimum":0})") << QByteArray("-0.5")
                                 << "$: -0.5 is below the minimum 0";
        QTest::newRow("maximum") << QByteArray(R"({"type":"number","maximum":1})") << QByteArray("1") << QString();
        QTest::newRow("quoted property path")
            << QByteArray(R"({"properties":{"time span":{"type":"string"}}})") << QByteArray(R"({"time span":4})")
            << R"($["time span"]: expected string, got integer)";
        QTest::newRow("maxLength counts characters")
            << QByteArray(R"({"type":"string","maxLength":3})") << QByteArray(R"("äöü")") << QString();
    }

    void schemaValidation()
    {
        QFETCH(QByteArray, schema);
        QFETCH(QByteArray, value);
        QFETCH(QString, violation);
        const json s = json::parse(schema.toStdString());
        QVERIFY2(checkJsonSchema(s).isOk(), checkJsonSchema(s).message().c_str());
        const Status status = validateJson(s, json::parse(value.toStdString()));
        QCOMPARE(QString::fromStdString(status.message()), violation);
        QCOMPARE(status.isOk(), violation.isEmpty());
    }

    void schemaSupport_data()
    {
        QTest::addColumn<QByteArray>("schema");
        QTest::addColumn<QString>("error");
        QTest::newRow("annotations are fine")
            << QByteArray(R"({"title":"t","description":"d","type":"string","format":"date-time"})") << QString();
        QTest::newRow("oneOf") << QByteArray(R"({"oneOf":[{"type":"string"}]})")
                               << "unsupported schema keyword 'oneOf' at $";
        QTest::newRow("nested $ref") << QByteArray(R"({"properties":{"a":{"items":{"$ref":"other.json"}}}})")
                                     << "unsupported schema keyword '$ref' at $.a[]";
        QTest::newRow("unknown type") << QByteArray(R"({"type":"float"})")
                                      << "schema at $: 'type' must be a type name or an array of them";
        QTest::newRow("tuple items") << QByteArray(R"({"items":[{"type":"string"}]})")
                                     << "schema at $: 'items' must be a schema (tuples are not supported)";
        QTest::newRow("negative count") << QByteArray(R"({"minItems":-1})")
                                        << "schema at $: 'minItems' must be a count";
    }

    void schemaSupport()
    {
        QFETCH(QByteArray, schema);
        QFETCH(QString, error);
        QCOMPARE(QString::fromStdString(checkJsonSchema(json::parse(schema.toStdString())).message()), error);
    }

    void endpointJsonRoundTrip()
    {
        LlmEndpoint e;
        e.protocol = LlmProtocol::Ollama;
        e.baseUrl = "http://192.168.1.20:11434";
        e.model = "qwen2.5vl:7b";
        e.apiKeyEnv = "OLLAMA_PROXY_KEY";
        e.apiKeyFile = "/home/user/.config/twinseek/ollama.key";
        e.timeoutMs = 45000;
        e.maxRetries = 4;
        e.maxConcurrent = 3;
        e.temperature = 0.7;
        e.maxTokens = 999;
        e.backoffMs = 250;
        const json j = toJson(e);
        QVERIFY(!j.contains("apiKey"));
        const auto back = llmEndpointFromJson(json::parse(j.dump()));
        QVERIFY2(back.isOk(), back.message().c_str());
        QVERIFY(*back == e);

        // Missing fields keep their defaults.
        const auto minimal = llmEndpointFromJson({{"baseUrl", "https://api.openai.com/v1"}, {"model", "gpt-4o-mini"}});
        QVERIFY(minimal.isOk());
        QCOMPARE(int(minimal->protocol), int(LlmProtocol::OpenAiCompatible));
        QCOMPARE(minimal->timeoutMs, LlmEndpoint().timeoutMs);
    }

    void endpointJsonErrors_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("error");
        const json valid = {{"baseUrl", "http://h"}, {"model", "m"}};
        const auto row = [&](const char *name, const json &overrides, const char *error) {
            json j = valid;
            for (const auto &item : overrides.items())
                j[item.key()] = item.value();
            QTest::newRow(name) << QByteArray::fromStdString(j.dump()) << QString(error);
        };
        QTest::newRow("not an object") << QByteArray("[]") << QString("LLM endpoint: expected a JSON object");
        row("protocol", {{"protocol", "grpc"}}, "LLM endpoint: 'protocol' must be \"openai\" or \"ollama\"");
        row("scheme", {{"baseUrl", "ftp://h/v1"}}, "LLM endpoint: baseUrl 'ftp://h/v1' is not an http(s) URL");
        row("no url", {{"baseUrl", ""}}, "LLM endpoint: baseUrl is empty");
        row("no model", {{"model", ""}}, "LLM endpoint: model is empty");
        row("type", {{"timeoutMs", "fast"}}, "LLM endpoint: 'timeoutMs' must be an integer");
        row("range", {{"timeoutMs", 0}}, "LLM endpoint: timeoutMs must be positive");
        row("concurrency", {{"maxConcurrent", 0}}, "LLM endpoint: maxConcurrent must be in 1..64");
        row("temperature", {{"temperature", "hot"}}, "LLM endpoint: 'temperature' must be a number");
        row("unknown field", {{"timeout", 5}}, "LLM endpoint: unknown field 'timeout'");
        // Secrets in the wrong place are refused without being repeated.
        row("key stored", {{"apiKey", "sk-SECRET-1"}},
            "LLM endpoint: 'apiKey' is not stored in settings; put the key in an environment variable (apiKeyEnv) "
            "or a user-only file (apiKeyFile)");
        row("key as env name", {{"apiKeyEnv", "sk-SECRET-2"}},
            "LLM endpoint: apiKeyEnv must be the name of an environment variable (letters, digits, _), not the key "
            "itself");
        row("credentials in url", {{"baseUrl", "http://me:SECRET3@h/v1"}},
            "LLM endpoint: baseUrl must not carry credentials; name the key with apiKeyEnv or apiKeyFile");
    }

    void endpointJsonErrors()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, error);
        const auto e = llmEndpointFromJson(json::parse(text.toStdString()));
        QVERIFY(!e.isOk());
        QCOMPARE(QString::fromStdString(e.message()), error);
        QVERIFY(e.message().find("SECRET") == std::string::npos);
    }

    void rolesJson()
    {
        LlmRoles roles;
        roles.reason = LlmEndpoint();
        roles.reason->baseUrl = "https://api.openai.com/v1";
        roles.reason->model = "gpt-4o";
        roles.reason->apiKeyEnv = "OPENAI_API_KEY";
        roles.describe = LlmEndpoint();
        roles.describe->protocol = LlmProtocol::Ollama;
        roles.describe->baseUrl = "http://127.0.0.1:11434";
        roles.describe->model = "llava:7b";
        const json j = toJson(roles);
        QVERIFY(j["decompose"].is_null());
        const auto back = llmRolesFromJson(json::parse(j.dump()));
        QVERIFY2(back.isOk(), back.message().c_str());
        QVERIFY(!back->decompose);
        QVERIFY(back->reason && *back->reason == *roles.reason);
        QVERIFY(back->describe && *back->describe == *roles.describe);
        QVERIFY(back->forRole(LlmRole::Describe) == roles.describe);

        QCOMPARE(llmRolesFromJson({{"summarise", nullptr}}).message(),
                 std::string("LLM roles: unknown role 'summarise' (expected decompose, reason, describe)"));
        QCOMPARE(llmRolesFromJson({{"reason", {{"baseUrl", "http://h"}}}}).message(),
                 std::string("LLM roles: reason: LLM endpoint: model is empty"));
    }

    void rolesFromEnvironment_data()
    {
        QTest::addColumn<QStringList>("variables"); // NAME=value
        QTest::addColumn<QString>("expected"); // per role "url model protocol keyEnv", or "-"; or the error

        QTest::newRow("nothing set") << QStringList() << "decompose=- reason=- describe=-";
        QTest::newRow("shared")
            << QStringList{"TWINSEEK_LLM_URL=http://h:8080/v1", "TWINSEEK_LLM_MODEL=m1", "TWINSEEK_LLM_KEY_ENV=K"}
            << "decompose=http://h:8080/v1|m1|openai|K reason=http://h:8080/v1|m1|openai|K "
               "describe=http://h:8080/v1|m1|openai|K";
        QTest::newRow("per role overrides")
            << QStringList{"TWINSEEK_LLM_URL=http://h:8080/v1", "TWINSEEK_LLM_MODEL=small",
                           "TWINSEEK_REASON_MODEL=large", "TWINSEEK_DESCRIBE_URL=http://gpu:11434",
                           "TWINSEEK_DESCRIBE_PROTOCOL=Ollama", "TWINSEEK_DESCRIBE_MODEL=llava"}
            << "decompose=http://h:8080/v1|small|openai| reason=http://h:8080/v1|large|openai| "
               "describe=http://gpu:11434|llava|ollama|";
        QTest::newRow("one role only")
            << QStringList{"TWINSEEK_DECOMPOSE_URL=http://h/v1", "TWINSEEK_DECOMPOSE_MODEL=m"}
            << "decompose=http://h/v1|m|openai| reason=- describe=-";
        QTest::newRow("url without model") << QStringList{"TWINSEEK_REASON_URL=http://h/v1"}
                                           << "error: the reason LLM has a URL but no model: set "
                                              "TWINSEEK_REASON_MODEL or TWINSEEK_LLM_MODEL";
        QTest::newRow("bad protocol")
            << QStringList{"TWINSEEK_LLM_URL=http://h/v1", "TWINSEEK_LLM_MODEL=m", "TWINSEEK_LLM_PROTOCOL=grpc"}
            << "error: TWINSEEK_LLM_PROTOCOL 'grpc' is not one of openai, ollama";
        QTest::newRow("bad timeout")
            << QStringList{"TWINSEEK_LLM_URL=http://h/v1", "TWINSEEK_LLM_MODEL=m", "TWINSEEK_REASON_TIMEOUT_MS=soon"}
            << "error: TWINSEEK_REASON_TIMEOUT_MS 'soon' is not a positive number of milliseconds";
    }

    void rolesFromEnvironment()
    {
        QFETCH(QStringList, variables);
        QFETCH(QString, expected);
        QProcessEnvironment env;
        for (const QString &v : variables)
            env.insert(v.section('=', 0, 0), v.section('=', 1));
        const auto roles = llmRolesFromEnvironment(env);
        if (expected.startsWith("error: ")) {
            QVERIFY(!roles.isOk());
            QCOMPARE(QString::fromStdString(roles.message()), expected.mid(7));
            return;
        }
        QVERIFY2(roles.isOk(), roles.message().c_str());
        QStringList got;
        for (LlmRole role : {LlmRole::Decompose, LlmRole::Reason, LlmRole::Describe}) {
            const auto &e = roles->forRole(role);
            const QString name = QString::fromStdString(toString(role));
            got << (e ? name + "=" + QString::fromStdString(e->baseUrl + "|" + e->model + "|" + toString(e->protocol)
                                                          + "|" + e->apiKeyEnv)
                      : name + "=-");
        }
        QCOMPARE(got.join(' '), expected);
    }

    void environmentOverSettings()
    {
        // Settings from the UI (JSON) stay as they are except where the environment says otherwise.
        LlmRoles base;
        base.reason = LlmEndpoint();
        base.reason->baseUrl = "http://settings/v1";
        base.reason->model = "from-settings";
        base.reason->timeoutMs = 7000;
        QProcessEnvironment env;
        env.insert("TWINSEEK_REASON_MODEL", "from-env");
        const auto roles = llmRolesFromEnvironment(env, base);
        QVERIFY2(roles.isOk(), roles.message().c_str());
        QCOMPARE(roles->reason->model, std::string("from-env"));
        QCOMPARE(roles->reason->baseUrl, std::string("http://settings/v1"));
        QCOMPARE(roles->reason->timeoutMs, 7000);
        QVERIFY(!roles->decompose);
    }
};

QTEST_GUILESS_MAIN(TestLlmClient)
#include "tst_llmclient.moc"
