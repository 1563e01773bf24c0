#include "rle.h"

#include <algorithm>
#include <cmath>

namespace ts {

Rle::Rle(int height, int width, std::vector<uint32_t> counts)
    : m_height(height), m_width(width), m_counts(std::move(counts))
{
}

Rle Rle::empty(int height, int width)
{
    const uint64_t n = static_cast<uint64_t>(height) * static_cast<uint64_t>(width);
    return Rle(height, width, n ? std::vector<uint32_t>{static_cast<uint32_t>(n)} : std::vector<uint32_t>{});
}

bool Rle::isValid() const
{
    if (m_height < 0 || m_width < 0)
        return false;
    uint64_t sum = 0;
    for (uint32_t c : m_counts)
        sum += c;
    return sum == static_cast<uint64_t>(m_height) * static_cast<uint64_t>(m_width);
}

Rle Rle::fromColumnMajor(const uint8_t *data, int height, int width)
{
    std::vector<uint32_t> counts;
    const uint64_t n = static_cast<uint64_t>(height) * width;
    uint8_t current = 0;
    uint32_t run = 0;
    for (uint64_t i = 0; i < n; ++i) {
        const uint8_t v = data[i] ? 1 : 0;
        if (v != current) {
            counts.push_back(run);
            run = 0;
            current = v;
        }
        ++run;
    }
    counts.push_back(run);
    return Rle(height, width, std::move(counts));
}

Rle Rle::fromRowMajor(const uint8_t *data, int height, int width, size_t strideBytes)
{
    // Walk columns directly instead of transposing into a temporary buffer.
    std::vector<uint32_t> counts;
    counts.reserve(64);
    uint8_t current = 0;
    uint32_t run = 0;
    for (int x = 0; x < width; ++x) {
        const uint8_t *p = data + x;
        for (int y = 0; y < height; ++y, p += strideBytes) {
            const uint8_t v = *p ? 1 : 0;
            if (v != current) {
                counts.push_back(run);
                run = 0;
                current = v;
            }
            ++run;
        }
    }
    if (height > 0 && width > 0)
        counts.push_back(run);
    return Rle(height, width, std::move(counts));
}

Rle Rle::fromBox(const Box &box, int height, int width)
{
    const Box c = box.clipped(static_cast<float>(width), static_cast<float>(height));
    const int x0 = static_cast<int>(std::floor(c.x)), y0 = static_cast<int>(std::floor(c.y));
    const int x1 = std::min(width, static_cast<int>(std::ceil(c.right())));
    const int y1 = std::min(height, static_cast<int>(std::ceil(c.bottom())));
    if (c.isEmpty() || x1 <= x0 || y1 <= y0)
        return empty(height, width);
    std::vector<uint32_t> counts;
    uint32_t zeros = static_cast<uint32_t>(x0) * height + y0;
    for (int x = x0; x < x1; ++x) {
        counts.push_back(zeros);
        counts.push_back(static_cast<uint32_t>(y1 - y0));
        zeros = static_cast<uint32_t>(height - y1 + y0);
    }
    const uint64_t used = static_cast<uint64_t>(x1) * height - (height - y1);
    counts.push_back(static_cast<uint32_t>(static_cast<uint64_t>(height) * width - used));
    return Rle(height, width, std::move(counts));
}

std::string Rle::toString() const
{
    // LEB128-like: 5 bits per char, sign in bit 4 of the last char, deltas against counts[i-2] for i > 2.
    std::string s;
    for (size_t i = 0; i < m_counts.size(); ++i) {
        int64_t x = m_counts[i];
        if (i > 2)
            x -= static_cast<int64_t>(m_counts[i - 2]);
        bool more = true;
        while (more) {
            char c = static_cast<char>(x & 0x1f);
            x >>= 5;
            more = (c & 0x10) ? x != -1 : x != 0;
            if (more)
                c |= 0x20;
            c += 48;
            s.push_back(c);
        }
    }
    return s;
}

Result<Rle> Rle::fromString(const std::string &str, int height, int width)
{
    if (height < 0 || width < 0)
        return Result<Rle>::error("RLE size is negative");
    std::vector<uint32_t> counts;
    size_t p = 0;
    while (p < str.size()) {
        int64_t x = 0;
        int k = 0;
        bool more = true;
        while (more) {
            if (p >= str.size())
                return Result<Rle>::error("RLE string ends inside a count");
            const int c = static_cast<unsigned char>(str[p]) - 48;
            if (c < 0 || c > 63)
                return Result<Rle>::error("RLE string has an invalid character at " + std::to_string(p));
            // Counts are 32-bit: seven 5-bit digits hold them with their sign. More would shift bits out of the
            // 64-bit accumulator, which is undefined (found by fuzz/fuzz_rle.cpp).
            if (k >= 7)
                return Result<Rle>::error("RLE count too long at " + std::to_string(p));
            x |= static_cast<int64_t>(c & 0x1f) << (5 * k);
            more = (c & 0x20) != 0;
            ++p;
            ++k;
            if (!more && (c & 0x10))
                x |= -(int64_t(1) << (5 * k));
        }
        if (counts.size() > 2)
            x += counts[counts.size() - 2];
        if (x < 0 || x > 0xffffffffLL)
            return Result<Rle>::error("RLE count out of range");
        counts.push_back(static_cast<uint32_t>(x));
    }
    // Other encoders may write empty runs inside ("3 0 2" for "5"); the mask is the same, so it is stored the way
    // this class makes it, and equal masks compare equal (found by fuzz/fuzz_rle.cpp).
    uint64_t total = 0;
    std::vector<uint32_t> canonical;
    canonical.reserve(counts.size());
    for (size_t i = 0; i < counts.size(); ++i) {
        total += counts[i];
        if (counts[i] == 0 && i > 0 && i + 1 < counts.size()) {
            total += counts[i + 1];
            if (total > static_cast<uint64_t>(height) * static_cast<uint64_t>(width) ||
                uint64_t(canonical.back()) + counts[i + 1] > 0xffffffffULL)
                break;
            canonical.back() += counts[++i];
        } else if (counts[i] != 0 || i == 0) {
            canonical.push_back(counts[i]);
        }
    }
    Rle rle(height, width, std::move(canonical));
    if (total != static_cast<uint64_t>(height) * static_cast<uint64_t>(width) || !rle.isValid())
        return Result<Rle>::error("RLE counts do not add up to " + std::to_string(height) + "x" + std::to_string(width));
    return rle;
}

void Rle::toRowMajor(uint8_t *out, size_t strideBytes, uint8_t value) const
{
    for (int y = 0; y < m_height; ++y)
        std::fill(out + y * strideBytes, out + y * strideBytes + m_width, uint8_t(0));
    uint64_t pos = 0;
    bool on = false;
    for (uint32_t c : m_counts) {
        if (on && c > 0) {
            uint64_t x = pos / m_height, y = pos % m_height;
            for (uint32_t i = 0; i < c; ++i) {
                out[y * strideBytes + x] = value;
                if (++y == static_cast<uint64_t>(m_height)) {
                    y = 0;
                    ++x;
                }
            }
        }
        pos += c;
        on = !on;
    }
}

std::vector<uint8_t> Rle::toColumnMajor() const
{
    std::vector<uint8_t> out(static_cast<size_t>(m_height) * m_width, 0);
    uint64_t pos = 0;
    bool on = false;
    for (uint32_t c : m_counts) {
        if (on)
            std::fill(out.begin() + pos, out.begin() + pos + c, uint8_t(1));
        pos += c;
        on = !on;
    }
    return out;
}

uint64_t Rle::area() const
{
    uint64_t a = 0;
    for (size_t i = 1; i < m_counts.size(); i += 2)
        a += m_counts[i];
    return a;
}

Box Rle::boundingBox() const
{
    const size_t m = (m_counts.size() / 2) * 2;
    if (m == 0 || m_height == 0)
        return {};
    const int64_t h = m_height;
    int64_t xs = m_width, ys = m_height, xe = 0, ye = 0, cc = 0, xp = 0;
    for (size_t j = 0; j < m; ++j) {
        cc += m_counts[j];
        const int64_t t = cc - static_cast<int64_t>(j % 2);
        const int64_t y = t % h, x = (t - y) / h;
        if (j % 2 == 0)
            xp = x;
        else if (xp < x) {
            ys = 0;
            ye = h - 1;
        }
        xs = std::min(xs, x);
        xe = std::max(xe, x);
        ys = std::min(ys, y);
        ye = std::max(ye, y);
    }
    return {static_cast<float>(xs), static_cast<float>(ys), static_cast<float>(xe - xs + 1),
            static_cast<float>(ye - ys + 1)};
}

Rle Rle::merge(const Rle &a, const Rle &b, bool intersect)
{
    if (a.m_height != b.m_height || a.m_width != b.m_width)
        return {};
    // Sweep both run lists at once, emitting a run whenever the combined value flips.
    std::vector<uint32_t> out;
    size_t ia = 0, ib = 0;
    uint64_t ra = a.m_counts.empty() ? 0 : a.m_counts[0], rb = b.m_counts.empty() ? 0 : b.m_counts[0];
    bool va = false, vb = false, current = false;
    uint64_t run = 0;
    const uint64_t total = static_cast<uint64_t>(a.m_height) * a.m_width;
    uint64_t done = 0;
    while (done < total) {
        while (ra == 0 && ia + 1 < a.m_counts.size()) {
            ++ia;
            ra = a.m_counts[ia];
            va = !va;
        }
        while (rb == 0 && ib + 1 < b.m_counts.size()) {
            ++ib;
            rb = b.m_counts[ib];
            vb = !vb;
        }
        const uint64_t step = std::min(ra, rb);
        if (step == 0)
            break; // malformed input; stop rather than loop
        const bool v = intersect ? (va && vb) : (va || vb);
        if (v != current) {
            out.push_back(static_cast<uint32_t>(run));
            run = 0;
            current = v;
        }
        run += step;
        ra -= step;
        rb -= step;
        done += step;
    }
    out.push_back(static_cast<uint32_t>(run));
    return Rle(a.m_height, a.m_width, std::move(out));
}

Rle Rle::unite(const std::vector<Rle> &masks)
{
    if (masks.empty())
        return {};
    Rle acc = masks.front();
    for (size_t i = 1; i < masks.size(); ++i)
        acc = merge(acc, masks[i], false);
    return acc;
}

uint64_t Rle::intersectionArea(const Rle &a, const Rle &b)
{
    return merge(a, b, true).area();
}

double Rle::iou(const Rle &a, const Rle &b)
{
    const uint64_t inter = intersectionArea(a, b);
    const uint64_t uni = a.area() + b.area() - inter;
    return uni == 0 ? 1.0 : static_cast<double>(inter) / static_cast<double>(uni);
}

} // namespace ts
