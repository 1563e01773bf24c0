#include "wordvectors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <queue>

namespace ts {

namespace {

constexpr char kMagic[8] = {'T', 'S', 'W', 'V', 'E', 'C', '1', '\n'};

template <class T>
T readLe(const unsigned char *p)
{
    T v;
    std::memcpy(&v, p, sizeof(T)); // the files are little-endian, as are the machines TwinSeek runs on
    return v;
}

} // namespace

float dot(const float *a, const float *b, int n)
{
    float s = 0.f;
    for (int i = 0; i < n; ++i)
        s += a[i] * b[i];
    return s;
}

WordVectors::~WordVectors()
{
    if (m_map)
        munmap(m_map, m_mapSize);
}

Result<std::unique_ptr<WordVectors>> WordVectors::load(const std::string &path)
{
    using R = Result<std::unique_ptr<WordVectors>>;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return R::error(path + ": " + std::strerror(errno));
    struct stat st {};
    if (fstat(fd, &st) != 0 || st.st_size < 16) {
        ::close(fd);
        return R::error(path + ": too short to be a word-vector file");
    }
    const size_t size = static_cast<size_t>(st.st_size);
    void *map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (map == MAP_FAILED)
        return R::error(path + ": cannot map: " + std::strerror(errno));
    std::unique_ptr<WordVectors> wv(new WordVectors());
    wv->m_map = map;
    wv->m_mapSize = size;
    const auto *p = static_cast<const unsigned char *>(map);
    if (std::memcmp(p, kMagic, sizeof kMagic) != 0)
        return R::error(path + ": not a TwinSeek word-vector file (bad magic)");
    const uint32_t count = readLe<uint32_t>(p + 8), dim = readLe<uint32_t>(p + 12);
    if (count == 0 || dim == 0 || dim > 4096)
        return R::error(path + ": implausible header (" + std::to_string(count) + " words, " + std::to_string(dim) +
                        " dimensions)");
    size_t off = 16;
    wv->m_words.reserve(count);
    wv->m_index.reserve(count * 2);
    for (uint32_t i = 0; i < count; ++i) {
        if (off + 2 > size)
            return R::error(path + ": truncated word list");
        const uint16_t len = readLe<uint16_t>(p + off);
        off += 2;
        if (off + len > size)
            return R::error(path + ": truncated word list");
        wv->m_words.emplace_back(reinterpret_cast<const char *>(p + off), len);
        wv->m_index.emplace(wv->m_words.back(), static_cast<int>(i));
        off += len;
    }
    off += (4 - off % 4) % 4;
    if (off + static_cast<size_t>(count) * dim * sizeof(float) != size)
        return R::error(path + ": vector block has the wrong size (truncated or corrupt file)");
    wv->m_dim = static_cast<int>(dim);
    wv->m_data = reinterpret_cast<const float *>(p + off);
    return wv;
}

std::unique_ptr<WordVectors> WordVectors::fromTable(const std::vector<std::string> &words,
                                                    const std::vector<std::vector<float>> &vectors)
{
    std::unique_ptr<WordVectors> wv(new WordVectors());
    wv->m_dim = vectors.empty() ? 0 : static_cast<int>(vectors.front().size());
    wv->m_owned.reserve(words.size() * static_cast<size_t>(wv->m_dim));
    for (size_t i = 0; i < words.size() && i < vectors.size(); ++i) {
        const auto &v = vectors[i];
        float n = 0.f;
        for (float x : v)
            n += x * x;
        n = n > 0 ? 1.f / std::sqrt(n) : 0.f;
        for (int k = 0; k < wv->m_dim; ++k)
            wv->m_owned.push_back(k < static_cast<int>(v.size()) ? v[static_cast<size_t>(k)] * n : 0.f);
        wv->m_words.push_back(words[i]);
        wv->m_index.emplace(words[i], static_cast<int>(i));
    }
    wv->m_data = wv->m_owned.data();
    return wv;
}

int WordVectors::indexOf(std::string_view word) const
{
    auto it = m_index.find(std::string(word));
    return it == m_index.end() ? -1 : it->second;
}

float WordVectors::similarity(int a, int b) const
{
    if (a < 0 || b < 0)
        return 0.f;
    return a == b ? 1.f : dot(vector(a), vector(b), m_dim);
}

float WordVectors::similarity(std::string_view a, std::string_view b) const
{
    return similarity(indexOf(a), indexOf(b));
}

float WordVectors::specificity(int index) const
{
    if (index < 0)
        return 1.f; // unknown words are rare words
    const double n = std::max<size_t>(2, m_words.size());
    return static_cast<float>(std::log(index + 2.0) / std::log(n + 1.0));
}

std::vector<float> WordVectors::meanVector(const std::vector<std::string> &words, const std::vector<float> &weights) const
{
    std::vector<float> out(static_cast<size_t>(m_dim), 0.f);
    bool any = false;
    for (size_t i = 0; i < words.size(); ++i) {
        const int r = indexOf(words[i]);
        if (r < 0)
            continue;
        const float w = i < weights.size() ? weights[i] : 1.f;
        const float *v = vector(r);
        for (int k = 0; k < m_dim; ++k)
            out[static_cast<size_t>(k)] += w * v[k];
        any = true;
    }
    if (!any)
        return {};
    float n = 0.f;
    for (float x : out)
        n += x * x;
    if (n <= 0.f)
        return {};
    n = 1.f / std::sqrt(n);
    for (float &x : out)
        x *= n;
    return out;
}

std::vector<std::pair<int, float>> WordVectors::nearest(const float *unit, int k) const
{
    using P = std::pair<float, int>;
    std::priority_queue<P, std::vector<P>, std::greater<P>> heap;
    for (int i = 0; i < size(); ++i) {
        const float s = dot(unit, vector(i), m_dim);
        if (static_cast<int>(heap.size()) < k)
            heap.push({s, i});
        else if (s > heap.top().first) {
            heap.pop();
            heap.push({s, i});
        }
    }
    std::vector<std::pair<int, float>> out;
    while (!heap.empty()) {
        out.push_back({heap.top().second, heap.top().first});
        heap.pop();
    }
    std::reverse(out.begin(), out.end());
    return out;
}

} // namespace ts
