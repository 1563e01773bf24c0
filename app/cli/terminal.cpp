#include "terminal.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace ts {

std::string printable(const std::string &text)
{
    std::string out;
    out.reserve(text.size());
    char buf[12];
    auto escapeByte = [&](unsigned char b) {
        std::snprintf(buf, sizeof buf, "\\x%02x", b);
        out += buf;
    };
    for (size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f)
                escapeByte(c);
            else
                out += static_cast<char>(c);
            ++i;
            continue;
        }
        // Decode one UTF-8 sequence; anything malformed is shown byte by byte.
        const int len = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
        char32_t cp = len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
        bool ok = len > 0 && i + static_cast<size_t>(len) <= text.size();
        for (int k = 1; ok && k < len; ++k) {
            const auto cc = static_cast<unsigned char>(text[i + static_cast<size_t>(k)]);
            ok = (cc & 0xc0) == 0x80;
            cp = (cp << 6) | (cc & 0x3f);
        }
        if (!ok) {
            escapeByte(c);
            ++i;
            continue;
        }
        const bool c1 = cp >= 0x80 && cp <= 0x9f;
        const bool bidi = (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e ||
                          cp == 0x200f || cp == 0x061c;
        if (c1 || bidi) {
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
            out += buf;
        } else {
            out.append(text, i, static_cast<size_t>(len));
        }
        i += static_cast<size_t>(len);
    }
    return out;
}

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
