#include "llm/jsonschema.h"

#include <cctype>
#include <cmath>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ts {

namespace {

using nlohmann::json;
using Violation = std::optional<std::string>;

const std::set<std::string> kTypeNames = {"object", "array", "string", "number", "integer", "boolean", "null"};
const std::set<std::string> kAssertions = {"type",     "properties",       "required",         "additionalProperties",
                                           "items",    "enum",             "const",            "minimum",
                                           "maximum",  "exclusiveMinimum", "exclusiveMaximum", "minItems",
                                           "maxItems", "minLength",        "maxLength"};
// Annotations change nothing about validity; "format" is an annotation unless a validator opts in.
const std::set<std::string> kAnnotations = {"title",  "description", "default", "examples", "$schema",
                                            "$id",    "$comment",    "format",  "deprecated", "readOnly",
                                            "writeOnly"};

std::string propertyPath(const std::string &parent, const std::string &name)
{
    bool plain = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0]));
    for (unsigned char c : name)
        plain = plain && (std::isalnum(c) || c == '_');
    return plain ? parent + "." + name : parent + "[" + json(name).dump() + "]";
}

std::string typeOf(const json &v)
{
    switch (v.type()) {
    case json::value_t::object:
        return "object";
    case json::value_t::array:
        return "array";
    case json::value_t::string:
        return "string";
    case json::value_t::boolean:
        return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
        return "integer";
    case json::value_t::number_float:
        return "number";
    default:
        return "null";
    }
}

bool hasType(const std::string &type, const json &v)
{
    if (type == "number")
        return v.is_number();
    if (type == "integer") {
        // JSON Schema counts 2.0 as an integer: the model's number formatting must not decide validity.
        if (v.is_number_integer())
            return true;
        const double d = v.is_number_float() ? v.get<double>() : 0.5;
        return std::isfinite(d) && std::floor(d) == d;
    }
    return typeOf(v) == type;
}

std::string shortDump(const json &v)
{
    std::string s = v.dump();
    if (s.size() > 80)
        s = s.substr(0, 77) + "...";
    return s;
}

std::string numberText(double d)
{
    // Bounds written as 0 or 1 in the schema should read that way, not as 0.0.
    if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 1e15)
        return std::to_string(static_cast<long long>(d));
    return json(d).dump();
}

std::string itemsText(size_t n)
{
    return std::to_string(n) + (n == 1 ? " item" : " items");
}

size_t utf8Length(const std::string &s)
{
    size_t n = 0;
    for (unsigned char c : s)
        n += (c & 0xC0) != 0x80;
    return n;
}

Violation validateAt(const json &schema, const json &value, const std::string &path)
{
    if (schema.is_boolean())
        return schema.get<bool>() ? Violation() : Violation(path + ": no value allowed here");
    if (!schema.is_object())
        return std::nullopt;

    if (const auto it = schema.find("type"); it != schema.end()) {
        std::vector<std::string> types;
        if (it->is_string())
            types.push_back(it->get<std::string>());
        else if (it->is_array())
            for (const auto &t : *it)
                if (t.is_string())
                    types.push_back(t.get<std::string>());
        bool ok = types.empty();
        for (const auto &t : types)
            ok = ok || hasType(t, value);
        if (!ok) {
            std::string expected;
            for (size_t i = 0; i < types.size(); ++i)
                expected += (i == 0 ? "" : (i + 1 == types.size() ? " or " : ", ")) + types[i];
            return path + ": expected " + expected + ", got " + typeOf(value);
        }
    }
    if (const auto it = schema.find("enum"); it != schema.end() && it->is_array()) {
        bool found = false;
        for (const auto &option : *it)
            found = found || option == value;
        if (!found)
            return path + ": " + shortDump(value) + " is not one of " + shortDump(*it);
    }
    if (const auto it = schema.find("const"); it != schema.end() && *it != value)
        return path + ": expected " + shortDump(*it) + ", got " + shortDump(value);

    if (value.is_number()) {
        const double d = value.get<double>();
        const auto bound = [&](const char *key) -> std::optional<double> {
            const auto it = schema.find(key);
            return it != schema.end() && it->is_number() ? std::optional<double>(it->get<double>()) : std::nullopt;
        };
        if (const auto m = bound("minimum"); m && d < *m)
            return path + ": " + numberText(d) + " is below the minimum " + numberText(*m);
        if (const auto m = bound("maximum"); m && d > *m)
            return path + ": " + numberText(d) + " is above the maximum " + numberText(*m);
        if (const auto m = bound("exclusiveMinimum"); m && d <= *m)
            return path + ": " + numberText(d) + " is not above " + numberText(*m);
        if (const auto m = bound("exclusiveMaximum"); m && d >= *m)
            return path + ": " + numberText(d) + " is not below " + numberText(*m);
    }
    const auto count = [&](const char *key) -> std::optional<size_t> {
        const auto it = schema.find(key);
        return it != schema.end() && it->is_number_unsigned() ? std::optional<size_t>(it->get<size_t>())
               : it != schema.end() && it->is_number_integer() && it->get<long long>() >= 0
                   ? std::optional<size_t>(size_t(it->get<long long>()))
                   : std::nullopt;
    };
    if (value.is_string()) {
        const size_t n = utf8Length(value.get_ref<const std::string &>());
        if (const auto m = count("minLength"); m && n < *m)
            return path + ": string shorter than " + std::to_string(*m) + " characters";
        if (const auto m = count("maxLength"); m && n > *m)
            return path + ": string longer than " + std::to_string(*m) + " characters";
    }
    if (value.is_array()) {
        if (const auto m = count("minItems"); m && value.size() < *m)
            return path + ": expected at least " + itemsText(*m) + ", got " + std::to_string(value.size());
        if (const auto m = count("maxItems"); m && value.size() > *m)
            return path + ": expected at most " + itemsText(*m) + ", got " + std::to_string(value.size());
        if (const auto it = schema.find("items"); it != schema.end()) {
            for (size_t i = 0; i < value.size(); ++i)
                if (auto v = validateAt(*it, value[i], path + "[" + std::to_string(i) + "]"))
                    return v;
        }
    }
    if (value.is_object()) {
        if (const auto it = schema.find("required"); it != schema.end() && it->is_array()) {
            for (const auto &name : *it)
                if (name.is_string() && !value.contains(name.get<std::string>()))
                    return path + ": missing required property '" + name.get<std::string>() + "'";
        }
        const auto props = schema.find("properties");
        const auto extra = schema.find("additionalProperties");
        for (const auto &item : value.items()) {
            const std::string childPath = propertyPath(path, item.key());
            if (props != schema.end() && props->is_object() && props->contains(item.key())) {
                if (auto v = validateAt(props->at(item.key()), item.value(), childPath))
                    return v;
            } else if (extra != schema.end()) {
                if (extra->is_boolean() && !extra->get<bool>())
                    return path + ": unexpected property '" + item.key() + "'";
                if (auto v = validateAt(*extra, item.value(), childPath))
                    return v;
            }
        }
    }
    return std::nullopt;
}

