// A scripted LLM server on loopback for tests: speaks OpenAI Chat Completions (/v1/chat/completions) and Ollama
// (/api/chat) over minimal HTTP/1.1, answers each request with the next scripted behaviour (or the fallback), and
// records every request. It runs its own thread, so a client may block the test thread while it answers.
#pragma once

#include <QtGlobal>

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ts::test {

/// How the server answers one request.
struct FakeLlmReply {
    enum class Kind {
        Content, ///< 200 with text as the model's message content
        Refusal, ///< 200 with an OpenAI refusal (Ollama has no refusal field: the text becomes the content)
        HttpStatus, ///< the given status with text as the body
        MalformedBody, ///< 200 whose body is cut-off JSON
        Hang, ///< never answers; the connection stays open until the client gives up
    };
    Kind kind = Kind::Content;
    std::string text;
    int status = 200;
    int delayMs = 0; ///< wait before answering
    std::vector<std::pair<std::string, std::string>> headers; ///< extra response headers

    static FakeLlmReply json(const nlohmann::json &content);
    static FakeLlmReply plain(std::string content);
    static FakeLlmReply refusal(std::string why);
    static FakeLlmReply http(int status, std::string body);
    static FakeLlmReply malformedBody();
    static FakeLlmReply hang();
    FakeLlmReply delayed(int ms) const;
};

/// One request as the server received it.
struct FakeLlmRequest {
    std::string method;
    std::string path;
    std::map<std::string, std::string> headers; ///< names in lower case
    std::string body;

    std::string header(const std::string &lowerName) const;
    nlohmann::json json() const; ///< the body parsed; null when it is not JSON
};

class FakeLlmServer {
public:
    FakeLlmServer(); ///< listens on 127.0.0.1 at a free port before returning
    ~FakeLlmServer();
    FakeLlmServer(const FakeLlmServer &) = delete;
    FakeLlmServer &operator=(const FakeLlmServer &) = delete;

    bool isListening() const;
    quint16 port() const;
    std::string openAiBaseUrl() const; ///< http://127.0.0.1:PORT/v1
    std::string ollamaBaseUrl() const; ///< http://127.0.0.1:PORT

    /// Answers are taken in order of arrival; when the queue is empty the fallback answers (default: HTTP 500).
    void enqueue(FakeLlmReply reply);
    void setFallback(FakeLlmReply reply);
    /// While holding, complete requests are recorded and counted in flight but not answered; releasing answers
    /// them all. Lets a test look at the server while clients are blocked, without relying on timing.
    void setHolding(bool holding);

    std::vector<FakeLlmRequest> requests() const;
    int requestCount() const;
    int inFlight() const; ///< received completely and not yet answered or dropped
    int maxInFlight() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace ts::test
