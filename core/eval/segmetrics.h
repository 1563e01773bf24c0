// Grounding metrics as the DAVIS benchmark defines them: region similarity J (IoU) and contour accuracy F
// (boundary precision/recall with a tolerance of bound_th times the image diagonal), per frame, per sequence
// (folders of PNGs, or a twin's tracks against ground truth) and over the (query, video) pairs of an evaluation.
// Checked against the official davis2017-evaluation numbers in tst_segmetrics (agreement to 1e-5).
#pragma once

#include "base/cancel.h"
#include "base/result.h"
#include "base/rle.h"
#include "base/types.h"

#include <opencv2/core.hpp>

#include <string>
#include <vector>

namespace ts {

struct Twin;

/// Region IoU of two binary masks (nonzero = set); two empty masks give 1.
double regionJ(const cv::Mat &prediction, const cv::Mat &groundTruth);
/// Contour accuracy F exactly as davis2017-evaluation's f_measure (seg2bmap, disk dilation, bound_th).
double contourF(const cv::Mat &prediction, const cv::Mat &groundTruth, double boundTh = 0.008);
/// One-pixel boundary map of a binary mask (DAVIS seg2bmap at the mask's own size).
cv::Mat boundaryMap(const cv::Mat &mask);

/// Which frames a sequence mean covers. DAVIS-2017's semi-supervised evaluation drops the first frame (given to
/// the method) and the last; the retrieval benchmark scores every frame.
enum class FrameSubset { All, Inner };

/// Per-frame J and F of one sequence, index = frame number.
struct SequenceScores {
    std::vector<double> j;
    std::vector<double> f; ///< empty when F was not asked for
    double meanJ(FrameSubset subset = FrameSubset::All) const;
    double meanF(FrameSubset subset = FrameSubset::All) const;
    int frames() const { return static_cast<int>(j.size()); }
};

enum class ContourMeasure { Skip, Compute };

/// J and F of a folder of predicted PNGs against a DAVIS-style ground-truth folder (%05d.png, nonzero =
/// foreground, palette or grey). Every ground-truth frame needs a prediction of the same size.
Result<SequenceScores> scoreMaskFolders(const std::string &predictedFolder, const std::string &groundTruthFolder,
                                        ContourMeasure contour = ContourMeasure::Compute,
                                        const CancelToken &cancel = {});

/// Grounding of one returned video (FORMAT.md): the predicted mask of ground-truth frame i is the union of the
/// masks of `tracks` on the twin's analysed frame nearest to i, resized (nearest neighbour) to the ground-truth
/// size when the twin was built at another resolution. Frames past the twin's end take its last analysed frame.
SequenceScores scoreGrounding(const Twin &twin, const std::vector<TrackId> &tracks,
                              const std::vector<Rle> &groundTruth, ContourMeasure contour = ContourMeasure::Compute);

/// J and F of one (query, video) pair, and where the system ranked the video.
struct GroundingPair {
    std::string queryId;
    std::string key;
    int rank = 0; ///< 1-based position of the video in the returned list
    double j = 0.0;
    double f = 0.0; ///< NaN when contour accuracy was not computed
    int frames = 0;
};

struct GroundingSummary {
    int pairs = 0;
    double meanJ = 0.0;
    double meanF = 0.0;
    int firstPairs = 0; ///< pairs whose video was ranked first
    double firstJ = 0.0;
    double firstF = 0.0;
};

/// Means over all grounded pairs and over those ranked first; zeros when there are none.
GroundingSummary summarizeGrounding(const std::vector<GroundingPair> &pairs);

} // namespace ts
