#include "fakellmserver.h"

#include <QEventLoop>
#include <QHostAddress>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>

namespace ts::test {

FakeLlmReply FakeLlmReply::json(const nlohmann::json &content)
{
    return plain(content.dump());
}

FakeLlmReply FakeLlmReply::plain(std::string content)
{
    FakeLlmReply r;
    r.kind = Kind::Content;
    r.text = std::move(content);
    return r;
}

FakeLlmReply FakeLlmReply::refusal(std::string why)
{
    FakeLlmReply r;
    r.kind = Kind::Refusal;
    r.text = std::move(why);
    return r;
}

FakeLlmReply FakeLlmReply::http(int status, std::string body)
{
    FakeLlmReply r;
    r.kind = Kind::HttpStatus;
    r.status = status;
    r.text = std::move(body);
    return r;
}

FakeLlmReply FakeLlmReply::malformedBody()
{
    FakeLlmReply r;
    r.kind = Kind::MalformedBody;
    return r;
}

FakeLlmReply FakeLlmReply::hang()
{
    FakeLlmReply r;
    r.kind = Kind::Hang;
    return r;
}

FakeLlmReply FakeLlmReply::delayed(int ms) const
{
    FakeLlmReply r = *this;
    r.delayMs = ms;
    return r;
}

std::string FakeLlmRequest::header(const std::string &lowerName) const
{
    const auto it = headers.find(lowerName);
    return it == headers.end() ? std::string() : it->second;
}

nlohmann::json FakeLlmRequest::json() const
{
    const auto j = nlohmann::json::parse(body, nullptr, false);
    return j.is_discarded() ? nlohmann::json() : j;
}

namespace {

const char *reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 404:
        return "Not Found";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

/// The body a real server of the request's protocol would send for this reply.
std::pair<int, std::string> renderBody(const FakeLlmRequest &request, const FakeLlmReply &reply)
{
    using nlohmann::json;
    const bool ollama = request.path == "/api/chat";
    const bool openAi = request.path.size() >= 17
                     && request.path.compare(request.path.size() - 17, 17, "/chat/completions") == 0;
    if (reply.kind == FakeLlmReply::Kind::HttpStatus)
        return {reply.status, reply.text};
    if (!ollama && !openAi)
        return {404, json{{"error", "no route for " + request.path}}.dump()};
    if (reply.kind == FakeLlmReply::Kind::MalformedBody)
        return {200, ollama ? R"({"model":"fake","message":{"role":"assistant","content":"{\"rel)"
                            : R"({"id":"chatcmpl-1","choices":[{"index":0,"message":{"role":"assis)"};

    const json req = request.json();
    const std::string model = req.is_object() && req.contains("model") && req["model"].is_string()
                                  ? req["model"].get<std::string>()
                                  : std::string("fake");
    if (ollama) {
        return {200, json{{"model", model},
                          {"created_at", "2025-01-01T00:00:00Z"},
                          {"message", {{"role", "assistant"}, {"content", reply.text}}},
                          {"done", true},
                          {"done_reason", "stop"}}
                         .dump()};
    }
    json message = {{"role", "assistant"}};
    if (reply.kind == FakeLlmReply::Kind::Refusal) {
        message["content"] = nullptr;
        message["refusal"] = reply.text;
    } else {
        message["content"] = reply.text;
        message["refusal"] = nullptr;
    }
    return {200, json{{"id", "chatcmpl-fake"},
                      {"object", "chat.completion"},
                      {"model", model},
                      {"choices", json::array({{{"index", 0}, {"message", message}, {"finish_reason", "stop"}}})}}
                     .dump()};
}

} // namespace

struct FakeLlmServer::Impl {
    // Shared with the test thread.
    mutable std::mutex mutex;
    std::deque<FakeLlmReply> queue;
    FakeLlmReply fallback = FakeLlmReply::http(500, R"({"error":"the fake server has no scripted reply"})");
    std::vector<FakeLlmRequest> requests;
    std::atomic<int> inFlight{0};
    std::atomic<int> maxInFlight{0};
    std::atomic<quint16> port{0};
    bool holding = false;

    // Owned by the server thread.
    struct Connection {
        QByteArray buffer;
        bool counted = false;
        bool answered = false;
    };
    QEventLoop *loop = nullptr;
    std::map<QTcpSocket *, Connection> connections;
    std::vector<std::pair<QPointer<QTcpSocket>, std::pair<FakeLlmRequest, FakeLlmReply>>> held;
    std::unique_ptr<QThread> thread;

    void run(std::condition_variable &started)
    {
        QEventLoop eventLoop;
        QTcpServer server;
        server.listen(QHostAddress::LocalHost, 0);
        QObject::connect(&server, &QTcpServer::newConnection, &server, [this, &server] {
            while (QTcpSocket *socket = server.nextPendingConnection())
                accept(socket);
        });
        {
            std::lock_guard<std::mutex> lock(mutex);
            loop = &eventLoop;
            port = server.isListening() ? server.serverPort() : 0;
        }
        started.notify_all();
        eventLoop.exec();
        held.clear();
        connections.clear();
        // Sockets are children of the server and go with it.
    }

    void accept(QTcpSocket *socket)
    {
        connections[socket];
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket] { onReadyRead(socket); });
        QObject::connect(socket, &QTcpSocket::disconnected, socket, [this, socket] {
            const auto it = connections.find(socket);
            if (it != connections.end()) {
                if (it->second.counted && !it->second.answered)
                    --inFlight;
                connections.erase(it);
            }
            socket->deleteLater();
        });
    }

