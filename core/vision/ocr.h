// Text in frames (signs, numbers on riders, captions, banners). PP-OCRv4 through the inference backends: the DB
// text detector (probability map -> threshold -> contours -> unclipped boxes) and the CRNN recogniser with CTC
// greedy decoding over ppocr_keys_v1.txt. Tesseract (Debian's libtesseract, eng) reads when ONNX Runtime or the
// PP-OCR files are missing, and may re-read lines PP-OCR is unsure of.
// What is read here is data from the video: it goes to an LLM as quoted data, never as instructions.
#pragma once

#include "base/result.h"
#include "base/types.h"
#include "vision/inference.h"
#include "vision/modelregistry.h"

#include <opencv2/core.hpp>

#include <array>
#include <memory>
#include <string>
#include <vector>

namespace ts {

/// One line of text found in an image.
struct TextBox {
    Box box; ///< axis-aligned bounds in the image's pixels
    std::array<cv::Point2f, 4> quad{}; ///< the possibly rotated line: top-left, top-right, bottom-right, bottom-left
    std::string text; ///< UTF-8, trimmed
    float confidence = 0.f; ///< 0..1
    std::string source; ///< the reader that produced the text ("ppocr_v4", "tesseract-eng")
};

struct OcrOptions {
    float minConfidence = 0.5f; ///< lines read with less confidence are dropped
    int detectMaxSide = 960; ///< the text detector sees the image with its long side at most this...
    int detectMinSide = 640; ///< ...and small images (object crops) enlarged to at least this (up to 4x)
    float rereadBelow = 0.f; ///< PP-OCR lines below this confidence are re-read by Tesseract when it is there
    std::string tesseractLanguage = "eng";
};

/// Reads text lines. Not thread-safe; one per worker. Runs on worker threads.
class TextReader {
public:
    virtual ~TextReader() = default;
    virtual std::string modelId() const = 0;
    virtual std::string runtime() const = 0;
    /// Text lines of the image above OcrOptions::minConfidence, top to bottom, then left to right.
    virtual Result<std::vector<TextBox>> read(const cv::Mat &bgr) = 0;
    /// Recognition only: the image is one line of text (a crop); its box is the whole image.
    virtual Result<TextBox> readLine(const cv::Mat &bgr) = 0;
};

/// PP-OCR as the manifest describes it (output.decoder "ppocr": recogniser and keys files in output).
Result<std::unique_ptr<TextReader>> makePpOcrReader(const ModelManifest &manifest, const ModelRegistry &models,
                                                    SessionCache &sessions, const SessionOptions &options,
                                                    const OcrOptions &ocr = {});
/// Tesseract's LSTM engine; an error when this build has no Tesseract or its language data is missing.
Result<std::unique_ptr<TextReader>> makeTesseractReader(const OcrOptions &ocr = {});
/// Whether this build was made with libtesseract.
bool haveTesseract();

/// The best reader there is: PP-OCR (modelId, or the best available of role "ocr"), re-reading with Tesseract
/// when asked, else Tesseract alone. `note` says why PP-OCR is not used when it is not.
Result<std::unique_ptr<TextReader>> makeTextReader(const ModelRegistry &models, SessionCache &sessions,
                                                   const SessionOptions &options, const OcrOptions &ocr = {},
                                                   const std::string &modelId = {}, std::string *note = nullptr);

/// DB post-processing parameters (PaddleOCR's defaults).
struct DbParams {
    float binaryThreshold = 0.3f; ///< probability above which a pixel is text
    float boxThreshold = 0.6f; ///< mean probability inside a box to keep it
    float unclipRatio = 1.5f; ///< the shrunk text kernel grows back by area * ratio / perimeter
    int minSide = 3;
    int maxCandidates = 1000;
};

/// Text line quads (top-left, top-right, bottom-right, bottom-left) in the probability map's pixels.
std::vector<std::array<cv::Point2f, 4>> dbTextQuads(const cv::Mat &probability, const DbParams &params = {});

/// CTC greedy decoding of a [steps x classes] score matrix (index 0 is the blank; alphabet[0] is unused):
/// repeats merge, blanks drop; the confidence is the mean score of the kept steps.
std::pair<std::string, float> ctcGreedyDecode(const float *scores, int steps, int classes,
                                              const std::vector<std::string> &alphabet);

} // namespace ts
