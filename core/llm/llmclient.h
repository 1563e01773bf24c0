// Structured-output calls to LLM and VLM servers (OpenAI-compatible Chat Completions or Ollama's native chat).
// Each call is blocking and owns its own QNetworkAccessManager and event loop, so it can run on any worker thread,
// including plain std::threads. Replies are checked against the request's JSON schema here, so callers either get
// a valid object or a clear message and fall back to the built-in behaviour.
#pragma once

#include "base/cancel.h"
#include "base/result.h"
#include "llm/llmconfig.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ts {

enum class LlmMessageRole { System, User, Assistant };

/// "system", "user" or "assistant": the chat roles of both protocols and of GGUF chat templates.
const char *roleName(LlmMessageRole role);

struct LlmMessage {
    LlmMessageRole role = LlmMessageRole::User;
    /// Text that came from a video (OCR, descriptions) belongs here as quoted JSON data, never as instructions.
    std::string text;
    /// PNG or JPEG files (for VLM roles); the type is read from the bytes.
    std::vector<std::vector<std::uint8_t>> images;
};

struct LlmRequest {
    std::vector<LlmMessage> messages;
    /// The structured output wanted (see jsonschema.h for the supported subset). Null: free text, no JSON parsing.
    nlohmann::json schema;
    std::string schemaName = "reply"; ///< OpenAI requires a name: letters, digits, _ and -
};

struct LlmReply {
    nlohmann::json json; ///< the parsed output, valid against the schema; null for free-text requests
    std::string rawText; ///< the model's content as received
    std::string model; ///< as the server reports it
    int attempts = 0;
    double seconds = 0.0; ///< wall time of the whole call, retries and queueing included
};

/// A connection to one model. Implementations are thread-safe: many workers may call complete() at once, and at
/// most endpoint().maxConcurrent requests are in flight; the others wait (cancellably) for a slot.
class LlmClient {
public:
    virtual ~LlmClient() = default;

    /// Runs on the calling worker thread and blocks until a reply, an error or cancellation ("cancelled").
    /// Never call it from the UI thread: it runs a local event loop. Needs a QCoreApplication to exist.
    /// Retries timeouts, connection errors, HTTP 429 and 5xx with exponential backoff; other errors are final.
    virtual Result<LlmReply> complete(const LlmRequest &request, const CancelToken &cancel) = 0;

    virtual const LlmEndpoint &endpoint() const = 0;
    /// "openai:MODEL" or "ollama:MODEL", for traces and messages.
    virtual std::string name() const = 0;
};

/// A client for the endpoint's protocol. An invalid endpoint is reported by the first complete().
std::unique_ptr<LlmClient> makeLlmClient(const LlmEndpoint &endpoint);

/// What complete() makes of an HTTP 200 body from the endpoint's protocol: the envelope, the model's (possibly
/// fenced) JSON, the request's schema. No network; for the fuzz target and tests.
Result<LlmReply> parseLlmReplyBody(const LlmEndpoint &endpoint, const LlmRequest &request, const std::string &body);

} // namespace ts
