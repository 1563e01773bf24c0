#include "smallllm.h"

#include "services.h"

#include <QDir>

namespace ts::test {

std::string loadSmallLlm(std::shared_ptr<LocalLlm> &out, int contextTokens, std::string *path)
{
    ModelRegistry models(defaultAppPaths().manifestDirs,
                         QDir(QString::fromStdString(defaultAppPaths().cacheDir)).filePath("models").toStdString());
    models.loadManifests();
    const ModelManifest *m = models.find("gemma3_270m");
    if (!m || !models.availability(*m).available)
        return kSmallLlmMissing;
    LocalLlmOptions o;
    o.modelPath = models.modelPath(*m);
    o.contextTokens = contextTokens;
    auto loaded = LocalLlm::load(o);
    if (!loaded)
        return "the small model could not be loaded: " + loaded.message();
    out = *loaded;
    if (path)
        *path = o.modelPath;
    return {};
}

} // namespace ts::test
