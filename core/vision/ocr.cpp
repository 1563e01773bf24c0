#include "ocr.h"

#include "vision/preprocess.h"

#include <opencv2/imgproc.hpp>

#ifdef TWINSEEK_HAVE_TESSERACT
#include <tesseract/baseapi.h>
#endif

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>

namespace ts {

namespace {

// Scene clutter (rules, bars, fences) reads as "|", "=" or "——"; a line without a letter or digit is not text.
bool hasAlnum(const std::string &s)
{
    for (unsigned char c : s)
        if (std::isalnum(c) || c >= 0x80)
            return true;
    return false;
}

std::string trimmed(const std::string &s)
{
    size_t a = 0, b = s.size();
    while (a < b && std::isspace(static_cast<unsigned char>(s[a])))
        ++a;
    while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1])))
        --b;
    return s.substr(a, b - a);
}

// The four corners of a rotated rectangle as PaddleOCR orders them: top-left, top-right, bottom-right,
// bottom-left (left pair by x, then each pair by y), so that crops come out upright for horizontal text.
std::array<cv::Point2f, 4> orderedCorners(const cv::RotatedRect &r)
{
    cv::Point2f p[4];
    r.points(p);
    std::sort(p, p + 4, [](const cv::Point2f &a, const cv::Point2f &b) { return a.x < b.x; });
    std::array<cv::Point2f, 4> out;
    const bool firstLeftIsTop = p[0].y <= p[1].y;
    out[0] = firstLeftIsTop ? p[0] : p[1];
    out[3] = firstLeftIsTop ? p[1] : p[0];
    const bool firstRightIsTop = p[2].y <= p[3].y;
    out[1] = firstRightIsTop ? p[2] : p[3];
    out[2] = firstRightIsTop ? p[3] : p[2];
    return out;
}

Box boundsOf(const std::array<cv::Point2f, 4> &q)
{
    float x0 = q[0].x, y0 = q[0].y, x1 = q[0].x, y1 = q[0].y;
    for (const auto &p : q) {
        x0 = std::min(x0, p.x);
        y0 = std::min(y0, p.y);
        x1 = std::max(x1, p.x);
        y1 = std::max(y1, p.y);
    }
    return {x0, y0, x1 - x0, y1 - y0};
}

// Reading order: lines top to bottom; lines whose tops are within 10 px count as one row, read left to right.
void sortReadingOrder(std::vector<TextBox> &boxes)
{
    std::sort(boxes.begin(), boxes.end(), [](const TextBox &a, const TextBox &b) {
        if (std::abs(a.box.y - b.box.y) < 10.f)
            return a.box.x < b.box.x;
        return a.box.y < b.box.y;
    });
}

// The line upright and axis-aligned: a perspective warp of its quad; tall crops are taken as vertical text
// and turned a quarter counter-clockwise, as PaddleOCR does.
cv::Mat cropLine(const cv::Mat &img, const std::array<cv::Point2f, 4> &q)
{
    const float w = std::max(cv::norm(q[0] - q[1]), cv::norm(q[2] - q[3]));
    const float h = std::max(cv::norm(q[0] - q[3]), cv::norm(q[1] - q[2]));
    const int W = std::max(1, static_cast<int>(w)), H = std::max(1, static_cast<int>(h));
    const float fw = static_cast<float>(W), fh = static_cast<float>(H);
    const cv::Point2f dst[4] = {{0.f, 0.f}, {fw, 0.f}, {fw, fh}, {0.f, fh}};
    const cv::Mat m = cv::getPerspectiveTransform(q.data(), dst);
    cv::Mat out;
    cv::warpPerspective(img, out, m, cv::Size(W, H), cv::INTER_CUBIC, cv::BORDER_REPLICATE);
    if (static_cast<float>(out.rows) / out.cols >= 1.5f)
        cv::rotate(out, out, cv::ROTATE_90_COUNTERCLOCKWISE);
    return out;
}

