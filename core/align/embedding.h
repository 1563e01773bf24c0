// Embedding twin components into the library: after ingest (one video, on the ingest worker) and when the
// encoder changed (every video whose stored encoder version differs). Only components and embeddings are
// written, in one transaction per video; twins are never touched.
#pragma once

#include "align/textencoder.h"
#include "base/cancel.h"
#include "store/twinstore.h"

#include <string>
#include <vector>

namespace ts {

/// Stores the twin's components with their embeddings (or without, when encoder is nullptr). Worker threads.
Status embedTwin(TwinStore &store, const Twin &twin, VideoId videoId, const TextEncoder *encoder);

enum class EmbedScope { Stale, All };

struct EmbedSummary {
    std::vector<std::string> embedded; ///< keys of the videos (re-)embedded
    int upToDate = 0;
    std::vector<std::string> failures; ///< "key: why"
    bool cancelled = false;
};

/// Embeds the components of every done video whose encoder version differs from the encoder's (Stale) or of all.
/// Blocking; progress reports per video.
EmbedSummary embedLibrary(TwinStore &store, const TextEncoder &encoder, EmbedScope scope, const CancelToken &cancel,
                          const ProgressFn &progress);

} // namespace ts
