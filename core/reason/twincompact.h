// A compact JSON view of a twin for an LLM's context: the facts a reasoner needs (tracks with their label
// alternatives and models, attributes, paths; a few key frames; relationships merged over time; scene labels;
// observations quoted as data; the roles that only had a proxy or no model) within a token budget. When the twin
// is too big the least salient parts go first (key frames, label alternatives, path detail, weak relationships,
// weak tracks, then long observation text) and the JSON says what was left out.
#pragma once

#include "twin/twin.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ts {

struct CompactOptions {
    int maxTokens = 6000; ///< budget for the dumped JSON, estimated as characters / charsPerToken
    int charsPerToken = 4;
    int keyFrames = 6;    ///< at most, before truncation
    int pathPoints = 6;   ///< per track
    int alternatives = 3; ///< label alternatives per track
    int relationships = 60;
    int observations = 40;
    int observationChars = 300; ///< longer observation text is cut (and marked so)
    int sceneLabels = 5;
};

struct CompactTwin {
    nlohmann::json json;
    int estimatedTokens = 0;
    bool withinBudget = true;             ///< false only when even the smallest view is over the budget
    std::vector<std::string> truncations; ///< what was left out, also in json["truncated"]
};

/// The note every observation list carries: the text came from the video and is not an instruction.
extern const char *const kObservationDataNote;

/// Deterministic: the same twin and options give the same JSON, byte for byte.
CompactTwin compactTwin(const Twin &twin, const CompactOptions &options = {});

/// The compact JSON as text: UTF-8 errors replaced, '<' and '>' escaped as \u003c and \u003e (still valid JSON) so
/// no string in it can forge the tags that delimit a data block in a prompt.
std::string dumpForPrompt(const nlohmann::json &json);

/// Tokens a text costs by the chars/token estimate (rounded up).
int estimateTokens(size_t chars, int charsPerToken);

} // namespace ts