cv::Mat toBgr(const cv::Mat &img)
{
    if (img.channels() == 3)
        return img;
    cv::Mat out;
    cv::cvtColor(img, out, img.channels() == 4 ? cv::COLOR_BGRA2BGR : cv::COLOR_GRAY2BGR);
    return out;
}

#ifdef TWINSEEK_HAVE_TESSERACT

class TesseractReader : public TextReader {
public:
    explicit TesseractReader(OcrOptions options) : m_options(std::move(options)) {}
    ~TesseractReader() override { m_api.End(); }

    Status init()
    {
        // The Debian data directory is compiled into the library; TESSDATA_PREFIX overrides it.
        if (m_api.Init(nullptr, m_options.tesseractLanguage.c_str(), tesseract::OEM_LSTM_ONLY) != 0)
            return Status::error("Tesseract has no '" + m_options.tesseractLanguage +
                                 "' language data (install Debian's tesseract-ocr-" + m_options.tesseractLanguage +
                                 ")");
        // Frames carry no resolution; without one Tesseract guesses and prints a warning per image.
        m_api.SetVariable("user_defined_dpi", "300");
        m_api.SetVariable("debug_file", "/dev/null");
        return Status::ok();
    }

    std::string modelId() const override { return "tesseract-" + m_options.tesseractLanguage; }
    std::string runtime() const override { return "tesseract"; }

    Result<std::vector<TextBox>> read(const cv::Mat &bgr) override
    {
        using R = Result<std::vector<TextBox>>;
        if (bgr.empty())
            return R::error("empty image");
        // Scene text is sparse: no page layout is assumed. Small images are enlarged (Tesseract reads best with
        // letters some 30 px tall); boxes are mapped back.
        const double scale = std::clamp(1000.0 / std::max(bgr.cols, bgr.rows), 1.0, 3.0);
        cv::Mat gray = grayOf(bgr, scale);
        m_api.SetPageSegMode(tesseract::PSM_SPARSE_TEXT);
        m_api.SetImage(gray.data, gray.cols, gray.rows, 1, static_cast<int>(gray.step));
        if (m_api.Recognize(nullptr) != 0)
            return R::error("Tesseract could not recognise the image");
        std::vector<TextBox> out;
        std::unique_ptr<tesseract::ResultIterator> it(m_api.GetIterator());
        if (it) {
            do {
                std::unique_ptr<char[]> text(it->GetUTF8Text(tesseract::RIL_TEXTLINE));
                if (!text)
                    continue;
                TextBox t;
                t.text = trimmed(text.get());
                t.confidence = it->Confidence(tesseract::RIL_TEXTLINE) / 100.f;
                if (!hasAlnum(t.text) || t.confidence < m_options.minConfidence)
                    continue;
                int l = 0, tp = 0, r = 0, b = 0;
                if (!it->BoundingBox(tesseract::RIL_TEXTLINE, &l, &tp, &r, &b))
                    continue;
                const float s = static_cast<float>(1.0 / scale);
                t.box = {l * s, tp * s, (r - l) * s, (b - tp) * s};
                t.quad = {cv::Point2f(t.box.x, t.box.y), cv::Point2f(t.box.right(), t.box.y),
                          cv::Point2f(t.box.right(), t.box.bottom()), cv::Point2f(t.box.x, t.box.bottom())};
                t.source = modelId();
                out.push_back(std::move(t));
            } while (it->Next(tesseract::RIL_TEXTLINE));
        }
        m_api.Clear();
        sortReadingOrder(out);
        return out;
    }

