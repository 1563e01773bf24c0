#include "llm/llmcache.h"

#include "llm/jsonschema.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QSaveFile>

namespace ts {

namespace {

using json = nlohmann::json;

class CachingLlmClient : public LlmClient {
public:
    CachingLlmClient(std::unique_ptr<LlmClient> client, std::string dir)
        : m_client(std::move(client)), m_dir(QString::fromStdString(dir))
    {
    }

    Result<LlmReply> complete(const LlmRequest &request, const CancelToken &cancel) override
    {
        const QString path = m_dir.filePath(QString::fromStdString(llmCacheKey(m_client->name(), request)) + ".json");
        if (QFile f(path); f.open(QIODevice::ReadOnly)) {
            const json j = json::parse(f.readAll().toStdString(), nullptr, false);
            // A damaged or outdated entry is ignored (and replaced), never served.
            const bool valid = j.is_object() && j.contains("raw") && j["raw"].is_string() &&
                               (request.schema.is_null() || (j.contains("json") && validateJson(request.schema, j["json"])));
            if (valid) {
                LlmReply r;
                r.rawText = j["raw"].get<std::string>();
                r.json = j.value("json", json());
                r.model = j.value("model", std::string());
                return r; // attempts 0: served from the cache
            }
        }
        auto reply = m_client->complete(request, cancel);
        if (reply && QDir().mkpath(m_dir.path())) {
            QSaveFile out(path);
            const std::string text = json{{"raw", reply->rawText}, {"json", reply->json}, {"model", reply->model}}.dump();
            if (out.open(QIODevice::WriteOnly) && out.write(text.data(), static_cast<qint64>(text.size())) >= 0)
                out.commit();
        }
        return reply;
    }
    const LlmEndpoint &endpoint() const override { return m_client->endpoint(); }
    std::string name() const override { return m_client->name(); }

private:
    std::unique_ptr<LlmClient> m_client;
    QDir m_dir;
};

} // namespace

std::string llmCacheKey(const std::string &modelName, const LlmRequest &request)
{
    json messages = json::array();
    for (const LlmMessage &m : request.messages) {
        QCryptographicHash images(QCryptographicHash::Sha256);
        for (const auto &img : m.images)
            images.addData(QByteArrayView(reinterpret_cast<const char *>(img.data()), static_cast<qsizetype>(img.size())));
        messages.push_back({static_cast<int>(m.role), m.text, images.result().toHex().toStdString()});
    }
    const std::string material = json{{"model", modelName}, {"messages", messages}, {"schema", request.schema}}.dump();
    return QCryptographicHash::hash(QByteArray::fromStdString(material), QCryptographicHash::Sha256).toHex().toStdString();
}

std::unique_ptr<LlmClient> makeCachingLlmClient(std::unique_ptr<LlmClient> client, std::string dir)
{
    if (!client)
        return nullptr;
    return std::make_unique<CachingLlmClient>(std::move(client), std::move(dir));
}

} // namespace ts
