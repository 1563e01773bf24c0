#include "videoreader.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
}

#include <opencv2/imgproc.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <mutex>

namespace ts {

namespace {

std::atomic<bool> g_ffmpegDiagnostics{false}; // FFmpeg's log level is process-wide too

std::string avError(int code)
{
    char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
    av_strerror(code, buf, sizeof buf);
    return buf;
}

struct FormatCloser {
    void operator()(AVFormatContext *c) const { avformat_close_input(&c); }
};
struct CodecCloser {
    void operator()(AVCodecContext *c) const { avcodec_free_context(&c); }
};
struct PacketFree {
    void operator()(AVPacket *p) const { av_packet_free(&p); }
};
struct FrameFree {
    void operator()(AVFrame *f) const { av_frame_free(&f); }
};
struct SwsFree {
    void operator()(SwsContext *s) const { sws_freeContext(s); }
};

int64_t nowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace

struct VideoReader::Impl {
    std::string path;
    ReaderOptions options;
    CancelToken cancel;
    std::unique_ptr<AVFormatContext, FormatCloser> fmt;
    std::unique_ptr<AVCodecContext, CodecCloser> codec;
    std::unique_ptr<AVPacket, PacketFree> packet{av_packet_alloc()};
    std::unique_ptr<AVFrame, FrameFree> frame{av_frame_alloc()};
    SwsContext *sws = nullptr; // owned; sws_getCachedContext may replace it
    SwsContext *swsGray = nullptr;
    int streamIndex = -1;
    AVRational timeBase{0, 1};
    int64_t firstPts = AV_NOPTS_VALUE;
    MediaInfo info;
    int64_t lastProgressMs = 0;
    bool demuxEof = false;
    bool decoderDrained = false;
    int64_t counter = 0; // decoded frames since the last seek position
    int64_t counterBase = 0;
    FrameIndex lastEmitted = -1; // frame indices handed out stay strictly increasing (variable frame rates)
    int errors = 0;
    int consecutiveErrors = 0;
    std::deque<DecodedFrame> pending; // frames decoded ahead (e.g. the probe frame)

    ~Impl()
    {
        if (sws)
            sws_freeContext(sws);
        if (swsGray)
            sws_freeContext(swsGray);
    }

    static int interrupt(void *opaque)
    {
        auto *self = static_cast<Impl *>(opaque);
        if (self->cancel.isCancelled())
            return 1;
        return nowMs() - self->lastProgressMs > self->options.stallTimeoutMs ? 1 : 0;
    }

    FrameIndex indexOf(const AVFrame *f)
    {
        const int64_t pts = f->best_effort_timestamp != AV_NOPTS_VALUE ? f->best_effort_timestamp : f->pts;
        if (pts == AV_NOPTS_VALUE || firstPts == AV_NOPTS_VALUE || info.fps <= 0)
            return counterBase + counter;
        const double seconds = static_cast<double>(pts - firstPts) * av_q2d(timeBase);
        return static_cast<FrameIndex>(std::llround(seconds * info.fps));
    }

    Status convert(const AVFrame *f, cv::Mat &out, bool gray = false)
    {
        if (f->width <= 0 || f->height <= 0)
            return Status::error("decoded frame has no size");
        SwsContext *&ctx = gray ? swsGray : sws;
        ctx = sws_getCachedContext(ctx, f->width, f->height, static_cast<AVPixelFormat>(f->format), f->width,
                                   f->height, gray ? AV_PIX_FMT_GRAY8 : AV_PIX_FMT_BGR24,
                                   SWS_BILINEAR | SWS_ACCURATE_RND, nullptr,
                                   nullptr, nullptr);
        if (!ctx)
            return Status::error("cannot convert pixel format " + std::to_string(f->format));
        // swscale's fast x86 YUV->BGR path converts rows in blocks of 8 pixels and leaves the rest unwritten (the
        // last 6 columns of an 854-wide DAVIS clip): accurate rounding takes the path that writes every pixel, and
        // the buffer is zeroed in case another format has the same habit. Uninitialised pixels there made twins
        // of the same file differ from run to run.
        cv::Mat bgr(f->height, f->width, gray ? CV_8UC1 : CV_8UC3, cv::Scalar::all(0));
        uint8_t *dst[4] = {bgr.data, nullptr, nullptr, nullptr};
        int dstStride[4] = {static_cast<int>(bgr.step), 0, 0, 0};
        if (sws_scale(ctx, f->data, f->linesize, 0, f->height, dst, dstStride) != f->height)
            return Status::error("pixel format conversion failed");
        switch (info.rotation) {
        case 90: cv::rotate(bgr, out, cv::ROTATE_90_CLOCKWISE); break;
        case 180: cv::rotate(bgr, out, cv::ROTATE_180); break;
        case 270: cv::rotate(bgr, out, cv::ROTATE_90_COUNTERCLOCKWISE); break;
        default: out = bgr;
        }
        return Status::ok();
    }

