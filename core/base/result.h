// Results that cross module and thread borders: a value or a message, never an exception.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace ts {

/// What kind of failure, for the callers that act on it (a cancel is not reported as an error); the message says
/// what happened to a person.
enum class ErrorCode { None, Failed, Cancelled };

/// Success or a human-readable reason for failure.
class Status {
public:
    Status() = default;
    static Status ok() { return {}; }
    static Status error(std::string message, ErrorCode code = ErrorCode::Failed)
    {
        Status s;
        s.m_code = code == ErrorCode::None ? ErrorCode::Failed : code;
        s.m_message = std::move(message);
        return s;
    }
    /// The work was cancelled (the message is "cancelled").
    static Status cancelled() { return error("cancelled", ErrorCode::Cancelled); }
    bool isOk() const { return m_code == ErrorCode::None; }
    explicit operator bool() const { return isOk(); }
    bool isCancelled() const { return m_code == ErrorCode::Cancelled; }
    ErrorCode code() const { return m_code; }
    const std::string &message() const { return m_message; }

private:
    ErrorCode m_code = ErrorCode::None;
    std::string m_message;
};

/// A value, or the message that says why there is none.
template <class T>
class Result {
public:
    Result(T value) : m_value(std::move(value)) {}
    static Result error(std::string message, ErrorCode code = ErrorCode::Failed)
    {
        Result r;
        r.m_code = code == ErrorCode::None ? ErrorCode::Failed : code;
        r.m_message = std::move(message);
        return r;
    }
    /// The failure of another call, passed on with its code and message.
    static Result error(const Status &why) { return error(why.message(), why.code()); }
    template <class U>
    static Result error(const Result<U> &why)
    {
        return error(why.message(), why.code());
    }
    /// The work was cancelled (the message is "cancelled").
    static Result cancelled() { return error("cancelled", ErrorCode::Cancelled); }
    bool isOk() const { return m_value.has_value(); }
    bool isCancelled() const { return m_code == ErrorCode::Cancelled; }
    ErrorCode code() const { return isOk() ? ErrorCode::None : m_code; }
    explicit operator bool() const { return m_value.has_value(); }
    const T &value() const & { return *m_value; }
    T &value() & { return *m_value; }
    T &&value() && { return std::move(*m_value); }
    const T *operator->() const { return &*m_value; }
    T *operator->() { return &*m_value; }
    const T &operator*() const { return *m_value; }
    T &operator*() { return *m_value; }
    const std::string &message() const { return m_message; }
    Status status() const { return isOk() ? Status::ok() : Status::error(m_message, m_code); }

private:
    Result() = default;
    std::optional<T> m_value;
    ErrorCode m_code = ErrorCode::Failed;
    std::string m_message;
};

} // namespace ts
