// The LLM implementations of the two reasoning roles: LlmDecomposer splits an implicit query into explicit
// sub-queries; LlmReasoner judges one candidate from its compacted twin and names the gaps just-in-time refinement
// could close. Both ask for structured output (schema-checked by the client) and then check what the schema cannot
// say (track ids that exist, frames in the video, sub-query indices in range); any failure is an error, so the
// pipeline falls back to the built-in reasoner and records why.
//
// Prompt safety: the system message holds only the task and the output contract. Everything that came from a
// video (labels, OCR, descriptions) reaches the model as JSON inside one delimited data block of the user message,
// with '<' and '>' escaped so no text in it can close the block.
#pragma once

#include "llm/llmclient.h"
#include "reason/reasoner.h"
#include "reason/twincompact.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

namespace ts {

/// Tags around the twin's JSON in the reasoner's user message.
extern const char *const kTwinDataBegin;
extern const char *const kTwinDataEnd;

/**
 * A circuit breaker per LLM server. After a transport failure (unreachable, timing out, HTTP 5xx, bad key) calls
 * fail at once and fall back, for this query and the following ones, instead of each waiting through its own
 * timeouts; after a cooldown one call is let through to probe the server. A failed probe doubles the cooldown, any
 * reply closes the breaker. An evaluation over a dead server so pays the timeout about once, not once per query.
 * Shared by the clients of one server; thread-safe.
 */
class EndpointHealth {
public:
    using Clock = std::chrono::steady_clock;
    explicit EndpointHealth(std::chrono::milliseconds firstCooldown = std::chrono::minutes(2),
                            std::chrono::milliseconds maxCooldown = std::chrono::minutes(30));

    /// Empty when a call may go (the breaker is closed, or this call is the probe); else the failure that opened it.
    std::string admit();
    /// The failure that opened the breaker, or empty; admits nothing.
    std::string blockedBecause() const;
    /// A call's failure: transport failures open the breaker (or keep it open, longer); other errors mean the
    /// server answered, which closes it.
    void recordFailure(const std::string &message);
    void recordSuccess();
    /// A call was cancelled: it tells nothing about the server (a probe may be made again).
    void recordCancelled();
    /// How many times it opened since it was made (lets a caller tell whether it opened during a query).
    int trips() const { return m_trips.load(); }
    static bool isTransportFailure(const std::string &message);

private:
    mutable std::mutex m_mutex;
    std::string m_blocked;
    Clock::time_point m_retryAt;
    std::chrono::milliseconds m_firstCooldown;
    std::chrono::milliseconds m_maxCooldown;
    std::chrono::milliseconds m_cooldown;
    bool m_probing = false;
    std::atomic<int> m_trips{0};
};

/// A skipped call's message: the endpoint's breaker is open.
std::string endpointSkippedBecause(const std::string &why);
/// A reply tells the endpoint's health: success, failure, or nothing (cancelled).
void recordLlmOutcome(EndpointHealth &health, const Result<LlmReply> &reply, const CancelToken &cancel);

/// The reply format of a decomposition. Full: named fields with weights, for servers. Compact: one-letter keys, no
/// weights, at most 4 sub-queries of 3 concepts, for a model on a CPU, where every generated token costs ~0.1-0.2 s.
enum class DecompositionFormat { Full, Compact };

class LlmDecomposer : public Decomposer {
public:
    explicit LlmDecomposer(std::unique_ptr<LlmClient> client, std::shared_ptr<EndpointHealth> health = {},
                           DecompositionFormat format = DecompositionFormat::Full);
    /// Blocking; worker threads only.
    Result<Decomposition> decompose(const std::string &query, const CancelToken &cancel) override;
    std::string name() const override;

    static nlohmann::json outputSchema(DecompositionFormat format = DecompositionFormat::Full);
    LlmRequest buildRequest(const std::string &query) const;
    /// The sub-queries of a schema-valid reply (either format), or what is wrong with them.
    /// Sub-queries from a schema-valid reply; a compact reply's "thing" nouns lead the main object's concepts.
    static Result<std::vector<SubQuery>> interpret(const nlohmann::json &reply);
    /// The worked examples (user, assistant, ...) the compact format puts before the query.
    static std::vector<LlmMessage> fewShotMessages(DecompositionFormat format);

private:
    std::unique_ptr<LlmClient> m_client;
    std::shared_ptr<EndpointHealth> m_health;
    DecompositionFormat m_format;
};

struct LlmReasonerOptions {
    CompactOptions compact; ///< the twin's share of the context
    int maxGaps = 3;        ///< refinement requests a verdict may carry
    int maxSteps = 12;      ///< reasoning steps a verdict may carry
    int maxStepChars = 400; ///< length of one reasoning step
    int maxObjects = 24;    ///< grounded tracks a verdict may name
    int maxSpans = 16;      ///< frame spans per grounded track
};

class LlmReasoner : public Reasoner {
public:
    explicit LlmReasoner(std::unique_ptr<LlmClient> client, LlmReasonerOptions options = {},
                         std::shared_ptr<EndpointHealth> health = {});
    /// Blocking; worker threads only; thread-safe (the client limits the requests in flight).
    Result<ReasonVerdict> reason(const ReasonQuery &query, const Twin &twin, const CancelToken &cancel) override;
    std::string name() const override;

    static nlohmann::json outputSchema(int maxGaps, int maxSteps = 12, int maxStepChars = 400, int maxObjects = 24,
                                       int maxSpans = 16);
    /// What the model is told about one candidate (system: task and contract; user: query, then the twin as data).
    LlmRequest buildRequest(const ReasonQuery &query, const Twin &twin, CompactTwin *compacted = nullptr) const;
    /// The verdict of a schema-valid reply, after the checks the schema cannot make, or what is wrong.
    static Result<ReasonVerdict> interpret(const nlohmann::json &reply, const ReasonQuery &query, const Twin &twin,
                                           const std::string &source);

private:
    std::unique_ptr<LlmClient> m_client;
    LlmReasonerOptions m_options;
    std::shared_ptr<EndpointHealth> m_health;
};

} // namespace ts
