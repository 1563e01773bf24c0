#include "modelregistry.h"

#include "vision/modelpick.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <fstream>

namespace ts {

using json = nlohmann::json;

ModelRegistry::ModelRegistry(std::vector<std::string> manifestDirs, std::string cacheDir)
    : m_dirs(std::move(manifestDirs)), m_cacheDir(std::move(cacheDir))
{
}

std::string sha256File(const std::string &path)
{
    QFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash h(QCryptographicHash::Sha256);
    if (!h.addData(&f))
        return {};
    return h.result().toHex().toStdString();
}

Result<ModelManifest> ModelRegistry::parseManifest(const json &j, const std::string &manifestPath)
{
    using R = Result<ModelManifest>;
    try {
        ModelManifest m;
        m.manifestPath = manifestPath;
        if (!j.is_object())
            return R::error("not a JSON object");
        m.id = j.at("id").get<std::string>();
        m.role = j.at("role").get<std::string>();
        if (m.id.empty() || m.role.empty())
            return R::error("id and role must not be empty");
        m.description = j.value("description", "");
        m.licence = j.value("licence", "");
        m.runtimes = j.at("runtimes").get<std::vector<std::string>>();
        m.optional = j.value("optional", true);
        m.priority = j.value("priority", 0);
        for (const json &f : j.at("files")) {
            ModelFileSpec spec;
            spec.name = f.at("name").get<std::string>();
            spec.sha256 = f.value("sha256", "");
            spec.sources = f.value("sources", json::array());
            if (spec.name.empty() || spec.name.find("..") != std::string::npos)
                return R::error("bad file name '" + spec.name + "'");
            m.files.push_back(std::move(spec));
        }
        if (m.files.empty())
            return R::error("no files");
        m.modelFile = j.value("model_file", m.files.front().name);
        m.labelsFile = j.value("labels_file", "");
        if (j.contains("input")) {
            const json &in = j["input"];
            m.input.width = in.value("width", 0);
            m.input.height = in.value("height", 0);
            m.input.layout = in.value("layout", "nchw");
            m.input.channels = in.value("channels", "bgr");
            m.input.scale = in.value("scale", 1.f);
            m.input.resize = in.value("resize", "stretch");
            m.input.padValue = in.value("pad_value", 0);
            m.input.multiple = std::max(1, in.value("multiple", 32));
            if (in.contains("mean")) {
                auto v = in["mean"].get<std::vector<float>>();
                if (v.size() != 3)
                    return R::error("input.mean needs 3 values");
                std::copy(v.begin(), v.end(), m.input.mean);
            }
            if (in.contains("std")) {
                auto v = in["std"].get<std::vector<float>>();
                if (v.size() != 3 || std::any_of(v.begin(), v.end(), [](float x) { return x == 0.f; }))
                    return R::error("input.std needs 3 nonzero values");
                std::copy(v.begin(), v.end(), m.input.std);
            }
            if (m.input.layout != "nchw" && m.input.layout != "nhwc")
                return R::error("input.layout must be nchw or nhwc");
            if (m.input.channels != "bgr" && m.input.channels != "rgb")
                return R::error("input.channels must be bgr or rgb");
        }
        m.output = j.value("output", json::object());
        return m;
    } catch (const json::exception &e) {
        return R::error(e.what());
    }
}

void ModelRegistry::loadManifests()
{
    m_manifests.clear();
    m_problems.clear();
    std::vector<std::string> seen;
    for (const std::string &dir : m_dirs) {
        QDir d(QString::fromStdString(dir));
        if (!d.exists())
            continue;
        const auto entries = d.entryInfoList({"*.json"}, QDir::Files, QDir::Name);
        for (const QFileInfo &fi : entries) {
            const std::string path = fi.absoluteFilePath().toStdString();
            std::ifstream in(path);
            json j = json::parse(in, nullptr, false);
            if (j.is_discarded()) {
                m_problems.push_back(path + ": not valid JSON");
                continue;
            }
            if (j.is_object() && j.contains("id") && !j.contains("role"))
                continue; // not a manifest (e.g. a recipe file)
            auto m = parseManifest(j, path);
            if (!m) {
                m_problems.push_back(path + ": " + m.message());
                continue;
            }
            if (std::find(seen.begin(), seen.end(), m->id) != seen.end())
                continue; // an earlier directory (the user's) overrides
            seen.push_back(m->id);
            m_manifests.push_back(std::move(m).value());
        }
    }
}

const ModelManifest *ModelRegistry::find(const std::string &id) const
{
    for (const auto &m : m_manifests)
        if (m.id == id)
            return &m;
    return nullptr;
}

std::vector<const ModelManifest *> ModelRegistry::forRole(const std::string &role) const
{
    std::vector<const ModelManifest *> out;
    for (const auto &m : m_manifests)
        if (m.role == role)
            out.push_back(&m);
    std::stable_sort(out.begin(), out.end(), [](const ModelManifest *a, const ModelManifest *b) {
        return a->priority != b->priority ? a->priority > b->priority : a->id < b->id;
    });
    return out;
}

const ModelManifest *ModelRegistry::bestAvailable(const std::string &role) const
{
    for (const ModelManifest *m : forRole(role))
        if (availability(*m).available)
            return m;
    return nullptr;
}

std::string ModelRegistry::filePath(const ModelManifest &m, const std::string &name) const
{
    const QFileInfo manifest(QString::fromStdString(m.manifestPath));
    const QString beside = manifest.absoluteDir().filePath(QString::fromStdString(name));
    if (QFileInfo::exists(beside))
        return beside.toStdString();
    return QDir(QString::fromStdString(m_cacheDir)).filePath(QString::fromStdString(name)).toStdString();
}

ModelAvailability ModelRegistry::availability(const ModelManifest &m) const
{
    ModelAvailability result;
    result.available = true;
    result.verified = true;
    for (const ModelFileSpec &f : m.files) {
        const std::string path = filePath(m, f.name);
        const QFileInfo fi(QString::fromStdString(path));
        if (!fi.exists()) {
            return {false, false,
                    "model file " + f.name + " is missing (run scripts/setup.sh or `twinseek-cli models fetch`)"};
        }
        if (f.sha256.empty()) {
            result.verified = false;
            continue;
        }
        const std::string stamp = path + "|" + std::to_string(fi.size()) + "|" +
                                  std::to_string(fi.lastModified().toMSecsSinceEpoch());
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            auto it = m_checked.find(stamp);
            if (it != m_checked.end()) {
                if (!it->second.available)
                    return it->second;
                continue;
            }
        }
        // Verified once per process and file version; a stamp file next to it spares later processes.
        const std::string stampFile = path + ".sha256";
        bool ok = false;
        {
            std::ifstream sf(stampFile);
            std::string line;
            if (sf && std::getline(sf, line) && line == f.sha256 + " " + std::to_string(fi.size()) + " " +
                                                           std::to_string(fi.lastModified().toMSecsSinceEpoch()))
                ok = true;
        }
        if (!ok) {
            const std::string actual = sha256File(path);
            ok = actual == f.sha256;
            if (ok) {
                std::ofstream sf(stampFile);
                if (sf)
                    sf << f.sha256 << " " << fi.size() << " " << fi.lastModified().toMSecsSinceEpoch() << "\n";
            }
        }
        ModelAvailability a{ok, ok, ok ? "" : "model file " + f.name + " does not match its checksum"};
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_checked[stamp] = a;
        }
        if (!ok)
            return a;
    }
    if (!result.verified)
        result.message = "present, no checksum declared (unverified)";
    return result;
}

const ModelManifest *pickModel(const ModelRegistry &models, const std::string &role, const std::string &id,
                               std::string &why)
{
    if (!id.empty()) {
        const ModelManifest *m = models.find(id);
        if (!m) {
            why = "configured model '" + id + "' has no manifest";
            return nullptr;
        }
        const auto a = models.availability(*m);
        if (!a.available) {
            why = id + ": " + a.message;
            return nullptr;
        }
        return m;
    }
    const auto candidates = models.forRole(role);
    for (const ModelManifest *m : candidates) {
        const auto a = models.availability(*m);
        if (a.available)
            return m;
        why = m->id + ": " + a.message;
    }
    // The text twins record for a role without a model: kept as it was, stored twins stay comparable.
    if (candidates.empty())
        why = "no model of this role is installed";
    return nullptr;
}

} // namespace ts
