#include "llm/llmclient.h"

#include "llm/jsonschema.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSemaphore>
#include <QThread>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <chrono>
#include <thread>

namespace ts {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// How often a blocked call looks at its CancelToken (which has no callback of its own).
constexpr int kCancelPollMs = 20;
constexpr int kMaxBackoffMs = 30000;
constexpr qint64 kMaxReplyBytes = 16 * 1024 * 1024; ///< far above any structured answer
constexpr size_t kSnippetChars = 200;

std::string dumpJson(const json &j)
{
    // Text from videos (OCR) may be invalid UTF-8; replace rather than throw.
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

/// Removes the key from any text that leaves the client; servers have been known to echo headers in errors.
std::string redact(std::string text, const std::string &key)
{
    if (key.empty())
        return text;
    for (size_t pos = text.find(key); pos != std::string::npos; pos = text.find(key, pos))
        text.replace(pos, key.size(), "[redacted]");
    return text;
}

/// One line of at most kSnippetChars for messages: control characters become spaces.
std::string snippet(const std::string &text)
{
    std::string s = text.substr(0, kSnippetChars);
    for (char &c : s)
        if (static_cast<unsigned char>(c) < 0x20)
            c = ' ';
    if (text.size() > kSnippetChars)
        s += "...";
    return s;
}


/// "image/png", "image/jpeg", or empty for anything else.
std::string imageMime(const std::vector<std::uint8_t> &bytes)
{
    static const std::uint8_t png[] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    if (bytes.size() >= sizeof(png) && std::equal(std::begin(png), std::end(png), bytes.begin()))
        return "image/png";
    if (bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF)
        return "image/jpeg";
    return {};
}

std::string base64(const std::vector<std::uint8_t> &bytes)
{
    return QByteArray::fromRawData(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size()))
        .toBase64()
        .toStdString();
}

/// Models sometimes wrap JSON in a Markdown fence even when asked for JSON only.
std::string stripFence(const std::string &text)
{
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos || text.compare(first, 3, "```") != 0)
        return text;
    const auto bodyStart = text.find('\n', first);
    const auto fenceEnd = text.rfind("```");
    if (bodyStart == std::string::npos || fenceEnd <= bodyStart)
        return text;
    return text.substr(bodyStart + 1, fenceEnd - bodyStart - 1);
}

/// The server's own words for an HTTP error: OpenAI's error.message, Ollama's error, or the start of the body.
std::string errorDetail(const QByteArray &body)
{
    const json j = json::parse(body.constData(), body.constData() + body.size(), nullptr, false);
    if (j.is_object()) {
        const auto err = j.find("error");
        if (err != j.end() && err->is_string())
            return snippet(err->get<std::string>());
        if (err != j.end() && err->is_object() && err->contains("message") && err->at("message").is_string())
            return snippet(err->at("message").get<std::string>());
        if (j.contains("message") && j.at("message").is_string())
            return snippet(j.at("message").get<std::string>());
    }
    const std::string text = body.trimmed().toStdString();
    return text.empty() ? "(empty body)" : snippet(text);
}

bool isValidSchemaName(const std::string &name)
{
    return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '_' || c == '-';
    });
}

/// What the model said, before any JSON parsing.
struct Content {
    std::string text;
    std::string model;
    std::string finishReason;
};

/// The outcome of one HTTP exchange.
struct Attempt {
    enum class Kind { Reply, Timeout, Cancelled, NetworkError };
    Kind kind = Kind::NetworkError;
    int status = 0;
    QByteArray body;
    std::string error;
    bool retryableNetwork = false;
    long long retryAfterMs = -1; ///< from Retry-After (seconds on the wire, any size)
    std::string location;
};

/// Shared by both protocols: key handling, the retry loop, timeouts, cancellation, concurrency and validation.
class HttpLlmClient : public LlmClient {
public:
    explicit HttpLlmClient(LlmEndpoint endpoint)
        : m_endpoint(std::move(endpoint)), m_slots(std::clamp(m_endpoint.maxConcurrent, 1, 64))
    {
    }

    Result<LlmReply> complete(const LlmRequest &request, const CancelToken &cancel) override
    {
        std::string key;
        try {
            auto result = completeImpl(request, cancel, key);
            if (!result)
                return Result<LlmReply>::error(redact(result.message(), key));
            return result;
        } catch (const std::exception &e) {
            // Exceptions stay inside the module; the message may quote the server, so it is redacted too.
            return Result<LlmReply>::error(redact(std::string("internal error in LLM client: ") + e.what(), key));
        }
    }

