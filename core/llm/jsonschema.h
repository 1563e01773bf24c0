// A small JSON Schema validator for the subset that structured LLM output uses: type (a name or an array of
// names), properties, required, additionalProperties, items, enum, const, minimum/maximum (and the exclusive
// forms), minItems/maxItems, minLength/maxLength. Servers do not all enforce the schema they are given, so every
// reply is checked here and a violation is reported with its JSON path ("$.steps[2].relevance").
#pragma once

#include "base/result.h"

#include <nlohmann/json.hpp>

namespace ts {

/// Ok when the schema uses only the supported keywords (annotations such as title and description are ignored);
/// otherwise names the first unsupported keyword and where it is, so a schema is not silently half-checked.
Status checkJsonSchema(const nlohmann::json &schema);

/// The first violation of value against schema as "PATH: what was expected", or ok.
Status validateJson(const nlohmann::json &schema, const nlohmann::json &value);

} // namespace ts
