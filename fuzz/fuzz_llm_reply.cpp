// LLM reply parser: any HTTP 200 body, in either protocol's envelope, against a schema like the reasoner's. A reply
// it accepts holds JSON that the schema accepts.
#include "fuzzentry.h"
#include "llm/jsonschema.h"
#include "llm/llmclient.h"

#include <nlohmann/json.hpp>

#include <string>

TS_FUZZ_TARGET(llm_reply)
{
    if (size < 1)
        return 0;
    static const nlohmann::json schema = nlohmann::json::parse(R"({
        "type": "object",
        "properties": {
            "relevance": {"type": "number", "minimum": 0, "maximum": 1},
            "reason": {"type": "string", "maxLength": 400},
            "objects": {"type": "array", "maxItems": 8, "items": {
                "type": "object",
                "properties": {"track": {"type": "integer", "enum": [1, 2, 7]},
                               "frames": {"type": "array", "items": {"type": "array", "minItems": 2, "maxItems": 2,
                                                                     "items": {"type": "integer", "minimum": 0}}}},
                "required": ["track"], "additionalProperties": false}},
            "kind": {"type": "string", "enum": ["object", "spatial", "temporal"]}
        },
        "required": ["relevance", "reason"],
        "additionalProperties": false
    })");
    ts::LlmEndpoint endpoint;
    endpoint.protocol = (data[0] & 1) ? ts::LlmProtocol::Ollama : ts::LlmProtocol::OpenAiCompatible;
    endpoint.baseUrl = "http://127.0.0.1:9";
    endpoint.model = "fuzz";
    ts::LlmRequest request;
    if (data[0] & 2)
        request.schema = schema;
    const std::string body(reinterpret_cast<const char *>(data + 1), size - 1);
    auto reply = ts::parseLlmReplyBody(endpoint, request, body);
    if (reply && !request.schema.is_null())
        TS_FUZZ_CHECK(ts::validateJson(schema, reply->json).isOk());
    return 0;
}