    Result<TextBox> readLine(const cv::Mat &bgr) override
    {
        using R = Result<TextBox>;
        if (bgr.empty())
            return R::error("empty image");
        // A line crop as PP-OCR makes it hugs the letters; a white margin lets Tesseract find the baseline.
        const double scale = std::clamp(48.0 / bgr.rows, 1.0, 4.0);
        cv::Mat gray = grayOf(bgr, scale);
        const int pad = std::max(8, gray.rows / 4);
        cv::Mat padded;
        cv::copyMakeBorder(gray, padded, pad, pad, pad, pad, cv::BORDER_REPLICATE);
        m_api.SetPageSegMode(tesseract::PSM_SINGLE_LINE);
        m_api.SetImage(padded.data, padded.cols, padded.rows, 1, static_cast<int>(padded.step));
        std::unique_ptr<char[]> text(m_api.GetUTF8Text());
        TextBox t;
        t.text = text ? trimmed(text.get()) : std::string();
        t.confidence = std::max(0, m_api.MeanTextConf()) / 100.f;
        t.box = {0.f, 0.f, static_cast<float>(bgr.cols), static_cast<float>(bgr.rows)};
        t.quad = {cv::Point2f(0, 0), cv::Point2f(bgr.cols, 0), cv::Point2f(bgr.cols, bgr.rows),
                  cv::Point2f(0, bgr.rows)};
        t.source = modelId();
        m_api.Clear();
        return t;
    }

private:
    static cv::Mat grayOf(const cv::Mat &img, double scale)
    {
        cv::Mat gray;
        if (img.channels() == 1)
            gray = img;
        else
            cv::cvtColor(img, gray, img.channels() == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
        if (scale != 1.0)
            cv::resize(gray, gray, cv::Size(), scale, scale, cv::INTER_CUBIC);
        return gray.isContinuous() ? gray : gray.clone();
    }

    OcrOptions m_options;
    tesseract::TessBaseAPI m_api;
};

#endif

class PpOcrReader : public TextReader {
public:
    PpOcrReader(ModelManifest manifest, std::shared_ptr<InferenceSession> det, std::shared_ptr<InferenceSession> rec,
                std::vector<std::string> alphabet, OcrOptions options)
        : m_manifest(std::move(manifest)), m_det(std::move(det)), m_rec(std::move(rec)),
          m_alphabet(std::move(alphabet)), m_options(std::move(options))
    {
        const auto &o = m_manifest.output;
        m_db.binaryThreshold = o.value("det_threshold", m_db.binaryThreshold);
        m_db.boxThreshold = o.value("box_threshold", m_db.boxThreshold);
        m_db.unclipRatio = o.value("unclip_ratio", m_db.unclipRatio);
        m_recHeight = std::max(8, o.value("rec_height", 48));
        m_recMinWidth = std::max(m_recHeight, o.value("rec_width", 320));
    }

    void setRereader(std::unique_ptr<TextReader> r) { m_reread = std::move(r); }

    std::string modelId() const override { return m_manifest.id; }
    std::string runtime() const override { return m_det->runtime(); }