    void onReadyRead(QTcpSocket *socket)
    {
        auto it = connections.find(socket);
        if (it == connections.end() || it->second.counted)
            return;
        Connection &c = it->second;
        c.buffer += socket->readAll();
        const qsizetype headerEnd = c.buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;
        FakeLlmRequest request;
        const QList<QByteArray> lines = c.buffer.left(headerEnd).split('\n');
        const QList<QByteArray> start = lines.value(0).trimmed().split(' ');
        request.method = start.value(0).toStdString();
        request.path = start.value(1).toStdString();
        qsizetype length = 0;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon <= 0)
                continue;
            const std::string name = lines[i].left(colon).trimmed().toLower().toStdString();
            const std::string value = lines[i].mid(colon + 1).trimmed().toStdString();
            request.headers[name] = value;
            if (name == "content-length")
                length = QByteArray::fromStdString(value).toLongLong();
        }
        if (c.buffer.size() < headerEnd + 4 + length)
            return;
        request.body = c.buffer.mid(headerEnd + 4, length).toStdString();
        c.counted = true;
        const int now = ++inFlight;
        int seen = maxInFlight.load();
        while (now > seen && !maxInFlight.compare_exchange_weak(seen, now)) {
        }

        FakeLlmReply reply;
        bool hold = false;
        {
            std::lock_guard<std::mutex> lock(mutex);
            requests.push_back(request);
            if (queue.empty()) {
                reply = fallback;
            } else {
                reply = queue.front();
                queue.pop_front();
            }
            hold = holding;
        }
        if (reply.kind == FakeLlmReply::Kind::Hang)
            return;
        if (hold)
            held.push_back({QPointer<QTcpSocket>(socket), {std::move(request), std::move(reply)}});
        else
            schedule(socket, std::move(request), std::move(reply));
    }

    void schedule(QTcpSocket *socket, FakeLlmRequest request, FakeLlmReply reply)
    {
        if (reply.delayMs <= 0) {
            answer(socket, request, reply);
            return;
        }
        // The socket as context: if the client gives up first, the answer is dropped with it.
        QTimer::singleShot(reply.delayMs, socket, [this, socket, request = std::move(request),
                                                   reply = std::move(reply)] { answer(socket, request, reply); });
    }

    void answer(QTcpSocket *socket, const FakeLlmRequest &request, const FakeLlmReply &reply)
    {
        const auto it = connections.find(socket);
        if (it == connections.end() || it->second.answered)
            return;
        it->second.answered = true;
        --inFlight;
        const auto [status, body] = renderBody(request, reply);
        QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
        out += "Content-Type: application/json\r\n";
        out += "Content-Length: " + QByteArray::number(qsizetype(body.size())) + "\r\n";
        out += "Connection: close\r\n";
        for (const auto &[name, value] : reply.headers)
            out += QByteArray::fromStdString(name) + ": " + QByteArray::fromStdString(value) + "\r\n";
        out += "\r\n";
        out += QByteArray::fromStdString(body);
        socket->write(out);
        socket->disconnectFromHost();
    }

    void release()
    {
        auto pending = std::move(held);
        held.clear();
        for (auto &[socket, item] : pending)
            if (socket)
                schedule(socket, std::move(item.first), std::move(item.second));
    }
};

FakeLlmServer::FakeLlmServer() : d(std::make_unique<Impl>())
{
    std::condition_variable started;
    d->thread.reset(QThread::create([this, &started] { d->run(started); }));
    d->thread->start();
    std::unique_lock<std::mutex> lock(d->mutex);
    started.wait(lock, [this] { return d->loop != nullptr; });
}

FakeLlmServer::~FakeLlmServer()
{
    QEventLoop *loop = nullptr;
    {
        std::lock_guard<std::mutex> lock(d->mutex);
        loop = d->loop;
    }
    QMetaObject::invokeMethod(loop, [loop] { loop->quit(); }, Qt::QueuedConnection);
    d->thread->wait();
}

bool FakeLlmServer::isListening() const
{
    return d->port != 0;
}

quint16 FakeLlmServer::port() const
{
    return d->port;
}

std::string FakeLlmServer::openAiBaseUrl() const
{
    return "http://127.0.0.1:" + std::to_string(port()) + "/v1";
}

std::string FakeLlmServer::ollamaBaseUrl() const
{
    return "http://127.0.0.1:" + std::to_string(port());
}

void FakeLlmServer::enqueue(FakeLlmReply reply)
{
    std::lock_guard<std::mutex> lock(d->mutex);
    d->queue.push_back(std::move(reply));
}

void FakeLlmServer::setFallback(FakeLlmReply reply)
{
    std::lock_guard<std::mutex> lock(d->mutex);
    d->fallback = std::move(reply);
}

void FakeLlmServer::setHolding(bool holding)
{
    QEventLoop *loop = nullptr;
    {
        std::lock_guard<std::mutex> lock(d->mutex);
        d->holding = holding;
        loop = d->loop;
    }
    if (!holding) {
        Impl *impl = d.get();
        QMetaObject::invokeMethod(loop, [impl] { impl->release(); }, Qt::QueuedConnection);
    }
}

std::vector<FakeLlmRequest> FakeLlmServer::requests() const
{
    std::lock_guard<std::mutex> lock(d->mutex);
    return d->requests;
}

int FakeLlmServer::requestCount() const
{
    std::lock_guard<std::mutex> lock(d->mutex);
    return int(d->requests.size());
}

int FakeLlmServer::inFlight() const
{
    return d->inFlight;
}

int FakeLlmServer::maxInFlight() const
{
    return d->maxInFlight;
}

} // namespace ts::test
