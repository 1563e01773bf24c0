// Where the LLMs and VLMs live: one endpoint per role (query decomposition, reasoning, frame description), each
// an OpenAI-compatible or an Ollama server. Roles are configured separately (as Frigate and PhotoPrism do) so a
// small local model can decompose while a larger one reasons. API keys are never stored here: an endpoint only
// names the environment variable or the user-only file that holds the key.
#pragma once

#include "base/result.h"

#include <QProcessEnvironment>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace ts {

enum class LlmProtocol { OpenAiCompatible, Ollama };

/// "openai" or "ollama".
std::string toString(LlmProtocol protocol);
/// Accepts "openai", "openai-compatible" and "ollama" (any case).
std::optional<LlmProtocol> llmProtocolFromString(const std::string &text);

/// One server and model, with the limits the client applies to it.
struct LlmEndpoint {
    LlmProtocol protocol = LlmProtocol::OpenAiCompatible;
    /// OpenAI-compatible: up to the version, e.g. "https://api.openai.com/v1"; Ollama: "http://127.0.0.1:11434".
    std::string baseUrl;
    std::string model;
    std::string apiKeyEnv; ///< name of the environment variable that holds the key; empty = none
    std::string apiKeyFile; ///< path of a file holding the key; must not be readable by group or others
    /// Per attempt. With one retry a hung server costs two minutes once; then the endpoint's breaker skips it.
    int timeoutMs = 60000;
    int maxRetries = 1; ///< extra attempts after timeouts, connection errors, HTTP 429 and 5xx
    int maxConcurrent = 2; ///< requests in flight per client
    double temperature = 0.0;
    int maxTokens = 2048;
    int backoffMs = 500; ///< first retry delay; doubles per retry

    bool operator==(const LlmEndpoint &other) const;
    bool operator!=(const LlmEndpoint &other) const { return !(*this == other); }
};

/// The first thing wrong with an endpoint (bad URL, empty model, limits out of range), or ok.
Status validateEndpoint(const LlmEndpoint &endpoint);

/// For QSettings: every field, never a key.
nlohmann::json toJson(const LlmEndpoint &endpoint);
/// Missing fields keep their defaults; unknown fields, wrong types and invalid values are errors naming the field.
Result<LlmEndpoint> llmEndpointFromJson(const nlohmann::json &json);

/// The key for an endpoint: from apiKeyEnv when that variable is set, else from apiKeyFile; empty when neither is
/// configured. Errors name the variable or file, never the key. A key file readable by group or others is refused.
Result<std::string> resolveApiKey(const LlmEndpoint &endpoint,
                                  const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

enum class LlmRole { Decompose, Reason, Describe };

/// "decompose", "reason", "describe".
std::string toString(LlmRole role);

/// The endpoint of each role; a role without one falls back to TwinSeek's built-in, model-free behaviour.
struct LlmRoles {
    std::optional<LlmEndpoint> decompose;
    std::optional<LlmEndpoint> reason;
    std::optional<LlmEndpoint> describe; ///< a VLM: receives frames as images

    const std::optional<LlmEndpoint> &forRole(LlmRole role) const;
    std::optional<LlmEndpoint> &forRole(LlmRole role);
};

/// {"decompose": endpoint|null, "reason": ..., "describe": ...}.
nlohmann::json toJson(const LlmRoles &roles);
Result<LlmRoles> llmRolesFromJson(const nlohmann::json &json);

/// Applies the environment on top of base. TWINSEEK_LLM_{URL,MODEL,PROTOCOL,KEY_ENV,KEY_FILE,TIMEOUT_MS} apply to
/// every role, TWINSEEK_{DECOMPOSE,REASON,DESCRIBE}_{...} override them per role. A role the base lacks is created
/// when a URL reaches it and then needs a model. Invalid values are errors naming the variable.
Result<LlmRoles> llmRolesFromEnvironment(const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(),
                                         const LlmRoles &base = {});

} // namespace ts
