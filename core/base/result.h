// Results that cross module and thread borders: a value or a message, never an exception.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace ts {

/// Success or a human-readable reason for failure.
class Status {
public:
    Status() = default;
    static Status ok() { return {}; }
    static Status error(std::string message)
    {
        Status s;
        s.m_failed = true;
        s.m_message = std::move(message);
        return s;
    }
    bool isOk() const { return !m_failed; }
    explicit operator bool() const { return !m_failed; }
    const std::string &message() const { return m_message; }

private:
    bool m_failed = false;
    std::string m_message;
};

/// A value, or the message that says why there is none.
template <class T>
class Result {
public:
    Result(T value) : m_value(std::move(value)) {}
    static Result error(std::string message)
    {
        Result r;
        r.m_message = std::move(message);
        return r;
    }
    bool isOk() const { return m_value.has_value(); }
    explicit operator bool() const { return m_value.has_value(); }
    const T &value() const & { return *m_value; }
    T &value() & { return *m_value; }
    T &&value() && { return std::move(*m_value); }
    const T *operator->() const { return &*m_value; }
    T *operator->() { return &*m_value; }
    const T &operator*() const { return *m_value; }
    T &operator*() { return *m_value; }
    const std::string &message() const { return m_message; }
    Status status() const { return isOk() ? Status::ok() : Status::error(m_message); }

private:
    Result() = default;
    std::optional<T> m_value;
    std::string m_message;
};

} // namespace ts
