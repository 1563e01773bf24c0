// The paper's tables from one query set: every system (the full system, the fast and no-LLM modes, the ablations
// that switch off QD, CA, LR or JiT one at a time, distractor scaling, and two baselines: BM25 over the twins' text
// and a holistic single-vector embedding) over the same library, with retrieval and grounding metrics per query.
// Each engine system that refines runs on its own copy of the library (just-in-time refinement writes refined
// twins), and a checkpoint per system lets an interrupted run resume. The engines come from the caller, so this
// module knows no composition root.
#pragma once

#include "base/cancel.h"
#include "base/result.h"
#include "eval/distractors.h"
#include "eval/queryset.h"
#include "eval/report.h"
#include "retrieval/engine.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ts {

class Lexicon;
class TwinStore;
struct VideoRow;

enum class EvalSystemKind { Engine, Bm25, Holistic };

/// One row of the table.
struct EvalSystem {
    std::string name; ///< as the table shows it
    std::string slug; ///< file names (checkpoint-SLUG.jsonl, library-SLUG.sqlite, run-SLUG.trec)
    EvalSystemKind kind = EvalSystemKind::Engine;
    RetrievalOptions options;
    int distractors = 0; ///< synthetic twins added to this system's copy of the library
    bool withLlm = true; ///< false: the no-LLM fallback (neither endpoints nor the embedded model)
};

/// Which rows the standard table has, beside the full system.
struct EvalRows {
    bool haveLlm = false; ///< an LLM (endpoint or embedded) is configured
    bool modes = true;    ///< with an LLM: the fast-mode (after a deep full system) and no-LLM rows
    std::vector<std::string> ablations{"QD", "CA", "LR", "JIT"};
    std::vector<int> distractors; ///< distractor-scaling rows
    bool baselines = true;
};

/// The systems of the table from the options of the full system.
std::vector<EvalSystem> standardSystems(const RetrievalOptions &base, const EvalRows &rows);

struct EvaluationSetup {
    std::string outDir;     ///< checkpoints and library copies (must exist)
    std::string corpusRoot; ///< the query set's ground-truth folders are relative to it; empty: no grounding
    double accept = 0.5;    ///< relevance a video needs to count as an answer for the no-answer controls
    bool contour = true;    ///< contour accuracy F beside J (slower)
    bool fresh = false;     ///< ignore checkpoints of an earlier run
    /// The engine of an engine system; called once per system. Required when there is one.
    std::function<std::unique_ptr<RetrievalEngine>(const EvalSystem &)> makeEngine;
    /// Labels for synthetic distractors (distractor rows only).
    std::function<DistractorVocabulary()> distractorVocabulary;
    /// Embeds a twin added to a library copy, so the coarse stage sees distractors; empty: not embedded.
    std::function<std::function<Status(const Twin &, int64_t videoId)>(TwinStore &)> embeddingHook;
    const Lexicon *lexicon = nullptr; ///< word vectors for the holistic baseline
    /// Progress over all systems and queries (0..1, "slug query-id"); on the calling thread.
    std::function<void(double fraction, const std::string &label)> progress;
};

struct EvaluationRun {
    std::vector<SystemReport> reports; ///< in the order of the systems (fewer when interrupted)
    std::vector<std::string> warnings; ///< relevant videos missing from the library, unreadable ground truth...
    bool interrupted = false;          ///< cancelled: run again to resume from the checkpoints
};

/// Blocking; a worker thread or a command-line main. Fails only when a library copy or a distractor cannot be
/// made; a query that fails is reported with its error and the run goes on.
Result<EvaluationRun> runEvaluation(TwinStore &store, const QuerySet &set, const std::vector<EvalSystem> &systems,
                                    const EvaluationSetup &setup, const CancelToken &cancel);

/// report.json, report.md, qrels.txt, run-SLUG.trec per system, the recall and rank plots, and thumbnails of the
/// results the Markdown report shows (decoded from the library's video files) into outDir.
Status writeEvaluationFiles(const std::string &outDir, std::vector<SystemReport> &reports,
                            const std::vector<EvalSystem> &systems, const QuerySet &set,
                            const std::vector<VideoRow> &library);

} // namespace ts
