// RLE decoder: COCO counts strings of any bytes for masks up to 256 x 256. A decoded mask survives encoding and
// decoding, its area fits the frame, and expanding it to pixels and back gives it again.
#include "base/rle.h"
#include "fuzzentry.h"

#include <string>
#include <vector>

TS_FUZZ_TARGET(rle)
{
    if (size < 2)
        return 0;
    const int height = 1 + data[0];
    const int width = 1 + data[1];
    const std::string counts(reinterpret_cast<const char *>(data + 2), size - 2);
    auto rle = ts::Rle::fromString(counts, height, width);
    if (!rle)
        return 0;
    TS_FUZZ_CHECK(rle->height() == height && rle->width() == width);
    TS_FUZZ_CHECK(rle->area() <= static_cast<std::uint64_t>(height) * static_cast<std::uint64_t>(width));
    auto again = ts::Rle::fromString(rle->toString(), height, width);
    TS_FUZZ_CHECK(again && *again == *rle);
    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(height) * static_cast<std::size_t>(width));
    rle->toRowMajor(pixels.data(), static_cast<std::size_t>(width));
    TS_FUZZ_CHECK(ts::Rle::fromRowMajor(pixels.data(), height, width, static_cast<std::size_t>(width)) == *rle);
    TS_FUZZ_CHECK(ts::Rle::merge(*rle, *rle, true) == *rle);
    TS_FUZZ_CHECK(rle->area() == 0 || ts::Rle::iou(*rle, *rle) == 1.0);
    return 0;
}