    Result<std::vector<TextBox>> read(const cv::Mat &input) override
    {
        using R = Result<std::vector<TextBox>>;
        if (input.empty())
            return R::error("empty image");
        const cv::Mat bgr = toBgr(input);
        // Detector input: long side within [detectMinSide, detectMaxSide] (enlarging at most 4x), both sides
        // multiples of 32 as the network's strides need.
        const int longSide = std::max(bgr.cols, bgr.rows);
        double ratio = 1.0;
        if (longSide > m_options.detectMaxSide)
            ratio = static_cast<double>(m_options.detectMaxSide) / longSide;
        else if (longSide < m_options.detectMinSide)
            ratio = std::min(4.0, static_cast<double>(m_options.detectMinSide) / longSide);
        auto to32 = [](double v) { return std::max(32, static_cast<int>(std::lround(v / 32.0)) * 32); };
        InputSpec spec = m_manifest.input;
        spec.width = to32(bgr.cols * ratio);
        spec.height = to32(bgr.rows * ratio);
        spec.resize = "stretch";
        InputTransform t;
        const Tensor in = imageToTensor(bgr, spec, &t);
        auto outs = m_det->run({in});
        if (!outs)
            return R::error(m_manifest.id + " detector: " + outs.message());
        const Tensor &o = outs->front();
        if (o.shape.size() != 4 || o.shape[1] != 1)
            return R::error(m_manifest.id + " detector: expected a [1, 1, h, w] probability map");
        const int h = static_cast<int>(o.shape[2]), w = static_cast<int>(o.shape[3]);
        const cv::Mat prob(h, w, CV_32F, const_cast<float *>(o.data.data()));
        const float sx = static_cast<float>(spec.width) / w, sy = static_cast<float>(spec.height) / h;

        std::vector<TextBox> out;
        for (auto q : dbTextQuads(prob, m_db)) {
            for (auto &p : q) {
                p.x = std::clamp(t.toSourceX(p.x * sx), 0.f, static_cast<float>(bgr.cols - 1));
                p.y = std::clamp(t.toSourceY(p.y * sy), 0.f, static_cast<float>(bgr.rows - 1));
            }
            const Box b = boundsOf(q);
            if (b.w <= 3.f || b.h <= 3.f)
                continue;
            const cv::Mat crop = cropLine(bgr, q);
            auto line = recognise(crop);
            if (!line)
                return R::error(line);
            TextBox tb = std::move(line).value();
            if (m_reread && tb.confidence < m_options.rereadBelow) {
                auto again = m_reread->readLine(crop);
                if (again && again->confidence > tb.confidence && !again->text.empty()) {
                    tb.text = again->text;
                    tb.confidence = again->confidence;
                    tb.source = again->source;
                }
            }
            if (!hasAlnum(tb.text) || tb.confidence < m_options.minConfidence)
                continue;
            tb.box = b;
            tb.quad = q;
            out.push_back(std::move(tb));
        }
        sortReadingOrder(out);
        return out;
    }

    Result<TextBox> readLine(const cv::Mat &bgr) override
    {
        if (bgr.empty())
            return Result<TextBox>::error("empty image");
        auto r = recognise(toBgr(bgr));
        if (r)
            r->box = {0.f, 0.f, static_cast<float>(bgr.cols), static_cast<float>(bgr.rows)};
        return r;
    }

private:
    Result<TextBox> recognise(const cv::Mat &line)
    {
        using R = Result<TextBox>;
        // Height fixed, width following the aspect ratio (at least the training width, padded with zeros after
        // normalisation as PaddleOCR pads), pixels to [-1, 1] in BGR order.
        const int H = m_recHeight;
        const double aspect = static_cast<double>(line.cols) / std::max(1, line.rows);
        const int W = std::max(m_recMinWidth, static_cast<int>(H * aspect));
        const int resizedW = std::clamp(static_cast<int>(std::ceil(H * aspect)), 1, W);
        cv::Mat r;
        cv::resize(line, r, cv::Size(resizedW, H), 0, 0, cv::INTER_LINEAR);
        Tensor in;
        in.shape = {1, 3, H, W};
        in.data.assign(static_cast<size_t>(3) * H * W, 0.f);
        for (int y = 0; y < H; ++y) {
            const uint8_t *row = r.ptr<uint8_t>(y);
            for (int x = 0; x < resizedW; ++x)
                for (int c = 0; c < 3; ++c)
                    in.data[(static_cast<size_t>(c) * H + y) * W + x] = (row[x * 3 + c] / 255.f - 0.5f) / 0.5f;
        }
        auto outs = m_rec->run({in});
        if (!outs)
            return R::error(m_manifest.id + " recogniser: " + outs.message());
        const Tensor &o = outs->front();
        if (o.shape.size() != 3 || o.shape[0] != 1)
            return R::error(m_manifest.id + " recogniser: expected a [1, steps, classes] output");
        const int steps = static_cast<int>(o.shape[1]), classes = static_cast<int>(o.shape[2]);
        if (classes != static_cast<int>(m_alphabet.size()))
            return R::error(m_manifest.id + " recogniser: " + std::to_string(classes) +
                            " classes but the keys file has " + std::to_string(m_alphabet.size() - 2) +
                            " characters (+ blank and space)");
        auto [text, conf] = ctcGreedyDecode(o.data.data(), steps, classes, m_alphabet);
        TextBox tb;
        tb.text = trimmed(text);
        tb.confidence = conf;
        tb.source = m_manifest.id;
        return tb;
    }

