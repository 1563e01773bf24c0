#include "llm/llmconfig.h"

#include <QFile>
#include <QFileInfo>
#include <QUrl>

#include <algorithm>
#include <cctype>
#include <limits>

namespace ts {

namespace {

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

bool isEnvName(const std::string &name)
{
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])))
        return false;
    return std::all_of(name.begin(), name.end(),
                       [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

bool hasControlChars(const std::string &s)
{
    return std::any_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

const char *const kEndpointFields[] = {"protocol",   "baseUrl",       "model",       "apiKeyEnv",
                                       "apiKeyFile", "timeoutMs",     "maxRetries",  "maxConcurrent",
                                       "temperature", "maxTokens",    "backoffMs"};

} // namespace

std::string toString(LlmProtocol protocol)
{
    return protocol == LlmProtocol::Ollama ? "ollama" : "openai";
}

std::optional<LlmProtocol> llmProtocolFromString(const std::string &text)
{
    const std::string t = lower(text);
    if (t == "openai" || t == "openai-compatible" || t == "openaicompatible")
        return LlmProtocol::OpenAiCompatible;
    if (t == "ollama")
        return LlmProtocol::Ollama;
    return std::nullopt;
}

bool LlmEndpoint::operator==(const LlmEndpoint &o) const
{
    return protocol == o.protocol && baseUrl == o.baseUrl && model == o.model && apiKeyEnv == o.apiKeyEnv
        && apiKeyFile == o.apiKeyFile && timeoutMs == o.timeoutMs && maxRetries == o.maxRetries
        && maxConcurrent == o.maxConcurrent && temperature == o.temperature && maxTokens == o.maxTokens
        && backoffMs == o.backoffMs;
}

Status validateEndpoint(const LlmEndpoint &e)
{
    if (e.baseUrl.empty())
        return Status::error("baseUrl is empty");
    const QUrl url(QString::fromStdString(e.baseUrl), QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || (scheme != "http" && scheme != "https") || url.host().isEmpty())
        return Status::error("baseUrl '" + e.baseUrl + "' is not an http(s) URL");
    // Credentials in the URL would travel into error strings and logs; keys belong in apiKeyEnv/apiKeyFile.
    if (!url.userInfo().isEmpty())
        return Status::error("baseUrl must not carry credentials; name the key with apiKeyEnv or apiKeyFile");
    if (e.model.empty())
        return Status::error("model is empty");
    // A pasted key in this field must not be echoed back, so the value is not quoted.
    if (!e.apiKeyEnv.empty() && !isEnvName(e.apiKeyEnv))
        return Status::error("apiKeyEnv must be the name of an environment variable (letters, digits, _), "
                             "not the key itself");
    if (e.timeoutMs <= 0)
        return Status::error("timeoutMs must be positive");
    if (e.maxRetries < 0 || e.maxRetries > 10)
        return Status::error("maxRetries must be in 0..10");
    if (e.maxConcurrent < 1 || e.maxConcurrent > 64)
        return Status::error("maxConcurrent must be in 1..64");
    if (!(e.temperature >= 0.0 && e.temperature <= 2.0))
        return Status::error("temperature must be in 0..2");
    if (e.maxTokens <= 0)
        return Status::error("maxTokens must be positive");
    if (e.backoffMs < 0)
        return Status::error("backoffMs must not be negative");
    return Status::ok();
}

nlohmann::json toJson(const LlmEndpoint &e)
{
    return {{"protocol", toString(e.protocol)},
            {"baseUrl", e.baseUrl},
            {"model", e.model},
            {"apiKeyEnv", e.apiKeyEnv},
            {"apiKeyFile", e.apiKeyFile},
            {"timeoutMs", e.timeoutMs},
            {"maxRetries", e.maxRetries},
            {"maxConcurrent", e.maxConcurrent},
            {"temperature", e.temperature},
            {"maxTokens", e.maxTokens},
            {"backoffMs", e.backoffMs}};
}

Result<LlmEndpoint> llmEndpointFromJson(const nlohmann::json &json)
{
    using R = Result<LlmEndpoint>;
    if (!json.is_object())
        return R::error("LLM endpoint: expected a JSON object");
    for (const auto &item : json.items()) {
        const std::string &key = item.key();
        if (key == "apiKey" || key == "api_key" || key == "key")
            // Never echo the value: it is a secret that should not have been stored at all.
            return R::error("LLM endpoint: '" + key
                            + "' is not stored in settings; put the key in an environment variable (apiKeyEnv) "
                              "or a user-only file (apiKeyFile)");
        if (std::find(std::begin(kEndpointFields), std::end(kEndpointFields), key) == std::end(kEndpointFields))
            return R::error("LLM endpoint: unknown field '" + key + "'");
    }

    LlmEndpoint e;
    std::string error;
    auto str = [&](const char *name, std::string &out) {
        if (!error.empty() || !json.contains(name))
            return;
        const auto &v = json.at(name);
        if (!v.is_string())
            error = std::string("LLM endpoint: '") + name + "' must be a string";
        else
            out = v.get<std::string>();
    };
    auto integer = [&](const char *name, int &out) {
        if (!error.empty() || !json.contains(name))
            return;
        const auto &v = json.at(name);
        if (!v.is_number_integer() || v.get<long long>() < std::numeric_limits<int>::min()
            || v.get<long long>() > std::numeric_limits<int>::max())
            error = std::string("LLM endpoint: '") + name + "' must be an integer";
        else
            out = v.get<int>();
    };

    if (json.contains("protocol")) {
        const auto &v = json.at("protocol");
        const auto p = v.is_string() ? llmProtocolFromString(v.get<std::string>()) : std::nullopt;
        if (!p)
            return R::error("LLM endpoint: 'protocol' must be \"openai\" or \"ollama\"");
        e.protocol = *p;
    }
    str("baseUrl", e.baseUrl);
    str("model", e.model);
    str("apiKeyEnv", e.apiKeyEnv);
    str("apiKeyFile", e.apiKeyFile);
    integer("timeoutMs", e.timeoutMs);
    integer("maxRetries", e.maxRetries);
    integer("maxConcurrent", e.maxConcurrent);
    integer("maxTokens", e.maxTokens);
    integer("backoffMs", e.backoffMs);
    if (error.empty() && json.contains("temperature")) {
        if (!json.at("temperature").is_number())
            error = "LLM endpoint: 'temperature' must be a number";
        else
            e.temperature = json.at("temperature").get<double>();
    }
    if (!error.empty())
        return R::error(error);
    if (const Status s = validateEndpoint(e); !s)
        return R::error("LLM endpoint: " + s.message());
    return e;
}

Result<std::string> resolveApiKey(const LlmEndpoint &e, const QProcessEnvironment &env)
{
    using R = Result<std::string>;
    if (!e.apiKeyEnv.empty()) {
        if (!isEnvName(e.apiKeyEnv))
            return R::error("apiKeyEnv must be the name of an environment variable, not the key itself");
        const std::string key = env.value(QString::fromStdString(e.apiKeyEnv)).trimmed().toStdString();
        if (!key.empty()) {
            if (hasControlChars(key))
                return R::error("the API key in environment variable " + e.apiKeyEnv
                                + " contains control characters");
            return key;
        }
        if (e.apiKeyFile.empty())
            return R::error("environment variable " + e.apiKeyEnv + " (apiKeyEnv) is not set");
    }
    if (e.apiKeyFile.empty())
        return std::string();

    const QString path = QString::fromStdString(e.apiKeyFile);
    const QFileInfo info(path);
    if (!info.exists())
        return R::error("API key file " + e.apiKeyFile + " does not exist");
#ifndef Q_OS_WIN
    // Like ssh with private keys: a secret others can read is already leaked, so refuse rather than use it.
    if (info.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther))
        return R::error("API key file " + e.apiKeyFile
                        + " is readable by group or others; restrict it with: chmod 600 " + e.apiKeyFile);
#endif
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return R::error("cannot read API key file " + e.apiKeyFile + ": " + file.errorString().toStdString());
    const std::string key = file.read(64 * 1024).trimmed().toStdString();
    if (key.empty())
        return R::error("API key file " + e.apiKeyFile + " is empty");
    if (hasControlChars(key))
        return R::error("API key file " + e.apiKeyFile + " holds more than one line or control characters");
    return key;
}

std::string toString(LlmRole role)
{
    switch (role) {
    case LlmRole::Decompose:
        return "decompose";
    case LlmRole::Reason:
        return "reason";
    case LlmRole::Describe:
        return "describe";
    }
    return "reason";
}

const std::optional<LlmEndpoint> &LlmRoles::forRole(LlmRole role) const
{
    switch (role) {
    case LlmRole::Decompose:
        return decompose;
    case LlmRole::Describe:
        return describe;
    case LlmRole::Reason:
        break;
    }
    return reason;
}

std::optional<LlmEndpoint> &LlmRoles::forRole(LlmRole role)
{
    return const_cast<std::optional<LlmEndpoint> &>(static_cast<const LlmRoles *>(this)->forRole(role));
}

namespace {
const LlmRole kRoles[] = {LlmRole::Decompose, LlmRole::Reason, LlmRole::Describe};
}

nlohmann::json toJson(const LlmRoles &roles)
{
    nlohmann::json j = nlohmann::json::object();
    for (LlmRole role : kRoles) {
        const auto &e = roles.forRole(role);
        j[toString(role)] = e ? toJson(*e) : nlohmann::json();
    }
    return j;
}

Result<LlmRoles> llmRolesFromJson(const nlohmann::json &json)
{
    using R = Result<LlmRoles>;
    if (!json.is_object())
        return R::error("LLM roles: expected a JSON object");
    LlmRoles roles;
    for (const auto &item : json.items()) {
        const auto role = std::find_if(std::begin(kRoles), std::end(kRoles),
                                       [&](LlmRole r) { return toString(r) == item.key(); });
        if (role == std::end(kRoles))
            return R::error("LLM roles: unknown role '" + item.key() + "' (expected decompose, reason, describe)");
        if (item.value().is_null())
            continue;
        auto e = llmEndpointFromJson(item.value());
        if (!e)
            return R::error("LLM roles: " + item.key() + ": " + e.message());
        roles.forRole(*role) = std::move(*e);
    }
    return roles;
}

Result<LlmRoles> llmRolesFromEnvironment(const QProcessEnvironment &env, const LlmRoles &base)
{
    using R = Result<LlmRoles>;
    LlmRoles roles = base;
    for (LlmRole role : kRoles) {
        std::string rolePrefix = "TWINSEEK_" + toString(role);
        std::transform(rolePrefix.begin(), rolePrefix.end(), rolePrefix.begin(),
                       [](unsigned char c) { return char(std::toupper(c)); });
        // The per-role variable wins over the shared one; returns the variable's name too, for errors.
        auto lookup = [&](const char *suffix) -> std::pair<std::string, std::optional<std::string>> {
            for (const std::string &p : {rolePrefix, std::string("TWINSEEK_LLM")}) {
                const std::string name = p + "_" + suffix;
                const QString v = env.value(QString::fromStdString(name));
                if (!v.trimmed().isEmpty())
                    return {name, v.trimmed().toStdString()};
            }
            return {std::string(), std::nullopt};
        };

        auto &slot = roles.forRole(role);
        const auto url = lookup("URL");
        if (!slot && !url.second)
            continue;
        LlmEndpoint e = slot ? *slot : LlmEndpoint();
        if (url.second)
            e.baseUrl = *url.second;
        if (const auto v = lookup("MODEL"); v.second)
            e.model = *v.second;
        if (const auto v = lookup("PROTOCOL"); v.second) {
            const auto p = llmProtocolFromString(*v.second);
            if (!p)
                return R::error(v.first + " '" + *v.second + "' is not one of openai, ollama");
            e.protocol = *p;
        }
        if (const auto v = lookup("KEY_ENV"); v.second)
            e.apiKeyEnv = *v.second;
        if (const auto v = lookup("KEY_FILE"); v.second)
            e.apiKeyFile = *v.second;
        if (const auto v = lookup("TIMEOUT_MS"); v.second) {
            bool ok = false;
            const int ms = QString::fromStdString(*v.second).toInt(&ok);
            if (!ok || ms <= 0)
                return R::error(v.first + " '" + *v.second + "' is not a positive number of milliseconds");
            e.timeoutMs = ms;
        }
        if (e.model.empty())
            return R::error("the " + toString(role) + " LLM has a URL but no model: set " + rolePrefix
                            + "_MODEL or TWINSEEK_LLM_MODEL");
        if (const Status s = validateEndpoint(e); !s)
            return R::error("the " + toString(role) + " LLM from the environment: " + s.message());
        slot = std::move(e);
    }
    return roles;
}

} // namespace ts
