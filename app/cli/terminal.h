// Terminal output helpers for the CLI: a progress bar when stderr is a terminal, plain lines otherwise.
#pragma once

#include "base/cancel.h"

#include <atomic>
#include <mutex>
#include <string>
#include <thread>

namespace ts {

/// Text from files and videos made safe for a terminal: control characters (C0, DEL, C1) and bidirectional
/// overrides are written as escapes ("\x1b", "\u202e"), so a file name cannot clear the screen or reverse a line.
/// Valid UTF-8 otherwise passes unchanged; invalid bytes become "\xNN".
std::string printable(const std::string &text);

class TerminalProgress {
public:
    TerminalProgress();
    ~TerminalProgress();
    bool isTerminal() const { return m_tty; }
    /// Redraws the bar (throttled); thread-safe.
    void update(double fraction, const std::string &label);
    /// Prints a line above the bar.
    void line(const std::string &text);
    void finish();

private:
    void clear();
    bool m_tty = false;
    std::mutex m_mutex;
    double m_lastDraw = -1.0;
    std::string m_label;
    double m_fraction = 0.0;
    bool m_drawn = false;
    long long m_lastMs = 0;
};

/// While alive, Ctrl-C (or SIGTERM) cancels the token so running work stops cleanly; a second Ctrl-C ends the
/// process at once.
class InterruptWatch {
public:
    explicit InterruptWatch(CancelToken token);
    ~InterruptWatch();
    InterruptWatch(const InterruptWatch &) = delete;
    InterruptWatch &operator=(const InterruptWatch &) = delete;

private:
    CancelToken m_token;
    std::atomic<bool> m_done{false};
    std::thread m_thread;
};

} // namespace ts
