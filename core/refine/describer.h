// The "describe" refinement: crops of one track (or whole frames) from a window of the video, sent as images to
// the describe role's vision-language model; its answer becomes an observation of kind "description" whose source
// is the model. The answer is data from the video like OCR text: it is stored and later quoted, never obeyed.
#pragma once

#include "base/cancel.h"
#include "base/result.h"
#include "llm/llmclient.h"
#include "refine/specialist.h"
#include "twin/twin.h"

#include <memory>
#include <string>

namespace ts {

struct DescribeOptions {
    int maxImages = 3;    ///< frames sent per request
    int maxSide = 448;    ///< crops are scaled down to fit
    float margin = 0.15f; ///< crops grow by this fraction of the box on every side
    int jpegQuality = 85;
};

class VlmDescriber {
public:
    explicit VlmDescriber(std::unique_ptr<LlmClient> client, DescribeOptions options = {});
    ~VlmDescriber();

    /// Reads twin.video.path, crops the track's boxes on up to maxImages analysed frames of [first, last] (whole
    /// frames for track 0) and asks the model. Blocking; worker threads only; thread-safe.
    Result<Observation> describe(const Twin &twin, TrackId track, FrameIndex first, FrameIndex last,
                                 const CancelToken &cancel);
    /// "openai:MODEL" or "ollama:MODEL".
    std::string name() const;

    static nlohmann::json outputSchema();

private:
    std::unique_ptr<LlmClient> m_client;
    DescribeOptions m_options;
};

/// The describe role as a Specialist; without a describer (no endpoint configured) every run says how to set one.
class DescribeSpecialist : public Specialist {
public:
    explicit DescribeSpecialist(std::unique_ptr<VlmDescriber> describer);
    RefinementKind kind() const override { return RefinementKind::Describe; }
    SpecialistInfo info() override;
    Result<RefinementOutcome> run(const Twin &twin, FrameWindow window, TrackId track,
                                  const CancelToken &cancel) override;

private:
    std::unique_ptr<VlmDescriber> m_describer; ///< thread-safe on its own
};

} // namespace ts
