// Which model serves a role: the one the settings name, else the best available one of the role (implemented in
// modelregistry.cpp; a header of its own so that the registry's many includers do not rebuild for it).
#pragma once

#include "vision/modelregistry.h"

#include <string>

namespace ts {

/// The configured model (id) of a role, else its best available one; nullptr with *why saying what is missing.
const ModelManifest *pickModel(const ModelRegistry &models, const std::string &role, const std::string &id,
                               std::string &why);

} // namespace ts
