#include "appsettings.h"

#include <QSettings>

#include <algorithm>

namespace ts {

const QStringList &pinnableModelRoles()
{
    static const QStringList kRoles = {QStringLiteral("detector"), QStringLiteral("classifier"),
                                       QStringLiteral("segmenter"), QStringLiteral("salient"),
                                       QStringLiteral("depth")};
    return kRoles;
}

AppSettings AppSettings::load(const QSettings &settings, QString *problem)
{
    AppSettings s;
    const QString llmText = settings.value(QLatin1String(kLlmRolesKey)).toString();
    if (!llmText.isEmpty()) {
        const nlohmann::json j = nlohmann::json::parse(llmText.toStdString(), nullptr, false);
        auto roles = j.is_discarded() ? Result<LlmRoles>::error("not JSON") : llmRolesFromJson(j);
        if (roles)
            s.llm = *roles;
        else if (problem)
            *problem = QString::fromStdString(roles.message());
    }
    for (const QString &role : pinnableModelRoles()) {
        const QString id = settings.value(QStringLiteral("models/") + role).toString();
        if (!id.isEmpty())
            s.activeModels.insert(role, id);
    }
    s.detectFps = std::clamp(settings.value(QStringLiteral("ingest/detectFps"), 6.0).toDouble(), 0.5, 60.0);
    s.threads = std::clamp(settings.value(QStringLiteral("ingest/threads"), 1).toInt(), 1, 64);
    return s;
}

void AppSettings::save(QSettings &settings) const
{
    settings.setValue(QLatin1String(kLlmRolesKey), QString::fromStdString(toJson(llm).dump()));
    for (const QString &role : pinnableModelRoles())
        settings.setValue(QStringLiteral("models/") + role, activeModels.value(role));
    settings.setValue(QStringLiteral("ingest/detectFps"), detectFps);
    settings.setValue(QStringLiteral("ingest/threads"), threads);
}

TwinBuilderConfig AppSettings::builderConfig() const
{
    TwinBuilderConfig c;
    c.detectFps = detectFps;
    c.threads = threads;
    c.detectorId = activeModels.value(QStringLiteral("detector")).toStdString();
    c.classifierId = activeModels.value(QStringLiteral("classifier")).toStdString();
    c.segmenterId = activeModels.value(QStringLiteral("segmenter")).toStdString();
    c.saliencyId = activeModels.value(QStringLiteral("salient")).toStdString();
    c.depthId = activeModels.value(QStringLiteral("depth")).toStdString();
    return c;
}

} // namespace ts
