#include "services.h"

#include "align/alignedsearch.h"
#include "align/embedding.h"
#include "align/sentenceencoder.h"
#include "align/textencoder.h"
#include "media/videoreader.h"
#include "llm/llmclient.h"
#ifdef TWINSEEK_HAVE_LLAMA
#include "llm/localllm.h"
#endif

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

#include <algorithm>
#include <filesystem>

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
    if (qEnvironmentVariableIsSet("TWINSEEK_FFMPEG_LOG"))
        setFfmpegDiagnostics(true);
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

const WordVectors *Services::wordVectors()
{
    std::call_once(m_vectorsOnce, [this] {
        const ModelManifest *m = m_models->bestAvailable("word-vectors");
        if (!m) {
            m_vectorsError = "no word vectors installed (run scripts/setup.sh): the built-in reasoner uses WordNet only";
            return;
        }
        auto wv = WordVectors::load(m_models->modelPath(*m));
        if (wv)
            m_vectors = std::move(wv).value();
        else
            m_vectorsError = wv.message();
    });
    return m_vectors.get();
}

const Lexicon &Services::lexicon()
{
    std::call_once(m_lexiconOnce, [this] { m_lexicon = std::make_unique<Lexicon>(wordnet(), wordVectors()); });
    return *m_lexicon;
}

Result<LlmRoles> Services::llmRolesFromEnv(const LlmRoles &base) { return llmRolesFromEnvironment(QProcessEnvironment::systemEnvironment(), base); }

std::unique_ptr<TwinBuilder> Services::makeBuilder(const TwinBuilderConfig &config)
{
    return std::make_unique<TwinBuilder>(*m_models, *m_sessions, wordnet(), config);
}

Result<std::unique_ptr<TwinStore>> Services::openStore(const std::string &path, StoreAccess access)
{
    return TwinStore::open(path, access);
}

std::vector<std::string> Services::alignerPaths() const
{
    const QByteArray env = qgetenv("TWINSEEK_ALIGNER");
    if (!env.isEmpty())
        return {QString::fromLocal8Bit(env).toStdString()};
    namespace fs = std::filesystem;
    for (const std::string &dir : m_paths.manifestDirs) {
        std::error_code ec;
        std::vector<std::string> found;
        for (const auto &entry : fs::directory_iterator(fs::path(dir) / "trained", ec)) {
            const std::string name = entry.path().filename().string();
            if (name.rfind("aligner-", 0) == 0 && entry.path().extension() == ".bin")
                found.push_back(entry.path().string());
        }
        if (!found.empty()) {
            std::sort(found.rbegin(), found.rend());
            return found;
        }
    }
    return {};
}

std::string Services::alignerPath()
{
    aligner();
    if (!m_alignerLoadedPath.empty())
        return m_alignerLoadedPath;
    const std::vector<std::string> paths = alignerPaths();
    return paths.empty() ? std::string() : paths.front();
}

const SentenceEncoder *Services::sentenceEncoder()
{
    std::call_once(m_sentenceOnce, [this] {
        if (qEnvironmentVariable("TWINSEEK_SENTENCE_ENCODER").trimmed().compare("off", Qt::CaseInsensitive) == 0) {
            m_sentenceError = "the sentence encoder is switched off (TWINSEEK_SENTENCE_ENCODER=off)";
            return;
        }
        const ModelManifest *m = m_models->bestAvailable("sentence-encoder");
        if (!m) {
            m_sentenceError = "no sentence encoder installed (role sentence-encoder; run scripts/setup.sh)";
            return;
        }
        std::string vocab;
        for (const ModelFileSpec &f : m->files)
            if (QString::fromStdString(f.name).endsWith("vocab.txt"))
                vocab = m_models->filePath(*m, f.name);
        if (vocab.empty()) {
            m_sentenceError = m->manifestPath + ": the sentence encoder lists no vocab.txt";
            return;
        }
        auto loaded = SentenceEncoder::load(m_models->modelPath(*m), vocab);
        if (loaded)
            m_sentence = std::move(loaded).value();
        else
            m_sentenceError = loaded.message();
    });
    return m_sentence.get();
}

const TextEncoder *Services::aligner()
{
    std::call_once(m_alignerOnce, [this] {
        const std::vector<std::string> paths = alignerPaths();
        if (paths.empty()) {
            m_alignerError = "no trained aligner installed (models/trained/aligner-*.bin; see `twinseek-cli train-aligner`)";
            return;
        }
        if (!wordVectors()) {
            m_alignerError = "the aligner needs word vectors: " + m_vectorsError;
            return;
        }
        // Newest first; one that needs a missing sentence encoder gives way to an older one, and says why.
        for (const std::string &path : paths) {
            auto encoder = TextEncoder::load(path, wordVectors(), wordnet(), sentenceEncoder());
            if (encoder) {
                m_aligner = std::move(encoder).value();
                m_alignerLoadedPath = path;
                return;
            }
            m_alignerError += (m_alignerError.empty() ? "" : "; ") + encoder.message();
        }
    });
    return m_aligner.get();
}

