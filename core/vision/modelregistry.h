// Model manifests (models/*.json) and the local model cache. A manifest says what a model is for (role), which
// runtimes can run it, how to feed it and decode it, its licence, checksum and where it can be fetched from.
// A user adds a model by dropping a file and a manifest into a manifest directory.
#pragma once

#include "base/result.h"

#include <nlohmann/json.hpp>

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace ts {

struct ModelFileSpec {
    std::string name;
    std::string sha256; ///< empty for user files that do not declare one (reported as unverified)
    nlohmann::json sources; ///< ordered list used by the set-up fetcher
};

struct InputSpec {
    int width = 0;
    int height = 0;
    std::string layout = "nchw"; ///< "nchw" or "nhwc"
    std::string channels = "bgr"; ///< "bgr" or "rgb"
    float scale = 1.f; ///< pixel * scale, then (x - mean) / std
    float mean[3] = {0.f, 0.f, 0.f};
    float std[3] = {1.f, 1.f, 1.f};
    std::string resize = "stretch"; ///< "stretch", "letterbox", "center_crop" or "keep_aspect"
    int padValue = 0;
    int multiple = 32; ///< keep_aspect: the long side is max(width, height), the short one a multiple of this
};

struct ModelManifest {
    std::string id;
    std::string role; ///< detector, classifier, segmenter, salient, depth, ocr_det, ocr_rec, face, embedding...
    std::string description;
    std::string licence;
    std::vector<std::string> runtimes; ///< in order of preference
    std::vector<ModelFileSpec> files;
    std::string modelFile; ///< name of the file among files (or a path relative to the manifest)
    std::string labelsFile; ///< optional
    InputSpec input;
    nlohmann::json output; ///< decoder and its parameters
    bool optional = true;
    int priority = 0; ///< higher wins among models of one role
    std::string manifestPath;
};

struct ModelAvailability {
    bool available = false;
    bool verified = false;
    std::string message;
};

/// Reads manifests and resolves their files in the cache. Thread-safe after loadManifests().
class ModelRegistry {
public:
    ModelRegistry(std::vector<std::string> manifestDirs, std::string cacheDir);

    /// Parses every *.json in the manifest directories; broken manifests are listed in problems().
    void loadManifests();
    static Result<ModelManifest> parseManifest(const nlohmann::json &j, const std::string &manifestPath);

    const std::vector<ModelManifest> &manifests() const { return m_manifests; }
    const std::vector<std::string> &problems() const { return m_problems; }
    const ModelManifest *find(const std::string &id) const;
    /// Manifests of a role, best first (priority, then id).
    std::vector<const ModelManifest *> forRole(const std::string &role) const;
    /// The best available model of a role (nullptr when none is present and valid).
    const ModelManifest *bestAvailable(const std::string &role) const;

    /// Absolute path of one of the manifest's files: next to the manifest, else in the cache.
    std::string filePath(const ModelManifest &m, const std::string &name) const;
    std::string modelPath(const ModelManifest &m) const { return filePath(m, m.modelFile); }
    /// Present and matching its checksum (verified once, then remembered by size and mtime).
    ModelAvailability availability(const ModelManifest &m) const;
    const std::string &cacheDir() const { return m_cacheDir; }

private:
    std::vector<std::string> m_dirs;
    std::string m_cacheDir;
    std::vector<ModelManifest> m_manifests;
    std::vector<std::string> m_problems;
    mutable std::mutex m_mutex;
    mutable std::map<std::string, ModelAvailability> m_checked;
};

/// SHA-256 of a file as lower-case hex; empty string when unreadable.
std::string sha256File(const std::string &path);

} // namespace ts