    ModelManifest m_manifest;
    std::shared_ptr<InferenceSession> m_det;
    std::shared_ptr<InferenceSession> m_rec;
    std::vector<std::string> m_alphabet;
    OcrOptions m_options;
    DbParams m_db;
    int m_recHeight = 48;
    int m_recMinWidth = 320;
    std::unique_ptr<TextReader> m_reread;
};

} // namespace

std::vector<std::array<cv::Point2f, 4>> dbTextQuads(const cv::Mat &probability, const DbParams &params)
{
    std::vector<std::array<cv::Point2f, 4>> out;
    if (probability.empty() || probability.type() != CV_32F)
        return out;
    cv::Mat bitmap;
    cv::compare(probability, params.binaryThreshold, bitmap, cv::CMP_GT);
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(bitmap, contours, cv::RETR_LIST, cv::CHAIN_APPROX_SIMPLE);
    const int n = std::min(static_cast<int>(contours.size()), params.maxCandidates);
    for (int i = 0; i < n; ++i) {
        const cv::RotatedRect kernel = cv::minAreaRect(contours[static_cast<size_t>(i)]);
        if (std::min(kernel.size.width, kernel.size.height) < params.minSide)
            continue;
        // Box score: the mean probability inside the box (PaddleOCR's "fast" mode); weak blobs are noise.
        const std::array<cv::Point2f, 4> k = orderedCorners(kernel);
        const cv::Rect bounds = cv::boundingRect(std::vector<cv::Point2f>(k.begin(), k.end())) &
                                cv::Rect(0, 0, probability.cols, probability.rows);
        if (bounds.empty())
            continue;
        cv::Mat inside(bounds.size(), CV_8UC1, cv::Scalar(0));
        std::vector<cv::Point> poly;
        for (const auto &p : k)
            poly.emplace_back(static_cast<int>(std::lround(p.x)) - bounds.x,
                              static_cast<int>(std::lround(p.y)) - bounds.y);
        cv::fillPoly(inside, std::vector<std::vector<cv::Point>>{poly}, cv::Scalar(1));
        if (cv::mean(probability(bounds), inside)[0] < params.boxThreshold)
            continue;
        // The network marks a shrunk kernel of each line; grow it back by the offset the labels were shrunk
        // with (area * ratio / perimeter). For a rectangle the polygon offset is the rectangle grown by that
        // distance on every side, which is what the minimum-area box of the offset polygon comes to.
        const double w = kernel.size.width, h = kernel.size.height;
        const double distance = w * h * params.unclipRatio / std::max(1e-6, 2.0 * (w + h));
        cv::RotatedRect grown = kernel;
        grown.size.width = static_cast<float>(w + 2 * distance);
        grown.size.height = static_cast<float>(h + 2 * distance);
        if (std::min(grown.size.width, grown.size.height) < params.minSide + 2)
            continue;
        out.push_back(orderedCorners(grown));
    }
    return out;
}

std::pair<std::string, float> ctcGreedyDecode(const float *scores, int steps, int classes,
                                              const std::vector<std::string> &alphabet)
{
    std::string text;
    double sum = 0.0;
    int kept = 0;
    int previous = -1;
    for (int t = 0; t < steps; ++t) {
        const float *row = scores + static_cast<size_t>(t) * classes;
        const int best = static_cast<int>(std::max_element(row, row + classes) - row);
        if (best != 0 && best != previous && best < static_cast<int>(alphabet.size())) {
            text += alphabet[static_cast<size_t>(best)];
            sum += row[best];
            ++kept;
        }
        previous = best;
    }
    return {text, kept > 0 ? static_cast<float>(sum / kept) : 0.f};
}

