// JSON Schema -> GBNF, the grammar language of llama.cpp's constrained decoding, for the schema subset that
// jsonschema.h validates. An embedded model then cannot produce anything but a reply of the requested shape: every
// object lists its required properties in the order of "required" (so a schema can ask for the reasoning before the
// score), optional properties are never generated, and lengths and counts are bounded as the schema bounds them.
#pragma once

#include "base/result.h"

#include <nlohmann/json.hpp>

#include <string>

namespace ts {

/// A GBNF grammar whose root rule is "root", or what in the schema it cannot express.
Result<std::string> jsonSchemaToGbnf(const nlohmann::json &schema);

} // namespace ts