    const LlmEndpoint &endpoint() const override { return m_endpoint; }
    std::string name() const override { return toString(m_endpoint.protocol) + ":" + m_endpoint.model; }

    /// What a body of HTTP 200 gives, without the network (parseLlmReplyBody).
    Result<LlmReply> interpretBody(const LlmRequest &request, const QByteArray &bytes) const
    {
        return interpret(request, bytes);
    }

protected:
    virtual std::string path() const = 0;
    virtual Result<json> buildBody(const LlmRequest &request) const = 0;
    virtual Result<Content> parseBody(const json &body) const = 0;

private:
    Result<LlmReply> completeImpl(const LlmRequest &request, const CancelToken &cancel, std::string &key)
    {
        using R = Result<LlmReply>;
        const auto start = Clock::now();
        if (const Status s = validateEndpoint(m_endpoint); !s)
            return R::error("invalid LLM endpoint: " + s.message());
        if (request.messages.empty())
            return R::error("the request has no messages");
        if (!request.schema.is_null()) {
            if (const Status s = checkJsonSchema(request.schema); !s)
                return R::error("the request's schema is not supported: " + s.message());
            if (!isValidSchemaName(request.schemaName))
                return R::error("schema name must be 1-64 letters, digits, _ or -");
        }
        auto resolved = resolveApiKey(m_endpoint);
        if (!resolved)
            return R::error(resolved);
        key = std::move(*resolved);
        auto body = buildBody(request);
        if (!body)
            return R::error(body);
        const QByteArray payload = QByteArray::fromStdString(dumpJson(*body));

        QString base = QString::fromStdString(m_endpoint.baseUrl);
        while (base.endsWith('/'))
            base.chop(1);
        QNetworkRequest http(QUrl(base + QString::fromStdString(path())));
        http.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        http.setRawHeader("Accept", "application/json");
        // A redirect could carry the Authorization header to another host; make the user fix the URL instead.
        http.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
        if (!key.empty())
            http.setRawHeader("Authorization", QByteArray("Bearer ") + QByteArray::fromStdString(key));

        // The event loop first: it gives a plain std::thread the event dispatcher that the network objects need.
        QEventLoop loop;
        // Declared before the manager so it runs after the manager is gone, on every return path.
        struct FlushDeferredDeletes {
            ~FlushDeferredDeletes() { releaseDeferredDeletes(); }
        } flush;
        QNetworkAccessManager nam;
        Attempt last;
        int attempts = 0;
        {
            const int maxAttempts = m_endpoint.maxRetries + 1;
            for (int attempt = 1; attempt <= maxAttempts; ++attempt) {
                if (attempt > 1) {
                    const long long grown = static_cast<long long>(m_endpoint.backoffMs) << std::min(attempt - 2, 16);
                    int delayMs = int(std::min<long long>(kMaxBackoffMs, grown));
                    if (last.retryAfterMs > delayMs)
                        delayMs = static_cast<int>(std::min<long long>(kMaxBackoffMs, last.retryAfterMs));
                    if (!sleepCancellable(delayMs, cancel))
                        return R::cancelled();
                }
                if (!acquireSlot(cancel))
                    return R::cancelled();
                attempts = attempt;
                last = attemptOnce(nam, loop, http, payload, cancel);
                m_slots.release();

                if (last.kind == Attempt::Kind::Cancelled)
                    return R::cancelled();
                if (last.kind == Attempt::Kind::Timeout)
                    continue;
                if (last.kind == Attempt::Kind::NetworkError) {
                    if (!last.retryableNetwork)
                        return R::error(last.error);
                    continue;
                }
                if (last.status == 429 || last.status >= 500) {
                    // A server that asks for a longer wait than a retry may take is answered now, not waited for.
                    if (last.retryAfterMs > std::max<long long>(kMaxBackoffMs, m_endpoint.timeoutMs))
                        return R::error("HTTP " + std::to_string(last.status) + ": the server asks to retry after " +
                                        std::to_string(last.retryAfterMs / 1000) + " s; not waiting that long");
                    continue;
                }
                if (last.status >= 300 && last.status < 400)
                    return R::error("HTTP " + std::to_string(last.status) + ": the server redirects"
                                    + (last.location.empty() ? std::string() : " to " + last.location)
                                    + "; set baseUrl to the final address");
                if (last.status < 200 || last.status >= 300)
                    return R::error("HTTP " + std::to_string(last.status) + ": " + errorDetail(last.body));

                auto reply = interpret(request, last.body);
                if (!reply)
                    return reply;
                reply->attempts = attempts;
                reply->seconds = std::chrono::duration<double>(Clock::now() - start).count();
                return reply;
            }
        }

        const std::string after = " (after " + std::to_string(attempts) + (attempts == 1 ? " attempt)" : " attempts)");
        switch (last.kind) {
        case Attempt::Kind::Timeout:
            return R::error("timeout after " + std::to_string(attempts) + (attempts == 1 ? " attempt" : " attempts")
                            + " (" + std::to_string(m_endpoint.timeoutMs) + " ms each)");
        case Attempt::Kind::NetworkError:
            return R::error(last.error + after);
        default:
            return R::error("HTTP " + std::to_string(last.status) + ": " + errorDetail(last.body) + after);
        }
    }