bool haveTesseract()
{
#ifdef TWINSEEK_HAVE_TESSERACT
    return true;
#else
    return false;
#endif
}

Result<std::unique_ptr<TextReader>> makeTesseractReader(const OcrOptions &ocr)
{
    using R = Result<std::unique_ptr<TextReader>>;
#ifdef TWINSEEK_HAVE_TESSERACT
    auto reader = std::make_unique<TesseractReader>(ocr);
    Status s = reader->init();
    if (!s)
        return R::error(s);
    return R(std::move(reader));
#else
    (void)ocr;
    return R::error("this build has no Tesseract (install Debian's libtesseract-dev and rebuild)");
#endif
}

Result<std::unique_ptr<TextReader>> makePpOcrReader(const ModelManifest &manifest, const ModelRegistry &models,
                                                    SessionCache &sessions, const SessionOptions &options,
                                                    const OcrOptions &ocr)
{
    using R = Result<std::unique_ptr<TextReader>>;
    if (manifest.output.value("decoder", "") != "ppocr")
        return R::error(manifest.id + ": output.decoder must be \"ppocr\"");
    const std::string recName = manifest.output.value("recogniser", "");
    const std::string keysName = manifest.output.value("keys", "");
    if (recName.empty() || keysName.empty())
        return R::error(manifest.id + ": output needs \"recogniser\" and \"keys\" files");
    auto det = sessions.load(models.modelPath(manifest), manifest.runtimes, options);
    if (!det)
        return R::error(manifest.id + " detector: " + det.message());
    auto rec = sessions.load(models.filePath(manifest, recName), manifest.runtimes, options);
    if (!rec)
        return R::error(manifest.id + " recogniser: " + rec.message());
    std::ifstream in(models.filePath(manifest, keysName));
    if (!in)
        return R::error(manifest.id + ": cannot open the keys file " + keysName);
    // Index 0 is CTC's blank; the recogniser was trained with a space as the last class.
    std::vector<std::string> alphabet{""};
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        alphabet.push_back(line);
    }
    alphabet.push_back(" ");
    if (alphabet.size() < 3)
        return R::error(manifest.id + ": the keys file is empty");
    return R(std::make_unique<PpOcrReader>(manifest, std::move(det).value(), std::move(rec).value(),
                                           std::move(alphabet), ocr));
}

Result<std::unique_ptr<TextReader>> makeTextReader(const ModelRegistry &models, SessionCache &sessions,
                                                   const SessionOptions &options, const OcrOptions &ocr,
                                                   const std::string &modelId, std::string *note)
{
    using R = Result<std::unique_ptr<TextReader>>;
    std::string why;
    std::vector<const ModelManifest *> candidates;
    if (!modelId.empty()) {
        if (const ModelManifest *m = models.find(modelId))
            candidates.push_back(m);
        else
            why = "model '" + modelId + "' has no manifest";
    } else {
        candidates = models.forRole("ocr");
        if (candidates.empty())
            why = "no OCR model is installed";
    }
    for (const ModelManifest *m : candidates) {
        const auto a = models.availability(*m);
        if (!a.available) {
            why = m->id + ": " + a.message;
            continue;
        }
        auto pp = makePpOcrReader(*m, models, sessions, options, ocr);
        if (!pp) {
            why = pp.message();
            continue;
        }
        if (ocr.rereadBelow > 0.f) {
            auto tess = makeTesseractReader(ocr);
            if (tess)
                static_cast<PpOcrReader *>(pp->get())->setRereader(std::move(tess).value());
        }
        return pp;
    }
    if (note)
        *note = why;
    auto tess = makeTesseractReader(ocr);
    if (tess)
        return tess;
    return R::error("no OCR: " + why + "; " + tess.message());
}

} // namespace ts
