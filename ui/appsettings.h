// User settings of the explorer, read from and written to QSettings: the LLM/VLM endpoint of each role (as
// core/llm/llmconfig.h's JSON, which never holds a key: only the name of an environment variable or the path
// of a user-only key file), the active vision models, the sampling rate and threads.
#pragma once

#include "base/result.h"
#include "llm/llmconfig.h"
#include "vision/twinbuilder.h"

#include <QMap>
#include <QString>
#include <QStringList>

#include <array>
#include <functional>

class QSettings;

namespace ts {

constexpr std::array<LlmRole, 3> kLlmRoles = {LlmRole::Decompose, LlmRole::Reason, LlmRole::Describe};

/// The vision roles whose model the user can pin (empty id = best available).
const QStringList &pinnableModelRoles();

struct AppSettings {
    LlmRoles llm;
    QMap<QString, QString> activeModels; ///< role -> model id
    double detectFps = 6.0;
    int threads = 1;

    /// Reads the settings; a broken LLM entry is dropped and described in *problem.
    static AppSettings load(const QSettings &settings, QString *problem = nullptr);
    void save(QSettings &settings) const;
    /// Twin builder configuration with the user's sampling rate, threads and pinned models.
    TwinBuilderConfig builderConfig() const;
};

/// QSettings key holding toJson(LlmRoles) as compact JSON text.
inline constexpr const char kLlmRolesKey[] = "llm/roles";

/// Checks that an endpoint answers; supplied by the composition root. Runs on a worker thread (it may block).
using ConnectionTester = std::function<Status(const LlmEndpoint &endpoint)>;

} // namespace ts