    Result<LlmReply> interpret(const LlmRequest &request, const QByteArray &bytes) const
    {
        using R = Result<LlmReply>;
        const json body = json::parse(bytes.constData(), bytes.constData() + bytes.size(), nullptr, false);
        if (body.is_discarded())
            return R::error("malformed JSON in reply: the response body is not JSON: "
                            + snippet(bytes.toStdString()));
        if (!body.is_object())
            return R::error("malformed JSON in reply: the response body is not a JSON object");
        auto content = parseBody(body);
        if (!content)
            return R::error(content);

        LlmReply reply;
        reply.rawText = content->text;
        reply.model = content->model.empty() ? m_endpoint.model : content->model;
        if (request.schema.is_null())
            return reply;

        const std::string text = stripFence(content->text);
        json parsed = json::parse(text, nullptr, false);
        if (parsed.is_discarded()) {
            if (content->finishReason == "length")
                return R::error("malformed JSON in reply: the output was cut off at maxTokens ("
                                + std::to_string(m_endpoint.maxTokens) + ")");
            return R::error("malformed JSON in reply: the model's content is not JSON: " + snippet(text));
        }
        if (const Status s = validateJson(request.schema, parsed); !s)
            return R::error("reply violates schema: " + s.message());
        reply.json = std::move(parsed);
        return reply;
    }

