// Run-length encoded binary masks, bit-compatible with pycocotools (COCO RLE).
#pragma once

#include "result.h"
#include "types.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ts {

/**
 * A binary mask of height x width stored as alternating run lengths over the pixels in column-major order,
 * starting with a run of zeros (which may be empty). This is exactly COCO's RLE, so masks exchange with
 * pycocotools, SA-V and DAVIS tooling without conversion loss.
 */
class Rle {
public:
    Rle() = default;
    Rle(int height, int width, std::vector<uint32_t> counts);

    /// Empty (all-zero) mask of the given size.
    static Rle empty(int height, int width);
    /// Encodes a row-major byte mask (nonzero = set) with the given row stride in bytes.
    static Rle fromRowMajor(const uint8_t *data, int height, int width, size_t strideBytes);
    /// Encodes a column-major byte mask, as pycocotools' encode() does for Fortran-ordered arrays.
    static Rle fromColumnMajor(const uint8_t *data, int height, int width);
    /// A filled box, clipped to the image.
    static Rle fromBox(const Box &box, int height, int width);
    /// Parses COCO's compressed string counts (the "counts" string of pycocotools).
    static Result<Rle> fromString(const std::string &counts, int height, int width);

    int height() const { return m_height; }
    int width() const { return m_width; }
    const std::vector<uint32_t> &counts() const { return m_counts; }
    bool isValid() const;

    /// COCO compressed string form of the counts.
    std::string toString() const;
    /// Decodes into a row-major buffer (height*width bytes, 0 or 1 scaled by `value`).
    void toRowMajor(uint8_t *out, size_t strideBytes, uint8_t value = 1) const;
    std::vector<uint8_t> toColumnMajor() const;

    uint64_t area() const;
    /// Tight bounding box as pycocotools' toBbox computes it (x, y, w, h).
    Box boundingBox() const;

    /// Pixelwise operations; both masks must have the same size (an empty result otherwise).
    static Rle merge(const Rle &a, const Rle &b, bool intersect);
    static Rle unite(const std::vector<Rle> &masks);
    static uint64_t intersectionArea(const Rle &a, const Rle &b);
    /// Region IoU as pycocotools computes it (non-crowd); two empty masks give 1 by the DAVIS convention.
    static double iou(const Rle &a, const Rle &b);

    bool operator==(const Rle &o) const
    {
        return m_height == o.m_height && m_width == o.m_width && m_counts == o.m_counts;
    }

private:
    int m_height = 0;
    int m_width = 0;
    std::vector<uint32_t> m_counts;
};

} // namespace ts
