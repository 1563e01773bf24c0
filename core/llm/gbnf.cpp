#include "llm/gbnf.h"

#include "llm/jsonschema.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <vector>

namespace ts {

namespace {

using nlohmann::json;

// Repetition bounds longer than this are left open ({m,}): the expansion of x{0,n} grows with n, and a string's
// length is checked again after decoding anyway.
constexpr int kMaxExpandedBound = 512;
constexpr double kInf = std::numeric_limits<double>::infinity();

/// A GBNF string literal for text (quotes, backslashes and control characters escaped).
std::string literal(const std::string &text)
{
    std::string out = "\"";
    for (unsigned char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c < 0x20) {
            static const char *hex = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

std::string repeat(const std::string &item, int min, int max)
{
    if (max >= 0 && max > kMaxExpandedBound)
        max = -1;
    if (min == 0 && max < 0)
        return item + "*";
    if (min == 1 && max < 0)
        return item + "+";
    if (min == 0 && max == 1)
        return item + "?";
    return item + "{" + std::to_string(min) + "," + (max >= 0 ? std::to_string(max) : std::string()) + "}";
}

/// Reversed or huge bounds would make llama.cpp's grammar expansion loop or throw.
Status checkBounds(int min, int max, const char *minName, const std::string &path)
{
    if (min < 0 || (max >= 0 && min > max))
        return Status::error(path + ": " + minName + " " + std::to_string(min) + " does not fit the maximum " +
                             std::to_string(max));
    if (min > kMaxExpandedBound)
        return Status::error(path + ": " + minName + " " + std::to_string(min) + " is more than a grammar can expand");
    return Status::ok();
}

class Builder {
public:
    Result<std::string> build(const json &schema)
    {
        std::string root;
        if (auto r = visit(schema, "$"); !r)
            return r;
        else
            root = *r;
        std::string out = "root ::= " + root + "\n";
        for (const auto &[name, body] : m_rules)
            out += name + " ::= " + body + "\n";
        out += "ws ::= \"\"\n"; // compact JSON: whitespace costs generated tokens and says nothing
        out += "char ::= [^\"\\\\\\x7F\\x00-\\x1F] | \"\\\\\" ([\"\\\\/bfnrt] | \"u\" [0-9a-fA-F]{4})\n";
        return out;
    }

private:
    std::string rule(const std::string &body)
    {
        for (const auto &[name, existing] : m_rules)
            if (existing == body)
                return name;
        std::string name = "r" + std::to_string(m_rules.size());
        m_rules.emplace(name, body);
        return name;
    }

    Result<std::string> visit(const json &s, const std::string &path)
    {
        using R = Result<std::string>;
        if (s.is_boolean() && s.get<bool>())
            return R::error(path + ": an unconstrained value cannot be generated");
        if (!s.is_object())
            return R::error(path + ": a schema must be an object");
        if (s.contains("const"))
            return rule(literal(s["const"].dump()));
        if (s.contains("enum")) {
            std::string body;
            for (const json &v : s["enum"])
                body += (body.empty() ? "" : " | ") + literal(v.dump());
            if (body.empty())
                return R::error(path + ": empty enum");
            return rule("(" + body + ")");
        }
        if (!s.contains("type"))
            return R::error(path + ": no type");
        std::vector<std::string> types;
        if (s["type"].is_array())
            for (const json &t : s["type"])
                types.push_back(t.get<std::string>());
        else
            types.push_back(s["type"].get<std::string>());
        std::string body;
        for (const std::string &t : types) {
            auto one = ofType(s, t, path);
            if (!one)
                return one;
            body += (body.empty() ? "" : " | ") + *one;
        }
        return types.size() == 1 ? body : rule("(" + body + ")");
    }

    Result<std::string> ofType(const json &s, const std::string &type, const std::string &path)
    {
        using R = Result<std::string>;
        if (type == "null")
            return std::string("\"null\"");
        if (type == "boolean")
            return rule("(\"true\" | \"false\")");
        if (type == "string") {
            const int min = s.value("minLength", 0);
            const int max = s.contains("maxLength") ? s["maxLength"].get<int>() : -1;
            if (Status b = checkBounds(min, max, "minLength", path); !b)
                return R::error(b);
            return rule("\"\\\"\" " + repeat("char", min, max) + " \"\\\"\"");
        }
        if (type == "integer") {
            // Only the sign and a lower bound of 1 shape the digits; other bounds are checked after decoding.
            const double lo = std::max(s.value("minimum", -kInf), s.value("exclusiveMinimum", -kInf) + 1.0);
            if (lo >= 1.0)
                return rule("[1-9] [0-9]{0,15}");
            return rule(std::string(lo >= 0.0 ? "" : "\"-\"? ") + "([0-9] | [1-9] [0-9]{1,15})");
        }
        if (type == "number") {
            const double lo = s.value("minimum", -kInf), hi = s.value("maximum", kInf);
            if (lo >= 0.0 && hi <= 1.0) // a score: 0, 0.xyz or 1
                return rule("(\"0\" (\".\" [0-9]{1,3})? | \"1\" (\".\" \"0\"{1,3})?)");
            return rule(std::string(lo >= 0.0 ? "" : "\"-\"? ") +
                        "([0-9] | [1-9] [0-9]{1,15}) (\".\" [0-9]{1,6})?");
        }
        if (type == "array") {
            if (!s.contains("items"))
                return R::error(path + ": an array needs items");
            auto item = visit(s["items"], path + "[]");
            if (!item)
                return item;
            const int min = s.value("minItems", 0);
            const int max = s.contains("maxItems") ? s["maxItems"].get<int>() : -1;
            if (Status b = checkBounds(min, max, "minItems", path); !b)
                return R::error(b);
            if (max == 0)
                return rule("\"[\" ws \"]\"");
            const std::string more = "(\",\" ws " + *item + ")";
            const std::string list =
                *item + " " + repeat(more, std::max(0, min - 1), max < 0 ? -1 : max - 1);
            return rule("\"[\" ws " + (min == 0 ? "(" + list + ")?" : list) + " ws \"]\"");
        }
        if (type == "object") {
            std::string body = "\"{\" ws";
            bool first = true;
            const json props = s.value("properties", json::object());
            for (const json &name : s.value("required", json::array())) {
                const std::string key = name.get<std::string>();
                if (!props.contains(key))
                    return R::error(path + ": required property '" + key + "' has no schema");
                auto value = visit(props[key], path + "." + key);
                if (!value)
                    return value;
                body += std::string(first ? " " : " \",\" ws ") + literal(json(key).dump()) + " ws \":\" ws " + *value;
                first = false;
            }
            return rule(body + " ws \"}\"");
        }
        return R::error(path + ": unsupported type '" + type + "'");
    }

    std::map<std::string, std::string> m_rules;
};

} // namespace

Result<std::string> jsonSchemaToGbnf(const json &schema)
{
    if (const Status s = checkJsonSchema(schema); !s)
        return Result<std::string>::error(s);
    return Builder().build(schema);
}

} // namespace ts