    Attempt attemptOnce(QNetworkAccessManager &nam, QEventLoop &loop, const QNetworkRequest &http,
                        const QByteArray &payload, const CancelToken &cancel) const
    {
        Attempt a;
        std::unique_ptr<QNetworkReply> reply(nam.post(http, payload));
        bool timedOut = false;
        bool cancelled = false;
        QTimer deadline;
        deadline.setSingleShot(true);
        QObject::connect(&deadline, &QTimer::timeout, &loop, [&] {
            timedOut = true;
            reply->abort();
        });
        QTimer poll;
        poll.setInterval(kCancelPollMs);
        QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
            if (cancel.isCancelled()) {
                cancelled = true;
                reply->abort();
            }
        });
        // A reply bigger than any answer a model gives is a broken or hostile server: stop reading it.
        bool tooLarge = false;
        auto refuse = [&](qint64 bytes) {
            if (bytes > kMaxReplyBytes && !tooLarge) {
                tooLarge = true;
                reply->abort();
            }
        };
        QObject::connect(reply.get(), &QNetworkReply::metaDataChanged, &loop, [&] {
            refuse(reply->header(QNetworkRequest::ContentLengthHeader).toLongLong()); // declared size
        });
        QObject::connect(reply.get(), &QNetworkReply::downloadProgress, &loop,
                         [&](qint64 received, qint64) { refuse(received); });
        QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
        if (cancel.isCancelled()) {
            cancelled = true;
            reply->abort();
        }
        if (!reply->isFinished()) {
            deadline.start(m_endpoint.timeoutMs);
            poll.start();
            loop.exec();
        }
        deadline.stop();
        poll.stop();

        // Only the abort this call made on cancellation counts: a timeout that races a late cancel stays a timeout.
        if (cancelled) {
            a.kind = Attempt::Kind::Cancelled;
            return a;
        }
        if (timedOut) {
            a.kind = Attempt::Kind::Timeout;
            return a;
        }
        if (tooLarge) {
            a.kind = Attempt::Kind::NetworkError;
            a.error = "reply too large: over " + std::to_string(kMaxReplyBytes / (1024 * 1024)) + " MB";
            a.retryableNetwork = false;
            return a;
        }
        const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
        if (status.isValid()) {
            a.kind = Attempt::Kind::Reply;
            a.status = status.toInt();
            a.body = reply->readAll();
            bool ok = false;
            // Read as a 64-bit count and clamped to a day, so a huge value cannot overflow.
            const qint64 seconds = reply->rawHeader("Retry-After").trimmed().toLongLong(&ok);
            if (ok && seconds >= 0)
                a.retryAfterMs = std::min<qint64>(seconds, 86400) * 1000;
            a.location = reply->rawHeader("Location").toStdString();
            return a;
        }
        a.kind = Attempt::Kind::NetworkError;
        a.error = "cannot reach " + reply->url().toString(QUrl::RemoveUserInfo).toStdString() + ": "
                  + reply->errorString().toStdString();
        switch (reply->error()) {
        case QNetworkReply::SslHandshakeFailedError:
        case QNetworkReply::ProtocolUnknownError:
        case QNetworkReply::ProtocolInvalidOperationError:
        case QNetworkReply::InsecureRedirectError:
            a.retryableNetwork = false; // retrying cannot fix a certificate or a wrong scheme
            break;
        default:
            a.retryableNetwork = true;
        }
        return a;
    }

    bool acquireSlot(const CancelToken &cancel)
    {
        while (!m_slots.tryAcquire(1, kCancelPollMs))
            if (cancel.isCancelled())
                return false;
        if (cancel.isCancelled()) {
            m_slots.release();
            return false;
        }
        return true;
    }

    static bool sleepCancellable(int ms, const CancelToken &cancel)
    {
        const auto until = Clock::now() + std::chrono::milliseconds(ms);
        while (Clock::now() < until) {
            if (cancel.isCancelled())
                return false;
            std::this_thread::sleep_for(std::min<Clock::duration>(std::chrono::milliseconds(kCancelPollMs),
                                                                  until - Clock::now()));
        }
        return !cancel.isCancelled();
    }

    /// Worker threads without an event loop never run deleteLater(); flush what the network objects left.
    static void releaseDeferredDeletes()
    {
        const QCoreApplication *app = QCoreApplication::instance();
        if (app && QThread::currentThread() != app->thread())
            QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    }

    LlmEndpoint m_endpoint;
    QSemaphore m_slots;
};

class OpenAiClient final : public HttpLlmClient {
public:
    using HttpLlmClient::HttpLlmClient;

protected:
    std::string path() const override { return "/chat/completions"; }

    Result<json> buildBody(const LlmRequest &request) const override
    {
        json messages = json::array();
        for (size_t m = 0; m < request.messages.size(); ++m) {
            const LlmMessage &msg = request.messages[m];
            json entry = {{"role", roleName(msg.role)}};
            if (msg.images.empty()) {
                entry["content"] = msg.text;
            } else {
                if (msg.role != LlmMessageRole::User)
                    return Result<json>::error("message " + std::to_string(m + 1)
                                               + ": images are only allowed in user messages");
                json parts = json::array({{{"type", "text"}, {"text", msg.text}}});
                for (size_t i = 0; i < msg.images.size(); ++i) {
                    const std::string mime = imageMime(msg.images[i]);
                    if (mime.empty())
                        return Result<json>::error("image " + std::to_string(i + 1) + " of message "
                                                   + std::to_string(m + 1) + " is neither PNG nor JPEG");
                    parts.push_back({{"type", "image_url"},
                                     {"image_url", {{"url", "data:" + mime + ";base64," + base64(msg.images[i])}}}});
                }
                entry["content"] = std::move(parts);
            }
            messages.push_back(std::move(entry));
        }
        json body = {{"model", endpoint().model},
                     {"messages", std::move(messages)},
                     {"temperature", endpoint().temperature},
                     {"max_tokens", endpoint().maxTokens},
                     {"stream", false}};
        if (!request.schema.is_null())
            body["response_format"] = {
                {"type", "json_schema"},
                {"json_schema", {{"name", request.schemaName}, {"schema", request.schema}, {"strict", true}}}};
        return body;
    }