Violation checkAt(const json &schema, const std::string &path)
{
    if (schema.is_boolean())
        return std::nullopt;
    if (!schema.is_object())
        return "schema at " + path + " is not an object";
    for (const auto &item : schema.items()) {
        const std::string &key = item.key();
        const json &v = item.value();
        if (kAnnotations.count(key))
            continue;
        if (!kAssertions.count(key))
            return "unsupported schema keyword '" + key + "' at " + path;
        if (key == "type") {
            const auto known = [](const json &t) { return t.is_string() && kTypeNames.count(t.get<std::string>()); };
            bool ok = known(v) || (v.is_array() && !v.empty());
            if (v.is_array())
                for (const auto &t : v)
                    ok = ok && known(t);
            if (!ok)
                return "schema at " + path + ": 'type' must be a type name or an array of them";
        } else if (key == "properties") {
            if (!v.is_object())
                return "schema at " + path + ": 'properties' must be an object";
            for (const auto &p : v.items())
                if (auto bad = checkAt(p.value(), propertyPath(path, p.key())))
                    return bad;
        } else if (key == "required") {
            bool ok = v.is_array();
            if (ok)
                for (const auto &n : v)
                    ok = ok && n.is_string();
            if (!ok)
                return "schema at " + path + ": 'required' must be an array of names";
        } else if (key == "additionalProperties") {
            if (auto bad = checkAt(v, path + ".*"))
                return bad;
        } else if (key == "items") {
            if (!v.is_object() && !v.is_boolean())
                return "schema at " + path + ": 'items' must be a schema (tuples are not supported)";
            if (auto bad = checkAt(v, path + "[]"))
                return bad;
        } else if (key == "enum") {
            if (!v.is_array())
                return "schema at " + path + ": 'enum' must be an array";
        } else if (key == "const") {
            // any value
        } else if (key.rfind("min", 0) == 0 || key.rfind("max", 0) == 0 || key.rfind("exclusive", 0) == 0) {
            const bool countKey = key.find("Items") != std::string::npos || key.find("Length") != std::string::npos;
            if (!v.is_number() || (countKey && (!v.is_number_integer() || v.get<long long>() < 0)))
                return "schema at " + path + ": '" + key + "' must be a " + (countKey ? "count" : "number");
        }
    }
    return std::nullopt;
}

} // namespace

Status checkJsonSchema(const nlohmann::json &schema)
{
    if (auto bad = checkAt(schema, "$"))
        return Status::error(*bad);
    return Status::ok();
}

Status validateJson(const nlohmann::json &schema, const nlohmann::json &value)
{
    if (auto v = validateAt(schema, value, "$"))
        return Status::error(*v);
    return Status::ok();
}

} // namespace ts
