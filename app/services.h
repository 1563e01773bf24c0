// The composition root: builds the services both executables and the tests share (model registry, inference
// runtimes, WordNet, stores, twin builders) and hands them out. No globals: whoever needs a service gets it
// from here through a constructor.
#pragma once

#include "base/result.h"
#include "knowledge/wordnet.h"
#include "store/twinstore.h"
#include "vision/inference.h"
#include "vision/modelregistry.h"
#include "vision/twinbuilder.h"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace ts {

struct AppPaths {
    std::string cacheDir; ///< model cache and runtimes (TWINSEEK_CACHE_DIR or the user's cache folder)
    std::vector<std::string> manifestDirs; ///< user manifests first, then the shipped ones
    std::string wordnetDir;
};

/// Paths from the environment, the installed layout and the user's standard folders.
AppPaths defaultAppPaths();

class Services {
public:
    explicit Services(AppPaths paths = defaultAppPaths());
    ~Services();

    const AppPaths &paths() const { return m_paths; }
    ModelRegistry &models() { return *m_models; }
    BackendRegistry &backends() { return *m_backends; }
    /// Inference sessions shared by every worker where the runtime allows it.
    SessionCache &sessions() { return *m_sessions; }
    /// WordNet, loaded on first use (nullptr with a message in wordnetError() when missing).
    const WordNet *wordnet();
    const std::string &wordnetError() const { return m_wordnetError; }

    std::unique_ptr<TwinBuilder> makeBuilder(const TwinBuilderConfig &config);
    static Result<std::unique_ptr<TwinStore>> openStore(const std::string &path);

private:
    AppPaths m_paths;
    std::unique_ptr<ModelRegistry> m_models;
    std::unique_ptr<BackendRegistry> m_backends;
    std::unique_ptr<SessionCache> m_sessions;
    std::once_flag m_wordnetOnce;
    std::unique_ptr<WordNet> m_wordnet;
    std::string m_wordnetError;
};

std::string twinseekVersion();

} // namespace ts
