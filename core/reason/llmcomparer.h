// The LLM reading a shortlist side by side: for each candidate video, what in it bears on the query and whether it
// satisfies the query. A small model on a CPU scores one twin on an absolute scale badly (the embedded 1.5B model
// gave relevance 1.0 to three videos of one query and rejected every video of another); a yes or no per short
// summary, with the others in view, is a task it can do, and one request for the shortlist costs less than one per
// candidate.
//
// Prompt safety as in llmreasoner.h: the system message holds only the task and the contract; the summaries, built
// from what the vision models found (labels, attributes, relations, text read in frames), reach the model as JSON
// inside one delimited data block with '<' and '>' escaped.
#pragma once

#include "reason/llmreasoner.h"
#include "reason/reasoner.h"

#include <memory>
#include <string>
#include <vector>

namespace ts {

/// Tags around the candidates' summaries in the comparer's user message.
extern const char *const kCandidatesBegin;
extern const char *const kCandidatesEnd;

struct CompareSummaryOptions {
    int tracks = 5;        ///< most salient tracks per candidate
    int alternatives = 2;  ///< label alternatives per track
    int relations = 4;     ///< strongest relations per candidate
    int sceneLabels = 3;
    int texts = 3;         ///< observations (OCR, descriptions) per candidate, quoted as data
    int textChars = 100;   ///< longer observation text is cut
};

/// A candidate as the comparer shows it: {"objects": ["1: boat (or canoe), green, fast, 57% of the video", ...],
/// "scene": [...], "relations": ["person 1 on surfboard 3"], "text_in_video": [...]}. Deterministic.
nlohmann::json compareSummary(const Twin &twin, const CompareSummaryOptions &options = {});

class LlmComparer : public Comparer {
public:
    explicit LlmComparer(std::unique_ptr<LlmClient> client, CompareSummaryOptions options = {},
                         std::shared_ptr<EndpointHealth> health = {});
    /// Blocking; worker threads only.
    Result<ComparisonVerdict> compare(const ReasonQuery &query, const std::vector<const Twin *> &candidates,
                                      const CancelToken &cancel) override;
    std::string name() const override;

    static nlohmann::json outputSchema(int candidates);
    LlmRequest buildRequest(const ReasonQuery &query, const std::vector<const Twin *> &candidates) const;
    /// The verdict of a schema-valid reply (a verdict per shown candidate; those past kMaxCandidates do not fit),
    /// or what is wrong.
    static Result<ComparisonVerdict> interpret(const nlohmann::json &reply, const std::vector<const Twin *> &candidates,
                                               const std::string &source);

private:
    std::unique_ptr<LlmClient> m_client;
    CompareSummaryOptions m_options;
    std::shared_ptr<EndpointHealth> m_health;
};

} // namespace ts
