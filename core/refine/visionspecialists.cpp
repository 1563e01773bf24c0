#include "visionspecialists.h"

#include <algorithm>
#include <mutex>

namespace ts {

namespace {

/// The Refiner the five share, made on first use, one request at a time.
struct SharedRefiner {
    const ModelRegistry &models;
    SessionCache &sessions;
    const WordNet *wordnet;
    RefinerConfig config;
    std::mutex mutex;
    std::unique_ptr<Refiner> refiner;

    Refiner &get()
    {
        if (!refiner)
            refiner = std::make_unique<Refiner>(models, sessions, wordnet, config);
        return *refiner;
    }
};

/// What the five have in common: the shared Refiner and how they describe themselves.
class RefinerSpecialist : public Specialist {
public:
    RefinerSpecialist(std::shared_ptr<SharedRefiner> shared, std::string role, int maxFrames, bool needsTrack = false)
        : m_shared(std::move(shared)), m_role(std::move(role)), m_maxFrames(maxFrames), m_needsTrack(needsTrack)
    {
    }

    SpecialistInfo info() override
    {
        SpecialistInfo out;
        out.kind = kind();
        out.needsTrack = m_needsTrack;
        out.maxFrames = m_maxFrames;
        out.status = "disabled: no model of role \"" + m_role + "\"";
        std::lock_guard<std::mutex> lock(m_shared->mutex);
        for (const RoleRecord &r : m_shared->get().capabilities())
            if (r.role == m_role) {
                out.model = r.model;
                out.runtime = r.runtime;
                out.status = r.status;
            }
        return out;
    }

    Result<RefinementOutcome> run(const Twin &twin, FrameWindow window, TrackId track,
                                  const CancelToken &cancel) override
    {
        if (m_needsTrack && track == 0)
            return Result<RefinementOutcome>::error("a better mask needs a track");
        std::lock_guard<std::mutex> lock(m_shared->mutex);
        return runOn(m_shared->get(), twin, window, track, cancel);
    }

protected:
    virtual Result<RefinementOutcome> runOn(Refiner &refiner, const Twin &twin, FrameWindow window, TrackId track,
                                            const CancelToken &cancel) = 0;

private:
    std::shared_ptr<SharedRefiner> m_shared;
    std::string m_role; ///< the model role of Refiner::capabilities()
    int m_maxFrames;
    bool m_needsTrack;
};

class OcrSpecialist : public RefinerSpecialist {
public:
    explicit OcrSpecialist(std::shared_ptr<SharedRefiner> s) : RefinerSpecialist(s, "ocr", s->config.maxOcrFrames) {}
    RefinementKind kind() const override { return RefinementKind::Ocr; }

protected:
    Result<RefinementOutcome> runOn(Refiner &r, const Twin &twin, FrameWindow window, TrackId track,
                                    const CancelToken &cancel) override
    {
        return r.ocr(twin, window, track, cancel);
    }
};

class MaskSpecialist : public RefinerSpecialist {
public:
    explicit MaskSpecialist(std::shared_ptr<SharedRefiner> s)
        : RefinerSpecialist(s, "segmenter", s->config.maxMaskFrames, true)
    {
    }
    RefinementKind kind() const override { return RefinementKind::Mask; }

protected:
    Result<RefinementOutcome> runOn(Refiner &r, const Twin &twin, FrameWindow window, TrackId track,
                                    const CancelToken &cancel) override
    {
        return r.betterMask(twin, window, track, cancel);
    }
};

class DenseSpecialist : public RefinerSpecialist {
public:
    explicit DenseSpecialist(std::shared_ptr<SharedRefiner> s)
        : RefinerSpecialist(s, "dense", s->config.maxDenseFrames)
    {
    }
    RefinementKind kind() const override { return RefinementKind::Dense; }

protected:
    Result<RefinementOutcome> runOn(Refiner &r, const Twin &twin, FrameWindow window, TrackId,
                                    const CancelToken &cancel) override
    {
        // Denser than ingest, but bounded: the refiner caps the frames per window too.
        const double fps =
            twin.video.fps > 0 ? std::min(twin.video.fps, std::max(8.0, 2.0 * twin.sampling.detectFps)) : 8.0;
        return r.denseSample(twin, window, fps, cancel);
    }
};

class FacesSpecialist : public RefinerSpecialist {
public:
    explicit FacesSpecialist(std::shared_ptr<SharedRefiner> s) : RefinerSpecialist(s, "face", s->config.maxFaceFrames)
    {
    }
    RefinementKind kind() const override { return RefinementKind::Faces; }

protected:
    Result<RefinementOutcome> runOn(Refiner &r, const Twin &twin, FrameWindow window, TrackId track,
                                    const CancelToken &cancel) override
    {
        return r.faces(twin, window, track, cancel);
    }
};

class DepthSpecialist : public RefinerSpecialist {
public:
    explicit DepthSpecialist(std::shared_ptr<SharedRefiner> s)
        : RefinerSpecialist(s, "depth", s->config.maxDepthFrames)
    {
    }
    RefinementKind kind() const override { return RefinementKind::Depth; }

protected:
    Result<RefinementOutcome> runOn(Refiner &r, const Twin &twin, FrameWindow window, TrackId,
                                    const CancelToken &cancel) override
    {
        return r.depth(twin, window, cancel);
    }
};

} // namespace

std::vector<std::unique_ptr<Specialist>> makeVisionSpecialists(const ModelRegistry &models, SessionCache &sessions,
                                                               const WordNet *wordnet, RefinerConfig config)
{
    auto shared = std::shared_ptr<SharedRefiner>(new SharedRefiner{models, sessions, wordnet, std::move(config), {}, {}});
    std::vector<std::unique_ptr<Specialist>> out;
    out.push_back(std::make_unique<OcrSpecialist>(shared));
    out.push_back(std::make_unique<MaskSpecialist>(shared));
    out.push_back(std::make_unique<DenseSpecialist>(shared));
    out.push_back(std::make_unique<FacesSpecialist>(shared));
    out.push_back(std::make_unique<DepthSpecialist>(shared));
    return out;
}

} // namespace ts
