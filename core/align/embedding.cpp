#include "embedding.h"

#include "align/components.h"

namespace ts {

Status embedTwin(TwinStore &store, const Twin &twin, VideoId videoId, const TextEncoder *encoder)
{
    const std::vector<Component> components = componentsOf(twin);
    if (!encoder)
        return store.putComponents(videoId, components, {}, std::string());
    std::vector<std::string> texts;
    texts.reserve(components.size());
    for (const Component &c : components)
        texts.push_back(c.text);
    const std::vector<float> flat = encoder->encode(Tower::Component, texts);
    const size_t dim = static_cast<size_t>(encoder->dimensions());
    std::vector<std::vector<float>> vectors(components.size());
    for (size_t i = 0; i < components.size(); ++i)
        vectors[i].assign(flat.begin() + static_cast<std::ptrdiff_t>(i * dim),
                          flat.begin() + static_cast<std::ptrdiff_t>((i + 1) * dim));
    return store.putComponents(videoId, components, vectors, encoder->version());
}

EmbedSummary embedLibrary(TwinStore &store, const TextEncoder &encoder, EmbedScope scope, const CancelToken &cancel,
                          const ProgressFn &progress)
{
    EmbedSummary summary;
    const std::vector<VideoRow> rows = store.videos();
    ProgressThrottle throttle(progress);
    throttle.report(0.0, "embedding components");
    for (size_t i = 0; i < rows.size(); ++i) {
        if (cancel.isCancelled()) {
            summary.cancelled = true;
            break;
        }
        const VideoRow &row = rows[i];
        if (row.status != VideoStatus::Done)
            continue;
        if (scope == EmbedScope::Stale && row.encoderVersion == encoder.version()) {
            ++summary.upToDate;
            continue;
        }
        auto twin = store.loadTwin(row.key, TwinDetail::NoMasks);
        if (!twin) {
            summary.failures.push_back(row.key + ": " + twin.message());
            continue;
        }
        // A twin without components stays without: writing nothing again would only look like a change.
        if (componentsOf(*twin).empty() && store.components(row.id).empty()) {
            ++summary.upToDate;
            continue;
        }
        Status s = embedTwin(store, *twin, row.id, &encoder);
        if (!s)
            summary.failures.push_back(row.key + ": " + s.message());
        else
            summary.embedded.push_back(row.key);
        throttle.report(static_cast<double>(i + 1) / static_cast<double>(rows.size()), row.key);
    }
    throttle.report(1.0, "done");
    return summary;
}

} // namespace ts
