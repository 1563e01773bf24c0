#include "maskio.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstring>
#include <fstream>

namespace ts {

cv::Mat rleToMat(const Rle &rle, uint8_t value)
{
    cv::Mat m(rle.height(), rle.width(), CV_8UC1);
    if (!m.empty())
        rle.toRowMajor(m.data, m.step, value);
    return m;
}

Rle matToRle(const cv::Mat &mask)
{
    CV_Assert(mask.type() == CV_8UC1);
    return Rle::fromRowMajor(mask.data, mask.rows, mask.cols, mask.step);
}

namespace {

bool fileReadable(const std::string &path)
{
    std::ifstream f(path, std::ios::binary);
    return f.good();
}

/// Read from the header before decoding: a 20000 x 20000 mask decodes to 400 MB per channel.
std::string pngSizeProblem(const std::string &path)
{
    std::ifstream f(path, std::ios::binary);
    unsigned char head[24] = {};
    f.read(reinterpret_cast<char *>(head), sizeof(head));
    static const unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (f.gcount() < 24 || !std::equal(kSignature, kSignature + 8, head) || std::memcmp(head + 12, "IHDR", 4) != 0)
        return "not a PNG image";
    auto be32 = [&](int at) {
        return (uint32_t(head[at]) << 24) | (uint32_t(head[at + 1]) << 16) | (uint32_t(head[at + 2]) << 8) | head[at + 3];
    };
    const uint32_t w = be32(16), h = be32(20);
    if (w == 0 || h == 0 || w > kMaxMaskSide || h > kMaxMaskSide)
        return "mask of " + std::to_string(w) + " x " + std::to_string(h) + " pixels; at most " +
               std::to_string(kMaxMaskSide) + " on a side are read";
    return {};
}

} // namespace

Result<cv::Mat> readDavisPng(const std::string &path)
{
    if (!fileReadable(path))
        return Result<cv::Mat>::error(path + ": cannot open");
    if (const std::string why = pngSizeProblem(path); !why.empty())
        return Result<cv::Mat>::error(path + ": " + why);
    // IMREAD_UNCHANGED expands palettes to colour; the DAVIS palette maps index 0 to black, so
    // "any channel nonzero" is exactly "index nonzero".
    cv::Mat img = cv::imread(path, cv::IMREAD_UNCHANGED);
    if (img.empty())
        return Result<cv::Mat>::error(path + ": not a readable image");
    if (img.depth() != CV_8U && img.depth() != CV_16U)
        return Result<cv::Mat>::error(path + ": unsupported pixel depth");
    cv::Mat out(img.rows, img.cols, CV_8UC1, cv::Scalar(0));
    if (img.channels() == 1) {
        out.setTo(255, img != 0);
    } else {
        std::vector<cv::Mat> ch;
        cv::split(img, ch);
        const int n = img.channels() == 4 ? 3 : img.channels();
        for (int c = 0; c < n; ++c)
            out.setTo(255, ch[c] != 0);
    }
    return out;
}

Result<cv::Mat> readInstancePng(const std::string &path)
{
    if (!fileReadable(path))
        return Result<cv::Mat>::error(path + ": cannot open");
    if (const std::string why = pngSizeProblem(path); !why.empty())
        return Result<cv::Mat>::error(path + ": " + why);
    cv::Mat img = cv::imread(path, cv::IMREAD_UNCHANGED);
    if (img.empty())
        return Result<cv::Mat>::error(path + ": not a readable image");
    if (img.channels() == 1 && img.depth() == CV_8U)
        return img;
    // Colour-expanded palette: give each distinct colour its own id, black stays 0.
    cv::Mat bgr;
    if (img.channels() == 4)
        cv::cvtColor(img, bgr, cv::COLOR_BGRA2BGR);
    else if (img.channels() == 3)
        bgr = img;
    else
        return Result<cv::Mat>::error(path + ": unsupported channel count");
    cv::Mat ids(bgr.rows, bgr.cols, CV_8UC1, cv::Scalar(0));
    std::vector<cv::Vec3b> palette;
    for (int y = 0; y < bgr.rows; ++y) {
        for (int x = 0; x < bgr.cols; ++x) {
            const cv::Vec3b c = bgr.at<cv::Vec3b>(y, x);
            if (c == cv::Vec3b(0, 0, 0))
                continue;
            size_t k = 0;
            while (k < palette.size() && palette[k] != c)
                ++k;
            if (k == palette.size()) {
                if (palette.size() >= 255)
                    return Result<cv::Mat>::error(path + ": more than 255 object colours");
                palette.push_back(c);
            }
            ids.at<uint8_t>(y, x) = static_cast<uint8_t>(k + 1);
        }
    }
    return ids;
}

Status writeDavisPng(const std::string &path, const cv::Mat &mask)
{
    if (mask.empty() || mask.type() != CV_8UC1)
        return Status::error(path + ": mask must be a non-empty 8-bit single-channel image");
    cv::Mat out;
    cv::compare(mask, 0, out, cv::CMP_NE); // 0 / 255
    try {
        if (!cv::imwrite(path, out))
            return Status::error(path + ": cannot write PNG");
    } catch (const cv::Exception &e) {
        return Status::error(path + ": " + e.what());
    }
    return Status::ok();
}

} // namespace ts
