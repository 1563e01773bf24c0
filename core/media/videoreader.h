// Video decoding with FFmpeg behind RAII: probe, sequential sampled decode, exact seek, thumbnails.
// Every failure is a value with a message; nothing here throws or aborts on a bad file.
#pragma once

#include "base/cancel.h"
#include "base/result.h"
#include "base/types.h"

#include <opencv2/core.hpp>

#include <memory>
#include <string>

namespace ts {

struct MediaInfo {
    std::string container;
    std::string codec;
    int width = 0; ///< after rotation
    int height = 0;
    int rotation = 0; ///< degrees clockwise the frames are turned to be upright (0, 90, 180, 270)
    double fps = 0.0;
    int64_t frameCount = 0; ///< from the container, or estimated from duration * fps
    int64_t durationMs = 0;
    bool hasAudio = false;
};

struct DecodedFrame {
    FrameIndex frameIndex = 0;
    int64_t timeMs = 0;
    cv::Mat bgr; ///< filled when FramePixels::Bgr was asked for
    cv::Mat gray; ///< filled when FramePixels::Gray was asked for (the luma plane: no colour conversion)
};

enum class FramePixels { None, Bgr, Gray };

struct ReaderOptions {
    int threads = 1; ///< decoder threads; ingest runs several readers side by side
    int stallTimeoutMs = 20000; ///< a read that makes no progress this long fails instead of hanging
    int maxConsecutiveErrors = 50;
};

/// Decodes one video. Not thread-safe; use one reader per thread.
class VideoReader {
public:
    ~VideoReader();
    VideoReader(const VideoReader &) = delete;
    VideoReader &operator=(const VideoReader &) = delete;

    static Result<std::unique_ptr<VideoReader>> open(const std::string &path, const ReaderOptions &options = {},
                                                     CancelToken cancel = {});
    const MediaInfo &info() const;

    /// Decodes the next frame. Returns true with a frame, false at the end of the stream.
    /// With FramePixels::None the frame is decoded (codecs need that) but not converted.
    Result<bool> next(DecodedFrame &out, FramePixels pixels);
    Result<bool> next(DecodedFrame &out, bool wantPixels = true)
    {
        return next(out, wantPixels ? FramePixels::Bgr : FramePixels::None);
    }
    /// Positions the reader so that next() returns exactly frameIndex (or the end if past it).
    Status seekToFrame(FrameIndex frameIndex);
    /// Convenience: seek and decode one frame.
    Result<DecodedFrame> frameAt(FrameIndex frameIndex);
    /// Frames that failed to decode so far (corrupt packets that were skipped).
    int decodeErrors() const;

private:
    VideoReader();
    struct Impl;
    std::unique_ptr<Impl> d;
};

/// Opens, reads metadata and decodes the first frame, to tell a video from anything else.
Result<MediaInfo> probeVideo(const std::string &path);

/// A frame scaled to fit maxSide (aspect kept), taken at frameIndex (or the middle when negative).
Result<cv::Mat> makeThumbnail(const std::string &path, int maxSide, FrameIndex frameIndex = -1);

/// FFmpeg's own diagnostics on stderr: off by default (failures are reported as values). Process-wide, as FFmpeg's
/// log level is; the composition root switches them on when the user asks (TWINSEEK_FFMPEG_LOG).
void setFfmpegDiagnostics(bool on);

} // namespace ts
