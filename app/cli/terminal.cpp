#include "terminal.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace ts {

TerminalProgress::TerminalProgress() : m_tty(isatty(fileno(stderr)) != 0) {}
TerminalProgress::~TerminalProgress() { finish(); }

void TerminalProgress::clear()
{
    if (m_drawn) {
        std::fprintf(stderr, "\r\033[K");
        m_drawn = false;
    }
}

void TerminalProgress::update(double fraction, const std::string &label)
{
    if (!m_tty)
        return;
    std::lock_guard<std::mutex> lock(m_mutex);
    const long long now = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now().time_since_epoch())
                              .count();
    if (now - m_lastMs < 100 && fraction < 1.0)
        return;
    m_lastMs = now;
    m_fraction = fraction;
    m_label = label;
    const int width = 30;
    const int filled = static_cast<int>(fraction * width + 0.5);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(width, '.');
    std::string shown = label.size() > 40 ? "..." + label.substr(label.size() - 37) : label;
    std::fprintf(stderr, "\r\033[K[%s] %5.1f%%  %s", bar.c_str(), fraction * 100.0, shown.c_str());
    std::fflush(stderr);
    m_drawn = true;
}

void TerminalProgress::line(const std::string &text)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    clear();
    std::fprintf(stdout, "%s\n", text.c_str());
    std::fflush(stdout);
}

void TerminalProgress::finish()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    clear();
    std::fflush(stderr);
}

namespace {

std::atomic<int> g_interrupts{0};

void onInterrupt(int)
{
    if (g_interrupts.fetch_add(1) >= 1)
        std::_Exit(130);
}

} // namespace

InterruptWatch::InterruptWatch(CancelToken token) : m_token(std::move(token))
{
    g_interrupts = 0;
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    m_thread = std::thread([this] {
        while (!m_done) {
            if (g_interrupts.load() > 0)
                m_token.cancel();
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    });
}

InterruptWatch::~InterruptWatch()
{
    m_done = true;
    m_thread.join();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
}

} // namespace ts