CoarseSearch *Services::coarseSearch()
{
    std::call_once(m_coarseOnce, [this] {
        if (const TextEncoder *encoder = aligner())
            m_coarse = std::make_unique<AlignedCoarseSearch>(*encoder);
    });
    return m_coarse.get();
}

TwinStoredHook Services::componentEmbeddingHook(TwinStore &store)
{
    const TextEncoder *encoder = aligner();
    return [&store, encoder](const Twin &twin, VideoId id) { return embedTwin(store, twin, id, encoder); };
}

std::string Services::localLlmManifest()
{
#ifdef TWINSEEK_HAVE_LLAMA
    const QString env = qEnvironmentVariable("TWINSEEK_LOCAL_LLM").trimmed();
    if (env.compare("off", Qt::CaseInsensitive) == 0)
        return {};
    if (!env.isEmpty())
        return env.toStdString();
    if (const ModelManifest *m = m_models->bestAvailable("llm"))
        return m_models->modelPath(*m);
#endif
    return {};
}

std::shared_ptr<LocalLlm> Services::localLlm()
{
    std::lock_guard<std::mutex> lock(m_llmMutex);
    if (m_llmTried)
        return m_llm;
    m_llmTried = true;
#ifdef TWINSEEK_HAVE_LLAMA
    const std::string path = localLlmManifest();
    if (path.empty()) {
        m_llmError = qEnvironmentVariable("TWINSEEK_LOCAL_LLM").trimmed().compare("off", Qt::CaseInsensitive) == 0
                         ? "the embedded LLM is switched off (TWINSEEK_LOCAL_LLM=off)"
                         : "no language model installed (role llm; run scripts/setup.sh)";
        return nullptr;
    }
    LocalLlmOptions options;
    options.modelPath = path;
    bool ok = false;
    const int threads = qEnvironmentVariableIntValue("TWINSEEK_LLM_THREADS", &ok);
    if (ok && threads > 0)
        options.threads = threads;
    auto loaded = LocalLlm::load(options);
    if (!loaded) {
        m_llmError = loaded.message();
        return nullptr;
    }
    m_llm = std::move(loaded).value();
#else
    m_llmError = "this build has no llama.cpp (run scripts/setup.sh, or configure with -DTWINSEEK_LLAMA_ROOT=)";
#endif
    return m_llm;
}

std::string Services::localLlmError()
{
    std::lock_guard<std::mutex> lock(m_llmMutex);
    return m_llmError;
}

namespace {

/// Loads the embedded model on the first request, so that building an engine (on any thread) costs nothing.
class LazyLocalLlmClient : public LlmClient {
public:
    LazyLocalLlmClient(Services &services, std::string name) : m_services(services), m_name(std::move(name))
    {
        m_endpoint.baseUrl = "local";
        m_endpoint.model = m_name;
    }

    Result<LlmReply> complete(const LlmRequest &request, const CancelToken &cancel) override
    {
        LlmClient *client = nullptr;
        {
            std::lock_guard<std::mutex> lock(m_mutex);
#ifdef TWINSEEK_HAVE_LLAMA
            if (!m_client)
                if (auto model = m_services.localLlm())
                    m_client = makeLocalLlmClient(model);
#endif
            client = m_client.get();
        }
        if (!client)
            return Result<LlmReply>::error("embedded LLM unavailable: " + m_services.localLlmError());
        return client->complete(request, cancel);
    }
    const LlmEndpoint &endpoint() const override { return m_endpoint; }
    std::string name() const override { return "local:" + m_name; }

private:
    Services &m_services;
    std::string m_name;
    LlmEndpoint m_endpoint;
    std::mutex m_mutex;
    std::unique_ptr<LlmClient> m_client;
};

} // namespace

LlmUsage Services::localLlmUsage()
{
    std::shared_ptr<LocalLlm> model;
    {
        std::lock_guard<std::mutex> lock(m_llmMutex);
        model = m_llm;
    }
    LlmUsage u;
#ifdef TWINSEEK_HAVE_LLAMA
    if (model) {
        const LocalLlmStats s = model->totals();
        u = {s.promptTokens, s.reusedTokens, s.generatedTokens, s.promptMs, s.generateMs};
    }
#endif
    return u;
}

std::string Services::llmReplyCacheDir() const
{
    return QDir(QString::fromStdString(m_paths.cacheDir)).filePath("llm-replies").toStdString();
}

std::unique_ptr<LlmClient> Services::makeLazyLocalLlmClient()
{
    const std::string path = localLlmManifest();
    if (path.empty())
        return nullptr;
    std::string name = path.substr(path.find_last_of('/') + 1);
    if (const ModelManifest *m = m_models->bestAvailable("llm"); m && m_models->modelPath(*m) == path)
        name = m->id;
    return std::make_unique<LazyLocalLlmClient>(*this, name);
}

} // namespace ts
