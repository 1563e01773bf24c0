// LibTorch training of the paired encoders (own target, twinseek_align_train; only this file's .cpp includes
// torch headers). The two towers of textencoder.h as torch modules, trained with a compositional contrastive
// loss: multi-positive InfoNCE where a sub-query's positives are all in-batch components that satisfy it (its
// source component, and any other that holds what it asks), its negatives the rest of the batch (components of
// other videos) plus one hard negative per pair; symmetric in the component-to-query direction.
// Deterministic for a seed and thread count. Blocking: run it on a worker thread or in the CLI.
#pragma once

#include "align/textencoder.h"
#include "align/trainingdata.h"
#include "base/cancel.h"
#include "base/result.h"

#include <functional>
#include <vector>

namespace ts {

struct TrainOptions {
    int epochs = 6;
    int batchSize = 512;
    double learningRate = 2e-3;
    double weightDecay = 1e-5;
    double temperature = 0.05;
    uint64_t seed = 1;
    int threads = 2; ///< BLAS threads for the matrix products (torch's own pool stays at one)
    int hiddenDim = 256;
    int embedDim = 128;
    int validationQueries = 4000; ///< at most this many held-out pairs are scored per epoch
};

struct EpochReport {
    int epoch = 0;
    double loss = 0.0; ///< mean training loss over the epoch
    double validationTop1 = 0.0; ///< share of held-out sub-queries whose best component satisfies them
    double seconds = 0.0;
};

struct TrainResult {
    AlignerWeights weights;
    double initialLoss = 0.0; ///< of the untrained towers, on the first batches
    std::vector<EpochReport> epochs;
    /// The trained torch modules' outputs on a few feature rows, to check the exported C++ inference against.
    int probeRows = 0;
    std::vector<float> probeFeatures; ///< probeRows x input
    std::vector<float> probeQuery; ///< probeRows x embed
    std::vector<float> probeComponent;
};

/// Trains on set (features made by featurizer); weights.training records the recipe, the caller sets the name.
Result<TrainResult> trainAligner(const TrainingSet &set, const TextFeaturizer &featurizer, const TrainOptions &options,
                                 const CancelToken &cancel,
                                 const std::function<void(const EpochReport &)> &onEpoch = {},
                                 const ProgressFn &progress = {});

} // namespace ts
