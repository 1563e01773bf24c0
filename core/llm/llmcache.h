// A cache of LLM answers on disk, keyed by the model and the whole request (instructions, query, twin data, schema):
// a changed prompt, model or twin is a different key, so re-running an evaluation or an ablation never asks the same
// question twice, and nothing stale is ever served. Only schema-valid answers are kept.
#pragma once

#include "llm/llmclient.h"

#include <memory>
#include <string>

namespace ts {

/// Wraps client; answers live in dir as one JSON file per key (written atomically). Thread-safe as client is.
std::unique_ptr<LlmClient> makeCachingLlmClient(std::unique_ptr<LlmClient> client, std::string dir);

/// The cache key of a request to a model: SHA-256 hex of the model name, the messages and the schema.
std::string llmCacheKey(const std::string &modelName, const LlmRequest &request);

} // namespace ts