    Result<Content> parseBody(const json &body) const override
    {
        using R = Result<Content>;
        const auto choices = body.find("choices");
        if (choices == body.end() || !choices->is_array() || choices->empty() || !(*choices)[0].is_object()
            || !(*choices)[0].contains("message") || !(*choices)[0]["message"].is_object()) {
            if (body.contains("error"))
                return R::error("server error: " + errorDetail(QByteArray::fromStdString(dumpJson(body))));
            return R::error("unexpected reply: no choices[0].message in " + snippet(dumpJson(body)));
        }
        const json &choice = (*choices)[0];
        const json &message = choice["message"];
        Content c;
        if (body.contains("model") && body["model"].is_string())
            c.model = body["model"].get<std::string>();
        if (choice.contains("finish_reason") && choice["finish_reason"].is_string())
            c.finishReason = choice["finish_reason"].get<std::string>();
        const auto refusal = message.find("refusal");
        if (refusal != message.end() && refusal->is_string() && !refusal->get<std::string>().empty())
            return R::error("model refused: " + snippet(refusal->get<std::string>()));
        if (c.finishReason == "content_filter")
            return R::error("model refused: the server's content filter stopped the reply");
        const auto content = message.find("content");
        if (content != message.end() && content->is_string()) {
            c.text = content->get<std::string>();
        } else if (content != message.end() && content->is_array()) {
            // Some compatible servers answer with content parts even for text.
            for (const auto &part : *content)
                if (part.is_object() && part.contains("text") && part["text"].is_string())
                    c.text += part["text"].get<std::string>();
        } else {
            return R::error("unexpected reply: the message has no content");
        }
        return c;
    }
};

class OllamaClient final : public HttpLlmClient {
public:
    using HttpLlmClient::HttpLlmClient;

protected:
    std::string path() const override { return "/api/chat"; }

    Result<json> buildBody(const LlmRequest &request) const override
    {
        json messages = json::array();
        for (size_t m = 0; m < request.messages.size(); ++m) {
            const LlmMessage &msg = request.messages[m];
            json entry = {{"role", roleName(msg.role)}, {"content", msg.text}};
            if (!msg.images.empty()) {
                json images = json::array();
                for (size_t i = 0; i < msg.images.size(); ++i) {
                    if (imageMime(msg.images[i]).empty())
                        return Result<json>::error("image " + std::to_string(i + 1) + " of message "
                                                   + std::to_string(m + 1) + " is neither PNG nor JPEG");
                    images.push_back(base64(msg.images[i]));
                }
                entry["images"] = std::move(images);
            }
            messages.push_back(std::move(entry));
        }
        json body = {{"model", endpoint().model},
                     {"messages", std::move(messages)},
                     {"stream", false},
                     {"options", {{"temperature", endpoint().temperature}, {"num_predict", endpoint().maxTokens}}}};
        if (!request.schema.is_null())
            body["format"] = request.schema;
        return body;
    }

    Result<Content> parseBody(const json &body) const override
    {
        using R = Result<Content>;
        const auto message = body.find("message");
        if (message == body.end() || !message->is_object() || !message->contains("content")
            || !(*message)["content"].is_string()) {
            if (body.contains("error"))
                return R::error("server error: " + errorDetail(QByteArray::fromStdString(dumpJson(body))));
            return R::error("unexpected reply: no message.content in " + snippet(dumpJson(body)));
        }
        Content c;
        c.text = (*message)["content"].get<std::string>();
        if (body.contains("model") && body["model"].is_string())
            c.model = body["model"].get<std::string>();
        if (body.contains("done_reason") && body["done_reason"].is_string())
            c.finishReason = body["done_reason"].get<std::string>();
        return c;
    }
};

} // namespace

Result<LlmReply> parseLlmReplyBody(const LlmEndpoint &endpoint, const LlmRequest &request, const std::string &body)
{
    std::unique_ptr<HttpLlmClient> client;
    if (endpoint.protocol == LlmProtocol::Ollama)
        client = std::make_unique<OllamaClient>(endpoint);
    else
        client = std::make_unique<OpenAiClient>(endpoint);
    try {
        return client->interpretBody(request, QByteArray::fromStdString(body));
    } catch (const std::exception &e) {
        return Result<LlmReply>::error(std::string("internal error in LLM client: ") + e.what());
    }
}

std::unique_ptr<LlmClient> makeLlmClient(const LlmEndpoint &endpoint)
{
    if (endpoint.protocol == LlmProtocol::Ollama)
        return std::make_unique<OllamaClient>(endpoint);
    return std::make_unique<OpenAiClient>(endpoint);
}

const char *roleName(LlmMessageRole role)
{
    switch (role) {
    case LlmMessageRole::System:
        return "system";
    case LlmMessageRole::Assistant:
        return "assistant";
    case LlmMessageRole::User:
        break;
    }
    return "user";
}

} // namespace ts