    // Receives the next decoded frame into `frame`. true = frame, false = end of stream.
    Result<bool> receive()
    {
        for (;;) {
            if (cancel.isCancelled())
                return Result<bool>::cancelled();
            int r = avcodec_receive_frame(codec.get(), frame.get());
            if (r == 0) {
                consecutiveErrors = 0;
                if (firstPts == AV_NOPTS_VALUE)
                    firstPts = frame->best_effort_timestamp != AV_NOPTS_VALUE ? frame->best_effort_timestamp
                                                                               : frame->pts;
                return true;
            }
            if (r == AVERROR_EOF)
                return false;
            if (r != AVERROR(EAGAIN)) {
                ++errors;
                if (++consecutiveErrors > options.maxConsecutiveErrors)
                    return Result<bool>::error("too many decoding errors: " + avError(r));
                continue;
            }
            // The decoder wants input.
            if (demuxEof) {
                if (decoderDrained)
                    return false;
                avcodec_send_packet(codec.get(), nullptr);
                decoderDrained = true;
                continue;
            }
            lastProgressMs = nowMs();
            r = av_read_frame(fmt.get(), packet.get());
            if (r == AVERROR_EOF) {
                demuxEof = true;
                continue;
            }
            if (r < 0) {
                if (cancel.isCancelled())
                    return Result<bool>::cancelled();
                if (r == AVERROR_EXIT)
                    return Result<bool>::error("reading stalled for more than " +
                                               std::to_string(options.stallTimeoutMs / 1000) + " s");
                // A damaged or truncated container: what could be read is all there is.
                ++errors;
                demuxEof = true;
                continue;
            }
            if (packet->stream_index == streamIndex) {
                r = avcodec_send_packet(codec.get(), packet.get());
                if (r < 0 && r != AVERROR(EAGAIN)) {
                    ++errors;
                    if (++consecutiveErrors > options.maxConsecutiveErrors) {
                        av_packet_unref(packet.get());
                        return Result<bool>::error("too many decoding errors: " + avError(r));
                    }
                }
            }
            av_packet_unref(packet.get());
        }
    }

    // Turns the received frame into a DecodedFrame and releases it.
    Status emit(DecodedFrame &out, FramePixels pixels)
    {
        out.frameIndex = indexOf(frame.get());
        // Timestamps of variable-rate files can round two frames to one index; the later frame takes the next one.
        if (out.frameIndex <= lastEmitted)
            out.frameIndex = lastEmitted + 1;
        lastEmitted = out.frameIndex;
        ++counter;
        out.timeMs = frameToTimeMs(out.frameIndex, info.fps);
        out.bgr.release();
        out.gray.release();
        Status s = Status::ok();
        if (pixels == FramePixels::Bgr)
            s = convert(frame.get(), out.bgr);
        else if (pixels == FramePixels::Gray)
            s = convert(frame.get(), out.gray, true);
        av_frame_unref(frame.get());
        return s;
    }

