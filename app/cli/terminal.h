// Terminal output helpers for the CLI: a progress bar when stderr is a terminal, plain lines otherwise.
#pragma once

#include <mutex>
#include <string>

namespace ts {

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

} // namespace ts
