#include "services.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

#ifdef TWINSEEK_HAVE_ONNXRUNTIME
#include "vision/backends/onnxruntimebackend.h"
#endif
#ifdef TWINSEEK_HAVE_TORCH
#include "vision/backends/torchbackend.h"
#endif

namespace ts {

std::string twinseekVersion() { return TWINSEEK_VERSION; }

AppPaths defaultAppPaths()
{
    AppPaths p;
    const QByteArray cacheEnv = qgetenv("TWINSEEK_CACHE_DIR");
    if (!cacheEnv.isEmpty())
        p.cacheDir = QString::fromLocal8Bit(cacheEnv).toStdString();
    else
        p.cacheDir = QDir(QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation))
                         .filePath("twinseek")
                         .toStdString();
    // Manifests: the user's own first (they override), then an explicit directory, then the shipped ones.
    const QString userDir =
        QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)).filePath("twinseek/models");
    p.manifestDirs.push_back(userDir.toStdString());
    const QByteArray modelsEnv = qgetenv("TWINSEEK_MODELS_DIR");
    if (!modelsEnv.isEmpty())
        p.manifestDirs.push_back(QString::fromLocal8Bit(modelsEnv).toStdString());
    const QString appDir = QCoreApplication::instance() ? QCoreApplication::applicationDirPath() : QString();
    if (!appDir.isEmpty()) {
        const QString installed = QDir(appDir).filePath("../share/twinseek/models");
        if (QFileInfo::exists(installed))
            p.manifestDirs.push_back(QDir::cleanPath(installed).toStdString());
    }
#ifdef TWINSEEK_SOURCE_DIR
    p.manifestDirs.push_back(std::string(TWINSEEK_SOURCE_DIR) + "/models");
#endif
    p.wordnetDir = WordNet::defaultDirectory();
    return p;
}

Services::Services(AppPaths paths) : m_paths(std::move(paths))
{
    m_models = std::make_unique<ModelRegistry>(m_paths.manifestDirs, QDir(QString::fromStdString(m_paths.cacheDir))
                                                                          .filePath("models")
                                                                          .toStdString());
    m_models->loadManifests();
    m_backends = std::make_unique<BackendRegistry>();
#ifdef TWINSEEK_HAVE_ONNXRUNTIME
    m_backends->add(makeOnnxRuntimeBackend());
#endif
    m_backends->add(makeOpenCvBackend());
#ifdef TWINSEEK_HAVE_TORCH
    m_backends->add(makeTorchBackend());
#endif
    m_sessions = std::make_unique<SessionCache>(*m_backends);
}

Services::~Services() = default;

const WordNet *Services::wordnet()
{
    std::call_once(m_wordnetOnce, [this] {
        if (m_paths.wordnetDir.empty()) {
            m_wordnetError = "WordNet database not found (install Debian's wordnet-base)";
            return;
        }
        auto wn = WordNet::load(m_paths.wordnetDir);
        if (wn)
            m_wordnet = std::move(wn).value();
        else
            m_wordnetError = wn.message();
    });
    return m_wordnet.get();
}

std::unique_ptr<TwinBuilder> Services::makeBuilder(const TwinBuilderConfig &config)
{
    return std::make_unique<TwinBuilder>(*m_models, *m_sessions, wordnet(), config);
}

Result<std::unique_ptr<TwinStore>> Services::openStore(const std::string &path) { return TwinStore::open(path); }

} // namespace ts