    Result<bool> decodeOne(DecodedFrame &out, FramePixels pixels)
    {
        auto got = receive();
        if (!got || !got.value())
            return got;
        Status s = emit(out, pixels);
        if (!s)
            return Result<bool>::error(s);
        return true;
    }
};

VideoReader::VideoReader() : d(std::make_unique<Impl>()) {}
VideoReader::~VideoReader() = default;

const MediaInfo &VideoReader::info() const { return d->info; }
int VideoReader::decodeErrors() const { return d->errors; }

void setFfmpegDiagnostics(bool on)
{
    g_ffmpegDiagnostics = on;
    av_log_set_level(on ? AV_LOG_INFO : AV_LOG_QUIET);
}

Result<std::unique_ptr<VideoReader>> VideoReader::open(const std::string &path, const ReaderOptions &options,
                                                       CancelToken cancel)
{
    using R = Result<std::unique_ptr<VideoReader>>;
    // FFmpeg prints its own diagnostics to stderr; TwinSeek reports failures as values instead.
    static std::once_flag quiet;
    std::call_once(quiet, [] {
        if (!g_ffmpegDiagnostics)
            av_log_set_level(AV_LOG_QUIET);
    });
    std::unique_ptr<VideoReader> reader(new VideoReader());
    Impl &d = *reader->d;
    d.path = path;
    d.options = options;
    d.cancel = cancel;
    if (!d.packet || !d.frame)
        return R::error("out of memory");

    AVFormatContext *raw = avformat_alloc_context();
    if (!raw)
        return R::error("out of memory");
    raw->interrupt_callback.callback = &Impl::interrupt;
    raw->interrupt_callback.opaque = &d;
    d.lastProgressMs = nowMs();
    int r = avformat_open_input(&raw, path.c_str(), nullptr, nullptr); // frees raw on failure
    if (r < 0)
        return R::error("not a media file FFmpeg can read (" + avError(r) + ")");
    d.fmt.reset(raw);
    d.lastProgressMs = nowMs();
    r = avformat_find_stream_info(raw, nullptr);
    if (r < 0)
        return R::error("cannot read stream information (" + avError(r) + ")");

    const AVCodec *decoder = nullptr;
    r = av_find_best_stream(raw, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0);
    if (r == AVERROR_STREAM_NOT_FOUND)
        return R::error("no video stream");
    if (r == AVERROR_DECODER_NOT_FOUND || (r >= 0 && !decoder)) {
        // Name the codec so the user knows what is missing.
        int si = av_find_best_stream(raw, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
        std::string name = "unknown";
        if (si >= 0) {
            const AVCodecDescriptor *desc = avcodec_descriptor_get(raw->streams[si]->codecpar->codec_id);
            if (desc)
                name = desc->name;
            else {
                const uint32_t tag = raw->streams[si]->codecpar->codec_tag;
                char fourcc[AV_FOURCC_MAX_STRING_SIZE] = {0};
                av_fourcc_make_string(fourcc, tag);
                name = std::string("fourcc ") + fourcc;
            }
        }
        return R::error("unsupported video codec (" + name + ")");
    }
    if (r < 0)
        return R::error("no usable video stream (" + avError(r) + ")");
    d.streamIndex = r;
    AVStream *st = raw->streams[r];
    // Still images (a JPEG renamed .mp4) come through as one-frame "video": not a video.
    if (st->disposition & AV_DISPOSITION_ATTACHED_PIC)
        return R::error("no video stream (only an attached picture)");
    const AVInputFormat *ifmt = raw->iformat;
    const std::string fmtName = ifmt && ifmt->name ? ifmt->name : "";
    if (fmtName.find("_pipe") != std::string::npos || fmtName == "image2" || fmtName == "png_pipe" ||
        fmtName == "gif")
        return R::error("an image, not a video (" + fmtName + ")");

    d.timeBase = st->time_base;
    AVCodecContext *cc = avcodec_alloc_context3(decoder);
    if (!cc)
        return R::error("out of memory");
    d.codec.reset(cc);
    r = avcodec_parameters_to_context(cc, st->codecpar);
    if (r < 0)
        return R::error("bad codec parameters (" + avError(r) + ")");
    cc->thread_count = std::max(1, options.threads);
    r = avcodec_open2(cc, decoder, nullptr);
    if (r < 0)
        return R::error(std::string("cannot open decoder ") + decoder->name + " (" + avError(r) + ")");

    MediaInfo &info = d.info;
    info.container = fmtName;
    info.codec = decoder->name;
    const AVRational rate = av_guess_frame_rate(raw, st, nullptr);
    info.fps = rate.num > 0 && rate.den > 0 ? av_q2d(rate) : 0.0;
    if (!(info.fps > 0 && info.fps < 1000))
        info.fps = 25.0; // unknown rate: a common default, only used to time frames
    if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
        info.durationMs = static_cast<int64_t>(st->duration * av_q2d(st->time_base) * 1000.0);
    else if (raw->duration != AV_NOPTS_VALUE && raw->duration > 0)
        info.durationMs = raw->duration / (AV_TIME_BASE / 1000);
    info.frameCount = st->nb_frames > 0 ? st->nb_frames : std::llround(info.durationMs * info.fps / 1000.0);
    if (const uint8_t *matrix = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, nullptr)) {
        const double ccw = av_display_rotation_get(reinterpret_cast<const int32_t *>(matrix));
        if (std::isfinite(ccw)) {
            int rot = static_cast<int>(std::lround(-ccw)) % 360;
            if (rot < 0)
                rot += 360;
            info.rotation = (rot + 45) / 90 * 90 % 360;
        }
    }
    const bool swap = info.rotation == 90 || info.rotation == 270;
    info.width = swap ? st->codecpar->height : st->codecpar->width;
    info.height = swap ? st->codecpar->width : st->codecpar->height;
    for (unsigned i = 0; i < raw->nb_streams; ++i)
        if (raw->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO)
            info.hasAudio = true;
    if (info.width <= 0 || info.height <= 0)
        return R::error("video stream has no frame size");

    // Decode the first frame now: it proves the stream is decodable and fixes the time origin.
    DecodedFrame first;
    auto got = d.decodeOne(first, FramePixels::Bgr);
    if (!got)
        return R::error("cannot decode: " + got.message());
    if (!got.value())
        return R::error(d.errors > 0 ? "no decodable frame (the file is corrupt or truncated)"
                                     : "the video stream has no frames");
    if (first.frameIndex != 0) {
        // Streams whose first timestamp is not the origin: count from the first decoded frame.
        first.frameIndex = 0;
        first.timeMs = 0;
    }
    d.pending.push_back(std::move(first));
    return R(std::move(reader));
}

Result<bool> VideoReader::next(DecodedFrame &out, FramePixels pixels)
{
    if (!d->pending.empty()) {
        // Frames decoded ahead (the probe frame, a seek target) are kept in colour.
        out = std::move(d->pending.front());
        d->pending.pop_front();
        if (pixels == FramePixels::Gray && !out.bgr.empty())
            cv::cvtColor(out.bgr, out.gray, cv::COLOR_BGR2GRAY);
        if (pixels != FramePixels::Bgr)
            out.bgr.release();
        return true;
    }
    return d->decodeOne(out, pixels);
}

Status VideoReader::seekToFrame(FrameIndex target)
{
    if (target < 0)
        return Status::error("negative frame index");
    Impl &d = *this->d;
    d.pending.clear();
    // Demuxers land on the keyframe at or before the requested time, but some overshoot: when the first frame
    // decoded after a seek is already past the target, back off further and try again.
    const bool haveTimestamps = d.firstPts != AV_NOPTS_VALUE;
    for (double backoffSeconds : {0.5, 3.0, 15.0, -1.0}) {
        if (!haveTimestamps && backoffSeconds >= 0)
            continue;
        int64_t ts = haveTimestamps ? d.firstPts : 0;
        if (backoffSeconds >= 0) {
            const double seconds = std::max(0.0, target / d.info.fps - backoffSeconds);
            ts += static_cast<int64_t>(std::floor(seconds / av_q2d(d.timeBase)));
        }
        d.lastProgressMs = nowMs();
        const int r = av_seek_frame(d.fmt.get(), d.streamIndex, ts, AVSEEK_FLAG_BACKWARD);
        if (r < 0) {
            if (backoffSeconds >= 0)
                continue;
            return Status::error("cannot seek (" + avError(r) + ")");
        }
        avcodec_flush_buffers(d.codec.get());
        d.demuxEof = false;
        d.decoderDrained = false;
        d.counter = 0;
        d.counterBase = 0;
        d.lastEmitted = -1;
        bool first = true;
        for (;;) {
            auto got = d.receive();
            if (!got)
                return got.status();
            if (!got.value())
                return Status::ok(); // past the end: next() reports the end
            const FrameIndex index = d.indexOf(d.frame.get());
            if (first && index > target && backoffSeconds >= 0) {
                av_frame_unref(d.frame.get());
                break; // overshoot: back off more
            }
            first = false;
            if (index >= target) {
                DecodedFrame f;
                Status s = d.emit(f, FramePixels::Bgr);
                if (!s)
                    return s;
                d.pending.push_back(std::move(f));
                return Status::ok();
            }
            av_frame_unref(d.frame.get());
            ++d.counter;
        }
    }
    return Status::error("cannot reach frame " + std::to_string(target));
}

Result<DecodedFrame> VideoReader::frameAt(FrameIndex frameIndex)
{
    Status s = seekToFrame(frameIndex);
    if (!s)
        return Result<DecodedFrame>::error(s);
    DecodedFrame f;
    auto got = next(f, true);
    if (!got)
        return Result<DecodedFrame>::error(got);
    if (!got.value())
        return Result<DecodedFrame>::error("frame " + std::to_string(frameIndex) + " is past the end");
    return f;
}

Result<MediaInfo> probeVideo(const std::string &path)
{
    ReaderOptions o;
    o.stallTimeoutMs = 10000;
    auto r = VideoReader::open(path, o);
    if (!r)
        return Result<MediaInfo>::error(r);
    return r.value()->info();
}

Result<cv::Mat> makeThumbnail(const std::string &path, int maxSide, FrameIndex frameIndex)
{
    auto r = VideoReader::open(path);
    if (!r)
        return Result<cv::Mat>::error(r);
    VideoReader &reader = *r.value();
    const FrameIndex target = frameIndex >= 0 ? frameIndex : reader.info().frameCount / 2;
    auto f = reader.frameAt(target);
    if (!f) {
        auto first = reader.frameAt(0);
        if (!first)
            return Result<cv::Mat>::error(f);
        f = std::move(first);
    }
    cv::Mat img = f->bgr;
    const double scale = std::min(1.0, static_cast<double>(maxSide) / std::max(img.cols, img.rows));
    if (scale < 1.0)
        cv::resize(img, img, cv::Size(), scale, scale, cv::INTER_AREA);
    return img;
}

} // namespace ts
